"""The report: workbook, HTML page (rendered in a real browser), codebook appendix, figures.

Counts in the workbook are checked against ``codes/codings.csv`` read with the csv module and
the codebook tree read with plain YAML, not through tymqual's tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import shutil
import subprocess
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docx
import pandas as pd
import pypdf
import pytest
import yaml
from conftest import CODEBOOK, H1, H2
from openpyxl import Workbook, load_workbook

import tymqual
from tymqual.errors import TymqualError
from tymqual.reports import ReportFiles, build_report

REPO = Path(__file__).parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CAPTION = re.compile(r"^Taulukko (\d+)\. (.+)$")
REFUSED = "Taulukkoa ei näytetä: ryhmässä alle 3 tapausta"

# Lines added to the hand-made project's second interview: text a spreadsheet would read as a
# formula, and markup an HTML page would read as tags.
EXTRA_H2 = "V: =1+1\nV: -kuten sanottu, @kaikki\nV: <b>tärkeää</b> & muuta\n"
STATEMENTS = ("Verkostojohtajalla on riittävät resurssit", "Neuvottelut etenivät sujuvasti")
SCALE = (
    "Täysin eri mieltä",
    "Jokseenkin eri mieltä",
    "Ei samaa eikä eri mieltä",
    "Jokseenkin samaa mieltä",
    "Täysin samaa mieltä",
)


# ---------------------------------------------------------------------------- projects


def _write_survey(path: Path) -> None:
    """A two-respondent Webropol-style export, written with openpyxl."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Vastaajan tunniste", *STATEMENTS])
    ws.append(["R1", SCALE[3], SCALE[1]])
    ws.append(["R2", SCALE[4], "En osaa sanoa"])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _code_small(p: tymqual.Project) -> None:
    p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.", reduced="resurssit ok")
    p.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.")
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.")
    p.code("H1", "resurssit", quote="Verkostojohtaja on meillä liima.")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.")
    p.code("H2", "neuvottelut", quote="=1+1")
    p.code("H2", "resurssit", quote="-kuten sanottu, @kaikki")
    p.code("H2", "johtoryhma", quote="<b>tärkeää</b> & muuta")
    p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.", status="suggested")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tymqual.Project:
    """The conftest project (``make_project``'s files) with a survey and nine codings.

    Built once per module: a report takes seconds, mostly drawing figures.
    """
    root = tmp_path_factory.mktemp("small") / "proj"
    tymqual.init_project(root, name="testi")
    cases = "case_id,label,region,respondent_id\nH1,H1,läntinen,R1\nH2,H2,eteläinen,R2\n"
    files = {
        "codes/codebook.yaml": CODEBOOK,
        "codes/cases.csv": cases,
        "transcripts/H1.txt": H1,
        "transcripts/H2.txt": H2 + EXTRA_H2,
    }
    for rel, content in files.items():
        (root / rel).write_text(content, encoding="utf-8")
    _write_survey(root / "surveys" / "kysely.xlsx")
    p = tymqual.open_project(root)
    _code_small(p)
    return p


