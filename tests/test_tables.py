"""Tables of tymqual.tables pinned to answers counted by hand on small made-up projects.

The two-interview project of ``conftest.make_project`` is coded with seven passages (``coded``):

====  ====  ===========  ==============================================================  =====
id    src   code         passage (offsets in the normalised text)                        words
====  ====  ===========  ==============================================================  =====
c1    H1    johtaminen   "Verkostojohtaja on meillä liima." [59, 91)                        4
c2    H1    resurssit    "Hänellä on resurssit kunnossa." [92, 122)                         4
c3    H1    johtaminen   c1 + " " + c2 [59, 122)                                            8
c4    H1    neuvottelut  "Johtoryhmä tukee hyvin. Kela on mukana." [146, 185)               6
c5    H1    johtoryhma   "Johtoryhmä tukee hyvin." [146, 169)                               3
c6    H2    neuvottelut  "Neuvottelut venyivät." [34, 55)                                   2
c7    H2    resurssit    "Henkilöstö vaihtui kesken kaiken." [56, 89)                       4
====  ====  ===========  ==============================================================  =====

Turns: H1 turn 2 is [59, 122), turn 4 [146, 217); H2 turn 2 is [34, 89). ``four`` adds H3 (.txt)
and H4 (Teams .vtt), a cases.csv with four cases in two regions, and two more passages.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import CASES, CODEBOOK, H1, H2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tymqual
from tymqual import tables
from tymqual.errors import DisclosureError, TymqualError, TymqualWarning
from tymqual.surveys import Survey, read_survey
from tymqual.text import count_words, count_words_many

NBSP = "\u00a0"
MakeProject = Callable[..., tymqual.Project]

H3 = "H: Riittävätkö resurssit?\nV: Resurssit riittävät hyvin. Kela on mukana.\n"
H4 = """\
WEBVTT

00:00:00.000 --> 00:00:05.000
<v Haastattelija>Miten neuvottelut menivät?</v>

