"""The held-out text of issue 17 and its study words, shared by the gold tool and the benchmark.

The text (``../shared/data/``, not part of tymqual): ministers' answers to MPs' written
questions (``eduskunta-vkk/dev.csv.bz2``, 3,000 sentences, CC BY 4.0) and the Finnish statutes
of ``finlex-tym/`` (the TYM Act 381/2023, its decree 388/2024, Act 437/2024 and the old TYP Act
1369/2014; CC BY 4.0). A *unit* is one sentence of the former or one text element of a statute
(a heading, a subsection, an item); it is referred to by id (``vkk:<row>``,
``<file stem>:<n>``) so the gold file need not copy the text.

**Study words** (:func:`study_words`), a rule fixed before any figure was printed: the 12 most
frequent nouns and the 8 most frequent verbs of the whole text by the class and base form of
Voikko's first reading of each token (leaving out *olla* and *ei*; proper nouns are other
classes), then the words a TYM thesis searches for (:data:`TYM_WORDS`) where not in already.

**Halves** (:func:`halves`, issue 17's fifth round): half A steers (its errors may be read),
half B checks (aggregate figures only). Within each source (the answers, the statutes) the
units are ordered by the SHA-256 of their id and the first half of them (rounded up) is A; the
rule reads no label, form or figure.
"""

from __future__ import annotations

import bz2
import csv
import hashlib
import io
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

VKK_FILE = Path("data") / "eduskunta-vkk" / "dev.csv.bz2"
FINLEX_DIR = Path("data") / "finlex-tym"
FINLEX_FILES = ("fi_2023_asd20230381.xml", "fi_2024_asd20240388.xml", "fi_2024_asd20240437.xml",
                "fi_2014_asd20141369.xml")
#: Statute elements that hold running text (their italics included).
FINLEX_TEXT = frozenset({"SaadostyyppiKooste", "SaadosNimekeKooste", "SaadosKappaleKooste",
                         "SaadosOtsikkoKooste", "MomenttiKooste", "MomenttiJohdantoKooste",
                         "MomenttiKohtaKooste"})
#: A token: a run of word characters, hyphen-joined runs kept together, a trailing hyphen kept
#: (*sosiaali-* in *sosiaali- ja terveysministeri*).
TOKEN = re.compile(r"\w+(?:-\w+)*-?")
N_NOUNS, N_VERBS = 12, 8
LEFT_OUT = frozenset({"olla", "ei"})
TYM_WORDS: dict[str, tuple[str, ...]] = {
    "noun": ("työ", "tuki", "palvelu", "asiakas", "kunta", "sopimus", "verkosto"),
    "verb": ("johtaa", "päättää", "järjestää"),
}
VOIKKO_CLASS = {"nimisana": "noun", "teonsana": "verb"}


@dataclass(frozen=True)
class Unit:
    """One sentence or statute element: its id and text."""

    uid: str
    text: str


def shared_folder() -> Path | None:
    """``../shared`` beside the repository, else ``$TYMQUAL_SHARED``; None when absent."""
    beside = Path(__file__).resolve().parents[1].parent / "shared"
    for folder in (beside, Path(os.environ.get("TYMQUAL_SHARED", beside))):
        if (folder / VKK_FILE).is_file() and (folder / FINLEX_DIR).is_dir():
            return folder
    return None


