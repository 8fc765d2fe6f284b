"""Tests for tymqual.surveys: each export layout written by its own library, read back exactly."""

from __future__ import annotations

import csv
import runpy
import shutil
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from tymqual.errors import SurveyError, TymqualWarning
from tymqual.surveys import KNOWN_SCALES, Survey, read_survey, slug

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
if not SHARED.is_dir() and Path("/work/shared").is_dir():  # a worktree beside the main clone
    SHARED = Path("/work/shared")
QUALTRICS_SAMPLES = SHARED / "data" / "qualtrics-export"
DEMO = REPO / "surveys" / "kysely.xlsx"

FI5 = KNOWN_SCALES[0]
FI4 = KNOWN_SCALES[2]
EN5 = KNOWN_SCALES[3]
EN4 = KNOWN_SCALES[5]
TED, JED, EOE, JSM, TSM = FI5  # Täysin eri ... Täysin samaa mieltä


# --- writers: each format as its own tool writes it ---------------------------------------------


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], *, sheet: str = "Taul1", more: Sequence[str] = ()
) -> Path:
    workbook = Workbook()
    worksheet = workbook.worksheets[0]
    worksheet.title = sheet
    for row in rows:
        worksheet.append(list(row))
    for name in more:
        workbook.create_sheet(name)
    workbook.save(path)
    return path


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], *, sep: str = ",", encoding: str = "utf-8"
) -> Path:
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    frame.to_csv(path, index=False, sep=sep, encoding=encoding)
    return path


