"""Finnish base forms, compounds, spoken forms, sentences and stop words.

The word lists below are study keywords of the demo (Kela's TYM interviews) in the forms an
interview uses them. Voikko must get every one right. The fallbacks (simplemma, Snowball)
are measured instead: ``test_figures`` writes recall and precision to
``test-artifacts/morphology_<analyser>.txt`` and asserts the minimum reached when the lists
were written, so a regression fails while the misses stay on record. The lists guided the
simplemma rules (plural nominatives, clitics, compound splits), so its figure on them is
optimistic; the figure that was not tuned for is agreement with Voikko on every word form of
the demo interviews, written to the same file with the first words that differ.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pytest

import tymqual
from tymqual import morphology
from tymqual.context_rules import CATENATIVES
from tymqual.errors import TymqualError, TymqualWarning
from tymqual.morphology import Analyser, get_analyser, sentences, spoken_match, stopwords
from tymqual.text import words

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

#: term -> inflected forms that must match it with compounds="off".
INFLECTED: dict[str, list[str]] = {
    "johtoryhmä": [
        "johtoryhmässä", "johtoryhmälle", "johtoryhmiin", "johtoryhmän", "johtoryhmää",
        "johtoryhmästä", "johtoryhmät", "johtoryhmissä", "johtoryhmien", "johtoryhmältä",
        "Johtoryhmäkin", "johtoryhmähän", "johtoryhmille",
    ],
    "sopimusneuvottelu": [
        "sopimusneuvotteluissa", "sopimusneuvottelut", "sopimusneuvottelujen",
        "sopimusneuvotteluista", "sopimusneuvotteluun", "sopimusneuvottelussa",
        "sopimusneuvotteluihin",
    ],
    "Kela": [
        "Kelan", "Kelasta", "Kelassa", "Kelalle", "Kelaa", "Kelalla", "Kelaan", "Kelalta",
        "Kelakin", "KELAN",
    ],
    "THL": ["THL:n", "THL:ssä", "THL:ltä", "THL:lle", "THL:ää", "THL:stä", "THL"],
    "verkostojohtaja": [
        "verkostojohtajan", "verkostojohtajalle", "verkostojohtajat", "verkostojohtajia",
        "verkostojohtajana", "verkostojohtajalla", "verkostojohtajien", "verkostojohtajaa",
        "verkostojohtajilta",
    ],
    "hyvinvointialue": [
        "hyvinvointialueella", "hyvinvointialueen", "hyvinvointialueet", "hyvinvointialueiden",
        "hyvinvointialueille", "hyvinvointialueelta", "hyvinvointialuetta", "hyvinvointialueilla",
    ],
    "työllisyysalue": [
        "työllisyysalueen", "työllisyysalueella", "työllisyysalueet", "työllisyysalueiden",
        "työllisyysalueelle", "työllisyysaluetta", "työllisyysalueilla",
    ],
    "mallisopimus": [
        "mallisopimuksen", "mallisopimusta", "mallisopimuksessa", "mallisopimukset",
        "mallisopimuksia", "mallisopimukseen", "mallisopimuksesta",
    ],
    "yhteistoimintamalli": [
        "yhteistoimintamallin", "yhteistoimintamallia", "yhteistoimintamallissa",
        "yhteistoimintamallit", "yhteistoimintamalleja", "yhteistoimintamalliin",
        "yhteistoimintamallista",
    ],
    "asiakassuunnitelma": [
        "asiakassuunnitelman", "asiakassuunnitelmaa", "asiakassuunnitelmassa",
        "asiakassuunnitelmat", "asiakassuunnitelmia", "asiakassuunnitelmaan",
        "asiakassuunnitelmista",
    ],
    "yhdenvertaisuus": [
        "yhdenvertaisuuden", "yhdenvertaisuutta", "yhdenvertaisuudesta", "yhdenvertaisuuteen",
        "yhdenvertaisuudessa",
    ],
    "ohjaus": [
        "ohjauksen", "ohjausta", "ohjauksessa", "ohjaukseen", "ohjaukset", "ohjauksesta",
        "ohjauksia",
    ],
    "kunta": ["kunnan", "kunnassa", "kuntaa", "kunnat", "kuntien", "kunnille", "kunnista"],
    "alue": ["alueen", "alueella", "alueelle", "alueet", "alueiden", "aluetta"],
    "EU": ["EU:n", "EU:ssa", "EU:sta", "EU:lle"],
    "TE-toimisto": ["TE-toimiston", "TE-toimistossa", "TE-toimistoon"],
}
#: Spoken, clipped forms no dictionary lists; matched by the bounded prefix rule.
SPOKEN: dict[str, list[str]] = {
    "johtoryhmä": ["johtoryhmäs", "johtoryhmäl", "johtoryhmis"],
    "Kela": ["Kelal", "Kelalt", "Kelas"],
    "hyvinvointialue": ["hyvinvointialueel"],
    "sopimusneuvottelu": ["sopimusneuvotteluis"],
}
#: (word, term) pairs that must never match, in any compounds mode.
DISTRACTORS: list[tuple[str, str]] = [
    ("kun", "kunta"), ("kunnes", "kunta"), ("kuntoon", "kunta"), ("kuntoutus", "kunta"),
    ("alueellinen", "alue"), ("alueellisesti", "alue"), ("alueellisen", "alue"),
    ("johto", "johtoryhmä"), ("johdon", "johtoryhmä"), ("johtaa", "johtoryhmä"),
    ("ryhmä", "johtoryhmä"), ("ryhmässä", "johtoryhmä"),
    ("johtaja", "verkostojohtaja"), ("verkosto", "verkostojohtaja"),
    ("sopimus", "mallisopimus"), ("sopimuksen", "mallisopimus"), ("malli", "mallisopimus"),
    ("mallin", "yhteistoimintamalli"), ("yhteistoiminta", "yhteistoimintamalli"),
    ("yhteistoiminnan", "yhteistoimintamalli"),
    ("neuvottelu", "sopimusneuvottelu"), ("neuvottelut", "sopimusneuvottelu"),
    ("kello", "Kela"), ("keli", "Kela"), ("kelata", "Kela"),
    ("ohjaaja", "ohjaus"), ("ohjata", "ohjaus"), ("ohjelma", "ohjaus"),
    ("yhdenvertainen", "yhdenvertaisuus"),
    ("työllisyys", "työllisyysalue"), ("työllisyyden", "työllisyysalue"),
    ("hyvinvointi", "hyvinvointialue"), ("hyvinvoinnin", "hyvinvointialue"),
    ("asiakas", "asiakassuunnitelma"), ("suunnitelma", "asiakassuunnitelma"),
    ("suunnitelman", "asiakassuunnitelma"), ("Euroopan", "EU"), ("toimisto", "TE-toimisto"),
]
#: (word, term, mode) that match only thanks to compound analysis.
COMPOUND_MATCHES = [
    ("verkostojohtajalle", "johtaja", "head"), ("mallisopimuksen", "sopimus", "head"),
    ("yhteistoimintasopimuksessa", "sopimus", "head"), ("hyvinvointialueella", "alue", "head"),
    ("sopimusneuvotteluissa", "neuvottelu", "head"), ("johtoryhmässä", "ryhmä", "head"),
    ("työllisyysalueiden", "alue", "head"), ("asiakassuunnitelmaa", "suunnitelma", "head"),
    ("yhteistoimintamallin", "malli", "head"),
    ("verkostojohtajalle", "verkosto", "any"), ("mallisopimuksen", "malli", "any"),
    ("johtoryhmässä", "johto", "any"), ("sopimusneuvotteluissa", "sopimus", "any"),
    ("asiakassuunnitelmaa", "asiakas", "any"),
]
#: (word, term, mode) that a mode must refuse: a head is not a first part, off is off.
COMPOUND_REFUSALS = [
    ("verkostojohtajalle", "johtaja", "off"), ("hyvinvointialueella", "alue", "off"),
    ("verkostojohtajalle", "verkosto", "head"), ("mallisopimuksen", "malli", "head"),
    ("johtoryhmässä", "johto", "head"), ("asiakassuunnitelmaa", "asiakas", "head"),
]
#: Lowest figures accepted per analyser, as measured when the lists were written (the
#: artefact files name each miss). "demo" is agreement with Voikko on the demo's vocabulary.
MINIMUM = {
    "voikko": {"recall": 1.0, "spoken": 1.0, "precision": 1.0, "compound_matches": 1.0,
               "compound_refusals": 1.0},
    # "demo" was 0.90 before Voikko read participles as their verbs (asettanut → asettaa).
    "simplemma": {"recall": 0.98, "spoken": 1.0, "precision": 1.0, "compound_matches": 1.0,
                  "compound_refusals": 1.0, "demo": 0.89},
    # A stemmer: "kun" and "kunta" share the stem "kun"; compounds are not analysed at all.
    # Its "demo" figure fell from 0.80 to 0.79 when Voikko began to read participles as
    # their verbs (päättänyt → päättää), which a stem cannot follow.
    "snowball": {"recall": 0.98, "spoken": 1.0, "precision": 0.94, "compound_matches": 0.0,
                 "compound_refusals": 1.0, "demo": 0.79},
}

INFLECTED_CASES = [(term, form) for term, forms in INFLECTED.items() for form in forms]
SPOKEN_CASES = [(term, form) for term, forms in SPOKEN.items() for form in forms]


def _analyser(name: str) -> Analyser:
    try:
        return get_analyser(name)
    except TymqualError as exc:
        pytest.skip(f"{name} is not installed here: {exc}")


@pytest.fixture(scope="module", params=["voikko", "simplemma"])
def strict(request: pytest.FixtureRequest) -> Analyser:
    """The analysers held to every distractor and compound case (Snowball is measured)."""
    return _analyser(request.param)


def test_the_lists_are_as_large_as_promised() -> None:
    assert len(INFLECTED_CASES) >= 80 and len(INFLECTED) >= 10
    assert len(DISTRACTORS) >= 30


# ---------------------------------------------------------------------------- Voikko, case by case
@pytest.mark.parametrize(("term", "form"), INFLECTED_CASES)
def test_voikko_matches_every_inflected_form(voikko: Analyser, term: str, form: str) -> None:
    assert voikko.matches(form, term), (form, term, voikko.analyse(form))


@pytest.mark.parametrize(("term", "form"), SPOKEN_CASES)
def test_voikko_matches_spoken_forms_of_query_terms(
    voikko: Analyser, term: str, form: str
) -> None:
    assert not _voikko_bases(form)  # no dictionary word: only the spoken rules can find it
    assert voikko.matches(form, term)


@pytest.mark.parametrize(("word", "term"), DISTRACTORS)
@pytest.mark.parametrize("compounds", ["off", "head", "any"])
def test_distractors_never_match(strict: Analyser, word: str, term: str, compounds: str) -> None:
    assert not strict.matches(word, term, compounds=compounds), strict.analyse(word)  # type: ignore[arg-type]


@pytest.mark.parametrize(("word", "term", "compounds"), COMPOUND_MATCHES)
def test_compound_modes_find_heads_and_parts(
    strict: Analyser, word: str, term: str, compounds: str
) -> None:
    assert strict.matches(word, term, compounds=compounds)  # type: ignore[arg-type]


@pytest.mark.parametrize(("word", "term", "compounds"), COMPOUND_REFUSALS)
def test_compound_modes_stay_within_their_scope(
    strict: Analyser, word: str, term: str, compounds: str
) -> None:
    assert not strict.matches(word, term, compounds=compounds)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("verkostojohtaja", ("verkosto", "johtaja")),
        ("verkostojohtajalle", ("verkosto", "johtaja")),
        ("johtoryhmässä", ("johto", "ryhmä")),
        ("sopimusneuvotteluissa", ("sopimus", "neuvottelu")),
        ("mallisopimuksen", ("malli", "sopimus")),
        ("Kelan", ("kela",)),
    ],
)
def test_compound_parts_and_head(strict: Analyser, word: str, parts: tuple[str, ...]) -> None:
    assert strict.compound_parts(word) == parts
    assert strict.head(word) == parts[-1]


def test_voikko_reduces_genitive_first_parts_and_deep_compounds(voikko: Analyser) -> None:
    assert voikko.compound_parts("yhteistoimintamallissa") == ("yhteis", "toiminta", "malli")
    assert voikko.head("hyvinvointialueiden") == "alue"
    # A derivation of "yhdenvertainen" (a boundary inside one lexeme, no compound boundary
    # in Voikko's analysis) is one word, so "yksi" never finds it as a compound part.
    assert voikko.compound_parts("yhdenvertaisuutta") == ("yhdenvertaisuus",)


@pytest.mark.parametrize(
    ("word", "lemma"),
    [("THL:n", "thl"), ("EU:ssa", "eu"), ("THL", "thl"), ("TE-toimiston", "te-toimisto"),
     ("Kelasta", "kela"), ("KELAN", "kela"), ("hyvinvointialueilla", "hyvinvointialue")],
)
def test_lemmas_are_lower_case_base_forms(strict: Analyser, word: str, lemma: str) -> None:
    assert strict.lemmas(word)[0] == lemma
    assert all(m == m.lower() for m in strict.lemmas(word))


def test_hyphenated_word_keeps_its_first_part(strict: Analyser) -> None:
    assert strict.compound_parts("TE-toimiston") == ("te", "toimisto")
    assert strict.matches("TE-toimistossa", "toimisto", compounds="head")


@pytest.mark.parametrize(
    ("word", "first"),
    [
        ("ainoa", "ainoa"),  # Voikko also offers the first name Aino
        ("Aino", "aino"),
        ("silloin", "silloin"),  # an adverb before the plural of "silta"
        ("eli", "eli"),  # a conjunction before the past of "elää"
        ("heitä", "he"),  # a pronoun before "heittää"
        ("voi", "voida"),  # ... but a verb before an interjection
        ("johtamisessa", "johtaminen"),  # Voikko's MINEN infinitive read as the noun
    ],
)
def test_voikko_puts_the_likely_reading_first(voikko: Analyser, word: str, first: str) -> None:
    assert voikko.lemmas(word)[0] == first


def test_minen_nouns_match_their_verb_only_with_derivations(voikko: Analyser) -> None:
    # UD's convention: a -minen noun is a base form of its own; derivations= adds the verb.
    assert voikko.lemmas("johtamisesta") == ("johtaminen",)
    assert not voikko.matches("johtamisesta", "johtaa")
    assert voikko.matches("johtamisesta", "johtaa", derivations=True)
    assert not voikko.matches("johti", "johtaminen", derivations=True)
    assert voikko.matches("verkostojohtamisen", "johtaminen", compounds="head")
    assert voikko.compound_parts("verkostojohtamisen") == ("verkosto", "johtaminen")


def test_analyses_are_cached_per_word_form(strict: Analyser) -> None:
    assert strict.analyse("johtoryhmässä") is strict.analyse("johtoryhmässä")


# ---------------------------------------------------------------------------- the spoken rule
@pytest.mark.parametrize(
    ("word", "lemma", "expected"),
    [
        ("johtoryhmäs", "johtoryhmä", True),  # whole term + 1 letter
        ("johtoryhmis", "johtoryhmä", True),  # stem vowel changed: all but the last letter
        ("kelal", "kela", True),
        ("kelalt", "kela", True),
        ("johtoryhmässäkin", "johtoryhmä", False),  # 6 letters left over
        ("kello", "kela", False),  # a short term must be there whole
        ("kun", "kunta", False),  # shorter than the term
        ("johto", "johtoryhmä", False),
        ("alueellinen", "alue", False),
        ("eus", "eu", False),  # terms under 4 letters never take spoken forms
    ],
)
def test_spoken_match_is_bounded(word: str, lemma: str, expected: bool) -> None:
    assert spoken_match(word, lemma) is expected


def test_known_words_never_take_the_spoken_rule(voikko: Analyser) -> None:
    # "kunnes" would pass the prefix test against "kunne..." terms; it is a known word.
    assert voikko.is_known("alueellinen")
    assert not voikko.matches("alueellinen", "alueelli")


# ---------------------------------------------------------------------------- figures
def _rate(
    analyser: Analyser, lines: list[str], label: str, cases: list[tuple[str, str, str]],
    want: bool,
) -> float:
    wrong = [(w, t, m) for w, t, m in cases
             if analyser.matches(w, t, compounds=m) is not want]  # type: ignore[arg-type]
    value = 1 - len(wrong) / len(cases)
    lines.append(f"{label}: {len(cases) - len(wrong)}/{len(cases)} = {value:.3f}")
    lines.extend(f"    wrong: {w!r} ~ {t!r} (compounds={m})" for w, t, m in wrong)
    return value


def _demo_agreement(analyser: Analyser, lines: list[str]) -> float | None:
    """Share of the demo's word forms known to Voikko that match Voikko's base form."""
    try:
        reference = get_analyser("voikko")
    except TymqualError:
        return None
    demo = tymqual.open_project(ROOT)
    vocabulary = sorted({w for text in demo.turns()["text"] for w in words(text)
                         if any(ch.isalpha() for ch in w) and reference.is_known(w)})
    missed = [w for w in vocabulary
              if not any(analyser.matches(w, lemma) for lemma in reference.lemmas(w))]
    same = len(vocabulary) - len(missed)
    lines.append(f"demo vocabulary matching one of Voikko's base forms: {same}/{len(vocabulary)}"
                 f" = {same / len(vocabulary):.3f}")
    lines.extend(f"    differs: {w!r}: {analyser.lemmas(w)[0]!r}, Voikko {reference.lemmas(w)}"
                 for w in missed[:60])
    return same / len(vocabulary)


@pytest.mark.parametrize("name", ["voikko", "simplemma", "snowball"])
def test_figures(name: str) -> None:
    analyser = _analyser(name)
    lines = [f"analyser: {name}"]
    figures = {
        "recall": _rate(analyser, lines, "inflected forms matched (recall)",
                        [(f, t, "off") for t, f in INFLECTED_CASES], True),
        "spoken": _rate(analyser, lines, "spoken forms matched",
                        [(f, t, "off") for t, f in SPOKEN_CASES], True),
        "precision": _rate(analyser, lines, "distractors refused, all modes (precision)",
                           [(w, t, m) for w, t in DISTRACTORS for m in ("off", "head", "any")],
                           False),
        "compound_matches": _rate(analyser, lines, "compound matches found",
                                  COMPOUND_MATCHES, True),
        "compound_refusals": _rate(analyser, lines, "compound refusals kept",
                                   COMPOUND_REFUSALS, False),
    }
    if name != "voikko" and (agreement := _demo_agreement(analyser, lines)) is not None:
        figures["demo"] = agreement
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"morphology_{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for key, minimum in MINIMUM[name].items():
        if key in figures:
            assert figures[key] >= minimum, (name, key, figures[key], lines)


# ---------------------------------------------------------------------------- choosing
@pytest.fixture
def fresh_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """get_analyser() as in a new process."""
    monkeypatch.setattr(morphology, "_INSTANCES", {})
    monkeypatch.setattr(morphology, "_FAILURES", {})
    monkeypatch.setattr(morphology, "_WARNED", set())


def test_without_voikko_simplemma_is_used_and_named_once(
    fresh_choice: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "libvoikko", None)  # import fails as if not installed
    with pytest.warns(TymqualWarning, match="simplemma, not Voikko") as caught:
        first = get_analyser()
        second = get_analyser()
    assert first is second and first.name == "simplemma"
    assert len(caught) == 1
    assert "apt-get install libvoikko1 voikko-fi" in str(caught[0].message)
    with pytest.raises(TymqualError, match="voikko-fi"):
        get_analyser("voikko")


def test_with_voikko_there_is_no_warning(fresh_choice: None) -> None:
    _analyser("voikko")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_analyser().name == "voikko"


def test_unknown_analyser_and_compound_mode_are_refused(voikko: Analyser) -> None:
    with pytest.raises(TymqualError, match="choose one of voikko, simplemma, snowball"):
        get_analyser("omorfi")
    with pytest.raises(TymqualError, match="compounds='all'"):
        voikko.matches("kela", "kela", compounds="all")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- sentences
TURN = "No tota. Johtoryhmä kokoontuu esim. 3.10. Kelan tiloissa! Onko THL:n ohje valmis?\n" \
       "Toinen rivi ilman pistettä\n\n  Kolmas kappale."


def test_sentences_split_a_turn_into_offsets() -> None:
    spans = sentences(TURN, start=100)
    assert [TURN[s - 100 : e - 100] for s, e in spans] == [
        "No tota.",
        "Johtoryhmä kokoontuu esim. 3.10.",  # "esim." does not end a sentence
        "Kelan tiloissa!",
        "Onko THL:n ohje valmis?",
        "Toinen rivi ilman pistettä",  # a blank line ends a sentence
        "Kolmas kappale.",  # white space around a sentence is not part of it
    ]


def test_sentences_of_blank_text_are_none() -> None:
    assert sentences("  \n \n") == []


@pytest.mark.parametrize(
    "text",
    [
        "Kela ja kunta sopivat\nyhdessä asiasta.",  # hard-wrapped: a line break alone
        "No... [naurahtaa] ne ovat kestäneet kauan.",  # a pause, then lower case
    ],
)
def test_one_sentence_across_a_line_break_or_a_pause(text: str) -> None:
    assert sentences(text) == [(0, len(text))]


def test_agreement_autocoding_and_suggestions_cut_sentences_by_one_rule() -> None:
    from tymqual import agreement, search

    assert agreement.sentence_spans is morphology.sentence_spans
    assert search.sentences is morphology.sentences


# ---------------------------------------------------------------------------- stop words
def test_stopwords_hold_function_words_and_fillers_only() -> None:
    stop = stopwords()
    assert isinstance(stop, frozenset)
    assert {"no", "niinku", "tota", "tuota", "siis", "että", "ja", "on", "ei", "mä", "kun"} <= stop
    assert not {"asia", "aika", "hyvä", "työ", "kela", "johtoryhmä", "alue", "oma"} & stop
    assert all(w == w.lower() and " " not in w for w in stop)
    assert len(stop) > 200


# ---------------------------------------------------------------------------- issue 17 rules
#: (form, verb): participles, infinitives and passives are forms of their verb (UD's rule).
VERB_FORMS = [
    ("päättänyt", "päättää"), ("päätetty", "päättää"), ("toiminut", "toimia"),
    ("myönnetty", "myöntää"), ("koulutettujen", "kouluttaa"), ("tehtäessä", "tehdä"),
    ("tekemällä", "tehdä"), ("tarvitaan", "tarvita"), ("ollaan", "olla"),
    ("johdettiin", "johtaa"), ("päättävä", "päättää"), ("sovittu", "sopia"),
    ("tehtyään", "tehdä"), ("kertomaan", "kertoa"),
]


@pytest.mark.parametrize(("form", "verb"), VERB_FORMS)
def test_verb_forms_are_found_by_their_verb(voikko: Analyser, form: str, verb: str) -> None:
    assert voikko.matches(form, verb), voikko.analyse(form)
    assert voikko.lemmas(form)[0] == verb


@pytest.mark.parametrize(("form", "participle"), [
    ("koulutettujen", "koulutettu"), ("päätetyt", "päätetty"), ("päättävää", "päättävä"),
])
def test_a_participle_query_still_finds_its_own_forms(
        voikko: Analyser, form: str, participle: str) -> None:
    assert voikko.matches(form, participle)


#: (text form, typed query, found with readings="likely", found with readings="all").
HOMOGRAPHS = [
    ("tilassa", "tilanne", False, True),  # "tilanne" can be a form of "tila"
    ("tilasin", "tilanne", False, True),  # ... and of "tilata"
    ("tilanteessa", "tilanne", True, True),
    ("toimii", "toimi", False, True),  # the noun "toimi" is no form of "toimia"
    ("toimessa", "toimi", True, True),
    ("tukee", "tuki", False, True),
    ("tuen", "tuki", True, True),
    ("tappoi", "tapa", False, True),
    ("tavalla", "tapa", True, True),
    ("tilanne", "tila", False, True),  # the form usually reads as "tilanne"
]


@pytest.mark.parametrize(("form", "query", "likely", "every"), HOMOGRAPHS)
def test_the_query_is_the_typed_base_form(
        voikko: Analyser, form: str, query: str, likely: bool, every: bool) -> None:
    assert voikko.matches(form, query) is likely, voikko.analyse(form)
    assert voikko.matches(form, query, readings="all") is every


@pytest.mark.parametrize(("form", "query"), [
    ("tunnetuin", "tuki"), ("samanlaista", "laki"), ("pikaruokalasta", "lapsi"),
    ("yhteistoimintamallista", "mallinen"),
])
def test_compound_heads_come_from_the_likely_reading_only(
        voikko: Analyser, form: str, query: str) -> None:
    for compounds in ("off", "head", "any"):
        assert not voikko.matches(form, query, compounds=compounds)  # type: ignore[arg-type]


@pytest.mark.parametrize(("form", "query"), [
    ("sosiaalilainsäädännön", "lainsäädäntö"), ("perustuslain", "laki"),
    ("verkostojohtajalle", "johtaja"), ("lastensuojelulaissa", "laki"),
    ("kuntayhteistyöryhmässä", "yhteistyöryhmä"),
])
def test_a_compound_query_is_found_as_the_head_of_a_longer_compound(
        voikko: Analyser, form: str, query: str) -> None:
    assert voikko.matches(form, query, compounds="head")
    assert not voikko.matches(form, query, compounds="off")


def test_only_real_compound_boundaries_split_a_word(voikko: Analyser) -> None:
    # Derivational boundaries (saman=lainen, hyvin=vointi) are inside one word.
    assert voikko.compound_parts("samanlaista") == ("samanlainen",)
    assert voikko.compound_parts("sosiaalilainsäädännön") == ("sosiaali", "laki", "säädäntö")


@pytest.mark.parametrize("form", sorted(morphology.SPOKEN_FORMS))
def test_every_spoken_table_entry_is_unknown_and_maps_to_a_real_base_form(
        voikko: Analyser, form: str) -> None:
    lemma, _ = morphology.SPOKEN_FORMS[form]
    raw = morphology.VoikkoAnalyser._raw(voikko, form)  # type: ignore[arg-type]
    assert raw == [], f"{form!r} is a standard word; the table must not override it"
    assert lemma in voikko.lemmas(lemma), f"{lemma!r} is no base form Voikko knows"
    assert voikko.matches(form, lemma)


@pytest.mark.parametrize(("form", "verb"), [
    ("tehny", "tehdä"), ("ottanu", "ottaa"), ("tullu", "tulla"), ("menny", "mennä"),
    ("lähtis", "lähteä"), ("tekis", "tehdä"), ("puhuttii", "puhua"), ("tultii", "tulla"),
])
def test_spoken_forms_with_a_dropped_last_sound(voikko: Analyser, form: str, verb: str) -> None:
    assert voikko.matches(form, verb)


@pytest.mark.parametrize("chain", ["vauva-taapero-lapsi-teini", "äiti-isä-lapsi",
                                   "koulu-koti-harrastus"])
def test_a_hyphen_chain_is_read_word_by_word(strict: Analyser, chain: str) -> None:
    for word in chain.split("-"):
        assert strict.matches(chain, word, compounds="off"), (chain, word)


def test_a_two_part_hyphen_word_is_a_compound_not_a_chain(voikko: Analyser) -> None:
    assert not voikko.matches("TE-toimiston", "te")
    assert voikko.matches("TE-toimiston", "toimisto", compounds="head")


@pytest.mark.parametrize(("form", "query", "derived"), [
    ("johtamisesta", "johtaa", True), ("johtajalle", "johtaa", True),
    ("kehittämisessä", "kehittää", True), ("johti", "johtaminen", False),
])
def test_derivations_only_when_asked(voikko: Analyser, form: str, query: str,
                                     derived: bool) -> None:
    assert not voikko.matches(form, query)
    assert voikko.matches(form, query, derivations=True) is derived


@pytest.mark.parametrize("word", ["esimerkiksi", "varmasti", "mielestä", "lailla"])
def test_lexicalised_adverbs_are_their_own_base_form(voikko: Analyser, word: str) -> None:
    assert voikko.lemmas(word)[0] == word


@pytest.mark.parametrize(("word", "wrong"), [
    ("työ", "sinä"), ("teistä", "sinä"), ("teilleen", "sinä"), ("olkapäävaiva", "olkapää"),
    ("tyttöpari", "tyttö"),
])
def test_the_fallback_refuses_simplemmas_known_wrong_lemmas(
        fallback: Analyser, word: str, wrong: str) -> None:
    import simplemma

    assert simplemma.lemmatize(word, lang="fi") == wrong  # the wrong lemma is really there
    assert wrong not in fallback.lemmas(word)


def test_the_fallback_never_gives_a_base_form_with_another_first_letter(
        fallback: Analyser) -> None:
    demo = tymqual.open_project(ROOT)
    vocabulary = {w for text in demo.turns()["text"] for w in words(text)}
    broken = {w: fallback.lemmas(w)[0] for w in vocabulary
              if fallback.lemmas(w)[0][:1] != w[:1].lower()
              and fallback.lemmas(w)[0] not in ("hyvä", "paljon")}
    assert not broken


# ---------------------------------------------------------------------------- issue 17, round 2
def _voikko_bases(word: str) -> set[str]:
    import libvoikko

    return {str(a["BASEFORM"]).lower() for a in libvoikko.Voikko("fi").analyze(word)}


@pytest.mark.parametrize(("standard", "spoken"), [
    ("tule", "tules"), ("sanokaa", "sanokaas"), ("tiedä", "tiedäs"), ("mene", "meneppäs"),
    ("antaisiko", "antaisiks"), ("odota", "oota"),
    ("tehdään", "tehään"), ("kahden", "kahen"), ("haluat", "haluut"),
    ("odota", "ootappas"),
    ("kirjoittaa", "kirjottaa"), ("tarkoitan", "tarkotan"), ("rauhoittua", "rauhottua"),
    ("katsella", "kattella"), ("metsässä", "mettässä"), ("katsoo", "kattoo"),
    ("vaikea", "vaikee"), ("pimeä", "pimee"), ("kirjoittamassa", "kirjottamassa"),
])
def test_regular_spoken_sound_rules_find_the_standard_word(
        voikko: Analyser, standard: str, spoken: str) -> None:
    # The expected base form is Voikko's own for the standard spelling.
    assert not _voikko_bases(spoken) and _voikko_bases(standard)
    assert voikko.lemmas(spoken)[0] in _voikko_bases(standard)
    assert any(v == standard for v, _ in morphology.spoken_variants(spoken))


@pytest.mark.parametrize("word", ["tietysti", "antavasti", "menevimpiä", "paremmin"])
def test_compared_or_sti_participles_are_no_verb_forms(voikko: Analyser, word: str) -> None:
    import libvoikko

    verbs = {str(a["FSTOUTPUT"]).split("[Xp]")[1].split("[X]")[0]
             for a in libvoikko.Voikko("fi").analyze(word) if "[Lt]" in str(a["FSTOUTPUT"])}
    assert not any(voikko.matches(word, verb) for verb in verbs)


@pytest.mark.parametrize(("form", "verb"), [("saavani", "saada"), ("tekevänsä", "tehdä"),
                                            ("olevansa", "olla")])
def test_a_participle_clause_with_a_possessive_suffix_is_its_verb(
        voikko: Analyser, form: str, verb: str) -> None:
    assert voikko.matches(form, verb)


@pytest.mark.parametrize(("form", "verb"), [("sanomatta", "sanoa"), ("tietämättä", "tietää"),
                                            ("kysymättä", "kysyä")])
def test_the_ma_infinitive_abessive_reads_as_its_verb(
        voikko: Analyser, form: str, verb: str) -> None:
    assert voikko.lemmas(form)[0] == verb


@pytest.mark.parametrize("first", ["ulko", "koti", "työ", "talon", "pikku"])
@pytest.mark.parametrize("head", ["maa", "mies", "lapsi", "päivä"])
def test_the_fallback_splits_at_known_word_boundaries(
        fallback: Analyser, first: str, head: str) -> None:
    import simplemma

    word = first + head
    if not simplemma.is_known(word, lang="fi") or simplemma.lemmatize(word, lang="fi") != word:
        pytest.skip(f"simplemma does not list {word} as a base form of its own")
    assert fallback.matches(word, head, compounds="head")
    assert not fallback.matches(word, head)


@pytest.mark.parametrize("word", ["harmaa", "kohtalo", "olennainen", "punainen", "päätös"])
def test_the_fallback_leaves_words_with_no_known_first_part_whole(
        fallback: Analyser, word: str) -> None:
    assert len(fallback.compound_parts(word)) == 1


def test_the_kept_dictionary_seed_index_answers_as_simplemma_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("simplemma")
    from tymqual import lexicon
    from tymqual.lexicon import _IndexedFactory, _usual_dictionary

    if _usual_dictionary() is None:
        pytest.skip("simplemma has no low-memory stream dictionary here (before 2.0)")
    from simplemma.strategies.dictionaries import stream_dictionary_factory as stream

    stored: dict[str, bytes] = {}
    monkeypatch.setattr(lexicon, "_INDEX_STORE", None)  # restored after the test
    morphology.keep_dictionary_index(stored.get, stored.__setitem__)
    reference = _IndexedFactory(stream).get_dictionary("fi")  # walks the stream, keeps seeds
    assert len(stored) == 1
    seeded = _IndexedFactory(stream).get_dictionary("fi")  # the kept seeds, no walk
    assert seeded is not reference
    demo = tymqual.open_project(ROOT)
    sample = sorted({w for text in demo.turns()["text"] for w in words(text)})
    for word in [*sample, "xqzt", "Tilanne", "ääliö", "ö", "zzzzzz", "a"]:
        assert seeded.get(word) == reference.get(word), word
    name = next(iter(stored))
    stored[name] = stored[name][:1000]  # a damaged index: simplemma loads its own way
    assert _IndexedFactory(stream).get_dictionary("fi").get("talossa") == "talo"


@pytest.mark.parametrize(("participle", "verb"), [
    ("antava", "antaa"), ("pitävä", "pitää"), ("saava", "saada"), ("tuleva", "tulla"),
    ("menevä", "mennä"), ("saatava", "saada"), ("tehnyt", "tehdä"), ("mennyt", "mennä"),
    ("sanonut", "sanoa"), ("halunnut", "haluta"), ("päättänyt", "päättää"),
])
def test_the_fallback_reads_a_participle_as_its_verb(
        fallback: Analyser, participle: str, verb: str) -> None:
    import simplemma

    if simplemma.lemmatize(participle, lang="fi") == verb:
        pytest.skip(f"simplemma already gives {verb} for {participle}")
    assert fallback.lemmas(participle)[0] == verb
    assert fallback.matches(participle, verb)


@pytest.mark.parametrize("word", ["kova", "hyvä", "kuva", "lava", "kaunis", "valtava"])
def test_the_fallback_leaves_words_that_only_end_like_participles(
        fallback: Analyser, word: str) -> None:
    assert fallback.lemmas(word)[0] == word


@pytest.mark.parametrize(("word", "head"), [("EU-maiden", "maa"), ("kunnia-asia", "asia"),
                                            ("sote-alueella", "alue")])
def test_the_fallback_splits_a_compound_at_its_hyphen(
        fallback: Analyser, word: str, head: str) -> None:
    assert fallback.matches(word, head, compounds="head")
    assert not fallback.matches(word, head)


def test_the_fallback_drops_a_full_stop_from_simplemmas_base_forms(fallback: Analyser) -> None:
    import simplemma

    odd = [w for w in ("miehenä", "miehinä") if simplemma.lemmatize(w, lang="fi").endswith(".")]
    if not odd:
        pytest.skip("this simplemma gives no base form with a full stop")
    assert all(not lemma.endswith(".") for w in odd for lemma in fallback.lemmas(w))
    assert all(fallback.matches(w, "mies") for w in odd)


# ---------------------------------------------------------------------------- issue 17, round 3
def _voikko_verbs(word: str) -> set[str]:
    """The verbs Voikko names in ``word``'s analyses (the ``[Lt]`` root of its FSTOUTPUT)."""
    try:
        import libvoikko

        analyses = libvoikko.Voikko("fi").analyze(word)
    except (ImportError, OSError):
        pytest.skip("Voikko is not installed: it is the answer key of this test")
    root = re.compile(r"\[Lt\](?:\[I[a-z]+\])?\[Xp\]([^\[]*)\[X\]")
    return {m.group(1) for a in analyses for m in [root.match(str(a["FSTOUTPUT"]))] if m}


