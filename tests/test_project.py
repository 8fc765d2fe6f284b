"""The project folder end to end: load, code, retrieve, re-anchor, and refuse bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import tymqual
from tymqual.cli import main
from tymqual.errors import CodebookError, CodingError, ProjectError, TymqualWarning

MakeProject = Callable[..., tymqual.Project]


def test_sources_frame_and_cases(make_project: MakeProject) -> None:
    p = make_project()
    src = p.sources
    assert list(src.columns) == [
        "source_id",
        "kind",
        "path",
        "case_id",
        "n_chars",
        "n_words",
        "n_turns",
        "sha256",
    ]
    assert list(src["source_id"]) == ["H1", "H2"]
    assert list(src["path"]) == ["transcripts/H1.txt", "transcripts/H2.txt"]
    assert list(src["case_id"]) == ["H1", "H2"]
    assert list(src["n_turns"]) == [4, 4]
    assert src.loc[0, "n_chars"] == len(p.text("H1"))


def test_turns_cover_speech_and_continuation_lines(make_project: MakeProject) -> None:
    turns = make_project().turns("H1")
    assert list(turns["speaker"]) == ["H", "V", "H", "V"]
    assert list(turns["role"]) == ["interviewer", "interviewee", "interviewer", "interviewee"]
    assert (
        turns.loc[3, "text"]
        == "Johtoryhmä tukee hyvin. Kela on mukana.\nToinen kappale samaa vastausta."
    )


def test_code_by_quote_saves_at_once_and_retrieves_with_context(make_project: MakeProject) -> None:
    p = make_project()
    cid = p.code(
        "H1",
        "johtaminen/resurssit",
        quote="Hänellä on resurssit kunnossa.",
        coder="A",
        reduced="Resurssit kunnossa",
    )
    on_disk = tymqual.open_project(p.root).codings
    assert list(on_disk["coding_id"]) == [cid]
    row = on_disk.iloc[0]
    assert p.text("H1")[row["start"] : row["end"]] == "Hänellä on resurssit kunnossa."
    seg = p.segments("johtaminen")
    assert seg.loc[0, "code_path"] == "johtaminen/resurssit"
    assert seg.loc[0, "speaker"] == "V" and seg.loc[0, "turn"] == 2
    assert seg.loc[0, "region"] == "läntinen"
    assert p.segments("johtaminen", descendants=False).empty
    assert p.quote(cid) == "\u201dHänellä on resurssit kunnossa.\u201d (H1)"


def test_code_whole_turns_and_offsets(make_project: MakeProject) -> None:
    p = make_project()
    ids = p.code_many("H2", "neuvottelut", turns=[2, 4])
    seg = p.segments("neuvottelut")
    assert list(seg["coding_id"]) == ids
    assert list(seg["turn"]) == [2, 4]
    assert seg.loc[1, "text"] == "Mallisopimus auttoi. Kela on mukana."
    cid = p.code("H2", "neuvottelut", start=3, end=9)
    assert p.segments(case="H2").set_index("coding_id").loc[cid, "text"] == p.text("H2")[3:9]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quote": "Kela on mukana."}, r"(?s)occurs 2 times; lengthen it.*start=3:.*start=31:"),
        ({"quote": "ei tällaista"}, r"not in the text"),
        ({"quote": "x", "start": 1, "end": 2}, r"exactly one of"),
        ({}, r"exactly one of"),
        ({"turns": [9]}, r"no turn\(s\) \[9\]"),
        ({"turns": [1, 1]}, r"code\(\) makes one coding.*code_many"),
        ({"start": 5, "end": 5000}, r"does not fit"),
    ],
)
def test_coding_errors_name_the_problem(
    make_project: MakeProject, kwargs: dict, message: str
) -> None:
    p = make_project({"transcripts/H3.txt": "V: Kela on mukana. Sitten taas Kela on mukana.\n"})
    with pytest.raises(CodingError, match=message):
        p.code("H3", "neuvottelut", **kwargs)
    assert p.codings.empty


def test_unknown_code_and_source(make_project: MakeProject) -> None:
    p = make_project()
    with pytest.raises(CodebookError, match="neuvotelut"):
        p.code("H1", "neuvotelut", quote="Kela on mukana.")
    with pytest.raises(tymqual.TymqualError, match="no source 'H9'.*H1, H2"):
        p.code("H9", "neuvottelut", quote="Kela")


def test_reanchoring_after_a_typo_fix_moves_codings_and_lists_lost_ones(
    make_project: MakeProject,
) -> None:
    p = make_project()
    kept = p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.")
    lost = p.code("H2", "neuvottelut", quote="Henkilöstö vaihtui kesken kaiken.")
    path = p.root / "transcripts" / "H2.txt"
    edited = path.read_text(encoding="utf-8").replace("venyivät", "venyivät pitkään")
    edited = edited.replace("Henkilöstö vaihtui kesken kaiken.", "Väki vaihtui.")
    path.write_text(edited, encoding="utf-8")
    with pytest.warns(TymqualWarning, match="1 coding.*moved.*H2.*1 coding.*no longer found"):
        q = tymqual.open_project(p.root)
    assert list(q.unanchored["coding_id"]) == [lost]
    ledger = q.codings.set_index("coding_id")
    assert (
        q.text("H2")[ledger.loc[kept, "start"] : ledger.loc[kept, "end"]] == "Mallisopimus auttoi."
    )
    assert lost in ledger.index  # kept in the ledger, never dropped
    assert list(q.segments()["coding_id"]) == [kept]


def test_bad_source_is_skipped_with_a_warning_and_the_rest_loads(make_project: MakeProject) -> None:
    files = {
        "transcripts/H3.txt": "   \n",
        "transcripts/H2.md": "V: toinen H2\n",
        "transcripts/muistio.pdf": "%PDF-1.4",
    }
    with pytest.warns(TymqualWarning, match=r"4 source\(s\) skipped.*H2\.md.*H2\.txt.*H3\.txt"):
        p = make_project(files)
    assert p.source_ids == ["H1"]
    assert sorted(p.skipped["path"]) == [
        "transcripts/H2.md",
        "transcripts/H2.txt",
        "transcripts/H3.txt",
        "transcripts/muistio.pdf",
    ]
    assert "H3.txt" in p.skipped.set_index("path").loc["transcripts/H3.txt", "error"]


def test_merge_codes_recodes_the_ledger(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H1", "johtaminen/johtoryhma", quote="Johtoryhmä tukee hyvin.")
    assert p.merge_codes("johtoryhma", into="johtaminen/resurssit") == 1
    q = tymqual.open_project(p.root)
    assert "johtoryhma" not in q.codebook
    assert list(q.segments()["code_path"]) == ["johtaminen/resurssit"]


def test_rename_keeps_key_and_codings(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H1", "neuvottelut", quote="Kela on mukana.")
    p.rename_code("neuvottelut", "Sopimusneuvottelut")
    q = tymqual.open_project(p.root)
    assert q.segments().loc[0, "code_name"] == "Sopimusneuvottelut"


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        ("case_id,region\nH1,a\nH1,b\n", r"case_id 'H1' appears on rows 2, 3"),
        ("id,region\nH1,a\n", r"no case_id column"),
        ("case_id,region\nH1,a\n,b\n", r"row 3, column case_id is empty"),
    ],
)
def test_bad_cases_file_is_named(make_project: MakeProject, cases: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        make_project({"codes/cases.csv": cases})


def test_bad_config_is_named(make_project: MakeProject) -> None:
    with pytest.raises(ProjectError, match=r"tymqual\.yaml: unknown setting\(s\) min_cell"):
        make_project({"tymqual.yaml": "min_cell: 3\n"})


def test_init_refuses_an_existing_project(tmp_path: Path) -> None:
    tymqual.init_project(tmp_path / "p")
    before = (tmp_path / "p" / "tymqual.yaml").read_bytes()
    with pytest.raises(ProjectError, match="already holds a tymqual project"):
        tymqual.init_project(tmp_path / "p")
    assert (tmp_path / "p" / "tymqual.yaml").read_bytes() == before
    assert "codes/private/" in (tmp_path / "p" / ".gitignore").read_text()


def test_html_view_highlights_in_code_colour(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H1", "johtaminen/resurssit", quote="Hänellä on resurssit kunnossa.")
    page = p.show("H1")._repr_html_()
    assert 'title="johtaminen/resurssit"' in page and "#66c2a5" in page
    assert "<strong>testi</strong>" in p._repr_html_()


def test_cli_status_codes_and_errors(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    p = make_project()
    p.code("H1", "neuvottelut", quote="Kela on mukana.")
    assert main(["status", str(p.root)]) == 0
    out = capsys.readouterr().out
    assert "sources 2" in out and "neuvottelut" in out and "codings 1 accepted" in out
    assert main(["codes", str(p.root)]) == 0
    assert "  Resurssit  [johtaminen/resurssit]" in capsys.readouterr().out
    assert main(["init", str(p.root)]) == 2
    assert "already holds a tymqual project" in capsys.readouterr().err


def test_python_dash_m_runs(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tymqual", "init", str(tmp_path / "uusi")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "uusi" / "codes" / "codebook.yaml").exists()


def test_segments_columns_are_documented(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H1", "neuvottelut", quote="Kela on mukana.")
    seg = p.segments()
    assert list(seg.columns[:15]) == [
        "coding_id",
        "source_id",
        "case_id",
        "code",
        "code_path",
        "code_name",
        "start",
        "end",
        "text",
        "speaker",
        "turn",
        "coder",
        "status",
        "memo",
        "reduced",
    ]
    assert isinstance(seg, pd.DataFrame)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tymqual.open_project(p.root)  # a clean project opens without warnings


def _code_many_times(root: str, source_id: str, quote: str, n: int) -> None:
    project = tymqual.open_project(root)
    for i in range(n):
        project.code(source_id, "neuvottelut", quote=quote, memo=f"{source_id}-{i}")


def test_two_processes_coding_at_once_both_keep_their_work(make_project: MakeProject) -> None:
    import multiprocessing

    p = make_project()
    ctx = multiprocessing.get_context("spawn")
    workers = [
        ctx.Process(
            target=_code_many_times, args=(str(p.root), "H1", "Johtoryhmä tukee hyvin.", 15)
        ),
        ctx.Process(target=_code_many_times, args=(str(p.root), "H2", "Neuvottelut venyivät.", 15)),
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    memos = sorted(tymqual.open_project(p.root).codings["memo"])
    assert memos == sorted([f"H1-{i}" for i in range(15)] + [f"H2-{i}" for i in range(15)])


def test_open_survey_answers_are_codable_sources_of_their_respondent(
    make_project: MakeProject, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    p = make_project({"codes/cases.csv": "case_id,respondent_id\nH1,R1\nH2,R2\n"})
    book = Workbook()
    sheet = book.active
    sheet.append(["Vastaajan tunniste", "Mitä haluaisit kertoa TYM-yhteistyöstä?"])
    sheet.append(["R1", "Kela on tärkeä kumppani. Johtoryhmä toimii."])
    sheet.append(["R2", "Neuvottelut kestivät liian kauan, koska henkilöstö vaihtui."])
    book.save(p.root / "surveys" / "kysely.xlsx")
    q = tymqual.open_project(p.root)
    answers = q.sources[q.sources["kind"] == "survey_answer"]
    assert list(answers["source_id"]) == ["kysely_R1", "kysely_R2"]
    assert list(answers["case_id"]) == ["H1", "H2"]
    cid = q.code("kysely_R2", "neuvottelut", quote="henkilöstö vaihtui")
    seg = q.segments().set_index("coding_id")
    assert seg.loc[cid, "case_id"] == "H2" and seg.loc[cid, "speaker"] == "q1"
    assert q.turns("kysely_R1").loc[0, "text"] == "Kela on tärkeä kumppani. Johtoryhmä toimii."


@pytest.mark.parametrize("cache", [True, False], ids=["cached", "uncached"])
def test_answer_sources_hold_each_answered_question_in_order(
    make_project: MakeProject, cache: bool
) -> None:
    questions = ["Mikä toimi hyvin?", "Mitä pitäisi muuttaa?"]
    rows = [
        ["R1", "Kela on tärkeä kumppani.", "Neuvottelut venyivät liikaa.\r\nToinen rivi."],
        ["R2", "", "Henkilöstö vaihtui kesken kaiken."],
        ["R3", "", ""],
        ["R4", "Johtoryhmä toimii hyvin.", ""],
    ]
    body = "".join(",".join(f'"{c}"' for c in row) + "\n" for row in rows)
    p = make_project({"surveys/kysely.csv": '"Vastaajan tunniste","' + '","'.join(questions)
                      + '"\n' + body})
    q = tymqual.open_project(p.root, cache=cache)
    q = tymqual.open_project(p.root, cache=cache)  # the second open reads the cache
    items = q.survey("kysely").items.set_index("question")["item_id"]
    for rid, *cells in rows:
        answered = [(items[question], cell.replace("\r\n", "\n"))
                    for question, cell in zip(questions, cells, strict=True) if cell]
        sid = f"kysely_{rid}"
        if not answered:
            assert sid not in q.source_ids
            continue
        doc = q.document(sid)
        expected = "".join(f"{item}: {question}\n{answer}\n\n" for (item, answer), question
                           in zip(answered, [items.index[items == i][0] for i, _ in answered],
                                  strict=True))
        assert doc.text == expected.rstrip("\n") + "\n"
        assert [(t.turn, t.speaker, t.role) for t in doc.turns] == [
            (n, item, "interviewee") for n, (item, _) in enumerate(answered, start=1)]
        assert [doc.text[t.start:t.end] for t in doc.turns] == [a for _, a in answered]
        assert dict(doc.meta) == {"format": q.survey("kysely").source_format,
                                  "respondent_id": rid, "survey": "kysely"}
        assert doc.meta == dict(doc.meta) and len(doc.meta) == 3
        with pytest.raises(KeyError):
            doc.meta["speaker"]


def test_cli_exports_and_imports_refi_qda(
    make_project: MakeProject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = make_project()
    p.code("H1", "johtaminen/resurssit", quote="Hänellä on resurssit kunnossa.", coder="A")
    qdpx, qdc = tmp_path / "p.qdpx", tmp_path / "p.qdc"
    assert main(["export", "qdpx", str(p.root), "--out", str(qdpx)]) == 0
    assert main(["export", "qdc", str(p.root), "--out", str(qdc)]) == 0
    assert main(["import", str(qdpx), "--into", str(tmp_path / "tuotu")]) == 0
    back = tymqual.open_project(tmp_path / "tuotu")
    assert list(back.segments()["text"]) == ["Hänellä on resurssit kunnossa."]
    assert main(["import", str(qdc), "--into", str(tmp_path / "kb.yaml")]) == 0
    assert (
        tymqual.Codebook.from_yaml(tmp_path / "kb.yaml").to_frame()["key"].tolist()
        == p.codebook.to_frame()["key"].tolist()
    )
    capsys.readouterr()
    assert main(["import", str(qdpx), "--into", str(tmp_path / "tuotu")]) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_cli_merge_and_agreement_of_two_coders(
    make_project: MakeProject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    p = make_project()
    p.code("H1", "johtaminen/resurssit", quote="Hänellä on resurssit kunnossa.", coder="A")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A")
    copy = tmp_path / "koodaaja_b"
    shutil.copytree(p.root, copy)
    b = tymqual.open_project(copy)
    b.code("H1", "johtaminen/resurssit", quote="Hänellä on resurssit kunnossa.", coder="B")
    assert main(["merge", str(copy), str(p.root)]) == 0
    assert "1 coding(s) added" in capsys.readouterr().out
    assert main(["merge", str(copy), str(p.root)]) == 0  # idempotent
    assert "0 coding(s) added" in capsys.readouterr().out
    assert sorted(tymqual.open_project(p.root).codings["coder"]) == ["A", "A", "B"]
    assert main(["agreement", str(p.root), "--coders", "A", "B", "--unit", "turn"]) == 0
    out = capsys.readouterr().out
    assert "johtaminen/resurssit" in out and "(total)" in out


def test_cli_search_finds_inflected_forms_and_names_bad_queries(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    p = make_project()
    p.code("H1", "johtaminen/johtoryhma", quote="Johtoryhmä tukee hyvin.")
    extra = "V: Johtoryhmässä istuu viisi jäsentä. Kelan edustaja on mukana.\n"
    (p.root / "transcripts" / "H3.txt").write_text(extra, encoding="utf-8")
    assert main(["search", "johtoryhmä", "--project", str(p.root)]) == 0
    out = capsys.readouterr().out
    assert "[Johtoryhmässä]" in out and "[Johtoryhmä]" in out
    assert "(johtaminen/johtoryhma)" in out and "3 hit(s)" in out  # "Entä johtoryhmä?" too
    assert main(["search", "johtoryhmä AND (", "--project", str(p.root)]) == 2
    assert "is never closed at position" in capsys.readouterr().err


def test_cli_pseudonymize_and_check_leaks(
    make_project: MakeProject, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = make_project({"transcripts/H3.txt": "V: Matti Virtanen soitti Virtaselle eilen.\n"})
    p.code("H3", "neuvottelut", quote="Matti Virtanen soitti Virtaselle eilen.")
    (p.root / "codes" / "private").mkdir(exist_ok=True)
    key = "original,label,kind\nMatti Virtanen,[Henkilö 1],person\nVirtanen,[Henkilö 1],person\n"
    (p.root / "codes" / "private" / "key.csv").write_text(key, encoding="utf-8")
    export = tmp_path / "vienti"
    export.mkdir()
    (export / "lainaukset.csv").write_text("lainaus\nVirtaselle soitettiin\n", encoding="utf-8")
    assert main(["check-leaks", str(export), "--project", str(p.root)]) == 1
    assert "lainaukset.csv" in capsys.readouterr().err
    out = tmp_path / "pseudo"
    assert main(["pseudonymize", str(out), "--project", str(p.root)]) == 0
    text = tymqual.open_project(out).text("H3")
    assert "Virta" not in text and "[Henkilö 1]" in text
    assert main(["check-leaks", str(out), "--key", str(p.root / "codes/private/key.csv")]) == 0


def test_cli_output_into_a_closed_pipe_is_not_an_error(make_project: MakeProject) -> None:
    p = make_project()
    done = subprocess.run(
        f"{sys.executable} -m tymqual search Kela --project {p.root} | head -c 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "BrokenPipeError" not in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------- reused segments
def test_segments_follow_every_change_although_they_are_reused(
        make_project: MakeProject) -> None:
    # segments() keeps recent frames while the ledger bytes, codebook and arguments are the
    # same; each kind of change must still show at once.
    p = make_project()
    p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.")
    first = p.segments("johtaminen")
    assert first["code_path"].tolist() == ["johtaminen/resurssit"]
    for _ in range(2):  # a frame computed, then one reused: both are the caller's copies
        mine = p.segments("johtaminen")
        mine.loc[0, "code_path"] = "muutettu"
    assert p.segments("johtaminen")["code_path"].tolist() == ["johtaminen/resurssit"]

    p.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.")  # through the project
    assert len(p.segments("johtaminen")) == 2

    other = tymqual.open_project(p.root)  # another kernel removes one
    other.ledger.remove([other.codings["coding_id"].iloc[0]])
    assert p.segments("johtaminen")["code"].tolist() == ["johtoryhma"]

    p.rename_code("johtoryhma", "Johtoryhmän tuki")  # the codebook changes
    assert p.segments("johtaminen")["code_name"].tolist() == ["Johtoryhmän tuki"]
    p.move_code("johtoryhma", "neuvottelut")
    assert p.segments("johtaminen").empty
    assert p.segments("neuvottelut")["code_path"].tolist() == ["neuvottelut/johtoryhma"]

    # Different arguments are different frames.
    assert p.segments(status="accepted", coder=["nobody"]).empty
    assert len(p.segments(status=["accepted", "suggested"])) == 1


FACADES = {
    "export_qdpx": ("tymqual.refi", "export_qdpx"),
    "search": ("tymqual.search", "search"),
    "word_frequencies": ("tymqual.search", "word_frequencies"),
    "autocode": ("tymqual.autocode", "autocode"),
    "accept": ("tymqual.autocode", "accept"),
    "reject": ("tymqual.autocode", "reject"),
    "pseudonymize": ("tymqual.privacy", "pseudonymize"),
    "sections": ("tymqual.documents", "sections"),
    "agreement": ("tymqual.agreement", "project_agreement"),
    "disagreements": ("tymqual.agreement", "disagreements"),
    "resolve": ("tymqual.agreement", "resolve"),
    "saturation": ("tymqual.coverage", "saturation"),
    "coded_share": ("tymqual.coverage", "coded_share"),
    "single_coder_codes": ("tymqual.coverage", "single_coder_codes"),
    "report": ("tymqual.reports", "build_report"),
}


@pytest.mark.parametrize("name", FACADES)
def test_facades_spell_out_the_real_signature(name: str) -> None:
    import importlib
    import inspect

    module, function = FACADES[name]
    real = inspect.signature(getattr(importlib.import_module(module), function))
    facade = inspect.signature(getattr(tymqual.Project, name))
    wanted = [(p.name, p.kind, p.default) for p in list(real.parameters.values())[1:]]
    given = [(p.name, p.kind, p.default) for p in list(facade.parameters.values())[1:]]
    assert given == wanted
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in facade.parameters.values())


def test_derived_data_is_kept_while_what_it_depends_on_is_unchanged(
    make_project: Callable[..., tymqual.Project],
) -> None:
    p = make_project()
    built: list[int] = []

    def build() -> list[int]:
        built.append(1)
        return [len(built)]

    first = p.derived("x", build, depends="a")
    assert p.derived("x", build, depends="a") is first and len(built) == 1
    again = p.derived("x", build, depends="b")  # what it came from changed: built anew
    assert again == [2] and p.derived("x", build, depends="b") is again
    for i in range(tymqual.project.DERIVED_ENTRIES):
        p.derived(("other", i), list)
    assert p.derived("x", build, depends="b") == [3]  # the least recently used gave way
    for i in range(2 * tymqual.project.DERIVED_ENTRIES):  # x in use all along stays
        p.derived(("more", i), list)
        assert p.derived("x", build, depends="b") == [3]
    assert len(built) == 3


def test_segments_follow_the_ledger_through_the_derived_cache(
    make_project: Callable[..., tymqual.Project],
) -> None:
    p = make_project()
    before = p.segments()
    text = p.text("H2")
    p.code("H2", "resurssit", start=0, end=len(text.split("\n")[0]))
    after = p.segments()
    assert len(after) == len(before) + 1
    after.loc[:, "code"] = "changed"  # a caller's edit never reaches the kept frame
    assert (p.segments()["code"] != "changed").all()


def test_the_sources_frame_is_built_once_and_handed_out_as_a_copy(
    make_project: Callable[..., tymqual.Project],
) -> None:
    p = make_project()
    first = p.sources
    first.loc[:, "n_words"] = -1
    again = p.sources
    assert (again["n_words"] > 0).all()
    assert again["n_chars"].tolist() == [len(p.text(s)) for s in again["source_id"]]


# ---------------------------------------------------------------------------- warm open
@pytest.fixture
def coded(make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A coded project opened once since, so its ledger is kept and its anchoring known."""
    monkeypatch.setattr("tymqual.codings.KEEP_ROWS", 1)
    p = make_project()
    p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.")
    p.code("H2", "neuvottelut", quote="Henkilöstö vaihtui kesken kaiken.")
    tymqual.open_project(p.root)
    return p.root