@pytest.fixture(scope="module")
def small_report(small: tymqual.Project, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return build_report(small, tmp_path_factory.mktemp("report") / "out", progress=False)


@pytest.fixture(scope="module")
def demo() -> tymqual.Project:
    if not (REPO / "tymqual.yaml").exists() and not (REPO / "codes" / "codebook.yaml").exists():
        pytest.skip(f"the demo project is not in {REPO}")
    return tymqual.open_project(REPO, save_reanchored=False)


@pytest.fixture(scope="module")
def demo_report(demo: tymqual.Project, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return build_report(demo, tmp_path_factory.mktemp("demo") / "out", progress=False)


# ---------------------------------------------------------------------------- independent counts


def _tree(codebook_yaml: Path) -> dict[str, list[str]]:
    """key → the keys of the code and everything under it, from the YAML file itself."""
    data = yaml.safe_load(codebook_yaml.read_text(encoding="utf-8"))
    under: dict[str, list[str]] = {}

    def walk(node: dict[str, Any]) -> list[str]:
        keys = [node["key"]]
        for child in node.get("children") or []:
            keys += walk(child)
        under[node["key"]] = keys
        return keys

    for top in data["codes"]:
        walk(top)
    return under


def _paths(codebook_yaml: Path) -> dict[str, str]:
    data = yaml.safe_load(codebook_yaml.read_text(encoding="utf-8"))
    paths: dict[str, str] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        paths[node["key"]] = prefix + node["key"]
        for child in node.get("children") or []:
            walk(child, paths[node["key"]] + "/")

    for top in data["codes"]:
        walk(top, "")
    return paths


def _names(codebook_yaml: Path) -> dict[str, str]:
    """code path → the code's name, from the YAML file itself."""
    data = yaml.safe_load(codebook_yaml.read_text(encoding="utf-8"))
    names: dict[str, str] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        path = prefix + node["key"]
        names[path] = node["name"]
        for child in node.get("children") or []:
            walk(child, path + "/")

    for top in data["codes"]:
        walk(top, "")
    return names


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _expected_counts(root: Path) -> dict[str, tuple[int, int]]:
    """code path → (coded passages, cases), a parent counting its subcodes', each span once.

    A transcript's case is the case of the same id; a survey answer ``<stem>_<respondent>``
    belongs to the case whose respondent_id it is.
    """
    rows = [r for r in _read_csv(root / "codes" / "codings.csv") if r["status"] == "accepted"]
    cases = _read_csv(root / "codes" / "cases.csv")
    case_of = {c["case_id"]: c["case_id"] for c in cases}
    for c in cases:
        for survey in (root / "surveys").glob("*.*"):
            if c.get("respondent_id"):
                case_of[f"{survey.stem}_{c['respondent_id']}"] = c["case_id"]
    tree = _tree(root / "codes" / "codebook.yaml")
    paths = _paths(root / "codes" / "codebook.yaml")
    out = {}
    for key, keys in tree.items():
        mine = [r for r in rows if r["code"] in keys]
        spans = {(r["source_id"], r["start"], r["end"]) for r in mine}
        with_case = {case_of[r["source_id"]] for r in mine if r["source_id"] in case_of}
        out[paths[key]] = (len(spans), len(with_case))
    return out


# ---------------------------------------------------------------------------- workbook helpers


def _sheets_by_caption(path: Path) -> dict[str, Any]:
    wb = load_workbook(path)
    return {str(ws["A1"].value): ws for ws in wb.worksheets[1:]}


def _sheet(path: Path, caption_start: str) -> Any:
    found = [
        ws
        for cap, ws in _sheets_by_caption(path).items()
        if CAPTION.match(cap) and CAPTION.match(cap).group(2).startswith(caption_start)
    ]
    assert len(found) == 1, f"no single sheet captioned {caption_start!r}"
    return found[0]


def _table(ws: Any) -> list[dict[str, Any]]:
    header = [c.value for c in ws[3]]
    rows = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(dict(zip(header, row, strict=True)))
    return rows


# ---------------------------------------------------------------------------- workbook


def test_workbook_sheets_captions_and_headers(small_report: ReportFiles) -> None:
    assert small_report.xlsx.name == "raportti.xlsx"
    wb = load_workbook(small_report.xlsx)
    assert wb.sheetnames[0] == "Sisällys"
    names = wb.sheetnames
    assert len(names) == len({n.casefold() for n in names})
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    captions = [str(ws["A1"].value) for ws in wb.worksheets[1:]]
    numbers = [int(CAPTION.match(c).group(1)) for c in captions if CAPTION.match(c)]
    assert numbers == list(range(1, len(wb.worksheets)))
    for ws in wb.worksheets[1:]:
        assert ws["A1"].font.b, ws.title
        assert ws.freeze_panes == "A4", ws.title
    freq = _sheet(small_report.xlsx, "Koodatut kohdat ja tapaukset")
    header = [c.value for c in freq[3]]
    assert {"Koodin nimi", "Koodattuja kohtia", "Tapauksia (n/N)"} <= set(header)
    assert "Koodin polku" not in header  # a technical column the reader does not need
    # The contents sheet lists every table caption, and the survey made it in.
    contents = [str(c.value) for row in wb["Sisällys"].iter_rows() for c in row if c.value]
    for caption in captions:
        assert CAPTION.match(caption).group(2) in contents
    assert any(c.startswith("Kyselyn väittämien") for c in contents)


@pytest.mark.parametrize("which", ["small", "demo"])
def test_workbook_numbers_match_the_ledger(which: str, request: pytest.FixtureRequest) -> None:
    project: tymqual.Project = request.getfixturevalue(which)
    files: ReportFiles = request.getfixturevalue(f"{which}_report")
    rows = _table(_sheet(files.xlsx, "Koodatut kohdat ja tapaukset"))
    got = {r["Koodin nimi"]: (r["Koodattuja kohtia"], r["Tapauksia"]) for r in rows}
    names = _names(project.root / "codes" / "codebook.yaml")
    assert got == {names[path]: n for path, n in _expected_counts(project.root).items()}
    assert all(isinstance(n, int) for pair in got.values() for n in pair)
    assert sum(n for n, _ in got.values()) > 0
    if which == "small":
        # The doubly coded span counts once, the suggestion never.
        assert got["Johtaminen"] == (5, 2) and got["Neuvottelut"] == (2, 1)


@pytest.mark.parametrize("which", ["small", "demo"])
def test_every_header_is_a_reader_label(which: str, request: pytest.FixtureRequest) -> None:
    files: ReportFiles = request.getfixturevalue(f"{which}_report")
    for ws in load_workbook(files.xlsx).worksheets[1:]:
        header = [str(c.value) for c in ws[3]]
        assert header and not [h for h in header if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)], (
            ws.title,
            header,
        )
        assert all(c.font.b for c in ws[3]), ws.title


def test_workbook_cells_never_become_formulas(small_report: ReportFiles) -> None:
    wb = load_workbook(small_report.xlsx)
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    texts.setdefault(cell.value, cell.data_type)
    assert texts.get("=1+1") == "s"
    assert texts.get("-kuten sanottu, @kaikki") == "s"
    with zipfile.ZipFile(small_report.xlsx) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert not re.search(rb"<f[\s>]", package.read(name)), name


def test_workbook_column_widths_and_wrapping(small_report: ReportFiles) -> None:
    ws = _sheet(small_report.xlsx, "Sisällönanalyysin")
    widths = [ws.column_dimensions[c].width for c in "ABCDEF"]
    assert all(4 <= w <= 62 for w in widths), widths
    assert widths[1] > widths[0]  # the expressions are wider than the case column


# ---------------------------------------------------------------------------- docx, figures


def test_codebook_appendix(small_report: ReportFiles, small: tymqual.Project) -> None:
    document = docx.Document(str(small_report.docx))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    levels = {
        p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")
    }
    # The appendix is Heading 1, a theme Heading 2, a subcode Heading 3 (after a colour mark).
    assert levels["Liite. Koodikirja"] == "Heading 1"
    for code in small.codebook:
        assert f"\u25a0 {code.name}" in headings
        assert levels[f"\u25a0 {code.name}"] == f"Heading {code.depth + 2}"
    body = "\n".join(p.text for p in document.paragraphs)
    for word in ("Määritelmä:", "Käytä, kun:", "Älä käytä, kun:", "Esimerkki:", "Esiintymät:"):
        assert body.count(word) == len(small.codebook), word
    assert "\u201dJohtoryhmä tukee hyvin.\u201d (H1)" in body


def test_codebook_appendix_has_the_definitions(
    demo_report: ReportFiles, demo: tymqual.Project
) -> None:
    body = "\n".join(p.text for p in docx.Document(str(demo_report.docx)).paragraphs)
    defined = [c for c in demo.codebook if c.definition]
    assert defined
    for code in defined:
        assert " ".join(code.definition.split())[:60] in " ".join(body.split()), code.path


def test_figures_written_as_png_and_svg(small_report: ReportFiles) -> None:
    folder = small_report.folder / "kuviot"
    pngs = sorted(p.stem for p in folder.glob("*.png"))
    assert pngs == sorted(p.stem for p in folder.glob("*.svg"))
    assert len(pngs) == 6  # saturation, themes, two heat maps, Likert bars, code tree
    assert any("kysely" in s for s in pngs)


# ---------------------------------------------------------------------------- determinism


def test_two_builds_are_byte_identical(
    small: tymqual.Project, small_report: ReportFiles, tmp_path: Path
) -> None:
    again = build_report(small, tmp_path / "again", progress=False)
    assert again.xlsx.read_bytes() == small_report.xlsx.read_bytes()
    assert again.html.read_bytes() == small_report.html.read_bytes()
    assert again.docx.read_bytes() == small_report.docx.read_bytes()
    assert [p.suffix for p in small_report.figures].count(".svg") == 6
    for first, second in zip(small_report.figures, again.figures, strict=True):
        assert first.name == second.name
        assert first.read_bytes() == second.read_bytes(), first.name


def test_package_dates_are_the_data_date(small_report: ReportFiles, small: tymqual.Project) -> None:
    newest = max(small.codings["created"])[:10]
    for path in (small_report.xlsx, small_report.docx):
        with zipfile.ZipFile(path) as package:
            assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            assert not [n for n in package.namelist() if "thumbnail" in n]
            core = package.read("docProps/core.xml").decode()
        stamps = re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
        assert len(stamps) == 2 and all(s.startswith(newest) for s in stamps), stamps


# ---------------------------------------------------------------------------- disclosure


def test_demo_leaves_out_the_region_breakdown(demo_report: ReportFiles) -> None:
    captions = _sheets_by_caption(demo_report.xlsx)
    assert not any("ryhmittely" in c for c in captions), list(captions)
    assert any(n.startswith(REFUSED) for n in demo_report.omitted)
    assert REFUSED in demo_report.html.read_text(encoding="utf-8")
    contents = load_workbook(demo_report.xlsx)["Sisällys"]
    assert any(
        str(c.value).startswith(REFUSED) for row in contents.iter_rows() for c in row if c.value
    )


def test_allow_small_cells_shows_the_breakdown(demo: tymqual.Project, tmp_path: Path) -> None:
    files = build_report(demo, tmp_path / "out", progress=False, allow_small_cells=True)
    ws = _sheet(files.xlsx, "Koodatut kohdat koodeittain, ryhmittely: alue")
    rows = _table(ws)
    regions = {r["Ryhmä"] for r in rows}
    assert regions == set(demo.cases["region"])
    assert files.omitted == ()
    assert REFUSED not in files.html.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "where", ["transcripts/out", "codes", "codes/private/r", ".", "surveys/x/.."]
)
def test_out_among_the_sources_is_refused(
    make_project: Callable[..., tymqual.Project], where: str
) -> None:
    p = make_project()
    p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.")
    before = {f: f.read_bytes() if f.is_file() else None for f in p.root.rglob("*")}
    with pytest.raises(TymqualError, match=r"build_report\(\): argument out .* folder"):
        build_report(p, p.root / where, progress=False)
    after = {f: f.read_bytes() if f.is_file() else None for f in p.root.rglob("*")}
    assert after == before