@pytest.mark.parametrize("form", [
    "pidetty", "annettu", "otettu", "ymmärretty", "luettu", "lähdetty", "tunnettu",  # gradation
    "näkevän", "tekevän", "tulleessa", "pessyt", "tehdylle", "haluttu", "sanottu",
    "tietämätön", "sanomatta", "kysymättä",
    "eroavat", "palaavan", "vetoava", "ratkaisevien", "valitseva", "lakkaamatta",  # types 4-6
    "muistettava", "kantavat",
])
def test_the_fallback_reads_participles_and_their_gradation_as_voikko_does(
        fallback: Analyser, form: str) -> None:
    verbs = _voikko_verbs(form)
    assert verbs, f"Voikko reads {form} as no verb form"
    assert fallback.lemmas(form)[0] in verbs


@pytest.mark.parametrize("word", ["vahva", "hattu", "tuttu", "elämä", "antavasti", "juttu",
                                  "laiva", "vauva", "rouva", "kohtu", "valtava", "kirjava"])
def test_the_fallback_reads_no_verb_where_the_ending_only_looks_like_a_participle(
        fallback: Analyser, word: str) -> None:
    lemma = fallback.lemmas(word)[0]
    assert lemma[-2:] not in ("aa", "ää", "da", "dä", "la", "lä", "ta", "tä") or lemma == word


