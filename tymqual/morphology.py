"""Finnish base forms, compound parts, sentences and stop words, for search and autocoding.

Finnish inflects and compounds: a reader looking for *johtoryhmä* wants *johtoryhmässä*,
*johtoryhmille* and *johtoryhmiin* too, and *johtaja* should find *verkostojohtaja*. This
module answers "which base forms can this word be?" with the best analyser installed:

1. **Voikko** (``libvoikko`` with the ``voikko-fi`` dictionary; Debian: ``apt-get install
   libvoikko1 voikko-fi``): a full morphological analyser, with compound structure.
2. **simplemma** (pure Python, dictionary lookup with affix rules): good on written forms;
   compound parts come from a heuristic split against words it knows.
3. **NLTK's Snowball** stemmer for Finnish: a rule-based stemmer, no compounds, last resort.

:func:`get_analyser` picks the first that works and warns once when it is not Voikko.
Words an analyser does not know go through three more steps (see :meth:`Analyser.analyse`):
acronyms lose their case ending (``THL:n`` → ``thl``), a hyphenated word is analysed by its
last part (``TE-toimiston`` → ``te-toimisto``), and a *spoken* form may still match a query
term by a bounded prefix rule (:func:`spoken_match`: ``johtoryhmäs`` → ``johtoryhmä``).

This module belongs to the data-model layer: it imports only :mod:`tymqual.errors`, the
standard library and the analysers themselves (each lazily, so a missing one costs nothing).
"""

from __future__ import annotations

import functools
import re
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from tymqual.errors import TymqualError, TymqualWarning

__all__ = [
    "ANALYSERS",
    "COMPOUND_MODES",
    "Analyser",
    "Compounds",
    "SimplemmaAnalyser",
    "SnowballAnalyser",
    "VoikkoAnalyser",
    "WordAnalysis",
    "available_analysers",
    "check_compounds",
    "get_analyser",
    "sentences",
    "spoken_match",
    "stopwords",
]

Compounds = Literal["off", "head", "any"]
#: How a compound word may match a term: ``off`` (whole word only), ``head`` (also its last
#: part: *johtaja* finds *verkostojohtaja*) or ``any`` (any part: *verkosto* finds it too).
COMPOUND_MODES: tuple[str, ...] = ("off", "head", "any")
#: Analyser names in the order :func:`get_analyser` tries them.
ANALYSERS: tuple[str, ...] = ("voikko", "simplemma", "snowball")

_ACRONYM = re.compile(r"([A-ZÅÄÖ][A-ZÅÄÖ0-9]+)(?::[a-zåäöA-ZÅÄÖ]{1,6})?")
_MIN_SPOKEN_TERM = 4  # shorter terms ("eu", "thl") would swallow unrelated unknown words
_LOOSE_PREFIX_FROM = 6  # from this length a term may differ in its last letter
_MAX_LEFTOVER = 3
_MIN_PART = 4  # shortest compound part the fallback heuristic splits off ("kas", "hän": no)
# Voikko word classes: pronouns and conjunctions, then adverbs and adpositions.
_FUNCTION_CLASSES = frozenset({"asemosana", "sidesana"})
_UNINFLECTED_CLASSES = frozenset({"seikkasana", "suhdesana"})
_MINEN_STEM = re.compile(r"(.*m)i(?:nen|s)")
# Enclitic particles (johtoryhmäkin, Kelahan), which simplemma's dictionary does not list.
_CLITIC = re.compile(r"(?:kin|kaan|kään|han|hän|pa|pä|ko|kö)$")


@dataclass(frozen=True)
class WordAnalysis:
    """What an analyser says about one word form.

    ``lemmas``: every base form it can be, lower-case, most likely first. ``parts``: the
    compound parts of the first reading, as base forms (``("verkosto", "johtaja")``; a simple
    word is its own single part). ``heads``: the last part of every reading. ``all_parts``:
    every part of every reading. ``known``: whether the analyser (or the acronym and hyphen
    rules) recognised the word; unknown words may match only by the spoken-form rule.
    """

    word: str
    lemmas: tuple[str, ...]
    parts: tuple[str, ...]
    heads: frozenset[str]
    all_parts: frozenset[str]
    known: bool

    def forms(self, compounds: Compounds) -> frozenset[str]:
        """The base forms a term's base form is compared with under ``compounds``."""
        if compounds == "head":
            return frozenset(self.lemmas) | self.heads
        if compounds == "any":
            return frozenset(self.lemmas) | self.heads | self.all_parts
        return frozenset(self.lemmas)