def test_english_report_without_the_survey(small: tymqual.Project, tmp_path: Path) -> None:
    files = build_report(small, tmp_path / "en", lang="en", survey=None, progress=False)
    assert (files.xlsx.name, files.html.name, files.docx.name) == (
        "report.xlsx",
        "report.html",
        "codebook.docx",
    )
    wb = load_workbook(files.xlsx)
    assert wb.sheetnames[0] == "Contents"
    captions = [str(ws["A1"].value) for ws in wb.worksheets[1:]]
    assert captions[0] == "Table 1. Description of the data"
    assert not any("survey" in c.lower() for c in captions), captions
    page = files.html.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "left out of this report" in page
    assert "survey=None" not in page
    assert sorted(p.name for p in (files.folder / "figures").glob("*.svg")) == [
        "figure1_saturation.svg",
        "figure2_themes_by_case.svg",
        "figure3_codes_by_case.svg",
        "figure4_co_occurrence.svg",
        "figure5_code_tree.svg",
    ]


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({"region": ["a", "b"], "mode": ["x", "y"]}, "region"),
        (
            {
                "label": ["A", "B"],
                "interview_date": ["2025-01-01", "2025-02-01"],
                "duration_min": ["52", "46,5"],
                "mode": ["x", "y"],
            },
            "mode",
        ),
        ({"role": ["same", "same"], "respondent_id": ["R1", "R2"]}, None),
    ],
)
def test_breakdown_attribute(columns: dict[str, list[str]], expected: str | None) -> None:
    from tymqual.reports import grouping_attribute

    cases = pd.DataFrame({"case_id": ["H1", "H2"], **columns})
    assert grouping_attribute(cases) == expected


# ---------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser: Any, path: Path) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on(
        "request",
        lambda req: None if req.url.startswith(("file:", "data:")) else outside.append(req.url),
    )
    page.goto(path.as_uri(), wait_until="load")
    return page, outside


def _check_rendered(page: Any, files: ReportFiles) -> None:
    assert page.evaluate("document.documentElement.lang") == "fi"
    assert page.evaluate("document.characterSet") == "UTF-8"
    captions = page.eval_on_selector_all("table > caption", "els => els.map(e => e.innerText)")
    assert len(captions) == page.locator("table").count()
    shown = {str(c) for c in _sheets_by_caption(files.xlsx)}
    quotes = {c for c in shown if "lainaukset" in c.lower()}
    assert {" ".join(c.split()) for c in captions} == shown - quotes
    numbers = [int(CAPTION.match(c).group(1)) for c in captions]
    assert numbers == list(range(1, len(captions) + 1))
    figures = page.locator("figure img")
    svgs = [p for p in files.figures if p.suffix == ".svg"]
    assert figures.count() == len(svgs)
    for i in range(figures.count()):
        box = figures.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
        assert figures.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    fig_captions = page.eval_on_selector_all("figcaption", "els => els.map(e => e.innerText)")
    assert [c.split(".")[0] for c in fig_captions] == [
        f"Kuvio {i}" for i in range(1, len(svgs) + 1)
    ]
    assert page.locator("blockquote").count() > 0
    for heading in ("Aineiston kuvaus", "Lainaukset teemoittain", "Koodikirja", "Menetelmät"):
        assert page.locator("h2", has_text=heading).count() == 1, heading