@pytest.mark.parametrize("first", ["nais", "ihmis", "maalais", "perus"])
@pytest.mark.parametrize(("head", "inflected"), [("tyttö", "tyttöjä"), ("työ", "työ"),
                                                ("johtaja", "johtajalle")])
def test_the_fallback_splits_an_inen_or_bound_first_part_off_a_known_head(
        fallback: Analyser, first: str, head: str, inflected: str) -> None:
    # The -is form is how an -inen word begins a compound (nainen -> naisjohtaja).
    word = first + inflected
    assert fallback.matches(word, head, compounds="head")
    assert not fallback.matches(word, head)


@pytest.mark.parametrize("word", ["työpaikkaansa", "rahoistaan", "talossani", "kodissamme",
                                  "lapsensa", "karkkirahoistaan"])
def test_the_fallback_finds_a_form_with_a_possessive_suffix_by_voikkos_base_form(
        fallback: Analyser, word: str) -> None:
    bases = _voikko_bases_or_skip(word)
    assert fallback.lemmas(word)[0] in bases


def _voikko_bases_or_skip(word: str) -> set[str]:
    try:
        return _voikko_bases(word)
    except (ImportError, OSError):
        pytest.skip("Voikko is not installed: it is the answer key of this test")


@pytest.mark.parametrize("word", ["tiiäks", "kertoneeksi"])
def test_the_fallback_splits_no_word_into_a_short_unlisted_first_part(
        fallback: Analyser, word: str) -> None:
    assert len(fallback.compound_parts(word)) == 1


