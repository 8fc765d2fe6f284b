"""Key candidates: what in a project looks identifying, numbered into a draft key.

:func:`suggest_key_candidates` lists capitalised words inside a sentence, speaker labels that are
names, Finnish regions and municipalities (``tymqual/data/places_fi.txt``), e-mail addresses,
phone numbers and personal identity codes; :func:`draft_key` numbers them into labels. Nothing is
replaced until the analyst has checked the list and saved it with
:func:`tymqual.keys.write_key`.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd

from tymqual.errors import PrivacyError
from tymqual.keymatch import (
    DASHES,
    ENDING,
    HETU,
    VOWELS,
    Lemmatiser,
    Matcher,
    finnish_analyser,
    inflection_stems,
)
from tymqual.keys import KEY_COLUMNS, KINDS, resolve_key
from tymqual.project import Project
from tymqual.text import snippet

CANDIDATE_COLUMNS: tuple[str, ...] = ("candidate", "kind_guess", "count", "examples", "reason")

_WORD = re.compile(rf"[^\W\d_]+(?:[{DASHES}][^\W\d_]+)*")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)358[ -]?(?:\(0\)[ -]?)?|0)[1-9]\d{0,2}(?:[ -]?\d){5,8}(?!\w)")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_DATE_LIKE = re.compile(r"\d{1,2}[.-]\d{1,2}[.-]\d{2,4}")
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_SENTENCE_END = "\n.!?…:"
_OPENERS = set(" \t\"'“”‘’«»([{*_" + DASHES)
_ORGANISATION = re.compile(
    r"(?i)(?:\b(?:oy|oyj|ry|ky|tmi|ab)\b|(?:yhdistys|säätiö|yhtymä|keskus|liitto|opisto|"
    r"koulu|yliopisto|sairaala|seurakunta|osuuskunta|ammattikorkeakoulu)$)")
# Capitalised words that are institutions or ordinary words, never people: lower-case bases.
ALLOWED_WORDS: frozenset[str] = frozenset({
    "kela", "thl", "te-palvelut", "te-toimisto", "te-keskus", "ely-keskus", "tem", "stm",
    "okm", "avi", "valvira", "kuntaliitto", "eduskunta", "valtioneuvosto", "suomi", "suomen",
    "eu", "eurooppa", "euroopan", "pohjoismaat", "teams", "zoom", "excel", "word", "outlook",
    "kanta", "omakanta", "työmarkkinatori", "sote", "tym", "haastattelija", "haastateltava",
    "vastaaja", "jumala", "herra", "rouva", "neiti", "tohtori", "ok", "okei",
})
_ROLE_WORDS = frozenset({
    "haastattelija", "haastateltava", "vastaaja", "palvelupäällikkö", "moderaattori",
    "fasilitaattori", "tulkki", "puhuja", "osallistuja", "kommentoija", "interviewer",
    "interviewee", "respondent", "speaker", "moderator", "participant", "unknown",
    "tuntematon", "kaikki", "useampi", "muu",
})
_REGION_TYPES = ("maakunta", "hyvinvointialue")
_PLACE_REASONS = {"maakunta": "region (maakunta)",
                  "hyvinvointialue": "wellbeing services county (hyvinvointialue)",
                  "kunta": "municipality (kunta)"}


@functools.cache
def places() -> dict[str, tuple[str, ...]]:
    """The bundled place names (``tymqual/data/places_fi.txt``): name → its sections."""
    text = resources.files("tymqual").joinpath("data", "places_fi.txt").read_text("utf-8")
    found: dict[str, tuple[str, ...]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif line:
            found[line] = (*found.get(line, ()), section)
    return found


def hetu_valid(code: str) -> bool:
    """Whether ``code`` is a Finnish personal identity code with a valid check character.

    DDMMYY, century sign (``+``, ``-``, ``U``–``Y``, ``A``–``F``), individual number NNN and
    the check character: ``int(DDMMYYNNN) mod 31`` indexed into ``0123456789ABCDEFHJKLMNPRSTUVWXY``
    (Digital and Population Data Services Agency, *Henkilötunnus*).
    """
    match = HETU.fullmatch(code)
    if match is None:
        return False
    day, month, _, _, number, check = match.groups()
    if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12 and int(number) >= 2):
        return False
    return _HETU_CHECK[int(day + month + match.group(3) + number) % 31] == check


@dataclass
class _Candidate:
    text: str
    kind: str
    reasons: list[str] = field(default_factory=list)


def suggest_key_candidates(project: Project, *, key: object = None) -> pd.DataFrame:
    """What in the project's sources looks identifying, for the analyst to confirm.

    Nothing is replaced: the list is a starting point for the key (:func:`draft_key`,
    :func:`write_key`). Found are capitalised words inside a sentence (not at its start, not
    acronyms, not in :data:`ALLOWED_WORDS`), runs of such words (``Matti Virtanen``), speaker
    labels that look like names rather than roles, places of ``tymqual/data/places_fi.txt``,
    e-mail addresses, Finnish phone numbers and personal identity codes with a valid check
    character (:func:`hetu_valid`). Inflected forms are counted under their base form. With
    ``key`` (a key, its file or a project), candidates the key already covers are left out.

    Columns: ``candidate`` (base form), ``kind_guess`` (person, place, organisation, other),
    ``count`` (occurrences in all sources, inflected forms included, not counting those
    inside a longer candidate), ``examples`` (up to three, ``source: …context…``),
    ``reason``. Rows are ordered by kind, then by count.
    """
    texts = {sid: project.text(sid) for sid in project.source_ids}
    analyser = finnish_analyser()
    found: dict[str, _Candidate] = {}

    def add(text: str, kind: str, reason: str) -> None:
        entry = found.setdefault(text.casefold(), _Candidate(text, kind))
        if reason not in entry.reasons:
            entry.reasons.append(reason)
        if entry.kind != "place" and kind == "place":
            entry.kind = "place"

    for text in texts.values():
        _identifier_candidates(text, add)
    _place_candidates(texts, add)
    _speaker_candidates(project, add)
    _capitalised_candidates(texts, analyser, add)
    frame = _counted(found, texts, analyser)
    if key is not None and not frame.empty:
        known = Matcher(resolve_key(key, None), analyser)
        covered = [any(h.start == 0 and h.end == len(c) for h in known.find(c))
                   for c in frame["candidate"]]
        frame = frame[~pd.Series(covered, index=frame.index)].reset_index(drop=True)
    return frame


def _identifier_candidates(text: str, add: Callable[[str, str, str], None]) -> None:
    taken: list[tuple[int, int]] = []
    for match in HETU.finditer(text):
        if hetu_valid(match.group()):
            add(match.group(), "other", "personal identity code (hetu) with a valid check "
                "character")
            taken.append(match.span())
    for match in _EMAIL.finditer(text):
        add(match.group(), "other", "e-mail address")
    for match in _PHONE.finditer(text):
        overlaps = any(a < match.end() and match.start() < b for a, b in taken)
        if not overlaps and not _DATE_LIKE.fullmatch(match.group()):
            add(match.group(), "other", "phone number (Finnish format)")


def _place_candidates(texts: dict[str, str], add: Callable[[str, str, str], None]) -> None:
    listed = places()
    key = pd.DataFrame({"original": list(listed), "label": "x", "kind": "place"})
    matcher = Matcher(key, finnish_analyser())
    for text in texts.values():
        for hit in matcher.find(text):
            name = matcher.entries[hit.entry].original
            reason = " and ".join(_PLACE_REASONS.get(s, s) for s in listed[name])
            add(name, "place", f"{reason} in the bundled place list")


def _speaker_candidates(project: Project, add: Callable[[str, str, str], None]) -> None:
    config = project.config.speakers
    configured = {label.casefold() for label in (*config.interviewer, *config.interviewee)}
    turns = project.turns()
    kinds = {sid: project.document(sid).kind for sid in project.source_ids}
    speakers = turns.loc[turns["source_id"].map(kinds) != "survey_answer", "speaker"]
    for speaker in dict.fromkeys(str(s) for s in speakers):
        bare = speaker.rstrip("0123456789 ").casefold()
        if (speaker.casefold() in configured or bare in _ROLE_WORDS or bare in ALLOWED_WORDS
                or not re.search(r"[^\W\d_][^\W\d_A-ZÅÄÖ]", speaker)):
            continue
        add(speaker, "person", "speaker label that looks like a name")


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether only openers, white space and bracketed notes (``[naurahtaa]``) stand between
    ``start`` and the start of the text, a line or a sentence."""
    i = start - 1
    while i >= 0:
        if text[i] in _OPENERS:
            i -= 1
        elif text[i] in ")]":
            opening = text.rfind("(" if text[i] == ")" else "[", 0, i)
            if opening < 0 or "\n" in text[opening:i]:
                return False
            i = opening - 1
        else:
            break
    return i < 0 or text[i] in _SENTENCE_END


