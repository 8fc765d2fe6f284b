"""Coverage and saturation, on ledgers written as a CSV file the way a user or a script writes one.

Each test writes ``codes/codings.csv`` by hand (with the ``created`` times that decide the
coding order), opens the project, and computes what it expects from the rows it wrote: the
order from the times, the new codes with plain sets, the coded characters as the set of code
points the rows cover.
"""

from __future__ import annotations

import csv
import random
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import H1, H2
from matplotlib.figure import Figure

import tymqual
from tymqual import coverage
from tymqual.errors import AgreementError, TymqualWarning
from tymqual.figures import saturation_curve
from tymqual.text import normalize_text

H3 = """\
H: Miten resurssit riittävät?
V: Resurssit eivät riitä. Johtoryhmä ei tue.
"""
TEXTS = {"H1": normalize_text(H1), "H2": normalize_text(H2), "H3": normalize_text(H3)}
CODES = ("johtaminen", "resurssit", "johtoryhma", "neuvottelut")
PATHS = {"johtaminen": "johtaminen", "resurssit": "johtaminen/resurssit",
         "johtoryhma": "johtaminen/johtoryhma", "neuvottelut": "neuvottelut"}
Row = dict[str, object]


def _row(i: int, sid: str, start: int, end: int, code: str, coder: str = "A",
         created: str = "2026-01-01T10:00:00Z", status: str = "accepted") -> Row:
    return {"coding_id": f"c{i:04d}", "source_id": sid, "start": start, "end": end,
            "code": code, "coder": coder, "status": status, "created": created,
            "text": TEXTS[sid][start:end]}


