"""The codebook appendix (Word): each code's guidance, example and counts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Pt, RGBColor

from tymqual import tables
from tymqual.codebook import Code
from tymqual.formatting import fmt_date, fmt_fraction
from tymqual.labels import label
from tymqual.reports.model import (
    _FALLBACK_DATE,
    _QUOTE_MARKS,
    _clean,
    _display,
    _normalise_zip,
    _quote_text,
    _Report,
)
from tymqual.reports.strings import (
    _t,
)
from tymqual.storage import (
    atomic_write_bytes,
)

# ---------------------------------------------------------------------------- codebook appendix


def _code_counts(report: _Report) -> dict[str, tuple[object, object]]:
    """code_path → (coded segments, cases n/N) from the code_frequencies table."""
    freq = report.freq
    if freq is None or freq.empty:
        return {}
    cases = (
        freq["cases_n_of_N"]
        if "cases_n_of_N" in freq
        else [
            fmt_fraction(k, n, lang=report.lang)
            for k, n in zip(freq["cases"], freq["cases_total"], strict=True)
        ]
    )
    return {
        str(path): (segments, shown)
        for path, segments, shown in zip(freq["code_path"], freq["segments"], cases, strict=True)
    }


def _example(report: _Report, code: Code) -> str:
    """The codebook's example, else the first passage :func:`tables.quotes` picks for the code."""
    if str(code.example).strip():
        text = " ".join(str(code.example).split())
        return text if text.startswith(_QUOTE_MARKS) else f"\u201d{text}\u201d"
    if code.path not in report.examples:
        # Every code without an example of its own at once: one pass over the codings.
        book = report.project.codebook
        wanted = [c.path for c in book if not str(c.example).strip()]
        picked = tables.quotes(report.project, wanted, per_code=1)
        found = {str(row["code_path"]): _quote_text(row)
                 for _, row in picked.drop_duplicates("code_path").iterrows()}
        for path in wanted:
            report.examples[path] = found.get(path, "")
    return report.examples[code.path]



def _guidance(report: _Report, code: Code) -> list[tuple[str, str]]:
    lang = report.lang
    segments, cases = _code_counts(report).get(code.path, (0, "\u2013"))
    counts = _t("counts_text", lang, segments=_display(segments, 0, lang), cases=cases)
    return [
        (label("definition", lang), code.definition),
        (label("use_when", lang), code.use_when),
        (label("do_not_use_when", lang), code.do_not_use_when),
        (label("example", lang), _example(report, code)),
        (_t("counts", lang), counts),
    ]


def _write_docx(report: _Report, path: Path) -> None:
    lang, p = report.lang, report.project
    book = p.codebook
    doc = Document()
    doc.add_heading(_t("appendix_title", lang), level=0)
    head = doc.add_paragraph()
    head.add_run(_clean(book.name or p.config.name)).bold = True
    if book.version:
        head.add_run(f" ({_t('version', lang)} {_clean(book.version)})")
    if book.description:
        doc.add_paragraph(_clean(book.description))
    when = fmt_date(report.data_time, lang=lang) if report.data_time else "\u2013"
    doc.add_paragraph(
        f"{_t('project', lang)}: {_clean(p.config.name)}. {_t('data_date', lang)}: {when}."
    )
    intro = doc.add_paragraph(_t("codebook_intro", lang))
    intro.runs[0].italic = True
    for code in book:
        doc.add_heading(_clean(code.name), level=min(code.depth + 1, 9))
        where = doc.add_paragraph()
        run = where.add_run(f"{_t('path', lang)}: {_clean(code.path)}")
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
        for name, text in _guidance(report, code):
            para = doc.add_paragraph()
            para.add_run(f"{name}: ").bold = True
            body = para.add_run(_clean(text) if str(text).strip() else "\u2013")
            body.italic = name == label("example", lang) and bool(str(text).strip())
    _drop_thumbnail(doc)
    props = doc.core_properties
    when_dt = report.data_time or _FALLBACK_DATE
    props.comments = ""
    props.author = "tymqual"
    props.last_modified_by = "tymqual"
    props.title = _clean(f"{_t('sec_codebook', lang)}: {book.name or p.config.name}")
    props.created = when_dt.replace(tzinfo=None)
    props.modified = when_dt.replace(tzinfo=None)
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    atomic_write_bytes(path, _normalise_zip(buffer.getvalue(), when_dt))


def _drop_thumbnail(doc: Any) -> None:
    """Remove the template's preview image, a picture of some other document."""
    rels = doc.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(r_id)
