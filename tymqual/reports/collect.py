"""Collecting the report: which tables and figures it has, their notes and numbers."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from tymqual import agreement, coverage, figures, tables
from tymqual.autocode import is_machine_coder
from tymqual.errors import DisclosureError
from tymqual.formatting import Lang, fmt_number
from tymqual.labels import LABELS, label
from tymqual.surveys import Survey

if TYPE_CHECKING:
    from tymqual.project import Project

from tymqual.reports.disclosure import (
    quote_kinds,
    quotes_missing,
    review_analysis_rows,
    review_interviews,
    review_linked_answers,
)
from tymqual.reports.model import (
    CASE_FIGURE_LIMIT,
    DATE_LIKE,
    JOINT_QUOTES_MAX,
    NOT_GROUPING,
    QUOTES_PER_CASE,
    WORDS_PER_PAGE,
    ReaderFigure,
    ReaderTable,
    ReportParts,
    reader_frame,
)
from tymqual.reports.places import review_places
from tymqual.reports.strings import (
    phrase,
)


def data_time_of(project: Project) -> dt.datetime | None:
    """The newest ``created`` in the ledger (UTC, whole seconds), or None for an empty ledger."""
    codings = project.codings
    if codings.empty or "created" not in codings.columns:
        return None
    stamps = pd.to_datetime(codings["created"], utc=True, errors="coerce", format="ISO8601")
    newest = stamps.dropna().max()
    if pd.isna(newest):
        return None
    return pd.Timestamp(newest).to_pydatetime().replace(microsecond=0)


def pick_survey(
    project: Project, survey: str | Survey | None, lang: Lang
) -> tuple[Survey | None, str]:
    """(the survey to report or None, a note saying why there is none)."""
    if survey is None:
        return None, phrase("note_survey_skipped", lang)
    if isinstance(survey, Survey):
        return survey, ""
    if survey != "auto":
        return project.survey(survey), ""  # asked for by name: an error is the caller's to see
    surveys = project.surveys
    if len(surveys) == 1:
        return next(iter(surveys.values())), ""
    if surveys:
        return None, phrase(
            "note_many_surveys", lang, n=len(surveys), names=", ".join(sorted(surveys))
        )
    unread = project.skipped[project.skipped["path"].str.startswith("surveys/")]
    if not unread.empty:
        name = Path(str(unread["path"].iloc[0])).name
        return None, phrase("note_survey_failed", lang, name=name)
    return None, phrase("note_no_survey", lang)


# ---------------------------------------------------------------------------- collecting


Step = tuple[str | None, Callable[[], None]]


def _table_step(
    report: ReportParts,
    key: str,
    make: Callable[[], pd.DataFrame],
    *,
    section: str = "sec_results",
    notes: Sequence[str] = (),
    review: Callable[[pd.DataFrame], tuple[pd.DataFrame, list[str]]] | None = None,
) -> Step:
    """The step that makes table ``key``, reviews it and adds it with its notes to the report."""
    lang = report.lang

    def run() -> None:
        frame = review_places(report, key, make())
        extra = frame.attrs.get("note")
        all_notes = [*notes, *([str(extra)] if extra else [])]
        if frame.empty:
            all_notes.insert(0, phrase("note_empty", lang))
        if key == "code_frequencies":
            report.freq = frame
        if key == "quotes":
            report.quotes = frame
        if review is not None:
            frame, more = review(frame)
            all_notes += more
        shown, depths = reader_frame(key, frame, report.project.codebook)
        report.tables.append(
            ReaderTable(
                key,
                phrase(key, lang),
                phrase(f"sheet_{key}", lang),
                shown,
                all_notes,
                section,
                depths=depths,
            )
        )

    return phrase(f"sheet_{key}", lang), run


def collect_table_steps(
    report: ReportParts, survey: Survey | None, allow_small_cells: bool
) -> list[Step]:
    p, lang = report.project, report.lang
    min_cell = p.config.min_cell_size
    report.allowed = dict(p.config.disclosure_allow)
    report.internal = allow_small_cells
    small_ok = allow_small_cells or "small_cells" in report.allowed
    add = functools.partial(_table_step, report)
    steps: list[Step] = [
        add(
            "data_description",
            lambda: tables.data_description(p, words_per_page=WORDS_PER_PAGE, lang=lang),
            section="sec_data",
            notes=[phrase("note_pages", lang, wpp=WORDS_PER_PAGE)],
            review=lambda frame: review_interviews(report, frame),
        ),
        add(
            "code_frequencies",
            lambda: tables.code_frequencies(p, rollup=True, lang=lang),
            notes=[
                phrase("note_rollup", lang),
                *_coders_note(p, lang),
                *filter(None, [orphaned_note(p, lang)]),
            ],
        ),
    ]
    attribute = grouping_attribute(p.cases)
    if attribute is not None:
        steps.append(_breakdown_step(report, attribute, small_ok, min_cell))
    steps += [
        add("code_case_matrix", lambda: tables.code_case_matrix(p, rollup=True, lang=lang)),
        add("co_occurrence", lambda: tables.co_occurrence(p)),
    ]
    steps += _agreement_steps(report)
    steps += [
        add(
            "analysis_table",
            lambda: tables.analysis_table(p),
            review=lambda frame: review_analysis_rows(report, frame),
        ),
    ]
    return steps + _survey_steps(report, survey) + _closing_steps(report, survey)


def _agreement_steps(report: ReportParts) -> list[Step]:
    """Two people's agreement, and a person's with the machine coder, where the ledger has them."""
    p, lang = report.project, report.lang
    add = functools.partial(_table_step, report)
    steps: list[Step] = []
    pair = _coder_pair(p)
    if pair is not None:
        notes = [phrase("note_agreement", lang), phrase("note_rigour", lang)]
        steps.append(add("agreement", lambda: _reliability(p, pair, lang), notes=notes))
    machine = _machine_pair(p)
    if machine is not None:
        named = _machine_name(machine[1], lang)
        notes = [phrase("note_machine", lang, a=machine[0], machine=named),
                 phrase("note_rigour", lang)]
        steps.append(add("agreement_machine", lambda: _reliability(p, machine, lang), notes=notes))
    return steps


def _survey_steps(report: ReportParts, survey: Survey | None) -> list[Step]:
    """The Likert table and the joint display, when there is a survey."""
    if survey is None:
        return []
    p, lang = report.project, report.lang
    return [
        _table_step(
            report,
            "likert_table",
            lambda: tables.likert_table(survey, lang=lang),
            section="sec_survey",
        ),
        _table_step(
            report,
            "joint_display",
            lambda: tables.joint_display(
                p, survey, lang=lang, quote_kinds=quote_kinds(report), max_quotes=JOINT_QUOTES_MAX
            ),
            section="sec_integration",
            review=lambda frame: (frame, _joint_notes(frame, survey, lang)),
        ),
    ]


def _closing_steps(report: ReportParts, survey: Survey | None) -> list[Step]:
    """The case summary and the quotes, the last tables of the report."""
    p, lang = report.project, report.lang
    linked = review_linked_answers(report, survey)
    return [
        _table_step(
            report,
            "case_summary",
            lambda: _theme_names(p, tables.case_summary(p, survey=linked, lang=lang)),
            section="sec_integration",
        ),
        _table_step(
            report,
            "quotes",
            lambda: tables.quotes(
                p,
                [c.key for c in p.codebook.codes],
                per_code=None,
                per_case=QUOTES_PER_CASE,
                kinds=quote_kinds(report),
            ),
            section="sec_quotes",
            review=lambda frame: (frame, quotes_missing(report, frame)),
        ),
    ]


def _joint_notes(frame: pd.DataFrame, survey: Survey, lang: Lang) -> list[str]:
    """The joint display's legend, its fit categories and what the meta-inference is."""
    linked = [i for cell in frame["items"] for i in str(cell).split(", ") if i]
    legend = tables.likert_legend(survey, linked or _likert_ids(survey), lang)
    quotes = phrase("joint_quotes", lang)
    having = frame["cases_n_of_N"].astype(str).str.split("/").str[0]
    if pd.to_numeric(having, errors="coerce").max() > JOINT_QUOTES_MAX:
        quotes = phrase("joint_quotes_capped", lang, n=JOINT_QUOTES_MAX)
    return [
        phrase("joint_legend", lang, legend=legend),
        phrase("joint_fit", lang),
        quotes,
        phrase("joint_meta", lang),
    ]


