"""Figures for a thesis and its supervisor: theme frequencies, heat maps, Likert bars, code tree.

Each function takes a :class:`~tymqual.project.Project` (or a survey, or a codebook), asks
:mod:`tymqual.tables` for the numbers and draws them; nothing here counts passages itself, so a
figure always agrees with the table printed beside it. Every function returns a matplotlib
:class:`~matplotlib.figure.Figure` built without ``pyplot``: no global figure list grows in a
notebook or a test run, and the Agg canvas is attached at creation, so no GUI backend is ever
needed. In Jupyter the returned figure shows itself as a PNG (it has ``_repr_png_``); where a
front end ignores that, ``display(fig)`` or ``save_figure`` works.

Text is Finnish by default and English with ``lang="en"``; counts shown as text go through
:mod:`tymqual.formatting`. Code colours come from the codebook (``Code.color``). A figure with no
data draws an empty axis with a centred note ("Ei koodauksia" / "No codings") instead of failing.
Codings under a key no code has (renamed or deleted by hand in the codebook) are drawn as the
tables show them: a grey row or bar of their own, "Ei koodikirjassa: <key>", at the top level.

:func:`save_figure` writes ``stem.png`` (300 dpi) and ``stem.svg`` atomically, with fixed
metadata and a fixed SVG id salt, so the same figure gives the same bytes on every run.

>>> import tymqual
>>> from tymqual.figures import code_tree, save_figure
>>> cb = tymqual.Codebook("Demo")
>>> _ = cb.add("Johtaminen")
>>> fig = code_tree(cb)
>>> [p.name for p in save_figure(fig, "kuviot/koodikirja")]  # doctest: +SKIP
['koodikirja.png', 'koodikirja.svg']
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from tymqual import coverage, tables
from tymqual.codebook import Code, Codebook
from tymqual.errors import TymqualError
from tymqual.formatting import Lang, check_lang, fmt_n, fmt_number
from tymqual.labels import label
from tymqual.storage import atomic_write_bytes
from tymqual.surveys import Survey

if TYPE_CHECKING:
    from tymqual.project import Project

__all__ = [
    "code_case_heatmap",
    "code_tree",
    "cooccurrence_heatmap",
    "likert_bars",
    "saturation_curve",
    "save_figure",
    "theme_frequency",
]

# Words that only figures use; everything shared with tables comes from tymqual.labels.
_WORDS: dict[str, tuple[str, str]] = {
    "no_codings": ("Ei koodauksia", "No codings"),
    "no_codes": ("Ei koodeja", "No codes"),
    "no_answers": ("Ei vastauksia", "No answers"),
    "theme_frequency": ("Koodatut kohdat teemoittain", "Coded segments by theme"),
    "code_frequency": ("Koodatut kohdat koodeittain", "Coded segments by code"),
    "code_case": ("Koodit tapauksittain", "Codes by case"),
    "code_case_counts": (
        "Koodatut kohdat koodeittain ja tapauksittain", "Coded segments by code and case"
    ),
    "passage": ("samassa kohdassa", "in the same passage"),
    "turn": ("samassa puheenvuorossa", "in the same turn"),
    "likert": ("Väittämien vastausjakaumat", "Responses to the statements"),
    "saturation": ("Uudet koodit haastatteluittain koodausjärjestyksessä",
                   "New codes per interview in the order coded"),
    "new_codes": ("Uudet koodit", "New codes"),
    "total_codes": ("Koodeja yhteensä", "Codes in total"),
    "coded_order": ("Haastattelu koodausjärjestyksessä", "Interview in the order coded"),
    "codes_axis": ("Koodien määrä", "Number of codes"),
}
_SATURATION_BAR = "#9ecae1"
_SATURATION_LINE = "#08519c"
_Row = tuple[str, int, str]  # a heat-map row: code name, depth, colour
_NO_COLOR = "#7f7f7f"  # fallback for a code no longer in the codebook
_NEUTRAL = "#d9d9d9"
_DONT_KNOW = "#969696"
_DIAGONAL = "#eeeeee"
_BAR_ROW = 0.24  # inches per bar of a bar chart
_FIG_WIDTH = 7.0  # inches; a thesis scales it to its text width (about 16 cm)
_RC: dict[Any, Any] = {
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}
# Fixed salt: SVG element ids are hashes, random per process unless salted.
_SAVE_RC: dict[Any, Any] = {"svg.hashsalt": "tymqual", "svg.fonttype": "path"}


class _Figure(Figure):
    """A Figure that renders itself as PNG in Jupyter without pyplot's inline machinery."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight", pad_inches=0.1)
        return buffer.getvalue()