00:51:00.000 --> 00:52:29.500
<v Vastaaja>Neuvottelut sujuivat. Resurssit ovat tiukalla.</v>
"""
FOUR_CASES = """\
case_id,label,region,interview_date,duration_min,interview_mode,respondent_id
H1,Haastateltava 1,läntinen,2025-10-01,45,face_to_face,R1
H2,Haastateltava 2,eteläinen,2025-10-08,,telephone,R2
H3,Haastateltava 3,läntinen,2025-11-05,"30,4",video_call,R3
H4,Haastateltava 4,eteläinen,,60,Teams,R4
"""
SCALE = ["Täysin eri mieltä", "Jokseenkin eri mieltä", "Ei samaa eikä eri mieltä",
         "Jokseenkin samaa mieltä", "Täysin samaa mieltä"]  # fmt: skip


def code_base(p: tymqual.Project) -> dict[str, str]:
    """The seven codings of the module table; returns their ids by name."""
    return {
        "c1": p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.",
                     reduced="Johtaja liimana"),
        "c2": p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.",
                     reduced="Resurssit kunnossa"),
        "c3": p.code("H1", "johtaminen", start=59, end=122),
        "c4": p.code("H1", "neuvottelut", quote="Johtoryhmä tukee hyvin. Kela on mukana."),
        "c5": p.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin."),
        "c6": p.code("H2", "neuvottelut", quote="Neuvottelut venyivät."),
        "c7": p.code("H2", "resurssit", quote="Henkilöstö vaihtui kesken kaiken."),
    }


def _build(root: Path, extra: dict[str, str]) -> None:
    """The conftest project (same files as ``make_project``) plus ``extra`` files."""
    tymqual.init_project(root, name="testi")
    files = {"codes/codebook.yaml": CODEBOOK, "codes/cases.csv": CASES,
             "transcripts/H1.txt": H1, "transcripts/H2.txt": H2, **extra}
    for rel, content in files.items():
        (root / rel).write_text(content, encoding="utf-8")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, str]]]:
    """Both coded projects, built once; each test gets its own copy (coding is the slow part)."""
    base = tmp_path_factory.mktemp("templates")
    _build(base / "coded", {})
    coded_ids = code_base(tymqual.open_project(base / "coded"))
    _build(base / "four", {"transcripts/H3.txt": H3, "transcripts/H4.vtt": H4,
                           "codes/cases.csv": FOUR_CASES})
    p = tymqual.open_project(base / "four")
    four_ids = code_base(p)
    four_ids["r3"] = p.code("H3", "resurssit", quote="Resurssit riittävät hyvin.")  # 3 words
    four_ids["n4"] = p.code("H4", "neuvottelut", quote="Neuvottelut sujuivat.")  # 2 words
    return {"coded": (base / "coded", coded_ids), "four": (base / "four", four_ids)}


def _copy(template: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[tymqual.Project,
                                                                          dict[str, str]]:
    root = tmp_path / template[0].name
    shutil.copytree(template[0], root)
    return tymqual.open_project(root), dict(template[1])


@pytest.fixture
def coded(templates: dict, tmp_path: Path) -> tuple[tymqual.Project, dict[str, str]]:
    return _copy(templates["coded"], tmp_path)


@pytest.fixture
def four(templates: dict, tmp_path: Path) -> tuple[tymqual.Project, dict[str, str]]:
    return _copy(templates["four"], tmp_path)


def set_min_cell_size(p: tymqual.Project, n: int) -> tymqual.Project:
    path = p.root / "tymqual.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("min_cell_size: 3",
                                                             f"min_cell_size: {n}"),
                    encoding="utf-8")
    return tymqual.open_project(p.root)


def frame(rows: list[tuple[object, ...]], columns: list[str], **dtypes: str) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    return out.astype(dtypes) if dtypes else out


def _texts_as_objects(df: pd.DataFrame) -> pd.DataFrame:
    # pandas 3 infers a str dtype for text where pandas 2 keeps object; numbers stay strict.
    text = [c for c in df.columns if df[c].dtype == object or isinstance(df[c].dtype,
                                                                          pd.StringDtype)]
    return df.astype(dict.fromkeys(text, object)).reset_index(drop=True)


def assert_same(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_texts_as_objects(actual), _texts_as_objects(expected),
                                  check_dtype=True, check_index_type=False,
                                  check_column_type=False)


FREQ_COLUMNS = ["code_path", "code_name", "depth", "segments", "cases", "cases_total",
                "cases_n_of_N", "words_coded"]  # fmt: skip
INTS = {"depth": "int64", "segments": "int64", "cases": "int64", "cases_total": "int64",
        "words_coded": "int64"}  # fmt: skip


# --- code_frequencies --------------------------------------------------------------------------


def test_code_frequencies_rollup_counts_each_passage_once(coded: tuple) -> None:
    p, _ = coded
    # johtaminen rolls up c1, c2, c3, c5 (H1) and c7 (H2): 5 spans in 2 cases. Its words are
    # the union [59, 122) = 8 + c5 3 in H1, c7 4 in H2 = 15 (c1 lies inside c3, counted once).
    expected = frame([
        ("johtaminen", "Johtaminen", 0, 5, 2, 2, "2/2", 15),
        ("johtaminen/resurssit", "Resurssit", 1, 2, 2, 2, "2/2", 8),
        ("johtaminen/johtoryhma", "Johtoryhmä", 1, 1, 1, 2, "1/2", 3),
        ("neuvottelut", "Neuvottelut", 0, 2, 2, 2, "2/2", 8),
    ], FREQ_COLUMNS, **INTS)
    assert_same(tables.code_frequencies(p), expected)


def test_code_frequencies_without_rollup_counts_own_passages(coded: tuple) -> None:
    p, _ = coded
    # johtaminen alone: c1 and c3, both in H1; c1 ⊂ c3 so 8 words, not 4 + 8 = 12.
    expected = frame([
        ("johtaminen", "Johtaminen", 0, 2, 1, 2, "1/2", 8),
        ("johtaminen/resurssit", "Resurssit", 1, 2, 2, 2, "2/2", 8),
        ("johtaminen/johtoryhma", "Johtoryhmä", 1, 1, 1, 2, "1/2", 3),
        ("neuvottelut", "Neuvottelut", 0, 2, 2, 2, "2/2", 8),
    ], FREQ_COLUMNS, **INTS)
    assert_same(tables.code_frequencies(p, rollup=False), expected)


def test_code_frequencies_zero_rows_and_codebook_order(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.")
    out = tables.code_frequencies(p)
    assert list(out["code_path"]) == ["johtaminen", "johtaminen/resurssit",
                                      "johtaminen/johtoryhma", "neuvottelut"]
    assert list(out["segments"]) == [0, 0, 0, 1]
    assert list(out["cases_n_of_N"]) == ["0/2", "0/2", "0/2", "1/2"]
    assert out["segments"].dtype == "int64" and out["words_coded"].dtype == "int64"


def test_parent_and_child_on_one_span_count_once_for_the_parent(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H1", "johtaminen", quote="Hänellä on resurssit kunnossa.")
    p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.")
    p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.", coder="toinen")
    out = tables.code_frequencies(p).set_index("code_path")
    assert out.loc["johtaminen", "segments"] == 1
    assert out.loc["johtaminen/resurssit", "segments"] == 1  # one span, coded twice
    assert out.loc["johtaminen", "words_coded"] == 4


def test_words_coded_joins_touching_ranges(make_project: MakeProject) -> None:
    p = make_project()
    # "Verkos" [59, 65) and "tojohtaja" [65, 74): one word split over two codings.
    p.code("H1", "johtaminen", start=59, end=65)
    p.code("H1", "johtaminen", start=65, end=74)
    row = tables.code_frequencies(p, rollup=False).iloc[0]
    assert (row["segments"], row["words_coded"]) == (2, 1)


def test_suggested_and_rejected_codings_do_not_count(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", status="suggested")
    p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.", status="rejected")
    assert tables.code_frequencies(p)["segments"].sum() == 0


def test_without_cases_every_source_is_a_case(make_project: MakeProject) -> None:
    p = make_project({"codes/cases.csv": "case_id,label\n"})
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.")
    row = tables.code_frequencies(p).set_index("code_path").loc["neuvottelut"]
    assert (row["cases"], row["cases_total"], row["cases_n_of_N"]) == (1, 2, "1/2")


def test_code_frequencies_by_attribute_refuses_small_groups(four: tuple) -> None:
    p, _ = four
    with pytest.raises(DisclosureError) as err:
        tables.code_frequencies(p, by="region")
    message = str(err.value)
    for part in ("'region'", "group 'läntinen' has 2 cases", "group 'eteläinen' has 2 cases",
                 "minimum cell size 3", "allow_small_cells=True"):
        assert part in message


def test_code_frequencies_by_attribute_with_override(four: tuple) -> None:
    p, _ = four
    # läntinen = H1, H3; eteläinen = H2, H4. johtaminen/läntinen: H1's 4 spans + H3's r3;
    # words 11 (H1 union) + 3 = 14. neuvottelut/eteläinen: c6 + n4 = 2 + 2 words.
    expected = frame([
        ("johtaminen", "Johtaminen", 0, "läntinen", 5, 2, 2, "2/2", 14),
        ("johtaminen", "Johtaminen", 0, "eteläinen", 1, 1, 2, "1/2", 4),
        ("johtaminen/resurssit", "Resurssit", 1, "läntinen", 2, 2, 2, "2/2", 7),
        ("johtaminen/resurssit", "Resurssit", 1, "eteläinen", 1, 1, 2, "1/2", 4),
        ("johtaminen/johtoryhma", "Johtoryhmä", 1, "läntinen", 1, 1, 2, "1/2", 3),
        ("johtaminen/johtoryhma", "Johtoryhmä", 1, "eteläinen", 0, 0, 2, "0/2", 0),
        ("neuvottelut", "Neuvottelut", 0, "läntinen", 1, 1, 2, "1/2", 6),
        ("neuvottelut", "Neuvottelut", 0, "eteläinen", 2, 2, 2, "2/2", 4),
    ], [*FREQ_COLUMNS[:3], "group", *FREQ_COLUMNS[3:]], **INTS)
    assert_same(tables.code_frequencies(p, by="region", allow_small_cells=True), expected)
    # The minimum comes from tymqual.yaml: with 2, the same table needs no override.
    assert_same(tables.code_frequencies(set_min_cell_size(p, 2), by="region"), expected)


def test_unknown_attribute_names_the_attributes(four: tuple) -> None:
    p, _ = four
    with pytest.raises(TymqualError, match="'alue' is not a column of codes/cases.csv.*'region'"):
        tables.code_frequencies(p, by="alue")


# --- matrices ----------------------------------------------------------------------------------


def test_code_case_matrix_presence_and_counts(coded: tuple) -> None:
    p, _ = coded
    columns = ["code_path", "code_name", "H1", "H2", "n_of_N"]
    paths = [("johtaminen", "Johtaminen"), ("johtaminen/resurssit", "Resurssit"),
             ("johtaminen/johtoryhma", "Johtoryhmä"), ("neuvottelut", "Neuvottelut")]
    presence = [(1, 1, "2/2"), (1, 1, "2/2"), (1, 0, "1/2"), (1, 1, "2/2")]
    expected = frame([(*a, *b) for a, b in zip(paths, presence, strict=True)], columns,
                     H1="int64", H2="int64")
    assert_same(tables.code_case_matrix(p), expected)
    # Rolled-up counts: johtaminen H1 = c1, c2, c3, c5; without rollup only c1, c3.
    counts = [(4, 1, "2/2"), (1, 1, "2/2"), (1, 0, "1/2"), (1, 1, "2/2")]
    expected = frame([(*a, *b) for a, b in zip(paths, counts, strict=True)], columns,
                     H1="int64", H2="int64")
    assert_same(tables.code_case_matrix(p, counts=True), expected)
    own = tables.code_case_matrix(p, counts=True, rollup=False)
    assert list(own.loc[0, ["H1", "H2", "n_of_N"]]) == [2, 0, "1/2"]


def test_code_attribute_matrix_cases_and_counts(four: tuple) -> None:
    p = set_min_cell_size(four[0], 2)
    columns = ["code_path", "code_name", "läntinen", "eteläinen"]
    names = [("johtaminen", "Johtaminen"), ("johtaminen/resurssit", "Resurssit"),
             ("johtaminen/johtoryhma", "Johtoryhmä"), ("neuvottelut", "Neuvottelut")]
    cases = [(2, 1), (2, 1), (1, 0), (1, 2)]
    expected = frame([(*a, *b) for a, b in zip(names, cases, strict=True)], columns,
                     läntinen="int64", eteläinen="int64")
    assert_same(tables.code_attribute_matrix(p, "region"), expected)
    passages = [(5, 1), (2, 1), (1, 0), (1, 2)]
    expected = frame([(*a, *b) for a, b in zip(names, passages, strict=True)], columns,
                     läntinen="int64", eteläinen="int64")
    assert_same(tables.code_attribute_matrix(p, "region", counts=True), expected)


def test_code_attribute_matrix_refuses_then_allows(four: tuple) -> None:
    p, _ = four
    with pytest.raises(DisclosureError, match="code_attribute_matrix.*allow_small_cells"):
        tables.code_attribute_matrix(p, "region")
    assert tables.code_attribute_matrix(p, "region", allow_small_cells=True).shape == (4, 4)


# --- co-occurrence -----------------------------------------------------------------------------

CO_COLUMNS = ["code_a", "code_b", "count", "jaccard"]


def test_co_occurrence_passages(coded: tuple) -> None:
    p, _ = coded
    # johtaminen–resurssit: units are {c1, c3, c2} in H1 (both) and {c7} in H2 (resurssit
    # only): 1 of 2. johtoryhma–neuvottelut: {c5, c4} in H1 (both), {c6} in H2: 1 of 2.
    expected = frame([("johtaminen", "johtaminen/resurssit", 1, 0.5),
                      ("johtaminen/johtoryhma", "neuvottelut", 1, 0.5)], CO_COLUMNS,
                     count="int64")
    assert_same(tables.co_occurrence(p), expected)


def test_co_occurrence_turns(coded: tuple) -> None:
    p, _ = coded
    # Turns: johtaminen {H1:2}; resurssit {H1:2, H2:2}; johtoryhma {H1:4};
    # neuvottelut {H1:4, H2:2}. resurssit–neuvottelut share H2:2: 1 / (2 + 2 − 1).
    expected = frame([("johtaminen", "johtaminen/resurssit", 1, 1 / 2),
                      ("johtaminen/resurssit", "neuvottelut", 1, 1 / 3),
                      ("johtaminen/johtoryhma", "neuvottelut", 1, 1 / 2)], CO_COLUMNS,
                     count="int64")
    assert_same(tables.co_occurrence(p, unit="turn"), expected)


def test_co_occurrence_rollup_drops_lineage_pairs(coded: tuple) -> None:
    p, _ = coded
    # johtaminen (with subcodes) vs neuvottelut, units: H1 [59, 122) johtaminen only,
    # H1 [146, 185) both, H2 [34, 55) neuvottelut only, H2 [56, 89) johtaminen only: 1 of 4.
    expected = frame([("johtaminen", "neuvottelut", 1, 0.25),
                      ("johtaminen/johtoryhma", "neuvottelut", 1, 0.5)], CO_COLUMNS,
                     count="int64")
    assert_same(tables.co_occurrence(p, rollup=True), expected)


def test_co_occurrence_wide(coded: tuple) -> None:
    p, _ = coded
    paths = ["johtaminen", "johtaminen/resurssit", "johtaminen/johtoryhma", "neuvottelut"]
    expected = pd.DataFrame([[2, 1, 0, 0], [1, 2, 0, 0], [0, 0, 1, 1], [0, 0, 1, 2]],
                            index=pd.Index(paths, name="code_path"), columns=paths,
                            dtype="int64")
    pd.testing.assert_frame_equal(tables.co_occurrence(p, wide=True), expected)
    turns = tables.co_occurrence(p, unit="turn", wide=True)
    assert [turns.iloc[i, i] for i in range(4)] == [1, 2, 1, 2]  # turns with the code


def test_passage_over_several_turns_and_touching_passages(make_project: MakeProject) -> None:
    p = make_project()
    # resurssit from "resurssit kunnossa." (turn 2) to "Johtoryhmä tukee" (turn 4) covers
    # turns 2, 3 and 4; johtoryhma is in turn 4 only: turn Jaccard 1 / 3, passage overlap 1/1.
    p.code("H1", "resurssit", quote="resurssit kunnossa.\nH: Entä johtoryhmä?\nV: Johtoryhmä tukee")
    p.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.")
    assert tables.co_occurrence(p, unit="turn").loc[0, ["count", "jaccard"]].tolist() == [1, 1 / 3]
    assert tables.co_occurrence(p).loc[0, ["count", "jaccard"]].tolist() == [1, 1.0]
    q = make_project()
    q.uncode(list(q.codings["coding_id"]))
    q.code("H1", "johtaminen", start=59, end=91)
    q.code("H1", "neuvottelut", start=91, end=122)  # touches c1's end: no shared character
    assert tables.co_occurrence(q).empty
    assert tables.co_occurrence(q, unit="turn")["count"].tolist() == [1]


def test_co_occurrence_rejects_unknown_unit(coded: tuple) -> None:
    with pytest.raises(TymqualError, match="'passage' or 'turn', not 'sentence'"):
        tables.co_occurrence(coded[0], unit="sentence")  # type: ignore[arg-type]


# --- analysis table and quotes -----------------------------------------------------------------


def test_analysis_table_hierarchy_and_order(make_project: MakeProject) -> None:
    deep = """\
