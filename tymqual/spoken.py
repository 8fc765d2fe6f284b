"""Spoken Finnish: the hand-kept table of spoken forms, the sound rules that give the standard
spellings a spoken form may stand for, and the bounded prefix rule by which an unknown
spoken form matches a query term.

Plain string rules with no analyser behind them; :mod:`tymqual.morphology` applies them to
the words an analyser does not know. Imports only the standard library.
"""

from __future__ import annotations

__all__ = ["SPOKEN_FORMS", "VOWELS", "spoken_match", "spoken_variants"]

_MIN_SPOKEN_TERM = 4  # shorter terms ("eu", "thl") would swallow unrelated unknown words
_LOOSE_PREFIX_FROM = 6  # from this length a term may differ in its last letter
_MAX_LEFTOVER = 3

#: Spoken and colloquial forms no standard dictionary lists, with their base form and word
#: class. Source: the colloquial personal and demonstrative pronouns and the contracted
#: verb forms of *olla*, *tulla*, *mennä*, *tietää*, *tarvita*, *haluta*, *tehdä* and
#: *katsoa* described in Iso suomen kielioppi (Hakulinen et al. 2004, online edition VISK,
#: Kotimaisten kielten keskus), as heard in interview transcripts. Kept by hand; used only
#: for words the analyser does not know, so a table entry never overrides a standard word
#: (*sää*, *toi*, *tarvis* stay what Voikko says). ``tests/test_morphology.py`` checks that.
SPOKEN_FORMS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("mä", "mää", "mua", "mun", "mulle", "mulla", "muhun"),
                    ("minä", "asemosana")),
    **dict.fromkeys(("sä", "sua", "sut", "sun", "sulle", "sulla", "sulta", "suhun", "susta"),
                    ("sinä", "asemosana")),
    **dict.fromkeys(("tää", "tän", "täs", "täst"), ("tämä", "asemosana")),
    **dict.fromkeys(("noi",), ("nuo", "asemosana")),
    **dict.fromkeys(("nää",), ("nämä", "asemosana")),
    **dict.fromkeys(("ton", "tost", "tos"), ("tuo", "asemosana")),
    **dict.fromkeys(("oon", "oot", "ootte", "ois", "oisin", "oisit", "oisko", "olis",
                     "olisko"), ("olla", "teonsana")),
    **dict.fromkeys(("tuun", "tuut", "tuu", "tulis"), ("tulla", "teonsana")),
    **dict.fromkeys(("meen", "meet", "mee", "mentii"), ("mennä", "teonsana")),
    **dict.fromkeys(("tiiä", "tiijä", "tiiän", "tiiät", "tiietään"), ("tietää", "teonsana")),
    **dict.fromkeys(("tartte", "tarttee", "tarvii", "tarviin", "tarviit", "tartteis",
                     "tarttis"), ("tarvita", "teonsana")),
    **dict.fromkeys(("haluu", "haluis"), ("haluta", "teonsana")),
    **dict.fromkeys(("tehä", "tehään", "tehhään", "tehtii"), ("tehdä", "teonsana")),
    **dict.fromkeys(("nähä", "nähään"), ("nähdä", "teonsana")),
    **dict.fromkeys(("kattoo", "katotaan"), ("katsoa", "teonsana")),
    "oo": ("olla", "teonsana"),  # ei oo, oo hiljaa
}


VOWELS = "aeiouyäö"
# Spoken enclitics, longest first: -pas/-päs (with the doubled p after a vowel: meeppäs),
# -kos/-kös, -ks (-ko + -s: tiiäks) and the bare -s (tules, sanokaas).
_SPOKEN_CLITICS = (("ppas", ""), ("ppäs", ""), ("pas", ""), ("päs", ""), ("kos", "ko"),
                   ("kös", "kö"), ("ks", "ko"), ("ks", "kö"), ("ks", ""), ("s", ""))
_MIN_STEM = 3


