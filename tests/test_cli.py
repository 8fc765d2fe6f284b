"""The command line as a reader meets it: --version, help text, and status counted as the report."""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tymqual
from tymqual.cli import build_parser, main

REPO = Path(__file__).parents[1]
# reStructuredText and Sphinx markup that reads as noise in a terminal.
MARKUP = re.compile(r"``|`[^`]+`|:(func|class|meth|mod|data|attr):|\.\. \w+::")


def _all_help(parser: argparse.ArgumentParser) -> dict[str, str]:
    texts = {"tymqual": parser.format_help()}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                texts[name] = sub.format_help()
    return texts


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"tymqual {tymqual.__version__}"
    run = subprocess.run([sys.executable, "-m", "tymqual", "--version"], capture_output=True,
                         text=True, check=False, cwd=REPO)
    assert run.returncode == 0 and run.stdout.strip() == f"tymqual {tymqual.__version__}"


def test_help_has_no_markup() -> None:
    texts = _all_help(build_parser())
    assert len(texts) > 10  # every command's help is checked
    for name, text in texts.items():
        assert not MARKUP.search(text), (name, MARKUP.search(text))


def test_status_counts_as_the_report_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Words split into interviews and the rest; each theme rolled up over its subcodes as
    distinct coded passages, counted here from codings.csv and the codebook with plain csv and
    YAML."""
    import yaml

    if not (REPO / "codes" / "codebook.yaml").exists():
        pytest.skip(f"the demo project is not in {REPO}")
    assert main(["status", str(REPO)]) == 0
    out = capsys.readouterr().out
    with (REPO / "codes" / "codings.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["status"] == "accepted"]
    book = yaml.safe_load((REPO / "codes" / "codebook.yaml").read_text(encoding="utf-8"))
    for theme in book["codes"]:
        keys = {theme["key"]} | {c["key"] for c in theme.get("children") or []}
        passages = {(r["source_id"], r["start"], r["end"]) for r in rows if r["code"] in keys}
        line = next(line for line in out.splitlines() if line.split()[:1] == [theme["key"]])
        assert int(line.split()[-1]) == len(passages), line
    spans = {(r["source_id"], r["start"], r["end"]) for r in rows}
    assert f"codings {len(rows)} accepted" in out and f"coded passages {len(spans)}" in out
    match = re.search(r"words (\d+) in all: interviews (\d+)", out)
    assert match and int(match.group(2)) < int(match.group(1))  # the demo has survey answers
    # One definition in three places: status, the report's text and its Table 1 total.
    from openpyxl import load_workbook

    from tymqual.reports import build_report

    files = build_report(tymqual.open_project(REPO, save_reanchored=False), tmp_path / "out",
                         progress=False)
    page = files.html.read_text(encoding="utf-8")
    said = re.search(r"Haastatteluissa on yhteensä (\d+)\u00a0?\s?sanaa", page)
    assert said and said.group(1) == match.group(2)
    sheet = load_workbook(files.xlsx).worksheets[1]
    header = [c.value for c in sheet[3]]
    total = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] == "Yhteensä")
    assert total[header.index("Sanoja")] == int(match.group(2))
    cases = re.search(r"Aineistossa on (\d+) tapausta", page)
    assert cases and f"cases {cases.group(1)}" in out
