"""Context rules: a Finnish word read after the word before it.

Finnish marks how neighbouring words relate in their endings, so the word before a homograph
often decides it (issue 17, fourth and fifth rounds): after a negation verb, a verb; after an
attribute that agrees in case and number, the noun; after a cardinal numeral, a partitive
noun; after a subject, the finite verb that agrees in person and number; and a word right
before a hyphen and a space is a suspended compound first part. See :func:`context_rule`.
The search index applies these once per pair of neighbouring forms.

Imports only :mod:`tymqual.wordforms`, :mod:`tymqual.spoken` and the standard library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tymqual.spoken import spoken_ea
from tymqual.wordforms import (
    FUNCTION_CLASSES,
    LEXICALISED,
    UNINFLECTED_CLASSES,
    Analyser,
    Reading,
    WordAnalysis,
)

__all__ = [
    "ATTRIBUTE_PRONOUNS",
    "CARDINALS",
    "CATENATIVES",
    "CONTEXT_RULES",
    "NEGATION",
    "SUBJECT_PRONOUNS",
    "SUSPENDED",
    "connegative",
    "context_rule",
    "may_read_in_context",
    "may_set_context",
    "read_in_context",
    "suspended",
]

#: The negation verb's forms (with -kä, -kään); the verb after one is in the connegative.
NEGATION = frozenset(
    f"{stem}{clitic}" for stem in ("en", "et", "ei", "emme", "ette", "eivät", "älä", "älkää")
    for clitic in ("", "kä", "kään")
)

#: The context rules of :func:`context_rule`, each with the word class it puts first.
CONTEXT_RULES: dict[str, str] = {
    "connegative": "teonsana", "agreement": "nimisana", "numeral": "nimisana",
    "subject": "teonsana", "object": "nimisana",
}
_CONTEXT_WHY = {
    "connegative": "after a negation verb: the verb",
    "agreement": "an attribute before it agrees in case and number: the noun",
    "numeral": "after a cardinal numeral, a partitive singular: the noun",
    "subject": "after a subject pronoun it agrees with in person: the finite verb",
    "object": "after a finite verb that takes no infinitive, a partitive object: the noun",
}
#: Pronouns that agree with their noun as its attribute (demonstratives, *sama*, *oma*,
#: quantifiers and interrogative determiners; Iso suomen kielioppi §§ 570-581, 732-750).
#: Personal pronouns and *joka* are left out: their genitive is a possessor (*minun aikana*,
#: *jonka aikana*), not an attribute that agrees.
ATTRIBUTE_PRONOUNS = frozenset({
    "tämä", "tuo", "se", "nämä", "nuo", "ne", "sama", "oma", "muu", "toinen", "jokin",
    "joku", "jokainen", "kukin", "kaikki", "mikään", "mikä", "eräs", "usea", "moni",
    "molemmat", "kumpikin", "kumpi", "sellainen", "tällainen", "tuollainen", "millainen",
})
#: Nominative pronouns that are the subject of the finite verb right after them, with the
#: person and number the verb agrees in (VISK § 1283); spoken *mä*, *sä* included.
SUBJECT_PRONOUNS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("minä", "mä", "mää"), ("1", "singular")),
    **dict.fromkeys(("sinä", "sä", "sää"), ("2", "singular")),
    **dict.fromkeys(("hän", "se", "joka", "kuka", "mikä"), ("3", "singular")),
    "me": ("1", "plural"), "te": ("2", "plural"),
    **dict.fromkeys(("he", "ne", "jotka", "ketkä", "mitkä"), ("3", "plural")),
}
#: Cardinal numerals from two up, whose nominative takes a partitive singular (VISK § 772).
CARDINALS = frozenset({
    "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän", "kahdeksan", "yhdeksän",
    "kymmenen", "sata", "tuhat", "monta", "kaks", "viis", "kuus", "seittemän",
})
#: Verbs that take a first infinitive as their complement (*voi tukea*, *haluaa tehdä*,
#: *päätti antaa*; Iso suomen kielioppi §§ 451-453, 1564: modal, phasal and volitional
#: verbs); after a finite form of any other verb a partitive noun is its object (rule 5 of
#: :func:`context_rule`). *tarvita* is left out: *tarvitsee tukea* needs support (its
#: infinitive complement is in the negative, *ei tarvitse*, where rule 1 decides); *olla*
#: is in: an infinitive is its predicative (*tavoitteena on tukea*).
CATENATIVES = frozenset({
    "voida", "saattaa", "taitaa", "pitää", "täytyä", "kannattaa", "tulla", "aikoa",
    "haluta", "tahtoa", "toivoa", "yrittää", "koettaa", "pyrkiä", "päättää", "luvata",
    "ehtiä", "jaksaa", "viitsiä", "osata", "uskaltaa", "alkaa", "ruveta", "meinata",
    "kehdata", "unohtaa", "muistaa", "suunnitella", "harkita", "mahtaa",
    "tohtia", "käydä", "sopia", "kuulua", "auttaa", "ajatella", "olla",
})
_NOUN_CLASSES = frozenset({"nimisana", "etunimi", "sukunimi", "paikannimi", "nimi"})
_ATTRIBUTE_CLASSES = frozenset({"laatusana", "nimisana_laatusana", "lukusana"})
_NOT_ATTRIBUTES = frozenset({"minä", "sinä", "hän", "me", "te", "he", "joka", "itse"})



def context_rule(analyser: Analyser, before: WordAnalysis, analysis: WordAnalysis) -> str:
    """The context rule under which ``analysis`` is read after the word ``before`` (the word
    right before it in the same unit), or ``""`` when its usual reading stands.

    Finnish marks the relation of neighbouring words in their endings, so the word before a
    homograph often decides it (the rules in order; each moves readings of one word class
    first, :data:`CONTEXT_RULES`, and applies only when the word has such a reading that is
    not already first):

    1. ``connegative``: after a negation verb (:data:`NEGATION`) the connegative of a verb
       (*en halua*: *haluta*, not *halu*).
    2. ``agreement``: after an attribute that agrees with it in case and number, the noun
       (*tänä aikana*, *siihen aikaan*, *tässä suhteessa*, *omalta pohjalta*, *hyvää
       seuraa*: Finnish attributes agree with their head noun, VISK § 1258). An attribute is
       an agreeing pronoun (:data:`ATTRIBUTE_PRONOUNS`; not a personal pronoun, whose
       genitive is a possessor: *minun aikana*), an adjective or a numeral. The cases come
       from the analyser (:meth:`Analyser.inflections`: Voikko's, or the fallback's
       surface endings, :func:`surface_case`); a nominative pair decides nothing. A noun
       before it (*vuoden aikana*) governs rather than agrees, so it keeps the adposition.
    3. ``numeral``: after a cardinal numeral from two up in the nominative (:data:`CARDINALS`,
       or digits), a partitive singular is the noun (*kaksi tapaa*, *3 osaa*; VISK § 772).
    4. ``subject``: after a nominative subject pronoun (:data:`SUBJECT_PRONOUNS`: *minä*,
       *hän*, *joka*, ...; spoken *ne* also with a singular verb, *ne korvaa*) or a noun or
       name in the nominative (third person: *tuomari mittaa*, *naiset juovat*), a finite
       verb form that agrees with it in person and number is the verb (*minä uskon*, *hän
       osaa*, *joka seuraa*), not the noun it is written like (VISK § 1283).
    5. ``object``: after a form of a verb that does not take an infinitive complement (not
       one of :data:`CATENATIVES`), a form that is both a partitive singular noun and a
       first infinitive (also in its spoken form, :func:`tymqual.spoken.spoken_ea`) is the
       noun, the verb's object (*saa tukea*, *on myönnetty tukea*, *pyytämässä tukea*,
       spoken *saa tukee*: *tuki*; *voi tukea*, *tavoitteena on tukea* keep the verb).

    Rules 2-4 leave a word alone whose likely base form has a reading as a pronoun, conjunction,
    adposition, adverb, numeral, interjection or name (*paremmin kuin*: *kuin* is no form
    of *kuu*), except an adverb that is a lexicalised case form (*aikana*), which is what rule
    2 is for. They reorder readings, so they change nothing where the analyser offers one
    reading only: simplemma, the fallback, gives one base form per word, so there they
    rarely apply (its surface cases, :func:`surface_case`, stand ready for an analyser
    with more readings).
    """
    if before.word.lower() in NEGATION:
        return "connegative" if _reorders(analysis, "teonsana") else ""
    if any(_function_word(r) for r in analysis.likely()):
        return ""
    for rule in ("agreement", "numeral", "subject", "object"):
        if _reorders(analysis, CONTEXT_RULES[rule]) and _RULES[rule](analyser, before, analysis):
            return rule
    return ""


#: The rule of :func:`suspended`: a word with a hyphen right after it and a space after that.
SUSPENDED = "suspended"
_SUSPENDED_WHY = "before a hyphen and a space: a compound's first part, its head shared"


def suspended(analysis: WordAnalysis) -> WordAnalysis:
    """``analysis`` read as the first part of a compound whose head it shares with a later
    word: *työ-* in *työ- ja elinkeinoministeriö*, *sosiaali-* in *sosiaali- ja
    terveyspalvelut* (VISK § 400: the hyphen stands for the shared part).

    Such a word is no occurrence of itself: the compound it stands for is *työministeriö*.
    Each reading becomes a first part (its base form and parts followed by ``-``), so
    ``compounds="any"`` still finds it as a compound part, while ``"off"`` and ``"head"``
    do not; the word counts as known (no spoken-form rule). The search index applies the
    rule where the text has a hyphen right after the word and a space or the end after it.
    """
    readings = tuple(Reading(f"{r.lemma}-", r.pos, parts=(*r.parts, "-"),
                             rule=f"{r.rule or r.pos}; {_SUSPENDED_WHY}")
                     for r in analysis.readings)
    return WordAnalysis(analysis.word, readings or (Reading(f"{analysis.word.lower()}-",
                                                            rule=_SUSPENDED_WHY),), True)


def read_in_context(analysis: WordAnalysis, rule: str) -> WordAnalysis:
    """``analysis`` as :func:`context_rule`'s ``rule`` reads it: the readings of that rule's
    word class first (the first of them naming the rule), the others after them; with
    :data:`SUSPENDED`, as :func:`suspended` reads it."""
    if rule == SUSPENDED:
        return suspended(analysis)
    pos = CONTEXT_RULES[rule]
    if not _reorders(analysis, pos):
        return analysis
    first = tuple(r for r in analysis.readings if r.pos == pos)
    others = tuple(r for r in analysis.readings if r.pos != pos)
    lead = replace(first[0], rule=f"{first[0].rule or pos}; {_CONTEXT_WHY[rule]}")
    return replace(analysis, readings=(lead, *first[1:], *others))


def connegative(analysis: WordAnalysis) -> WordAnalysis:
    """``analysis`` read right after a negation verb (:data:`NEGATION`): verbs first.

    Context rule: in *en halua*, *ei lähde*, *en tiedä* the word after the negation verb is
    the connegative of a verb, so a verb reading it has comes first (*halua*: *haluta*, not
    the noun *halu*). Returns ``analysis`` itself when a verb reading already leads or
    there is none. Search, autocoding and the suggester all apply it (the first of the
    rules of :func:`context_rule`).
    """
    return read_in_context(analysis, "connegative")


def may_set_context(analysis: WordAnalysis) -> bool:
    """Whether the word ``analysis`` is of may decide how the next word reads under
    :func:`context_rule` (a negation verb, an attribute, a numeral or a subject pronoun):
    an index asks the rules only after such words."""
    word = analysis.word.lower()
    return (word in NEGATION or word in SUBJECT_PRONOUNS or word in CARDINALS
            or word.isdigit() or _attribute(analysis)
            or analysis.readings[0].pos in (*_NOUN_CLASSES, "teonsana"))


def may_read_in_context(analysis: WordAnalysis) -> bool:
    """Whether some rule of :func:`context_rule` could change how ``analysis`` reads."""
    return any(_reorders(analysis, pos) for pos in set(CONTEXT_RULES.values()))


def _reorders(analysis: WordAnalysis, pos: str) -> bool:
    """Whether ``analysis`` has a reading of word class ``pos`` with another base form than
    its first reading's, the first reading not being of that class."""
    top = analysis.readings[0]
    return top.pos != pos and any(r.pos == pos and r.lemma != top.lemma
                                  for r in analysis.readings)


