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
Words an analyser does not know go through more steps (see :meth:`Analyser.analyse`): the
spoken-form table (:data:`SPOKEN_FORMS`) and dropped last sounds (*tehny* → *tehnyt*),
acronyms lose their case ending (``THL:n`` → ``thl``), hyphen chains are read word by word,
a hyphenated word is analysed by its last part (``TE-toimiston`` → ``te-toimisto``), and a
*spoken* form may still match a query term by a bounded prefix rule (:func:`spoken_match`:
``johtoryhmäs`` → ``johtoryhmä``).

**Matching** (issue 17): a query is the base form typed (:meth:`Analyser.query`); a word in
a text counts by the reading it usually has (Voikko's readings ranked by ``_rank``, with
simplemma's corpus-built dictionary as the measure of what is usual; ``readings="all"``
widens both sides); participles are forms of their verb, as in Universal Dependencies;
compound heads come from the likely reading's real compound boundaries; and
:meth:`WordAnalysis.why` says in one line why a form matched. How well this does against
hand-annotated lemmas is measured by ``benchmarks/search_eval.py``.

**Context** (issue 17, fourth round): Finnish marks how neighbouring words relate in their
endings, so the word before a homograph often decides it. :func:`context_rule` reads a word
after the word before it: after a negation verb, a verb (*en halua*); after an attribute
that agrees with it in case and number, the noun (*tänä aikana*, *siihen aikaan*, *tässä
suhteessa*: *aika*, *suhde*, not the adpositions UD lemmatises as themselves); after a
cardinal numeral, a partitive noun (*kaksi tapaa*); after a subject pronoun or a nominative
noun, the finite verb that agrees with it in person and number (*minä tulen*: *tulla*, not
*tuli*; *hän osaa*: *osata*). A pronoun, conjunction, adposition, adverb, numeral or name
is never moved aside. Cases come from Voikko's analyses, or in the fallback from the word's
ending (:func:`surface_case`), where simplemma's one base form is given the readings the
rules choose between (:meth:`SimplemmaAnalyser._homographs`). The search index applies the
rules once per pair of neighbouring forms and marks what it read so in ``why``.

**Fifth round** (issue 17, steered by half A of the held-out administrative and legal gold,
checked on half B and on FTB; each names itself in ``why``):

- *Suspended first parts* (:func:`suspended`): a word right before a hyphen and a space
  (*työ-* in *työ- ja elinkeinoministeriö*) is the first part of a compound whose head a
  later word carries, no occurrence of itself; found with ``compounds="any"`` only.
- *Instructive adverbs* (``_instructive_adverb``; the fallback by the ending,
  ``_instructive_plural``): a simple noun's instructive plural whose every reading is one
  (*osin*, *tavoin*) is the adverb it has become, as UD lemmatises it.
- *Possessive lexicalised forms*: a lexicalised case form keeps its own reading under a
  possessive suffix Voikko names (*osaltaan* → *osalta*).
- *Fallback compounds* (:meth:`SimplemmaAnalyser._long_first_part`): a first part may be a
  compound itself (*sosiaalihuolto*+laki), a one-syllable long-vowel word before an
  inflected head (*maa*+tiedon), a loan adjective's stem (*sosiaali*-nen), and for listed
  base forms a listed form of another word (*toimi*+kunta, *opinto*+tuki); a head is split
  in turn (*koko*+*aika*+*työ*).

This module belongs to the data-model layer: it imports only :mod:`tymqual.errors`, the
standard library and the analysers themselves (each lazily, so a missing one costs nothing).
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable
from typing import Any

from tymqual.context_rules import (
    CONTEXT_RULES,
    NEGATION,
    SUSPENDED,
    connegative,
    context_rule,
    may_read_in_context,
    may_set_context,
    read_in_context,
    suspended,
)
from tymqual.errors import TymqualError, TymqualWarning
from tymqual.lexicon import MIN_PART, keep_dictionary_index, listed_lemma, usual_lemma
from tymqual.spoken import SPOKEN_FORMS, VOWELS, spoken_match, spoken_variants
from tymqual.wordforms import (
    COMPOUND_MODES,
    FUNCTION_CLASSES,
    INSTRUCTIVE,
    LEXICALISED,
    MA_ABESSIVE,
    READING_MODES,
    UNINFLECTED_CLASSES,
    Analyser,
    Compounds,
    Query,
    Reading,
    Readings,
    WordAnalysis,
    acronym_readings,
    check_compounds,
    check_readings,
    plausible,
    stopwords,
    surface_case,
)

__all__ = [
    "ANALYSERS",
    "COMPOUND_MODES",
    "NEGATION",
    "READING_MODES",
    "SPOKEN_FORMS",
    "Analyser",
    "Compounds",
    "Query",
    "Reading",
    "Readings",
    "SimplemmaAnalyser",
    "SnowballAnalyser",
    "VoikkoAnalyser",
    "WordAnalysis",
    "available_analysers",
    "check_compounds",
    "check_readings",
    "CONTEXT_RULES",
    "connegative",
    "context_rule",
    "get_analyser",
    "may_read_in_context",
    "may_set_context",
    "read_in_context",
    "suspended",
    "SUSPENDED",
    "surface_case",
    "ABBREVIATIONS",
    "sentence_spans",
    "keep_dictionary_index",
    "sentences",
    "spoken_match",
    "spoken_variants",
    "stopwords",
]

#: Analyser names in the order :func:`get_analyser` tries them.
ANALYSERS: tuple[str, ...] = ("voikko", "simplemma", "snowball")

_MIN_SHORT_PART = 3  # shortest head (maa, työ, pää) or bound first part (esi, yli)
_MIN_LONG_FIRST = 5  # shortest first part that may be any form simplemma lists (toimi-)
#: First parts that occur only in compounds (Iso suomen kielioppi § 409, *sidonnaiset
#: alkuosat*), which simplemma lists as no word of their own.
_BOUND_FIRST = frozenset({
    "ulko", "sisä", "pikku", "nyky", "suur", "esi", "yli", "ali", "lähi", "keski", "etu",
    "taka", "kanta", "perus", "vasta", "koko", "eri", "yhteis", "kauko",
})
_MINEN_STEM = re.compile(r"(.*m)i(?:nen|s)")
# Enclitic particles (johtoryhmäkin, Kelahan), which simplemma's dictionary does not list.
_CLITIC = re.compile(r"(?:kin|kaan|kään|han|hän|pa|pä|ko|kö)$")