# ---------------------------------------------------------------------------- public figures


def theme_frequency(
    project: Project,
    *,
    by: str | None = "case",
    level: int = 0,
    allow_small_cells: bool = False,
    lang: Lang = "fi",
) -> Figure:
    """Horizontal bars of coded passages per theme: one bar per case, per group, or in total.

    ``level=0`` gives the codebook's top-level themes with their subcodes' passages rolled up
    into them; ``level=1`` the codes one level down, and so on. With ``by="case"`` each theme
    gets a block of bars, one per case (labelled with ``p.case_label``), all in the theme's
    colour; ``by`` naming a case attribute (a column of ``codes/cases.csv``) gives one bar per
    attribute value instead, under the tables' disclosure control (``allow_small_cells``);
    ``by=None`` one bar per theme with the total. The counts come from
    :func:`tymqual.tables.code_case_matrix` (``counts=True``) and
    :func:`tymqual.tables.code_frequencies` (column ``segments``) and are written at the bars.
    """
    lang = check_lang(lang, "theme_frequency")
    if by is not None and not isinstance(by, str):
        raise TymqualError(
            f"theme_frequency(): argument by must be 'case', a case attribute or None "
            f"(totals), not {by!r}."
        )
    if not isinstance(level, int) or isinstance(level, bool) or level < 0:
        raise TymqualError(
            f"theme_frequency(): argument level must be a whole number 0 or more "
            f"(0 = top-level themes), not {level!r}."
        )
    with _style():
        rows, groups = _frequency_rows(project, by, level, allow_small_cells, lang)
        title = _word("theme_frequency" if level == 0 else "code_frequency", lang)
        if by is None:
            ylabel = label("theme" if level == 0 else "code", lang)
        else:
            ylabel = label("case_id", lang) if by == "case" else _attribute_label(by, lang)
        return _frequency_bars(project, rows, groups, title=title, ylabel=ylabel, lang=lang)


def code_case_heatmap(project: Project, *, counts: bool = True, lang: Lang = "fi") -> Figure:
    """Codes × cases as a heat map with the value written in each cell.

    Rows are the codebook's codes in tree order, names indented by depth, each with its
    colour swatch; columns are the cases (``p.case_label``). Values come from
    :func:`tymqual.tables.code_case_matrix`: coded passages (``counts=True``, parents include
    their subcodes) or whether the case has the code at all (``counts=False``: 1 or 0).
    """
    lang = check_lang(lang, "code_case_heatmap")
    with _style():
        matrix = tables.code_case_matrix(project, counts=counts, rollup=True, lang=lang)
        cases = _case_columns(matrix)
        values = _numeric(matrix[cases]) if cases else np.zeros((len(matrix), 0))
        title = _word("code_case_counts" if counts else "code_case", lang)
        if values.size == 0 or not np.any(values):
            return _empty_figure(title, lang)
        rows = [_code_row(project.codebook, str(path), str(name))
                for path, name in zip(matrix["code_path"], matrix["code_name"], strict=True)]
        columns = [project.case_label(c) for c in cases]
        fig = _new_figure(*_heatmap_size(rows, columns))
        ax = fig.add_subplot()
        # Presence (1/0) in a middle blue: a page of the darkest blue would be hard to read.
        _heatmap(ax, values, rows, columns, lang=lang, vmax=None if counts else 2.0)
        ax.set_xlabel(label("case_id", lang))
        ax.set_title(title, loc="left")
        return fig


def cooccurrence_heatmap(
    project: Project, *, unit: Literal["passage", "turn"] = "passage", lang: Lang = "fi"
) -> Figure:
    """How often two codes meet in one passage (or turn), as an annotated heat map.

    Values come from :func:`tymqual.tables.co_occurrence` with ``wide=True``. Off the
    diagonal each cell is the pair's count and carries the colour; the diagonal, a code's own
    passages (or turns), is written in grey on grey as the base to read the pairs against.
    Codes never used are left out.
    """
    lang = check_lang(lang, "cooccurrence_heatmap")
    if unit not in ("passage", "turn"):
        raise TymqualError(
            f"cooccurrence_heatmap(): argument unit must be 'passage' or 'turn', not {unit!r}."
        )
    with _style():
        wide = tables.co_occurrence(project, unit=unit, wide=True)
        title = f"{label('co_occurrence', lang)} {_word(unit, lang)}"
        values = _numeric(wide)
        used = np.flatnonzero(values.any(axis=1)) if values.size else np.zeros(0, dtype=int)
        values = values[np.ix_(used, used)]
        if not values.size:
            return _empty_figure(title, lang)
        paths = [str(wide.index[int(i)]) for i in used]
        # Numbered rows and numbered columns: long code names would not fit across the top.
        rows = [(f"{n}. {name}", depth, color) for n, (name, depth, color)
                in enumerate((_code_row(project.codebook, path) for path in paths), start=1)]
        numbers = [str(n) for n in range(1, len(rows) + 1)]
        fig = _new_figure(*_heatmap_size(rows, numbers))
        ax = fig.add_subplot()
        _heatmap(ax, values, rows, numbers, lang=lang, diagonal=True)
        ax.set_title(title, loc="left", pad=10)
        return fig


