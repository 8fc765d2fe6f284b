"""The self-contained HTML report: one page, figures embedded, print styles for A4."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

import tymqual
from tymqual.formatting import Lang, fmt_date
from tymqual.labels import label
from tymqual.reports.appendix import (
    code_guidance,
)
from tymqual.reports.disclosure import privacy_paragraphs
from tymqual.reports.model import (
    ReaderFigure,
    ReaderTable,
    ReportParts,
    clean_cell,
    decimals,
    display_value,
    is_number,
    longest_line,
    quote_text,
    relabelled,
)
from tymqual.reports.prose import data_summary, methods_paragraphs, technical_paragraphs
from tymqual.reports.strings import (
    phrase,
)
from tymqual.storage import (
    atomic_write_text,
)

# ---------------------------------------------------------------------------- HTML

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: #1b1b1b; font: 16px/1.55 Georgia, "DejaVu Serif",
  "Times New Roman", serif; overflow-wrap: break-word; }
main { max-width: 84rem; margin: 0 auto; padding: 2.5rem 1.75rem 4rem; }
/* Prose keeps a readable line length; tables and figures may use the full width. */
main p, blockquote, dl.code, nav, h3, h4, ul { max-width: 50rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .3rem; }
h2 { font-size: 1.45rem; margin: 2.8rem 0 .8rem; padding-bottom: .25rem;
  border-bottom: 1px solid #c8c8c8; }
h3 { font-size: 1.15rem; margin: 1.8rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.meta { color: #555; margin: 0 0 1rem; }
nav ol { padding-left: 1.4rem; margin: .3rem 0; }
nav { background: #f6f6f4; padding: .8rem 1.2rem; border-radius: 4px; margin: 1.5rem 0; }
.table-wrap { margin: 1.4rem 0 .4rem; }
table { border-collapse: collapse; font: 13.5px/1.4 "DejaVu Sans", Arial, Helvetica,
  sans-serif; }
table.full { width: 100%; }
table.dense { font-size: 12px; }
table.dense th, table.dense td { padding: .25rem .35rem; }
caption { caption-side: top; text-align: left; padding: 0 0 .5rem; font: 15px/1.4 Georgia,
  "DejaVu Serif", serif; }
th, td { padding: .3rem .6rem; text-align: left; vertical-align: top;
  border-bottom: 1px solid #e1e1e1; overflow-wrap: break-word; }
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
blockquote .sub { font-style: normal; font-size: .85rem; color: #666; }
dl.code { display: grid; grid-template-columns: minmax(6rem, 11rem) minmax(0, 1fr);
  gap: .25rem 1rem; margin: .4rem 0 1rem; }
dl.code dt { font-weight: bold; }
dl.code dd { margin: 0; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px;
  margin-right: .4em; vertical-align: baseline; border: 1px solid rgba(0,0,0,.25); }
footer { margin-top: 3rem; font-size: .85rem; color: #666; }
/* A table that does not fit the window is read row by row: each row a block, each cell
   labelled with its column, so nothing scrolls sideways. A wide table (one filling the text
   column) turns so below 80rem, every table below 48rem. */
@media screen and (max-width: 80rem) {
@@WIDE@@
}
@media screen and (max-width: 48rem) {
  main { padding: 1.2rem .9rem 3rem; }
  h1 { font-size: 1.5rem; }
@@ALL@@
  dl.code { grid-template-columns: minmax(0, 1fr); }
  dl.code dd { margin-bottom: .4rem; }
  blockquote { margin-left: .3rem; padding-left: .7rem; }
}
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
  a { color: inherit; text-decoration: none; }
}
"""


def _row_by_row(scope: str) -> str:
    """CSS that lays the tables under ``scope`` out row by row (see _CSS)."""
    rules = (
        "table, table caption, table tbody, table tr, table td { display: block; width: 100%; }",
        "table thead { display: none; }",
        "table tr { border-bottom: 1.5px solid #999; padding: .35rem 0; }",
        "table td { border: 0; padding: .15rem 0; white-space: normal; text-align: left; }",
        "table td.num { text-align: left; white-space: normal; }",
        'table td[data-label]::before { content: attr(data-label) ": "; font-weight: bold; }',
        "table td[style] { padding-left: 0 !important; }",
    )
    out = []
    for rule in rules:
        selectors, body = rule.split(" {", 1)
        scoped = ", ".join(f"{scope} {sel.strip()}" for sel in selectors.split(","))
        out.append(f"  {scoped} {{{body}")
    return "\n".join(out)


_CSS = _CSS.replace("@@WIDE@@", _row_by_row(".table-wrap.wide")).replace(
    "@@ALL@@", _row_by_row(".table-wrap")
)


def _e(text: object) -> str:
    return html.escape(clean_cell(text), quote=True)


def write_html(report: ReportParts, path: Path) -> None:
    lang, p = report.lang, report.project
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(p.config.name)} – {_e(phrase('report', lang))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_e(p.config.name)}</h1>",
    ]
    when = fmt_date(report.data_time, lang=lang) if report.data_time else "\u2013"
    parts.append(
        f'<p class="meta">{_e(phrase("data_date", lang))}: {_e(when)} '
        f"({_e(phrase('data_date_note', lang))})</p>"
    )
    if p.config.description:
        parts.append(f"<p>{_e(p.config.description)}</p>")
    sections = _html_sections(report)
    parts.append(f"<nav><b>{_e(phrase('toc', lang))}</b><ol>")
    parts += [f'<li><a href="#{key}">{_e(phrase(key, lang))}</a></li>' for key, _ in sections]
    parts.append("</ol></nav>")
    for key, body in sections:
        parts.append(f'<section id="{key}"><h2>{_e(phrase(key, lang))}</h2>')
        parts.extend(body)
        parts.append("</section>")
    parts.append(f"<footer>{_e(phrase('made_with', lang))} {_e(tymqual.__version__)}</footer>")
    parts += ["</main>", "</body>", "</html>", ""]
    atomic_write_text(path, "\n".join(parts))


