"""A Finnish word form's readings and the interface every analyser implements.

The types the analysers answer in (:class:`Reading`, :class:`Query`, :class:`WordAnalysis`
and its ``why``), the :class:`Analyser` base with the steps for words an analyser does not
know (spoken forms, dropped last sounds, acronyms, hyphenated words), the case and person a
word's ending shows (:func:`surface_case`), the checks of the ``readings`` and ``compounds``
arguments, the rule names the analysers share, and the stop word list. The analysers
themselves are :mod:`tymqual.morphology` (Voikko, Snowball, the choice between them) and
:mod:`tymqual.fallback` (simplemma); the context rules are :mod:`tymqual.context_rules`.

Imports only :mod:`tymqual.errors`, :mod:`tymqual.spoken` and the standard library.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from typing import Literal

from tymqual.errors import TymqualError
from tymqual.spoken import SPOKEN_FORMS, spoken_match, spoken_variants

__all__ = [
    "COMPOUND_MODES",
    "FUNCTION_CLASSES",
    "INSTRUCTIVE",
    "LEXICALISED",
    "MA_ABESSIVE",
    "READING_MODES",
    "UNINFLECTED_CLASSES",
    "Analyser",
    "Compounds",
    "Query",
    "Reading",
    "Readings",
    "WordAnalysis",
    "acronym_readings",
    "check_compounds",
    "check_readings",
    "plausible",
    "stopwords",
    "surface_case",
    "surface_inflections",
]

Compounds = Literal["off", "head", "any"]
#: How a compound word may match a term: ``off`` (whole word only), ``head`` (also its last
#: part: *johtaja* finds *verkostojohtaja*) or ``any`` (any part: *verkosto* finds it too).
COMPOUND_MODES: tuple[str, ...] = ("off", "head", "any")
Readings = Literal["likely", "all"]
#: Which readings of an ambiguous word count: ``likely`` (the base form the word usually
#: has, see :meth:`Analyser.analyse`) or ``all`` (every base form an analyser offers).
READING_MODES: tuple[str, ...] = ("likely", "all")

# Base forms whose inflected forms begin with another letter: parempi, paras → hyvä;
# enemmän, eniten → paljon. (Every form of a Finnish pronoun keeps its first letter.)
_SUPPLETIVE = frozenset({"hyvä", "paljon"})
_MIN_CHAIN = 3  # a hyphen chain lists words; two parts are a compound (sote-alue)
# Dropped last sounds of spoken Finnish: (spoken ending, what was dropped).
_CLIPPED = (("nu", "t"), ("ny", "t"), ("lu", "t"), ("ly", "t"), ("ru", "t"), ("ry", "t"),
            ("su", "t"), ("sy", "t"), ("is", "i"), ("ii", "n"))
_ACRONYM = re.compile(r"([A-ZÅÄÖ][A-ZÅÄÖ0-9]+)(?::[a-zåäöA-ZÅÄÖ]{1,6})?")
# Voikko word classes: pronouns and conjunctions, then adverbs and adpositions.
FUNCTION_CLASSES = frozenset({"asemosana", "sidesana"})
UNINFLECTED_CLASSES = frozenset({"seikkasana", "suhdesana"})
# Names of rules the analysers share, as ``Reading.rule`` gives them.
MA_ABESSIVE = "teonsana, MA-infinitive abessive"
LEXICALISED = "lexicalised word"
INSTRUCTIVE = f"{LEXICALISED} (a noun's instructive plural)"


@dataclass(frozen=True)
class Reading:
    """One way to read a word form.

    ``lemma``: the base form, lower-case, by the Universal Dependencies convention (a
    participle's base form is its verb: *päätetty* → *päättää*; a *-minen* noun is its own).
    ``pos``: the analyser's word class (Voikko's ``CLASS``: ``nimisana``, ``teonsana``, ...;
    empty when unknown). ``parts``: compound parts as base forms, split only at real
    compound boundaries (a simple word is its own single part). ``also``: other base forms
    the word is a whole-word form of (a participle's own adjective form, *päätetty*; the
    words of a hyphen chain). ``derived``: base forms it is derived from, matched only with
    ``derivations=True`` (*johtaminen* → *johtaa*). ``rule``: how the reading was reached.
    """

    lemma: str
    pos: str = ""
    parts: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()
    rule: str = ""

    def __post_init__(self) -> None:
        if not self.parts:
            object.__setattr__(self, "parts", (self.lemma,))


@dataclass(frozen=True)
class Query:
    """A query word reduced to what it is compared with (:meth:`Analyser.query`).

    ``lemmas``: the base forms looked for; ``parts``: each one's compound parts, so that a
    compound query is also found as the head of a longer compound.
    """

    word: str
    lemmas: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...]
    compounds: Compounds = "off"
    readings: Readings = "likely"
    derivations: bool = False


@dataclass(frozen=True)
class WordAnalysis:
    """What an analyser says about one word form.

    ``readings``: every reading, most likely first (the ranking is documented in
    :meth:`VoikkoAnalyser._rank`). ``known``: whether the analyser (or the acronym, hyphen and
    spoken-form rules) recognised the word; unknown words may match only by the
    clipped-ending rule (:func:`spoken_match`). ``lemmas``: every base form, most likely
    first; ``parts``: the compound parts of the likely reading.
    """

    word: str
    readings: tuple[Reading, ...]
    known: bool

    @property
    def lemmas(self) -> tuple[str, ...]:
        """Every base form, most likely first."""
        return tuple(dict.fromkeys(r.lemma for r in self.readings))

    @property
    def parts(self) -> tuple[str, ...]:
        """The compound parts of the most likely reading."""
        return self.readings[0].parts

    def likely(self) -> tuple[Reading, ...]:
        """The readings with the most likely base form (a form may have several analyses
        of one base form: *tehdä* as infinitive and as negative passive)."""
        top = self.readings[0].lemma
        return tuple(r for r in self.readings if r.lemma == top)

    def why(self, query: Query) -> str:
        """Why this form is an occurrence of ``query``, in one line; ``""`` when it is not.

        ``"päätetty: päättää (teonsana), participle of the query"``. The rules, in order:
        the base form equals a query base form; a participle's or a hyphen chain's
        word does (``also``); with ``derivations`` a base form it is derived from does;
        with ``compounds="head"`` the query's parts end the compound's parts (a compound
        query found as head of a longer one: *sosiaalilainsäädäntö* for *lainsäädäntö*);
        with ``"any"`` they lie anywhere in it; an unknown word is a clipped spoken form.
        """
        chosen = self.readings if query.readings == "all" else self.likely()
        for reading in chosen:
            rule = _reading_rule(reading, query)
            if rule:
                return f"{self.word}: {reading.lemma} ({reading.rule or reading.pos}); {rule}"
        if not self.known:
            for lemma in query.lemmas:
                if spoken_match(self.word, lemma):
                    return f"{self.word}: unknown word; clipped spoken form of {lemma}"
        return ""


def _reading_rule(reading: Reading, query: Query) -> str:
    for lemma, parts in zip(query.lemmas, query.parts, strict=True):
        if reading.lemma == lemma:
            return "base form"
        if lemma in reading.also:
            return f"word form of {lemma}"
        if query.derivations and lemma in reading.derived:
            return f"derived from {lemma}"
        if query.compounds != "off" and _has_parts(reading.parts, parts, query.compounds):
            return "compound head" if reading.parts[-len(parts):] == parts else "compound part"
    return ""


def _has_parts(whole: tuple[str, ...], parts: tuple[str, ...], compounds: Compounds) -> bool:
    """Whether ``parts`` end ``whole`` (``head``) or lie in it (``any``), ``whole`` longer."""
    n = len(parts)
    if len(whole) <= n:
        return False
    if whole[-n:] == parts:
        return True
    return compounds == "any" and any(whole[i : i + n] == parts for i in range(len(whole) - n))


class Analyser:
    """Base forms and compound parts of Finnish words; subclasses wrap one analyser.

    Analyses are cached per word form, so a corpus pays for each distinct form once.
    ``name`` is ``"voikko"``, ``"simplemma"`` or ``"snowball"``.
    """

    name: str = ""

    def __init__(self) -> None:
        self._cache: dict[str, WordAnalysis] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<tymqual.morphology.{type(self).__name__} {self.name!r}>"

    # -- what subclasses provide ---------------------------------------------------------
    def _readings(self, word: str) -> list[Reading]:
        """Readings of ``word``, most likely first, or ``[]`` when the analyser does not know it."""
        raise NotImplementedError

    # -- public --------------------------------------------------------------------------
    def analyse(self, word: str) -> WordAnalysis:
        """Everything known about ``word`` (cached).

        Order of attempts: the analyser itself; the spoken-form table (:data:`SPOKEN_FORMS`,
        *tarvii* → *tarvita*); an acronym with or without a case ending (``THL:n``,
        ``EU:ssa`` → ``thl``, ``eu``); a hyphen chain of three or more known words
        (*vauva-taapero-lapsi-teini*: each word a whole word of its own); a hyphenated word
        whose last part the analyser knows (``TE-toimiston`` → ``te-toimisto``, parts ``te``,
        ``toimisto``). Anything else is unknown; its base form is the analyser's guess
        (simplemma's affix rules) or else the word itself, lower-cased.
        """
        word = word.strip()
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        with self._lock:
            result = self._analyse(word)
        self._cache[word] = result
        return result

    def remember(self, analyses: Iterable[WordAnalysis]) -> frozenset[str]:
        """Take analyses made earlier (read from a project's cache) as if made now; returns
        the word forms taken."""
        words = []
        for analysis in analyses:
            self._cache.setdefault(analysis.word, analysis)
            words.append(analysis.word)
        return frozenset(words)

    def lemmas(self, word: str) -> tuple[str, ...]:
        """Every base form ``word`` can be, lower-case, most likely first."""
        return self.analyse(word).lemmas

    def compound_parts(self, word: str) -> tuple[str, ...]:
        """Compound parts as base forms: ``verkostojohtajalle`` → ``("verkosto", "johtaja")``."""
        return self.analyse(word).parts

    def head(self, word: str) -> str:
        """The last compound part (the word's own base form when it is not a compound)."""
        return self.analyse(word).parts[-1]

    def is_known(self, word: str) -> bool:
        """Whether the analyser (or the acronym, hyphen and spoken rules) recognises ``word``."""
        return self.analyse(word).known

    def query(
        self, term: str, *, compounds: Compounds = "off", readings: Readings = "likely",
        derivations: bool = False,
    ) -> Query:
        """What the query word ``term`` is compared with.

        The query is the typed base form: when ``term`` is itself a base form the analyser
        knows (*tilanne*, *toimia*, *tuki*), that is the only one looked for, not the other
        words it could be a form of (*tila*, *tilata*; *toimi*; *tukea*). A typed inflected
        form (*Kelan*) stands for its likely base form. ``readings="all"`` looks for every
        base form the term can be.
        """
        check_compounds(compounds)
        check_readings(readings)
        analysis = self.analyse(term)
        typed = term.strip().lower()
        if readings == "all":
            chosen = list(analysis.readings)
        else:
            chosen = [r for r in analysis.readings if typed in (r.lemma, *r.also)]
            chosen = chosen[:1] or list(analysis.likely()[:1])
        lemmas: dict[str, tuple[str, ...]] = {}
        for reading in chosen:
            lemma = typed if typed in reading.also else reading.lemma
            lemmas.setdefault(lemma, reading.parts if lemma == reading.lemma else (lemma,))
        return Query(term, tuple(lemmas), tuple(lemmas.values()), compounds, readings,
                     derivations)

    def term_lemmas(self, term: str) -> frozenset[str]:
        """The base forms a query term or keyword stands for (``"Kelan"`` → ``{"kela"}``)."""
        return frozenset(self.query(term).lemmas)

    def matches(
        self, word: str, term: str, *, compounds: Compounds = "off",
        readings: Readings = "likely", derivations: bool = False,
    ) -> bool:
        """Whether ``word`` in a text is an occurrence of the query ``term``.

        See :meth:`query` for what the term stands for and :meth:`WordAnalysis.why` for the
        rules a word form is held to.
        """
        query = self.query(term, compounds=compounds, readings=readings,
                           derivations=derivations)
        return self.match_analysis(self.analyse(word), query)

    def why(self, word: str, query: Query) -> str:
        """Why ``word`` is an occurrence of ``query`` (``""`` when it is not)."""
        return self.explain(self.analyse(word), query)

    def explain(self, analysis: WordAnalysis, query: Query) -> str:
        """:meth:`why` for an analysis already made (used by indexes)."""
        return analysis.why(query)

    def match_analysis(self, analysis: WordAnalysis, query: Query) -> bool:
        """The rule of :meth:`matches`, for an analysis already made."""
        return bool(self.explain(analysis, query))

    def inflections(self, word: str, verbs: bool = False) -> frozenset[tuple[str, str, str]]:
        """How ``word`` is inflected, for the context rules (:func:`context_rule`): each
        noun-like reading's ``(word class, case, number)`` (Voikko's case names:
        ``sisaolento``, ``omanto``, ...), or with ``verbs`` each finite verb reading's
        ``(word class, person, number)`` and ``(word class, "infinitive", "")`` for a first
        infinitive. This base version reads the word's ending alone
        (word class and number ``""``: unknown); Voikko's reads its analyses."""
        return surface_inflections(word, verbs)

    # -- the shared pipeline -------------------------------------------------------------
    def _analyse(self, word: str) -> WordAnalysis:
        readings = self._readings(word) if word else []
        known = bool(readings)
        if not readings:
            readings = (_spoken_readings(word) or self._clipped_readings(word)
                        or self._variant_readings(word)
                        or acronym_readings(word)
                        or self._chain_readings(word) or self._hyphen_readings(word))
            known = bool(readings)
        if not readings:
            readings = self._guess(word) or [Reading(word.lower(), rule="unknown word")]
        return WordAnalysis(word=word, readings=tuple(readings), known=known)

    def _guess(self, word: str) -> list[Reading]:
        """Readings for a word the analyser does not know, if it can guess; else ``[]``."""
        return []

    def _clipped_readings(self, word: str) -> list[Reading]:
        """Readings of a spoken form whose last sound was dropped (*loppuheitto*).

        Spoken Finnish drops a word's last sound in three regular places, which this puts
        back and then asks the analyser (:data:`_CLIPPED`): the *-t* of the past participle
        (*tehny*, *ottanu*, *tullu* → *tehnyt*, *ottanut*, *tullut*), the *-i* of the
        conditional (*tekis*, *lähtis* → *tekisi*, *lähtisi*) and the *-n* of the past
        passive (*puhuttii*, *tultii* → *puhuttiin*, *tultiin*). Only a restored form the
        analyser knows counts.
        """
        lowered = word.lower()
        for ending, restored in _CLIPPED:
            if lowered.endswith(ending) and len(lowered) > len(ending) + 1:
                found = self._readings(lowered + restored)
                if found:
                    return [replace(r, rule=f"spoken form of {lowered + restored}")
                            for r in found]
        return []

    def _variant_readings(self, word: str) -> list[Reading]:
        """Readings of a spoken form by the regular sound rules of :func:`spoken_variants`
        (*tules* → *tule*, *oota* → *odota*, *haluut* → *haluat*); the first variant the
        analyser or the spoken-form table knows counts."""
        for variant, how in spoken_variants(word):
            found = self._readings(variant) or _spoken_readings(variant)
            if found:
                return [replace(r, rule=f"spoken form of {variant} ({how})") for r in found]
        return []

    def _chain_readings(self, word: str) -> list[Reading]:
        """A hyphen chain (*vauva-taapero-lapsi-teini*): each word is a word of its own.

        Three or more parts, each a word the analyser knows, list things side by side
        (coordinating compounds), so no part is a head: every part's likely
        base form is a whole-word form of its own (``also``).
        """
        pieces = word.split("-")
        if len(pieces) < _MIN_CHAIN or not all(pieces):
            return []
        found = [self._readings(p) for p in pieces]
        if not all(found):
            return []
        words = tuple(r[0].lemma for r in found)
        return [Reading("-".join(words), found[-1][0].pos, (word.lower(),), words,
                        rule="hyphen chain")]

    def _hyphen_readings(self, word: str) -> list[Reading]:
        prefix, dash, last = word.rpartition("-")
        if not dash or not prefix or not last:
            return []
        tail = self._readings(last)
        if not tail:
            return []
        first = tuple(p.lower() for p in prefix.split("-") if p)
        return [Reading(f"{prefix.lower()}-{r.lemma}", r.pos, (*first, *r.parts),
                        rule="hyphenated compound") for r in tail]


# Surface case endings, most specific first (the fallback's cases, and Voikko's check).
_SURFACE_CASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(f"(?:{ending})$"), case) for ending, case in (
        ("ss[aä]", "sisaolento"), ("st[aä]", "sisaeronto"), ("ll[aä]", "ulkoolento"),
        ("lt[aä]", "ulkoeronto"), ("lle", "ulkotulento"), ("tt[aä]", "vajanto"),
        ("ksi", "tulento"), ("n[aä]", "olento"),
        (r"seen|siin|h([aeiouyäö])n|([aeiouyäö])\2n", "sisatulento"), ("n", "omanto"),
        ("[aeiouyäöt][aä]", "osanto"),
    ))
_INFINITIVE = re.compile("(?:[aeiouyäö]|[dlnrt])[aä]$")
_PERSON_ENDINGS: dict[tuple[str, str], re.Pattern[str]] = {
    ("1", "singular"): re.compile("[aeiouyäö]n$"), ("2", "singular"): re.compile("[aeiouyäö]t$"),
    ("1", "plural"): re.compile("mme$"), ("2", "plural"): re.compile("tte$"),
    ("3", "plural"): re.compile("v[aä]t$"),
    ("3", "singular"): re.compile(r"([aeiouyäö])\1$|[^aeiouyäö]i$|pi$"),
}


def surface_case(word: str) -> str:
    """The case a Finnish noun-like form's ending shows (Voikko's case names: ``sisaolento``
    for *-ssa*, ``omanto`` for *-n*, ...), ``""`` when no case ending is seen.

    Read from the end of the word only, most specific ending first, so it cannot tell a
    genitive *-n* from a first-person verb or a partitive *-a* from other *-a* forms; the
    context rules use it only together with a word class (see :func:`context_rule`).
    """
    low = word.lower()
    for pattern, case in _SURFACE_CASES:
        if pattern.search(low):
            return case
    return ""


def surface_inflections(word: str, verbs: bool) -> frozenset[tuple[str, str, str]]:
    """The fallback's :meth:`Analyser.inflections`: from the word's ending alone."""
    low = word.lower()
    if verbs:
        found = {("", *person) for person, pattern in _PERSON_ENDINGS.items()
                 if pattern.search(low)}
        return frozenset(found | ({("", "infinitive", "")} if _INFINITIVE.search(low) else set()))
    case = surface_case(low)
    return frozenset({("", case, "")}) if case else frozenset()


def acronym_readings(word: str) -> list[Reading]:
    match = _ACRONYM.fullmatch(word)
    if match is None:
        return []
    return [Reading(match.group(1).lower(), "lyhenne", rule="acronym")]


def _spoken_readings(word: str) -> list[Reading]:
    found = SPOKEN_FORMS.get(word.lower())
    if found is None:
        return []
    return [Reading(found[0], found[1], rule="spoken form (table)")]


def check_readings(readings: str) -> None:
    """Raise :class:`TymqualError` unless ``readings`` is ``likely`` or ``all``."""
    if readings not in READING_MODES:
        raise TymqualError(
            f"readings={readings!r}: choose 'likely' (the base form a word usually has: "
            "tilanne finds tilanne only) or 'all' (every reading: tilanne also finds tila "
            "and tilata)."
        )


def plausible(word: str, lemma: str) -> bool:
    """Whether a fallback lemmatiser's base form can belong to ``word`` at all.

    A Finnish inflected form begins with the first letter of its base form; only the
    suppletive comparatives of *hyvä* and *paljon* break that. (*työ* → *sinä* and *teitä* →
    *sinä*, which simplemma's table gives, do not keep it and are refused.)
    """
    return bool(lemma) and (lemma[0] == word[:1].lower() or lemma in _SUPPLETIVE)


def check_compounds(compounds: str) -> None:
    """Raise :class:`TymqualError` unless ``compounds`` is ``off``, ``head`` or ``any``."""
    if compounds not in COMPOUND_MODES:
        raise TymqualError(
            f"compounds={compounds!r}: choose 'off' (whole words), 'head' (also the last "
            "part: johtaja finds verkostojohtaja) or 'any' (any part of a compound)."
        )


# ---------------------------------------------------------------------------- stop words
@functools.cache
@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Finnish function words and spoken fillers, lower-case (``tymqual/data/stopwords_fi.txt``).

    Pronouns, *olla* and *ei*, conjunctions, adpositions, particles and fillers (*no,
    niinku, tota, siis, että, ja, on, ei*). Content words (*asia, aika, hyvä*) are never
    listed, even when they are frequent.
    """
    text = resources.files("tymqual").joinpath("data", "stopwords_fi.txt").read_text("utf-8")
    return frozenset(
        word
        for line in text.splitlines()
        if (word := line.split("#", 1)[0].strip().lower())
    )