def write_csv_rows(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """Several header rows (Qualtrics): every row written as data, no pandas header."""
    pd.DataFrame(rows).to_csv(path, index=False, header=False)
    return path


def categorical(
    values: Sequence[str | None], categories: Sequence[str], *, ordered: bool
) -> pd.Series:
    return pd.Series(pd.Categorical(values, categories=list(categories), ordered=ordered))


def ids(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def flags(*values: bool | None) -> pd.Series:
    return pd.Series(list(values), dtype="boolean")


def items_frame(rows: Sequence[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["item_id", "question", "type", "scale", "options", "columns"]
    )


# --- Webropol -----------------------------------------------------------------------------------

MC = "Mitkä tekijät hidastivat?"


def webropol_rows() -> list[list[object]]:
    t = datetime(2025, 3, 10, 9, 0)
    return [
        ["Vastaajan tunniste", "Vastausaika", "Alue", "Verkostoja", "Resurssit riittävät",
         f"{MC}: Resurssipula", f"{MC}: Epäselvä työnjako", "Kerro lisää"],
        ["R1", t, "Läntinen", 3, TSM, 1, None, "Neuvottelut venyivät. Kaikki eivät sitoutuneet."],
        ["R2", t, "Itäinen", "3,5", "en osaa sanoa", None, 1, None],
        ["R3", t, "Läntinen", None, "  jokseenkin   eri MIELTÄ ", 1, 1, "  Hyvä yhteistyö.  "],
        ["R4", t, "Eteläinen", 2, EOE, None, None, None],
    ]


def test_webropol_xlsx_reads_exactly(tmp_path: Path) -> None:
    survey = read_survey(write_xlsx(tmp_path / "webropol.xlsx", webropol_rows()))
    expected = pd.DataFrame(
        {
            "respondent_id": ids("R1", "R2", "R3", "R4"),
            "q1": categorical(["Läntinen", "Itäinen", "Läntinen", "Eteläinen"],
                              ["Läntinen", "Itäinen", "Eteläinen"], ordered=False),
            "q2": pd.Series([3.0, 3.5, float("nan"), 2.0]),
            "q3": categorical([TSM, None, JED, EOE], FI5, ordered=True),
            "q4__resurssipula": flags(True, False, True, None),
            "q4__epaselva_tyonjako": flags(False, True, True, None),
            "q5": pd.Series(
                ["Neuvottelut venyivät. Kaikki eivät sitoutuneet.", None, "Hyvä yhteistyö.", None],
                dtype="str",
            ),
        }
    )
    pd.testing.assert_frame_equal(survey.responses, expected)
    pd.testing.assert_frame_equal(
        survey.items,
        items_frame(
            [
                ("q1", "Alue", "single_choice", None, ("Läntinen", "Itäinen", "Eteläinen"),
                 ("q1",)),
                ("q2", "Verkostoja", "numeric", None, None, ("q2",)),
                ("q3", "Resurssit riittävät", "likert", FI5, None, ("q3",)),
                ("q4", MC, "multiple_choice", None, ("Resurssipula", "Epäselvä työnjako"),
                 ("q4__resurssipula", "q4__epaselva_tyonjako")),
                ("q5", "Kerro lisää", "open_text", None, None, ("q5",)),
            ]
        ),
    )
    assert survey.source_format == "webropol"
    assert survey.dont_know.to_dict("records") == [{"respondent_id": "R2", "item_id": "q3"}]


def test_likert_is_ordered_and_keeps_dont_know_apart(tmp_path: Path) -> None:
    survey = read_survey(write_xlsx(tmp_path / "w.xlsx", webropol_rows()))
    answers = survey.likert("q3")
    assert answers.cat.ordered
    assert list(answers.cat.categories) == list(FI5)
    assert list(answers.index) == ["R1", "R2", "R3", "R4"]
    assert answers.isna().tolist() == [False, True, False, False]
    assert answers.max() == TSM and answers.min() == JED
    assert "en osaa sanoa" not in [c.casefold() for c in answers.cat.categories]


def test_open_answers_are_stripped_and_non_empty(tmp_path: Path) -> None:
    survey = read_survey(write_xlsx(tmp_path / "w.xlsx", webropol_rows()))
    expected = pd.DataFrame(
        {
            "respondent_id": ids("R1", "R3"),
            "item_id": ids("q5", "q5"),
            "question": ids("Kerro lisää", "Kerro lisää"),
            "text": ids("Neuvottelut venyivät. Kaikki eivät sitoutuneet.", "Hyvä yhteistyö."),
        }
    )
    pd.testing.assert_frame_equal(survey.open_answers(), expected, check_dtype=False)


@pytest.mark.parametrize(
    ("id_header", "sep", "encoding", "joined", "source_format"),
    [
        ("Vastaajan tunniste", ";", "utf-8-sig",
         ["Resurssipula;Epäselvä työnjako", "Resurssipula", None], "webropol"),
        ("Vastaaja", ",", "cp1252",
         ["Resurssipula, Epäselvä työnjako", "Resurssipula", None], "webropol"),
        ("Vastaaja", "\t", "utf-16",
         ["Resurssipula;Epäselvä työnjako", "Resurssipula", None], "webropol"),
        ("ID", ",", "utf-8", ["Resurssipula; Epäselvä työnjako", "Resurssipula", None], "csv"),
    ],
)
def test_csv_multiple_choice_in_one_column(
    tmp_path: Path,
    id_header: str,
    sep: str,
    encoding: str,
    joined: list[str | None],
    source_format: str,
) -> None:
    rows: list[list[object]] = [[id_header, MC, "Ikä"], *[[f"R{i}", j, "4,5"] for i, j in
                                                             enumerate(joined, 1)]]
    survey = read_survey(write_csv(tmp_path / "vastaukset.csv", rows, sep=sep, encoding=encoding))
    assert survey.source_format == source_format
    assert survey.items["type"].tolist() == ["multiple_choice", "numeric"]
    assert survey.items.loc[0, "options"] == ("Resurssipula", "Epäselvä työnjako")
    pd.testing.assert_series_equal(
        survey.responses["q1__resurssipula"], flags(True, True, None), check_names=False
    )
    pd.testing.assert_series_equal(
        survey.responses["q1__epaselva_tyonjako"], flags(True, False, None), check_names=False
    )
    assert survey.responses["q2"].tolist() == [4.5, 4.5, 4.5]


# --- Microsoft Forms ----------------------------------------------------------------------------


def test_forms_drops_name_and_email(tmp_path: Path) -> None:
    t = datetime(2025, 5, 2, 10, 0)
    rows = [
        ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
         "Organisaatio", "Tuki", "Which tools do you use?"],
        [1, t, t, "matti.m@example.fi", "Matti Meikäläinen", None, "Kela", "Agree", "Teams;Email;"],
        [2, t, t, "anonymous", None, None, "Kunta", "strongly agree", "Teams;"],
        [3, t, t, "anonymous", None, None, "Kela", "Disagree", None],
    ]
    survey = read_survey(write_xlsx(tmp_path / "forms.xlsx", rows, sheet="Sheet1"))
    assert survey.source_format == "forms"
    assert list(survey.responses.columns) == [
        "respondent_id", "q1", "q2", "q3__teams", "q3__email",
    ]
    assert survey.items["question"].tolist() == ["Organisaatio", "Tuki", "Which tools do you use?"]
    assert survey.items["type"].tolist() == ["single_choice", "likert", "multiple_choice"]
    assert survey.items.loc[1, "scale"] == EN4  # nobody chose the middle
    assert survey.responses["respondent_id"].tolist() == ["1", "2", "3"]
    assert survey.responses["q2"].tolist() == ["Agree", "Strongly agree", "Disagree"]
    assert survey.responses["q3__email"].tolist() == [True, False, pd.NA]
    frames = (survey.responses, survey.items)
    everything = [str(v) for frame in frames for v in frame.to_numpy().ravel()]
    assert not [v for v in everything if "Meikäläinen" in v or "@" in v]


# --- LimeSurvey ---------------------------------------------------------------------------------

LS_META = ["id", "submitdate", "lastpage", "startlanguage", "seed"]
LS_VALUES = [
    ["1", "2025-05-01 10:00:00", "3", "fi", "123", "Kela", "Y", "", "Y", JSM, TED, "Hyvä."],
    ["2", "2025-05-01 11:00:00", "3", "fi", "456", "Kunta", "", "Y", "", JED, EOE, ""],
]


@pytest.mark.parametrize(
    ("headers", "expected_ids", "expected_questions", "expected_options"),
    [
        pytest.param(
            ["G01Q01", "G01Q02[SQ001]", "G01Q02[SQ002]", "G01Q02[SQ003]", "G01Q03[SQ001]",
             "G01Q03[SQ002]", "G01Q04"],
            ["G01Q01", "G01Q02", "G01Q03_SQ001", "G01Q03_SQ002", "G01Q04"],
            ["G01Q01", "G01Q02", "G01Q03[SQ001]", "G01Q03[SQ002]", "G01Q04"],
            ("SQ001", "SQ002", "SQ003"),
            id="codes",
        ),
        pytest.param(
            ["G01Q01. Organisaatio", "G01Q02[SQ001]. Hidasteet [Resurssit]",
             "G01Q02[SQ002]. Hidasteet [Vaihdokset]", "G01Q02[SQ003]. Hidasteet [Työnjako]",
             "G01Q03[SQ001]. Väitteet [Johtaja]", "G01Q03[SQ002]. Väitteet [Kela]",
             "G01Q04. Kommentit"],
            ["G01Q01", "G01Q02", "G01Q03_SQ001", "G01Q03_SQ002", "G01Q04"],
            ["Organisaatio", "Hidasteet", "Väitteet [Johtaja]", "Väitteet [Kela]", "Kommentit"],
            ("Resurssit", "Vaihdokset", "Työnjako"),
            id="code-dot-text",
        ),
        pytest.param(
            ["Organisaatio", "Hidasteet [Resurssit]", "Hidasteet [Vaihdokset]",
             "Hidasteet [Työnjako]", "Väitteet [Johtaja]", "Väitteet [Kela]",
             "Mitä muuta haluat sanoa?"],
            ["q1", "q2", "q3", "q4", "q5"],
            ["Organisaatio", "Hidasteet", "Väitteet [Johtaja]", "Väitteet [Kela]",
             "Mitä muuta haluat sanoa?"],
            ("Resurssit", "Vaihdokset", "Työnjako"),
            id="full-question-text",
        ),
    ],
)
def test_limesurvey_header_styles(
    tmp_path: Path,
    headers: list[str],
    expected_ids: list[str],
    expected_questions: list[str],
    expected_options: tuple[str, ...],
) -> None:
    meta = LS_META if "G01Q01" in headers[0] else [
        "Response ID", "Date submitted", "Last page", "Start language", "Seed"
    ]
    path = write_csv(tmp_path / "results-survey123.csv", [meta + headers, *LS_VALUES])
    survey = read_survey(path)
    assert survey.source_format == "limesurvey"
    assert survey.items["item_id"].tolist() == expected_ids
    assert survey.items["question"].tolist() == expected_questions
    assert survey.items["type"].tolist() == [
        "single_choice", "multiple_choice", "likert", "likert", "open_text"
    ]
    assert survey.items.loc[1, "options"] == expected_options
    multi = list(survey.items.loc[1, "columns"])
    assert survey.responses[multi].to_numpy().tolist() == [
        [True, False, True], [False, True, False]
    ]
    likert = survey.responses[expected_ids[3]]
    assert likert.tolist() == [TED, EOE]
    assert survey.dont_know.empty
    assert survey.responses["respondent_id"].tolist() == ["1", "2"]


# --- Qualtrics ----------------------------------------------------------------------------------


def qualtrics_rows() -> list[list[str]]:
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
            "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
            "DistributionChannel", "UserLanguage"]
    codes = ["Q1", "Q2_1", "Q2_2", "Q3", "Q4"]
    texts = ["Organisation", "Statements - Leadership", "Statements - Kela",
             "Which tools?", "Comments"]
    import_ids = ["QID1", "QID2_1", "QID2_2", "QID3", "QID4_TEXT"]
    meta_ids = [f'{{"ImportId":"{m[0].lower() + m[1:]}"}}' for m in meta]
    row = ["2025-05-01 10:00:00", "2025-05-01 10:05:00", "IP Address", "10.0.0.1", "100", "300",
           "True", "2025-05-01 10:05:00"]
    tail = ["Doe", "Jane", "jane@example.org", "", "60.1", "24.9", "anonymous", "EN"]
    return [
        meta + codes,
        meta + texts,
        meta_ids + [f'{{"ImportId":"{i}"}}' for i in import_ids],
        row + ["R_aaaaaaaaaaaaaaa"] + tail + ["Kela", "Agree", "Don't know", "Teams,Email", "Good"],
        row + ["R_bbbbbbbbbbbbbbb"] + tail + ["City", "Disagree", "Agree", "Teams", ""],
    ]


def test_qualtrics_three_header_rows(tmp_path: Path) -> None:
    survey = read_survey(write_csv_rows(tmp_path / "qualtrics.csv", qualtrics_rows()))
    assert survey.source_format == "qualtrics"
    assert list(survey.responses.columns) == [
        "respondent_id", "Q1", "Q2_1", "Q2_2", "Q3__teams", "Q3__email", "Q4"
    ]
    assert survey.items["question"].tolist() == [
        "Organisation", "Statements - Leadership", "Statements - Kela", "Which tools?", "Comments"
    ]
    assert survey.items["type"].tolist() == [
        "single_choice", "likert", "likert", "multiple_choice", "open_text"
    ]
    assert survey.responses["respondent_id"].tolist() == ["R_aaaaaaaaaaaaaaa", "R_bbbbbbbbbbbbbbb"]
    assert survey.responses["Q2_2"].isna().tolist() == [True, False]
    assert survey.dont_know.to_dict("records") == [
        {"respondent_id": "R_aaaaaaaaaaaaaaa", "item_id": "Q2_2"}
    ]
    assert survey.responses["Q3__email"].tolist() == [True, False]
    cells = {str(v) for v in survey.responses.to_numpy().ravel()}
    assert not {"10.0.0.1", "Doe", "Jane", "jane@example.org", "60.1"} & cells


@pytest.mark.parametrize(
    ("name", "layout_note"),
    [
        ("qualtrics_v3_sample.csv", "three header rows, German labels, ImportId row"),
        ("qualtrics_legacy_sample.csv", "legacy two header rows V1..V10, BOM, trailing comma"),
    ],
)
def test_shared_qualtrics_samples(name: str, layout_note: str) -> None:
    path = QUALTRICS_SAMPLES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared Qualtrics samples are not checked out here")
    survey = read_survey(path)
    assert survey.source_format == "qualtrics", layout_note
    assert list(survey.responses.columns) == ["respondent_id", "Q1", "Q2"]
    assert survey.responses["respondent_id"].tolist() == ["R_2YPOQ602ER1jkf1"]
    assert survey.items["question"].tolist() == [
        "This is a multiple choice question.", "This is a free text question."
    ]
    assert survey.items["type"].tolist() == ["numeric", "open_text"]
    assert survey.responses["Q1"].tolist() == [2.0]
    assert survey.open_answers()["text"].tolist() == ["Hello World!"]


# --- SPSS ---------------------------------------------------------------------------------------


def test_spss_labels_make_likert_and_choices(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame(
        {
            "id": [101.0, 102.0, 103.0],
            "alue": [1.0, 2.0, 1.0],
            "v1": [5.0, 9.0, 2.0],
            "v2": [1.0, 4.0, None],
            "kpl": [3.0, 4.5, None],
            "avoin": ["Hyvä malli.", "", "Tarvitaan lisää ohjausta."],
        }
    )
    path = tmp_path / "kysely.sav"
    likert_labels = {float(i): label for i, label in enumerate(FI4, start=1)}
    pyreadstat.write_sav(
        frame,
        path,
        column_labels=["Vastaaja", "Alue", "Resurssit riittävät", "Kela mukana",
                       "Verkostojen määrä", "Kommentit"],
        variable_value_labels={
            "alue": {1.0: "Läntinen", 2.0: "Itäinen", 3.0: "Keskinen"},
            "v1": {1.0: TED, 2.0: JED, 3.0: EOE, 4.0: JSM, 5.0: TSM, 9.0: "EOS"},
            "v2": likert_labels,
        },
    )
    survey = read_survey(path)
    assert survey.source_format == "spss"
    expected = pd.DataFrame(
        {
            "respondent_id": ids("101", "102", "103"),
            "alue": categorical(["Läntinen", "Itäinen", "Läntinen"],
                                ["Läntinen", "Itäinen", "Keskinen"], ordered=False),
            "v1": categorical([TSM, None, JED], FI5, ordered=True),
            "v2": categorical([FI4[0], FI4[3], None], FI4, ordered=True),
            "kpl": pd.Series([3.0, 4.5, float("nan")]),
            "avoin": pd.Series(["Hyvä malli.", None, "Tarvitaan lisää ohjausta."], dtype="str"),
        }
    )
    pd.testing.assert_frame_equal(survey.responses, expected)
    assert survey.items["question"].tolist() == [
        "Alue", "Resurssit riittävät", "Kela mukana", "Verkostojen määrä", "Kommentit"
    ]
    assert survey.items["type"].tolist() == [
        "single_choice", "likert", "likert", "numeric", "open_text"
    ]
    assert survey.dont_know.to_dict("records") == [{"respondent_id": "102", "item_id": "v1"}]


def test_spss_partly_labelled_scale_reads_as_numbers(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "osittain.sav"
    frame = pd.DataFrame({"id": ["a", "b", "c"], "arvio": [1.0, 3.0, 5.0]})
    pyreadstat.write_sav(frame, path, variable_value_labels={"arvio": {1.0: TED, 5.0: TSM}})
    survey = read_survey(path)
    assert survey.items["type"].tolist() == ["numeric"]
    assert survey.responses["arvio"].tolist() == [1.0, 3.0, 5.0]


def test_limesurvey_other_and_timing_columns(tmp_path: Path) -> None:
    rows = [
        ["id", "submitdate", "interviewtime", "G01Q01[SQ001]", "G01Q01[SQ002]", "G01Q01[other]",
         "G01Q02", "G01Q02Time"],
        ["7", "2025-05-01", "31.2", "Y", "", "Kunnan oma malli", "Hyvin meni kaikki.", "12.5"],
        ["8", "2025-05-01", "40.0", "", "Y", "", "", "3.1"],
    ]
    survey = read_survey(write_csv(tmp_path / "ls.csv", rows))
    assert survey.items["item_id"].tolist() == ["G01Q01", "G01Q01_other", "G01Q02"]
    assert survey.items["type"].tolist() == ["multiple_choice", "open_text", "open_text"]
    assert list(survey.responses.columns) == [
        "respondent_id", "G01Q01__sq001", "G01Q01__sq002", "G01Q01_other", "G01Q02"
    ]


# --- the demo -----------------------------------------------------------------------------------


def test_demo_survey() -> None:
    survey = read_survey(DEMO)
    assert survey.source_format == "webropol"
    assert survey.responses["respondent_id"].tolist() == ["R1", "R2", "R3", "R4"]
    types = survey.items.set_index("item_id")["type"]
    assert types["q1"] == "single_choice" and types["q2"] == "numeric"
    assert (types == "likert").sum() in range(6, 9)
    assert (types == "multiple_choice").sum() == 1
    assert (types == "open_text").sum() == 2
    assert len(survey.dont_know) >= 1
    multi = survey.items[survey.items["type"] == "multiple_choice"].iloc[0]
    assert multi["question"] == "Mitkä tekijät hidastivat sopimusneuvotteluja?"
    assert len(multi["options"]) == 5
    assert set(survey.responses["q1"]) == {"Läntinen", "Eteläinen", "Itäinen", "Keskinen"}
    assert all(len(t.split(". ")) >= 2 for t in survey.open_answers()["text"])
    workbook = load_workbook(DEMO)
    assert workbook.sheetnames == ["Vastaukset", "Tietoja"]
    assert workbook["Vastaukset"]["A1"].comment is None
    assert str(workbook["Tietoja"]["A1"].value).startswith("FIKTIIVINEN ESIMERKKIAINEISTO")


def test_demo_generator_is_deterministic() -> None:
    script = runpy.run_path(str(REPO / "surveys" / "make_demo_survey.py"), run_name="demo")
    data = script["deterministic_bytes"](script["build"]())
    assert data == script["deterministic_bytes"](script["build"]())
    assert data == DEMO.read_bytes(), "kysely.xlsx is stale: run surveys/make_demo_survey.py"


# --- type heuristics ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected_type", "scale"),
    [
        ([TSM, JSM, JED, TED], "likert", FI4),
        ([TSM, EOE, "EOS"], "likert", FI5),
        (["täysin SAMAA  mieltä", "Ei osaa sanoa"], "likert", FI4),
        (["Strongly agree", "Don’t know", "agree"], "likert", EN4),
        (["5 = Täysin samaa mieltä", "1 = Täysin eri mieltä"], "likert", FI4),
        (["1", "2,5", "-3", "1 000"], "numeric", None),
        (["Kyllä", "Ei", "Kyllä"], "single_choice", None),
        (["Yhteistyö sujui hyvin.", "Ei"], "open_text", None),
        ([f"vastaus {i}" for i in range(12)], "open_text", None),
        (["x" * 70, "y"], "open_text", None),
    ],
)
def test_item_type_heuristics(
    tmp_path: Path, answers: list[str], expected_type: str, scale: tuple[str, ...] | None
) -> None:
    rows = [["Vastaaja", "Kysymys"], *[[f"R{i}", a] for i, a in enumerate(answers)]]
    survey = read_survey(write_csv(tmp_path / "a.csv", rows))
    assert survey.items.loc[0, "type"] == expected_type
    assert survey.items.loc[0, "scale"] == scale


def test_four_point_item_takes_five_point_scale_used_elsewhere(tmp_path: Path) -> None:
    rows = [["Vastaaja", "A", "B"], ["R1", TSM, EOE], ["R2", TED, JSM]]
    survey = read_survey(write_csv(tmp_path / "a.csv", rows))
    assert survey.items["scale"].tolist() == [FI5, FI5]


def test_explicit_scales(tmp_path: Path) -> None:
    scale = ["Ei lainkaan", "Jonkin verran", "Paljon"]
    rows = [["Vastaaja", "Hyöty"], ["R1", "paljon"], ["R2", "Ei lainkaan"], ["R3", "EOS"]]
    survey = read_survey(write_csv(tmp_path / "a.csv", rows), scales={"q1": scale})
    assert survey.items.loc[0, "scale"] == tuple(scale)
    assert survey.likert("q1").tolist()[:2] == ["Paljon", "Ei lainkaan"]
    assert survey.likert("q1").cat.categories.tolist() == scale
    assert survey.dont_know["respondent_id"].tolist() == ["R3"]


def test_id_column_argument(tmp_path: Path) -> None:
    rows = [["Tunnus nro", "Alue"], ["A1", "Itäinen"], ["A2", "Läntinen"]]
    survey = read_survey(write_csv(tmp_path / "a.csv", rows), id_column="tunnus NRO")
    assert survey.responses["respondent_id"].tolist() == ["A1", "A2"]
    assert survey.items["item_id"].tolist() == ["q1"]


@pytest.mark.parametrize(
    ("option", "expected"),
    [("Epäselvä työnjako", "epaselva_tyonjako"), ("Muu, mikä?", "muu_mika"), ("Å/Ö 2", "a_o_2")],
)
def test_slug(option: str, expected: str) -> None:
    assert slug(option) == expected


# --- errors: each names the file, sheet, row and column -------------------------------------------


def _xlsx(rows: Sequence[Sequence[object]], **kw: object) -> Callable[[Path], Path]:
    return lambda d: write_xlsx(d / "kysely.xlsx", rows, sheet="Vastaukset", **kw)  # type: ignore[arg-type]


def _csv(rows: Sequence[Sequence[object]]) -> Callable[[Path], Path]:
    return lambda d: write_csv(d / "kysely.csv", rows)


def _raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name

    return build


def _sav_duplicate(d: Path) -> Path:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = d / "kysely.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": [1.0, 2.0, 1.0], "x": [1.0, 2.0, 3.0]}), path)
    return path