def _html_sections(report: ReportParts) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    for key in ("sec_data", "sec_results", "sec_survey", "sec_integration"):
        body = _html_section_items(report, key)
        if key == "sec_data":
            body.insert(0, f"<p>{_e(data_summary(report))}</p>")
        if body:
            sections.append((key, body))
    sections.append(("sec_quotes", _html_quotes(report)))
    sections.append(("sec_codebook", _html_codebook(report)))
    sections.append(("sec_privacy", _paragraphs(privacy_paragraphs(report))))
    sections.append(("sec_methods", _paragraphs(methods_paragraphs(report))))
    sections.append(("sec_technical", _paragraphs(technical_paragraphs(report))))
    return sections


def _paragraphs(texts: list[str]) -> list[str]:
    """Paragraphs; a run of lines that open with a dash becomes a list."""
    body: list[str] = []
    items: list[str] = []
    for text in [*texts, ""]:
        if text.startswith("\u2013 "):
            items.append(f"<li>{_e(text[2:])}</li>")
            continue
        if items:
            body.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if text:
            body.append(f"<p>{_e(text)}</p>")
    return body


def _html_section_items(report: ReportParts, section: str) -> list[str]:
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


def _html_table(table: ReaderTable, report: ReportParts) -> str:
    assert table.frame is not None
    lang = report.lang
    depths = table.depths or [0] * len(table.frame)
    name_col = (
        list(table.frame.columns).index("code_name") if "code_name" in table.frame.columns else -1
    )
    frame = relabelled(table.frame, lang)
    columns = [list(frame.iloc[:, j]) for j in range(frame.shape[1])]
    places = [decimals(pd.Series(values, dtype=object)) for values in columns]
    shown = [
        [display_value(v, d, lang) for v in values]
        for values, d in zip(columns, places, strict=True)
    ]
    # A table wider than the text column fills it, so long texts wrap instead of overflowing.
    chars = sum(
        min(max(map(longest_line, [*cells, str(head)])), 40) + 3
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
            attr = ' class="num"' if is_number(columns[j][i]) else ""
            if j == name_col and depths[i]:
                attr = f' style="padding-left:{0.6 + 1.2 * depths[i]:.1f}rem"'
            head_j = _e(frame.columns[j])
            cells.append(
                f'<td data-label="{head_j}"{attr}>{_e(shown[j][i]).replace(chr(10), "<br>")}</td>'
            )
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


def _html_figure(fig: ReaderFigure, lang: Lang) -> str:
    data = base64.b64encode(fig.svg).decode("ascii")
    caption = f"{label('figure', lang)} {fig.number}. {fig.caption}"
    return (
        f'<figure id="figure-{fig.number}"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{_e(caption)}"><figcaption><b>{_e(label("figure", lang))} {fig.number}.</b> '
        f"{_e(fig.caption)}</figcaption></figure>"
    )


def _html_quotes(report: ReportParts) -> list[str]:
    lang = report.lang
    quotes = report.quotes
    table = report.table("quotes")
    if quotes is None or quotes.empty:
        return [f"<p>{_e(phrase('no_quotes', lang))}</p>"]
    body: list[str] = []
    for _, rows in quotes.groupby("code_path", sort=False):
        body.append(f"<h3>{_e(rows['code_name'].iloc[0])}</h3>")
        for _, row in rows.iterrows():
            sub = str(row["coded_name"])
            tail = f' <span class="sub">\u2013 {_e(sub)}</span>' if sub != row["code_name"] else ""
            body.append(f"<blockquote>{_e(quote_text(row))}{tail}</blockquote>")
    if table is not None:
        body += [f'<p class="note">{_e(n)}</p>' for n in table.notes]
        if table.number:
            body.append(
                f'<p class="note">{_e(phrase("quotes_in_workbook", lang, n=table.number))}</p>'
            )
    return body


def _html_codebook(report: ReportParts) -> list[str]:
    lang, book = report.lang, report.project.codebook
    body = []
    head = f"<p><b>{_e(book.name)}</b>"
    if book.version:
        head += f" ({_e(phrase('version', lang))} {_e(book.version)})"
    body.append(head + "</p>")
    if book.description:
        body.append(f"<p>{_e(book.description)}</p>")
    body.append(f'<p class="note">{_e(phrase("codebook_intro", lang))}</p>')
    body += [_html_figure(f, lang) for f in report.figures if f.section == "sec_codebook"]
    for code in book:
        level = min(code.depth + 3, 6)
        swatch = f'<span class="swatch" style="background:{_e(code.color)}"></span>'
        body.append(f"<h{level}>{swatch}{_e(code.name)}</h{level}>")
        items = "".join(
            f"<dt>{_e(name)}</dt><dd>{_e(text) if str(text).strip() else '–'}</dd>"
            for name, text in code_guidance(report, code)
        )
        body.append(f'<dl class="code">{items}</dl>')
    return body