def test_html_renders_in_chromium(browser: Any, demo_report: ReportFiles) -> None:
    html_text = demo_report.html.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)|<link\b|<script\b""", html_text)
    page, outside = _open(browser, demo_report.html)
    try:
        _check_rendered(page, demo_report)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    finally:
        page.close()
    assert outside == []
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_html_escapes_text_and_shows_the_survey(browser: Any, small_report: ReportFiles) -> None:
    html_text = small_report.html.read_text(encoding="utf-8")
    assert "&lt;b&gt;tärkeää&lt;/b&gt; &amp; muuta" in html_text
    page, outside = _open(browser, small_report.html)
    try:
        _check_rendered(page, small_report)
        assert page.locator("blockquote b").count() == 0
        assert "<b>tärkeää</b> & muuta" in page.inner_text("body")
        assert page.locator("caption", has_text="Kyselyn väittämien").count() == 1
    finally:
        page.close()
    assert outside == []


def test_two_coders_get_an_agreement_sheet_with_the_library_figures(
    make_project: Callable[..., tymqual.Project], tmp_path: Path
) -> None:
    from tymqual.agreement import project_agreement
    from tymqual.labels import label

    p = make_project()
    p.code("H1", "johtaminen/resurssit", quote="Hänellä on resurssit kunnossa.", coder="A")
    p.code("H1", "johtaminen/resurssit", quote="Hänellä on resurssit kunnossa.", coder="B")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A")
    files = build_report(p, tmp_path / "out", progress=False)
    rows = _table(_sheet(files.xlsx, "Koodaajien yhtäpitävyys"))
    expected = project_agreement(p, ("A", "B"), seed=0).set_index("code_path")
    total = next(r for r in rows if r["Koodi"] == "(total)")
    # Every figure of the methods chapter, with its interval, as the library computes it.
    for column in ("cohen_kappa", "kappa_lo", "kappa_hi", "krippendorff_alpha", "alpha_lo",
                   "alpha_hi", "gwet_ac1", "pabak", "double_coded_share"):
        assert total[label(column)] == pytest.approx(
            expected.loc["(total)", column], abs=0.005), column
    page = files.html.read_text(encoding="utf-8")
    assert "Gwetin AC1 ja PABAK" in page and "bootstrap" in page
    assert "Konekoodaajan" not in page  # no machine coder in this ledger
    assert any("Yhtäpitävyys" in name for name in load_workbook(files.xlsx).sheetnames)
    # The frequencies say that both coders' work is counted, and how to choose.
    assert "kaikkien koodaajien (A, B)" in files.html.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_a_machine_coder_is_held_to_a_coders_standard(
    make_project: Callable[..., tymqual.Project], tmp_path: Path, lang: str
) -> None:
    from tymqual.agreement import project_agreement
    from tymqual.autocode import machine_coder
    from tymqual.labels import label

    machine = machine_coder("autocode", "keywords")
    p = make_project()
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder="A")
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.", coder=machine,
           status="suggested")
    p.code("H1", "johtaminen", quote="Hänellä on resurssit kunnossa.", coder=machine,
           status="rejected")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.", coder="A")
    p.code("H2", "neuvottelut", quote="Kela on mukana.", coder=machine, status="suggested")
    files = build_report(p, tmp_path / "out", progress=False, lang=lang)  # type: ignore[arg-type]
    caption = "Konekoodaajan ja koodaajan" if lang == "fi" else "Agreement of the machine"
    rows = _table(_sheet_en_or_fi(files.xlsx, caption, lang))
    expected = project_agreement(p, ("A", machine), seed=0).set_index("code_path")
    by_code = {r[label("code", lang)]: r for r in rows}  # type: ignore[arg-type]
    for code, path in (("Johtaminen", "johtaminen"), ("Neuvottelut", "neuvottelut")):
        for column in ("precision", "recall", "krippendorff_alpha", "gwet_ac1"):
            shown = by_code[code][label(column, lang)]  # type: ignore[arg-type]
            assert shown == pytest.approx(expected.loc[path, column], abs=0.005), column
    page = _html_text(files.html)
    assert machine not in page and "@" not in page  # named in reader words, not as stored
    for text in (page, _xlsx_text(files.xlsx), _docx_text(files.docx)):
        assert not [w for w in SETTINGS_AND_INTERNALS if w.casefold() in text.casefold()]
        assert not {"precision", "recall", "gwet_ac1", "kappa_lo"} & set(SNAKE_CASE.findall(text))
    assert ("automaattinen avainsanakoodaus" if lang == "fi" else "keyword autocoding") in page
    # Only one person coded: no table compares two people.
    assert not any(name.endswith("Yhtäpitävyys") or name.endswith("Agreement")
                   for name in load_workbook(files.xlsx).sheetnames)


def test_the_saturation_figure_needs_two_coded_interviews(
    make_project: Callable[..., tymqual.Project], tmp_path: Path
) -> None:
    p = make_project()
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima.")
    one = build_report(p, tmp_path / "one", progress=False)
    assert not any("saturaatio" in f.name for f in one.figures)
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.")
    two = build_report(p, tmp_path / "two", progress=False)
    assert any("saturaatio" in f.name for f in two.figures)
    assert "Saturaatio: uudet koodit haastatteluittain" in two.html.read_text(encoding="utf-8")


def test_one_coder_gets_no_agreement_sheet(demo_report: ReportFiles) -> None:
    assert not any("Yhtäpitävyys" in name for name in load_workbook(demo_report.xlsx).sheetnames)


def test_report_with_a_key_refuses_to_leak_and_keeps_the_earlier_report(
    make_project: Callable[..., tymqual.Project], tmp_path: Path
) -> None:
    from tymqual.privacy import LeakError, pseudonymize

    p = make_project({"transcripts/H3.txt": "V: Matti Virtanen johtaa Joensuussa verkostoa.\n"})
    p.code("H3", "johtaminen", quote="Matti Virtanen johtaa Joensuussa verkostoa.")
    out = tmp_path / "out"
    out.mkdir()
    (out / "raportti.html").write_text("aiempi raportti", encoding="utf-8")
    key = "original,label,kind\nMatti Virtanen,[Henkilö 1],person\nJoensuu,[Kunta 1],place\n"
    (p.root / "codes" / "private").mkdir(exist_ok=True)
    (p.root / "codes" / "private" / "key.csv").write_text(key, encoding="utf-8")
    with pytest.raises(LeakError, match=r"raportti\.xlsx.*Matti Virtanen"):
        build_report(tymqual.open_project(p.root), out, progress=False)
    assert [f.name for f in out.iterdir()] == ["raportti.html"]
    assert (out / "raportti.html").read_text(encoding="utf-8") == "aiempi raportti"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["out", "proj"]  # no staging left
    safe = tmp_path / "pseudo"
    pseudonymize(tymqual.open_project(p.root), safe)
    (safe / "codes" / "private").mkdir(parents=True, exist_ok=True)
    (safe / "codes" / "private" / "key.csv").write_text(key, encoding="utf-8")
    files = build_report(tymqual.open_project(safe), out, progress=False)
    assert "[Henkilö 1]" in files.html.read_text(encoding="utf-8")


def test_many_cases_get_themes_in_total_and_a_note(
    small: tymqual.Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A figure of a thousand cases cannot be read; past the limit the report draws the themes
    # in total, leaves the code x case heat map to its table and says so. The limit is lowered
    # so that the two-case project crosses it.
    from tymqual.reports import collect

    monkeypatch.setattr(collect, "CASE_FIGURE_LIMIT", 1)
    files = build_report(small, tmp_path / "out", progress=False)
    stems = sorted(p.stem for p in (files.folder / "kuviot").glob("*.png"))
    assert any(s.endswith("_teemat") for s in stems), stems
    assert not any("teemat_tapauksittain" in s or "koodit_tapauksittain" in s for s in stems)
    assert len(stems) == 4  # themes in total, co-occurrence, Likert bars, code tree
    page = files.html.read_text(encoding="utf-8")
    assert "Aineistossa on 2 tapausta" in page and "Koodatut kohdat teemoittain" in page
    # The numbers by case are still in the workbook.
    assert any("tapaukset" in str(name).casefold() for name in _sheets_by_caption(files.xlsx))


# ------------------------------------------------------------- codebook edited by hand


@pytest.mark.parametrize("lang", ["fi", "en"])
@pytest.mark.parametrize("declared", [False, True], ids=["renamed by hand", "with renamed_from"])
def test_report_keeps_codings_whose_key_was_renamed_by_hand(
    small: tymqual.Project, tmp_path: Path, lang: str, declared: bool
) -> None:
    root = tmp_path / "proj"
    shutil.copytree(small.root, root, ignore=shutil.ignore_patterns(".tymqual-cache"))
    book = root / "codes" / "codebook.yaml"
    new = "key: rahat" + ("\n        renamed_from: resurssit" if declared else "")
    book.write_text(book.read_text(encoding="utf-8").replace("key: resurssit", new),
                    encoding="utf-8")
    accepted = [r for r in _read_csv(root / "codes" / "codings.csv") if r["status"] == "accepted"]
    spans = {(r["source_id"], r["start"], r["end"]) for r in accepted if r["code"] == "resurssit"}
    assert spans
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        files = build_report(tymqual.open_project(root), tmp_path / "out", lang=lang,
                             survey=None, progress=False)
    told_codebook = {str(w.message) for w in told if "codebook.yaml" in str(w.message)}
    fi = lang == "fi"
    marker = "ei koodikirjassa" if fi else "not in codebook"
    caption = "Koodatut kohdat ja tapaukset" if fi else "Coded segments and cases"
    path_col, n_col = ("Koodin nimi", "Koodattuja kohtia") if fi else ("Code name",
                                                                       "Coded segments")
    [sheet] = [ws for cap, ws in _sheets_by_caption(files.xlsx).items() if caption in cap]
    got = {r[path_col]: r[n_col] for r in _table(sheet)}
    sheet_text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    wb = load_workbook(files.xlsx)
    contents = " ".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row
                        if c.value)
    page = files.html.read_text(encoding="utf-8")
    if declared:
        assert got["Resurssit"] == len(spans)
        assert not [p for p in got if marker in str(p)]
        assert "codes/codebook.yaml" not in contents and not told_codebook
        return
    assert got[f"{marker.capitalize()}: resurssit"] == len(spans)
    assert got["Resurssit"] == 0
    n_codings = sum(r["code"] == "resurssit" for r in accepted)
    for text in (sheet_text, contents, page):
        # The reader hears what happened; how to fix it is the author's warning, not hers.
        assert f"resurssit ({n_codings})" in text
        assert "codes/codebook.yaml" not in text and "renamed_from" not in text
    assert f"{'Ei koodikirjassa' if fi else 'Not in codebook'}: resurssit" in page
    assert len(told_codebook) == 1
    assert f"{n_codings} coding(s)" in next(iter(told_codebook))


# ------------------------------------------------ a reader without the code (issue 19)


@pytest.fixture(scope="module")
def demo_report_en(demo: tymqual.Project, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return build_report(demo, tmp_path_factory.mktemp("demo_en") / "out", lang="en",
                        progress=False)


@pytest.fixture(params=["fi", "en"])
def demo_files(request: pytest.FixtureRequest) -> tuple[ReportFiles, str]:
    name = "demo_report" if request.param == "fi" else "demo_report_en"
    return request.getfixturevalue(name), request.param


# Settings, file names and code internals a supervisor should never meet in the report.
SETTINGS_AND_INTERNALS = (
    "tymqual.yaml", "min_cell_size", "allow_small_cells", "analysis_coders", "disclosure_allow",
    "renamed_from", "codings.csv", "codebook.yaml", "cases.csv", "case_summaries",
    "joint_display.yaml", "survey=", "=True", "=None", "teksti[", "text[", "[alku:", "[start:",
    "Unicode", "code point", "NFC", "Koodin polku", "Code path", "code_path", "respondent_id",
    "Väittämä q", "Statement q",
)
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def _html_text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def _xlsx_text(path: Path) -> str:
    wb = load_workbook(path)
    return " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                    if c.value is not None)


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return " ".join([p.text for p in document.paragraphs] + cells)


def test_reader_text_has_no_settings_names_paths_or_internals(
    demo_files: tuple[ReportFiles, str], demo: tymqual.Project
) -> None:
    files, _ = demo_files
    for name, text in (("html", _html_text(files.html)), ("xlsx", _xlsx_text(files.xlsx)),
                       ("docx", _docx_text(files.docx))):
        found = [s for s in SETTINGS_AND_INTERNALS if s.casefold() in text.casefold()]
        assert not found, (name, found)
        assert str(demo.root) not in text, name
        # Code keys are snake_case identifiers; a reader sees names (file names aside).
        keys = {c.key for c in demo.codebook if "_" in c.key}
        words = set(SNAKE_CASE.findall(re.sub(r"\S+\.(?:png|svg|xlsx|docx)", " ", text)))
        assert not words & keys, (name, words & keys)


def test_every_caption_number_appears_once(demo_files: tuple[ReportFiles, str]) -> None:
    files, lang = demo_files
    table, figure = ("Taulukko", "Kuvio") if lang == "fi" else ("Table", "Figure")
    page = files.html.read_text(encoding="utf-8")
    for word, tag in ((table, "caption"), (figure, "figcaption")):
        numbers = [int(n) for n in re.findall(rf"<{tag}><b>{word} (\d+)\.</b>", page)]
        assert numbers == list(range(1, len(numbers) + 1)), (word, numbers)
        assert numbers, word
    sheets = [str(ws["A1"].value) for ws in load_workbook(files.xlsx).worksheets[1:]]
    numbers = [int(re.match(rf"{table} (\d+)\. ", s).group(1)) for s in sheets]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(sheets) + 1))
    # The appendix cites the code tree with the number and caption the report gives it.
    docx_captions = [p.text for p in docx.Document(str(files.docx)).paragraphs
                     if p.style.name == "Caption" and p.text.startswith(f"{figure} ")]
    assert len(docx_captions) == 1
    number = int(docx_captions[0].split()[1].rstrip("."))
    assert f"<figcaption><b>{figure} {number}.</b> {docx_captions[0].split('. ', 1)[1]}" in page


def _case_labels(root: Path) -> dict[str, str]:
    return {c["case_id"]: c.get("label") or c["case_id"] for c in _read_csv(root / "codes" /
                                                                          "cases.csv")}


def _cases_by_theme(root: Path) -> dict[str, list[str]]:
    """Theme name → the case ids whose accepted codings have the theme, in cases.csv order."""
    data = yaml.safe_load((root / "codes" / "codebook.yaml").read_text(encoding="utf-8"))
    tree = _tree(root / "codes" / "codebook.yaml")
    cases = _read_csv(root / "codes" / "cases.csv")
    case_of = {c["case_id"]: c["case_id"] for c in cases}
    for c in cases:
        for survey in (root / "surveys").glob("*.*"):
            if c.get("respondent_id"):
                case_of[f"{survey.stem}_{c['respondent_id']}"] = c["case_id"]
    rows = [r for r in _read_csv(root / "codes" / "codings.csv") if r["status"] == "accepted"]
    out = {}
    for top in data["codes"]:
        having = {case_of[r["source_id"]] for r in rows
                  if r["code"] in tree[top["key"]] and r["source_id"] in case_of}
        out[top["name"]] = [c["case_id"] for c in cases if c["case_id"] in having]
    return out


def _survey_only(root: Path, theme_key: str, case: str) -> bool:
    """Whether all the case's accepted passages of the theme are in survey answers."""
    tree = _tree(root / "codes" / "codebook.yaml")
    stems = {p.stem for p in (root / "surveys").glob("*.*")}
    respondent = {c["case_id"]: c.get("respondent_id") for c in _read_csv(root / "codes" /
                                                                          "cases.csv")}
    answer_ids = {f"{s}_{respondent[case]}" for s in stems}
    rows = [r for r in _read_csv(root / "codes" / "codings.csv")
            if r["status"] == "accepted" and r["code"] in tree[theme_key]
            and (r["source_id"] == case or r["source_id"] in answer_ids)]
    return bool(rows) and all(r["source_id"] in answer_ids for r in rows)