def _open(make_project: Callable[..., tymqual.Project], rows: list[Row]) -> tymqual.Project:
    p = make_project({"transcripts/H3.txt": H3})
    with (p.root / "codes" / "codings.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(_row(0, "H1", 0, 1, "resurssit")))
        writer.writeheader()
        writer.writerows(rows)
    return tymqual.open_project(p.root)


def _random_rows(seed: int, coders: tuple[str, ...] = ("A",)) -> list[Row]:
    rng = random.Random(seed)
    rows = []
    for i in range(rng.randint(1, 25)):
        sid = rng.choice(list(TEXTS))
        start = rng.randrange(len(TEXTS[sid]) - 1)
        end = rng.randint(start + 1, min(len(TEXTS[sid]), start + 60))
        when = f"2026-01-{rng.randint(1, 3):02d}T{rng.randint(0, 23):02d}:00:00Z"
        rows.append(_row(i, sid, start, end, rng.choice(CODES), rng.choice(coders), when))
    return rows


# ==================================================================== saturation
@pytest.mark.parametrize("seed", range(8))
def test_saturation_counts_new_codes_in_the_order_first_coded(
        make_project: Callable[..., tymqual.Project], seed: int) -> None:
    rows = _random_rows(seed)
    p = _open(make_project, rows)
    table = coverage.saturation(p)
    first = {sid: min(str(r["created"]) for r in rows if r["source_id"] == sid)
             for sid in {str(r["source_id"]) for r in rows}}
    project_order = ["H1", "H2", "H3"]
    order = sorted(first, key=lambda s: (first[s], project_order.index(s)))
    assert table["source_id"].tolist() == order
    assert table["order"].tolist() == list(range(1, len(order) + 1))
    seen: set[str] = set()
    for got, sid in zip(table.itertuples(), order, strict=True):
        used = {PATHS[str(r["code"])] for r in rows if r["source_id"] == sid}
        new = used - seen
        seen |= used
        assert set(filter(None, got.new_code_paths.split("; "))) == new
        assert (got.codes, got.new_codes, got.total_codes, got.first_coded) == (
            len(used), len(new), len(seen), first[sid])
    assert table["new_codes"].sum() == table["total_codes"].iloc[-1] == len(seen)
    assert tuple(table.columns) == coverage.SATURATION_COLUMNS


def test_saturation_leaves_out_what_does_not_count(
        make_project: Callable[..., tymqual.Project]) -> None:
    rows = [_row(0, "H1", 0, 10, "resurssit", created="2026-01-02T00:00:00Z"),
            _row(1, "H2", 0, 10, "neuvottelut", status="suggested"),
            _row(2, "H2", 0, 10, "johtoryhma", coder="B", status="rejected"),
            _row(3, "H3", 0, 10, "resurssit", coder="B", created="2026-01-01T00:00:00Z")]
    p = _open(make_project, rows)
    table = coverage.saturation(p)
    # Only accepted codings; the subcode does not use its parent; H2 has none that count.
    assert table["source_id"].tolist() == ["H3", "H1"]
    assert table["new_code_paths"].tolist() == ["johtaminen/resurssit", ""]
    assert coverage.saturation(p, coder="A")["source_id"].tolist() == ["H1"]


def test_saturation_warns_when_some_sources_have_no_time(
        make_project: Callable[..., tymqual.Project]) -> None:
    rows = [_row(0, "H1", 0, 10, "resurssit", created=""),
            _row(1, "H2", 0, 10, "neuvottelut", created="2026-01-05T00:00:00Z")]
    p = _open(make_project, rows)
    with pytest.warns(TymqualWarning, match=r"codings\.csv.*H1.*no readable 'created' time"):
        table = coverage.saturation(p)
    assert table["source_id"].tolist() == ["H2", "H1"]


def test_saturation_orders_by_the_instant_not_the_text(
        make_project: Callable[..., tymqual.Project]) -> None:
    # 10:00 at UTC+2 is 08:00 UTC, before 09:00 UTC, though its text sorts after.
    rows = [_row(0, "H1", 0, 10, "resurssit", created="2026-01-01T09:00:00Z"),
            _row(1, "H2", 0, 10, "neuvottelut", created="2026-01-01T10:00:00+02:00")]
    p = _open(make_project, rows)
    table = coverage.saturation(p)
    assert table["source_id"].tolist() == ["H2", "H1"]
    assert table["first_coded"].tolist() == ["2026-01-01T10:00:00+02:00", "2026-01-01T09:00:00Z"]


def test_saturation_of_nothing_is_an_empty_table(
        make_project: Callable[..., tymqual.Project]) -> None:
    p = _open(make_project, [])
    assert coverage.saturation(p).empty
    assert list(coverage.saturation(p).columns) == list(coverage.SATURATION_COLUMNS)


# ==================================================================== coded share
@pytest.mark.parametrize("seed", range(8))
def test_coded_share_counts_each_code_point_once(
        make_project: Callable[..., tymqual.Project], seed: int) -> None:
    rows = _random_rows(seed, coders=("A", "B"))
    p = _open(make_project, rows)
    table = coverage.coded_share(p)
    for got in table.itertuples():
        mine = [r for r in rows if r["source_id"] == got.source_id
                and (got.code_path == coverage.ALL_CODES or PATHS[str(r["code"])] == got.code_path)]
        points = {i for r in mine for i in range(int(str(r["start"])), int(str(r["end"])))}
        assert (got.segments, got.coded_chars) == (len(mine), len(points))
        assert got.source_chars == len(TEXTS[str(got.source_id)])
        assert got.share == pytest.approx(len(points) / len(TEXTS[str(got.source_id)]))
    pairs = {(str(r["source_id"]), PATHS[str(r["code"])]) for r in rows}
    assert set(zip(table["source_id"], table["code_path"], strict=True)) == pairs | {
        (str(r["source_id"]), coverage.ALL_CODES) for r in rows}


@pytest.mark.parametrize("seed", range(20))
def test_covered_length_is_the_size_of_the_union(seed: int) -> None:
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, 100, rng.integers(0, 30))
    ends = starts + rng.integers(0, 20, len(starts))
    union = {i for s, e in zip(starts, ends, strict=True) for i in range(s, e)}
    assert coverage.covered_length(starts, ends) == len(union)


def test_unknown_sources_are_named(make_project: Callable[..., tymqual.Project]) -> None:
    p = _open(make_project, [_row(0, "H1", 0, 10, "resurssit")])
    with pytest.raises(AgreementError, match="'H9' are not in the project.*H1, H2, H3"):
        coverage.coded_share(p, sources=["H1", "H9"])