def saturation_curve(
    project: Project, *, coder: str | Sequence[str] | None = None, lang: Lang = "fi"
) -> Figure:
    """Saturation: new codes per interview (bars) and the running total (line), in coding order.

    The numbers are :func:`tymqual.coverage.saturation` (``new_codes`` and ``total_codes``),
    one bar per interview labelled with ``project.case_label``, in the order the interviews were
    first coded. A line that flattens while the bars fall to zero is the usual evidence
    that further interviews added no new codes. ``coder`` as in that function.
    """
    lang = check_lang(lang, "saturation_curve")
    with _style():
        table = coverage.saturation(project, coder=coder)
        title = _word("saturation", lang)
        if table.empty:
            return _empty_figure(title, lang)
        # A source outside cases.csv has no case id: its own id labels it.
        pairs = zip(table["case_id"], table["source_id"], strict=True)
        names = [_plain(project.case_label(c if isinstance(c, str) and c else None, s))
                 for c, s in pairs]
        x = np.arange(1, len(table) + 1)
        fig = _new_figure(_FIG_WIDTH, 3.2)
        ax = fig.add_subplot()
        ax.bar(x, table["new_codes"].to_numpy(dtype=float), color=_SATURATION_BAR,
               label=_word("new_codes", lang))
        ax.plot(x, table["total_codes"].to_numpy(dtype=float), color=_SATURATION_LINE,
                marker="o", label=_word("total_codes", lang))
        ax.set_xticks(x, names, rotation=90 if len(x) > 12 else 0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _: fmt_number(v, decimals=0, lang=lang)))
        ax.set_ylim(0, max(1, int(table["total_codes"].max())) * 1.1)
        ax.set_xlabel(_word("coded_order", lang))
        ax.set_ylabel(_word("codes_axis", lang))
        ax.legend(loc="lower right", frameon=False)
        ax.set_title(title, loc="left")
        return fig


def likert_bars(survey: Survey, items: Sequence[str] | None = None, *, lang: Lang = "fi") -> Figure:
    """Diverging stacked bars of Likert answers in counts, centred on the neutral category.

    One bar per statement: disagreeing answers to the left of zero, agreeing ones to the
    right, the neutral category (when the scale has a middle) split half and half across
    zero. "En osaa sanoa" is not part of the scale, so it is drawn apart, in grey, in its own
    narrow panel on the right. Each statement's label ends with its valid n. Data from
    :func:`tymqual.tables.likert_table` (one column per scale label, then ``dont_know``).
    Colours are ColorBrewer RdBu (red disagree, blue agree), readable with red-green colour
    blindness.
    """
    lang = check_lang(lang, "likert_bars")
    with _style():
        table = tables.likert_table(survey, items)
        scale = [c for c in table.columns if c not in _LIKERT_FIXED]
        title = _word("likert", lang)
        if table.empty or not scale:
            return _empty_figure(title, lang, note="no_answers")
        mixed = table[scale].isna().any(axis=1)
        if mixed.any():
            raise TymqualError(
                f"likert_bars(): the items {', '.join(map(repr, table['item_id']))} do not all "
                "use the same scale, so their bars cannot share one centre; draw each scale "
                "in its own figure with items=[...]."
            )
        counts = _numeric(table[scale])
        dont_know = (_numeric(table[["dont_know"]])[:, 0] if "dont_know" in table.columns
                     else np.zeros(len(table)))
        ylabels = [_wrap(f"{s} ({fmt_n(n, lang=lang)})", 48)
                   for s, n in zip(table["statement"], table["valid_n"], strict=True)]
        height = 1.3 + sum(0.2 + 0.16 * lbl.count("\n") for lbl in ylabels) + 0.25 * len(table)
        fig = _new_figure(_FIG_WIDTH + 1.5, height)
        main, side = fig.subplots(1, 2, sharey=True, width_ratios=[5, 1])
        _likert_main(main, counts, [str(s) for s in scale], ylabels, lang=lang)
        _likert_dont_know(side, dont_know, lang=lang)
        handles = [Patch(facecolor=c, edgecolor="white", label=_plain(s))
                   for s, c in zip(scale, _likert_colors(len(scale)), strict=True)]
        handles.append(Patch(facecolor=_DONT_KNOW, label=label("dont_know", lang)))
        ncols = len(handles) if sum(len(str(s)) for s in scale) < 70 else 3
        fig.legend(handles=handles, loc="outside lower center", ncols=ncols, frameon=False)
        main.set_title(title, loc="left")
        return fig