def test_every_case_with_a_theme_is_quoted_or_the_reason_is_given(
    demo_files: tuple[ReportFiles, str], demo: tymqual.Project
) -> None:
    files, _ = demo_files
    page = files.html.read_text(encoding="utf-8")
    section = page[page.index('<section id="sec_quotes">'):]
    section = section[: section.index("</section>")]
    labels = _case_labels(demo.root)
    expected = _cases_by_theme(demo.root)
    blocks = re.split(r"<h3>", section)[1:]
    assert [html.unescape(b.split("</h3>")[0]) for b in blocks] == list(expected)
    for block, (theme, cases) in zip(blocks, expected.items(), strict=True):
        quoted = re.findall(r"\u201d \(([^)]+)\)(?: <span|</blockquote>)", html.unescape(block))
        key = next(c.key for c in demo.codebook.codes if c.name == theme)
        for case in cases:
            label = labels[case]
            reason = re.search(rf"{re.escape(theme)}: [^<]*\b{re.escape(label)}\b[^<]*"
                               r"(kyselyn avovastauksissa|open survey answers)",
                               html.unescape(section))
            assert label in quoted or (reason and _survey_only(demo.root, key, case)), (
                theme, label)
            assert quoted.count(label) <= 3, (theme, label)  # the cap per case
        assert set(quoted) <= {labels[c] for c in cases}
        assert quoted or not cases


