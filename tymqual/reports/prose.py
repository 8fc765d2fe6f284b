"""The report's running text: the data summary, the methods and the technical appendix."""

from __future__ import annotations

import platform

import tymqual
from tymqual.formatting import fmt_date, fmt_number
from tymqual.reports.disclosure import allowed_sentence
from tymqual.reports.model import QUOTES_PER_CASE, WORDS_PER_PAGE, ReportParts
from tymqual.reports.strings import KIND_WORDS, phrase


def data_summary(report: ReportParts) -> str:
    """One paragraph of counts, each defined as in the tables: the interviews' words are
    Table 1's total; the words of open survey answers and documents are said apart."""
    lang, p = report.lang, report.project
    s = p.summary()
    kinds = p.sources["kind"].value_counts(sort=False)
    which = 0 if lang == "fi" else 1
    kind_text = ", ".join(
        f"{fmt_number(int(n), lang=lang)} {KIND_WORDS.get(str(k), (str(k), str(k)))[which]}"
        for k, n in sorted(kinds.items(), key=lambda kv: str(kv[0]))
    )
    by_kind = s["words_by_kind"]
    interview_words = by_kind.get("interview", 0)
    others = [k for k in ("survey_answer", "document") if by_kind.get(k)]
    other_words = ""
    if others:
        where = f" {phrase('and', lang)} ".join(phrase(f"words_{k}", lang) for k in others)
        words = fmt_number(sum(by_kind[k] for k in others), lang=lang)
        other_words = phrase("other_words", lang, where=where, words=words)
    table = report.table("data_description")
    return phrase(
        "data_summary",
        lang,
        sources=fmt_number(s["sources"], lang=lang),
        kinds=kind_text or "\u2013",
        interview_words=fmt_number(interview_words, lang=lang),
        table=table.number if table is not None and table.number else "\u2013",
        other_words=other_words,
        cases=fmt_number(s["cases"], lang=lang),
        codes=fmt_number(s["codes"], lang=lang),
        codings=fmt_number(s["codings"], lang=lang),
        passages=fmt_number(s["passages"], lang=lang),
    )


def methods_paragraphs(report: ReportParts) -> list[str]:
    text = phrase(
        "methods",
        report.lang,
        min=report.project.config.min_cell_size,
        wpp=WORDS_PER_PAGE,
        per_case=QUOTES_PER_CASE,
        allowed=allowed_sentence(report),
    )
    return text.split("|")


def technical_paragraphs(report: ReportParts) -> list[str]:
    """Offsets, the codebook's version and history, and the software, in reader language."""
    lang, p = report.lang, report.project
    book = p.codebook
    codebook = book.name or p.config.name
    if book.version:
        codebook += f", {phrase('version', lang)} {book.version}"
    history = p.ledger.history
    commits = history.commits() if history is not None and history.exists() else []
    history_text = ""
    if commits:
        first, last = (fmt_date(c.time[:10], lang=lang) for c in (commits[0], commits[-1]))
        history_text = phrase(
            "technical_history", lang, n=fmt_number(len(commits), lang=lang), first=first, last=last
        )
    text = phrase(
        "technical",
        lang,
        codebook=codebook,
        history=history_text,
        version=tymqual.__version__,
        python=platform.python_version(),
    )
    return text.split("|")