# A reading: the base form and the compound parts (as base forms), last part = head.
_Reading = tuple[str, tuple[str, ...]]


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
    def _readings(self, word: str) -> list[_Reading]:
        """Readings of ``word``, or ``[]`` when the analyser does not know it."""
        raise NotImplementedError

    # -- public --------------------------------------------------------------------------
    def analyse(self, word: str) -> WordAnalysis:
        """Everything known about ``word`` (cached).

        Order of attempts: the analyser itself; an acronym with or without a case ending
        (``THL:n``, ``EU:ssa`` → ``thl``, ``eu``); a hyphenated word whose last part the
        analyser knows (``TE-toimiston`` → ``te-toimisto``, parts ``te``, ``toimisto``).
        Anything else is unknown; its base form is the analyser's guess (simplemma's affix
        rules) or else the word itself, lower-cased.
        """
        word = word.strip()
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        with self._lock:
            result = self._analyse(word)
        self._cache[word] = result
        return result

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
        """Whether the analyser (or the acronym and hyphen rules) recognises ``word``."""
        return self.analyse(word).known

    def term_lemmas(self, term: str) -> frozenset[str]:
        """The base forms a query term or keyword stands for (``"Kelan"`` → ``{"kela"}``)."""
        return frozenset(self.analyse(term).lemmas)

    def matches(self, word: str, term: str, *, compounds: Compounds = "off") -> bool:
        """Whether ``word`` in a text is an occurrence of the query ``term``.

        True when a base form of ``word`` (or, with ``compounds``, of its head or any
        part) equals a base form of ``term``; or, for a word the analyser does not know,
        when it is a spoken form of the term by :func:`spoken_match`.
        """
        check_compounds(compounds)
        return self.match_lemmas(word, self.term_lemmas(term), compounds=compounds)

    def match_lemmas(
        self, word: str, lemmas: Iterable[str], *, compounds: Compounds = "off"
    ) -> bool:
        """Like :meth:`matches`, with the term already reduced to its base forms."""
        return self.match_analysis(self.analyse(word), frozenset(lemmas), compounds)

    def match_analysis(
        self, analysis: WordAnalysis, lemmas: frozenset[str], compounds: Compounds
    ) -> bool:
        """The rule of :meth:`matches`, for an analysis already made (used by indexes)."""
        if analysis.forms(compounds) & lemmas:
            return True
        return not analysis.known and any(spoken_match(analysis.word, m) for m in lemmas)

    # -- the shared pipeline -------------------------------------------------------------
    def _analyse(self, word: str) -> WordAnalysis:
        readings = self._readings(word) if word else []
        known = bool(readings)
        if not readings:
            readings = _acronym_readings(word) or self._hyphen_readings(word)
            known = bool(readings)
        if not readings:
            readings = self._guess(word) or [(word.lower(), (word.lower(),))]
        lemmas = tuple(dict.fromkeys(lemma for lemma, _ in readings))
        return WordAnalysis(
            word=word,
            lemmas=lemmas,
            parts=readings[0][1],
            heads=frozenset(parts[-1] for _, parts in readings),
            all_parts=frozenset(p for _, parts in readings for p in parts),
            known=known,
        )

    def _guess(self, word: str) -> list[_Reading]:
        """Readings for a word the analyser does not know, if it can guess; else ``[]``."""
        return []

    def _hyphen_readings(self, word: str) -> list[_Reading]:
        prefix, dash, last = word.rpartition("-")
        if not dash or not prefix or not last:
            return []
        tail = self._readings(last)
        if not tail:
            return []
        first = tuple(p.lower() for p in prefix.split("-") if p)
        return [(f"{prefix.lower()}-{lemma}", (*first, *parts)) for lemma, parts in tail]


