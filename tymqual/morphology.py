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

This module belongs to the data-model layer. It holds the Voikko and Snowball analysers,
the choice between analysers and the sentence rule, and re-exports the rest of the
interface from the modules below it: :mod:`tymqual.wordforms` (the types and the
:class:`Analyser` base), :mod:`tymqual.context_rules`, :mod:`tymqual.fallback`
(:class:`SimplemmaAnalyser`), :mod:`tymqual.lexicon` and :mod:`tymqual.spoken`. Beyond
those it imports only :mod:`tymqual.errors`, the standard library and the analysers
themselves (each lazily, so a missing one costs nothing).
"""

from __future__ import annotations

import re
import threading
import warnings
from dataclasses import replace
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
from tymqual.fallback import SimplemmaAnalyser, without_possessive
from tymqual.lexicon import keep_dictionary_index, likelier, listed_lemma, usual_lemma
from tymqual.spoken import SPOKEN_FORMS, VOWELS, spoken_ea, spoken_match, spoken_variants
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

_MINEN_STEM = re.compile(r"(.*m)i(?:nen|s)")


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
        found = list(self._voikko.analyze(word))
        variant = spoken_ea(word) if found else ""
        if variant:
            # tukee is also spoken tukea, the noun's partitive (saa tukee): a reading after
            # Voikko's own, for the context rules
            found += [{**a, "SPOKEN": variant} for a in self._voikko.analyze(variant)
                      if a.get("CLASS") == "nimisana" and a.get("SIJAMUOTO") == "osanto"]
        return found

    def _readings(self, word: str) -> list[Reading]:
        raw = self._raw(word)
        found = [r for r in (self._reading(word, a) for a in raw) if r is not None]
        if not found:
            return []
        nominative = any(a.get("SIJAMUOTO") == "nimento" for a in raw)
        if len({(r.lemma, r.pos, r.parts, r.also) for r in found}) == 1:
            # one reading, nothing to rank: only a form listed whole can make it lexicalised
            if nominative or _own_form(word.lower(), found):
                return found
            usual = listed = usual_lemma(word, endings=False)
        else:
            listed = usual_lemma(word)
            usual = likelier(word, listed,
                             lambda head: {_frequency_name(r, head) for r in found},
                             self._base_forms)
        ranked = [r for _, r in sorted(enumerate(found),
                                       key=lambda item: _rank(word, item[1], usual, item[0]))]
        if len(found) > 1 and usual != listed:
            ranked[0] = _frequent(ranked[0], usual, listed)
        if nominative:
            return ranked  # a nominative (resurssit) is no lexicalised case form
        possessive = any(a.get("POSSESSIVE") for a in raw)
        return (_lexicalised(word, usual, ranked, possessive)
                or _instructive_adverb(word, raw)) + ranked

    def _base_forms(self, word: str) -> set[str]:
        return {str(a.get("BASEFORM", "")).lower() for a in self._raw(word)}

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
        parts = _prefixed(self._parts(base, chunks), chunks[-1])
        verb = _participle_verb(chunks[-1]) if _verbal_participle(analysis) else ""
        if verb and "=" in verb:  # vastaan=ottaa, a verb with a prefix: vastaanottava
            prefix, verb = verb.split("=", 1)
            verb = prefix + verb
            if len(parts) == 1:
                return Reading(verb, "teonsana", (prefix, verb[len(prefix):]), also=(base,),
                               rule=f"participle {base}")
        if verb and len(parts) == 1 and verb != base:
            return Reading(verb, "teonsana", (verb,), also=(base,),
                           rule=f"participle {base}")
        if verb and len(parts) > 1 and analysis.get("PARTICIPLE") == "past_passive":
            # palkkatuettu: a compound past passive participle is its verb's form, so the
            # verb is its head (a present one is often a noun: kasvatustehtävä)
            return Reading(base, kind, (*parts[:-1], verb), rule=f"{kind}, participle of {verb}")
        derived = _deverbal(chunks[-1], kind) if len(parts) == 1 else ()
        if analysis.get("MOOD") == "MA-infinitive" and analysis.get("SIJAMUOTO") == "vajanto":
            return Reading(base, kind, parts, rule=MA_ABESSIVE)
        if _archaic_genitive(word, base, analysis):
            return Reading(base, kind, parts, derived=derived, rule=_ARCHAIC_GENITIVE)
        if analysis.get("SPOKEN"):
            return Reading(base, kind, parts, derived=derived,
                           rule=f"{kind}, spoken form of {analysis['SPOKEN']} (vowel pair)")
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

    def _guess(self, word: str) -> list[Reading]:
        """An unknown word read as a compound whose ending Voikko knows (*translain*,
        *Finlexpalvelussa*, *ampumaaselaissa* written without its hyphen): the longest
        ending of at least :data:`_MIN_GUESSED_HEAD` letters that Voikko reads as a noun,
        adjective or verb, after a first part of at least three letters with a vowel in it.
        New compounds are made freely in Finnish (VISK § 400), and a dictionary cannot list
        them all; the word stays unknown (``known`` false)."""
        lowered = word.lower()
        for cut in range(_MIN_GUESSED_FIRST, len(lowered) - _MIN_GUESSED_HEAD + 1):
            first, ending = lowered[:cut], lowered[cut:]
            if "-" in first or not any(c in VOWELS for c in first):
                continue
            found = [r for r in self._readings(ending) if r.pos in _GUESSED_HEAD_CLASSES]
            if found:
                return [Reading(first + r.lemma, r.pos, (first, *r.parts),
                                rule=f"unknown word; its ending is {r.lemma} (compound)")
                        for r in found]
        return []

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


_ARCHAIC_GENITIVE = "nimisana, archaic plural genitive"
# An unknown word's guessed compound (VoikkoAnalyser._guess): the shortest first part and
# head, and the word classes a head may have (no names, pronouns or particles).
_MIN_GUESSED_FIRST = 3
# (shorter endings are too often a name's or a spoken form's: Robinson-ilta, sel-lasta)
_MIN_GUESSED_HEAD = 6
_GUESSED_HEAD_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana", "teonsana"})
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


def _prefixed(parts: tuple[str, ...], chunk: str) -> tuple[str, ...]:
    """``parts`` with a verb's prefix split off where Voikko marks one with ``=`` in its base
    form (``[Xp]vastaan=ottaa``, ``alle=kirjoittaa``): *vastaanottaa* is a compound verb
    whose head is *ottaa*, as a compound noun's is its last part."""
    base = _fst_base(chunk) if "[Lt]" in chunk else ""
    if "=" not in base or parts[-1] != base.replace("=", ""):
        return parts
    return (*parts[:-1], *(p for p in base.split("=") if p))


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
    if _own_form(lowered, readings):
        return []
    if usual == lowered:
        return [Reading(lowered, "seikkasana", rule=LEXICALISED)]
    if possessive and usual in without_possessive(lowered) and listed_lemma(usual) == usual:
        # osaltaan, mielestäni: a lexicalised case form with a possessive suffix (which
        # Voikko names: pitkään, sairaan, mustiin only look like one)
        return [Reading(usual, "seikkasana", rule=f"{LEXICALISED} with a possessive suffix")]
    return []