@pytest.mark.parametrize("verb_stem", ["tule", "teke", "kirjoitta", "puhu", "lähte", "puhkea"])
def test_a_minen_partitive_comes_before_the_agent_participles_elative_plural(
        voikko: Analyser, verb_stem: str) -> None:
    import libvoikko

    a = "a" if any(c in verb_stem for c in "aou") else "ä"  # e and i are neutral
    form = f"{verb_stem}mist{a}"
    raw = libvoikko.Voikko("fi").analyze(form)
    if not any(r.get("MOOD") == "MINEN-infinitive" for r in raw):
        pytest.skip(f"Voikko reads {form} as no -minen form")
    assert voikko.lemmas(form)[0] == f"{verb_stem}minen"


def test_the_fallback_never_reads_a_stop_listed_function_word_as_a_content_word(
        fallback: Analyser) -> None:
    import simplemma

    listed = stopwords()
    # Every stop-listed word simplemma's table maps to a word outside the list (tuota ->
    # tuottaa, niitä -> niittää, näin -> nähdä), computed from simplemma itself.
    mapped = {w: str(simplemma.lemmatize(w, lang="fi")).lower() for w in listed}
    content = {w: lemma for w, lemma in mapped.items() if lemma != w and lemma not in listed}
    assert content, "simplemma maps no stop-listed word to a content word here"
    wrong = {w: fallback.lemmas(w)[0] for w in content if fallback.lemmas(w)[0] == content[w]}
    assert not wrong
    assert all(fallback.lemmas(w)[0] in listed for w in listed)