def _acronym_readings(word: str) -> list[_Reading]:
    match = _ACRONYM.fullmatch(word)
    if match is None:
        return []
    acronym = match.group(1).lower()
    return [(acronym, (acronym,))]


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


# ---------------------------------------------------------------------------- Voikko
class VoikkoAnalyser(Analyser):
    """Voikko's morphological analysis: base forms from ``BASEFORM``, compound parts from
    ``STRUCTURE`` (``=`` opens a part of the surface form), each part reduced to its own
    base form (``yhdenvertaisuus`` → ``yksi``, ``vertaisuus``).

    Raises :class:`TymqualError` when the library or its Finnish dictionary is missing.
    """

    name = "voikko"

    def __init__(self) -> None:
        super().__init__()
        self._part_lemmas: dict[str, str] = {}
        try:
            import libvoikko
        except (ImportError, OSError) as exc:
            raise TymqualError(
                f"Voikko is not usable here ({exc}); install the library and dictionary "
                "(Debian/Ubuntu: apt-get install libvoikko1 voikko-fi) and the Python "
                "wrapper (pip install libvoikko)."
            ) from exc
        try:
            self._voikko: Any = libvoikko.Voikko("fi")
        except (OSError, libvoikko.VoikkoException) as exc:
            raise TymqualError(
                f"Voikko cannot start with a Finnish dictionary ({exc}); install libvoikko1 "
                "and voikko-fi (apt-get install libvoikko1 voikko-fi)."
            ) from exc

    def _raw(self, word: str) -> list[dict[str, str]]:
        return list(self._voikko.analyze(word))

    def _readings(self, word: str) -> list[_Reading]:
        ranked: list[tuple[tuple[bool, bool], _Reading]] = []
        for analysis in self._raw(word):
            lemma = str(analysis.get("BASEFORM", "")).lower()
            structure = str(analysis.get("STRUCTURE", ""))
            if not lemma:
                continue
            capital = _wants_capital(word, structure)
            noun = _minen_noun(word, analysis)
            if noun:
                ranked.append(((capital, False), (noun, self._parts(word, noun, structure))))
            ranked.append(((capital, not _function_reading(word, lemma, analysis)),
                           (lemma, self._parts(word, lemma, structure))))
        # Most likely first, for counting by base form: a proper-name reading of a lower-case
        # word ("ainoa" as "Aino") last; a pronoun, conjunction or uninflected adverb before
        # a homonym ("silloin" before "silta", "eli" before "elää"); and the -minen noun
        # before its verb (Voikko calls "johtaminen" a form of "johtaa").
        ranked.sort(key=lambda item: item[0])
        return [reading for _, reading in ranked]

    def word_classes(self, word: str) -> frozenset[str]:
        """Voikko's word classes of ``word`` (``nimisana``, ``sukunimi``, ...); empty if unknown."""
        with self._lock:
            raw = self._raw(word.strip())
        return frozenset(str(a.get("CLASS", "")) for a in raw if a.get("CLASS"))

    def term_lemmas(self, term: str) -> frozenset[str]:
        """The base forms a query term stands for; a -minen noun stands for itself only.

        A text's *johtamisesta* matches both *johtaminen* and *johtaa*, but the query
        *johtaminen* does not find every *johti* and *johdetaan*.
        """
        lemmas = super().term_lemmas(term)
        with self._lock:
            raw = self._raw(term.strip())
        verbs = {str(a.get("BASEFORM", "")).lower() for a in raw if _minen_noun(term.strip(), a)}
        return lemmas - verbs if lemmas - verbs else lemmas

    def _parts(self, word: str, lemma: str, structure: str) -> tuple[str, ...]:
        pieces = _structure_pieces(word, structure)
        if len(pieces) < 2:
            return (lemma,)
        leading = "".join(pieces[:-1]).lower()
        if not lemma.startswith(leading):
            return (lemma,)
        last = lemma[len(leading) :].strip("-")
        firsts = [self._part_lemma(p.strip("-").lower()) for p in pieces[:-1]]
        parts = tuple(p for p in (*firsts, last) if p)
        return parts if len(parts) >= 2 else (lemma,)

    def _part_lemma(self, piece: str) -> str:
        # A first part is usually a nominative (johto-) but may be a genitive (yhden-).
        if piece not in self._part_lemmas:
            found = [str(a.get("BASEFORM", "")).lower() for a in self._raw(piece)]
            self._part_lemmas[piece] = piece if not found or piece in found else found[0]
        return self._part_lemmas[piece]


