"""The fallback analyser's rules for the usual reading (issue 17, sixth round).

simplemma gives one base form per word form, which for a homograph need not be the usual
word; these tests hold the fallback (:mod:`tymqual.fallback`) to facts of Finnish grammar on
several words per rule. Each case first checks that simplemma really gives the rare reading,
so a test says something only where the rule is needed, and skips with the reason otherwise.
"""

from __future__ import annotations

import pytest

from tymqual.morphology import Analyser


def _simplemma_lemma(word: str) -> str:
    import simplemma

    return str(simplemma.lemmatize(word, lang="fi")).lower()


def _needs_wordfreq() -> None:
    from tymqual.lexicon import zipf

    if zipf("vuosi") == 0:
        pytest.skip("wordfreq's Finnish list is not installed: no frequencies to compare")


# (form, the usual base form, the rare word simplemma lists the form under): the elative of
# palvelu and of osa, the illative of vuosi, the elative of tieto and of kunta.
@pytest.mark.parametrize(("word", "usual", "rare"), [
    ("palvelusta", "palvelu", "palvelus"), ("vuoteen", "vuosi", "vuode"),
    ("tiedosta", "tieto", "tiedostaa"), ("osasta", "osa", "osanen"),
    ("kunnasta", "kunta", "kunnas"),
])
def test_a_case_form_reads_first_as_its_far_more_frequent_noun(
        fallback: Analyser, word: str, usual: str, rare: str) -> None:
    _needs_wordfreq()
    if _simplemma_lemma(word) != rare:
        pytest.skip(f"simplemma gives {_simplemma_lemma(word)} for {word}, not {rare}")
    assert fallback.lemmas(word)[0] == usual
    assert rare in fallback.lemmas(word)  # kept as a later reading
    assert fallback.matches(word, usual)


@pytest.mark.parametrize("word", ["toimintoihin", "toiminnoista", "tehtäviä"])
def test_a_plural_stem_is_not_read_as_another_words_form(fallback: Analyser, word: str) -> None:
    """toiminto-i-hin is toiminto's, whatever simplemma lists toimintoissa under."""
    assert fallback.lemmas(word)[0] != "toiminta" or word == "toiminnoista"


# Compounds whose last word simplemma reads as a verb (tukien: tukea; tiedosta: tiedostaa),
# though it is a noun's case form: a compound's head is a noun (VISK § 400).
@pytest.mark.parametrize(("word", "head", "verb_word"), [
    ("valtiontukien", "tuki", "tukien"), ("kriisitukien", "tuki", "tukien"),
    ("investointitukien", "tuki", "tukien"), ("matkatiedosta", "tieto", "tiedosta"),
    ("asumistukien", "tuki", "tukien"),
])
def test_a_compounds_head_is_a_noun_before_a_verb(
        fallback: Analyser, word: str, head: str, verb_word: str) -> None:
    verb = _simplemma_lemma(verb_word)
    if not verb.endswith(("a", "ä")) or verb == head:
        pytest.skip(f"simplemma reads {verb_word} as {verb}, no verb")
    assert fallback.head(word) == head
    assert fallback.matches(word, head, compounds="head")
    assert not fallback.matches(word, verb, compounds="head")


# The singular genitive of a compound ending in laki (-lain), which simplemma reads as the
# archaic plural genitive of a noun in -la (huoltola, tietola).
@pytest.mark.parametrize("word", [
    "huoltolain", "päihdehuoltolain", "sosiaalihuoltolain", "luottotietolain",
    "työterveyshuoltolain",
])
def test_a_laws_genitive_is_no_archaic_plural_genitive(fallback: Analyser, word: str) -> None:
    assert fallback.head(word) == "laki"
    assert fallback.matches(word, "laki", compounds="head")
    assert not fallback.matches(word, "laki")  # a compound, not the word itself


@pytest.mark.parametrize(("word", "lemma"), [("lain", "laki"), ("kalain", "kala")])
def test_a_word_that_splits_no_further_keeps_its_genitive(
        fallback: Analyser, word: str, lemma: str) -> None:
    """kalain cannot be split into two words, so its archaic genitive reading stands."""
    assert fallback.lemmas(word)[0] == lemma


# An -e-stem's genitive or illative ends in a long vowel + n like a third person possessive
# (rahoista-an), but no case ending precedes it: the word keeps its -en.
@pytest.mark.parametrize(("word", "lemma", "head"), [
    ("aikataulutavoitteen", "aikataulutavoite", "tavoite"),
    ("rahoistaan", "raha", "raha"), ("kotiaan", "koti", "koti"),
    ("säästötavoitteen", "säästötavoite", "tavoite"),
])
def test_a_possessive_long_vowel_follows_a_case_ending(
        fallback: Analyser, word: str, lemma: str, head: str) -> None:
    assert fallback.lemmas(word)[0] == lemma
    assert fallback.head(word) == head


# Words no dictionary lists, made of an unknown first part and a known noun (a name, an
# acronym, a neologism): the noun is the compound's head.
@pytest.mark.parametrize(("word", "head"), [
    ("translain", "laki"), ("finlexpalvelussa", "palvelu"), ("digipalvelussa", "palvelu"),
    ("qwertytoimistossa", "toimisto"),
])
def test_an_unknown_compound_is_found_by_its_known_head(
        fallback: Analyser, word: str, head: str) -> None:
    import simplemma

    if simplemma.is_known(word, lang="fi"):
        pytest.skip(f"simplemma lists {word}")
    assert fallback.head(word) == head
    assert fallback.matches(word, head, compounds="head")
    assert not fallback.matches(word, head)


# Unknown forms whose ending only looks like a known word: a passive past participle
# (mainit-tu-ista, not maini+tuki) and a superlative after a verb form (olennaisinta is
# olennainen's, not olen+nainen).
@pytest.mark.parametrize(("word", "not_head"), [
    ("mainituista", "tuki"), ("valituille", "tuki"), ("havaituista", "tuki"),
    ("olennaisinta", "nainen"),
])
def test_an_unknown_word_is_no_compound_of_a_participle_or_a_function_word(
        fallback: Analyser, word: str, not_head: str) -> None:
    assert not fallback.matches(word, not_head, compounds="head")


# -tAvA participles lexicalised as nouns: tehtävä (a task) is far more frequent than a plain
# participle, and simplemma lists its case forms under it; a plain participle's case forms
# (annettavan, järjestettävä) and an active participle (johtavan) stay forms of the verb.
@pytest.mark.parametrize("word", ["tehtävänä", "tehtäviä", "tehtävien", "tehtäviin"])
def test_a_lexicalised_participle_reads_first_as_its_noun(fallback: Analyser, word: str) -> None:
    _needs_wordfreq()
    if _simplemma_lemma(word) != "tehtävä":
        pytest.skip(f"simplemma gives {_simplemma_lemma(word)} for {word}")
    assert fallback.lemmas(word)[0] == "tehtävä"
    assert fallback.matches(word, "tehtävä")
    assert not fallback.matches(word, "tehdä")
    assert fallback.matches(word, "tehdä", readings="all")  # the participle stays a reading


@pytest.mark.parametrize(("word", "verb"), [
    ("annettavan", "antaa"), ("johtavan", "johtaa"), ("päättävät", "päättää"),
    ("järjestettävä", "järjestää"), ("jaettavan", "jakaa"),
])
def test_a_plain_participle_stays_a_form_of_its_verb(
        fallback: Analyser, word: str, verb: str) -> None:
    assert fallback.matches(word, verb)