def _capitalised(word: str) -> bool:
    acronym = word[:2].isupper()  # THL, TE-palvelut, TYPPIin
    return word[0].isupper() and any(ch.islower() for ch in word) and not acronym


def _capitalised_candidates(texts: dict[str, str], analyser: Lemmatiser | None,
                            add: Callable[[str, str, str], None]) -> None:
    # Words the material also writes in lower case, and function words, are ordinary words.
    # (E-mail addresses and links are left out: matti.virtanen@... does not make "Matti" common.)
    common = _stopwords() | {m.group() for text in texts.values()
                             for m in _WORD.finditer(_URL.sub(" ", _EMAIL.sub(" ", text)))
                             if m.group().islower()}
    words: list[tuple[str, int, str]] = []  # source, start, word: capitalised and not allowed
    for sid, text in texts.items():
        for match in _WORD.finditer(text):
            word = match.group()
            if (_capitalised(word) and word.lower() not in common
                    and not _allowed(word, analyser)):
                words.append((sid, match.start(), word))
    seen = {w.lower() for _, _, w in words}
    listed = {p.lower() for p in places()}
    # A run's first word may be capitalised only because it starts the sentence; it belongs
    # to the name only if it is also capitalised inside a sentence somewhere.
    named = {w.lower() for sid, start, w in words if not _at_sentence_start(texts[sid], start)}
    i = 0
    while i < len(words):
        run = [words[i]]
        while i + len(run) < len(words) and len(run) < 4:
            sid, start, word = words[i + len(run)]
            prev_sid, prev_start, prev = run[-1]
            if sid != prev_sid or texts[sid][prev_start + len(prev):start] != " ":
                break
            run.append(words[i + len(run)])
        i += len(run)
        inside = [not _at_sentence_start(texts[sid], start) for sid, start, _ in run]
        if not inside[0] and len(run) > 1 and run[0][2].lower() not in named:
            run, inside = run[1:], inside[1:]  # "Eilen Matti Virtanen ...": drop "Eilen"
        names = [w for _, _, w in run]
        bases = [_base_form(w, analyser, seen) for w in names]
        is_place = [b.lower() in listed for b in bases]
        if len(run) > 1 and any(inside) and not any(is_place):
            add(" ".join([*names[:-1], bases[-1]]), "person",
                "capitalised words inside a sentence, as in a name")
            continue
        for base, mid, place in zip(bases, inside, is_place, strict=True):
            if mid and not place:
                add(base, _kind_guess(base), "capitalised word inside a sentence")