@pytest.mark.parametrize(("form", "verb", "root"), [
    ("kannattavia", "kannattaa", "kantaa"), ("kohdistunut", "kohdistua", "kohdistaa"),
    ("perusteltu", "perustella", "perustaa"), ("valmistuneet", "valmistua", "valmistaa"),
    ("tyhjentänyt", "tyhjentää", "tyhjetä"), ("pistelty", "pistellä", "pistää"),
])
def test_a_participle_of_a_derived_verb_is_that_verb_not_its_root(
        voikko: Analyser, form: str, verb: str, root: str) -> None:
    assert verb in _voikko_bases(verb)  # Voikko knows the derived verb as a word of its own
    assert voikko.matches(form, verb)
    assert not voikko.matches(form, root)


# ---------------------------------------------------------------------------- context rules
def _read_after(analyser: Analyser, before: str, word: str) -> tuple[str, str]:
    """The context rule that reads ``word`` after ``before`` and the base form it gives."""
    rule = morphology.context_rule(analyser, analyser.analyse(before), analyser.analyse(word))
    read = morphology.read_in_context(analyser.analyse(word), rule) if rule else (
        analyser.analyse(word))
    return rule, read.readings[0].lemma


# (attribute, word, the noun) - the attribute in the same case as the word (VISK § 1258).
AGREEING = [
    ("tänä", "aikana", "aika"), ("siihen", "aikaan", "aika"), ("tässä", "suhteessa", "suhde"),
    ("omalta", "pohjalta", "pohja"), ("tämän", "kerran", "kerta"),
]


