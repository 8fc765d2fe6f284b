"""The self-contained HTML report: one page, figures embedded, print styles for A4."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import tymqual
from tymqual.codebook import Codebook
from tymqual.formatting import Lang, fmt_date, fmt_number
from tymqual.labels import label
from tymqual.storage import (
    atomic_write_text,
)

if TYPE_CHECKING:
    pass

from tymqual.reports.appendix import (
    _guidance,
)
from tymqual.reports.model import (
    WORDS_PER_PAGE,
    _clean,
    _decimals,
    _display,
    _Fig,
    _is_number,
    _longest_line,
    _quote_text,
    _relabelled,
    _Report,
    _Table,
)
from tymqual.reports.strings import (
    _KIND_WORDS,
    _t,
)

# ---------------------------------------------------------------------------- HTML

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1b1b1b; font: 16px/1.55 Georgia, "DejaVu Serif",
  "Times New Roman", serif; }
main { max-width: 70rem; margin: 0 auto; padding: 2.5rem 1.75rem 4rem; }
/* Prose keeps a readable line length; tables and figures may use the full width. */
main p, blockquote, dl.code, nav, h3, h4 { max-width: 50rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .3rem; }
h2 { font-size: 1.45rem; margin: 2.8rem 0 .8rem; padding-bottom: .25rem;
  border-bottom: 1px solid #c8c8c8; }
h3 { font-size: 1.15rem; margin: 1.8rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.meta { color: #555; margin: 0 0 1rem; }
nav ol { padding-left: 1.4rem; margin: .3rem 0; }
nav { background: #f6f6f4; padding: .8rem 1.2rem; border-radius: 4px; margin: 1.5rem 0; }
.table-wrap { overflow-x: auto; margin: 1.4rem 0 .4rem; }
table { border-collapse: collapse; font: 13.5px/1.4 "DejaVu Sans", Arial, Helvetica,
  sans-serif; }
table.full { width: 100%; }
table.dense { font-size: 12px; }
table.dense th, table.dense td { padding: .25rem .35rem; }
caption { caption-side: top; text-align: left; padding: 0 0 .5rem; font: 15px/1.4 Georgia,
  "DejaVu Serif", serif; }
th, td { padding: .3rem .6rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid #e1e1e1; }
thead th { border-top: 2px solid #333; border-bottom: 1.5px solid #333; font-weight: bold;
  background: #fafafa; vertical-align: bottom; }
tbody tr:last-child td { border-bottom: 2px solid #333; }
tr.total td { font-weight: bold; border-top: 1.5px solid #333; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
p.note { font-size: .85rem; color: #444; margin: .3rem 0 1rem; }
p.omitted { font-size: .9rem; border-left: 4px solid #b5651d; background: #fbf4ec;
  padding: .6rem .9rem; margin: 1.4rem 0; }
figure { margin: 2rem 0; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .95rem; margin-top: .5rem; }
blockquote { margin: .7rem 0 .9rem 1.2rem; padding: .1rem 0 .1rem 1rem;
  border-left: 3px solid #c8c8c8; font-style: italic; }
.code-path { font: 12px "DejaVu Sans Mono", monospace; color: #777; }
dl.code { display: grid; grid-template-columns: 11rem 1fr; gap: .25rem 1rem; margin: .4rem 0 1rem; }
dl.code dt { font-weight: bold; }
dl.code dd { margin: 0; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px;
  margin-right: .4em; vertical-align: baseline; border: 1px solid rgba(0,0,0,.25); }
footer { margin-top: 3rem; font-size: .85rem; color: #666; }
@page { size: A4; margin: 2cm 2cm 2.2cm; }
@page wide { size: A4 landscape; margin: 1.5cm; }
@media print {
  table { font-size: 8.5pt; }
  table.dense { font-size: 7.5pt; }
  .table-wrap.wide { page: wide; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2, h3, h4 { break-after: avoid; }
  figure, blockquote, dl.code, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: object) -> str:
    return html.escape(_clean(text), quote=True)


def _write_html(report: _Report, path: Path) -> None:
    lang, p = report.lang, report.project
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(p.config.name)} – {_e(_t('report', lang))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(p.config.name)}</h1>",
    ]
    when = fmt_date(report.data_time, lang=lang) if report.data_time else "\u2013"
    parts.append(
        f'<p class="meta">{_e(_t("data_date", lang))}: {_e(when)} '
        f"({_e(_t('data_date_note', lang))})</p>"
    )
    if p.config.description:
        parts.append(f"<p>{_e(p.config.description)}</p>")
    sections = _html_sections(report)
    parts.append(f"<nav><b>{_e(_t('toc', lang))}</b><ol>")
    parts += [f'<li><a href="#{key}">{_e(_t(key, lang))}</a></li>' for key, _ in sections]
    parts.append("</ol></nav>")
    for key, body in sections:
        parts.append(f'<section id="{key}"><h2>{_e(_t(key, lang))}</h2>')
        parts.extend(body)
        parts.append("</section>")
    parts.append(f"<footer>{_e(_t('made_with', lang))} {_e(tymqual.__version__)}</footer>")
    parts += ["</main>", "</body>", "</html>", ""]
    atomic_write_text(path, "\n".join(parts))


def _html_sections(report: _Report) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    for key in ("sec_data", "sec_results", "sec_survey", "sec_integration"):
        body = _html_section_items(report, key)
        if key == "sec_data":
            body.insert(0, f"<p>{_e(_data_summary(report))}</p>")
        if body:
            sections.append((key, body))
    sections.append(("sec_quotes", _html_quotes(report)))
    sections.append(("sec_codebook", _html_codebook(report)))
    sections.append(("sec_methods", _html_methods(report)))
    return sections


def _html_section_items(report: _Report, section: str) -> list[str]:
    body = [f'<p class="omitted">{_e(n)}</p>' for n in report.notes.get(section, [])]
    for table in report.tables:
        if table.section != section:
            continue
        if table.frame is None:
            body += [f'<p class="omitted">{_e(n)}</p>' for n in table.notes]
        else:
            body.append(_html_table(table, report))
        for fig in report.figures:
            if fig.section == section and _figure_follows(fig.key, table.key):
                body.append(_html_figure(fig, report.lang))
    placed = {
        fig.key
        for table in report.tables
        for fig in report.figures
        if _figure_follows(fig.key, table.key)
    }
    for fig in report.figures:
        if fig.section == section and fig.key not in placed:
            body.append(_html_figure(fig, report.lang))
    return body


def _figure_follows(figure_key: str, table_key: str) -> bool:
    """Whether a figure is shown right after a table (the table it illustrates)."""
    return {
        "theme_frequency": "code_frequencies",
        "code_case_heatmap": "code_case_matrix",
        "cooccurrence_heatmap": "co_occurrence",
        "likert_bars": "likert_table",
    }.get(figure_key) == table_key


# Columns the workbook keeps for tracing and filtering but a reader of the page does not need:
# ids, the depth (shown by indentation) and the case total (in the n/N column).
_HTML_HIDDEN = ("coding_id", "depth", "cases_total")


def _html_frame(frame: pd.DataFrame, book: Codebook) -> tuple[pd.DataFrame, list[int]]:
    """The table as the page shows it, and each row's indentation depth (0 without codes).

    Code paths become names where the table has no name column of its own (co-occurrence);
    where it does (or names the categories), the path column goes and its depth indents
    the name.
    """
    out = frame.reset_index(drop=True)
    depths = [0] * len(out)
    if "code_path" in out.columns and ({"code_name", "theme", "main_category"} & set(out.columns)):
        if "code_name" in out.columns:
            depths = [str(path).count("/") for path in out["code_path"]]
        out = out.drop(columns="code_path")
    for column in ("code_a", "code_b"):
        if column in out.columns:
            out[column] = [
                book.resolve(v).name if isinstance(v, str) and v in book else v for v in out[column]
            ]
    # A category level the codebook does not have (the upper category of a two-level tree)
    # would be a column of blanks on the page; the workbook keeps it for a stable layout.
    empty_levels = [
        c for c in ("upper_category", "subcategory")
        if c in out.columns and not out[c].fillna("").astype(str).str.strip().any()
    ]
    hidden = [c for c in (*_HTML_HIDDEN, *empty_levels) if c in out.columns]
    return out.drop(columns=hidden), depths


def _html_table(table: _Table, report: _Report) -> str:
    assert table.frame is not None
    lang = report.lang
    shown_frame, depths = _html_frame(table.frame, report.project.codebook)
    name_col = (
        list(shown_frame.columns).index("code_name") if ("code_name" in shown_frame.columns) else -1
    )
    frame = _relabelled(shown_frame, lang)
    columns = [list(frame.iloc[:, j]) for j in range(frame.shape[1])]
    places = [_decimals(pd.Series(values, dtype=object)) for values in columns]
    shown = [
        [_display(v, d, lang) for v in values] for values, d in zip(columns, places, strict=True)
    ]
    # A table wider than the text column fills it, so long texts wrap instead of overflowing.
    chars = sum(
        min(max(map(_longest_line, [*cells, str(head)])), 40) + 3
        for cells, head in zip(shown, frame.columns, strict=True)
    )
    full = chars > 95
    classes = " ".join(
        ["t", *(["full"] if full else []), *(["dense"] if frame.shape[1] > 8 else [])]
    )
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in frame.columns)
    total = label("total", lang)
    rows = []
    for i in range(len(frame)):
        cells = []
        for j in range(frame.shape[1]):
            attr = ' class="num"' if _is_number(columns[j][i]) else ""
            if j == name_col and depths[i]:
                attr = f' style="padding-left:{0.6 + 1.2 * depths[i]:.1f}rem"'
            cells.append(f"<td{attr}>{_e(shown[j][i]).replace(chr(10), '<br>')}</td>")
        row_attr = ' class="total"' if columns and columns[0][i] == total else ""
        rows.append(f"<tr{row_attr}>{''.join(cells)}</tr>")
    caption = (
        f"<caption><b>{_e(label('table', lang))} {table.number}.</b> {_e(table.caption)}</caption>"
    )
    notes = "".join(f'<p class="note">{_e(label("note", lang))} {_e(n)}</p>' for n in table.notes)
    wrap = "table-wrap wide" if full else "table-wrap"
    return (
        f'<div class="{wrap}" id="table-{table.number}"><table class="{classes}">'
        f"{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"</div>{notes}"
    )


def _html_figure(fig: _Fig, lang: Lang) -> str:
    data = base64.b64encode(fig.svg).decode("ascii")
    caption = f"{label('figure', lang)} {fig.number}. {fig.caption}"
    return (
        f'<figure id="figure-{fig.number}"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{_e(caption)}"><figcaption><b>{_e(label("figure", lang))} {fig.number}.</b> '
        f"{_e(fig.caption)}</figcaption></figure>"
    )


def _data_summary(report: _Report) -> str:
    lang, p = report.lang, report.project
    s = p.summary()
    kinds = p.sources["kind"].value_counts(sort=False)
    which = 0 if lang == "fi" else 1
    kind_text = ", ".join(
        f"{fmt_number(int(n), lang=lang)} {_KIND_WORDS.get(str(k), (str(k), str(k)))[which]}"
        for k, n in sorted(kinds.items(), key=lambda kv: str(kv[0]))
    )
    return _t(
        "data_summary",
        lang,
        sources=fmt_number(s["sources"], lang=lang),
        kinds=kind_text or "\u2013",
        words=fmt_number(s["words"], lang=lang),
        turns=fmt_number(s["turns"], lang=lang),
        cases=fmt_number(s["cases"], lang=lang),
        codes=fmt_number(s["codes"], lang=lang),
        codings=fmt_number(s["codings"], lang=lang),
    )


def _html_quotes(report: _Report) -> list[str]:
    lang, book = report.lang, report.project.codebook
    quotes = report.quotes
    table = report.table("quotes")
    body: list[str] = []
    if quotes is None or quotes.empty:
        return [f"<p>{_e(_t('no_quotes', lang))}</p>"]
    themes: dict[str, list[pd.Series]] = {}
    for _, row in quotes.iterrows():
        themes.setdefault(str(row["code_path"]).split("/")[0], []).append(row)
    for theme, rows in themes.items():
        name = book.resolve(theme).name if theme in book else theme
        body.append(f"<h3>{_e(name)}</h3>")
        current = theme
        for row in rows:
            if str(row["code_path"]) != current:
                current = str(row["code_path"])
                body.append(f"<h4>{_e(row['code_name'])}</h4>")
            body.append(f"<blockquote>{_e(_quote_text(row))}</blockquote>")
    if table is not None and table.number:
        body.append(f'<p class="note">{_e(_t("quotes_in_workbook", lang, n=table.number))}</p>')
    return body


def _html_codebook(report: _Report) -> list[str]:
    lang, book = report.lang, report.project.codebook
    body = []
    head = f"<p><b>{_e(book.name)}</b>"
    if book.version:
        head += f" ({_e(_t('version', lang))} {_e(book.version)})"
    body.append(head + "</p>")
    if book.description:
        body.append(f"<p>{_e(book.description)}</p>")
    body.append(f'<p class="note">{_e(_t("codebook_intro", lang))}</p>')
    body += [_html_figure(f, lang) for f in report.figures if f.section == "sec_codebook"]
    for code in book:
        level = min(code.depth + 3, 6)
        swatch = f'<span class="swatch" style="background:{_e(code.color)}"></span>'
        body.append(
            f"<h{level}>{swatch}{_e(code.name)} "
            f'<span class="code-path">{_e(code.path)}</span></h{level}>'
        )
        items = "".join(
            f"<dt>{_e(name)}</dt><dd>{_e(text) if str(text).strip() else '–'}</dd>"
            for name, text in _guidance(report, code)
        )
        body.append(f'<dl class="code">{items}</dl>')
    return body


def _html_methods(report: _Report) -> list[str]:
    text = _t(
        "methods",
        report.lang,
        min=report.project.config.min_cell_size,
        wpp=WORDS_PER_PAGE,
        version=tymqual.__version__,
    )
    return [f"<p>{_e(para)}</p>" for para in text.split("|")]