# How many letters of a case ending to take off for the stem (:meth:`_case_noun`).
_CASE_STEM: dict[str, Callable[[str], int]] = {
    **dict.fromkeys(("sisaolento", "sisaeronto", "ulkoolento", "ulkoeronto", "ulkotulento",
                     "vajanto", "tulento"), lambda w: 3),
    "olento": lambda w: 2, "omanto": lambda w: 1,
    "osanto": lambda w: 2 if w[-2:-1] == "t" else 1,
    "sisatulento": lambda w: 4 if w.endswith(("seen", "siin")) else (
        3 if w[-3:-2] == "h" else 2),
}


# ---------------------------------------------------------------------------- Voikko
class VoikkoAnalyser(Analyser):
    """Voikko's morphological analysis: base forms from ``BASEFORM``, compound parts from
    the compound boundaries of ``FSTOUTPUT`` (``[Bc]``), each part reduced to its own base
    form (``sosiaalilainsäädännön`` → ``sosiaali``, ``laki``, ``säädäntö``); a participle
    read as a form of its verb (``PARTICIPLE``: *päätetty* → *päättää*), a *-minen*
    infinitive as its noun (*johtamisesta* → *johtaminen*, derived from *johtaa*).

    Raises :class:`TymqualError` when the library or its Finnish dictionary is missing.
    """

    name = "voikko"

    def __init__(self) -> None:
        super().__init__()
        self._inflections: dict[tuple[str, bool], frozenset[tuple[str, str, str]]] = {}
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

    def _readings(self, word: str) -> list[Reading]:
        raw = self._raw(word)
        found = [r for r in (self._reading(word, a) for a in raw) if r is not None]
        if not found:
            return []
        usual = usual_lemma(word)
        ranked = [r for _, r in sorted(enumerate(found),
                                       key=lambda item: _rank(word, item[1], usual, item[0]))]
        if any(a.get("SIJAMUOTO") == "nimento" for a in raw):
            return ranked  # a nominative (resurssit) is no lexicalised case form
        possessive = any(a.get("POSSESSIVE") for a in raw)
        return (_lexicalised(word, usual, ranked, possessive)
                or _instructive_adverb(word, raw)) + ranked

    def _reading(self, word: str, analysis: dict[str, str]) -> Reading | None:
        base = str(analysis.get("BASEFORM", "")).lower()
        if not base:
            return None
        kind = str(analysis.get("CLASS", ""))
        chunks = str(analysis.get("FSTOUTPUT", "")).split("[Bc]")
        noun = _minen_noun(word, analysis)
        if noun:
            return Reading(noun, "nimisana", self._parts(noun, chunks), derived=(base,),
                           rule="-minen noun")
        parts = self._parts(base, chunks)
        verb = _participle_verb(chunks[-1]) if _verbal_participle(analysis) else ""
        if verb and len(parts) == 1 and verb != base:
            return Reading(verb, "teonsana", (verb,), also=(base,),
                           rule=f"participle {base}")
        derived = _deverbal(chunks[-1], kind) if len(parts) == 1 else ()
        if analysis.get("MOOD") == "MA-infinitive" and analysis.get("SIJAMUOTO") == "vajanto":
            return Reading(base, kind, parts, rule=MA_ABESSIVE)
        capital = " proper name" if _wants_capital(word, str(analysis.get("STRUCTURE", ""))) else ""
        return Reading(base, kind, parts, derived=derived, rule=f"{kind}{capital}")

    def inflections(self, word: str, verbs: bool = False) -> frozenset[tuple[str, str, str]]:
        """Voikko's cases (or persons) and numbers of ``word`` (:meth:`Analyser.inflections`)."""
        key = (word, verbs)
        found = self._inflections.get(key)
        if found is None:
            with self._lock:
                raw = self._raw(word.strip())
            found = self._inflections[key] = frozenset(
                _voikko_inflection(a, verbs) for a in raw if _inflected(a, verbs))
        return found

    def word_classes(self, word: str) -> frozenset[str]:
        """Voikko's word classes of ``word`` (``nimisana``, ``sukunimi``, ...); empty if unknown."""
        with self._lock:
            raw = self._raw(word.strip())
        return frozenset(str(a.get("CLASS", "")) for a in raw if a.get("CLASS"))

    def _parts(self, lemma: str, chunks: list[str]) -> tuple[str, ...]:
        """Compound parts at Voikko's compound boundaries (``[Bc]`` in ``FSTOUTPUT``).

        Derivational and other morpheme boundaries (``samanlainen``, ``hyvinvointi``) do not
        split a word. The head is the base form minus the surface of the parts before it
        (*sosiaalilainsäädäntö* → *säädäntö*); earlier parts are Voikko's base form of the
        part (``lain`` → *laki*), or the part as written when it is itself derived (*johto*).
        """
        if len(chunks) < 2:
            return (lemma,)
        leading = "".join(_fst_surface(c) for c in chunks[:-1]).lower()
        if not lemma.startswith(leading) or len(lemma) <= len(leading):
            return (lemma,)
        firsts = [_fst_part(c) for c in chunks[:-1]]
        parts = tuple(p for p in (*firsts, lemma[len(leading):].strip("-")) if p)
        return parts if len(parts) >= 2 else (lemma,)


def _inflected(analysis: dict[str, str], verbs: bool) -> bool:
    """Whether a Voikko analysis is a case form, or with ``verbs`` a finite verb form or a
    first infinitive."""
    if not verbs:
        return bool(analysis.get("SIJAMUOTO"))
    return analysis.get("CLASS") == "teonsana" and bool(
        analysis.get("PERSON") or analysis.get("MOOD") == "A-infinitive")


def _voikko_inflection(analysis: dict[str, str], verbs: bool) -> tuple[str, str, str]:
    """One Voikko analysis as :meth:`Analyser.inflections` gives it."""
    number = str(analysis.get("NUMBER", ""))
    if not verbs:
        return (str(analysis.get("CLASS", "")), str(analysis["SIJAMUOTO"]), number)
    if analysis.get("MOOD") == "A-infinitive":
        return ("teonsana", "infinitive", "")
    return ("teonsana", str(analysis["PERSON"]), number)


