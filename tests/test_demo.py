"""The repository root is the demo project: it must load cleanly and keep its promises."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import tymqual
from tymqual.storage import read_csv_strings
from tymqual.text import count_words

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo() -> tymqual.Project:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the demo must open without a single warning
        return tymqual.open_project(ROOT)


def test_four_interviews_in_four_formats_one_per_region(demo: tymqual.Project) -> None:
    interviews = demo.sources[demo.sources["kind"] == "interview"]
    assert list(interviews["path"]) == [
        "transcripts/H1.docx",
        "transcripts/H2.txt",
        "transcripts/H3.odt",
        "transcripts/H4.vtt",
    ]
    regions = demo.cases.set_index("case_id")["region"]
    assert sorted(regions) == sorted(["läntinen", "eteläinen", "itäinen", "keskinen"])
    for sid in interviews["source_id"]:
        speech = demo.turns(sid)
        words = count_words(" ".join(speech["text"]))
        assert 1500 <= words <= 3000, (sid, words)
        assert set(speech["role"]) == {"interviewer", "interviewee"}
    # Clearly labelled as made up (the .vtt says so in a NOTE block, which is not speech).
    for sid in ("H1", "H2", "H3"):
        assert "FIKTIIVINEN" in demo.text(sid)
    assert "NOTE FIKTIIVINEN" in (ROOT / "transcripts" / "H4.vtt").read_text(encoding="utf-8")


def test_vtt_turns_keep_their_timestamps(demo: tymqual.Project) -> None:
    turns = demo.turns("H4")
    assert turns["time"].notna().all()
    assert list(turns["time"]) == sorted(turns["time"])
    assert demo.document("H4").meta["duration_seconds"] > 40 * 60


def test_first_coding_uses_every_subcode_and_double_codes_some_passages(
    demo: tymqual.Project,
) -> None:
    seg = demo.segments()
    leaves = {c.key for c in demo.codebook if not c.children}
    assert leaves <= set(seg["code"])
    spans = seg.groupby(["source_id", "start", "end"])["code"].nunique()
    assert (spans >= 2).sum() >= 4
    for root in demo.codebook.codes:
        cases = set(demo.segments(root.key)["case_id"])
        assert len(cases) >= 3, root.key


def test_ledger_on_disk_matches_the_texts(demo: tymqual.Project) -> None:
    ledger = read_csv_strings(ROOT / "codes" / "codings.csv")
    for row in ledger.itertuples():
        assert demo.text(row.source_id)[int(row.start) : int(row.end)] == row.text
    assert demo.unanchored.empty


def test_survey_respondents_link_to_interview_cases(demo: tymqual.Project) -> None:
    survey = demo.survey()
    assert list(survey.responses["respondent_id"]) == ["R1", "R2", "R3", "R4"]
    assert [demo.respondent_case(r) for r in ["R1", "R2", "R3", "R4"]] == ["H1", "H2", "H3", "H4"]
    answers = demo.sources[demo.sources["kind"] == "survey_answer"]
    assert list(answers["case_id"]) == ["H1", "H2", "H3", "H4"]


def test_joint_display_and_case_summaries_are_filled_in(demo: tymqual.Project) -> None:
    from tymqual import tables

    joint = tables.joint_display(demo).set_index("code_path")
    assert list(joint.index) == [c.key for c in demo.codebook.codes]
    statements = set(demo.survey().items["question"])
    for cell in joint["survey_results"]:
        assert {line.split("\u201d")[1] for line in cell.split("\n")} <= statements
    assert set(joint["fit"]) <= {"Vahvistaa", "Laajentaa", "Ristiriitainen", "Ei vastinetta"}
    assert joint["conclusion"].str.len().min() > 40
    summary = tables.case_summary(demo)
    assert not summary["verkostojohtaminen"].str.startswith("(").any()  # a summary, not a count