def test_joint_display_has_statement_texts_and_the_right_cases_quoted(
    demo_files: tuple[ReportFiles, str], demo: tymqual.Project
) -> None:
    files, lang = demo_files
    caption = "Yhdistetty tarkastelu" if lang == "fi" else "Joint display"
    rows = _table(_sheet_en_or_fi(files.xlsx, caption, lang))
    [survey_file] = [p for p in (demo.root / "surveys").glob("*.xlsx")]
    header = next(load_workbook(survey_file).worksheets[0].iter_rows(max_row=1, values_only=True))
    statements = {" ".join(str(h).split()) for h in header if h}
    notes = yaml.safe_load((demo.root / "codes" / "joint_display.yaml").read_text("utf-8"))
    linked = {n["theme"]: n.get("items") or [] for n in notes}
    names = {c.key: c.name for c in demo.codebook.codes}
    expected = _cases_by_theme(demo.root)
    labels = _case_labels(demo.root)
    results_col = next(k for k in rows[0] if str(k).startswith(("Kyselyn tulokset",
                                                                "Survey results")))
    quoted_col = "Lainausten tapaukset" if lang == "fi" else "Cases quoted"
    by_theme = {r["Teema" if lang == "fi" else "Theme"]: r for r in rows}
    for key, items in linked.items():
        row = by_theme[names[key]]
        lines = str(row[results_col] or "").split("\n")
        assert len(lines) == len(items), (key, lines)
        for line in lines:
            assert line.split("\u201d")[1] in statements, line
            assert not re.search(r"\bq\d+\b", line), line
            assert re.search(r": \d+( / \d+){2,} \((EOS|DK) \d+\); n\u00a0=\u00a0\d+; Md: ", line)
    for theme, cases in expected.items():
        assert by_theme[theme][quoted_col] == ", ".join(labels[c] for c in cases), theme
    notes_text = _xlsx_text(files.xlsx)
    for word in (("vahvistaa", "laajentaa", "ristiriitainen", "Metapäätelmä") if lang == "fi"
                 else ("confirms", "expands", "discordant", "meta-inference")):
        assert word.casefold() in notes_text.casefold(), word