def _minen_noun(word: str, analysis: dict[str, str]) -> str:
    """The -minen noun of a Voikko "MINEN-infinitive" reading (johtamisessa → johtaminen)."""
    if analysis.get("MOOD") != "MINEN-infinitive":
        return ""
    match = _MINEN_STEM.match(word.lower())
    return match.group(1) + "inen" if match else ""


def _function_reading(word: str, lemma: str, analysis: dict[str, str]) -> bool:
    kind = analysis.get("CLASS", "")
    return kind in _FUNCTION_CLASSES or (kind in _UNINFLECTED_CLASSES and lemma == word.lower())


def _wants_capital(word: str, structure: str) -> bool:
    """Whether Voikko's ``STRUCTURE`` asks for a capital (``i``) where ``word`` has none."""
    marks = structure.replace("=", "")
    return len(marks) == len(word) and any(
        mark == "i" and ch.islower() for mark, ch in zip(marks, word, strict=True)
    )


def _structure_pieces(word: str, structure: str) -> list[str]:
    """The surface form cut where Voikko's ``STRUCTURE`` opens a new part (``=``)."""
    if len(structure.replace("=", "")) != len(word):
        return [word]
    pieces: list[str] = []
    at = 0
    for mark in structure:
        if mark == "=":
            pieces.append("")
            continue
        if not pieces:
            pieces.append("")
        pieces[-1] += word[at]
        at += 1
    return [p for p in pieces if p.strip("-")]


# ---------------------------------------------------------------------------- simplemma
class SimplemmaAnalyser(Analyser):
    """simplemma's dictionary lemmatiser; compounds by a heuristic split.

    A word is *known* when simplemma lists it (after an enclitic such as *-kin* or *-hän*
    is removed) or when it splits into a listed base form and a listed word
    (``hyvinvointi`` + ``alueella`` → ``hyvinvointialue``). Other words keep simplemma's
    affix-rule guess as their base form but stay unknown, so the spoken-form rule still
    applies to them. Compound parts: the base form is split where both sides are base
    forms simplemma lists (each at least 4 letters), taking the longest such head, then
    splitting the rest the same way.
    """

    name = "simplemma"

    def __init__(self) -> None:
        super().__init__()
        try:
            import simplemma
        except ImportError as exc:
            raise TymqualError(
                f"simplemma is not installed ({exc}); pip install simplemma."
            ) from exc
        self._simplemma: Any = simplemma
        self._splits: dict[str, tuple[str, ...]] = {}

    def _known(self, word: str) -> bool:
        return bool(self._simplemma.is_known(word, lang="fi"))

    def _lemma(self, word: str) -> str:
        return str(self._simplemma.lemmatize(word, lang="fi")).lower()

    def _known_lemma(self, word: str) -> str:
        lemma = self._lemma(word)
        singular = lemma[:-1]
        # simplemma lists many plural nominatives as their own base form (resurssit).
        if lemma.endswith("t") and len(singular) >= _MIN_PART and self._base(singular):
            return singular
        return lemma

    def _readings(self, word: str) -> list[_Reading]:
        if self._known(word):
            lemma = self._known_lemma(word)
            return [(lemma, self._split(lemma))]
        # simplemma's own guess for unknown compounds sometimes keeps the wrong part
        # (hyvinvointialue -> hyvinvointi), so a split into known words comes first.
        bare = _CLITIC.sub("", word)
        if bare != word and len(bare) >= _MIN_PART:
            readings = self._readings(bare)
            if readings:
                return readings
        split = self._split_inflected(word.lower())
        return [("".join(split), split)] if split else []

    def _guess(self, word: str) -> list[_Reading]:
        # simplemma's affix rules guess a form for any word; a guess is not knowledge, so
        # the word stays unknown and the spoken-form rule still applies to it.
        lemma = self._lemma(word)
        return [(lemma, self._split(lemma))] if lemma != word.lower() else []

    def _base(self, word: str) -> bool:
        """Whether simplemma lists ``word`` as a base form of its own (not "toim." or "Isto")."""
        return self._known(word) and str(self._simplemma.lemmatize(word, lang="fi")) == word

    def _split_inflected(self, word: str) -> tuple[str, ...]:
        """``prefix + inflected last word`` → parts with the last word's base form, or ()."""
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            rest, last = word[:cut], word[cut:]
            if self._base(rest) and self._known(last) and self._base(self._known_lemma(last)):
                return (*self._split(rest), self._known_lemma(last))
        return ()

    def _split(self, lemma: str) -> tuple[str, ...]:
        if lemma not in self._splits:
            parts: tuple[str, ...] = (lemma,)
            for cut in range(_MIN_PART, len(lemma) - _MIN_PART + 1):
                head, rest = lemma[cut:], lemma[:cut]
                if self._base(head) and self._base(rest):
                    parts = (*self._split(rest), head)
                    break
            self._splits[lemma] = parts
        return self._splits[lemma]