def spoken_variants(word: str) -> list[tuple[str, str]]:
    """Standard spellings a spoken form may stand for, by regular sound rules of colloquial
    Finnish (Iso suomen kielioppi §§ 22-25, 127; VISK: *puhekielen piirteitä*):

    1. **enclitic -s, -pas/-päs, -kos/-kös** added to imperatives and questions (*tules*,
       *sanokaas*, *meeppäs*, *antaisiks* = *antaisiko* + *s*): the clitic is removed;
    2. **lost weak-grade d** between vowels or after *h* (*oota* for *odota*, *tehään* for
       *tehdään*, *kahen* for *kahden*): a *d* is put back;
    3. **assimilated vowel pair** into a long vowel: *ua*, *yä* (*haluut* for *haluat*),
       *ea*, *eä* (*vaikee* for *vaikea*), *oa*, *öä* (*kattoo* for *katsoa*), *ia*, *iä*
       (*lasii* for *lasia*): the pair is put back;
    4. **lost i of oi** before *t* (*kirjottaa*, *tarkotan* for *kirjoittaa*,
       *tarkoitan*): the *i* is put back;
    5. **ts as tt** (*kattella*, *mettässä* for *katsella*, *metsässä*).

    Rules 2-5 apply after rule 1 (*ootappas* → *oota* → *odota*), and one more after rules
    3-5 (*kattoo* → *katsoo* → *katsoa*). Each pair is ``(variant, rule)``;
    callers accept a variant only when a dictionary knows it, and only for words the
    analyser does not know.
    """
    lowered = word.lower()
    stems = [(lowered, "")]
    for clitic, restored in _SPOKEN_CLITICS:
        rest = lowered[: -len(clitic)]
        if lowered.endswith(clitic) and len(rest) >= _MIN_STEM and rest[-1] in VOWELS:
            stems.append((rest + restored, f"clitic -{clitic}"))
    out: list[tuple[str, str]] = []
    for stem, how in stems:
        if how:
            out.append((stem, how))
        once = _sound_variants(stem, how)
        out.extend(once)
        for variant, rule in once:
            if not rule.endswith("lost d"):  # a d fits many places: one pass of it is enough
                out.extend((v, r) for v, r in _sound_variants(variant, rule) if v != stem)
    return list(dict.fromkeys(out))


def _sound_variants(stem: str, how: str) -> list[tuple[str, str]]:
    """Rules 2-5 of :func:`spoken_variants`, each applied once to ``stem``."""
    return [
        *((v, _joined(how, "lost d")) for v in _with_d(stem)),
        *((v, _joined(how, "vowel pair")) for v in _with_pair(stem)),
        *((v, _joined(how, "oi")) for v in _with_oi(stem)),
        *((v, _joined(how, "ts")) for v in _with_ts(stem)),
    ]


def _with_oi(stem: str) -> list[str]:
    return [stem[: i + 1] + "i" + stem[i + 1:] for i in range(1, len(stem) - 1)
            if stem[i] == "o" and stem[i + 1] == "t" and stem[i - 1] not in VOWELS]


def _with_ts(stem: str) -> list[str]:
    at = stem.find("tt")
    return [stem[:at] + "ts" + stem[at + 2:]] if at > 0 and stem[at - 1] in VOWELS else []


def _joined(first: str, second: str) -> str:
    return f"{first}, {second}" if first else second


def _with_d(stem: str) -> list[str]:
    return [stem[:i] + "d" + stem[i:] for i in range(1, len(stem))
            if stem[i] in VOWELS and (stem[i - 1] in VOWELS or stem[i - 1] == "h")
            and stem[i - 1 : i + 1] not in ("ie", "uo", "yö") and stem[i] != "i"]


def _with_pair(stem: str) -> list[str]:
    out: list[str] = []
    for long, pairs in (("uu", ("ua",)), ("yy", ("yä",)), ("ee", ("ea", "eä")),
                        ("oo", ("oa",)), ("öö", ("öä",)), ("ii", ("ia", "iä"))):
        at = stem.rfind(long)
        if at > 0 and stem[at - 1] not in VOWELS:
            out.extend(stem[:at] + pair + stem[at + 2:] for pair in pairs)
    return out


def spoken_ea(word: str) -> str:
    """The standard form a word in *-Cee* stands for in spoken Finnish, where *-ea*/*-eä*
    becomes *-ee* (VISK § 22: *tukee* for *tukea*, *pimee* for *pimeä*), or ``""``. A word
    in *-ee* is often a standard form too (*tukee* "supports"): callers add this reading
    after the analyser's own."""
    lowered = word.lower()
    if len(lowered) <= 4 or not lowered.endswith("ee") or lowered[-3] in VOWELS:
        return ""
    # back vowels take -a; a word of front or neutral vowels only, -ä (pimee: pimeä)
    return lowered[:-1] + ("a" if any(c in lowered for c in "aou") else "ä")


def spoken_match(word: str, lemma: str) -> bool:
    """Whether an unknown ``word`` is a spoken or clipped form of the base form ``lemma``.

    Spoken Finnish clips case endings (*johtoryhmäs* for *johtoryhmässä*, *Kelal* for
    *Kelalla*), which no dictionary knows. The rule is bounded so that different words do
    not merge: ``lemma`` has at least 4 letters; ``word`` begins with all of it (with all
    but its last letter when it has 6 or more, for stem-vowel changes: *johtoryhmis*); and
    at most 3 letters are left over. Callers apply it only to words the analyser does not
    know, and only against query terms or keywords, never against the whole vocabulary.
    """
    word, lemma = word.lower(), lemma.lower()
    if len(lemma) < _MIN_SPOKEN_TERM or len(word) < len(lemma) - 1:
        return False
    shared = 0
    for a, b in zip(word, lemma, strict=False):
        if a != b:
            break
        shared += 1
    needed = len(lemma) - (1 if len(lemma) >= _LOOSE_PREFIX_FROM else 0)
    return shared >= needed and len(word) - shared <= _MAX_LEFTOVER