def vkk_units(shared: Path) -> list[Unit]:
    """The sentences of eduskunta-vkk's dev split, ``vkk:<row>`` counted from 1 after the header."""
    text = bz2.decompress((shared / VKK_FILE).read_bytes()).decode("utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return [Unit(f"vkk:{n}", row["sentence"]) for n, row in enumerate(rows, start=1)]


def finlex_units(shared: Path) -> list[Unit]:
    """The text elements of each Finnish statute, ``<file stem>:<n>`` in document order."""
    units = []
    for name in FINLEX_FILES:
        root = ET.parse(shared / FINLEX_DIR / name).getroot()
        body = next(e for e in root.iter() if e.tag.endswith("}SaadosOsa"))
        texts = [" ".join("".join(e.itertext()).split()) for e in body.iter()
                 if e.tag.rsplit("}", 1)[-1] in FINLEX_TEXT]
        units += [Unit(f"{Path(name).stem}:{n}", t) for n, t in enumerate(texts, start=1) if t]
    return units


def units(shared: Path) -> list[Unit]:
    """All units of the held-out text, sentences first."""
    return vkk_units(shared) + finlex_units(shared)


def source(uid: str) -> str:
    """The source a unit comes from: ``"vkk"`` (the answers) or ``"finlex"`` (the statutes)."""
    return "vkk" if uid.startswith("vkk:") else "finlex"


def halves(all_units: list[Unit]) -> dict[str, str]:
    """``uid`` → ``"A"`` (steer) or ``"B"`` (check), by the rule of the module docstring."""
    out: dict[str, str] = {}
    for name in ("vkk", "finlex"):
        mine = sorted((u.uid for u in all_units if source(u.uid) == name),
                      key=lambda uid: hashlib.sha256(uid.encode("utf-8")).hexdigest())
        cut = (len(mine) + 1) // 2
        out.update({uid: "A" if n < cut else "B" for n, uid in enumerate(mine)})
    return out


def tokens(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, form)`` of each token of a unit; the gold's token index is its position."""
    return [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


def study_words(all_units: list[Unit]) -> dict[str, tuple[str, ...]]:
    """The study words by the rule of the module docstring (ties broken alphabetically)."""
    import libvoikko

    voikko = libvoikko.Voikko("fi")
    counts: dict[str, Counter[str]] = {"noun": Counter(), "verb": Counter()}
    first: dict[str, tuple[str, str] | None] = {}
    for unit in all_units:
        for _, _, form in tokens(unit.text):
            if form not in first:
                readings = voikko.analyze(form)
                kind = VOIKKO_CLASS.get(readings[0].get("CLASS", "")) if readings else None
                first[form] = (kind, readings[0]["BASEFORM"].lower()) if kind else None
            hit = first[form]
            if hit and hit[1] not in LEFT_OUT:
                counts[hit[0]][hit[1]] += 1
    top = {kind: [w for w, _ in sorted(c.items(), key=lambda wc: (-wc[1], wc[0]))]
           for kind, c in counts.items()}
    chosen = {"noun": top["noun"][:N_NOUNS], "verb": top["verb"][:N_VERBS]}
    for kind, words in TYM_WORDS.items():
        chosen[kind] += [w for w in words if w not in chosen[kind]]
    return {kind: tuple(words) for kind, words in chosen.items()}


# ---------------------------------------------------------------------------- the candidate net
#: Stem alternants written by hand, generous: a token that *begins* with one is a candidate.
ALTERNANTS: dict[str, tuple[str, ...]] = {
    "suomi": ("suom",), "vuosi": ("vuo",), "laki": ("lak", "lai"), "osa": ("osa", "osi", "oss"),
    "palvelu": ("palvel",), "lisä": ("lisä", "lis"), "tieto": ("tieto", "tiedo", "tied", "tiet"),
    "hallitus": ("hallitu", "hallitus", "hallit"), "tavoite": ("tavoit",),
    "kunta": ("kunta", "kunn", "kunt"), "toiminta": ("toimint", "toiminn"),
    "lapsi": ("laps", "last", "lase"), "työ": ("työ",), "tuki": ("tuk", "tue", "tuj", "tui"),
    "asiakas": ("asiak",), "sopimus": ("sopimu",), "verkosto": ("verkost",),
    "voida": ("voi",), "tulla": ("tul", "tule", "tull", "tuli"), "tukea": ("tuk", "tue", "tuj"),
    "kehittää": ("kehit",), "tehdä": ("teh", "tek", "tei", "tee"),
    "saada": ("saa", "sai"), "antaa": ("anta", "anto", "anne", "anna", "ann", "ant", "ano"),
    "ottaa": ("ott", "ote", "oti", "oto"), "johtaa": ("joht", "johd"),
    "päättää": ("päät", "pääte", "päätt"), "järjestää": ("järjest",),
}
#: Heads of compounds, written by hand: a noun token that *contains* one after its first
#: letter is a candidate (the case forms a head takes at the end of a compound).
HEADS: dict[str, str] = {
    "suomi": r"suom", "vuosi": r"vuo(si|de|tt|sin|nna|sie|ksi)",
    "laki": r"la(ki|ke|ei|is|ik|il|in\b|ina|iin)",
    "osa": r"os(a|i|ie|ss)", "palvelu": r"palvel", "lisä": r"lisä", "tieto": r"tie(to|do|toj)",
    "hallitus": r"hallitu", "tavoite": r"tavoit", "kunta": r"kun(t|n)", "toiminta": r"toimin(t|n)",
    "lapsi": r"la(ps|se|sta|sten|ste)", "työ": r"työ", "tuki": r"tu(k|e|j|i)", "asiakas": r"asiak",
    "sopimus": r"sopimu", "verkosto": r"verkost",
}


def _voikko_names(reading: dict[str, str]) -> set[str]:
    """The base form of a Voikko reading and every base its WORDBASES names (*päättää*)."""
    names = {reading.get("BASEFORM", "").lower()}
    names |= {n.lower() for n in re.findall(r"\(([^)+]+)\)", reading.get("WORDBASES", ""))}
    return names


def in_net(form: str, word: str, kind: str, voikko: object) -> bool:
    """Whether a token is a candidate for ``word``: the broad net of issue 17's held-out gold.

    Any Voikko reading whose base form, or a base its WORDBASES names, is or ends in the word;
    simplemma's lemma that is or ends in the word; a token beginning with a hand-written stem
    alternant (:data:`ALTERNANTS`); for nouns, a token containing a head pattern (:data:`HEADS`).
    """
    import simplemma

    low = form.lower()
    if low.startswith(ALTERNANTS[word] + (word,)):
        return True
    if kind == "noun" and re.search(HEADS[word], low[1:]):
        return True
    lemma = str(simplemma.lemmatize(form, lang="fi")).lower()
    names = {n for r in voikko.analyze(form) for n in _voikko_names(r)}  # type: ignore[attr-defined]
    return any(n == word or n.endswith(word) for n in names | {lemma})