_FST_TAG = re.compile(r"\[[^\]]*\]")
_VERB_ROOT = re.compile(r"(?:\[B[a-z]\])*\[Lt\]")
_FST_BASE = re.compile(r"\[X[a-z]+\]([^\[]*)\[X\]")


def _verbal_participle(analysis: dict[str, str]) -> bool:
    """Whether a Voikko reading is a participle used as a form of its verb (UD's convention).

    Rules (Iso suomen kielioppi §§ 522, 1727): a participle compared (*menevimpiä*) or made
    an adverb with *-sti* (*tietysti*, *antavasti*) has become an adjective or adverb of its
    own, not a verb form; an adjective in *-va/-vä* derived from a verb (Voikko's ``[Ll]v``)
    carrying a possessive suffix is the present participle of a participial clause
    (*toivoisin saavani*: "I hope to get"), so a verb form even where Voikko names no
    ``PARTICIPLE``.
    """
    if analysis.get("SIJAMUOTO") == "kerrontosti" or analysis.get("COMPARISON") in (
            "comparative", "superlative"):
        return False
    if analysis.get("PARTICIPLE"):
        return True
    fst = str(analysis.get("FSTOUTPUT", ""))
    return bool(analysis.get("POSSESSIVE")) and _REFERATIVE.match(fst) is not None


_REFERATIVE = re.compile(r"\[Lt\]\[Xp\][^\[]+\[X\][^\[]*\[Ll\](?:\[R[a-z]\])?v\[Xj\]")


def _fst_surface(chunk: str) -> str:
    """The letters a piece of Voikko's ``FSTOUTPUT`` writes (bases and tags removed)."""
    return _FST_TAG.sub("", _FST_BASE.sub("", chunk))


def _fst_base(chunk: str) -> str:
    """The first lexical base form (``[Xp]...[X]``) in a piece of ``FSTOUTPUT``."""
    found = re.search(r"\[Xp\]([^\[]*)\[X\]", chunk)
    return found.group(1).lower() if found else ""


def _participle_verb(chunk: str) -> str:
    """The verb a Voikko participle is a form of: the verb derived from a root where
    ``FSTOUTPUT`` shows one before the participle suffix (``[Xp]kantaa[X]kannat[Xj]taa``
    → *kannattaa*, as in *kannattava*; *kohdistunut* → *kohdistua*, *perusteltu* →
    *perustella*), else the root (*päätetty* → *päättää*)."""
    derived = _DERIVED_VERB.search(chunk)
    if derived:
        return (derived.group(1) + derived.group(2)).lower()
    return _fst_base(chunk)


_DERIVED_VERB = re.compile(r"\[Xp\][^\[]*\[X\]([^\[]+)\[Xj\]([^\[]+)\[X\][^\[]*\[Ll\]")


def _fst_part(chunk: str) -> str:
    # A derived first part (johto- of johtaa) is its own word, not its root's.
    base = _fst_base(chunk)
    if not base or "[Xj]" in chunk or "=" in base:
        return _fst_surface(chunk).strip("-").lower()
    return base


def _deverbal(chunk: str, kind: str) -> tuple[str, ...]:
    """The verb a noun or adjective is derived from (*johtaja* → *johtaa*), if Voikko says."""
    if kind == "teonsana" or not _VERB_ROOT.match(chunk) or "[Xj]" not in chunk:
        return ()
    base = _fst_base(chunk)
    return (base,) if base else ()




def _lexicalised(word: str, usual: str, readings: list[Reading],
                 possessive: bool = False) -> list[Reading]:
    """A reading of ``word`` as a base form of its own, when it is a lexicalised word.

    Rule: simplemma's corpus-built dictionary lists the form as its own base form while
    Voikko reads it only as a form of other words, none of them a participle or a
    nominative (simplemma lists some plurals, *resurssit*, as base forms). Such forms are
    adverbs and adpositions that grew out of case forms (*esimerkiksi*, *varmasti*,
    *aikana*, *mielestä*, *lailla*), which Universal Dependencies lemmatises as themselves
    (*tarpeeksi* is no form of *tarve*). The other readings stay, after it. With a
    possessive suffix Voikko names (``possessive``), the form without it is looked up
    (*osaltaan*, *mielestäni* → *osalta*, *mielestä*, as simplemma reads them).
    """
    lowered = word.lower()
    if any(lowered == r.lemma or r.also for r in readings):
        return []
    if usual == lowered:
        return [Reading(lowered, "seikkasana", rule=LEXICALISED)]
    if possessive and usual in _without_possessive(lowered) and listed_lemma(usual) == usual:
        # osaltaan, mielestäni: a lexicalised case form with a possessive suffix (which
        # Voikko names: pitkään, sairaan, mustiin only look like one)
        return [Reading(usual, "seikkasana", rule=f"{LEXICALISED} with a possessive suffix")]
    return []


def _instructive_adverb(word: str, raw: list[dict[str, str]]) -> list[Reading]:
    """A noun's instructive plural read as the adverb it has become (*osin*, *pääosin*,
    *käsin*, *tavoin*), when every reading of the form is an instructive plural of a simple
    word: Finnish uses the instructive only in fixed expressions (VISK § 1242), and
    Universal Dependencies lemmatises such forms as adverbs; a compound's instructive
    (*väkivalloin*, *ääriviivoin*) is made in the running text and stays a noun."""
    if not any(a.get("CLASS") == "nimisana" for a in raw) or not all(
            a.get("SIJAMUOTO") == "keinonto" and a.get("NUMBER") == "plural"
            and "[Bc]" not in a.get("FSTOUTPUT", "") for a in raw):
        return []  # sanoin is also "I said", vuosin "I leaked", lain laki's genitive
    return [Reading(word.lower(), "seikkasana", rule=INSTRUCTIVE)]


def _instructive_plural(word: str, lemma: str, parts: tuple[str, ...]) -> bool:
    """The fallback's :func:`_instructive_adverb`, by the ending: ``word`` is the
    instructive plural of the noun ``lemma`` (*osa* → *osin*, *talo* → *taloin*), not a
    verb's past (*sanoa* → *sanoin*) nor an *i*-stem's genitive (*laki* → *lain*)."""
    if len(parts) > 1:
        return False
    if lemma[-1:] in ("a", "ä"):
        return word == lemma[:-1] + "in" and not _infinitive_shaped(lemma)
    return lemma[-1:] in ("o", "u", "y", "ö") and word == lemma + "in"


