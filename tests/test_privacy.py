"""Pseudonymisation key, candidates, pseudonymised projects and formula safety."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import tymqual
from tymqual.errors import TymqualError, TymqualWarning
from tymqual.keycandidates import hetu_valid
from tymqual.leaks import check_leaks
from tymqual.privacy import (
    LeakError,
    PrivacyError,
    draft_key,
    excel_safe,
    pseudonymize,
    read_key,
    safe_xlsx_cell,
    suggest_key_candidates,
    write_key,
    write_safe_csv,
)
from tymqual.storage import excel_unsafe

MakeProject = Callable[..., tymqual.Project]
REPO = Path(__file__).resolve().parents[1]

# Made-up people and identifiers; the hetu has a valid check character (010101123 mod 31 = N).
H3 = """\
H: Kenen kanssa teette yhteistyötä?
V: Lähinnä Matti Virtasen kanssa. Virtanen vetää johtoryhmää, ja Virtaselle raportoidaan.
H: Missä toimitte?
V: Me ollaan Joensuussa. Kela on mukana.
V: Yhteystiedot: matti.virtanen@example.invalid, puhelin 040 123 4567, henkilötunnus 010101-123N.
"""

KEY = pd.DataFrame(
    [
        ("Matti Virtanen", "[Henkilö 1]", "person"),
        ("Virtanen", "[Henkilö 1]", "person"),
        ("Joensuu", "[Kunta 2]", "place"),
        ("matti.virtanen@example.invalid", "[Sähköposti 1]", "other"),
        ("040 123 4567", "[Puhelinnumero 1]", "other"),
        ("010101-123N", "[Henkilötunnus 1]", "other"),
    ],
    columns=["original", "label", "kind"],
)

# Substrings of the originals that must not survive anywhere in a pseudonymised project.
TRACES = ("virtas", "virtan", "joensuu", "040 123", "123 4567", "123n", "example.invalid")


@pytest.fixture
def named(make_project: MakeProject) -> tymqual.Project:
    """The test project with a third interview that names a person, a town and identifiers."""
    return make_project({"transcripts/H3.txt": H3})


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------- the key file
def test_key_round_trips_through_an_excel_friendly_file(named: tymqual.Project) -> None:
    path = write_key(KEY, named)
    assert path == named.root / "codes" / "private" / "key.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    pd.testing.assert_frame_equal(read_key(named), KEY)
    pd.testing.assert_frame_equal(read_key(named.root), KEY)
    pd.testing.assert_frame_equal(read_key(path), KEY)


def test_write_key_warns_when_git_would_commit_it(named: tymqual.Project) -> None:
    (named.root / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    with pytest.warns(TymqualWarning, match="codes/private/"):
        write_key(KEY, named)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("original,label\nVirtanen,[Henkilö 1]\n", "row 1 (the header): column 'kind' is missing"),
        ("original,label,kind\nVirtanen,[Henkilö 1],person\nvirtanen,[Henkilö 2],person\n",
         "column 'original': 'virtanen' is on row 2 and row 3"),
        ("original,label,kind\nVirtanen,[Henkilö 1],ihminen\n",
         "row 2, column 'kind': 'ihminen' is not one of person, place, organisation, other"),
        ("original,label,kind\nJoensuu,[Kunta 1],place\nVirtanen,,person\n",
         "row 3, column 'label': empty"),
        ("original,label,kind\n,[Henkilö 1],person\n", "row 2, column 'original': '' is empty"),
        ("original,label,kind\nJoensuu,[Joensuun kunta],place\n",
         "row 2, column 'label': '[Joensuun kunta]' contains 'Joensuun'"),
    ],
    ids=["missing-column", "duplicate-original", "unknown-kind", "empty-label", "empty-original",
         "label-reveals-original"],
)
def test_a_bad_key_file_is_refused_naming_file_row_and_column(
    named: tymqual.Project, content: str, expected: str
) -> None:
    path = named.root / "codes" / "private" / "key.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PrivacyError) as caught:
        read_key(named)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)
    assert isinstance(caught.value, TymqualError)


def test_finnish_kind_names_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "key.csv"
    path.write_text("original,label,kind\nVirtanen,[Henkilö 1],Henkilö\n"
                    "Joensuu,[Kunta 1],paikka\n", encoding="utf-8")
    assert list(read_key(path)["kind"]) == ["person", "place"]


# ---------------------------------------------------------------------------- candidates
@pytest.mark.parametrize(
    ("code", "valid"),
    [("010101-123N", True), ("131052-308T", True), ("010101-123M", False),
     ("131052-308U", False), ("320101-123N", False), ("010101A123N", True)],
)
def test_hetu_check_character(code: str, valid: bool) -> None:
    # 131052-308T is the Digital and Population Data Services Agency's own example.
    assert hetu_valid(code) is valid


def test_candidates_cover_names_places_and_identifiers(named: tymqual.Project) -> None:
    found = suggest_key_candidates(named).set_index("candidate")
    assert list(found.columns) == ["kind_guess", "count", "examples", "reason"]
    expected = {
        "Matti Virtanen": "person",
        "Virtanen": "person",
        "Joensuu": "place",
        "matti.virtanen@example.invalid": "other",
        "040 123 4567": "other",
        "010101-123N": "other",
    }
    assert set(expected) <= set(found.index)
    for candidate, kind in expected.items():
        assert found.loc[candidate, "kind_guess"] == kind
        assert found.loc[candidate, "count"] >= 1
    assert found.loc["Virtanen", "count"] == 2  # Virtanen, Virtaselle (Virtasen is in the name)
    assert "H3: " in found.loc["Joensuu", "examples"]
    assert "municipality" in found.loc["Joensuu", "reason"]
    assert "valid check character" in found.loc["010101-123N", "reason"]
    # Institutions, sentence starts and speaker roles are not candidates.
    assert not {"Kela", "Lähinnä", "Me", "Missä", "V", "H"} & set(found.index)


def test_speaker_labels_that_are_names_are_candidates(make_project: MakeProject) -> None:
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Haastattelija>Kertoisitko taustastasi?"
           "\n\n00:00:05.000 --> 00:00:09.000\n<v Liisa Korhonen>Olen ollut tässä työssä kolme "
           "vuotta.\n")
    p = make_project({"transcripts/H5.vtt": vtt})
    found = suggest_key_candidates(p).set_index("candidate")
    assert found.loc["Liisa Korhonen", "kind_guess"] == "person"
    assert "speaker label" in found.loc["Liisa Korhonen", "reason"]
    assert "Haastattelija" not in found.index


def test_candidates_already_in_the_key_are_left_out(named: tymqual.Project) -> None:
    left = suggest_key_candidates(named, key=KEY)
    assert not set(KEY["original"]) & set(left["candidate"])


def test_draft_key_numbers_labels_and_gives_a_surname_its_full_name_label(
    named: tymqual.Project,
) -> None:
    key = draft_key(suggest_key_candidates(named)).set_index("original")
    assert key.loc["Matti Virtanen", "label"] == key.loc["Virtanen", "label"] == "[Henkilö 1]"
    assert key.loc["Joensuu", "label"] == "[Kunta 1]"
    assert key.loc["010101-123N", "label"] == "[Henkilötunnus 1]"
    assert key.loc["matti.virtanen@example.invalid", "label"] == "[Sähköposti 1]"
    assert key.loc["040 123 4567", "label"] == "[Puhelinnumero 1]"
    region = draft_key(pd.DataFrame({"candidate": ["Pohjois-Karjala", "Kainuu"],
                                     "kind_guess": ["place", "place"]}))
    assert list(region["label"]) == ["[Alue A]", "[Alue B]"]


# ---------------------------------------------------------------------------- pseudonymising
@pytest.fixture
def coded(named: tymqual.Project) -> dict[str, str]:
    """Codings on the named interview, each with the passage expected after pseudonymising."""
    text = named.text("H3")
    at = text.index("Virtasen")
    expected = {
        named.code("H3", "johtaminen", quote="Virtanen vetää johtoryhmää, ja Virtaselle "
                   "raportoidaan."):
            "[Henkilö 1] vetää johtoryhmää, ja [Henkilö 1]:lle raportoidaan.",
        named.code("H3", "resurssit", quote="Me ollaan Joensuussa."): "Me ollaan [Kunta 2]:ssa.",
        named.code("H3", "neuvottelut", turns=[2]):
            "Lähinnä [Henkilö 1]:n kanssa. [Henkilö 1] vetää johtoryhmää, ja [Henkilö 1]:lle "
            "raportoidaan.",
        # Starts inside a name: the passage grows to cover the whole label.
        named.code("H3", "johtoryhma", start=at + 3, end=at + len("Virtasen kanssa")):
            "[Henkilö 1]:n kanssa",
        named.code("H3", "johtaminen", quote="henkilötunnus 010101-123N."):
            "henkilötunnus [Henkilötunnus 1].",
        named.code("H1", "johtaminen", quote="Kela on mukana."): "Kela on mukana.",
    }
    named.ledger.update([next(iter(expected))], memo="Virtasen rooli", reduced="Virtanen johtaa")
    return expected


def test_every_coding_stays_on_its_passage(
    named: tymqual.Project, coded: dict[str, str], tmp_path: Path
) -> None:
    report = pseudonymize(named, tmp_path / "pseudo", key=KEY)
    new = tymqual.open_project(tmp_path / "pseudo")
    codings = new.codings.set_index("coding_id")
    assert set(codings.index) == set(coded)
    for cid, passage in coded.items():
        row = codings.loc[cid]
        assert new.text(str(row["source_id"]))[row["start"]:row["end"]] == row["text"] == passage
    first = codings.loc[next(iter(coded))]
    assert (first["memo"], first["reduced"]) == ("[Henkilö 1]:n rooli", "[Henkilö 1] johtaa")
    assert new.unanchored.empty
    assert report.codings == report.mapped == len(coded) and report.unmapped.empty
    assert new.codings["start"].tolist() != named.codings["start"].tolist()


def test_the_new_project_has_no_trace_of_the_originals(
    named: tymqual.Project, coded: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "pseudo"
    pseudonymize(named, out, key=KEY)
    assert check_leaks(out, KEY).empty
    for rel, data in files_of(out).items():
        content = data.decode("utf-8", errors="replace").lower()
        assert not [t for t in TRACES if t in content], rel
    assert "codes/private/key.csv" not in files_of(out)
    new_text = tymqual.open_project(out).text("H3")
    assert "Lähinnä [Henkilö 1]:n kanssa." in new_text
    assert "puhelin [Puhelinnumero 1], henkilötunnus [Henkilötunnus 1]." in new_text


def test_the_report_counts_replacements_per_kind_and_source(
    named: tymqual.Project, tmp_path: Path
) -> None:
    report = pseudonymize(named, tmp_path / "pseudo", key=KEY)
    per_kind = report.per_kind.set_index("kind")["count"].to_dict()
    assert per_kind == {"person": 3, "place": 1, "organisation": 0, "other": 3}
    per_source = report.per_source.set_index(["source_id", "kind"])["count"].to_dict()
    assert per_source == {("H3", "other"): 3, ("H3", "person"): 3, ("H3", "place"): 1}
    actions = report.files.set_index("path")["action"].to_dict()
    assert actions["transcripts/H3.txt"] == "pseudonymised"
    assert actions["transcripts/H1.txt"] == "copied"
    assert "notebooks/" in set(report.not_copied["path"])


def test_keep_endings_false_replaces_the_whole_word(named: tymqual.Project,
                                                    tmp_path: Path) -> None:
    pseudonymize(named, tmp_path / "pseudo", key=KEY, keep_endings=False)
    text = (tmp_path / "pseudo" / "transcripts" / "H3.txt").read_text(encoding="utf-8")
    assert "Me ollaan [Kunta 2]." in text and "ja [Henkilö 1] raportoidaan" in text


def test_the_original_project_is_not_changed(
    named: tymqual.Project, coded: dict[str, str], tmp_path: Path
) -> None:
    write_key(KEY, named)
    before = files_of(named.root)
    pseudonymize(named, tmp_path / "pseudo")  # the key from codes/private/key.csv
    assert files_of(named.root) == before


def test_cases_codebook_and_config_are_pseudonymised(make_project: MakeProject,
                                                     tmp_path: Path) -> None:
    p = make_project({"transcripts/H3.txt": H3})
    with (p.root / "codes" / "cases.csv").open("a", encoding="utf-8") as fh:
        fh.write("H3,H3,Joensuu,2025-10-09\n")
    book = (p.root / "codes" / "codebook.yaml").read_text(encoding="utf-8")
    (p.root / "codes" / "codebook.yaml").write_text(
        book.replace("    key: neuvottelut\n", "    key: neuvottelut\n    example: Virtasen "
                     "kanssa sovittiin\n"), encoding="utf-8")
    config = (p.root / "tymqual.yaml").read_text(encoding="utf-8")
    (p.root / "tymqual.yaml").write_text(config + "description: Haastattelut Joensuussa\n",
                                         encoding="utf-8")
    p = tymqual.open_project(p.root)
    pseudonymize(p, tmp_path / "pseudo", key=KEY)
    new = tymqual.open_project(tmp_path / "pseudo")
    assert new.cases.set_index("case_id").loc["H3", "region"] == "[Kunta 2]"
    assert new.codebook.resolve("neuvottelut").example == "[Henkilö 1]:n kanssa sovittiin"
    assert new.config.description == "Haastattelut [Kunta 2]:ssa"
    assert check_leaks(tmp_path / "pseudo", KEY).empty


def test_a_named_speaker_keeps_their_turns(make_project: MakeProject, tmp_path: Path) -> None:
    vtt = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Haastattelija>Missä olette töissä?"
           "\n\n00:00:05.000 --> 00:00:09.000\n<v Liisa Korhonen>Olen töissä Joensuussa.\n")
    p = make_project({"transcripts/H5.vtt": vtt})
    key = pd.concat([KEY, pd.DataFrame([("Liisa Korhonen", "[Henkilö 3]", "person")],
                                       columns=list(KEY.columns))], ignore_index=True)
    cid = p.code("H5", "johtaminen", turns=[2])
    pseudonymize(p, tmp_path / "pseudo", key=key)
    new = tymqual.open_project(tmp_path / "pseudo")
    turns = new.turns("H5")
    assert list(turns["speaker"]) == ["Haastattelija", "[Henkilö 3]"]
    assert list(turns["role"]) == ["interviewer", "interviewee"]
    assert "[Henkilö 3]" in new.config.speakers.interviewee
    row = new.codings.set_index("coding_id").loc[cid]
    assert row["text"] == "Olen töissä [Kunta 2]:ssa."
    assert check_leaks(tmp_path / "pseudo", key).empty


def test_a_survey_with_names_is_pseudonymised_and_its_codings_follow(
    make_project: MakeProject, tmp_path: Path
) -> None:
    p = make_project({"codes/cases.csv": "case_id,respondent_id\nH1,R1\nH2,R2\n"})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Vastaajan tunniste", "Mitä haluaisit kertoa yhteistyöstä?"])
    sheet.append(["R1", "Tapasimme Virtasen kanssa Joensuussa, ja se auttoi."])
    sheet.append(["R2", "Neuvottelut kestivät liian kauan."])
    book.save(p.root / "surveys" / "kysely.xlsx")
    p = tymqual.open_project(p.root)
    cid = p.code("kysely_R1", "neuvottelut", quote="Virtasen kanssa Joensuussa")
    report = pseudonymize(p, tmp_path / "pseudo", key=KEY)
    assert report.files.set_index("path").loc["surveys/kysely.xlsx", "action"] == "pseudonymised"
    new = tymqual.open_project(tmp_path / "pseudo")
    passage = new.codings.set_index("coding_id").loc[cid, "text"]
    assert passage == "[Henkilö 1]:n kanssa [Kunta 2]:ssa"
    assert new.unanchored.empty and report.unmapped.empty
    assert check_leaks(tmp_path / "pseudo", KEY).empty


def _write_statistics_file(path: Path) -> None:
    """An SPSS (.sav, .zsav) or Stata (.dta) export as pyreadstat writes it, with a name in an
    open answer, in a variable label and in a value label."""
    import pyreadstat

    frame = pd.DataFrame({
        "id": ["R1", "R2"],
        "avoin": ["Tapasimme Virtasen kanssa Joensuussa, ja se auttoi.",
                  "Neuvottelut kestivät liian kauan."],
        "arvio": [1, 2],
    })
    labels = ["Vastaajan tunniste", "Mitä haluaisit kertoa yhteistyöstä?",
              "Yhteistyö Joensuussa sujuu"]
    value_labels = {"arvio": {1: "Täysin eri mieltä", 2: "Virtasen mielestä hyvin"}}
    if path.suffix == ".dta":
        pyreadstat.write_dta(frame, str(path), column_labels=labels,
                             variable_value_labels=value_labels)
    else:
        pyreadstat.write_sav(frame, str(path), column_labels=labels,
                             variable_value_labels=value_labels,
                             compress=path.suffix == ".zsav")


@pytest.mark.parametrize("suffix", [".sav", ".zsav", ".dta"])
def test_a_statistics_file_is_read_checked_and_pseudonymised(
    make_project: MakeProject, tmp_path: Path, suffix: str
) -> None:
    import pyreadstat

    p = make_project({"codes/cases.csv": "case_id,respondent_id\nH1,R1\nH2,R2\n"})
    path = p.root / "surveys" / f"kysely{suffix}"
    _write_statistics_file(path)
    p = tymqual.open_project(p.root)
    assert "kysely" in p.surveys and "kysely_R1" in p.source_ids
    found = check_leaks(p.root / "surveys", KEY)
    assert {"Virtasen", "Joensuussa"} <= set(found["found"])
    assert any("label" in str(where) for where in found["location"])
    cid = p.code("kysely_R1", "neuvottelut", quote="Virtasen kanssa Joensuussa")
    report = pseudonymize(p, tmp_path / "pseudo", key=KEY)
    assert report.files.set_index("path").loc[f"surveys/kysely{suffix}", "action"] == (
        "pseudonymised")
    out = tmp_path / "pseudo" / "surveys" / f"kysely{suffix}"
    read = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    frame, meta = read(str(out))
    assert frame["avoin"].tolist() == ["Tapasimme [Henkilö 1]:n kanssa [Kunta 2]:ssa, ja se "
                                       "auttoi.", "Neuvottelut kestivät liian kauan."]
    assert meta.column_labels[2] == "Yhteistyö [Kunta 2]:ssa sujuu"
    assert meta.variable_value_labels["arvio"] == {1: "Täysin eri mieltä",
                                                   2: "[Henkilö 1]:n mielestä hyvin"}
    assert frame["arvio"].tolist() == [1, 2]
    new = tymqual.open_project(tmp_path / "pseudo")
    assert new.codings.set_index("coding_id").loc[cid, "text"] == (
        "[Henkilö 1]:n kanssa [Kunta 2]:ssa")
    assert check_leaks(tmp_path / "pseudo", KEY).empty


@pytest.mark.parametrize("name", ["kysely.ods", "kysely.xlsm", "vastaukset.tsv", "kysely.por"])
def test_survey_data_a_project_cannot_read_is_named(make_project: MakeProject, name: str) -> None:
    p = make_project({f"surveys/{name}": "x", "surveys/lomake.pdf": "x", "surveys/LUEMINUT.md":
                      "x", "surveys/.~lock.kysely.xlsx#": "x"})
    with pytest.warns(TymqualWarning, match=rf"surveys/{re.escape(name)}: a data file"):
        p = tymqual.open_project(p.root)
    assert p.skipped["path"].tolist() == [f"surveys/{name}"]  # documents beside it pass


def test_a_leak_that_cannot_be_replaced_stops_and_leaves_nothing(
    make_project: MakeProject, tmp_path: Path
) -> None:
    p = make_project({"transcripts/Virtanen_muistio.txt": "H: Kysymys?\nV: Vastaus.\n"})
    out = tmp_path / "pseudo"
    with pytest.raises(LeakError, match=r"transcripts/Virtanen_muistio.txt, file name: 'Virtanen'"):
        pseudonymize(p, out, key=KEY)
    assert not out.exists()
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".pseudo")]


@pytest.mark.parametrize("where", ["same", "transcripts/pseudo", "codes", "nonempty"])
def test_pseudonymize_refuses_an_unsafe_destination(
    named: tymqual.Project, tmp_path: Path, where: str
) -> None:
    out = {"same": named.root, "transcripts/pseudo": named.root / "transcripts" / "pseudo",
           "codes": named.root / "codes", "nonempty": tmp_path / "full"}[where]
    if where == "nonempty":
        out.mkdir()
        (out / "muistio.txt").write_text("vanha", encoding="utf-8")
    before = files_of(named.root)
    with pytest.raises(PrivacyError, match="choose|Choose"):
        pseudonymize(named, out, key=KEY)
    assert files_of(named.root) == before


def test_a_coding_whose_passage_is_gone_is_listed_not_mapped(
    named: tymqual.Project, tmp_path: Path
) -> None:
    gone = named.code("H3", "johtaminen", quote="Me ollaan Joensuussa.")
    kept = named.code("H3", "resurssit", quote="Kela on mukana.")
    path = named.root / "transcripts" / "H3.txt"
    path.write_text(H3.replace("Me ollaan Joensuussa. ", ""), encoding="utf-8")
    with pytest.warns(TymqualWarning, match="no longer found"):
        edited = tymqual.open_project(named.root, save_reanchored=False)
    report = pseudonymize(edited, tmp_path / "pseudo", key=KEY)
    assert list(report.unmapped["coding_id"]) == [gone]
    reason = report.unmapped["reason"].iloc[0]
    assert "no longer in the source" in reason and "[Kunta 2]" in reason  # no name in reports
    assert report.codings == 2 and report.mapped == 1
    codings = pd.read_csv(tmp_path / "pseudo" / "codes" / "codings.csv").set_index("coding_id")
    assert codings.loc[gone, "text"] == "Me ollaan [Kunta 2]:ssa."  # kept, pseudonymised
    assert codings.loc[kept, "text"] == "Kela on mukana."


def test_without_a_key_file_pseudonymize_says_how_to_make_one(
    named: tymqual.Project, tmp_path: Path
) -> None:
    with pytest.raises(PrivacyError, match="draft_key"):
        pseudonymize(named, tmp_path / "pseudo")
    assert not (tmp_path / "pseudo").exists()


def test_the_demo_project_copies_with_every_coding_mapped(tmp_path: Path) -> None:
    demo = tymqual.open_project(REPO, save_reanchored=False)
    empty = pd.DataFrame(columns=["original", "label", "kind"])
    report = pseudonymize(demo, tmp_path / "demo", key=empty)
    assert report.unmapped.empty and report.mapped == report.codings == len(demo.codings) > 0
    assert check_leaks(tmp_path / "demo", empty).empty
    new = tymqual.open_project(tmp_path / "demo")
    assert new.source_ids == demo.source_ids
    for sid in demo.source_ids:
        assert new.text(sid) == demo.text(sid)
    old, moved = demo.codings.set_index("coding_id"), new.codings.set_index("coding_id")
    pd.testing.assert_frame_equal(moved[["start", "end", "text"]], old[["start", "end", "text"]])


# ---------------------------------------------------------------------------- formula safety
FORMULA = '=HYPERLINK("http://example.invalid","klikkaa")'


@pytest.mark.parametrize(
    ("text", "safe"),
    [(FORMULA, "\u200b" + FORMULA), ("+358 40 123", "\u200b+358 40 123"), ("-5", "\u200b-5"),
     ("@SUM(A1)", "\u200b@SUM(A1)"), ("\t=1", "\u200b\t=1"), ("\r=1", "\u200b\r=1"),
     ("Tavallinen teksti", "Tavallinen teksti"), ("", ""), ("a=1", "a=1"),
     ("\u200b=1", "\u200b\u200b=1"), ("\u200bteksti", "\u200bteksti")],
)
def test_excel_safe_neutralises_only_formula_starts(text: str, safe: str) -> None:
    assert excel_safe(text) == safe
    assert excel_unsafe(safe) == text  # read back exactly, however many U+200B it began with


def test_write_safe_csv_keeps_numbers_and_neutralises_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"lainaus": [FORMULA, "Kela on mukana"], "luku": [-5, 3]})
    frame["=sarake"] = pd.array([FORMULA, "b"], dtype="str")  # a string column, too
    before = frame.copy()
    write_safe_csv(frame, tmp_path / "lainaukset.csv")
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is left as it was
    data = (tmp_path / "lainaukset.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["lainaus", "luku", "\u200b=sarake"],
                    ["\u200b" + FORMULA, "-5", "\u200b" + FORMULA],
                    ["Kela on mukana", "3", "b"]]


def test_safe_xlsx_cell_stores_text_as_text(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row, value in enumerate([FORMULA, "#N/A", "rivi\x01", 42], start=1):
        safe_xlsx_cell(sheet.cell(row=row, column=1), value)
    book.save(tmp_path / "t.xlsx")
    cells = [openpyxl.load_workbook(tmp_path / "t.xlsx").active.cell(row=r, column=1)
             for r in range(1, 5)]
    assert [c.value for c in cells] == [FORMULA, "#N/A", "rivi\ufffd", 42]
    assert [c.data_type for c in cells] == ["s", "s", "s", "n"]
    assert cells[0].quotePrefix and not cells[1].quotePrefix


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def libreoffice_outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Safe and naive exports of FORMULA, converted by LibreOffice (xlsx → csv, csv → xlsx)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install "
                    "libreoffice-calc-nogui); the openpyxl tests above still ran")
    base = tmp_path_factory.mktemp("libreoffice")
    for name, safe in (("safe", True), ("naive", False)):
        book = openpyxl.Workbook()
        if safe:
            safe_xlsx_cell(book.active["A1"], FORMULA)
        else:
            book.active["A1"] = FORMULA
        book.save(base / f"{name}.xlsx")
        frame = pd.DataFrame({"lainaus": [FORMULA]})
        if safe:
            write_safe_csv(frame, base / f"{name}.csv")
        else:
            frame.to_csv(base / f"{name}.csv", index=False)
    # Two conversions at once, each with its own profile so they do not lock each other out.
    jobs = [
        [SOFFICE, f"-env:UserInstallation=file://{base}/profile-a", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
         str(base / "from-xlsx"), str(base / "safe.xlsx"), str(base / "naive.xlsx")],
        [SOFFICE, f"-env:UserInstallation=file://{base}/profile-b", "--headless",
         "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir",
         str(base / "from-csv"), str(base / "safe.csv"), str(base / "naive.csv")],
    ]
    running = [subprocess.Popen(job, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for job in jobs]
    for process in running:
        assert process.wait(timeout=120) == 0
    yield base


def test_libreoffice_reads_the_safe_xlsx_cell_as_text(libreoffice_outputs: Path) -> None:
    def first_cell(name: str) -> str:
        text = (libreoffice_outputs / "from-xlsx" / f"{name}.csv").read_text(encoding="utf-8")
        return next(csv.reader(io.StringIO(text)))[0]

    assert first_cell("safe") == FORMULA
    assert first_cell("naive") == "klikkaa"  # the control: a plain cell is computed


def test_libreoffice_reads_the_safe_csv_cell_as_text(libreoffice_outputs: Path) -> None:
    def cell(name: str) -> openpyxl.cell.cell.Cell:
        sheet = openpyxl.load_workbook(libreoffice_outputs / "from-csv" / f"{name}.xlsx").active
        return sheet["A2"]

    safe = cell("safe")
    assert safe.data_type == "s" and safe.value == "\u200b" + FORMULA
    assert cell("naive").data_type == "f"  # the control: LibreOffice runs a plain CSV formula