STATEMENT = "Neuvottelut sujuivat"
ERROR_CASES = [
    pytest.param(
        _xlsx([["Nimi?", "Alue"], ["R1", "Itäinen"]]), {"id_column": "Tunnus"},
        ["kysely.xlsx", "sheet 'Vastaukset'", "row 1", "'Tunnus'", "id_column="],
        id="named-id-column-absent",
    ),
    pytest.param(
        _xlsx([["Vastaajan tunniste", "Alue"], ["R1", "a"], ["R2", "b"], ["R1", "c"]]), {},
        ["kysely.xlsx", "sheet 'Vastaukset'", "row 2", "row 4", "'Vastaajan tunniste' (A)", "'R1'"],
        id="duplicate-id",
    ),
    pytest.param(
        _xlsx([["Vastaaja", "Alue", STATEMENT], ["R1", "a", TSM], ["R2", "b", JSM],
               ["R3", "c", TED], ["R4", "d", "Melko hyvin"], ["R5", "e", EOE]]), {},
        ["kysely.xlsx", "sheet 'Vastaukset'", "row 5", f"'{STATEMENT}' (C)", "'Melko hyvin'",
         "4 of 5", "scales={'q2'"],
        id="label-outside-scale",
    ),
    pytest.param(
        _csv([["Vastaaja", STATEMENT], ["R1", "Hyvin"], ["R2", "Ok"]]),
        {"scales": {"q1": ["Huonosti", "Hyvin"]}},
        ["kysely.csv", "row 3", f"'{STATEMENT}' (B)", "'Ok'", "Huonosti / Hyvin"],
        id="label-outside-given-scale",
    ),
    pytest.param(
        _csv([["Vastaaja", "Alue"], ["R1", "a"], [None, "b"]]), {},
        ["kysely.csv", "row 3", "'Vastaaja' (A)", "empty"],
        id="missing-id",
    ),
    pytest.param(
        _xlsx([["Vastaaja", "Alue"], ["R1", "a", "stray"]]), {},
        ["kysely.xlsx", "sheet 'Vastaukset'", "row 2", "column C", "no header"],
        id="headerless-column",
    ),
    pytest.param(_raw("kysely.csv", b""), {}, ["kysely.csv", "empty"], id="empty-file"),
    pytest.param(
        _xlsx([["Vastaaja", "Alue"], ["R1", "a"]], more=["Tyhjä"]), {"sheet": "Tyhjä"},
        ["kysely.xlsx", "sheet 'Tyhjä'", "empty"], id="empty-sheet",
    ),
    pytest.param(
        _xlsx([["Vastaaja", "Alue"]]), {}, ["kysely.xlsx", "sheet 'Vastaukset'", "no responses"],
        id="header-only",
    ),
    pytest.param(
        _xlsx([["Vastaaja", "Alue"], ["R1", "a"]]), {"sheet": "Data"},
        ["kysely.xlsx", "no sheet 'Data'", "'Vastaukset'"], id="unknown-sheet",
    ),
    pytest.param(
        _raw("kysely.xlsx", b"this is not a zip"), {}, ["kysely.xlsx", "cannot be read"],
        id="unreadable-xlsx",
    ),
    pytest.param(lambda d: d / "puuttuu.csv", {}, ["puuttuu.csv", "no such file"], id="missing"),
    pytest.param(
        _raw("kysely.ods", b"x"), {}, ["kysely.ods", "'.ods'", ".xlsx, .csv"], id="suffix",
    ),
    pytest.param(
        _csv([["Vastaaja", "Alue"], ["R1", "a"]]), {"scales": {"q9": ["a", "b"]}},
        ["'q9'", "kysely.csv", "q1"], id="unknown-scale-item",
    ),
    pytest.param(
        _csv([["Vastaaja", "Alue"], ["R1", "a"]]), {"format": "excel"},
        ["format='excel'", "'webropol'"], id="bad-format",
    ),
    pytest.param(
        _csv([["Vastaaja", "Alue"], ["R1", "a"]]), {"sheet": "Vastaukset"},
        ["kysely.csv", "sheet=", ".xlsx"], id="sheet-for-csv",
    ),
    pytest.param(
        _sav_duplicate, {}, ["kysely.sav", "variable 'id'", "row 1", "row 3"], id="spss-duplicate",
    ),
    pytest.param(
        _raw("kysely.sav", b"not an SPSS file"), {}, ["kysely.sav", "cannot be read"],
        id="unreadable-sav",
    ),
    pytest.param(
        _csv([["Vastaaja", "K: a", "K: b"], ["R1", "1", ""], ["R2", "", "1"]]),
        {"scales": {"q1": ["a", "b"]}}, ["'q1'", "multiple-choice", "kysely.csv"],
        id="scale-for-multiple-choice",
    ),
    pytest.param(
        _csv([["Vastaaja", "K"], ["R1", "a"]]), {"scales": {"q1": "ab"}},
        ["kysely.csv", "scales['q1']", "each label once"], id="scale-as-string",
    ),
]