@pytest.mark.parametrize(("before", "word", "noun"), AGREEING)
def test_an_agreeing_attribute_makes_a_lexicalised_case_form_its_noun(
        strict: Analyser, before: str, word: str, noun: str) -> None:
    alone = strict.analyse(word)
    assert alone.readings[0].lemma != noun  # alone it reads as the adposition or adverb
    assert noun in alone.lemmas  # and the analyser offers the noun as another reading
    assert _read_after(strict, before, word) == ("agreement", noun)


@pytest.mark.parametrize(("before", "word"), [
    ("tässä", "aikana"),  # inessive before essive: no agreement
    ("vuoden", "aikana"),  # a noun's genitive governs the adposition
    ("minun", "kerran"),  # a personal pronoun's genitive is a possessor
    ("siihen", "suhteessa"),
])
def test_no_agreement_keeps_the_usual_reading(strict: Analyser, before: str, word: str) -> None:
    assert _read_after(strict, before, word) == ("", strict.analyse(word).readings[0].lemma)


# (subject, finite form, the verb): the verb agrees with its subject in person and number.
SUBJECTS = [
    ("minä", "tulen", "tulla"), ("mä", "tulen", "tulla"), ("hän", "osaa", "osata"),
    ("joka", "seuraa", "seurata"), ("se", "tapaa", "tavata"),
]