def code_tree(codebook: Codebook, *, lang: Lang = "fi") -> Figure:
    """The code hierarchy as a left-to-right tree: "Koodikirja" → themes → subcodes.

    Each code is a box in its codebook colour, text black or white for contrast; leaves get
    one row each and a parent sits level with the middle of its children, so fifteen or so
    codes fit a page. Drawn with matplotlib alone (no graphviz).
    """
    lang = check_lang(lang, "code_tree")
    if not isinstance(codebook, Codebook):
        raise TymqualError(
            f"code_tree(): argument codebook must be a Codebook (p.codebook), "
            f"not {type(codebook).__name__}."
        )
    with _style():
        return _draw_tree(codebook, lang)


def save_figure(
    fig: Figure, stem: str | os.PathLike[str], *, dpi: int = 300
) -> list[Path]:
    """Write ``stem.png`` (``dpi`` dots per inch) and ``stem.svg``; return the two paths.

    Both are written atomically (temporary file, fsync, rename), and the same figure gives
    byte-identical files on every run: no date or software version is stored, and the SVG's
    internal ids use a fixed salt. A ``stem`` ending in ``.png`` or ``.svg`` has it dropped.
    """
    if not isinstance(fig, Figure):
        raise TymqualError(
            f"save_figure(): argument fig must be a matplotlib Figure, not {type(fig).__name__}."
        )
    if not isinstance(dpi, int) or isinstance(dpi, bool) or dpi < 1:
        raise TymqualError(f"save_figure(): argument dpi must be a whole number ≥ 1, not {dpi!r}.")
    base = Path(stem)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    written = []
    formats: tuple[tuple[str, dict[str, Any]], ...] = (
        ("png", {"Software": "tymqual"}),
        ("svg", {"Creator": "tymqual", "Date": None}),
    )
    with matplotlib.rc_context(_SAVE_RC):
        for fmt, metadata in formats:
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata,
                        bbox_inches="tight", pad_inches=0.1)
            path = base.parent / f"{base.name}.{fmt}"
            atomic_write_bytes(path, buffer.getvalue())
            written.append(path)
    return written


# ---------------------------------------------------------------------------- building blocks


@contextmanager
def _style() -> Iterator[None]:
    # Font and spine settings are read when artists are made, so they must wrap the drawing.
    with matplotlib.rc_context(_RC):
        yield


def _new_figure(width: float, height: float) -> Figure:
    fig = _Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _word(key: str, lang: Lang) -> str:
    return _WORDS[key][0 if lang == "fi" else 1]


def _plain(text: object) -> str:
    """User text shown literally: a ``$`` would otherwise start matplotlib's math mode."""
    return str(text).replace("$", r"\$")


def _wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters, at spaces only."""
    lines = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
    return _plain("\n".join(lines) or text)


def _empty_figure(title: str, lang: Lang, *, note: str = "no_codings") -> Figure:
    fig = _new_figure(_FIG_WIDTH, 2.5)
    ax = fig.add_subplot()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, _word(note, lang), transform=ax.transAxes, ha="center", va="center",
            fontsize=11, color="#555555")
    ax.set_title(title, loc="left")
    return fig


def _depths(paths: pd.Series) -> np.ndarray:
    return np.array([str(path).count("/") for path in paths], dtype=int)


def _case_columns(matrix: pd.DataFrame) -> list[str]:
    """The case-id columns of ``tables.code_case_matrix``: all but the code and n/N columns."""
    return [str(c) for c in matrix.columns if c not in ("code_path", "code_name", "n_of_N")]


def _numeric(frame: pd.DataFrame) -> np.ndarray:
    numeric = frame.apply(pd.to_numeric, errors="coerce").fillna(0)
    numbers: np.ndarray = numeric.to_numpy(dtype=float)
    return numbers


def _code_of(codebook: Codebook, path: str) -> Code | None:
    return codebook.resolve(path) if path in codebook else None


def _color_of(codebook: Codebook, path: str) -> str:
    code = _code_of(codebook, path)
    return code.color if code is not None and code.color else _NO_COLOR


def _code_row(codebook: Codebook, path: str, name: str | None = None) -> _Row:
    """(name, depth, colour) of a code for a heat-map row."""
    code = _code_of(codebook, path)
    shown = name if name is not None else (code.name if code is not None else path)
    return shown, path.count("/"), _color_of(codebook, path)


def _luminance(fill: str | tuple[float, float, float, float]) -> float:
    """WCAG 2 relative luminance of a colour: 0 for black, 1 for white."""
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                for c in to_rgb(fill)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _text_color(fill: str | tuple[float, float, float, float]) -> str:
    """Black or white, whichever has the higher WCAG contrast on ``fill``."""
    return "black" if _luminance(fill) > 0.179 else "white"


def _text_width_pt(fig: Figure, texts: Sequence[str], size: float,
                   weight: str = "normal") -> float:
    """Width in points of the widest line among ``texts`` as drawn in ``fig``."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    prop = FontProperties(family=_RC["font.family"], size=size, weight=weight)
    widest = 0.0
    for text in texts:
        for line in str(text).split("\n"):
            if line:
                width, _, _ = renderer.get_text_width_height_descent(line, prop, ismath=False)
                widest = max(widest, width)
    return widest * 72.0 / fig.dpi