name: Syvä
codes:
  - name: Johtaminen
    key: johtaminen
    children:
      - name: Resurssit
        key: resurssit
        children:
          - name: Henkilöstö
            key: henkilosto
            children:
              - name: Vaihtuvuus
                key: vaihtuvuus
  - name: Neuvottelut
    key: neuvottelut
"""
    p = make_project({"codes/codebook.yaml": deep})
    ids = [
        p.code("H2", "henkilosto", quote="Henkilöstö vaihtui kesken kaiken.",
               reduced="Henkilöstö vaihtui"),
        p.code("H1", "neuvottelut", quote="Kela on mukana.\nToinen kappale"),
        p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.", reduced="Resurssit ok"),
        p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima."),
        p.code("H2", "vaihtuvuus", quote="Henkilöstö vaihtui kesken kaiken.", reduced="Vaihtuu"),
    ]
    expected = frame([
        ("H1", "Verkostojohtaja on meillä liima.", "", "", "", "Johtaminen", ids[3],
         "johtaminen"),
        ("H1", "Hänellä on resurssit kunnossa.", "Resurssit ok", "Resurssit", "",
         "Johtaminen", ids[2], "johtaminen/resurssit"),
        ("H1", "Kela on mukana. Toinen kappale", "", "", "", "Neuvottelut", ids[1],
         "neuvottelut"),  # the line break collapsed to a space
        ("H2", "Henkilöstö vaihtui kesken kaiken.", "Henkilöstö vaihtui", "Henkilöstö",
         "Resurssit", "Johtaminen", ids[0], "johtaminen/resurssit/henkilosto"),
        # Level 3: the level-1 ancestor is the upper category; level 2 is skipped.
        ("H2", "Henkilöstö vaihtui kesken kaiken.", "Vaihtuu", "Vaihtuvuus", "Resurssit",
         "Johtaminen", ids[4], "johtaminen/resurssit/henkilosto/vaihtuvuus"),
    ], ["case_id", "original_expression", "reduced_expression", "subcategory",
        "upper_category", "main_category", "coding_id", "code_path"])
    out = tables.analysis_table(p)
    assert_same(out.astype(object), expected.astype(object))


def test_quotes_round_robin_over_cases(four: tuple) -> None:
    p, ids = four
    # johtaminen in reading order: H1 c1, c3 (both johtaminen), c2 (resurssit), c5
    # (johtoryhma); H2 c7; H3 r3. Round 1 takes the first of each case (c1, c7, r3); round 2
    # H1's next passage of a subcode not yet quoted (c2) before its second johtaminen (c3).
    out = tables.quotes(p, "johtaminen", per_code=4)
    assert list(out["coding_id"]) == [ids["c1"], ids["c7"], ids["r3"], ids["c2"]]
    assert list(out["case_id"]) == ["H1", "H2", "H3", "H1"]
    assert out["quote"].iloc[0] == "\u201dVerkostojohtaja on meillä liima.\u201d (Haastateltava 1)"
    assert set(out["code_path"]) == {"johtaminen"}
    assert list(out["coded_path"]) == ["johtaminen", "johtaminen/resurssit",
                                       "johtaminen/resurssit", "johtaminen/resurssit"]
    every = tables.quotes(p, "johtaminen", per_code=None)
    assert list(every["coding_id"]) == [ids[k] for k in ("c1", "c7", "r3", "c2", "c5", "c3")]


@pytest.mark.parametrize("per_case", [1, 2, 3])
def test_quotes_every_case_with_passages_gets_one_and_at_most_per_case(
    four: tuple, per_case: int
) -> None:
    p, _ = four
    themes = [c.key for c in p.codebook.codes]
    out = tables.quotes(p, themes, per_code=None, per_case=per_case)
    for theme in p.codebook.codes:
        keys = {c.key for c in p.codebook.descendants(theme)}
        seg = p.segments(status="accepted")
        seg = seg[seg["code"].isin(keys)].drop_duplicates(["source_id", "start", "end"])
        quoted = out[out["code_path"] == theme.path]
        assert set(quoted["case_id"]) == set(seg["case_id"])
        per = quoted.groupby("case_id").size()
        expected = seg.groupby("case_id").size().clip(upper=per_case)
        assert per.sort_index().tolist() == expected.sort_index().tolist()
    with pytest.raises(TymqualError, match="per_case"):
        tables.quotes(p, per_case=0)


def test_quotes_default_leaf_codes_and_max_chars(coded: tuple) -> None:
    p, ids = coded
    out = tables.quotes(p, per_code=1, max_chars=12)
    assert list(out["code_path"]) == ["johtaminen/resurssit", "johtaminen/johtoryhma",
                                      "neuvottelut"]
    assert list(out["coding_id"]) == [ids["c2"], ids["c5"], ids["c4"]]
    assert list(out["quote"]) == ["\u201dHänellä on […]\u201d (H1)",
                                  "\u201dJohtoryhmä […]\u201d (H1)",
                                  "\u201dJohtoryhmä […]\u201d (H1)"]
    with pytest.raises(TymqualError, match="per_code"):
        tables.quotes(p, per_code=0)


# --- surveys -----------------------------------------------------------------------------------


def write_survey(path: Path) -> Survey:
    """Four respondents; q3 has two valid answers (2 and 5) whose lower median is label 2."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Vastaajan tunniste", "Verkostoa johdetaan hyvin.", "Resurssit riittävät.",
               "Neuvottelut sujuivat.", "Vapaa sana"])
    ws.append(["R1", SCALE[3], SCALE[0], SCALE[1], "Hyvä."])
    ws.append(["R2", SCALE[4], "En osaa sanoa", SCALE[4], None])
    ws.append(["R3", SCALE[3], SCALE[1], "En osaa sanoa", None])
    ws.append(["R4", SCALE[1], SCALE[2], "En osaa sanoa",
               "Pitkä vapaa vastaus, joka ei ole mikään vaihtoehto vaan kokonainen lause."])
    wb.save(path)
    return read_survey(path)