@pytest.mark.parametrize(("before", "word", "verb"), SUBJECTS)
def test_a_subject_pronoun_makes_an_agreeing_finite_form_the_verb(
        strict: Analyser, before: str, word: str, verb: str) -> None:
    assert strict.analyse(word).readings[0].lemma != verb
    assert _read_after(strict, before, word) == ("subject", verb)


@pytest.mark.parametrize(("before", "word"), [
    ("hän", "tulen"), ("minä", "osaa"), ("sinä", "seuraa"), ("me", "tapaa")])
def test_a_subject_of_another_person_decides_nothing(
        strict: Analyser, before: str, word: str) -> None:
    assert _read_after(strict, before, word)[0] == ""


@pytest.mark.parametrize(("before", "word", "expected"), [
    ("tuomari", "mittaa", ("subject", "mitata")),  # a nominative noun is a third person
    ("naiset", "vastaavat", ("subject", "vastata")),  # not the noun vastaava (counterpart)
    ("kaksi", "palaa", ("numeral", "pala")),  # a cardinal's partitive singular, not "burns"
    ("3", "palaa", ("numeral", "pala")),
    ("hyvää", "tukea", ("agreement", "tuki")),
    ("sitä", "tukea", ("", "tukea")),  # "haluan sitä tukea": the pronoun is its object
    ("saavat", "tukea", ("object", "tuki")),  # a verb's partitive object: the noun
    ("tarjotaan", "tukea", ("object", "tuki")),
    ("myönnetty", "tukea", ("object", "tuki")),  # "on myönnetty tukea": a perfect's participle
    ("pyytämässä", "tukea", ("object", "tuki")),
    ("voi", "tukea", ("", "tukea")),  # a modal verb takes the infinitive
    ("päätti", "tukea", ("", "tukea")),
    ("on", "tukea", ("", "tukea")),  # "tavoitteena on tukea": the infinitive as predicative
    ("saa", "tukee", ("object", "tuki")),  # spoken -ee for -ea: "ne saa tukee"
    ("tarvii", "tukee", ("object", "tuki")),  # spoken tarvitsee, then spoken tukea
    ("se", "tukee", ("", "tukea")),  # "se tukee": it supports
    ("paremmin", "kuin", ("", "kuin")),  # a conjunction is never moved aside
    ("yksikkö", "Suomi", ("", "suomi")),  # nor a name
])
def test_voikko_context_rules(
        voikko: Analyser, before: str, word: str, expected: tuple[str, str]) -> None:
    assert _read_after(voikko, before, word) == expected