#: Word classes whose reading the rules after the first never move aside: pronouns,
#: conjunctions, adpositions, adverbs, numerals, interjections and names (*paremmin kuin*:
#: *kuin* is no instructive plural of *kuu*; *toisella kymmenellä*: no noun *kymmen*;
#: *yksikkö Suomi*: no verb *suomia*).
_KEPT_CLASSES = (FUNCTION_CLASSES | UNINFLECTED_CLASSES | _NOUN_CLASSES
                 | {"lukusana", "huudahdussana"}) - {"nimisana"}


def _function_word(reading: Reading) -> bool:
    """Whether ``reading`` is of a class in :data:`_KEPT_CLASSES`, other than an adverb
    that is a lexicalised case form (*aikana*, *onneksi*): those grew out of nouns."""
    return reading.pos in _KEPT_CLASSES and not reading.rule.startswith(LEXICALISED)


def _attribute(before: WordAnalysis) -> bool:
    """Whether ``before`` can be an agreeing attribute: by its likely reading, an agreeing
    pronoun, an adjective or a numeral."""
    top = before.readings[0]
    if top.lemma in _NOT_ATTRIBUTES:
        return False
    return top.lemma in ATTRIBUTE_PRONOUNS or top.pos in _ATTRIBUTE_CLASSES or (
        top.lemma in CARDINALS)


