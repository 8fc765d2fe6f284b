"""How Voikko's readings of an ambiguous form are ranked: the likelihood rules of
:func:`tymqual.morphology._rank` that decide which base form a search finds.

The expectations are facts of Finnish usage (which of two words a form usually is in running
text), each checked first to be a real ambiguity of Voikko's, so a test fails when the ranking
picks the rare word and is skipped only where Voikko does not offer both.
"""

from __future__ import annotations

import pytest

from tymqual import lexicon, morphology
from tymqual.errors import TymqualWarning
from tymqual.morphology import Analyser


def _lemmas(voikko: Analyser, form: str) -> list[str]:
    return [r.lemma for r in voikko.analyse(form).readings]


def _needs_both(voikko: Analyser, form: str, usual: str, rare: str) -> None:
    lemmas = _lemmas(voikko, form)
    if usual not in lemmas or rare not in lemmas:
        pytest.skip(f"this Voikko does not read {form!r} as both {usual!r} and {rare!r}")


# ---------------------------------------------------------------------------- archaic genitive
@pytest.mark.parametrize(("form", "law", "place"), [
    ("huoltolain", "huoltolaki", "huoltola"),
    ("päihdehuoltolain", "päihdehuoltolaki", "päihdehuoltola"),
    ("terveydenhuoltolain", "terveydenhuoltolaki", "terveydenhuoltola"),
    ("työterveyshuoltolain", "työterveyshuoltolaki", "työterveyshuoltola"),
])
def test_a_law_in_the_genitive_is_not_an_archaic_plural(voikko: Analyser, form: str, law: str,
                                                         place: str) -> None:
    """*-lain* after a word in *-la* is the genitive of *laki*, not the archaic plural
    genitive of a noun in *-la* (*huoltoloiden* today)."""
    _needs_both(voikko, form, law, place)
    assert _lemmas(voikko, form)[0] == law
    assert voikko.analyse(form).parts[-1] == "laki"


def test_the_archaic_genitive_stays_a_reading_and_the_only_one_wins(voikko: Analyser) -> None:
    readings = voikko.analyse("huoltolain").readings
    assert any(r.rule == morphology._ARCHAIC_GENITIVE for r in readings[1:])
    only = voikko.analyse("asiain").readings  # no other word: the archaic form is kept
    assert only and only[0].lemma == "asia"


# ---------------------------------------------------------------------------- frequency
@pytest.mark.parametrize(("form", "usual", "rare"), [
    ("kunnasta", "kunta", "kunnas"),       # from the municipality, not from the hill
    ("osasta", "osa", "osanen"),           # from the part, not of the particle
    ("vuoteen", "vuosi", "vuode"),         # into the year, not of the bed
    ("palvelusta", "palvelu", "palvelus"),  # from the service, not of the (military) service
    ("tiedosta", "tieto", "tiedostaa"),     # from the knowledge, not "be aware!"
    ("laista", "laki", "laistaa"),          # from the law, not "shirk!"
])
def test_the_frequent_word_comes_first(voikko: Analyser, form: str, usual: str,
                                       rare: str) -> None:
    _needs_both(voikko, form, usual, rare)
    assert _lemmas(voikko, form)[0] == usual
    assert voikko.matches(form, usual) and not voikko.matches(form, rare)


@pytest.mark.parametrize(("form", "usual", "rare"), [
    ("yhteispalvelusta", "yhteispalvelu", "yhteispalvelus"),
    ("maakunnasta", "maakunta", "maakunnas"),
])
def test_a_compound_is_read_by_its_frequent_head(voikko: Analyser, form: str, usual: str,
                                                 rare: str) -> None:
    _needs_both(voikko, form, usual, rare)
    assert _lemmas(voikko, form)[0] == usual


@pytest.mark.parametrize(("form", "verb", "noun"), [
    ("voisi", "voida", "voi"),   # the noun voi (butter) is written like the verb's voi
    ("voiko", "voida", "voi"),
    ("tuli", "tulla", "tuli"),   # the form itself is ambiguous: its frequency decides nothing
    ("toimi", "toimia", "toimi"),
])
def test_a_base_form_that_is_also_the_other_words_form_is_not_counted(
        voikko: Analyser, form: str, verb: str, noun: str) -> None:
    _needs_both(voikko, form, verb, noun)
    assert _lemmas(voikko, form)[0] == verb


def test_a_participle_is_weighed_by_its_own_form_not_its_verb(voikko: Analyser) -> None:
    """*tehtävän* (the task's) is not taken for *tehdä* because the verb is frequent: the
    participle *tehtävä* and the noun are the same word on paper."""
    _needs_both(voikko, "tehtävän", "tehtävä", "tehdä")
    assert _lemmas(voikko, "tehtävän")[0] == "tehtävä"


def test_the_margin_keeps_simplemma_when_frequencies_are_close(
        monkeypatch: pytest.MonkeyPatch) -> None:
    names = lambda head: {"aaa", "bbb"}  # noqa: E731
    frequencies = {"aaa": 4.0, "bbb": 4.5}
    monkeypatch.setattr(lexicon, "_frequencies", lambda: frequencies)
    nothing: set[str] = set()
    assert lexicon.likelier("x", "aaa", names, lambda _: nothing) == "aaa"
    frequencies["bbb"] = 4.0 + lexicon.FREQUENCY_MARGIN
    assert lexicon.likelier("x", "aaa", names, lambda _: nothing) == "bbb"
    assert lexicon.likelier("x", "-aaa", names, lambda _: nothing) == "-bbb"
    assert lexicon.likelier("x", "aaa", names, lambda w: {"aaa", "bbb"}) == "aaa"  # shared