@pytest.mark.parametrize(("build", "kwargs", "fragments"), ERROR_CASES)
def test_errors_name_file_sheet_row_and_column(
    tmp_path: Path,
    build: Callable[[Path], Path],
    kwargs: dict[str, object],
    fragments: list[str],
) -> None:
    path = build(tmp_path)
    with pytest.raises(SurveyError) as caught:
        read_survey(path, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{missing} not in: {message}"


def test_likert_refuses_other_items(tmp_path: Path) -> None:
    survey: Survey = read_survey(write_xlsx(tmp_path / "w.xlsx", webropol_rows()))
    with pytest.raises(SurveyError, match=r"'q1'.*not a Likert item; Likert items: q3"):
        survey.likert("q1")
    with pytest.raises(SurveyError, match=r"'q99' is not an item"):
        survey.likert("q99")


# --- the gallery: one export per layout, counts checked against the file itself -----------------

GALLERY = REPO / "tests" / "data" / "surveys"
_gallery = runpy.run_path(str(GALLERY / "make_gallery.py"), run_name="gallery")
FIXTURES = _gallery["FIXTURES"]
LIMESURVEY = next(f for f in FIXTURES if f.name == "limesurvey_codes.csv")


def _text(value: object) -> str | None:
    """A cell as its tool shows it: numbers without ``.0``, blanks (and NaN) as None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def file_rows(path: Path, header_rows: int) -> tuple[list[list[str]], list[tuple[int, list]]]:
    """The header rows and the numbered data rows, read by csv, openpyxl or pyreadstat.

    Rows with no cell filled are no rows (every tool skips them); SPSS/Stata variable names
    are the one header row and cases are numbered from 1.
    """
    if path.suffix in {".sav", ".dta"}:
        pyreadstat = pytest.importorskip("pyreadstat")
        read = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
        frame, _ = read(str(path))  # user-missing values come back as NaN
        data = [(n, [_text(v) for v in row]) for n, row in enumerate(frame.values.tolist(), 1)]
        return [list(frame.columns)], data
    if path.suffix == ".xlsx":
        sheet = load_workbook(path, data_only=True).worksheets[0]
        rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [[_text(v) for v in row] for row in csv.reader(handle)]
    numbered = [(n, row) for n, row in enumerate(rows, 1) if any(row)]
    headers = [[c or "" for c in row] for _, row in numbered[:header_rows]]
    return headers, numbered[header_rows:]


def column(headers: list[list[str]], name: str) -> int:
    found = [row.index(name) for row in headers if name in row]
    assert found, f"{name!r} is in no header row"
    return found[0]


def incomplete_by_rule(fixture: object, headers: list[list[str]], data: list) -> int:
    """LimeSurvey: an empty submitdate; Qualtrics: Finished 0 or False (their documentation)."""
    rule = fixture.complete_rule  # type: ignore[attr-defined]
    if rule == "limesurvey":
        col = column(headers, headers[0][1])  # submitdate / Date submitted follows the id
        return sum(row[col] is None for _, row in data)
    if rule == "qualtrics":
        col = column(headers, "Finished")
        return sum((row[col] or "").casefold() in {"0", "false"} for _, row in data)
    return 0


def read_gallery(name: str) -> tuple[Survey, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = read_survey(GALLERY / name)
    return survey, [str(w.message) for w in caught]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_gallery_report_counts_match_the_file(fixture: object) -> None:
    f = fixture
    headers, data = file_rows(GALLERY / f.name, f.header_rows)  # type: ignore[attr-defined]
    survey, _ = read_gallery(f.name)  # type: ignore[attr-defined]
    report = survey.report
    assert survey.source_format == f.format  # type: ignore[attr-defined]
    assert report.respondents == len(data) == len(survey.responses)
    assert report.rows - report.header_rows == len(data)
    assert [(i.type, len(i.options)) for i in report.items] == list(f.items)  # type: ignore[attr-defined]
    open_answers = sum(
        row[column(headers, name)] is not None
        for name in f.open_columns  # type: ignore[attr-defined]
        for _, row in data
    )
    assert report.open_answers == open_answers == len(survey.open_answers())
    for role, names in (("metadata", f.metadata), ("identifier", f.identifiers)):  # type: ignore[attr-defined]
        for name in names:
            column(headers, name)  # the fixture's column exists in the file
        assert len(report.role(role)) == len(names), role
    assert report.incomplete == incomplete_by_rule(f, headers, data)
    assert survey.n_incomplete == report.incomplete


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_gallery_respondents_are_the_data_rows(fixture: object) -> None:
    """Every respondent id is a data row's id (or its row number); no header row is one."""
    f = fixture
    headers, data = file_rows(GALLERY / f.name, f.header_rows)  # type: ignore[attr-defined]
    survey, messages = read_gallery(f.name)  # type: ignore[attr-defined]
    if f.id_column is None:  # type: ignore[attr-defined]
        expected = [str(n) for n, _ in data]
        assert any(f.name in m and "number" in m for m in messages), messages  # type: ignore[attr-defined]
    else:
        col = column(headers, f.id_column)  # type: ignore[attr-defined]
        expected = [row[col] for _, row in data]
    assert survey.responses["respondent_id"].tolist() == expected
    assert survey.metadata["respondent_id"].tolist() == expected


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_gallery_identifiers_never_reach_the_survey(fixture: object) -> None:
    f = fixture
    headers, data = file_rows(GALLERY / f.name, f.header_rows)  # type: ignore[attr-defined]
    survey, _ = read_gallery(f.name)  # type: ignore[attr-defined]
    secret = {
        row[column(headers, name)]
        for name in f.identifiers  # type: ignore[attr-defined]
        for _, row in data
    } - {None, "anonymous", "Anonymous", "-1"}
    frames = (survey.responses, survey.metadata, survey.items, survey.report.frame())
    cells = {str(v) for frame in frames for v in frame.to_numpy().ravel()}
    assert not secret & cells
    assert not any("ImportId" in c for c in cells)


@pytest.mark.parametrize("name", ["forms_fi.xlsx", "google_forms_fi.xlsx"])
def test_gallery_libreoffice_files_were_saved_by_libreoffice(name: str) -> None:
    import zipfile

    with zipfile.ZipFile(GALLERY / name) as archive:
        assert b"LibreOffice" in archive.read("docProps/app.xml")


def test_spss_repeated_labels_are_merged_with_a_warning_naming_the_variable() -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = GALLERY / "spss_labels.sav"
    _, meta = pyreadstat.read_sav(str(path), user_missing=True)
    labels = meta.variable_value_labels["org"]
    shared = [label for label in set(labels.values()) if list(labels.values()).count(label) > 1]
    survey, messages = read_gallery("spss_labels.sav")
    assert shared and any("spss_labels.sav" in m and "'org'" in m and repr(shared[0]) in m
                          for m in messages), messages
    options = survey.items.set_index("item_id").loc["org", "options"]
    assert len(options) == len(set(options)) and shared[0] in options


def test_spss_user_missing_values_become_missing_and_labels_the_question() -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = GALLERY / "spss_labels.sav"
    raw, meta = pyreadstat.read_sav(str(path), user_missing=True)
    survey, messages = read_gallery("spss_labels.sav")

    def declared(name: str, value: float) -> bool:
        return any(r["lo"] <= value <= r["hi"] for r in meta.missing_ranges.get(name, []))

    dont_know = {"EOS"}
    for name in ("org", "v2", "kpl"):
        gone = [declared(name, v) and meta.variable_value_labels.get(name, {}).get(v)
                not in dont_know for v in raw[name]]
        assert survey.responses[name][gone].isna().all()
        assert survey.responses[name][[not g for g in gone]].notna().sum() == raw[name][
            [not g for g in gone]].notna().sum()
    kept_dk = [rid for rid, v in zip(survey.responses["respondent_id"], raw["v1"], strict=True)
               if declared("v1", v)]
    assert survey.dont_know[survey.dont_know["item_id"] == "v1"]["respondent_id"].tolist() \
        == kept_dk
    questions = survey.items.set_index("item_id")["question"]
    for name, label in meta.column_names_to_labels.items():
        if name in questions:
            assert questions[name] == label
    assert any("user-missing" in m and "spss_labels.sav" in m for m in messages)


def test_likert_table_counts_complete_responses_only_with_a_note() -> None:
    from tymqual.tables import likert_table

    headers, data = file_rows(GALLERY / LIMESURVEY.name, 1)
    survey, _ = read_gallery(LIMESURVEY.name)
    submitted, statement = column(headers, "submitdate"), column(headers, "G01Q03[SQ001]")
    complete = [row for _, row in data if row[submitted] is not None]
    left_out = len(data) - len(complete)
    table = likert_table(survey, ["G01Q03_SQ001"])
    assert table.loc[0, "valid_n"] == sum(row[statement] is not None for row in complete)
    assert str(left_out) in table.attrs["note"] and LIMESURVEY.name in table.attrs["note"]
    assert "keskeneräistä" in table.attrs["note"]
    assert "incomplete" in likert_table(survey, lang="en").attrs["note"]
    full = likert_table(read_survey(DEMO))
    assert "note" not in full.attrs


def test_limesurvey_keeps_completion_and_last_page() -> None:
    headers, data = file_rows(GALLERY / LIMESURVEY.name, 1)
    survey, _ = read_gallery(LIMESURVEY.name)
    pages = [int(row[column(headers, "lastpage")]) for _, row in data]
    assert survey.metadata["last_page"].tolist() == pages
    submitted = [row[column(headers, "submitdate")] is not None for _, row in data]
    assert survey.metadata["complete"].tolist() == submitted
    assert survey.complete_only().responses["respondent_id"].tolist() == [
        row[0] for (_, row), done in zip(data, submitted, strict=True) if done
    ]


def test_report_frame_has_one_row_per_column() -> None:
    for fixture in FIXTURES:
        headers, _ = file_rows(GALLERY / fixture.name, fixture.header_rows)
        survey, _ = read_gallery(fixture.name)
        frame = survey.report.frame()
        assert len(frame) == max(len(row) for row in headers), fixture.name
        assert set(frame["role"]) <= {"id", "item", "metadata", "identifier", "dropped"}
        items = frame[frame["role"] == "item"]
        assert set(items["item_id"]) == set(survey.items["item_id"]), fixture.name


def test_survey_report_survives_the_cache(tmp_path: Path) -> None:
    from tymqual.project import init_project, open_project

    root = init_project(tmp_path / "p").root
    shutil.copy(GALLERY / LIMESURVEY.name, root / "surveys" / LIMESURVEY.name)
    first = open_project(root)
    second = open_project(root)
    assert (second._cache.hits, second._cache.misses) == (1, 0)  # the parse came from the cache
    stem = Path(LIMESURVEY.name).stem
    assert second.survey(stem).report == first.survey(stem).report
    pd.testing.assert_frame_equal(second.survey(stem).metadata, first.survey(stem).metadata)
    summary = second.survey_reports()
    assert summary.loc[0, "respondents"] == first.survey(stem).report.respondents
    assert summary.loc[0, "incomplete"] == incomplete_by_rule(LIMESURVEY, *file_rows(
        GALLERY / LIMESURVEY.name, 1))


def test_a_stata_file_in_a_project_is_read_as_read_survey_reads_it(tmp_path: Path) -> None:
    from tymqual.project import init_project, open_project

    root = init_project(tmp_path / "p").root
    shutil.copy(GALLERY / "stata.dta", root / "surveys" / "stata.dta")
    project = open_project(root)
    assert project.skipped.empty
    alone = read_survey(root / "surveys" / "stata.dta")
    pd.testing.assert_frame_equal(project.survey("stata").responses, alone.responses)
    assert project.survey("stata").report == alone.report


def test_inspect_command_prints_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    from tymqual.cli import main

    path = GALLERY / "qualtrics_pydict.csv"
    _, data = file_rows(path, 3)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{len(data)} respondents" in out and "identifiers dropped (7)" in out
    assert "IPAddress" in out and "192.0.2." not in out
    assert main(["inspect", str(GALLERY / "puuttuu.csv")]) == 2
    assert "puuttuu.csv" in capsys.readouterr().err


HEADER_AGAIN = [["Vastaaja", "Alue", "Arvio"], ["R1", "a", "3"], ["Vastaaja", "Alue", "Arvio"],
                ["R2", "b", "4"]]


@pytest.mark.parametrize(
    ("rows", "fragments"),
    [
        pytest.param(HEADER_AGAIN, ["kysely.csv", "row 3", "the header"], id="header-repeated"),
        pytest.param(
            qualtrics_rows() + qualtrics_rows()[2:3],
            ["kysely.csv", "row 6", "ImportId"],
            id="import-id-row-below-data",
        ),
    ],
)
def test_a_header_row_among_data_rows_is_refused(
    tmp_path: Path, rows: list[list[str]], fragments: list[str]
) -> None:
    path = write_csv_rows(tmp_path / "kysely.csv", rows)
    with pytest.raises(SurveyError) as caught:
        read_survey(path)
    assert all(f in str(caught.value) for f in fragments), str(caught.value)


def test_fallback_id_is_the_row_number_with_a_warning(tmp_path: Path) -> None:
    rows = [["Nimi?", "Alue"], ["x", "Itäinen"], [None, None], ["y", "Läntinen"]]
    path = write_xlsx(tmp_path / "kysely.xlsx", rows)
    with pytest.warns(TymqualWarning, match=r"kysely\.xlsx.*row number"):
        survey = read_survey(path)
    assert survey.responses["respondent_id"].tolist() == ["2", "4"]
    assert survey.report.id_column is None


def test_check_lists_what_loading_a_survey_decided(tmp_path: Path) -> None:
    from tymqual.integrity import check
    from tymqual.project import init_project

    root = init_project(tmp_path / "p").root
    shutil.copy(GALLERY / "spss_labels.sav", root / "surveys" / "kysely.sav")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        found = check(root)
    row = found[found["problem"] == "survey_notes"].iloc[0]
    assert row["severity"] == "info" and row["file"] == "surveys/kysely.sav"
    assert "'org'" in row["detail"] and "user-missing" in row["detail"]
    assert row["count"] == 2


def test_stata_missing_codes_become_missing_and_labels_the_question() -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    path = GALLERY / "stata.dta"
    plain, meta = pyreadstat.read_dta(str(path))  # .a-.z read as NaN by default
    survey, messages = read_gallery("stata.dta")
    assert survey.source_format == "stata"
    for name in meta.variable_value_labels:
        assert survey.responses[name].isna().tolist() == plain[name].isna().tolist()
    questions = survey.items.set_index("item_id")["question"].to_dict()
    labels = {n: lab for n, lab in meta.column_names_to_labels.items() if n in questions}
    assert questions == labels
    assert any("stata.dta" in m and "user-missing" in m for m in messages)


@pytest.mark.parametrize(
    ("statuses", "not_respondents"),
    [
        # Newer exports name the response type; older ones give its number.
        (["IP Address", "Survey Preview", "Survey Test", "Spam", "Imported"], 3),
        (["0", "1", "2", "8", "4"], 3),
        (["IP Address", "IP Address", "Offline", "Imported", "IP Address"], 0),
    ],
)
def test_qualtrics_previews_tests_and_spam_are_kept_but_not_counted(
    tmp_path: Path, statuses: list[str], not_respondents: int
) -> None:
    from tymqual.tables import likert_table

    status = qualtrics_rows()[0].index("Status")
    leadership = qualtrics_rows()[0].index("Q2_1")
    rows = [list(r) for r in qualtrics_rows()[:3]]
    for i, kind in enumerate(statuses):
        row = list(qualtrics_rows()[3 + i % 2])
        row[status] = kind
        row[qualtrics_rows()[0].index("ResponseId")] = f"R_{i:015d}"
        rows.append(row)
    path = write_csv_rows(tmp_path / "qualtrics.csv", rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = read_survey(path)
    assert len(survey.responses) == len(statuses)  # kept: nothing vanishes from the data
    assert survey.n_test == not_respondents == survey.report.test_responses
    counted = [r for r in rows[3:] if r[status] in ("IP Address", "Offline", "Imported", "0", "4")]
    table = likert_table(survey, ["Q2_1"])
    answered = sum(r[leadership] in ("Agree", "Disagree") for r in counted)
    assert table.loc[0, "valid_n"] == answered
    said = [str(w.message) for w in caught if "previews" in str(w.message)]
    if not_respondents:
        assert str(not_respondents) in table.attrs["note"] and "testi" in table.attrs["note"]
        assert len(said) == 1 and str(path) in said[0]
    else:
        assert "note" not in table.attrs and not said


def test_a_status_column_outside_qualtrics_drops_nobody(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["a", "b", "c"], "Status": ["1", "2", "Test"],
                          "Q1": ["Samaa mieltä", "Eri mieltä", "Samaa mieltä"]})
    path = tmp_path / "kysely.csv"
    frame.to_csv(path, index=False)
    survey = read_survey(path, id_column="id")
    assert survey.n_test == 0 and len(survey.complete_only().responses) == 3