def _sheet_en_or_fi(path: Path, caption_start: str, lang: str) -> Any:
    word = "Taulukko" if lang == "fi" else "Table"
    found = [ws for cap, ws in _sheets_by_caption(path).items()
             if re.match(rf"{word} \d+\. {re.escape(caption_start)}", cap)]
    assert len(found) == 1, caption_start
    return found[0]


def test_disclosure_review_withholds_and_says_so(demo_files: tuple[ReportFiles, str],
                                                 demo: tymqual.Project) -> None:
    files, lang = demo_files
    cases = _read_csv(demo.root / "codes" / "cases.csv")
    page = _html_text(files.html)
    workbook = _xlsx_text(files.xlsx)
    for text in (page, workbook):
        for case in cases:
            # No interview's date or length in any form a reader sees.
            day = dt.date.fromisoformat(case["interview_date"])
            assert f"{day.day}.{day.month}.{day.year}" not in text
            assert day.isoformat() not in text
    summary = _table(_sheet_en_or_fi(files.xlsx, "Tapauskohtainen" if lang == "fi"
                                     else "Summary by case", lang))
    statements = {it["question"] for it in demo.survey().items.to_dict("records")}
    assert not set(summary[0]) & (statements | set(demo.survey().items["item_id"]))
    # An open survey answer is never shown under the case of the interviewee who gave it.
    [survey_file] = [p for p in (demo.root / "surveys").glob("*.xlsx")]
    answers = [" ".join(str(v).split()) for row in
               load_workbook(survey_file).worksheets[0].iter_rows(min_row=2, values_only=True)
               for v in row if isinstance(v, str) and len(v) > 40]
    assert answers
    caption = "Sisällönanalyysin" if lang == "fi" else "Content analysis"
    labels = set(_case_labels(demo.root).values())
    seen = 0
    for row in _table(_sheet_en_or_fi(files.xlsx, caption, lang)):
        original = " ".join(str(row[next(iter(k for k in row if "lkuperäinen" in str(k)
                                               or "Original" in str(k)))]).split())
        if any(original in a for a in answers):
            seen += 1
            assert row["Tapaus" if lang == "fi" else "Case"] not in labels, original
    assert seen
    raw = files.html.read_text(encoding="utf-8")
    quoted = [html.unescape(q) for q in re.findall(r"<blockquote>(.*?)</blockquote>", raw)]
    joint = _table(_sheet_en_or_fi(files.xlsx, "Yhdistetty" if lang == "fi" else "Joint", lang))
    quoted += [str(v) for row in joint for v in row.values()]
    assert quoted
    for answer in answers:
        for sentence in re.split(r"(?<=\.) ", answer):
            if len(sentence) > 30:
                assert not [q for q in quoted if sentence in q], sentence
    heading = "Tietosuoja" if lang == "fi" else "Data protection"
    privacy = page[page.index(heading):]
    assert ("kyselyvastaukset" if lang == "fi" else "survey answers") in privacy
    assert ("päivämäärä, kesto" if lang == "fi" else "date, length") in privacy


@pytest.mark.parametrize("item", ["interview_details", "linked_answers", "small_cells"])
def test_an_author_may_allow_a_withheld_item_with_a_reason(
    demo: tymqual.Project, tmp_path: Path, item: str
) -> None:
    root = tmp_path / "proj"
    shutil.copytree(demo.root, root, ignore=shutil.ignore_patterns(
        ".tymqual-cache", "out", ".git", "tests", "tymqual", "benchmarks", "notebooks", ".venv",
        "test-artifacts", "examples"))
    reason = "Haastateltavat ovat antaneet luvan kirjallisesti."
    config = root / "tymqual.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f"disclosure_allow:\n  {item}: {reason}\n", encoding="utf-8")
    files = build_report(tymqual.open_project(root), tmp_path / "out", progress=False)
    page = _html_text(files.html)
    methods = page[page.index("Menetelmät </h2>") if "Menetelmät </h2>" in page
                   else page.rindex("Menetelmät"):]
    assert reason in methods
    if item == "interview_details":
        rows = _table(_sheet(files.xlsx, "Aineiston kuvaus"))
        assert "Päivämäärä" in rows[0] and "Kesto (min)" in rows[0]
    elif item == "linked_answers":
        rows = _table(_sheet(files.xlsx, "Tapauskohtainen"))
        assert "q3" in rows[0] or any(str(k).startswith("q") for k in rows[0])
    else:
        rows = _table(_sheet(files.xlsx, "Koodatut kohdat koodeittain, ryhmittely: alue"))
        assert {r["Ryhmä"] for r in rows} == {c["region"] for c in
                                              _read_csv(root / "codes" / "cases.csv")}
        assert "sisäiseen käyttöön" not in page  # allowed with a reason, not internal work


