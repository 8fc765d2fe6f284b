"""The survey entry's columns: every frame a survey export gives comes back exactly (dtypes,
missing values, text, categories), and the open answers' text and offsets come back whole."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tymqual import survey_store
from tymqual.surveys import answer_texts, read_survey

REPO = Path(__file__).resolve().parents[1]
FRAMES = ("responses", "items", "dont_know", "metadata")
EXPORTS = [*sorted(p for p in (REPO / "tests" / "data" / "surveys").iterdir()
                   if p.suffix in {".csv", ".xlsx", ".sav", ".dta"}),
           REPO / "surveys" / "kysely.xlsx"]


def round_trip(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each frame packed into one archive, unpacked and decoded."""
    arrays: survey_store.Arrays = {}
    header = {name: survey_store.encode_frame(arrays, name, frame)
              for name, frame in frames.items()}
    header_back, arrays_back = survey_store.unpack(survey_store.pack(header, arrays))
    return {name: survey_store.decode_frame(arrays_back, name, spec)
            for name, spec in header_back.items()}


def assert_identical(back: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Equal as pandas compares, and each cell of the same type: None stays None, NaN NaN."""
    pd.testing.assert_frame_equal(back, frame, check_exact=True, check_categorical=True,
                                  check_index_type=True, check_column_type=True)
    assert list(back.dtypes) == list(frame.dtypes)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            assert back[column].cat.categories.equals(frame[column].cat.categories)
            assert back[column].cat.categories.dtype == frame[column].cat.categories.dtype
            assert back[column].cat.ordered == frame[column].cat.ordered
            assert (back[column].cat.codes == frame[column].cat.codes).all()
        cells, cells_back = frame[column].tolist(), back[column].tolist()
        assert [type(c) for c in cells_back] == [type(c) for c in cells], column
        assert [repr(c) for c in cells_back] == [repr(c) for c in cells], column


@pytest.mark.parametrize("path", EXPORTS, ids=[p.name for p in EXPORTS])
def test_every_survey_fixture_comes_back_exactly(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what the readers say is test_surveys' business
        survey = read_survey(path)
    frames = {name: getattr(survey, name) for name in FRAMES}

    back = round_trip(frames)

    for name, frame in frames.items():
        assert_identical(back[name], frame)


def tricky_frame() -> pd.DataFrame:
    """Every column kind, with missing values of each kind and text that breaks naive codecs."""
    texts = ["Äänekoski – työllisyys", "", "e\u0301", "rivi\r\nrivi", "nul\x00 ja \ud800", "kissa"]
    agree, disagree = "Samaa mieltä", "Eri mieltä"
    likert = pd.Categorical([agree, None, disagree, agree, None, disagree],
                            categories=["Eri mieltä", "Samaa mieltä"], ordered=True)
    return pd.DataFrame({
        "respondent_id": pd.Series([f"R{i}" for i in range(6)], dtype="str"),
        "likert": likert,
        "choice": pd.Categorical([2, 1, None, 2, 1, 1]),
        "open_str": pd.Series([texts[0], None, texts[2], texts[3], texts[4], ""], dtype="str"),
        "open_string": pd.Series([None, texts[1], texts[2], texts[3], texts[4], texts[5]],
                                 dtype="string"),
        "object_text": pd.Series([None, *texts[1:]], dtype=object),
        "object_mixed": pd.Series([("a", ("b", 1)), (), None, float("nan"), 3, "x"], dtype=object),
        "number": [1.5, float("nan"), -0.0, float("inf"), 2.0, 1e-300],
        "count": pd.Series([1, 2, 3, 4, 5, -6], dtype="int64"),
        "count_na": pd.Series([1, None, 3, None, 5, 6], dtype="Int64"),
        "ticked": pd.Series([True, None, False, True, None, False], dtype="boolean"),
        "flag": [True, False, True, True, False, False],
    })


@pytest.mark.parametrize("rows", [slice(None), slice(0, 0), slice(4, 5)],
                         ids=["all", "none", "one"])
def test_every_column_kind_and_missing_value_comes_back_exactly(rows: slice) -> None:
    frame = tricky_frame().iloc[rows].reset_index(drop=True)
    back = round_trip({"f": frame, "empty": pd.DataFrame(index=pd.RangeIndex(len(frame)))})
    assert_identical(back["f"], frame)
    assert back["empty"].shape == (len(frame), 0)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"a": [1, 2]}, index=[5, 6]),
    pd.DataFrame({"a": pd.to_datetime(["2026-01-01", "2026-01-02"])}),
    pd.DataFrame({"a": [{"dict": 1}, None]}),
], ids=["index", "datetime", "dict cell"])
def test_what_the_codec_does_not_know_is_refused_not_guessed(frame: pd.DataFrame) -> None:
    with pytest.raises(survey_store.Unsupported):
        survey_store.encode_frame({}, "f", frame)


@pytest.mark.parametrize("path", EXPORTS, ids=[p.name for p in EXPORTS])
def test_open_answers_come_back_whole(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answers = answer_texts(read_survey(path))
    arrays: survey_store.Arrays = {}
    survey_store.encode_answers(arrays, answers)

    back = survey_store.decode_answers(survey_store.unpack(survey_store.pack({}, arrays))[1])

    assert (back.respondent_ids, back.text, back.turn_items) == (
        answers.respondent_ids, answers.text, answers.turn_items)
    for field in ("bounds", "turn_bounds", "turn_starts", "turn_ends"):
        assert np.array_equal(getattr(back, field), getattr(answers, field))


def test_the_leak_check_reads_a_survey_entry_s_finnish_text(tmp_path: Path) -> None:
    """The cache is as sensitive as the sources: a name in an open answer is found there."""
    from tymqual.cache import SourceCache
    from tymqual.leaks import check_leaks

    export = tmp_path / "kysely.csv"
    pd.DataFrame({"Vastaajan tunniste": ["R1", "R2"],
                  "Kerro lisää": ["Äänekosken Väinö Jäätmä soitti.", "Ei mitään."]}).to_csv(
        export, index=False)
    SourceCache(tmp_path).survey(export)
    entry = next((tmp_path / ".tymqual-cache").glob("*.zip"))
    key = pd.DataFrame({"original": ["Väinö Jäätmä"], "label": ["[X]"], "kind": ["person"]})

    assert "Väinö Jäätmä" in set(check_leaks(entry, key)["found"])