# ---------------------------------------------------------------------------- frequency bars


def _frequency_rows(
    project: Project, by: str | None, level: int, allow_small_cells: bool, lang: Lang
) -> tuple[list[tuple[str, str, list[int]]], list[str]]:
    """(code path, name, counts per group) of the codes at ``level``, and the group labels."""
    if by == "case":
        matrix = tables.code_case_matrix(project, counts=True, rollup=True, lang=lang)
        matrix = matrix[_depths(matrix["code_path"]) == level]
        cases = _case_columns(matrix)
        rows = [(str(path), str(name), [int(n) for n in counts])
                for path, name, counts in zip(matrix["code_path"], matrix["code_name"],
                                              matrix[cases].to_numpy(), strict=True)]
        return rows, [project.case_label(case) for case in cases]
    freq = tables.code_frequencies(project, by=by, rollup=True, allow_small_cells=allow_small_cells,
                                   lang=lang)
    freq = freq[freq["depth"] == level]
    if by is None:
        rows = [(str(path), str(name), [int(n)]) for path, name, n in
                zip(freq["code_path"], freq["code_name"], freq["segments"], strict=True)]
        return rows, [""]
    groups = [str(g) for g in dict.fromkeys(freq["group"])]
    wide = freq.pivot_table(index="code_path", columns="group", values="segments",
                            aggfunc="sum", fill_value=0, sort=False)
    names = dict(zip(freq["code_path"], freq["code_name"], strict=True))
    rows = [(str(path), str(names[path]), [int(wide.loc[path, g]) for g in groups])
            for path in dict.fromkeys(freq["code_path"])]
    return rows, groups


def _with_parent(codebook: Codebook, path: str, name: str) -> str:
    """``Johtaminen › Resurssit`` for a subcode, so a reader sees which theme it belongs to."""
    code = _code_of(codebook, path)
    if code is None or code.parent is None:
        return name
    return f"{code.parent.name} \u203a {name}"


def _attribute_label(attribute: str, lang: Lang) -> str:
    try:
        return label(attribute, lang)
    except TymqualError:  # a project's own attribute: shown as written in cases.csv
        return attribute


_BarLayout = tuple[list[float], list[int], list[str], list[str], list[tuple[float, str]], float]


def _bar_layout(
    project: Project, rows: list[tuple[str, str, list[int]]], groups: list[str]
) -> _BarLayout:
    """``ys, widths, colors, ticks, headings, height`` of :func:`_frequency_bars`' bars."""
    totals_only = groups == [""]
    # Layout in row units (one bar row = _BAR_ROW inches), from the top down: a multi-line
    # label or heading takes as many rows as its lines need, so nothing overlaps.
    ys: list[float] = []
    widths: list[int] = []
    colors: list[str] = []
    ticks: list[str] = []
    headings: list[tuple[float, str]] = []
    cursor = 0.0
    for path, name, counts in rows:
        color = _color_of(project.codebook, path)
        shown = _with_parent(project.codebook, path, name)
        if totals_only:
            tick = _wrap(shown, 40)
            height = max(1.0, 0.75 * (tick.count("\n") + 1))
            ys.append(cursor + height / 2)
            widths.append(counts[0])
            colors.append(color)
            ticks.append(tick)
            cursor += height
            continue
        heading = _wrap(shown, 70)
        height = 0.4 + 0.75 * (heading.count("\n") + 1)
        headings.append((cursor + height / 2 + 0.1, heading))
        cursor += height
        for group, count in zip(groups, counts, strict=True):
            ys.append(cursor + 0.5)
            widths.append(count)
            colors.append(color)
            ticks.append(_plain(group))
            cursor += 1.0
    return ys, widths, colors, ticks, headings, cursor