@pytest.mark.parametrize("value, match", [
    ("{nobody: x}", "not withheld by the report"),
    ("{linked_answers: ''}", "needs the reason"),
    ("[linked_answers]", "must be a mapping"),
])
def test_disclosure_allow_is_checked(make_project: Callable[..., tymqual.Project], value: str,
                                     match: str) -> None:
    p = make_project()
    config = p.root / "tymqual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"disclosure_allow: {value}\n",
                      encoding="utf-8")
    with pytest.raises(TymqualError, match=rf"tymqual\.yaml: disclosure_allow.*{match}|{match}"):
        tymqual.open_project(p.root)


# Elements whose right edge lies past the window, or that scroll sideways inside it.
_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const style = getComputedStyle(el);
    const scrolls = ['auto', 'scroll'].includes(style.overflowX)
      && el.scrollWidth > el.clientWidth + 1;
    if (r.right > width + 1 || scrolls) out.push(el.tagName + ' ' + Math.round(r.right));
  }
  return {page: document.documentElement.scrollWidth, width: width, out: out.slice(0, 5)};
}"""


@pytest.mark.parametrize("width", [1366, 1024, 390])
def test_html_never_scrolls_sideways(
    browser: Any, demo_files: tuple[ReportFiles, str], width: int
) -> None:
    files, lang = demo_files
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(files.html.as_uri(), wait_until="load")
        found = page.evaluate(_OVERFLOW_JS)
        if width < 500:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"report_{lang}_{width}.png"), full_page=False)
    finally:
        page.close()
    assert found["page"] <= found["width"], found
    assert found["out"] == [], found


def _to_pdf(path: Path, out: Path) -> Path:
    """``path`` converted to PDF by LibreOffice (skips, saying why, where it cannot)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed (Debian: make system-deps)")
    profile = out / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "pdf", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=240, check=False,
    )
    pdf = out / f"{path.stem}.pdf"
    if not pdf.exists():
        pytest.skip(f"LibreOffice could not convert {path.name} (is its Writer or Calc "
                    f"installed? make system-deps): {result.stderr.strip()[-200:]}")
    return pdf


A4 = (595, 842)  # points, portrait


def _page_sizes(pdf: Path) -> list[tuple[int, int]]:
    reader = pypdf.PdfReader(str(pdf))
    sizes = []
    for page in reader.pages:
        w, h = round(float(page.mediabox.width)), round(float(page.mediabox.height))
        sizes.append((h, w) if int(page.get("/Rotate", 0)) % 180 else (w, h))
    return sizes


def test_workbook_prints_landscape_a4_without_splitting_columns(
    demo_report: ReportFiles, tmp_path: Path
) -> None:
    pdf = _to_pdf(demo_report.xlsx, tmp_path)
    sizes = _page_sizes(pdf)
    assert set(sizes) == {(A4[1], A4[0])}, set(sizes)
    wb = load_workbook(demo_report.xlsx)
    tables = wb.worksheets[1:]
    # Every table page starts with the table's first header (repeated on each page), so no
    # page holds only columns split off to the right; a page per table at least, and the
    # 45 pages of the old portrait workbook are far away.
    firsts = {str(ws.cell(row=3, column=1).value) for ws in tables}
    reader = pypdf.PdfReader(str(pdf))
    caption = re.compile(r"^(Taulukko|Table) \d+\. ")
    started = False
    for page in reader.pages:
        lines = [line for line in page.extract_text().splitlines() if line.strip()]
        if caption.match(lines[0]):
            started, lines = True, lines[1:]
        if started:  # the pages before the first table are the contents sheet
            assert any(lines[0].startswith(f) for f in firsts), lines[0]
    assert len(tables) + 1 <= len(sizes) <= 3 * (len(tables) + 1)
    for ws in tables:
        assert ws.print_title_rows.replace("$", "") == "3:3"
        assert ws.page_setup.orientation == "landscape"


def test_codebook_appendix_prints_on_a4_in_the_report_language(
    demo_files: tuple[ReportFiles, str], demo: tymqual.Project, tmp_path: Path
) -> None:
    files, lang = demo_files
    with zipfile.ZipFile(files.docx) as package:
        styles = package.read("word/styles.xml").decode()
    langs = set(re.findall(r'<w:lang w:val="([^"]+)"', styles))
    assert langs == {"fi-FI" if lang == "fi" else "en-GB"}, langs
    document = docx.Document(str(files.docx))
    used = {p.style.name for p in document.paragraphs}
    assert {"Heading 1", "Heading 2", "Heading 3", "Caption"} <= used
    assert {t.style.name for t in document.tables} == {"Table Grid"}
    assert len(document.inline_shapes) == 1  # the code tree
    colours = {str(r.font.color.rgb) for p in document.paragraphs for r in p.runs
               if r.text.startswith("\u25a0") and r.font.color.rgb is not None}
    assert colours == {c.color.lstrip("#").upper() for c in demo.codebook}
    pdf = _to_pdf(files.docx, tmp_path)
    sizes = _page_sizes(pdf)
    assert set(sizes) == {A4}, set(sizes)
    # One page for the title, the tree and the table at least; a code's guidance is a few
    # lines, so the whole codebook stays within a page per code.
    assert 2 <= len(sizes) <= len(demo.codebook) + 2


def test_html_prints_on_a4_with_its_print_stylesheet(
    browser: Any, demo_report: ReportFiles, tmp_path: Path
) -> None:
    page = browser.new_page()
    try:
        page.goto(demo_report.html.as_uri(), wait_until="load")
        pdf = tmp_path / "printed.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True)
    finally:
        page.close()
    sizes = set(_page_sizes(pdf))
    # A4 portrait for the text, A4 landscape for the wide tables (their named page).
    assert sizes <= {A4, (A4[1], A4[0])} and A4 in sizes, sizes
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages)
    assert "Sisältö" not in text.split("Aineiston kuvaus")[0]  # no navigation on paper
    assert "Taulukko 7." in text