# ---------------------------------------------------------------------------- Snowball
class SnowballAnalyser(Analyser):
    """NLTK's Snowball stemmer for Finnish: a word's "base form" is its stem.

    A stemmer knows no words, so every word counts as unknown and the spoken-form rule
    (:func:`spoken_match`) applies to every stem; compounds are not analysed.
    """

    name = "snowball"

    def __init__(self) -> None:
        super().__init__()
        from nltk.stem.snowball import SnowballStemmer

        self._stemmer = SnowballStemmer("finnish")

    def _readings(self, word: str) -> list[_Reading]:
        return []

    def _analyse(self, word: str) -> WordAnalysis:
        acronym = _acronym_readings(word) if ":" in word else []
        stem = acronym[0][0] if acronym else str(self._stemmer.stem(word.lower()))
        return WordAnalysis(word, (stem,), (stem,), frozenset({stem}), frozenset({stem}),
                            known=bool(acronym))

    def term_lemmas(self, term: str) -> frozenset[str]:
        """The stem of ``term`` (and the term itself, for clipped spoken forms)."""
        return frozenset({*self.analyse(term).lemmas, term.strip().lower()})

    def match_analysis(
        self, analysis: WordAnalysis, lemmas: frozenset[str], compounds: Compounds
    ) -> bool:
        """Equal stems, or a spoken form of the term's stem or of the term itself."""
        if set(analysis.lemmas) & lemmas:
            return True
        candidates = {analysis.lemmas[0], analysis.word.lower()}
        return not analysis.known and any(
            spoken_match(form, lemma) for form in candidates for lemma in lemmas
        )


# ---------------------------------------------------------------------------- choosing
_BUILDERS: dict[str, type[Analyser]] = {
    "voikko": VoikkoAnalyser,
    "simplemma": SimplemmaAnalyser,
    "snowball": SnowballAnalyser,
}
_INSTANCES: dict[str, Analyser] = {}
_FAILURES: dict[str, str] = {}
_WARNED: set[str] = set()
_CHOOSING = threading.Lock()


def _build(name: str) -> Analyser | None:
    if name in _INSTANCES:
        return _INSTANCES[name]
    if name in _FAILURES:
        return None
    try:
        analyser = _BUILDERS[name]()
    except TymqualError as exc:
        _FAILURES[name] = str(exc)
        return None
    _INSTANCES[name] = analyser
    return analyser


def available_analysers() -> tuple[str, ...]:
    """Names of the analysers that work on this machine, best first."""
    with _CHOOSING:
        return tuple(name for name in ANALYSERS if _build(name) is not None)