def _agrees(analyser: Analyser, before: WordAnalysis, analysis: WordAnalysis) -> bool:
    if not _attribute(before):
        return False
    mine = {(c, n) for pos, c, n in analyser.inflections(analysis.word)
            if pos in ("", "nimisana") and c and c != "nimento"}
    theirs = {(c, n) for _, c, n in analyser.inflections(before.word)}
    if before.readings[0].lemma in ATTRIBUTE_PRONOUNS and _infinitive(analyser, analysis):
        theirs.discard(("osanto", "singular"))  # "haluan sitä tukea": its object
        theirs.discard(("osanto", ""))
    return any(c == d and (n == m or "" in (n, m)) for c, n in mine for d, m in theirs)


def _infinitive(analyser: Analyser, analysis: WordAnalysis) -> bool:
    return any(c == "infinitive" for _, c, _ in analyser.inflections(analysis.word, verbs=True))


def _counted(analyser: Analyser, before: WordAnalysis, analysis: WordAnalysis) -> bool:
    word = before.word.lower()
    if not (word.isdigit() and word not in ("1", "0")) and word not in CARDINALS:
        return False
    return any(pos in ("", "nimisana") and c == "osanto" and n in ("", "singular")
               for pos, c, n in analyser.inflections(analysis.word))


def _has_subject(analyser: Analyser, before: WordAnalysis, analysis: WordAnalysis) -> bool:
    persons = _subject_persons(analyser, before)
    return any(pos in ("", "teonsana") and (c, n) in persons
               for pos, c, n in analyser.inflections(analysis.word, verbs=True))