def test_an_unchanged_project_opens_without_reading_its_ledger_and_as_uncached(
        coded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uncached = tymqual.open_project(coded, cache=False)
    with monkeypatch.context() as patch:
        patch.setattr("tymqual.project.reanchor", None)  # re-anchoring now would fail
        patch.setattr("tymqual.codings._parse", None)  # and so would parsing the ledger
        p = tymqual.open_project(coded)
    pd.testing.assert_frame_equal(p.codings, uncached.codings)
    pd.testing.assert_frame_equal(p.segments(), uncached.segments())


def test_an_edited_source_is_reanchored_after_an_open_that_skipped(coded: Path) -> None:
    path = coded / "transcripts" / "H2.txt"
    edited = path.read_text(encoding="utf-8").replace("venyivät", "venyivät pitkään")
    path.write_text(edited.replace("Henkilöstö vaihtui kesken kaiken.", "Väki vaihtui."),
                    encoding="utf-8")
    with pytest.warns(TymqualWarning, match="1 coding.*moved.*H2.*1 coding.*no longer found"):
        p = tymqual.open_project(coded, save_reanchored=False)
    with pytest.warns(TymqualWarning, match="moved"):
        uncached = tymqual.open_project(coded, cache=False, save_reanchored=False)
    pd.testing.assert_frame_equal(p.unanchored, uncached.unanchored)
    pd.testing.assert_frame_equal(p.codings, uncached.codings)


@pytest.mark.parametrize("edit", ["bad-offset", "moved-offset"])
def test_a_ledger_edited_outside_is_checked_after_an_open_that_skipped(
        coded: Path, edit: str) -> None:
    path = coded / "codes" / "codings.csv"
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    start = lines[1].split(",")[2]
    if edit == "bad-offset":
        lines[1] = lines[1].replace(f",{start},", ",alku,", 1)
        path.write_text("\n".join(lines), encoding="utf-8-sig")
        with pytest.raises(CodingError, match=r"codings.csv.*row 2, column 'start': 'alku'"):
            tymqual.open_project(coded)
        return
    # Offsets moved by hand off the passage: re-anchoring must run and put them back.
    lines[1] = lines[1].replace(f",{start},", f",{int(start) + 1},", 1)
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    with pytest.warns(TymqualWarning, match="moved"):
        p = tymqual.open_project(coded, save_reanchored=False)
    assert p.codings["start"].tolist()[0] == int(start)


def test_a_torn_append_that_left_earlier_bytes_is_told_at_open(coded: Path) -> None:
    # The file is cut back to bytes an earlier open found in place: only the history
    # shows that the last append was torn, and the open must still read and tell.
    path = coded / "codes" / "codings.csv"
    anchored = path.read_bytes()
    p = tymqual.open_project(coded)
    kept = coded / ".tymqual-cache" / "ledger"
    shutil.copytree(kept, coded / "kept-then")
    second = p.codings.iloc[-1].to_dict()
    p.undo()
    third = {**second, "coding_id": "c000000000ff", "start": 0, "end": 4,
             "text": p.text("H2")[0:4]}
    p.ledger.add([second, third])
    first = p.codings["coding_id"].tolist()[:1]
    path.write_bytes(path.read_bytes()[: len(anchored)])
    assert path.read_bytes() == anchored
    shutil.rmtree(kept)
    shutil.copytree(coded / "kept-then", kept)  # as if kept by another process
    with pytest.warns(TymqualWarning, match="torn end"):
        q = tymqual.open_project(coded)
    assert q.codings["coding_id"].tolist() == first


SURVEY_CSV = ('"Vastaajan tunniste","Mitä haluaisit kertoa?"\n'
              '"R1","Yhteistyö Kelan kanssa sujuu hyvin."\n'
              '"R2","Palaverit venyvät liian pitkiksi."\n')


@pytest.mark.parametrize("edit", ["survey", "transcript", "none"])
def test_an_open_skips_re_anchoring_only_while_every_source_is_unchanged(
        make_project: MakeProject, monkeypatch: pytest.MonkeyPatch, edit: str) -> None:
    # The skip is keyed by the digests the cache holds per file: an edited survey (whose
    # open answers come from one file) or transcript must bring the ledger's read back.
    monkeypatch.setattr("tymqual.codings.KEEP_ROWS", 1)
    p = make_project({"surveys/kysely.csv": SURVEY_CSV})
    answer = next(sid for sid in p.source_ids if sid.endswith("R2"))
    p.code(answer, "neuvottelut", quote="Palaverit venyvät")
    p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.")
    tymqual.open_project(p.root)  # records that every coding sat in place
    if edit == "survey":
        path = p.root / "surveys" / "kysely.csv"
        path.write_text(SURVEY_CSV.replace("Palaverit venyvät liian", "Kokoukset venyvät"),
                        encoding="utf-8")
    elif edit == "transcript":
        path = p.root / "transcripts" / "H2.txt"
        path.write_text(path.read_text(encoding="utf-8").replace("Mallisopimus auttoi.",
                                                                 "Malli auttoi."),
                        encoding="utf-8")
    if edit == "none":
        with monkeypatch.context() as patch:
            patch.setattr("tymqual.project.reanchor", None)  # re-anchoring now would fail
            again = tymqual.open_project(p.root)
        assert again.unanchored.empty
        return
    with pytest.warns(TymqualWarning, match="no longer found"):
        again = tymqual.open_project(p.root, save_reanchored=False)
    assert len(again.unanchored) == 1
