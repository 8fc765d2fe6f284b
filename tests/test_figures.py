"""Figures drawn from the tables: bars, cells and boxes checked against the numbers they show."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from conftest import CASES, CODEBOOK, H1, H2
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from openpyxl import Workbook

import tymqual
from tymqual import figures, tables
from tymqual.errors import DisclosureError, TymqualError
from tymqual.formatting import fmt_n
from tymqual.surveys import KNOWN_SCALES, Survey, read_survey

MakeProject = Callable[..., tymqual.Project]
FI5 = KNOWN_SCALES[0]
FI4 = KNOWN_SCALES[2]
EOS = "En osaa sanoa"
EM = "\u2003"
# Colours in tests/conftest.py's codebook; Johtoryhmä has none, so it gets the default palette's
# third colour (it is the third code in tree order).
COLORS = {"johtaminen": "#1b9e77", "resurssit": "#66c2a5", "johtoryhma": "#2ca02c",
          "neuvottelut": "#d95f02"}


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> tymqual.Project:
    """conftest's two interviews, coded once for the module (the figures only read it).

    H1: a theme passage holding a subcode passage, and two more; H2: three passages.
    """
    root = tmp_path_factory.mktemp("figures") / "proj"
    tymqual.init_project(root, name="testi")
    for rel, content in (("codes/codebook.yaml", CODEBOOK), ("codes/cases.csv", CASES),
                         ("transcripts/H1.txt", H1), ("transcripts/H2.txt", H2)):
        (root / rel).write_text(content, encoding="utf-8")
    p = tymqual.open_project(root)
    theme = "Verkostojohtaja on meillä liima. Hänellä on resurssit kunnossa."
    p.code("H1", "johtaminen", quote=theme)
    p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.")
    p.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.")
    p.code("H1", "neuvottelut", quote="Johtoryhmä tukee hyvin. Kela on mukana.")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.")
    p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.")
    p.code("H2", "resurssit", quote="Henkilöstö vaihtui kesken kaiken.")
    return p


def bars(ax: Axes) -> list[Rectangle]:
    return [patch for container in ax.containers for patch in container]


def widths(ax: Axes) -> list[float]:
    return [patch.get_width() for patch in bars(ax)]


def colors(ax: Axes) -> list[str]:
    return [to_hex(patch.get_facecolor()) for patch in bars(ax)]


def ticklabels(ax: Axes, axis: str = "y") -> list[str]:
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


# --- theme_frequency ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "xlabel", "ylabel"), [
    ("fi", "Koodattuja kohtia", "Teema"),
    ("en", "Coded segments", "Theme"),
])
def test_theme_totals_are_the_frequency_table(
    coded: tymqual.Project, lang: str, xlabel: str, ylabel: str
) -> None:
    fig = figures.theme_frequency(coded, by=None, lang=lang)  # type: ignore[arg-type]
    ax = fig.axes[0]
    themes = tables.code_frequencies(coded).query("depth == 0")
    assert widths(ax) == list(themes["segments"]) == [4, 3]
    assert colors(ax) == [COLORS["johtaminen"], COLORS["neuvottelut"]]
    assert ticklabels(ax) == ["Johtaminen", "Neuvottelut"]
    assert texts(ax) == ["4", "3"]  # the counts written at the bars
    assert (ax.get_xlabel(), ax.get_ylabel()) == (xlabel, ylabel)


@pytest.mark.parametrize(("level", "headings", "expected"), [
    (0, ["Johtaminen", "Neuvottelut"], [3, 1, 1, 2]),
    (1, ["Johtaminen \u203a Resurssit", "Johtaminen \u203a Johtoryhmä"], [1, 1, 1, 0]),
])
def test_theme_bars_by_case_are_the_case_matrix(
    coded: tymqual.Project, level: int, headings: list[str], expected: list[int]
) -> None:
    ax = figures.theme_frequency(coded, level=level).axes[0]
    matrix = tables.code_case_matrix(coded, counts=True)
    rows = matrix[matrix["code_path"].str.count("/") == level]
    assert widths(ax) == rows[["H1", "H2"]].to_numpy().ravel().tolist() == expected
    assert ticklabels(ax) == ["H1", "H2"] * 2
    assert texts(ax)[:2] == headings  # block headings, then the counts at the bars
    assert texts(ax)[2:] == [str(n) for n in expected]
    keys = [path.rsplit("/", 1)[-1] for path in rows["code_path"]]
    assert colors(ax) == [COLORS[k] for k in keys for _ in range(2)]
    assert ax.get_ylabel() == "Tapaus"


def test_case_labels_come_from_cases_csv(make_project: MakeProject) -> None:
    p = make_project({"codes/cases.csv": "case_id,label\nH1,Haastattelu A\nH2,Haastattelu B\n"})
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.")
    ax = figures.theme_frequency(p).axes[0]
    assert ticklabels(ax) == ["Haastattelu A", "Haastattelu B"] * 2
    heat = figures.code_case_heatmap(p).axes[0]
    assert ticklabels(heat, "x") == ["Haastattelu A", "Haastattelu B"]


def test_theme_bars_by_attribute_keep_disclosure_control(coded: tymqual.Project) -> None:
    with pytest.raises(DisclosureError):
        figures.theme_frequency(coded, by="region")
    ax = figures.theme_frequency(coded, by="region", allow_small_cells=True).axes[0]
    assert ticklabels(ax) == ["läntinen", "eteläinen"] * 2
    assert widths(ax) == [3, 1, 1, 2]
    assert ax.get_ylabel() == "Alue"


# --- heat maps ---------------------------------------------------------------------------------


@pytest.mark.parametrize("counts", [True, False])
def test_code_case_heatmap_cells_are_the_matrix(coded: tymqual.Project, counts: bool) -> None:
    ax = figures.code_case_heatmap(coded, counts=counts).axes[0]
    matrix = tables.code_case_matrix(coded, counts=counts)
    assert texts(ax) == [str(v) for v in matrix[["H1", "H2"]].to_numpy().ravel()]
    assert ticklabels(ax) == ["Johtaminen", EM + "Resurssit", EM + "Johtoryhmä", "Neuvottelut"]
    assert ticklabels(ax, "x") == ["H1", "H2"]
    (swatches,) = ax.collections[1:]
    assert [to_hex(c) for c in np.asarray(swatches.get_facecolor())] == list(COLORS.values())
    mesh = ax.collections[0].get_array()
    assert np.array_equal(np.asarray(mesh).reshape(4, 2), matrix[["H1", "H2"]].to_numpy())


def test_cooccurrence_heatmap_cells_are_the_wide_table(coded: tymqual.Project) -> None:
    ax = figures.cooccurrence_heatmap(coded).axes[0]
    wide = tables.co_occurrence(coded, wide=True)
    assert texts(ax) == [str(v) for v in wide.to_numpy().ravel()]
    assert texts(ax)[:4] == ["1", "1", "0", "0"]  # Johtaminen overlaps one Resurssit passage
    assert ticklabels(ax) == ["1. Johtaminen", EM + "2. Resurssit", EM + "3. Johtoryhmä",
                              "4. Neuvottelut"]
    assert ticklabels(ax, "x") == ["1", "2", "3", "4"]


def test_cooccurrence_heatmap_leaves_unused_codes_out(make_project: MakeProject) -> None:
    p = make_project()
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.")
    p.code("H2", "resurssit", quote="Neuvottelut venyivät. Henkilöstö")
    ax = figures.cooccurrence_heatmap(p, unit="turn").axes[0]
    assert ticklabels(ax) == [EM + "1. Resurssit", "2. Neuvottelut"]
    assert texts(ax) == ["1", "1", "1", "1"]


# --- Likert bars -------------------------------------------------------------------------------


def survey_file(tmp_path: Path, answers: Mapping[str, Sequence[str | None]]) -> Survey:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["Vastaajan tunniste", *answers])
    for i, row in enumerate(zip(*answers.values(), strict=True), start=1):
        sheet.append([f"R{i}", *row])
    workbook.save(tmp_path / "kysely.xlsx")
    return read_survey(tmp_path / "kysely.xlsx")


LONG = ("Kunnan ja hyvinvointialueen työnjako TYM-verkostossa on selkeä ja kaikkien "
        "osapuolten tiedossa")
FIVE: dict[str, list[str | None]] = {
    "Väittämä A": [FI5[0], FI5[1], FI5[2], EOS, FI5[4], FI5[1]],
    LONG: [FI5[3], FI5[3], FI5[4], FI5[2], FI5[1], EOS],
}
FOUR: dict[str, list[str | None]] = {"Väittämä C": [FI4[0], FI4[2], FI4[3], FI4[3], EOS, EOS]}


@pytest.mark.parametrize("answers", [FIVE, FOUR], ids=["five_point", "four_point"])
def test_likert_bars_are_counts_centred_on_neutral(
    tmp_path: Path, answers: Mapping[str, Sequence[str | None]]
) -> None:
    survey = survey_file(tmp_path, answers)
    table = tables.likert_table(survey)
    scale = [c for c in table.columns if c in FI5 or c in FI4]
    fig = figures.likert_bars(survey)
    main, side = fig.axes
    k = len(scale)
    assert len(main.containers) == k
    counts = table[scale].to_numpy(dtype=float)
    for j, container in enumerate(main.containers):
        assert [p.get_width() for p in container] == list(counts[:, j])
    # Disagreement ends at zero (minus half the neutral), agreement starts there.
    left_of_zero = counts[:, : k // 2].sum(axis=1) + (counts[:, k // 2] / 2 if k % 2 else 0)
    starts = [p.get_x() for p in main.containers[0]]
    assert starts == list(-left_of_zero)
    if k % 2:
        middle = main.containers[k // 2]
        assert [p.get_x() + p.get_width() / 2 for p in middle] == [0.0] * len(table)
    disagree, agree = to_hex(bars(main)[0].get_facecolor()), colors(main)[-1]
    assert int(disagree[1:3], 16) > int(disagree[5:7], 16)  # reddish on the left
    assert int(agree[5:7], 16) > int(agree[1:3], 16)  # bluish on the right
    # "En osaa sanoa" is a separate grey panel, not a segment of the scale.
    assert widths(side) == list(table["dont_know"]) and side is not main
    assert EOS not in [t.get_text() for t in fig.legends[0].get_texts()][:-1]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [*scale, EOS]
    labels = [t.replace("\n", " ") for t in ticklabels(main)]
    assert labels == [f"{s} ({fmt_n(n)})" for s, n in zip(table["statement"], table["valid_n"],
                                                          strict=True)]


def test_likert_statements_wrap_and_show_valid_n(tmp_path: Path) -> None:
    main = figures.likert_bars(survey_file(tmp_path, FIVE), lang="en").axes[0]
    long_label = ticklabels(main)[1]
    assert "\n" in long_label and long_label.endswith("(n\u00a0=\u00a05)")
    assert "TYM-verkostossa" in long_label.split("\n")[1] + long_label  # hyphen kept whole
    assert all(len(line) <= 48 for line in long_label.split("\n"))
    assert main.get_xlabel() == "Respondents"


def test_likert_bars_without_likert_items(tmp_path: Path) -> None:
    survey = survey_file(tmp_path, {"Kerro lisää": ["Hyvä yhteistyö.", None, "Ei muuta."]})
    assert "Ei vastauksia" in texts(figures.likert_bars(survey).axes[0])


# --- code tree ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "root"), [("fi", "Koodikirja"), ("en", "Codebook")])
def test_code_tree_boxes_carry_names_and_colours(
    coded: tymqual.Project, lang: str, root: str
) -> None:
    ax = figures.code_tree(coded.codebook, lang=lang).axes[0]  # type: ignore[arg-type]
    assert texts(ax) == [root, "Johtaminen", "Resurssit", "Johtoryhmä", "Neuvottelut"]
    fills = [to_hex(t.get_bbox_patch().get_facecolor()) for t in ax.texts]  # type: ignore[union-attr]
    assert fills == ["#ffffff", *COLORS.values()]
    assert len(ax.lines) == 4  # one connector per code


def test_code_tree_of_fifteen_codes_has_no_overlapping_boxes() -> None:
    cb = tymqual.Codebook("Iso")
    for t in range(4):
        theme = cb.add(f"Teema {t} jolla on varsin pitkä nimi joka rivittyy kahdelle riville")
        for s in range(3 if t % 2 else 2):
            cb.add(f"Alaluokka {t}.{s}", parent=theme)
    cb.add("Hinta $5 ja $10", parent=cb.codes[0].children[0])
    assert len(cb) == 15
    fig = figures.code_tree(cb)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert "Hinta \\$5 ja \\$10" in texts(ax)  # shown literally, not as mathematics
    boxes = [t.get_bbox_patch().get_window_extent() for t in ax.texts]  # type: ignore[union-attr]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    inside = fig.bbox
    assert all(inside.x0 <= b.x0 and b.x1 <= inside.x1 and inside.y0 <= b.y0 and b.y1 <= inside.y1
               for b in boxes)


# --- save_figure, display and empty projects ---------------------------------------------------


def test_save_figure_writes_png_and_svg_byte_identically(
    coded: tymqual.Project, tmp_path: Path
) -> None:
    first = figures.save_figure(figures.code_case_heatmap(coded), tmp_path / "a" / "kuvio")
    second = figures.save_figure(figures.code_case_heatmap(coded), tmp_path / "b" / "kuvio.png")
    assert first == [tmp_path / "a" / "kuvio.png", tmp_path / "a" / "kuvio.svg"]
    assert [p.name for p in second] == ["kuvio.png", "kuvio.svg"]
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    assert first[0].read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in first[1].read_bytes()
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["kuvio.png", "kuvio.svg"]
    from PIL import Image

    with Image.open(first[0]) as image:
        assert round(image.info["dpi"][0]) == 300


def test_figures_show_in_jupyter_and_leave_pyplot_alone(coded: tymqual.Project) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = figures.theme_frequency(coded)
    assert isinstance(fig, Figure)
    assert fig._repr_png_().startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert plt.get_fignums() == before
    assert matplotlib.get_backend()  # the global backend is whatever it was


@pytest.mark.parametrize("draw", [
    figures.theme_frequency,
    lambda p, lang: figures.theme_frequency(p, by=None, lang=lang),
    figures.code_case_heatmap,
    figures.cooccurrence_heatmap,
])
@pytest.mark.parametrize(("lang", "note"), [("fi", "Ei koodauksia"), ("en", "No codings")])
def test_project_without_codings_draws_a_note(
    make_project: MakeProject, draw: Callable[..., Figure], lang: str, note: str
) -> None:
    fig = draw(make_project(), lang=lang)
    assert note in texts(fig.axes[0])
    fig.canvas.draw()


BAD: dict[str, Any] = {"lang": "sv", "unit": "sentence"}


@pytest.mark.parametrize(("call", "argument"), [
    (lambda p: figures.theme_frequency(p, lang=BAD["lang"]), "lang"),
    (lambda p: figures.theme_frequency(p, level=-1), "level"),
    (lambda p: figures.cooccurrence_heatmap(p, unit=BAD["unit"]), "unit"),
    (lambda p: figures.code_tree(p), "codebook"),
    (lambda p: figures.save_figure(Figure(), p.root / "x", dpi=0), "dpi"),
])
def test_bad_arguments_name_the_argument(
    make_project: MakeProject, call: Callable[[tymqual.Project], object], argument: str
) -> None:
    with pytest.raises(TymqualError, match=f"argument {argument}"):
        call(make_project())


@pytest.mark.parametrize(("lang", "shown"), [("fi", "Ei koodikirjassa: johtoryhma"),
                                             ("en", "Not in codebook: johtoryhma")])
def test_codings_under_a_deleted_code_get_a_grey_bar_of_their_own(
    coded: tymqual.Project, tmp_path: Path, lang: str, shown: str
) -> None:
    root = tmp_path / "proj"
    shutil.copytree(coded.root, root, ignore=shutil.ignore_patterns(".tymqual-cache"))
    book = root / "codes" / "codebook.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace(
        "      - name: Johtoryhmä\n        key: johtoryhma\n", ""), encoding="utf-8")
    p = tymqual.open_project(root)
    with pytest.warns(tymqual.TymqualWarning, match="'johtoryhma'"):
        ax = figures.theme_frequency(p, by=None, lang=lang).axes[0]  # type: ignore[arg-type]
    # Johtoryhmä's one passage lay inside no other Johtaminen passage, so the theme loses it.
    assert ticklabels(ax) == ["Johtaminen", "Neuvottelut", shown]
    assert widths(ax) == [3, 3, 1]
    assert colors(ax)[-1] == "#7f7f7f"
    heat = figures.code_case_heatmap(p, lang=lang)  # type: ignore[arg-type]
    assert any(shown in label for label in ticklabels(heat.axes[0]))