def test_likert_table_counts_median_and_mean(tmp_path: Path) -> None:
    survey = write_survey(tmp_path / "kysely.xlsx")
    out = tables.likert_table(survey, show_mean=True)
    # q1: 4, 5, 4, 2 → counts 0 1 0 2 1, middle answers 4 and 4, mean 15 / 4.
    # q2: 1, EOS, 2, 3 → 1 1 1 0 0, median 2, mean 6 / 3 (EOS never a 6).
    # q3: 2, 5, EOS, EOS → 0 1 0 0 1; middles 2 and 5 differ: the lower, label 2; mean 3.5.
    expected = frame([
        ("q1", "Verkostoa johdetaan hyvin.", 0, 1, 0, 2, 1, 0, 4, SCALE[3], 3.75),
        ("q2", "Resurssit riittävät.", 1, 1, 1, 0, 0, 1, 3, SCALE[1], 2.0),
        ("q3", "Neuvottelut sujuivat.", 0, 1, 0, 0, 1, 2, 2, SCALE[1], 3.5),
    ], ["item_id", "statement", *SCALE, "dont_know", "valid_n", "median", "mean"],
        **dict.fromkeys([*SCALE, "dont_know", "valid_n"], "int64"))
    assert_same(out.astype({"item_id": object, "statement": object, "median": object}),
                expected)
    picked = tables.likert_table(survey, ["q3", "q1"])
    assert list(picked["item_id"]) == ["q3", "q1"] and "mean" not in picked.columns
    with pytest.raises(TymqualError, match="'q4' is not a Likert item.*q1, q2, q3"):
        tables.likert_table(survey, ["q4"])