def _likert_ids(survey: Survey) -> list[str]:
    items = survey.items
    return list(items.loc[items["type"] == "likert", "item_id"])


def orphaned_note(p: Project, lang: Lang) -> str:
    """The reader's note on accepted codings whose key the codebook lacks, or ""."""
    orphaned = p.orphaned_codings()
    counts = orphaned.loc[orphaned["status"] == "accepted", "code"].value_counts(sort=False)
    if counts.empty:
        return ""
    counts = counts.sort_index()
    keys = ", ".join(f"{key} ({fmt_number(int(n), lang=lang)})" for key, n in counts.items())
    marker = "ei koodikirjassa" if lang == "fi" else "not in codebook"
    return phrase(
        "note_orphaned", lang, n=fmt_number(int(counts.sum()), lang=lang), keys=keys, marker=marker
    )


def _coders_note(p: Project, lang: Lang) -> list[str]:
    """Say whose codings the tables count when more than one person coded."""
    if p.config.analysis_coders:
        return [phrase("note_coders_chosen", lang, coders=", ".join(p.config.analysis_coders))]
    pair = _coder_pair(p)
    if pair is None:
        return []
    people = sorted(set(p.codings.loc[p.codings["status"] == "accepted", "coder"]) - {""})
    return [phrase("note_coders_all", lang, coders=", ".join(people))]