def _frequency_bars(
    project: Project,
    rows: list[tuple[str, str, list[int]]],
    groups: list[str],
    *,
    title: str,
    ylabel: str,
    lang: Lang,
) -> Figure:
    """Bars per code, or a block of bars per code with a bold heading and one bar per group."""
    if not rows or not groups or sum(sum(counts) for _, _, counts in rows) == 0:
        return _empty_figure(title, lang)
    totals_only = groups == [""]
    ys, widths, colors, ticks, headings, cursor = _bar_layout(project, rows, groups)
    fig = _new_figure(_FIG_WIDTH, 1.2 + _BAR_ROW * cursor)
    ax = fig.add_subplot()
    for y, heading in headings:
        ax.annotate(heading, (0, y), xytext=(2, 0), textcoords="offset points", ha="left",
                    va="center", fontweight="bold", annotation_clip=False)
    # A pale code colour would vanish on white paper; it gets a thin grey outline.
    edges = ["#8c8c8c" if _luminance(c) > 0.75 else "none" for c in colors]
    bars = ax.barh(ys, widths, height=0.7, color=colors, edgecolor=edges, linewidth=0.6)
    ax.bar_label(bars, labels=[fmt_number(w, lang=lang) for w in widths], padding=3,
                 fontsize=8)
    ax.set_yticks(ys, ticks)
    ax.set_ylim(cursor, 0.0)
    ax.set_xlim(0, max(widths) * 1.12 + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt_number(x, lang=lang)))
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(totals_only)  # it would cross the block headings
    ax.set_xlabel(label("segments", lang))
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    return fig


# ---------------------------------------------------------------------------- heat maps


_INDENT = "\u2003"  # an em space: indentation that survives left alignment
_SWATCH = 8.0  # points: side of a code-colour square beside a heat-map row


def _row_labels(rows: Sequence[_Row]) -> list[str]:
    return [_INDENT * depth + name for name, depth, _ in rows]


def _label_width_pt(fig: Figure, rows: Sequence[_Row]) -> float:
    """Width of the widest row label; top-level codes are bold when deeper ones are listed."""
    labels = _row_labels(rows)
    size = _RC["ytick.labelsize"]
    if not any(depth > 0 for _, depth, _ in rows):
        return _text_width_pt(fig, labels, size)
    roots = [text for text, (_, depth, _) in zip(labels, rows, strict=True) if depth == 0]
    others = [text for text, (_, depth, _) in zip(labels, rows, strict=True) if depth > 0]
    return max(_text_width_pt(fig, roots, size, "bold"), _text_width_pt(fig, others, size))


def _heatmap_size(rows: Sequence[_Row], columns: Sequence[str]) -> tuple[float, float]:
    """Figure size giving every cell room for its number and every label room for itself."""
    probe = _new_figure(1, 1)
    label_w = _label_width_pt(probe, rows) / 72
    header = _text_width_pt(probe, columns, _RC["xtick.labelsize"]) / 72
    rotate = _rotate_columns(columns)
    cell = 0.55 if rotate else max(0.55, header + 0.15)
    width = min(12.0, max(4.0, label_w + 0.5 + cell * len(columns) + 0.3))
    top = 0.8 + (header * 0.71 if rotate else 0.25)
    return width, top + 0.32 * len(rows) + 0.2


def _rotate_columns(columns: Sequence[str]) -> bool:
    return max((len(c) for c in columns), default=0) > 6


