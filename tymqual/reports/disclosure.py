"""The disclosure review every reader table passes before the report shows it.

Three things could point at one interviewee in a small study even with pseudonyms, and the
report withholds each unless ``tymqual.yaml``'s ``disclosure_allow`` gives it with the
author's reason (which the methods section then reports):

``small_cells``
    a table broken down by a case attribute with a group below ``min_cell_size`` (left out;
    :class:`~tymqual.errors.DisclosureError` from :mod:`tymqual.tables`);
``linked_answers``
    each interviewee's own survey answers beside her interview in the summary by case (the
    survey is shown as distributions only);
``interview_details``
    each interview's date, length and mode in the description of the data (summarised
    below the table instead: the months, the total and median length, and the modes only
    when every mode has ``min_cell_size`` interviews).

What is withheld is listed in plain words in the report's data protection section.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tymqual.formatting import Lang, fmt_number
from tymqual.labels import LABELS, label
from tymqual.reports.model import ReportParts
from tymqual.reports.strings import phrase

if TYPE_CHECKING:
    from tymqual.surveys import Survey

_DETAILS = ("date", "duration_min", "interview_mode")
_MONTHS = {
    "fi": (
        "tammi",
        "helmi",
        "maalis",
        "huhti",
        "touko",
        "kesä",
        "heinä",
        "elo",
        "syys",
        "loka",
        "marras",
        "joulu",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def review_interviews(report: ReportParts, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The description of the data without each interview's date, length and mode, and the
    sentences that summarise them (unless ``interview_details`` is allowed)."""
    if "interview_details" in report.allowed:
        return frame, []
    present = [c for c in _DETAILS if c in frame.columns]
    body = frame.iloc[:-1] if len(frame) else frame  # the last row is the total
    if not present or body[present].astype(str).isin(["", "\u2013", "<NA>"]).all().all():
        return frame.drop(columns=present), []
    report.withheld.append(phrase("withheld_interview_details", report.lang))
    return frame.drop(columns=present), _interview_summary(report)


def _interview_summary(report: ReportParts) -> list[str]:
    p, lang = report.project, report.lang
    cases = p.cases
    interviews = p.sources[p.sources["kind"] == "interview"]
    rows = cases[cases["case_id"].isin(set(interviews["case_id"].dropna()))]
    notes = []
    dates = pd.to_datetime(rows.get("interview_date", pd.Series(dtype=str)), errors="coerce")
    minutes = pd.to_numeric(
        rows.get("duration_min", pd.Series(dtype=str)).astype(str).str.replace(",", "."),
        errors="coerce",
    ).dropna()
    if dates.notna().any() and not minutes.empty:
        notes.append(
            phrase(
                "interview_summary",
                lang,
                period=_period(dates.dropna(), lang),
                total=fmt_number(round(float(minutes.sum())), lang=lang),
                median=fmt_number(round(float(minutes.median())), lang=lang),
            )
        )
    if "interview_mode" in rows.columns:
        notes.append(_modes(report, rows["interview_mode"]))
    return [n for n in notes if n]


def _period(dates: pd.Series, lang: Lang) -> str:
    """The months of the interviews: ``loka–marraskuussa 2025`` / ``in October–November 2025``."""
    first, last = dates.min(), dates.max()
    months = _MONTHS[lang]
    if lang == "fi":
        if (first.year, first.month) == (last.year, last.month):
            return f"{months[first.month - 1]}kuussa {first.year}"
        year = f" {first.year}" if first.year != last.year else ""
        return f"{months[first.month - 1]}{year}–{months[last.month - 1]}kuussa {last.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"in {months[first.month - 1]} {first.year}"
    year = f" {first.year}" if first.year != last.year else ""
    return f"in {months[first.month - 1]}{year}–{months[last.month - 1]} {last.year}"


def _modes(report: ReportParts, modes: pd.Series) -> str:
    lang, min_cell = report.lang, report.project.config.min_cell_size
    values = modes.astype(str).str.strip()
    counts = values[values != ""].value_counts(sort=False).sort_index()
    if counts.empty:
        return ""
    if counts.min() < min_cell:
        return phrase("interview_modes_withheld", lang, min=min_cell)
    shown = ", ".join(
        f"{label(str(m), lang).lower() if m in LABELS else m} {fmt_number(int(n), lang=lang)}"
        for m, n in counts.items()
    )
    return phrase("interview_modes", lang, modes=shown)


