"""Keys of people's names: every part, every inflected form and compound, common-word names.

All names are made up: common Finnish first names and surnames paired at random.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import tymqual
from benchmarks.names import FORMS, FULL_KEY, left_in
from tymqual.errors import TymqualWarning
from tymqual.keymatch import Matcher, finnish_analyser
from tymqual.leaks import check_leaks
from tymqual.privacy import pseudonymize
from tymqual.reports import build_report

MakeProject = Callable[..., tymqual.Project]

@pytest.fixture(params=["analyser", "suffix rules only"])
def analyser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param != "analyser":
        monkeypatch.setattr("tymqual.leaks.finnish_analyser", lambda: None)
        monkeypatch.setattr("tymqual.privacy.finnish_analyser", lambda: None)
        monkeypatch.setattr("tymqual.keycandidates.finnish_analyser", lambda: None)
    return str(request.param)


def test_every_form_of_every_name_is_replaced_and_a_planted_one_is_reported(
    make_project: MakeProject, tmp_path: Path, analyser: str
) -> None:
    lines = ["V: " + " ".join(f"Sitten {form} tuli puheeksi." for form in forms)
             for forms in FORMS.values()]
    project = make_project({"transcripts/H9.txt": "H: Kerro lisää.\n" + "\n".join(lines) + "\n"})
    for turn in range(1, len(lines) + 1, 3):
        project.code("H9", "johtaminen", turns=[turn])
    every_form = [f for forms in FORMS.values() for f in forms]
    assert set(left_in(project.root, every_form)) == set(every_form)

    out = tmp_path / "pseudo"
    pseudonymize(project, out, key=FULL_KEY)
    assert check_leaks(out, FULL_KEY).empty
    assert left_in(out, every_form) == []
    report = tmp_path / "report"
    build_report(tymqual.open_project(out), report, progress=False)
    tymqual.open_project(out).export_qdpx(report / "projekti.qdpx")
    assert check_leaks(report, FULL_KEY).empty
    assert left_in(report, every_form) == []

    # Planted back, one a sentence, every form is reported where it stands.
    planted = report / "planted.txt"
    planted.write_text("\n".join(f"Kuulin että {form} on tässä." for form in every_form),
                       encoding="utf-8")
    found = check_leaks(planted, FULL_KEY)
    assert found["found"].tolist() == [f.split("-")[0] for f in every_form]
    # And in an export of the original project, every form is found inside the .qdpx.
    project.export_qdpx(tmp_path / "original.qdpx")
    inside = set(check_leaks(tmp_path / "original.qdpx", FULL_KEY)["found"])
    assert inside >= {f.split("-")[0] for f in every_form}


@pytest.mark.parametrize("text", ["Puhuin Matin kanssa.", "Puhuin Virtaselle.",
                                  "Se on Virtasentiimin asia.", "Tule Virtasen-tiimiin.",
                                  "Asun Virtasenkadulla.", "Asun virtasenkadulla.",
                                  "Kysyin VIRTASELTA."])
def test_each_part_of_a_persons_name_is_protected_in_every_form(text: str, analyser: str) -> None:
    key = pd.DataFrame({"original": ["Matti Virtanen"], "label": ["[H1]"], "kind": ["person"]})
    an = finnish_analyser() if analyser == "analyser" else None
    new, edits = Matcher(key, an).replace(text, keep_endings=True)
    assert len(edits) == 1 and "[H1]" in new
    assert not re.search(r"(?i)mati|matti|virtas", new)


def test_parts_of_a_place_name_are_ordinary_words(analyser: str) -> None:
    key = pd.DataFrame({"original": ["Pohjois-Karjala"], "label": ["[M1]"], "kind": ["place"]})
    an = finnish_analyser() if analyser == "analyser" else None
    matcher = Matcher(key, an)
    assert matcher.find("Karjala on kaunis, pohjois-osa myös.") == []
    assert len(matcher.find("Asun Pohjois-Karjalassa.")) == 1


@pytest.mark.parametrize(("text", "certain", "uncertain"), [
    ("Nostin kiven ja heitin sen.", 0, 0),  # lower case: the word
    ("Sitten Kiven kanssa puhuttiin.", 1, 0),  # capitalised mid-sentence: the name
    ("Kiven kanssa puhuttiin.", 0, 1),  # capitalised at the start: cannot tell
    ("Hän sanoi: Kivi on kova.", 0, 1),
    ("Aino Kivi tuli.", 1, 0),  # the whole name
])
def test_a_name_that_is_also_a_word_is_decided_by_capitals(
    text: str, certain: int, uncertain: int, analyser: str
) -> None:
    key = pd.DataFrame({"original": ["Aino Kivi"], "label": ["[H2]"], "kind": ["person"]})
    an = finnish_analyser() if analyser == "analyser" else None
    matcher = Matcher(key, an)
    every = matcher.find(text, uncertain=True)
    assert len(matcher.find(text)) == certain
    assert sum(h.uncertain for h in every) == uncertain


def test_pseudonymize_lists_what_it_could_not_decide(make_project: MakeProject,
                                                     tmp_path: Path) -> None:
    project = make_project({"transcripts/H9.txt": "V: Laine soitti. Sitten Laine lähti.\n"
                                                  "V: Meren laineet löivät rantaan.\n"})
    key = pd.DataFrame({"original": ["Kaisa Laine"], "label": ["[H3]"], "kind": ["person"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # listed in the report, not warned about twice
        report = pseudonymize(project, tmp_path / "pseudo", key=key)
    text = tymqual.open_project(tmp_path / "pseudo").text("H9")
    assert "Sitten [H3] lähti." in text and "Laine soitti." in text
    assert "Meren laineet löivät" in text
    assert report.uncertain[["source_id", "found"]].values.tolist() == [["H9", "Laine"]]
    assert "1 name(s) that are also words" in repr(report)
    with pytest.warns(TymqualWarning, match=r"transcripts/H9.txt, line 1: 'Laine'"):
        assert check_leaks(tmp_path / "pseudo", key).empty


@pytest.mark.parametrize("text", ["Sitten annetaan palaute.", "Annettiin lupa.",
                                  "Nostin kiven.", "Meren laineet."])
def test_a_word_the_analyser_knows_as_another_word_is_no_name(text: str) -> None:
    key = pd.DataFrame({"original": ["Anne Kivi", "Tuula Laine"], "label": ["[H1]", "[H2]"],
                        "kind": ["person", "person"]})
    assert Matcher(key, finnish_analyser()).find(text, uncertain=True) == []


@pytest.mark.parametrize(("text", "found"), [
    ("Kivi: Joo, niin se oli.", ["Kivi"]),  # a speaker label
    ("Kivi", ["Kivi"]),  # alone, as in a list of speakers or a table cell
    ("Kivi on kova.", []),
])
def test_a_common_word_name_as_a_speaker_label_or_alone_is_a_name(text: str,
                                                                  found: list[str]) -> None:
    key = pd.DataFrame({"original": ["Aino Kivi"], "label": ["[H2]"], "kind": ["person"]})
    matcher = Matcher(key, finnish_analyser())
    assert [text[h.start:h.end] for h in matcher.find(text)] == found


def test_speaker_labels_that_are_common_words_are_pseudonymised(make_project: MakeProject,
                                                                tmp_path: Path) -> None:
    project = make_project({"transcripts/H9.txt": "Matti: Kerro lisää.\nKivi: No niin.\n"})
    key = pd.DataFrame({"original": ["Matti Kivi"], "label": ["[H4]"], "kind": ["person"]})
    pseudonymize(project, tmp_path / "pseudo", key=key)
    text = tymqual.open_project(tmp_path / "pseudo").text("H9")
    assert "Matti" not in text and "Kivi" not in text
    assert left_in(tmp_path / "pseudo", ["Matti", "Kivi"]) == []


@pytest.mark.parametrize(("original", "form"), [
    ("Hake", "Hakkeen"), ("Kide", "Kiteelle"), ("Tarve", "Tarpeesta"), ("Kalle", "Kallen"),
    ("Nieminen", "Niemisiltä"), ("Virtanen", "Virtasetkin"), ("Korhonen", "Korhoselleni"),
])
def test_strong_grade_plurals_and_suffixes_without_the_analyser(original: str, form: str) -> None:
    key = pd.DataFrame({"original": [original], "label": ["[X]"], "kind": ["person"]})
    assert [h.end for h in Matcher(key, None).find(f"Sitten {form} tuli.")] == [7 + len(form)]


@pytest.mark.parametrize("text", ["Anteeksi, Annen kanssa.", "Sanoin anteeksi."])
def test_a_first_name_does_not_take_the_strong_grade(text: str, analyser: str) -> None:
    key = pd.DataFrame({"original": ["Anne Laine"], "label": ["[X]"], "kind": ["person"]})
    an = finnish_analyser() if analyser == "analyser" else None
    assert [text[h.start:h.end] for h in Matcher(key, an).find(text, uncertain=True)] == (
        ["Annen"] if "Annen" in text else [])


@pytest.mark.parametrize(("original", "kind", "text"), [
    ("Kemi", "place", "Se oli kemikaali."), ("Salo", "person", "Istuin salongissa."),
    ("Timo", "person", "Söin Timotein."),
])
def test_a_word_the_analyser_knows_whole_is_no_compound(original: str, kind: str,
                                                        text: str) -> None:
    key = pd.DataFrame({"original": [original], "label": ["[X]"], "kind": [kind]})
    assert Matcher(key, finnish_analyser()).find(text, uncertain=True) == []