# ==================================================================== one coder only
def test_single_coder_codes_in_double_coded_sources(
        make_project: Callable[..., tymqual.Project]) -> None:
    rows = [_row(0, "H1", 0, 10, "resurssit", "A"), _row(1, "H1", 5, 20, "resurssit", "B"),
            _row(2, "H1", 30, 40, "johtoryhma", "A"), _row(3, "H1", 40, 50, "johtoryhma", "A"),
            _row(4, "H1", 30, 40, "neuvottelut", "B"),
            _row(5, "H1", 30, 40, "johtaminen", "autocode:sanasto@1"),
            _row(8, "H1", 60, 70, "johtaminen", "consensus"),
            _row(6, "H2", 0, 10, "johtaminen", "A"),  # H2 is coded by A alone
            _row(7, "H3", 0, 10, "johtaminen", "B")]
    p = _open(make_project, rows)
    table = coverage.single_coder_codes(p)
    assert tuple(table.columns) == coverage.SINGLE_CODER_COLUMNS
    assert table.values.tolist() == [["johtaminen/johtoryhma", "A", 2, 1],
                                     ["neuvottelut", "B", 1, 1]]
    everywhere = coverage.single_coder_codes(p, sources=["H1", "H2", "H3"])
    assert "johtaminen" not in set(everywhere["code_path"])  # A in H2, B in H3
    with_machine = coverage.single_coder_codes(p, include_machine=True)
    assert "johtaminen" in set(with_machine["code_path"])


def test_single_coder_codes_needs_two_coders(
        make_project: Callable[..., tymqual.Project]) -> None:
    p = _open(make_project, [_row(0, "H1", 0, 10, "resurssit", "A")])
    with pytest.warns(TymqualWarning, match="no source has accepted codings by two"):
        assert coverage.single_coder_codes(p).empty


# ==================================================================== the figure
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_saturation_curve_draws_the_table(make_project: Callable[..., tymqual.Project],
                                          lang: str) -> None:
    p = _open(make_project, _random_rows(3))
    table = coverage.saturation(p)
    fig = saturation_curve(p, lang=lang)  # type: ignore[arg-type]
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [bar.get_height() for bar in ax.patches] == table["new_codes"].tolist()
    assert ax.lines[0].get_ydata().tolist() == table["total_codes"].tolist()
    assert [t.get_text() for t in ax.get_xticklabels()] == table["source_id"].tolist()
    assert ax.get_title(loc="left").startswith("Uudet koodit" if lang == "fi" else "New codes")


def test_saturation_curve_without_codings(make_project: Callable[..., tymqual.Project],
                                          tmp_path: Path) -> None:
    p = _open(make_project, [])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = saturation_curve(p)
    assert "Ei koodauksia" in [t.get_text() for t in fig.axes[0].texts]


# ==================================================================== the command line
def test_coverage_command_prints_each_table(
        make_project: Callable[..., tymqual.Project], capsys: pytest.CaptureFixture[str]) -> None:
    from tymqual.cli import main

    rows = [_row(0, "H1", 0, 10, "resurssit", "A", created="2026-01-02T00:00:00Z"),
            _row(1, "H1", 30, 40, "neuvottelut", "B"),
            _row(2, "H3", 0, 10, "johtoryhma", "B", created="2026-01-01T00:00:00Z")]
    p = _open(make_project, rows)
    assert main(["coverage", str(p.root)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["order", "source_id"]
    assert [line.split()[1] for line in lines[1:]] == ["H3", "H1"]  # by first 'created'
    assert main(["coverage", str(p.root), "--table", "share", "--coder", "A"]) == 0
    share = capsys.readouterr().out
    assert "johtaminen/resurssit" in share and "neuvottelut" not in share
    assert f"{10 / len(TEXTS['H1']):.3f}" in share
    assert main(["coverage", str(p.root), "--table", "single"]) == 0
    single = capsys.readouterr().out.splitlines()
    assert sorted(line.split()[:2] for line in single[1:]) == [
        ["johtaminen/resurssit", "A"], ["neuvottelut", "B"]]


@pytest.mark.parametrize("name", ["saturation", "coded_share", "single_coder_codes"])
def test_project_methods_give_the_module_tables(
        make_project: Callable[..., tymqual.Project], name: str) -> None:
    p = _open(make_project, _random_rows(3, coders=("A", "B")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        via_module = getattr(coverage, name)(p)
        via_project = getattr(p, name)()
    assert via_project.equals(via_module)
