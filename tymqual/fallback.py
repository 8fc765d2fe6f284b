"""The fallback analyser: simplemma's dictionary lemmatiser, where Voikko is not installed.

simplemma gives one base form per word form and no compound structure, so this module adds
what Voikko would know: compound parts by a heuristic split against the words simplemma
lists (bound first parts, long first parts, a head split in turn), participles read as their
verb, a verb's infinitive from its present stem, and the homographs the context rules choose
between (:meth:`SimplemmaAnalyser._homographs`, by the word's ending).

Imports :mod:`tymqual.errors`, :mod:`tymqual.wordforms`, :mod:`tymqual.lexicon`,
:mod:`tymqual.spoken` and the standard library; simplemma itself when an analyser is made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tymqual.errors import TymqualError
from tymqual.lexicon import MIN_PART, likelier, zipf
from tymqual.spoken import VOWELS
from tymqual.wordforms import (
    INSTRUCTIVE,
    MA_ABESSIVE,
    Analyser,
    Reading,
    plausible,
    stopwords,
    surface_case,
)

__all__ = ["SimplemmaAnalyser", "without_possessive"]

_LEXICALISED_PARTICIPLE = "simplemma, lexicalised participle (a noun)"
#: How much rarer than its verb (Zipf units; 1.2 is about a sixteenth) a *-tAvA* participle
#: may be and still be read as a noun (:meth:`SimplemmaAnalyser._lexicalised_participle`).
_LEXICAL_MARGIN = 1.2
_MIN_SHORT_PART = 3  # shortest head (maa, työ, pää) or bound first part (esi, yli)
#: Shortest head of an unknown word's guessed compound (:meth:`SimplemmaAnalyser._guessed_parts`).
_MIN_GUESSED_HEAD = 4
_MIN_LONG_FIRST = 5  # shortest first part that may be any form simplemma lists (toimi-)
#: First parts that occur only in compounds (Iso suomen kielioppi § 409, *sidonnaiset
#: alkuosat*), which simplemma lists as no word of their own.
_BOUND_FIRST = frozenset({
    "ulko", "sisä", "pikku", "nyky", "suur", "esi", "yli", "ali", "lähi", "keski", "etu",
    "taka", "kanta", "perus", "vasta", "koko", "eri", "yhteis", "kauko",
})
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

    def _lexicalised_participle(self, word: str, lemma: str, verb: str) -> bool:
        """Whether the passive present participle ``lemma`` (*-tAvA*) of ``verb`` is a noun
        of its own here (VISK § 1532: *-tAvA* participles lexicalise as nouns, *tehtävä*).

        Three conditions: simplemma lists it as a base form and lists the inflected ``word``
        under it (*tehtävänä*, *tehtäviä* → *tehtävä*, the task), where it lists the forms
        of a plain participle under the verb (*annettavan* → *antaa*); it is no active
        participle in *-vA* after a *t* (*johta-va*, *päättä-vä*); and it is frequent,
        within :data:`_LEXICAL_MARGIN` of its verb in wordfreq's Zipf units (*tehtävä* 5.1,
        *tehdä* 6.0), where a plain participle is far rarer than its verb (*jaettava* 3.4,
        *jakaa* 5.0; *syötävä* 3.3, *syödä* 5.0). Such a participle is read first as the
        noun, the verb second, as the Voikko analyser ranks *tehtävä* by simplemma's usual
        base form.
        """
        active = lemma == f"{verb[:-1]}v{verb[-1]}"
        return (word != lemma and lemma.endswith(("tava", "tävä")) and not active
                and self._base(lemma) and self._lemma(word) == lemma
                and zipf(lemma) >= zipf(verb) - _LEXICAL_MARGIN)

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
                if verb and self._lexicalised_participle(word.lower(), lemma, verb):
                    return [Reading(lemma, "nimisana", rule=_LEXICALISED_PARTICIPLE),
                            Reading(verb, "teonsana", also=(lemma,),
                                    rule=f"simplemma, participle {lemma}")]
                if verb:
                    return [Reading(verb, "teonsana", also=(lemma,),
                                    rule=f"simplemma, participle {lemma}")]
                if _instructive_plural(word.lower(), lemma, self._split(lemma)):
                    return [Reading(word.lower(), "seikkasana", rule=INSTRUCTIVE),
                            Reading(lemma, parts=self._split(lemma), rule="simplemma")]
                return self._usual_readings(word.lower(), lemma)
        # simplemma's own guess for unknown compounds sometimes keeps the wrong part
        # (hyvinvointialue -> hyvinvointi), so a split into known words comes first.
        for bare in (_CLITIC.sub("", word), *_possessive_bases(word.lower())):
            if bare != word and len(bare) >= MIN_PART:
                # a form under a possessive suffix or clitic is no instructive adverb
                readings = [r for r in self._readings(bare) if r.rule != INSTRUCTIVE]
                if readings:
                    return readings
        split = self._split_inflected(word.lower())
        if not split:
            return []
        return [Reading("".join(split), parts=split, rule="simplemma, split compound")]

    def _usual_readings(self, word: str, lemma: str) -> list[Reading]:
        """The readings of a form simplemma lists as a form of ``lemma``, the usual first.

        - **Archaic plural genitive** (*huoltolain* read as *huoltola*'s *-in* genitive,
          VISK § 97): a form that is ``lemma`` + *-in*, ``lemma`` ending in *a*/*ä*, is read
          as a compound whose last word is a singular genitive when it splits so
          (:meth:`_split_inflected`: *huolto* + *lain* → *laki*); the archaic form is rare
          beside the law's genitive, as the Voikko analyser ranks it (``_archaic_genitive``).
        - **The far more frequent noun** (:meth:`_likelier_noun`): *palvelusta* is
          *palvelu*'s elative before *palvelus*', *vuoteen* *vuosi*'s illative before
          *vuode*'s, *tiedosta* *tieto*'s before the verb *tiedostaa*.
        """
        if _archaic_genitive(word, lemma):
            split = self._split_inflected(word)
            if split and split[-1] != lemma:
                return [Reading("".join(split), parts=split,
                                rule="simplemma, split compound (not an archaic genitive)")]
        readings = [Reading(lemma, parts=self._split(lemma), rule="simplemma"),
                    *self._homographs(word, lemma)]
        noun = self._likelier_noun(word, lemma)
        if noun:
            first = Reading(noun, "nimisana", self._split(noun),
                            rule=f"simplemma, case form, likelier than {lemma}")
            return [first, *(r for r in readings if r.lemma != noun)]
        return readings

    def _likelier_noun(self, word: str, lemma: str) -> str:
        """The noun the case ending of ``word`` leaves (:meth:`_case_nouns`) when it is far
        more frequent in Finnish than simplemma's ``lemma`` (:func:`likelier`, wordfreq's
        Zipf frequency by :data:`FREQUENCY_MARGIN <tymqual.lexicon.FREQUENCY_MARGIN>`), else
        ``""``. simplemma lists one base form per form, not always the usual one."""
        nouns = [n for n in self._case_nouns(word, plural=False)
                 if n != lemma and n not in stopwords()]
        if not nouns:
            return ""
        chosen = likelier(word, lemma, lambda head: {lemma, *nouns},
                          lambda w: {self._lemma(w)})
        return chosen if chosen in nouns else ""

    def _head_lemma(self, last: str, lemma: str) -> str:
        """The base form of a compound's last word ``last``, which simplemma reads as
        ``lemma``: a noun its case ending leaves (:meth:`_case_nouns`) before a verb, as a
        compound's head is rarely a verb (*valtion+tukien* is *tuki*'s plural genitive, not
        a form of *tukea*; *matka+tiedosta* *tieto*'s elative, not *tiedostaa*: VISK § 400,
        nominal compounds have a nominal head), else the likelier noun
        (:meth:`_likelier_noun`: *yhteis+palvelusta* → *palvelu*), else ``lemma``."""
        if _infinitive_shaped(lemma) and lemma != last:
            nouns = [n for n in self._case_nouns(last, plural=False)
                     if n != lemma and not _infinitive_shaped(n) and n not in stopwords()]
            if nouns:
                return nouns[0]
        return self._likelier_noun(last, lemma) or lemma

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
        nouns = self._case_nouns(word)
        return nouns[0] if nouns else ""

    def _case_nouns(self, word: str, plural: bool = True) -> list[str]:
        """The nouns a case ending of ``word`` leaves: the stem when simplemma lists it as a
        base form (*aika-na*, *palvelu-sta*); else the base form of the stem's inessive,
        adessive, genitive or essive that simplemma lists (*suhtee-ssa* → *suhde*,
        *vuote-en* → *vuote-na* → *vuosi*); for a plural genitive in *-ien*, the *i*-stem
        noun (*tuk-ien* → *tuki*, *lak-ien* → *laki*). Without ``plural``, what looks like a
        plural stem (*toiminto-i-hin*) asks no other form, as simplemma lists some plural
        forms under a word of another stem (*toimintoissa* → *toiminta*)."""
        case = surface_case(word)
        ending = _CASE_STEM.get(case)
        if ending is None:
            return []
        stem = word[: len(word) - ending(word)]
        harmony = "ä" if any(c in stem for c in "äöy") else "a"
        if len(stem) < _MIN_SHORT_PART:
            return []
        if self._base(stem):  # the essive and partitive of many nouns: aika-na, tausta-a
            return [stem]
        out = []
        if word.endswith("ien") and self._base(word[:-3] + "i"):
            out.append(word[:-3] + "i")
        if not plural and stem[-1] in "ij" and stem[-2] in VOWELS:
            return out
        for form in (f"{stem}ss{harmony}", f"{stem}ll{harmony}", f"{stem}n",
                     f"{stem}n{harmony}"):
            found = self._known_lemma(form) if form != word and self._known(form) else ""
            if found not in ("", word, form) and found[:2] == word[:2] and self._base(found):
                out.append(found)
        return list(dict.fromkeys(out))

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
        parts = self._split(lemma)
        if len(parts) == 1:
            parts = self._guessed_parts(lemma)
        return [Reading(lemma, parts=parts, rule="simplemma guess")]

    def _guessed_parts(self, lemma: str) -> tuple[str, ...]:
        """An unknown word's guessed base form read as a compound of an unknown first part
        and the longest ending of :data:`_MIN_GUESSED_HEAD` letters or more that simplemma
        lists as a base form (*trans+laki*, *finlex+palvelu*, *vienninedistämis+palvelu*):
        new compounds are made freely in Finnish (VISK § 400) and a dictionary cannot list
        them all, as the Voikko analyser's ``_guess`` reads them. The first part has at least
        three letters and a vowel. Neither part is a function word (*olen+nainen* for
        *olennaisinta*); the head is no verb (shaped like an infinitive), as a compound's
        head is a noun (see :meth:`_head_lemma`), nor does it begin with *tu-*/*ty-* after a
        vowel, the passive past participle's ending (*mainit-tu-ista*,
        which simplemma guesses as *maini+tuki*: VISK § 522)."""
        for cut in range(_MIN_SHORT_PART, len(lemma) - _MIN_GUESSED_HEAD + 1):
            first, head = lemma[:cut], lemma[cut:]
            participle = first[-1] in VOWELS and head.startswith(("tu", "ty"))
            if (any(c in VOWELS for c in first) and not participle
                    and head not in stopwords() and first not in stopwords()
                    and not _infinitive_shaped(head) and self._base(head)):
                return (*self._split(first), *self._split(head))
        return (lemma,)

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
                if lemma and _archaic_genitive(last, lemma):
                    continue  # huolto-lain, not huoltola-in (see _usual_readings)
                lemma = self._head_lemma(last, lemma) if lemma else lemma
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


def _archaic_genitive(word: str, lemma: str) -> bool:
    """Whether ``word`` is the archaic plural genitive in *-in* of ``lemma``, a noun in
    *-a*/*-ä* (*huoltolain* of *huoltola*; today *huoltoloiden*, VISK § 97)."""
    return len(lemma) >= MIN_PART and lemma.endswith(("a", "ä")) and word == lemma + "in"


def _possessive_bases(word: str) -> list[str]:
    """:func:`without_possessive`, the third person's long vowel + *n* only after a case
    ending that ends in the vowel it lengthens (*rahoista-an*, *kotia-an*, *hänelle-en*,
    *avukse-en*), so that *tavoitteen* and *vuoteen* (a genitive, an illative) keep their
    *-en* (VISK § 95)."""
    bare = without_possessive(word)
    long_vowel = word[:-2] if len(word) > 3 and word[-1] == "n" and word[-2] == word[-3] else ""
    if long_vowel and not long_vowel.endswith(("a", "ä", "lle", "kse")):
        bare = [b for b in bare if b != long_vowel]
    return bare


def _long_syllable(part: str) -> bool:
    """Whether a three-letter first part is a one-syllable word with a long vowel or a
    diphthong (*maa*, *työ*, *pää*, *tie*), the shape Finnish monosyllabic nouns have
    (VISK § 8), so *maa*tiedon splits as *maa* + *tiedon* while *kas*, *hän* do not."""
    return (len(part) == _MIN_SHORT_PART and part[0] not in VOWELS
            and part[1] in VOWELS and part[2] in VOWELS)


def without_possessive(word: str) -> list[str]:
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


def _instructive_plural(word: str, lemma: str, parts: tuple[str, ...]) -> bool:
    """The fallback's :func:`_instructive_adverb`, by the ending: ``word`` is the
    instructive plural of the noun ``lemma`` (*osa* → *osin*, *talo* → *taloin*), not a
    verb's past (*sanoa* → *sanoin*) nor an *i*-stem's genitive (*laki* → *lain*)."""
    if len(parts) > 1:
        return False
    if lemma[-1:] in ("a", "ä"):
        return word == lemma[:-1] + "in" and not _infinitive_shaped(lemma)
    return lemma[-1:] in ("o", "u", "y", "ö") and word == lemma + "in"