def review_linked_answers(report: ReportParts, survey: Survey | None) -> Survey | None:
    """The survey whose answers the summary by case may show beside each case: ``survey``
    when ``linked_answers`` is allowed, else None (and the withholding is recorded)."""
    if survey is None or "respondent_id" not in report.project.cases.columns:
        return survey if survey is not None and "linked_answers" in report.allowed else None
    if "linked_answers" in report.allowed:
        return survey
    report.withheld.append(phrase("withheld_linked_answers", report.lang))
    return None


def privacy_paragraphs(report: ReportParts) -> list[str]:
    """The data protection section: what is withheld, what the author allowed and why."""
    lang = report.lang
    out = [phrase("privacy_intro", lang) if report.withheld else phrase("privacy_none", lang)]
    out += [f"\u2013 {item}" for item in report.withheld]
    if report.allowed:
        out.append(phrase("privacy_allowed_intro", lang))
        out += [
            f"\u2013 {phrase(f'allowed_{item}', lang)}: {reason}"
            for item, reason in report.allowed.items()
        ]
    if report.internal and "small_cells" not in report.allowed:
        out.append(phrase("privacy_internal", lang))
    reviewed = "places" not in report.allowed
    out.append(phrase("privacy_free_text" if reviewed else "privacy_free_text_unreviewed", lang))
    return out


def allowed_sentence(report: ReportParts) -> str:
    """The methods section's sentence on what the author chose to show, and why ("" if none)."""
    if not report.allowed:
        return ""
    items = "; ".join(
        f"{phrase(f'allowed_{item}', report.lang).lower()} ({reason})"
        for item, reason in report.allowed.items()
    )
    return phrase("methods_allowed", report.lang, items=items)


def _linking_withheld(report: ReportParts) -> bool:
    """Whether survey answers belong to cases (so could link a person's answers to her
    interview) and the author has not allowed that link to be shown."""
    p = report.project
    has_answers = (p.sources["kind"] == "survey_answer").any()
    return bool(has_answers) and "linked_answers" not in report.allowed


def quote_kinds(report: ReportParts) -> tuple[str, ...] | None:
    """The kinds of source quotes may come from: not survey answers while the link is withheld
    (a quote labelled with the case would tie the answer to the interviewee)."""
    return ("interview", "document") if _linking_withheld(report) else None


def review_analysis_rows(
    report: ReportParts, frame: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """The analysis table with each survey answer's row shown as a survey answer, not as the
    case whose interviewee gave it."""
    if not _linking_withheld(report) or frame.empty:
        return frame, []
    p = report.project
    source_of = p.codings.set_index("coding_id")["source_id"]
    kind_of = p.sources.set_index("source_id")["kind"]
    answer = frame["coding_id"].map(source_of).map(kind_of).eq("survey_answer").to_numpy()
    if not answer.any():
        return frame, []
    out = frame.copy()
    out.loc[answer, "case_id"] = label("survey_answer", report.lang)
    # After the interviews, ordered by category and text: in the case's place, a row would
    # still say whose answer it is.
    answers = out[answer].sort_values(
        ["main_category", "subcategory", "original_expression"], kind="stable"
    )
    out = pd.concat([out[~answer], answers], ignore_index=True)
    return out, [phrase("note_survey_rows", report.lang)]


def quotes_missing(report: ReportParts, quotes: pd.DataFrame) -> list[str]:
    """Per theme, the cases with passages of it but no quote, and the reason: their passages
    of the theme are all in survey answers, which are not quoted under the case."""
    p, lang = report.project, report.lang
    if not _linking_withheld(report):
        return []
    seg = p.segments(status="accepted", coder=list(p.config.analysis_coders) or None)
    kind_of = p.sources.set_index("source_id")["kind"]
    seg = seg.assign(kind=seg["source_id"].map(kind_of))
    notes = []
    for theme in p.codebook.codes:
        keys = {c.key for c in p.codebook.descendants(theme)}
        mine = seg[seg["code"].isin(keys)]
        quoted = set(quotes.loc[quotes["code_path"] == theme.path, "case_id"])
        only_answers = [
            case
            for case, kinds in mine.groupby("case_id", sort=False)["kind"]
            if case not in quoted and set(kinds) == {"survey_answer"}
        ]
        if only_answers:
            cases = ", ".join(p.case_label(str(c)) for c in only_answers)
            notes.append(phrase("quote_missing", lang, theme=theme.name, cases=cases))
    return notes