def _rank(word: str, reading: Reading, usual: str, order: int) -> tuple[int, ...]:
    """Sort key: the reading a form usually has comes first. Documented rule, in order:

    1. a proper-name reading that needs a capital the word lacks (*ainoa* as *Aino*) last,
       and so the elative plural of an agent participle or a *-ma* noun (*tulemista* as
       *tulema*, *puhkeamista* as *puhkeama*), which is rare beside the partitive of the
       *-minen* noun it is written like (VISK § 1526);
       the abessive of the MA-infinitive (*sanomatta*, *tietämättä*) first, before the
       abessive of a noun in *-ma* (*sanoma*), which is rare (VISK § 1527);
    2. a pronoun, conjunction or uninflected adverb before a homonym (*silloin* before
       *silta*, *eli* before *elää*, *niitä* before *niittää*);
    3. the base form simplemma gives for the whole form, when it is one of Voikko's:
       simplemma's dictionary was built from lemmatised corpora, so it holds the base form
       a form usually has (*tilanne* before *tila*; *toimi* as *toimia*; *toimivalta* the
       noun, not the participle of *toimia*);
    4. fewer compound parts first: a word the dictionary lists whole beats an accidental
       split (*pikaruokalasta*: *pikaruokala*, not *pika+ruoka+lapsi*; *tunnetuin*:
       *tunnettu*, not *tunne+tuki*);
    5. simplemma's base form as a participle's adjective form, or for a compound it does
       not list, the base form it gives for the longest ending it lists, as the head
       (*yhteistoimintamallista*: *mallista* → *malli*, not *mallinen*);
    6. a reading whose base form is the word itself (a nominative or infinitive);
    7. Voikko's own order.
    """
    lowered = word.lower()
    usual_rank = _usual_rank(reading, usual)
    return (
        int(reading.rule.endswith("proper name")),
        int(_agent_elative(lowered, reading)),
        int(reading.rule != MA_ABESSIVE),
        int(not _function_reading(lowered, reading)),
        int(usual_rank > 0),
        len(reading.parts),
        usual_rank,
        int(lowered not in (reading.lemma, *reading.also)),
        order,
    )


def _agent_elative(word: str, reading: Reading) -> bool:
    return word.endswith(("mista", "mistä")) and any(
        a.endswith(("ma", "mä")) for a in (reading.lemma, *reading.also))


def _usual_rank(reading: Reading, usual: str) -> int:
    """0 when ``usual`` is the reading's base form, 1 when it is its participle or its head
    (a ``-`` ending), else 2."""
    if usual and usual == reading.lemma:
        return 0
    if usual in reading.also or (usual.startswith("-") and reading.lemma.endswith(usual[1:])):
        return 1
    return 2


def _minen_noun(word: str, analysis: dict[str, str]) -> str:
    """The -minen noun of a Voikko "MINEN-infinitive" reading (johtamisessa → johtaminen)."""
    if analysis.get("MOOD") != "MINEN-infinitive":
        return ""
    match = _MINEN_STEM.match(word.lower())
    return match.group(1) + "inen" if match else ""


def _function_reading(word: str, reading: Reading) -> bool:
    kind = reading.pos
    return kind in FUNCTION_CLASSES or (kind in UNINFLECTED_CLASSES and reading.lemma == word)