def _stopwords() -> frozenset[str]:
    try:
        from tymqual.morphology import stopwords
    except ImportError:
        return frozenset()
    return stopwords()


def _allowed(word: str, analyser: Lemmatiser | None) -> bool:
    low = word.lower()
    if low in ALLOWED_WORDS or any(low.startswith(a) and ENDING.fullmatch(low[len(a):])
                                   for a in ALLOWED_WORDS):
        return True
    return analyser is not None and any(lemma.lower() in ALLOWED_WORDS
                                        for lemma in analyser.lemmas(word))


def _kind_guess(base: str) -> str:
    return "organisation" if _ORGANISATION.search(base) else "person"


def _base_form(word: str, analyser: Lemmatiser | None, seen: set[str]) -> str:
    """The nominative a capitalised word is a form of, capitalised like ``word``."""
    low = word.lower()
    base = low
    lemmas = [lemma.lower() for lemma in analyser.lemmas(word)] if analyser else []
    if lemmas and lemmas != [low]:
        base = lemmas[0]
    else:
        # Unknown to the analyser: a seen shorter word this is a form of, or a -nen name.
        for other in sorted(seen, key=len):
            if other != low and low.startswith(other[:2]) and any(
                    low.startswith(s) and ENDING.fullmatch(low[len(s):])
                    for s in inflection_stems(other)):
                base = other
                break
        else:
            nen = re.fullmatch(rf"(.*[{VOWELS}])(?:se|s)(.*)", low)
            if nen and len(nen.group(1)) >= 3 and nen.group(2) and ENDING.fullmatch(
                    nen.group(2)):
                base = nen.group(1) + "nen"
    return _capitalised_like(base, word)


def _capitalised_like(base: str, word: str) -> str:
    parts = re.split(f"([{DASHES}])", base)
    shape = re.split(f"[{DASHES}]", word)
    out = []
    for n, part in enumerate(parts):
        index = n // 2
        upper = index < len(shape) and shape[index][:1].isupper()
        out.append(part[:1].upper() + part[1:] if upper and n % 2 == 0 else part)
    return "".join(out)