def _coder_pair(p: Project) -> tuple[str, str] | None:
    """The two human coders to compare, when the ledger has at least two."""
    coders = p.codings.loc[p.codings["status"] == "accepted", "coder"]
    people = sorted(c for c in set(coders) - {"", "consensus"} if not is_machine_coder(c))
    return (people[0], people[1]) if len(people) >= 2 else None


def _machine_pair(p: Project) -> tuple[str, str] | None:
    """A person and the machine coder to hold to the same standard, when the ledger has both:
    the first person of the pair compared (else the only person) and the first machine."""
    codings = p.codings
    machines = sorted(c for c in set(codings["coder"]) if is_machine_coder(c))
    people = sorted(
        c
        for c in set(codings.loc[codings["status"] == "accepted", "coder"]) - {"", "consensus"}
        if not is_machine_coder(c)
    )
    return (people[0], machines[0]) if machines and people else None


def _machine_name(coder: str, lang: Lang) -> str:
    """A machine coder's name in reader words: the method, its model and the version."""
    method, _, rest = coder.partition(":")
    model, _, release = rest.partition("@")
    words = [phrase(f"machine_{method}", lang)]
    if model:
        words.append(f"{phrase('machine_model', lang)} {model}")
    if release:
        words.append(release.replace("tymqual-", "tymqual "))
    return ", ".join(words)


def _reliability(p: Project, coders: tuple[str, str], lang: Lang) -> pd.DataFrame:
    """The reliability table with a machine coder named in reader words in its note."""
    frame = agreement.reliability_table(p, coders, lang=lang)
    if is_machine_coder(coders[1]):
        frame.attrs["note"] = str(frame.attrs["note"]).replace(
            coders[1], _machine_name(coders[1], lang)
        )
    return frame


def _breakdown_step(
    report: ReportParts, attribute: str, allow_small_cells: bool, min_cell: int
) -> Step:
    p, lang = report.project, report.lang
    shown = label(attribute, lang).lower() if attribute in LABELS else attribute
    caption = phrase("by_attribute", lang, attr=shown)
    sheet = phrase("sheet_by_attribute", lang, attr=shown)

    def run() -> None:
        try:
            frame = tables.code_frequencies(
                p, by=attribute, rollup=True, allow_small_cells=allow_small_cells, lang=lang
            )
        except DisclosureError:
            note = phrase("note_refused", lang, min=min_cell, attr=shown)
            report.tables.append(ReaderTable("by_attribute", caption, sheet, None, [note]))
            report.withheld.append(
                phrase("withheld_small_cells", lang, caption=caption, min=min_cell, attr=shown)
            )
            return
        notes = [phrase("note_rollup", lang)]
        if allow_small_cells and "small_cells" not in report.allowed:
            notes.append(phrase("note_small_allowed", lang, min=min_cell))
        shown_frame, depths = reader_frame("by_attribute", frame, p.codebook)
        report.tables.append(
            ReaderTable("by_attribute", caption, sheet, shown_frame, notes, depths=depths)
        )

    return sheet, run