def test_without_wordfreq_the_rule_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    lexicon._frequencies.cache_clear()
    monkeypatch.setattr(lexicon.importlib.util, "find_spec", lambda name: None)
    try:
        with pytest.warns(TymqualWarning, match="wordfreq is not installed"):
            assert lexicon._frequencies() == {}
        assert lexicon.likelier("x", "aaa", lambda head: {"aaa", "bbb"}, lambda _: set()) == "aaa"
    finally:
        lexicon._frequencies.cache_clear()


# ---------------------------------------------------------------------------- unknown compounds
@pytest.mark.parametrize(("form", "head"), [
    ("Finlexpalvelussa", "palvelu"),       # a name as the first part
    ("ampumaaselaissa", "laki"),           # ampuma-aselaissa without its hyphen
    ("päivittäistoimintaa", "toiminta"),   # a bound first part
    ("voimaantullessa", "tulla"),          # a verb compound Voikko does not list
])
def test_an_unknown_compound_is_found_by_its_known_head(voikko: Analyser, form: str,
                                                        head: str) -> None:
    ending = next(form.lower()[cut:] for cut in range(len(form))
                  if voikko.analyse(form.lower()[cut:]).known)
    assert not voikko.is_known(form) and voikko.is_known(ending)
    analysis = voikko.analyse(form)
    assert analysis.parts[-1] == head and not analysis.known
    assert voikko.matches(form, head, compounds="head")
    assert not voikko.matches(form, head, compounds="off")


@pytest.mark.parametrize("form", ["Robinsonilta", "Paddockissa", "sellasta", "ootteko"])
def test_a_short_ending_of_an_unknown_name_or_spoken_form_is_no_head(voikko: Analyser,
                                                                     form: str) -> None:
    """Ilta, kissa, lapsi, teko would end these only by accident: endings under six letters
    are not taken as heads."""
    analysis = voikko.analyse(form)
    assert len(analysis.parts) == 1 or not analysis.readings[0].rule.startswith("unknown")


def test_the_data_file_is_read_as_wordfreq_reads_it() -> None:
    """The Zipf frequencies read from wordfreq's file equal wordfreq's own, word for word."""
    wordfreq = pytest.importorskip("wordfreq")
    lexicon._frequencies.cache_clear()
    ours = lexicon._frequencies()
    theirs = wordfreq.get_frequency_dict("fi", wordlist="small")
    assert len(ours) == len(theirs) > 10_000
    for word in list(theirs)[::997]:
        assert ours[word] == pytest.approx(wordfreq.zipf_frequency(word, "fi"), abs=0.011)


def test_a_hit_chosen_by_frequency_says_so_in_its_why(voikko: Analyser) -> None:
    _needs_both(voikko, "kunnasta", "kunta", "kunnas")
    why = voikko.why("kunnasta", voikko.query("kunta"))
    assert "more frequent" in why and "kunnas" in why
    assert "more frequent" not in voikko.why("kunnan", voikko.query("kunta"))


# ---------------------------------------------------------------------------- prefixed verbs
@pytest.mark.parametrize(("form", "verb", "head"), [
    ("vastaanottaa", "vastaanottaa", "ottaa"),
    ("vastaanottava", "vastaanottaa", "ottaa"),     # its participle, read as the verb
    ("allekirjoitettu", "allekirjoittaa", "kirjoittaa"),
    ("läpikäydä", "läpikäydä", "käydä"),
])
def test_a_prefixed_verb_is_found_whole_and_as_a_head(voikko: Analyser, form: str, verb: str,
                                                      head: str) -> None:
    """Voikko marks a verb's prefix with ``=`` in its base form (``vastaan=ottaa``): the base
    form has no ``=``, and the verb is a compound whose head is the plain verb."""
    analysis = voikko.analyse(form)
    assert all("=" not in r.lemma and "=" not in "".join(r.parts) for r in analysis.readings)
    assert voikko.matches(form, verb, compounds="off")
    assert voikko.matches(form, head, compounds="head")
    assert not voikko.matches(form, head, compounds="off")


@pytest.mark.parametrize(("form", "verb"), [("palkkatuettu", "tukea"),
                                            ("palkkatuettuna", "tukea"),
                                            ("puolivalmistettu", "valmistaa")])
def test_a_compound_past_participle_has_its_verb_as_head(voikko: Analyser, form: str,
                                                          verb: str) -> None:
    analysis = voikko.analyse(form)
    if len(analysis.parts) < 2:
        pytest.skip(f"this Voikko does not read {form!r} as a compound")
    assert voikko.matches(form, verb, compounds="head")
    assert not voikko.matches(form, verb, compounds="off")


@pytest.mark.parametrize(("form", "noun"), [("kasvatustehtävä", "tehtävä"),
                                            ("työvoiman", "voima")])
def test_a_compound_noun_from_a_present_participle_stays_a_noun(voikko: Analyser, form: str,
                                                                noun: str) -> None:
    """*tehtävä* "task" and *voima* "force" head these compounds, not *tehdä*, *voida*."""
    assert voikko.analyse(form).parts[-1] == noun
    assert not voikko.matches(form, {"tehtävä": "tehdä", "voima": "voida"}[noun],
                              compounds="head")