def get_analyser(prefer: str | None = None) -> Analyser:
    """The analyser to use: one shared instance per kind, so its cache is shared too.

    With ``prefer`` (``"voikko"``, ``"simplemma"`` or ``"snowball"``) that one or a
    :class:`TymqualError` saying how to install it. Without, the best that works; when that
    is not Voikko, a :class:`TymqualWarning` says once per process which one is used and how
    to get Voikko, because matches then miss more inflected forms.
    """
    if prefer is not None and prefer not in _BUILDERS:
        raise TymqualError(
            f"get_analyser(prefer={prefer!r}): choose one of {', '.join(ANALYSERS)}, or None "
            "for the best installed."
        )
    with _CHOOSING:
        if prefer is not None:
            chosen = _build(prefer)
            if chosen is None:
                raise TymqualError(f"Analyser {prefer!r} is not available: {_FAILURES[prefer]}")
            return chosen
        for name in ANALYSERS:
            chosen = _build(name)
            if chosen is not None:
                break
        else:  # pragma: no cover - nltk is a hard dependency
            raise TymqualError("No Finnish analyser works here; pip install simplemma.")
        if chosen.name != "voikko" and chosen.name not in _WARNED:
            _WARNED.add(chosen.name)
            warnings.warn(
                f"Finnish words are matched with {chosen.name}, not Voikko "
                f"({_FAILURES.get('voikko', 'unavailable')}). Inflected and compound forms "
                "will be missed more often.",
                TymqualWarning,
                stacklevel=2,
            )
        return chosen


def check_compounds(compounds: str) -> None:
    """Raise :class:`TymqualError` unless ``compounds`` is ``off``, ``head`` or ``any``."""
    if compounds not in COMPOUND_MODES:
        raise TymqualError(
            f"compounds={compounds!r}: choose 'off' (whole words), 'head' (also the last "
            "part: johtaja finds verkostojohtaja) or 'any' (any part of a compound)."
        )


# ---------------------------------------------------------------------------- sentences
_ABBREVIATIONS = frozenset(
    "esim ns mm jne yms ym tms ks vrt ts n s t klo milj mrd tri prof os puh nk kts".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"”(\[–-]?[A-ZÅÄÖ0-9])")


def sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, shifted by ``start``.

    For the text of one speaker turn: pass the turn's text and its ``start`` to get source
    offsets. A line break always ends a sentence (transcribers start a new line for a new
    utterance or paragraph); within a line, sentencex's Finnish rules decide (abbreviations
    such as *esim.* and dates such as *3.10.* do not end a sentence), or, without sentencex,
    a full stop (not after a common abbreviation), ? ! or … followed by a capital letter
    or a digit. Spans exclude surrounding
    white space; text that is all white space has no sentences.
    """
    spans: list[tuple[int, int]] = []
    at = 0
    for line in text.split("\n"):
        for a, b in _line_sentences(line):
            chunk = line[a:b]
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk.rstrip())
            if trail > lead:
                spans.append((start + at + a + lead, start + at + a + trail))
        at += len(line) + 1
    return spans


def _line_sentences(line: str) -> list[tuple[int, int]]:
    if not line.strip():
        return []
    pieces = _sentencex_pieces(line)
    if pieces is None:
        cuts = [m.end() for m in _SENTENCE_END.finditer(line) if not _abbreviation(line, m)]
        return list(zip([0, *cuts], [*cuts, len(line)], strict=True))
    spans = []
    at = 0
    for piece in pieces:
        found = line.find(piece, at) if piece else -1
        if found < 0:
            continue  # sentencex changed the text; the regex spans are safer than guessing
        spans.append((found, found + len(piece)))
        at = found + len(piece)
    if not spans:
        return [(0, len(line))]
    # Anything sentencex dropped between pieces stays with the sentence before it.
    bounds = [0] + [s for s, _ in spans[1:]] + [len(line)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _abbreviation(line: str, end: re.Match[str]) -> bool:
    """Whether the full stop before ``end`` closes an abbreviation (*esim.*), not a sentence."""
    before = re.search(r"(\w+)\.[\"”’)\]]*$", line[: end.start()])
    return before is not None and before.group(1).lower() in _ABBREVIATIONS


def _sentencex_pieces(line: str) -> list[str] | None:
    try:
        from sentencex import segment
    except ImportError:
        return None
    return [str(piece) for piece in segment("fi", line)]


# ---------------------------------------------------------------------------- stop words
@functools.cache
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