def _frequent(reading: Reading, usual: str, listed: str) -> Reading:
    """``reading``, its rule naming the frequency rule when ``usual`` (chosen by it over
    simplemma's ``listed``) is this reading's, so a hit's ``why`` says so."""
    if _usual_rank(reading, usual) > 1 or _usual_rank(reading, listed) <= 1:
        return reading
    return replace(reading, rule=f"{reading.rule or reading.pos}; far more frequent in "
                                 f"Finnish than {listed.lstrip('-')}")


def _own_form(lowered: str, readings: list[Reading]) -> bool:
    """Whether a reading is the word's own base form or a participle (never lexicalised)."""
    return any(lowered == r.lemma or r.also for r in readings)


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


def _rank(word: str, reading: Reading, usual: str, order: int) -> tuple[int, ...]:
    """Sort key: the reading a form usually has comes first. Documented rule, in order:

    1. a proper-name reading that needs a capital the word lacks (*ainoa* as *Aino*) last,
       and so the elative plural of an agent participle or a *-ma* noun (*tulemista* as
       *tulema*, *puhkeamista* as *puhkeama*), which is rare beside the partitive of the
       *-minen* noun it is written like (VISK § 1526);
       the abessive of the MA-infinitive (*sanomatta*, *tietämättä*) first, before the
       abessive of a noun in *-ma* (*sanoma*), which is rare (VISK § 1527); and the
       archaic plural genitive in *-in* last (*huoltolain* as *huoltola*, not *huoltolaki*);
    2. a pronoun, conjunction or uninflected adverb before a homonym (*silloin* before
       *silta*, *eli* before *elää*, *niitä* before *niittää*);
    3. the base form simplemma gives for the whole form, when it is one of Voikko's:
       simplemma's dictionary was built from lemmatised corpora, so it holds the base form
       a form usually has (*tilanne* before *tila*; *toimi* as *toimia*; *toimivalta* the
       noun, not the participle of *toimia*), unless another reading's base form is far
       more frequent in Finnish (:func:`tymqual.lexicon.likelier`: *kunnasta* is *kunta*'s);
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
        int(_agent_elative(lowered, reading) or reading.rule == _ARCHAIC_GENITIVE),
        int(reading.rule != MA_ABESSIVE),
        int(not _function_reading(lowered, reading)),
        int(usual_rank > 0),
        len(reading.parts),
        usual_rank,
        int(lowered not in (reading.lemma, *reading.also)),
        order,
    )


def _frequency_name(reading: Reading, head: bool) -> str:
    """The word whose frequency stands for ``reading``: its head, or its base form; for a
    participle its own form (*tehtävä*), as the verb's infinitive counts none of them."""
    if head:
        return reading.parts[-1]
    return reading.also[0] if reading.also else reading.lemma


def _archaic_genitive(word: str, base: str, analysis: dict[str, str]) -> bool:
    """Whether ``analysis`` reads ``word`` as the archaic plural genitive in *-in* of a noun
    in *-a*/*-ä* (*kahvilain*, *huoltolain*: today *kahviloiden*; VISK § 97), which is rare
    beside the singular genitive of another word it is written like (*huoltolain* is
    *huoltolaki*'s, the law's)."""
    return (analysis.get("SIJAMUOTO") == "omanto" and analysis.get("NUMBER") == "plural"
            and base.endswith(("a", "ä")) and word.lower() == base + "in")


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