def _heatmap(
    ax: Axes,
    values: np.ndarray,
    rows: Sequence[_Row],
    columns: Sequence[str],
    *,
    lang: Lang,
    diagonal: bool = False,
    vmax: float | None = None,
) -> None:
    """Annotated heat map; row labels left-aligned and indented by depth, with colour swatches.

    With ``diagonal`` the diagonal cells are grey and left out of the colour scale; ``vmax``
    is the value of the darkest blue (default: the largest value).
    """
    n_rows, n_cols = values.shape
    on_diagonal = np.eye(n_rows, n_cols, dtype=bool) if diagonal else np.zeros_like(values, bool)
    if vmax is None:
        vmax = max(float(values[~on_diagonal].max(initial=0)), 1.0)
    cmap = matplotlib.colormaps["Blues"].with_extremes(bad=_DIAGONAL)
    ax.pcolormesh(np.arange(n_cols + 1) - 0.5, np.arange(n_rows + 1) - 0.5,
                  np.ma.masked_where(on_diagonal, values), cmap=cmap, vmin=0, vmax=vmax,
                  edgecolors="white", linewidth=1.0)
    for i in range(n_rows):
        for j in range(n_cols):
            value = values[i, j]
            if on_diagonal[i, j]:
                color = "#555555"
            elif value == 0:
                color = "#9e9e9e"  # zeros recede, so the eye finds the counts
            else:
                color = _text_color(cmap(value / vmax))
            ax.text(j, i, fmt_number(value, lang=lang), ha="center", va="center",
                    fontsize=8, color=color)
    # Code-colour squares just left of the cells: x in axes units shifted by points, so they
    # keep their size whatever the cell width.
    fig = ax.get_figure(root=True)
    shift = ScaledTranslation(-(_SWATCH / 2 + 3) / 72, 0, fig.dpi_scale_trans)  # type: ignore[union-attr]
    ax.scatter(np.zeros(n_rows), np.arange(n_rows), s=_SWATCH**2, marker="s",
               c=[color for _, _, color in rows], linewidths=0, clip_on=False,
               transform=blended_transform_factory(ax.transAxes, ax.transData) + shift)
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(range(n_rows), [_plain(text) for text in _row_labels(rows)])
    pad = _label_width_pt(fig, rows)  # type: ignore[arg-type]
    bold_roots = any(depth > 0 for _, depth, _ in rows)
    for tick, (_, depth, _) in zip(ax.get_yticklabels(), rows, strict=True):
        tick.set_horizontalalignment("left")
        if bold_roots and depth == 0:
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0, pad=pad + _SWATCH + 8)
    ax.tick_params(axis="x", length=0)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    rotate = _rotate_columns(columns)
    ax.set_xticks(range(n_cols), [_plain(c) for c in columns],
                  rotation=45 if rotate else 0, ha="left" if rotate else "center",
                  rotation_mode="anchor")
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


# ---------------------------------------------------------------------------- Likert bars

_LIKERT_FIXED = {"item_id", "statement", "dont_know", "valid_n", "median", "mean"}


def _likert_colors(k: int) -> list[str]:
    cmap = matplotlib.colormaps["RdBu"]
    colors = [matplotlib.colors.to_hex(cmap(x)) for x in np.linspace(0.1, 0.9, k)]
    if k % 2:
        colors[k // 2] = _NEUTRAL  # RdBu's middle is near-white, invisible on the page
    return colors


def _likert_main(
    ax: Axes, counts: np.ndarray, scale: list[str], ylabels: list[str], *, lang: Lang
) -> None:
    n_items, k = counts.shape
    half = k // 2
    middle = counts[:, half] if k % 2 else np.zeros(n_items)
    left_edge = -(counts[:, :half].sum(axis=1) + middle / 2)
    colors = _likert_colors(k)
    ys = np.arange(n_items)
    start = left_edge.copy()
    for j in range(k):
        widths = counts[:, j]
        bars = ax.barh(ys, widths, left=start, height=0.65, color=colors[j],
                       edgecolor="white", linewidth=0.8, label=_plain(scale[j]))
        texts = [fmt_number(w, lang=lang) if w > 0 else "" for w in widths]
        ax.bar_label(bars, labels=texts, label_type="center", fontsize=8,
                     color=_text_color(colors[j]))
        start = start + widths
    reach = max(float(np.max(-left_edge)), float(np.max(start)), 1.0) * 1.08
    ax.set_xlim(-reach, reach)
    ax.axvline(0, color="#444444", linewidth=0.8, zorder=0)
    ax.set_yticks(ys, ylabels)
    ax.set_ylim(n_items - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt_number(abs(x), lang=lang)))
    ax.set_xlabel(label("respondents", lang))


def _likert_dont_know(ax: Axes, dont_know: np.ndarray, *, lang: Lang) -> None:
    ys = np.arange(len(dont_know))
    bars = ax.barh(ys, dont_know, height=0.65, color=_DONT_KNOW, edgecolor="white")
    ax.bar_label(bars, labels=[fmt_number(v, lang=lang) for v in dont_know], padding=2,
                 fontsize=8)
    ax.set_xlim(0, max(float(dont_know.max(initial=0)), 1.0) * 1.4)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt_number(x, lang=lang)))
    ax.set_title(_wrap(label("dont_know", lang), 14), fontsize=8.5)
    ax.spines["left"].set_visible(False)


# ---------------------------------------------------------------------------- code tree