def _subject_persons(analyser: Analyser, before: WordAnalysis) -> set[tuple[str, str]]:
    """The persons and numbers of a finite verb ``before`` can be the subject of: a subject
    pronoun's (spoken *ne* also with the singular, *ne tulee*: VISK § 1283), or a noun's or
    name's in the nominative, which is of the third person (*tuomari mittaa*, *naiset
    juovat*)."""
    word = before.word.lower()
    if word in SUBJECT_PRONOUNS:
        return {SUBJECT_PRONOUNS[word], *([("3", "singular")] if word == "ne" else [])}
    if before.readings[0].pos not in _NOUN_CLASSES:
        return set()
    return {("3", n) for pos, c, n in analyser.inflections(before.word)
            if pos in _NOUN_CLASSES and c == "nimento" and n}


def _governed(analyser: Analyser, before: WordAnalysis, analysis: WordAnalysis) -> bool:
    """Whether ``analysis`` is the partitive object of the verb form ``before`` (finite, a
    participle of a perfect, *on myönnetty tukea*, or an infinitive, *pyytämässä tukea*)."""
    top = before.readings[0]
    if top.pos != "teonsana" or top.lemma in CATENATIVES:
        return False
    spoken = spoken_ea(analysis.word)  # saa tukee: spoken tukea
    infinitive = _infinitive(analyser, analysis) or bool(spoken) and any(
        c == "infinitive" for _, c, _ in analyser.inflections(spoken, verbs=True))
    return infinitive and any(
        pos in ("", "nimisana") and c == "osanto" and n in ("", "singular")
        for pos, c, n in analyser.inflections(analysis.word))


_RULES: dict[str, Callable[[Analyser, WordAnalysis, WordAnalysis], bool]] = {
    "agreement": _agrees, "numeral": _counted, "subject": _has_subject, "object": _governed,
}