def _theme_names(p: Project, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with columns named by a theme's key renamed to the theme's name."""
    names = {c.key: c.name for c in p.codebook.codes}
    return frame.rename(columns=lambda c: names.get(c, c) if isinstance(c, str) else c)


def grouping_attribute(cases: pd.DataFrame) -> str | None:
    """The case attribute to break codes down by: ``region`` if there is one, else the first
    attribute that groups cases (not an id, label, date or number) and has two values or more.
    """
    candidates = [
        c for c in cases.columns if str(c) not in NOT_GROUPING and not DATE_LIKE.search(str(c))
    ]
    for column in sorted(candidates, key=lambda c: c != "region"):
        values = cases[column].astype(str).str.strip()
        values = values[values != ""]
        numeric = pd.to_numeric(values.str.replace(",", "."), errors="coerce").notna().all()
        if values.nunique() >= 2 and not numeric:
            return str(column)
    return None


def collect_figure_steps(report: ReportParts, survey: Survey | None, folder: Path) -> list[Step]:
    p, lang = report.project, report.lang
    n_cases = len(p.cases) or len(p.source_ids)  # without cases.csv rows, a source is a case
    by_case = n_cases <= CASE_FIGURE_LIMIT
    makers: list[tuple[str, str, Callable[[], Figure]]] = [
        (
            "theme_frequency",
            "sec_results",
            lambda: figures.theme_frequency(p, by="case" if by_case else None, lang=lang),
        ),
    ]
    if by_case and len(coverage.saturation(p)) >= 2:
        makers.insert(
            0, ("saturation_curve", "sec_data", lambda: figures.saturation_curve(p, lang=lang))
        )
    if by_case:
        makers.append(
            ("code_case_heatmap", "sec_results", lambda: figures.code_case_heatmap(p, lang=lang))
        )
    else:
        note = phrase("note_many_cases", lang, n=n_cases, limit=CASE_FIGURE_LIMIT)
        report.notes.setdefault("sec_results", []).append(note)
    makers.append(
        ("cooccurrence_heatmap", "sec_results", lambda: figures.cooccurrence_heatmap(p, lang=lang))
    )
    if survey is not None:
        makers.append(("likert_bars", "sec_survey", lambda: figures.likert_bars(survey, lang=lang)))
    makers.append(("code_tree", "sec_codebook", lambda: figures.code_tree(p.codebook, lang=lang)))

    def step(position: int, key: str, section: str, make: Callable[[], Figure]) -> Step:
        text = key if by_case or key != "theme_frequency" else "theme_totals"

        def run() -> None:
            fig = make()
            # A thesis figure carries its name in the numbered caption below it, so the
            # title drawn inside the figure (left-aligned on every figure) would repeat it.
            for ax in fig.axes:
                ax.set_title("", loc="left")
            stem = f"{phrase('figure_stem', lang)}{position}_{phrase(f'stem_{text}', lang)}"
            paths = figures.save_figure(fig, folder / stem)
            svg = next(path for path in paths if path.suffix == ".svg").read_bytes()
            report.figures.append(
                ReaderFigure(key, phrase(f"fig_{text}", lang), section, svg, paths)
            )

        return f"{phrase('figure_stem', lang)}{position}", run

    return [step(i, key, section, make) for i, (key, section, make) in enumerate(makers, 1)]


def number_items(report: ReportParts) -> Callable[[], None]:
    """Number tables and figures in the order the HTML shows them (quotes last)."""
    order = [
        "sec_data",
        "sec_results",
        "sec_survey",
        "sec_integration",
        "sec_quotes",
        "sec_codebook",
    ]

    def run() -> None:
        report.tables.sort(key=lambda t: order.index(t.section))
        n = 0
        for table in report.tables:
            if table.frame is not None:
                n += 1
                table.number = n
        report.figures.sort(key=lambda f: order.index(f.section))
        for i, fig in enumerate(report.figures, 1):
            fig.number = i

    return run