def _wants_capital(word: str, structure: str) -> bool:
    """Whether Voikko's ``STRUCTURE`` asks for a capital (``i``) where ``word`` has none."""
    marks = structure.replace("=", "")
    return len(marks) == len(word) and any(
        mark == "i" and ch.islower() for mark, ch in zip(marks, word, strict=True)
    )


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
        # A few of simplemma's entries keep an abbreviation's full stop (miehenä -> "mies.").
        return str(self._simplemma.lemmatize(word, lang="fi")).lower().rstrip(".")

    def _known_lemma(self, word: str) -> str:
        """simplemma's base form, guarded; ``""`` when the guard refuses it.

        Guards, each a general rule: a plural nominative listed as its own base form
        (*resurssit*) becomes the singular; a base form that does not begin with the word's
        first letter is refused (*työ* → *sinä*, *teistä* → *sinä*: simplemma's table maps
        some forms to an unrelated word), except for the suppletive comparatives; a base form
        that is only the first part of the word, the rest being a word of its own
        (*olkapäävaiva* → *olkapää*), is refused, so the word is read as a compound.
        """
        lemma = self._lemma(word)
        if not plausible(word, lemma) or self._truncated(word.lower(), lemma):
            return ""
        singular = lemma[:-1]
        # simplemma lists many plural nominatives as their own base form (resurssit).
        if lemma.endswith("t") and len(singular) >= MIN_PART and self._base(singular):
            return singular
        return lemma

    def _participle_verb(self, lemma: str) -> str:
        """The verb of a participle simplemma gives as its own base form, or ``""``.

        UD lemmatises a participle as its verb (as the Voikko analyser does). Without
        morphology the verb is found by the regular endings (VISK §§ 522, 537):
        :data:`_PARTICIPLE_ENDINGS` (*antava*, *saatava*, *tehnyt*, *tullut*, *pessyt*,
        *pidetty*, *tehty*, *tietämätön*), with each infinitive ending the verb types take
        put back (:func:`_infinitives`, consonant gradation included: *pidetty* → *pitää*,
        *näkevä* → *nähdä*); the first candidate shaped like an infinitive that simplemma
        lists as a base form of its own counts.
        """
        harmony = "ä" if any(c in lemma for c in "äöy") else "a"
        for ending in _PARTICIPLE_ENDINGS:
            stem = lemma[: -len(ending)]
            if not lemma.endswith(ending) or len(stem) < _MIN_SHORT_PART:
                continue
            for verb in _infinitives(stem, harmony, ending):
                if _infinitive_shaped(verb) and self._base(verb):
                    return verb
        return ""

    def _function_word(self, word: str) -> list[Reading]:
        """A function word of :func:`stopwords` read as itself, or as simplemma's base form
        when that is a function word too (*heitä* → *hän*), never as the content word
        simplemma's table also maps it to (*tuota* → *tuottaa*, *niitä* → *niittää*,
        *näin* → *nähdä*, *myös* → *myödä*): the function word is by far the usual reading,
        as the Voikko analyser ranks it (rule 2 of ``_rank``)."""
        lowered = word.lower()
        listed = stopwords()
        if lowered not in listed:
            return []
        lemma = self._lemma(word) if self._known(word) else ""
        base = lemma if lemma in listed and plausible(word, lemma) else lowered
        return [Reading(base, rule="function word (stop list)")]

    def _ma_abessive(self, word: str) -> list[Reading]:
        """*sanomatta*, *tietämättä* as their verb (MA-infinitive abessive), before the rare
        abessive of a *-ma* noun, as the Voikko analyser ranks them (VISK § 1527)."""
        lowered = word.lower()
        for ending in ("matta", "mättä"):
            stem = lowered[: -len(ending)]
            if lowered.endswith(ending) and len(stem) >= _MIN_SHORT_PART:
                for verb in _infinitives(stem, ending[-1], ending):
                    if _infinitive_shaped(verb) and self._base(verb):
                        return [Reading(verb, "teonsana", rule=MA_ABESSIVE)]
        return []

    def _truncated(self, word: str, lemma: str) -> bool:
        rest = word[len(lemma):]
        return (len(lemma) >= MIN_PART and word.startswith(lemma)
                and len(rest) >= MIN_PART and self._base(rest))

    def _readings(self, word: str) -> list[Reading]:
        function = self._function_word(word)
        if function:
            # one read as itself may be a lexicalised case form (aikana, kanssa)
            itself = function[0].lemma == word.lower()
            return function + (self._homographs(word.lower(), word.lower()) if itself else [])
        abessive = self._ma_abessive(word)
        if abessive:
            return abessive
        if self._known(word):
            lemma = self._known_lemma(word)
            if lemma:
                verb = self._participle_verb(lemma)
                if verb:
                    return [Reading(verb, "teonsana", also=(lemma,),
                                    rule=f"simplemma, participle {lemma}")]
                if _instructive_plural(word.lower(), lemma, self._split(lemma)):
                    return [Reading(word.lower(), "seikkasana", rule=INSTRUCTIVE),
                            Reading(lemma, parts=self._split(lemma), rule="simplemma")]
                return [Reading(lemma, parts=self._split(lemma), rule="simplemma"),
                        *self._homographs(word.lower(), lemma)]
        # simplemma's own guess for unknown compounds sometimes keeps the wrong part
        # (hyvinvointialue -> hyvinvointi), so a split into known words comes first.
        for bare in (_CLITIC.sub("", word), *_without_possessive(word.lower())):
            if bare != word and len(bare) >= MIN_PART:
                # a form under a possessive suffix or clitic is no instructive adverb
                readings = [r for r in self._readings(bare) if r.rule != INSTRUCTIVE]
                if readings:
                    return readings
        split = self._split_inflected(word.lower())
        if not split:
            return []
        return [Reading("".join(split), parts=split, rule="simplemma, split compound")]

    def _homographs(self, word: str, lemma: str) -> list[Reading]:
        """The other readings of a form simplemma reads as ``lemma``, for the context rules
        (:func:`context_rule`), after it: simplemma gives one base form per form, where
        Voikko gives each reading.

        - A form simplemma lists as its own base form (a lexicalised case form: *aikana*,
          *suhteessa*, *pohjalta*) that has a case ending (:func:`surface_case`) is also
          the noun left when the ending is taken off (*aika-na*), or else the noun whose
          inessive, adessive or genitive the same stem makes, when simplemma lists it
          (*suhtee-ssa* → *suhtee-lla* → *suhde*).
        - A form with a personal ending of a finite verb (*tule-n*, *seuraa*, *puhu-u*,
          *tule-vat*) is also the verb whose present stem is left, by the verb types'
          infinitive endings (:func:`_infinitives`; *tulen* → *tulla*, *seuraa* →
          *seurata*), when simplemma lists it as a base form.
        """
        out = []
        noun = self._case_noun(word) if lemma == word else ""
        if noun and noun != lemma and noun not in stopwords():  # kuin is no form of kuka
            out.append(Reading(noun, "nimisana", rule="simplemma, case form"))
        verb = self._finite_verb(word)
        if verb and verb != lemma and verb not in stopwords():
            out.append(Reading(verb, "teonsana", rule="simplemma, finite verb form"))
        return out

    def _case_noun(self, word: str) -> str:
        case = surface_case(word)
        ending = _CASE_STEM.get(case)
        if ending is None:
            return ""
        stem = word[: len(word) - ending(word)]
        harmony = "ä" if any(c in stem for c in "äöy") else "a"
        if len(stem) < _MIN_SHORT_PART:
            return ""
        if self._base(stem):  # the essive and partitive of many nouns: aika-na, tausta-a
            return stem
        for form in (f"{stem}ss{harmony}", f"{stem}ll{harmony}", f"{stem}n"):
            found = self._known_lemma(form) if form != word and self._known(form) else ""
            if found not in ("", word, form) and found[:2] == word[:2] and self._base(found):
                return found
        return ""

    def _finite_verb(self, word: str) -> str:
        harmony = "ä" if any(c in word for c in "äöy") else "a"
        for stem in _present_stems(word):
            if len(stem) < _MIN_SHORT_PART:
                continue
            for verb in _infinitives(stem, harmony, "v" + harmony):
                if verb != word and _infinitive_shaped(verb) and self._base(verb):
                    return verb
        return ""

    def _guess(self, word: str) -> list[Reading]:
        # simplemma's affix rules guess a form for any word; a guess is not knowledge, so
        # the word stays unknown and the spoken-form rule still applies to it.
        lemma = self._lemma(word)
        if lemma == word.lower() or not plausible(word, lemma):
            return []
        # An -sti adverb made of a participle (antavasti) is no verb form (see
        # _verbal_participle).
        verb = "" if word.lower().endswith("sti") else self._participle_verb(lemma)
        if verb:
            return [Reading(verb, "teonsana", also=(lemma,),
                            rule=f"simplemma guess, participle {lemma}")]
        return [Reading(lemma, parts=self._split(lemma), rule="simplemma guess")]

    def _base(self, word: str) -> bool:
        """Whether simplemma lists ``word`` as a base form of its own (not "toim." or "Isto").

        A listed word whose simplemma base form the guard of :func:`plausible` refuses
        (*työ* → *sinä*) is its own base form."""
        if not word or not self._known(word):
            return False
        lemma = str(self._simplemma.lemmatize(word, lang="fi"))
        # "Ella" for ella: a name, no base form of the word.
        return lemma == word or (lemma.lower() != word and not plausible(word, lemma.lower()))

    def _split_inflected(self, word: str) -> tuple[str, ...]:
        """``first part + inflected last word`` → parts with the last word's base form, or ().

        The first part is one of :meth:`_first_part` of 4 letters or more, or a bound one
        (*perus*työ); the last word a listed form of 4 letters or more, or a base form of 3
        as it stands (*työ*, *maa*), so that spoken forms (*tiiäks*) stay unknown."""
        # Only first parts of the strict kind: an unknown word's cut also guesses its head,
        # and verb forms (annet-tavan, järjestä-mille) would pass the loose kind.
        for loose in (False,):
            for cut in range(_MIN_SHORT_PART, len(word) - _MIN_SHORT_PART + 1):
                rest, last = word[:cut], word[cut:]
                if len(rest) < MIN_PART and rest not in _BOUND_FIRST and not (
                        _long_syllable(rest) and len(last) >= MIN_PART):
                    continue
                lemma = (self._known_lemma(last) if len(last) >= MIN_PART and self._known(last)
                         else "")
                if not lemma and self._base(last):  # työ, whose listed lemma is refused
                    lemma = last
                if (len(lemma) >= _MIN_SHORT_PART and self._base(lemma)
                        and self._first_part(rest, last, loose)):
                    return (*self._split(rest), *self._split(lemma))
        return ()

    def _split(self, lemma: str) -> tuple[str, ...]:
        """Compound parts of a base form, longest known head first (see the class docstring).

        The head is a base form simplemma lists, of at least 3 letters (*maa*, *työ*, *pää*
        are heads of many compounds); the first part is a listed base form of at least 3
        letters, a listed genitive of one (*talon*mies, *pohjan*maa: the genitive
        attribute compound), or one of the bound first parts (:data:`_BOUND_FIRST`) that
        exist only in compounds (*ulko*maa, *pikku*lapsi). Anything shorter is left whole,
        so *harmaa* and *kohtalo* are not split.
        """
        if lemma not in self._splits and "-" in lemma.strip("-"):
            # A hyphen marks a compound boundary (eu-maa, kunnia-asia).
            pieces = tuple(p for p in lemma.split("-") if p)
            self._splits[lemma] = (*pieces[:-1], *self._split(pieces[-1]))
        if lemma not in self._splits:
            self._splits[lemma] = (lemma,)  # while it is being split: no loop through itself
            self._splits[lemma] = self._split_base(lemma)
        return self._splits[lemma]

    def _split_base(self, lemma: str, tiers: tuple[bool, ...] = (False, True)
                    ) -> tuple[str, ...]:
        """:meth:`_split`'s search: the longest head after a first part of the strict kind,
        else after one of the loose kind (:meth:`_long_first_part`)."""
        for loose in tiers:
            for cut in range(_MIN_SHORT_PART, len(lemma) - _MIN_SHORT_PART + 1):
                head, rest = lemma[cut:], lemma[:cut]
                if self._base(head) and self._first_part(rest, head, loose):
                    # the head may be a compound itself (koko+aikatyö = kokoaika+työ)
                    return (*self._split(rest), *self._split(head))
        return (lemma,)

    def _first_part(self, rest: str, head: str, loose: bool = False) -> bool:
        """Whether ``rest`` can begin a compound before ``head``: a bound first part, a listed
        base form, a listed genitive (*talon*mies), or the *-is* first-part form of an
        *-inen* word (*maalais*tyttö, *ihmis*oikeus: VISK § 410) unless the head begins
        with the *-UUs* suffix that derives nouns of such words (*yhdenvertaisuus*)."""
        if rest in _BOUND_FIRST:
            return True
        if len(rest) < _MIN_SHORT_PART:
            return False
        if (len(rest) >= MIN_PART and rest.endswith("is") and head[:2] not in ("uu", "yy")
                and self._known(rest[:-2] + "inen")):
            return True
        if self._base(rest) or (len(rest) > MIN_PART and rest.endswith("n")
                                and self._base(rest[:-1]) and self._lemma(rest) == rest[:-1]):
            return True
        return self._long_first_part(rest, loose)

    def _long_first_part(self, rest: str, loose: bool) -> bool:
        """The fifth round's first parts (issue 17), for compounds of three or more parts and
        first parts simplemma does not list as a base form of their own:

        - a compound itself (*perustuslaki*+valiokunta, *sosiaalihuolto*+laki): ``rest``
          splits by :meth:`_split` into two or more parts, each a word of 4 letters or
          more, a long syllable (*maa*, *työ*) or a bound first part, and none a function
          word (:func:`_whole_part`: *koulutet* is no *koulu*+*tet*, *sijaitse* no
          *sija*+*itse*);
        - the bare stem of a loan adjective in *-Alinen* or *-Ellinen* (*sosiaali*-nen,
          *digitaali*-nen: *sosiaali*palvelu), whose first-part form drops *-nen*;
        - only when no split of the kinds above exists (``loose``), a form simplemma lists
          of another base form, of :data:`_MIN_LONG_FIRST` letters or more (*toimi*kunta:
          *toimi* is listed as a form of *toimia*; *opinto*tuki: of *opinnot*;
          *voimaan*tulo): Finnish first parts are stems and case forms too, but a base
          form is the likelier first part (*posti+toiminta+lain*, not *postitoimin+talain*).
        """
        parts = self._split(rest) if loose else self._split_base(rest, (False,))
        if len(parts) > 1 and all(_whole_part(p) for p in parts):
            return True
        if rest.endswith(("aali", "ääli", "elli")) and self._base(rest + "nen"):
            return True
        return loose and len(rest) >= _MIN_LONG_FIRST and self._known(rest)