def _counted(found: dict[str, _Candidate], texts: dict[str, str],
             analyser: Lemmatiser | None) -> pd.DataFrame:
    items = list(found.values())
    if not items:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else str)
                             for c in CANDIDATE_COLUMNS})
    key = pd.DataFrame({"original": [c.text for c in items], "label": "x", "kind": "other"})
    matcher = Matcher(key, analyser)
    counts: Counter[int] = Counter()
    examples: dict[int, list[str]] = {}
    for sid, text in texts.items():
        for hit in matcher.find(text):
            counts[hit.entry] += 1
            shown = examples.setdefault(hit.entry, [])
            if len(shown) < 3:
                shown.append(f"{sid}: {snippet(text, hit.start, hit.end, 30)}")
    frame = pd.DataFrame({
        "candidate": [c.text for c in items],
        "kind_guess": [c.kind for c in items],
        "count": [counts[i] for i in range(len(items))],
        "examples": [" | ".join(examples.get(i, [])) for i in range(len(items))],
        "reason": ["; ".join(c.reasons) for c in items],
    })
    frame["_order"] = frame["kind_guess"].map({k: n for n, k in enumerate(KINDS)})
    frame = frame.sort_values(["_order", "count", "candidate"], ascending=[True, False, True],
                              kind="stable")
    return frame.drop(columns="_order").astype({"count": "int64"}).reset_index(drop=True)


def draft_key(candidates: pd.DataFrame) -> pd.DataFrame:
    """A first key from (checked) candidates: numbered Finnish labels by kind.

    person ``[Henkilö 1]``; a region of the place list ``[Alue A]``, a municipality
    ``[Kunta 1]``, another place ``[Paikka 1]``; organisation ``[Organisaatio 1]``; other:
    ``[Sähköposti 1]``, ``[Puhelinnumero 1]``, ``[Henkilötunnus 1]`` or ``[Tunniste 1]``.
    A person's full name and its last word (the surname) share one label, and the surname
    is added when it was not a candidate itself. Edit the labels freely before saving.
    """
    missing = [c for c in ("candidate", "kind_guess") if c not in candidates.columns]
    if missing:
        raise PrivacyError(f"draft_key(): the candidates lack column(s) {', '.join(missing)}; "
                           "pass the frame suggest_key_candidates() returns.")
    counters: Counter[str] = Counter()
    rows: dict[str, tuple[str, str, str]] = {}
    surnames: dict[str, str] = {}
    order = sorted(range(len(candidates)),
                   key=lambda i: -len(str(candidates["candidate"].iat[i]).split()))
    for i in order:
        text = str(candidates["candidate"].iat[i]).strip()
        kind = str(candidates["kind_guess"].iat[i])
        if not text or text.casefold() in rows:
            continue
        label = surnames.get(text.casefold()) or _next_label(text, kind, counters)
        rows[text.casefold()] = (text, label, kind)
        words = text.split()
        if kind == "person" and len(words) > 1:
            surnames.setdefault(words[-1].casefold(), label)
    for surname, label in surnames.items():
        if surname not in rows:
            original = next(t for t, lab, _ in rows.values() if lab == label).split()[-1]
            rows[surname] = (original, label, "person")
    ordered = sorted(rows.values(), key=lambda r: (KINDS.index(r[2]) if r[2] in KINDS else 9,
                                                   _label_number(r[1]), r[0]))
    return pd.DataFrame(ordered, columns=list(KEY_COLUMNS))


def _label_number(label: str) -> tuple[str, int, str]:
    match = re.fullmatch(r"\[(\D+?) ?(\d*)\]", label)
    if match is None:
        return (label, 0, "")
    return (match.group(1), int(match.group(2) or 0), label)


def _next_label(text: str, kind: str, counters: Counter[str]) -> str:
    if kind == "place":
        sections = places().get(text, ())
        if any(s in _REGION_TYPES for s in sections) and "kunta" not in sections:
            counters["Alue"] += 1
            return f"[Alue {_letters(counters['Alue'])}]"
        word = "Kunta" if "kunta" in sections else "Paikka"
    elif kind == "other":
        word = ("Henkilötunnus" if hetu_valid(text) else "Sähköposti" if "@" in text
                else "Puhelinnumero" if _PHONE.fullmatch(text) else "Tunniste")
    else:
        word = {"person": "Henkilö", "organisation": "Organisaatio"}.get(kind, "Tunniste")
    counters[word] += 1
    return f"[{word} {counters[word]}]"


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