def test_likert_median_when_nobody_answered(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Vastaajan tunniste", "A", "B"])
    ws.append(["R1", SCALE[0], "En osaa sanoa"])
    ws.append(["R2", SCALE[2], "En osaa sanoa"])
    wb.save(tmp_path / "k.xlsx")
    survey = read_survey(tmp_path / "k.xlsx", scales={"q2": SCALE})
    row = tables.likert_table(survey, ["q2"], show_mean=True).iloc[0]
    assert (row["valid_n"], row["dont_know"], row["median"]) == (0, 2, "\u2013")
    assert pd.isna(row["mean"])


def test_joint_display_notes_survive_and_distributions(four: tuple, tmp_path: Path) -> None:
    p, _ = four
    survey = write_survey(tmp_path / "kysely.xlsx")
    tables.save_joint_display_notes(p, "johtaminen", fit="expands", items=["q1", "q3"],
                                    conclusion="Kysely ja haastattelut täydentävät toisiaan.")
    tables.save_joint_display_notes(p, "Neuvottelut", fit="silent")
    tables.save_joint_display_notes(p, "johtaminen", conclusion="Tarkennettu.")
    p = tymqual.open_project(p.root)  # a re-run reads the notes back from the file
    out = tables.joint_display(p, survey)
    # valid_n: R1..R4 all answered q1 on the scale. cases: johtaminen H1, H2, H3;
    # neuvottelut H1, H2, H4. quote_refs: one quote from each of those cases.
    q1 = (f"\u201dVerkostoa johdetaan hyvin.\u201d: 0 / 1 / 0 / 2 / 1 (EOS 0); n\u00a0=\u00a04; "
          f"Md: {SCALE[3].lower()}")
    q3 = (f"\u201dNeuvottelut sujuivat.\u201d: 0 / 1 / 0 / 0 / 1 (EOS 2); n\u00a0=\u00a02; "
          f"Md: {SCALE[1].lower()}")
    expected = frame([
        ("johtaminen", "Johtaminen", "q1, q3", f"{q1}\n{q3}", 4, "3/4",
         "Resurssit (3/4)\nJohtoryhmä (1/4)",  # resurssit: c2 H1, c7 H2, r3 H3
         "Haastateltava 1, Haastateltava 2, Haastateltava 3", "Laajentaa", "Tarkennettu."),
        ("neuvottelut", "Neuvottelut", "", "", None, "3/4", "",
         "Haastateltava 1, Haastateltava 2, Haastateltava 4", "Ei vastinetta", ""),
    ], ["code_path", "theme", "items", "survey_results", "valid_n", "cases_n_of_N",
        "qualitative_findings", "quote_refs", "fit", "conclusion"], valid_n="Int64")
    assert_same(out.drop(columns="quotes"), expected)
    for quoted, refs in zip(out["quotes"], out["quote_refs"], strict=True):
        lines = quoted.split("\n")
        assert [line.rsplit(" (", 1)[1].rstrip(")") for line in lines] == refs.split(", ")
    english = tables.joint_display(p, survey, lang="en")
    assert english.loc[0, "survey_results"].startswith(
        "\u201dVerkostoa johdetaan hyvin.\u201d: 0 / 1 / 0 / 2 / 1 (DK 0); n\u00a0=\u00a04; Md: ")
    assert tables.likert_legend(survey, ["q1", "q3"]) == (
        " / ".join(s.lower() for s in SCALE) + "; EOS = en osaa sanoa")
    saved = yaml.safe_load((p.codes_dir / "joint_display.yaml").read_text(encoding="utf-8"))
    assert saved == [
        {"theme": "johtaminen", "items": ["q1", "q3"], "fit": "expands",
         "conclusion": "Tarkennettu."},
        {"theme": "neuvottelut", "items": [], "fit": "silent", "conclusion": ""},
    ]


def test_joint_display_caps_its_quotes_and_keeps_the_kinds_asked_for(four: tuple) -> None:
    p, _ = four
    every = tables.joint_display(p).set_index("code_path")
    capped = tables.joint_display(p, max_quotes=2).set_index("code_path")
    for path in every.index:
        refs = every.loc[path, "quote_refs"].split(", ")
        assert capped.loc[path, "quote_refs"] == ", ".join(refs[:2])
        assert len(capped.loc[path, "quotes"].split("\n")) == min(2, len(refs))
    # The fixture has interviews only: asking for survey answers leaves no quote.
    none = tables.joint_display(p, quote_kinds=["survey_answer"])
    assert (none["quotes"] == "").all() and (none["quote_refs"] == "").all()
    assert tables.quotes(p, kinds=["survey_answer"]).empty


def test_joint_display_without_notes_or_survey(coded: tuple) -> None:
    p, _ = coded
    out = tables.joint_display(p)
    assert list(out["code_path"]) == ["johtaminen", "neuvottelut"]
    assert list(out["fit"]) == ["", ""] and list(out["survey_results"]) == ["", ""]
    assert list(out["cases_n_of_N"]) == ["2/2", "2/2"] and out["valid_n"].isna().all()


def test_joint_display_notes_are_validated(coded: tuple, tmp_path: Path) -> None:
    p, _ = coded
    with pytest.raises(TymqualError, match="fit 'maybe' is not allowed.*'confirms'"):
        tables.save_joint_display_notes(p, "johtaminen", fit="maybe")
    with pytest.raises(TymqualError, match="'resurssit' is not a top-level theme.*johtaminen"):
        tables.save_joint_display_notes(p, "resurssit", fit="silent")
    assert not (p.codes_dir / "joint_display.yaml").exists()
    (p.codes_dir / "joint_display.yaml").write_text(
        "- theme: johtaminen\n  fit: hmm\n", encoding="utf-8")
    with pytest.raises(TymqualError, match="joint_display.yaml, entry 1: fit 'hmm'"):
        tables.joint_display(p)
    (p.codes_dir / "joint_display.yaml").write_text(
        "- theme: johtaminen\n  items: [q9]\n", encoding="utf-8")
    with pytest.raises(TymqualError, match="'q9' is not a Likert item"):
        tables.joint_display(p, write_survey(tmp_path / "k.xlsx"))


def test_case_summary_cells_both_languages(four: tuple, tmp_path: Path) -> None:
    p, _ = four
    tables.save_case_summary(p, "H1", "johtaminen", "Luonnos.")
    tables.save_case_summary(p, "H1", "Johtaminen", "Johtaja resursoitu hyvin.")  # replaces
    tables.save_case_summary(p, "H4", "johtaminen", "Ei mainintoja johtamisesta.")
    tables.save_case_summary(p, "H2", "neuvottelut", "Poistetaan.")
    tables.save_case_summary(p, "H2", "neuvottelut", "")  # an empty summary removes it
    survey = write_survey(tmp_path / "kysely.xlsx")
    out = tables.case_summary(p, survey=survey)
    # johtaminen passages: H1 4 (c1, c2, c3, c5), H2 1, H3 1, H4 0; neuvottelut 1, 1, 0, 1.
    assert list(out["case_id"]) == ["H1", "H2", "H3", "H4"]
    assert list(out["johtaminen"]) == [
        "Johtaja resursoitu hyvin. (4\u00a0kohtaa)", "(1\u00a0kohta)", "(1\u00a0kohta)",
        "Ei mainintoja johtamisesta. (0\u00a0kohtaa)"]
    assert list(out["neuvottelut"]) == ["(1\u00a0kohta)", "(1\u00a0kohta)", "", "(1\u00a0kohta)"]
    assert list(out["q2"]) == [SCALE[0], "En osaa sanoa", SCALE[1], SCALE[2]]
    assert list(out.columns) == ["case_id", "johtaminen", "neuvottelut", "q1", "q2", "q3"]
    english = tables.case_summary(p, survey=survey, lang="en")
    assert english.loc[0, "johtaminen"] == "Johtaja resursoitu hyvin. (4\u00a0passages)"
    assert english.loc[1, "johtaminen"] == "(1\u00a0passage)"
    assert english.loc[1, "q2"] == "Don't know"
    saved = pd.read_csv(p.codes_dir / "case_summaries.csv", encoding="utf-8-sig")
    assert saved.values.tolist() == [["H1", "johtaminen", "Johtaja resursoitu hyvin."],
                                     ["H4", "johtaminen", "Ei mainintoja johtamisesta."]]


def test_case_summary_refuses_unknown_case_and_subcode(coded: tuple) -> None:
    p, _ = coded
    with pytest.raises(TymqualError, match="case_id 'H9' is not a case.*H1, H2"):
        tables.save_case_summary(p, "H9", "johtaminen", "x")
    with pytest.raises(TymqualError, match="'resurssit' is not a top-level theme"):
        tables.save_case_summary(p, "H1", "resurssit", "x")


# --- description of the material ---------------------------------------------------------------

DESCRIPTION_COLUMNS = ["source_id", "case_label", "date", "duration_min", "words", "pages",
                       "interview_mode"]  # fmt: skip


@pytest.mark.parametrize(("lang", "dates", "modes", "total"), [
    ("fi", ["1.10.2025", "8.10.2025", "5.11.2025", "\u2013"],
     ["Kasvokkain", "Puhelin", "Videoyhteys", "Teams"], "Yhteensä"),
    ("en", ["2025-10-01", "2025-10-08", "2025-11-05", "\u2013"],
     ["Face to face", "Telephone", "Video call", "Teams"], "Total"),
])
def test_data_description(
    four: tuple, lang: str, dates: list[str], modes: list[str], total: str
) -> None:
    p, _ = four
    # Words (speaker labels included, as in Project.sources): H1 29, H2 20, H3 10
    # (H Riittävätkö resurssit / V Resurssit riittävät hyvin Kela on mukana), H4 10.
    # Minutes: H1 45 (cases.csv), H2 none, H3 "30,4" → 30, H4 the VTT's 3149.5 s → 52
    # (not cases.csv's 60). Pages at 4 words a page: 7.25 → 7.3 (half up), 5, 2.5, 2.5;
    # the total 69 / 4 = 17.25 → 17.3.
    expected = frame([
        ("H1", "Haastateltava 1", dates[0], 45, 29, 7.3, modes[0]),
        ("H2", "Haastateltava 2", dates[1], None, 20, 5.0, modes[1]),
        ("H3", "Haastateltava 3", dates[2], 30, 10, 2.5, modes[2]),
        ("H4", "Haastateltava 4", dates[3], 52, 10, 2.5, modes[3]),
        (total, "", "", 127, 69, 17.3, ""),
    ], DESCRIPTION_COLUMNS, duration_min="Int64", words="int64")
    out = tables.data_description(p, words_per_page=4, lang=lang)  # type: ignore[arg-type]
    assert_same(out.astype({c: object for c in ("source_id", "case_label", "date",
                                                 "interview_mode")}), expected)


def test_data_description_default_page_and_missing_values(make_project: MakeProject) -> None:
    p = make_project()
    out = tables.data_description(p)
    # 29 / 500 = 0.058 → 0.1; conftest's cases.csv has no duration or mode.
    assert out["pages"].tolist() == [0.1, 0.0, 0.1]
    assert out["duration_min"].isna().all() and out["interview_mode"].tolist() == ["", "", ""]
    with pytest.raises(TymqualError, match="words_per_page"):
        tables.data_description(p, words_per_page=0)


def test_case_duration_only_for_a_case_with_one_interview(make_project: MakeProject) -> None:
    p = make_project({
        "transcripts/H1_osa2.txt": "H: Jatketaan.\nV: Kyllä.\n",
        "codes/cases.csv": "case_id,duration_min\nH1,50\nH2,40\n",
    })
    # H1 is split over H1 and H1_osa2: its 50 minutes cannot be given to either part.
    out = tables.data_description(p).set_index("source_id")["duration_min"]
    assert out.isna().tolist() == [True, True, False, False]
    assert out.loc["H2"] == 40 and out.iloc[-1] == 40


@pytest.mark.parametrize(("lang", "texts"), [
    ("fi", ["n = 2, ka. 2,5, vv. 2–3", "n = 1, ka. 19, vv. 19–19", "n = 3, ka. 8, vv. 2–19"]),
    ("en", ["n = 2, M = 2.5, range 2–3", "n = 1, M = 19, range 19–19",
            "n = 3, M = 8, range 2–19"]),
])
def test_describe_numeric(lang: str, texts: list[str]) -> None:
    df = pd.DataFrame({"pages": [3, 19, 2, None], "kind": ["a", "b", "a", "b"]})
    out = tables.describe_numeric(df, "pages", by="kind", lang=lang)  # type: ignore[arg-type]
    total = "Yhteensä" if lang == "fi" else "Total"
    expected = frame([
        ("a", 2, 2.5, 2.5, 2.0, 3.0, texts[0].replace(" ", NBSP).replace(",\u00a0", ", ")),
        ("b", 1, 19.0, 19.0, 19.0, 19.0, texts[1].replace(" ", NBSP).replace(",\u00a0", ", ")),
        (total, 3, 8.0, 3.0, 2.0, 19.0, texts[2].replace(" ", NBSP).replace(",\u00a0", ", ")),
    ], ["group", "n", "mean", "median", "min", "max", "text"], n="int64")
    assert_same(out.astype({"group": object, "text": object}), expected)
    assert len(tables.describe_numeric(df, "pages")) == 1
    with pytest.raises(TymqualError, match="'sivut' is not a column of df"):
        tables.describe_numeric(df, "sivut")


def test_analysis_coders_keep_a_second_coders_work_out_of_the_frequencies(
    make_project: Callable[..., tymqual.Project],
) -> None:
    p = make_project()
    p.code("H1", "johtaminen/resurssit", quote="Hänellä on resurssit kunnossa.", coder="A")
    p.code("H1", "johtaminen/resurssit", quote="Verkostojohtaja on meillä liima.", coder="B")
    both = tables.code_frequencies(p).set_index("code_path")
    assert both.loc["johtaminen/resurssit", "segments"] == 2
    config = p.root / "tymqual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "analysis_coders: [A]\n", "utf-8")
    only_a = tables.code_frequencies(tymqual.open_project(p.root)).set_index("code_path")
    assert only_a.loc["johtaminen/resurssit", "segments"] == 1


def test_analysis_coders_must_be_names(make_project: Callable[..., tymqual.Project]) -> None:
    from tymqual.errors import ProjectError

    with pytest.raises(ProjectError, match=r"tymqual\.yaml: analysis_coders must be a list"):
        make_project({"tymqual.yaml": "analysis_coders: [1, 2]\n"})


# --- codebook edited by hand: no coding leaves the tables --------------------------------------

_RESURSSIT = "        key: resurssit\n"
_JOHTORYHMA = "      - name: Johtoryhmä\n        key: johtoryhma\n"
_JOHTAMINEN = "    key: johtaminen\n"
# name → (replacements in codebook.yaml, ledger key → the code path its codings should show;
# a key missing from the mapping keeps its own path, None marks a key no code has)
HAND_EDITS: dict[str, tuple[list[tuple[str, str]], dict[str, str | None]]] = {
    "key renamed": ([(_RESURSSIT, "        key: rahat\n")], {"resurssit": None}),
    "key renamed with renamed_from": (
        [(_RESURSSIT, "        key: rahat\n        renamed_from: resurssit\n")],
        {"resurssit": "johtaminen/rahat"},
    ),
    "code deleted": ([(_JOHTORYHMA, "")], {"johtoryhma": None}),
    "code deleted, folded into its parent by renamed_from": (
        [(_JOHTORYHMA, ""), (_JOHTAMINEN, _JOHTAMINEN + "    renamed_from: [johtoryhma]\n")],
        {"johtoryhma": "johtaminen"},
    ),
    "two codes deleted": ([(_JOHTORYHMA, ""), (_RESURSSIT, "        key: rahat\n")],
                          {"johtoryhma": None, "resurssit": None}),
}
_PATHS = {"johtaminen": "johtaminen", "resurssit": "johtaminen/resurssit",
          "johtoryhma": "johtaminen/johtoryhma", "neuvottelut": "neuvottelut"}


def _edit_codebook(p: tymqual.Project, edits: list[tuple[str, str]]) -> tymqual.Project:
    path = p.root / "codes" / "codebook.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return tymqual.open_project(p.root)


def _expected_paths(p: tymqual.Project, follow: dict[str, str | None]) -> pd.DataFrame:
    """Accepted codings from the CSV itself, each with the path a reader should see."""
    ledger = pd.read_csv(p.root / "codes" / "codings.csv", dtype=str, keep_default_na=False)
    ledger = ledger[ledger["status"] == "accepted"]
    wanted = {**_PATHS, **follow}
    ledger["path"] = [wanted[k] if wanted[k] is not None else f"{k} (ei koodikirjassa)"
                      for k in ledger["code"]]
    return ledger.astype({"start": "int64", "end": "int64"})


@pytest.mark.parametrize("edit", HAND_EDITS, ids=list(HAND_EDITS))
def test_hand_edited_codebook_keeps_every_coding_in_every_table(four: tuple, edit: str) -> None:
    edits, follow = HAND_EDITS[edit]
    p = _edit_codebook(four[0], edits)
    expected = _expected_paths(p, follow)
    orphans = {k: int((expected["code"] == k).sum()) for k, v in follow.items() if v is None}
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        seg = p.segments()
        freq = tables.code_frequencies(p, rollup=False)
        tables.code_frequencies(p, rollup=False)  # the same state is told once
    shown = dict(zip(seg["coding_id"], seg["code_path"], strict=True))
    assert shown == dict(zip(expected["coding_id"], expected["path"], strict=True))
    # Passages per path, counted from the CSV: each distinct span once per path.
    spans = expected.drop_duplicates(["path", "source_id", "start", "end"])
    per_path = spans.groupby("path").size()
    counted = freq.set_index("code_path")["segments"]
    assert counted[counted > 0].sort_index().to_dict() == per_path.sort_index().to_dict()
    matrix = tables.code_case_matrix(p, counts=True, rollup=False).set_index("code_path")
    assert matrix[["H1", "H2", "H3", "H4"]].sum(axis=1)[per_path.index].to_dict() == \
        per_path.to_dict()
    by_region = tables.code_attribute_matrix(p, "region", counts=True, rollup=False,
                                             allow_small_cells=True)
    assert by_region.set_index("code_path").sum(axis=1, numeric_only=True)[
        per_path.index].to_dict() == per_path.to_dict()
    analysis = tables.analysis_table(p)
    assert sorted(analysis["coding_id"]) == sorted(expected["coding_id"])
    for key, n in orphans.items():
        marker = f"{key} (ei koodikirjassa)"
        row = freq[freq["code_path"] == marker]
        assert (row["code_name"].tolist(), row["depth"].tolist()) == ([f"Ei koodikirjassa: {key}"],
                                                                     [0])
        assert (analysis["main_category"] == f"Ei koodikirjassa: {key}").sum() == n
        assert marker in tables.co_occurrence(p, wide=True).index
    messages = [str(w.message) for w in told if "codebook.yaml" in str(w.message)]
    assert len(messages) == (1 if orphans else 0)
    if orphans:
        assert f"{sum(orphans.values())} coding(s)" in messages[0]
        assert all(repr(key) in messages[0] for key in orphans)
        assert "renamed_from" in messages[0]


def test_orphaned_rows_follow_the_table_language(four: tuple) -> None:
    p = _edit_codebook(four[0], HAND_EDITS["code deleted"][0])
    with pytest.warns(tymqual.TymqualWarning):
        english = tables.code_frequencies(p, lang="en")
    assert "Not in codebook: johtoryhma" in english["code_name"].tolist()
    assert "johtoryhma (not in codebook)" in english["code_path"].tolist()


@pytest.mark.parametrize("encoding, sep", [("utf-8-sig", ";"), ("cp1252", ";"), ("utf-8", ",")])
def test_saving_a_summary_keeps_the_authors_columns_and_says_what_it_replaces(
    four: tuple, encoding: str, sep: str
) -> None:
    # As an author leaves the file after Excel: her own column, and two rows for H1's theme.
    p, _ = four
    rows = [["case_id", "code", "summary", "huomio"],
            ["H1", "johtaminen", "Ensimmäinen versio.", "tarkista"],
            ["H2", "neuvottelut", "Viivästyi.", "lähde: H2 s. 3"],
            ["H1", "Johtaminen", "Toinen versio.", ""]]
    (p.codes_dir / "case_summaries.csv").write_bytes(
        "\r\n".join(sep.join(r) for r in rows).encode(encoding) + b"\r\n")
    with pytest.warns(TymqualWarning, match=r"case_summaries\.csv: case H1 had 2 summaries of "
                      r"johtaminen.*row 4: 'Toinen versio\.'"):
        tables.save_case_summary(p, "H1", "johtaminen", "Uusi.")
    tables.save_case_summary(p, "H3", "neuvottelut", "Lisätty.")
    saved = pd.read_csv(p.codes_dir / "case_summaries.csv", encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)
    assert list(saved.columns) == ["case_id", "code", "summary", "huomio"]
    assert saved.values.tolist() == [["H1", "johtaminen", "Uusi.", "tarkista"],
                                     ["H2", "neuvottelut", "Viivästyi.", "lähde: H2 s. 3"],
                                     ["H3", "neuvottelut", "Lisätty.", ""]]


# --- the vectorised tables against plain loops ---------------------------------------------------
# code_frequencies and co_occurrence work on integer arrays (one sort and searchsorted instead
# of a loop per source); these references restate the module notes' definitions in small loops.

LOOPS_CODEBOOK = """\
name: Silmukkakoodikirja
version: "1"
language: fi
codes:
  - name: Yhteistyö ja verkostot
    key: yhteistyo
    children:
      - name: Työnjako
        key: tyonjako
        children:
          - name: Äänestys ja päätökset
            key: paatokset
      - name: Luottamus
        key: luottamus
  - name: Resurssit
    key: resurssit
    children:
      - name: Henkilöstö
        key: henkilosto
  - name: Asiakkaan ääni
    key: asiakas
"""
LOOPS_SOURCES = {
    "H1.txt": "H: Miten THL:n ohje näkyy?\nV: Sote-alueella työnjako on selvä. Kela’n ja "
              "kunnan välinen luottamus kasvoi.\nH: Entä resurssit?\nV: Henkilöstö vaihtui - "
              "se näkyi 12,5 %:n kasvuna.\n",
    "H2.txt": "H: Kerro äänestyksestä.\nV: Päätökset 😀 tehtiin yhdessä, _ja_ asiakas kuultiin."
              "\nH: Ja sitten?\nV: Ei mitään -- ei yhtään: ei.\n",
    "M1.txt": "Muistio ilman puhujia.\n\nToinen kappale: yhteistyö ja 𝔘nicode-sanat.\n",
    "H3.txt": "H: Tätä ei koodata.\nV: Ei niin.\n",
}
LOOPS_CASES = "case_id,label,region\nH1,H1,itä\nH2,H2,länsi\nH3,H3,itä\n"


@pytest.fixture(scope="module")
def loops_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("loops") / "proj"
    tymqual.init_project(root, name="silmukat")
    (root / "codes" / "codebook.yaml").write_text(LOOPS_CODEBOOK, encoding="utf-8")
    (root / "codes" / "cases.csv").write_text(LOOPS_CASES, encoding="utf-8")
    for name, text in LOOPS_SOURCES.items():
        (root / "transcripts" / name).write_text(text, encoding="utf-8")
    return root


@st.composite
def ledgers(draw: st.DrawFn, lengths: dict[str, int], edges: dict[str, list[int]],
            keys: list[str]) -> list[dict[str, object]]:
    """Up to 24 codings: random spans, spans on turn edges, spans repeated with another code
    or coder (overlaps, double coding) and spans starting where another ends (touching); a
    few suggested, which must not count."""
    rows: list[dict[str, object]] = []
    for _ in range(draw(st.integers(0, 24))):
        sid = draw(st.sampled_from(sorted(lengths)))
        how = draw(st.sampled_from(["random", "edges", "again", "touching"]))
        earlier = draw(st.sampled_from(rows)) if rows else {}
        if how == "again" and rows:
            sid, start, end = str(earlier["source_id"]), int(earlier["start"]), int(earlier["end"])
        elif how == "touching" and rows and int(earlier["end"]) < lengths[
                str(earlier["source_id"])]:
            sid, start = str(earlier["source_id"]), int(earlier["end"])
            end = draw(st.integers(start + 1, min(lengths[sid], start + 50)))
        elif how == "edges" and len(edges[sid]) > 1:
            start, end = sorted(draw(st.lists(st.sampled_from(edges[sid]), min_size=2,
                                              max_size=2, unique=True)))
        else:
            start = draw(st.integers(0, lengths[sid] - 1))
            end = draw(st.integers(start + 1, min(lengths[sid], start + 50)))
        rows.append({"source_id": sid, "start": start, "end": end,
                     "code": draw(st.sampled_from(keys)), "coder": draw(st.sampled_from("AB")),
                     "status": draw(st.sampled_from(["accepted"] * 4 + ["suggested"]))})
    return rows


def _node_spans(p: tymqual.Project, rollup: bool) -> dict[str, set[tuple[str, int, int]]]:
    """Per code key, its distinct accepted spans (with its subcodes' when rolled up)."""
    codings = p.codings
    accepted = codings[codings["status"] == "accepted"]
    out = {}
    for code in p.codebook:
        members = {c.key for c in p.codebook.descendants(code)} if rollup else {code.key}
        out[code.key] = {(str(r.source_id), int(r.start), int(r.end))
                         for r in accepted.itertuples() if r.code in members}
    return out


def _words_in(p: tymqual.Project, spans: set[tuple[str, int, int]]) -> int:
    total = 0
    for sid in {s for s, _, _ in spans}:
        merged: list[list[int]] = []
        for start, end in sorted((a, b) for s, a, b in spans if s == sid):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        total += sum(count_words(p.text(sid)[a:b]) for a, b in merged)
    return total


def loop_frequencies(p: tymqual.Project, rollup: bool, by: str | None) -> pd.DataFrame:
    spans = _node_spans(p, rollup)
    cases = p.cases
    groups = ({"": list(cases["case_id"])} if by is None else
              {g: list(cases.loc[cases[by] == g, "case_id"]) for g in dict.fromkeys(cases[by])})
    rows = []
    for code in p.codebook:
        for group, members in groups.items():
            mine = {s for s in spans[code.key] if p.case_of(s[0]) in members or by is None}
            seen = {p.case_of(s[0]) for s in mine} & set(members)
            rows.append((code.path, group, len(mine), len(seen), len(members),
                         _words_in(p, mine)))
    return frame(rows, ["code_path", "group", "segments", "cases", "cases_total",
                        "words_coded"], segments="int64", cases="int64", cases_total="int64",
                 words_coded="int64")


def _components(items: list[tuple[str, int, int, str]]) -> list[set[str]]:
    """The sides present in each group of passages linked by overlapping one another."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, (s1, a1, b1, _) in enumerate(items):
        for j, (s2, a2, b2, _) in enumerate(items):
            if s1 == s2 and a1 < b2 and a2 < b1:
                parent[root(i)] = root(j)
    sides: dict[int, set[str]] = {}
    for i, item in enumerate(items):
        sides.setdefault(root(i), set()).add(item[3])
    return list(sides.values())


def _turn_sets(p: tymqual.Project, rollup: bool) -> dict[str, set[tuple[str, int]]]:
    turns = p.turns()
    out = {}
    for key, spans in _node_spans(p, rollup).items():
        out[key] = {(sid, int(t.turn)) for sid, a, b in spans
                    for t in turns[turns["source_id"] == sid].itertuples()
                    if t.start < b and a < t.end}
    return out


def loop_co_occurrence(p: tymqual.Project, unit: str, rollup: bool
                       ) -> tuple[pd.DataFrame, dict[str, int]]:
    """The long table and each code's own units (the wide table's diagonal)."""
    spans = _node_spans(p, rollup)
    turn_sets = _turn_sets(p, rollup)
    codes = list(p.codebook)
    rows = []
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            if rollup and (a in p.codebook.descendants(b) or b in p.codebook.descendants(a)):
                continue
            if unit == "turn":
                count = len(turn_sets[a.key] & turn_sets[b.key])
                union = len(turn_sets[a.key] | turn_sets[b.key])
            else:
                parts = _components([(*s, "a") for s in spans[a.key]]
                                    + [(*s, "b") for s in spans[b.key]])
                count, union = sum(side == {"a", "b"} for side in parts), len(parts)
            if count:
                rows.append((a.path, b.path, count, count / union))
    own = {c.path: len(turn_sets[c.key] if unit == "turn" else spans[c.key]) for c in codes}
    long = frame(rows, ["code_a", "code_b", "count", "jaccard"], count="int64",
                 jaccard="float64")
    return long, own


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_frequencies_and_co_occurrence_match_plain_loops(loops_template: Path,
                                                         data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "proj"
        shutil.copytree(loops_template, root)
        p = tymqual.open_project(root)
        lengths = {sid: len(p.text(sid)) for sid in p.source_ids}
        turns = p.turns()
        edges = {sid: sorted({0, lengths[sid], *turns.loc[turns["source_id"] == sid, "start"],
                              *turns.loc[turns["source_id"] == sid, "end"]})
                 for sid in lengths}
        rows = data.draw(ledgers(lengths, edges, [c.key for c in p.codebook]))
        p.ledger.add(rows, who="testi")
        rollup = data.draw(st.booleans())
        by = data.draw(st.sampled_from([None, "region"]))
        got = tables.code_frequencies(p, rollup=rollup, by=by, allow_small_cells=True)
        if by is None:
            got = got.assign(group="")
        columns = ["code_path", "group", "segments", "cases", "cases_total", "words_coded"]
        assert_same(got[columns], loop_frequencies(p, rollup, by))
        for unit in ("passage", "turn"):
            long, own = loop_co_occurrence(p, unit, rollup)
            assert_same(tables.co_occurrence(p, unit=unit, rollup=rollup), long)
            wide = tables.co_occurrence(p, unit=unit, rollup=rollup, wide=True)
            assert {k: int(wide.loc[k, k]) for k in wide.index} == own
            for a, b, count in zip(long["code_a"], long["code_b"], long["count"], strict=True):
                assert wide.loc[a, b] == wide.loc[b, a] == count


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("aä1_ -:’'´\n.😀𝔘\u0301€")) | st.characters(),
                        max_size=30), max_size=8))
def test_word_counts_of_many_pieces_equal_count_words(pieces: list[str]) -> None:
    assert count_words_many(pieces).tolist() == [count_words(piece) for piece in pieces]