#: Participle endings the fallback reads as a verb form (VISK §§ 522, 537): passive and
#: active present, active past (with the assimilated *-lut*, *-rut*, *-sut*: *tullut*,
#: *purrut*, *pessyt*), passive past and the negative *-mAtOn*. The active *-va* comes
#: first, so *kantava* is *kantaa*, not *kanta* + *-tava*.
_PARTICIPLE_ENDINGS = ("va", "vä", "tava", "tävä", "ttava", "ttävä", "ttu", "tty", "tu", "ty",
                       "nut", "nyt", "lut", "lyt", "rut", "ryt", "sut", "syt", "maton", "mätön")
#: Weak grade → strong grade at the end of a verb stem (VISK § 41: *pide-* → *pitää*,
#: *anne-* → *antaa*, *ote-* → *ottaa*), longest first.
_STRONG = (("nn", "nt"), ("ll", "lt"), ("rr", "rt"), ("mm", "mp"), ("ng", "nk"), ("hd", "ht"),
           ("d", "t"), ("t", "tt"), ("k", "kk"), ("p", "pp"), ("v", "p"))


def _whole_part(part: str) -> bool:
    """Whether ``part`` may be a part of a compound first part (see
    :meth:`SimplemmaAnalyser._long_first_part`)."""
    return ((len(part) >= MIN_PART or _long_syllable(part) or part in _BOUND_FIRST)
            and part not in stopwords())