_TREE_FONT = 9.0
_TREE_PAD = 0.35  # box padding, in font sizes
_TREE_GAP = 0.45  # inches between the boxes of two levels
_TREE_SPACE = 0.12  # inches between two boxes one above the other


def _box_height(text: str) -> float:
    """Height in inches of a box around ``text`` (lines × line height + padding + spacing)."""
    lines = text.count("\n") + 1
    return (lines * 1.2 * _TREE_FONT + 2 * _TREE_PAD * _TREE_FONT) / 72 + _TREE_SPACE


def _tree_layout(codebook: Codebook, texts: dict[int, str]) -> tuple[dict[int, float], float]:
    """Centre (inches from the top) of every code's box, by ``id``; the root's is under -1.

    A leaf takes its box's height; a parent sits level with the middle of its children, and
    a parent taller than its children together pushes them apart, so boxes never overlap.
    """
    centres: dict[int, float] = {}

    def block(code: Code) -> float:
        own = _box_height(texts[id(code)])
        return max(own, sum(block(c) for c in code.children)) if code.children else own

    def place(code: Code, top: float) -> None:
        own = _box_height(texts[id(code)])
        if not code.children:
            centres[id(code)] = top + own / 2
            return
        y = top + max(0.0, (own - sum(block(c) for c in code.children)) / 2)
        for child in code.children:
            place(child, y)
            y += block(child)
        first, last = centres[id(code.children[0])], centres[id(code.children[-1])]
        centres[id(code)] = (first + last) / 2

    y = 0.0
    for code in codebook.codes:
        place(code, y)
        y += block(code)
    roots = [centres[id(code)] for code in codebook.codes]
    centres[-1] = (roots[0] + roots[-1]) / 2 if roots else _box_height("x") / 2
    return centres, max(y, _box_height("x"))


def _draw_tree(codebook: Codebook, lang: Lang) -> Figure:
    codes = list(codebook)
    root_text = label("codebook", lang)
    texts = {id(code): _wrap(code.name, 26) for code in codes}
    centres, height = _tree_layout(codebook, texts)
    depth_of = {id(code): code.depth + 1 for code in codes}
    n_levels = 1 + max(depth_of.values(), default=0)
    probe = _new_figure(1, 1)
    pad_in = _TREE_PAD * _TREE_FONT / 72
    widths = [_text_width_pt(probe, [root_text], _TREE_FONT, "bold") / 72]
    for level in range(1, n_levels):
        names = [texts[id(c)] for c in codes if depth_of[id(c)] == level]
        widths.append(_text_width_pt(probe, names, _TREE_FONT) / 72)
    lefts = [0.0]
    for width in widths[:-1]:
        lefts.append(lefts[-1] + width + 2 * pad_in + _TREE_GAP)
    total_w = lefts[-1] + widths[-1] + 2 * pad_in
    if not codes:
        total_w += _TREE_GAP + 1.0
    margin = 0.15
    fig = _new_figure(total_w + 2 * margin, height + 2 * margin)
    fig.set_layout_engine("none")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    # Data units are inches, y growing downwards, so boxes and elbows line up exactly.
    ax.set_xlim(-pad_in - margin, total_w - pad_in + margin)
    ax.set_ylim(height + margin, -margin)

    def box(x: float, y: float, text: str, fill: str, *, bold: bool = False) -> None:
        ax.text(x, y, text, ha="left", va="center", fontsize=_TREE_FONT,
                fontweight="bold" if bold else "normal", color=_text_color(fill), zorder=3,
                linespacing=1.2,
                bbox={"boxstyle": f"round,pad={_TREE_PAD}", "facecolor": fill,
                      "edgecolor": "#333333", "linewidth": 0.6})

    def elbow(parent_level: int, y0: float, y1: float) -> None:
        start = lefts[parent_level]  # under the parent's box, which hides the stub
        end = lefts[parent_level + 1] - pad_in
        mid = end - _TREE_GAP / 2
        ax.plot([start, mid, mid, end], [y0, y0, y1, y1], color="#777777",
                linewidth=0.8, zorder=1, solid_capstyle="butt")

    box(lefts[0], centres[-1], root_text, "#ffffff", bold=True)
    if not codes:
        ax.text(lefts[0] + widths[0] + 2 * pad_in + _TREE_GAP, centres[-1],
                _word("no_codes", lang), ha="left", va="center", color="#555555")
        return fig
    for code in codes:
        level = depth_of[id(code)]
        parent = centres[id(code.parent)] if code.parent is not None else centres[-1]
        elbow(level - 1, parent, centres[id(code)])
        box(lefts[level], centres[id(code)], texts[id(code)], code.color or _NO_COLOR)
    return fig