def test_the_rules_name_themselves_in_why(strict: Analyser) -> None:
    query = strict.query("aika")
    read = morphology.read_in_context(strict.analyse("aikana"), "agreement")
    assert not strict.analyse("aikana").why(query)
    assert "agrees in case" in read.why(query)
    read = morphology.read_in_context(strict.analyse("tulen"), "subject")
    assert "subject pronoun" in read.why(strict.query("tulla"))
    assert morphology.read_in_context(read, "subject") is read  # read once, stays


SURFACE_FORMS = ("talossa", "talosta", "talolla", "talolta", "talolle", "talotta", "taloksi",
                 "talona", "taloon", "taloihin", "huoneeseen", "talon", "maahan", "kylässä",
                 "pöydältä", "tätä", "hyvää", "aikana", "tänä", "siihen", "tähän")


@pytest.mark.parametrize("form", SURFACE_FORMS)
def test_the_surface_case_is_one_voikko_gives(voikko: Analyser, form: str) -> None:
    cases = {c for _, c, _ in voikko.inflections(form)}
    assert cases, f"Voikko gives {form} no case"
    assert morphology.surface_case(form) in cases


# Compounds whose first part simplemma does not list as a base form (issue 17, fifth round):
# a compound first part, a one-syllable first part before an inflected head, a loan
# adjective's bare stem, a listed form of another word, a head that is a compound itself.
LONG_COMPOUNDS = [
    ("ympäristönsuojeluohjelmaan", "ohjelma"), ("sairaanhoitopiirin", "piiri"),
    ("lastensuojeluilmoitus", "ilmoitus"), ("ympäristöterveysohjelmaa", "ohjelma"),
    ("suoalueella", "alue"), ("tieverkossa", "verkko"), ("sosiaalineuvojalle", "neuvoja"),
    ("digitaalipalvelut", "palvelu"), ("opintorahaa", "raha"), ("voimaantuloa", "tulo"),
    ("toimikunnissa", "kunta"), ("kokoaikatyöstä", "työ"),
]


@pytest.mark.parametrize(("word", "head"), LONG_COMPOUNDS)
def test_long_compounds_are_found_by_their_head(strict: Analyser, word: str, head: str) -> None:
    assert strict.matches(word, head, compounds="head"), strict.analyse(word)
    assert not strict.matches(word, head, compounds="off")
    assert strict.analyse(word).parts[-1] == head
    assert strict.analyse(word).readings[0].lemma.endswith(head)


@pytest.mark.parametrize(("form", "noun"), [("ryhmin", "ryhmä"), ("taloin", "talo")])
def test_a_nouns_instructive_plural_is_an_adverb(strict: Analyser, form: str, noun: str) -> None:
    # Finnish keeps the instructive only in fixed expressions (ryhmin "in groups").
    first = strict.analyse(form).readings[0]
    assert (first.lemma, first.pos) == (form, "seikkasana")
    assert "instructive" in first.rule
    assert not strict.matches(form, noun)
    assert strict.matches(form, noun, readings="all")


@pytest.mark.parametrize(("form", "word"), [("lain", "laki"), ("sanoin", "sanoa"),
                                            ("väkivalloin", "väkivalta")])
def test_forms_with_other_readings_are_no_instructive_adverb(
        strict: Analyser, form: str, word: str) -> None:
    # lain is also laki's genitive, sanoin "I said"; a compound's instructive stays a noun
    assert strict.matches(form, word)


@pytest.mark.parametrize(("form", "bare", "noun"), [
    ("osaltani", "osalta", "osa"), ("osaltamme", "osalta", "osa"),
    ("puolestani", "puolesta", "puoli"), ("mielestään", "mielestä", "mieli")])
def test_a_lexicalised_case_form_keeps_its_reading_under_a_possessive_suffix(
        strict: Analyser, form: str, bare: str, noun: str) -> None:
    assert strict.analyse(form).readings[0].lemma == bare
    assert not strict.matches(form, noun)


# A third person singular of each verb of CATENATIVES (olla and the impersonal täytyä aside).
THIRD_PERSONS = {
    "voida": "voi", "saattaa": "saattaa", "taitaa": "taitaa", "pitää": "pitää",
    "kannattaa": "kannattaa", "tulla": "tulee", "aikoa": "aikoo", "haluta": "haluaa",
    "tahtoa": "tahtoo", "toivoa": "toivoo", "yrittää": "yrittää", "koettaa": "koettaa",
    "pyrkiä": "pyrkii", "päättää": "päättää", "luvata": "lupaa", "ehtiä": "ehtii",
    "jaksaa": "jaksaa", "viitsiä": "viitsii", "osata": "osaa", "uskaltaa": "uskaltaa",
    "alkaa": "alkaa", "ruveta": "rupeaa", "meinata": "meinaa", "kehdata": "kehtaa",
    "unohtaa": "unohtaa", "muistaa": "muistaa", "suunnitella": "suunnittelee",
    "harkita": "harkitsee", "mahtaa": "mahtaa", "tohtia": "tohtii", "käydä": "käy",
    "sopia": "sopii", "kuulua": "kuuluu", "auttaa": "auttaa", "ajatella": "ajattelee",
}


def test_the_third_persons_cover_the_catenatives() -> None:
    assert set(THIRD_PERSONS) == CATENATIVES - {"olla", "täytyä"}


@pytest.mark.parametrize(("verb", "form"), sorted(THIRD_PERSONS.items()))
def test_after_a_verb_that_takes_an_infinitive_the_infinitive_stays(
        voikko: Analyser, verb: str, form: str) -> None:
    """*haluaa tukea*, *voi tukea*: the infinitive, not the noun *tuki* as an object."""
    assert _read_after(voikko, form, "tukea")[1] == "tukea"


@pytest.mark.parametrize("form", ["saa", "antaa", "hakee", "tarvitsee", "myönsi", "tarjoavat"])
def test_after_a_verb_that_takes_an_object_the_partitive_noun(voikko: Analyser,
                                                             form: str) -> None:
    assert _read_after(voikko, form, "tukea") == ("object", "tuki")


@pytest.mark.parametrize(("word", "standard"), [
    ("tukee", "tukea"), ("pimee", "pimeä"), ("vaikee", "vaikea"), ("korkee", "korkea"),
    ("tee", ""), ("idee", ""), ("vapaa", ""), ("lähtee", "lähteä")])
def test_spoken_ee_stands_for_ea(word: str, standard: str) -> None:
    """Spoken Finnish makes -ea/-eä a long -ee after a consonant (VISK § 22), with the
    vowel harmony of the word; a short word or a vowel before it is left alone."""
    from tymqual.spoken import spoken_ea

    assert spoken_ea(word) == standard