def _long_syllable(part: str) -> bool:
    """Whether a three-letter first part is a one-syllable word with a long vowel or a
    diphthong (*maa*, *työ*, *pää*, *tie*), the shape Finnish monosyllabic nouns have
    (VISK § 8), so *maa*tiedon splits as *maa* + *tiedon* while *kas*, *hän* do not."""
    return (len(part) == _MIN_SHORT_PART and part[0] not in VOWELS
            and part[1] in VOWELS and part[2] in VOWELS)


def _without_possessive(word: str) -> list[str]:
    """``word`` without a possessive suffix, as simplemma lists no such form (VISK § 95):
    *-ni, -si, -mme, -nne, -nsa/-nsä* (*työpaikkansa* → *työpaikka*; after an illative's
    *-n*, with it put back: *kotiini* → *kotiin*) and the third person's long vowel + *n*
    (*rahoistaan* → *rahoista*)."""
    out: list[str] = []
    for suffix in ("nsa", "nsä", "mme", "nne", "ni", "si"):
        if word.endswith(suffix):
            bare = word[: -len(suffix)]
            out.extend((bare, bare + "n"))
    if len(word) > 3 and word[-1] == "n" and word[-2] in VOWELS and word[-2] == word[-3]:
        out.append(word[:-2])
    return out


def _infinitives(stem: str, a: str, ending: str) -> list[str]:
    """The first infinitives a participle stem can belong to, by verb type (VISK §§ 69-72).

    ``ending`` says which stem it is: the present stem before *-vA*, *-mAtta*, *-mAtOn*
    (*anta-*, *tule-*, *halua-*, *valitse-*, *näke-*), the passive stem before *-ttu*,
    *-ttava* (*sano-*, *halu-*; an *e*-stem in the weak grade: *pide-* → *pitää*, *anne-* →
    *antaa*, *lue-* → *lukea*) or the consonant stem before *-tu*, *-tava*, *-nut*
    (*teh-*, *tul-*, *pes-*, *saa-*; *halun-nut* → *haluta*). Only the shapes each verb type
    has are tried, so *juttu*, *laiva*, *vauva* yield no verb.
    """
    present = ending in ("va", "vä", "matta", "mättä", "maton", "mätön")
    passive = ending in ("ttu", "tty", "ttava", "ttävä")
    out: list[str] = []
    if passive and stem.endswith("e"):
        short = stem[:-1]
        out.extend(strong + vowel + a for strong in _strengthened(short) for vowel in (a, "e"))
        out.extend(short + "k" + vowel + a for vowel in (a, "e"))
    if stem[-1] in VOWELS:
        out.append(stem + a)  # type 1
    if (len(stem) > 1 and stem[-1] in VOWELS and stem[-2] in VOWELS) or stem.endswith("h"):
        out.append(stem + "d" + a)  # type 2: saa-da, syö-dä, teh-dä
    if present and stem.endswith("ke"):
        out.append(stem[:-2] + "hd" + a)  # näke- -> nähdä, teke- -> tehdä
    out.extend(_type3(stem[:-1] if present and stem.endswith("e") else stem, a))
    if passive and stem[-1] in VOWELS:
        out.append(stem + "t" + a)  # type 4: halu-ttu -> haluta
    if ending[0] == "n" and stem.endswith("n"):
        out.append(stem[:-1] + "t" + a)  # halun-nut -> haluta, valin-nut -> valita
    if present:
        out.extend(_present_types_4_to_6(stem, a))
    return out


def _present_stems(word: str) -> list[str]:
    """Present stems a finite verb form can have (VISK § 105): *tule-n*, *tule-t*,
    *tule-vat*; a third person singular with its lengthened last vowel (*puhu-u*, *tule-e*)
    or a stem already long (*seuraa*, *osaa*)."""
    if word.endswith(("vat", "vät")):
        return [word[:-3]]
    if word[-1:] in ("n", "t") and word[-2:-1] in VOWELS:
        return [word[:-1]]
    if len(word) > 2 and word[-1] in VOWELS and word[-1] == word[-2]:
        return [word[:-1], word]
    return []


def _type3(short: str, a: str) -> list[str]:
    """Type 3 infinitives of a consonant stem: *tul-* → *tulla*, *pes-* → *pestä*."""
    if short[-1:] in ("l", "n", "r"):
        return [short + short[-1] + a]
    return [short + "t" + a] if short.endswith("s") else []


def _present_types_4_to_6(stem: str, a: str) -> list[str]:
    """*halua-* → *haluta*, *vetoa-* → *vedota* (the infinitive stem in the weak grade),
    *laukea-* → *laueta*; *valitse-* → *valita*, *ratkaise-* → *ratkaista*."""
    if stem.endswith("se") and len(stem) > MIN_PART:
        return [stem[:-2] + a, stem[:-2] + "st" + a]
    if len(stem) > MIN_PART - 1 and stem[-1] in "aä" and stem[-2] in VOWELS:
        short = stem[:-1]
        return [_weakened(short[:-1]) + short[-1] + "t" + a, short + "t" + a]
    return []


#: Strong grade → weak grade at the end of a stem (VISK § 41), longest first.
_WEAK = (("tt", "t"), ("kk", "k"), ("pp", "p"), ("nt", "nn"), ("lt", "ll"), ("rt", "rr"),
         ("mp", "mm"), ("nk", "ng"), ("ht", "hd"), ("t", "d"), ("k", ""), ("p", "v"))


def _weakened(stem: str) -> str:
    """``stem`` with its last consonant in the weak grade (*vet-* → *ved-*, *lauk-* →
    *lau-*), or as it is."""
    for strong, weak in _WEAK:
        if stem.endswith(strong):
            return stem[: -len(strong)] + weak
    return stem


def _strengthened(stem: str) -> list[str]:
    """``stem`` with its last consonant in the strong grade (first matching rule), and as is."""
    for weak, strong in _STRONG:
        if stem.endswith(weak):
            return [stem[: -len(weak)] + strong, stem]
    return [stem]


def _infinitive_shaped(word: str) -> bool:
    """Whether ``word`` ends like a first infinitive: a vowel, or *d l n r s t*, before
    the final *a/ä* (*antaa*, *saada*, *tulla*, *pestä*), so *vaha* is no verb of *vahva*."""
    return len(word) > 2 and word[-1] in "aä" and (word[-2] in VOWELS or word[-2] in "dlnrt")


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

    def _readings(self, word: str) -> list[Reading]:
        return []

    def _analyse(self, word: str) -> WordAnalysis:
        acronym = acronym_readings(word) if ":" in word else []
        stem = acronym[0].lemma if acronym else str(self._stemmer.stem(word.lower()))
        return WordAnalysis(word, (Reading(stem, rule="Snowball stem"),), known=bool(acronym))

    def query(
        self, term: str, *, compounds: Compounds = "off", readings: Readings = "likely",
        derivations: bool = False,
    ) -> Query:
        """The stem of ``term`` and the term itself (for clipped spoken forms)."""
        check_compounds(compounds)
        check_readings(readings)
        lemmas = tuple(dict.fromkeys((*self.analyse(term).lemmas, term.strip().lower())))
        return Query(term, lemmas, tuple((m,) for m in lemmas), compounds, readings,
                     derivations)

    def explain(self, analysis: WordAnalysis, query: Query) -> str:
        """Equal stems, or a spoken form of the term's stem or of the term itself."""
        found = analysis.why(query)
        if found or analysis.known:
            return found
        stem = analysis.lemmas[0]
        hit = next((m for m in query.lemmas if spoken_match(stem, m)), "")
        return f"{analysis.word}: stem {stem}; clipped spoken form of {hit}" if hit else ""


# ---------------------------------------------------------------------------- choosing
#: What a fallback costs, as measured by ``benchmarks/search_eval.py`` on gold lemmas.
_FALLBACK_COST = {
    "simplemma": "on hand-annotated Finnish (UD_Finnish-FTB, benchmarks/README.md) search "
                 "then finds 93 of 100 occurrences against Voikko's 95, and 92 against 95 "
                 "with compound heads.",
    "snowball": "a stemmer knows no words, so it also finds unrelated words with the same "
                "stem (kun for kunta) and no compound heads.",
}
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
                f"will be missed more often: {_FALLBACK_COST.get(chosen.name, '')}",
                TymqualWarning,
                stacklevel=2,
            )
        return chosen


# ---------------------------------------------------------------------------- sentences
ABBREVIATIONS: frozenset[str] = frozenset({
    "esim", "mm", "ns", "ym", "jne", "yms", "n", "klo", "s", "ks", "vrt", "ts", "tms", "nk",
    "ko", "em", "ao", "v", "t", "huom", "puh", "nro", "prof", "tri", "os", "vs", "kts", "milj",
    "mrd",
})
"""Words (lower case, without the period) after which a period does not end a sentence."""

# One match per sentence-end candidate (see sentence_spans for the rule): the terminator with
# closing quotes or brackets, followed by white space, then the white space and opening quotes
# or dashes after it, so that the character the match stops at is the one that must be upper
# case or a digit.
_CANDIDATE = re.compile(r"(?P<end>[.!?…]+[\"'”’»)\]]*)(?=\s)[\s\"'”’«(\[–—-]*")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text[start:end]``, trimmed of white space.

    The one sentence rule of tymqual (agreement units, autocoding, suggestions), simple enough
    to state in a methods chapter: a sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any
    closing quotes or brackets) that is followed by white space and then an upper-case letter
    or a digit (opening quotes and dashes in between allowed), except after an abbreviation in
    :data:`ABBREVIATIONS` (``esim.``, ``mm.``, ``ns.``, ``ym.``, ``jne.``, ``yms.``, ``n.``,
    ``klo``, ``s.``, …) or a single upper-case initial; a blank line always ends one. A single
    line break does not (hard-wrapped text), and ``No... [naurahtaa] ne`` stays one sentence.
    The rule is fixed here rather than taken from a segmentation library so that the units,
    and so the reported agreement, do not change with a library upgrade.

    >>> text = "Esim. Kela oli mukana. Se alkoi klo 9. ja kesti n. 2 h. Hyvä!"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Esim. Kela oli mukana.', 'Se alkoi klo 9. ja kesti n. 2 h.', 'Hyvä!']
    """
    hi = len(text) if end is None else end
    cuts = _sentence_cuts(text, start, hi)
    cuts += [m.start() for m in _BLANK_LINE.finditer(text, start, hi)]
    bounds = [start, *sorted(set(cuts)), hi]
    spans = []
    for s, e in zip(bounds[:-1], bounds[1:], strict=True):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` by :func:`sentence_spans`, shifted by ``start``.

    For the text of one speaker turn: pass the turn's text and its ``start`` to get source
    offsets.
    """
    return [(start + a, start + b) for a, b in sentence_spans(text)]


def _sentence_cuts(text: str, lo: int, hi: int) -> list[int]:
    """Where sentences end in ``text[lo:hi]`` by terminators (blank lines aside)."""
    cuts = []
    for m in _CANDIDATE.finditer(text, lo, hi):
        after = m.end()
        if after >= hi or not (text[after].isupper() or text[after].isdigit()):
            continue
        if m.group("end") == "." and _initial_or_abbreviation(text, max(lo, m.start() - 40),
                                                              m.start()):
            continue
        cuts.append(m.end("end"))
    return cuts


def _initial_or_abbreviation(text: str, lo: int, at: int) -> bool:
    """Whether the word that ends at ``at`` (its part from ``lo`` on) is a single capital or
    in :data:`ABBREVIATIONS`; word characters are those of ``\\w``."""
    i = at
    while i > lo and (text[i - 1].isalnum() or text[i - 1] == "_"):
        i -= 1
    word = text[i:at]
    return (len(word) == 1 and word.isupper()) or (bool(word)
                                                   and word.casefold() in ABBREVIATIONS)


