"""What a survey export held and what :func:`tymqual.surveys.read_survey` made of each column.

For the researcher about to add an export to ``surveys/``: ``tymqual inspect FILE`` prints a
:class:`SurveyReport` before the file enters the project, ``Survey.report`` keeps it, and
``Project.survey_reports()`` lists one per survey. It holds counts and column headers only,
never an answer, so it is safe to print and to share.

Roles of a column (``SurveyColumn.role``)
    ``id`` the respondent id; ``item`` part of a question (a multiple-choice question has one
    column per option); ``metadata`` kept in ``Survey.metadata`` (timestamps, completion,
    duration, language); ``identifier`` dropped because it identifies a person (e-mail, name,
    IP address, location, token); ``dropped`` left out for the stated reason (an empty column
    without a header, a timing column).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

Role = Literal["id", "item", "metadata", "identifier", "dropped"]
ROLES: tuple[Role, ...] = ("id", "item", "metadata", "identifier", "dropped")


@dataclass(frozen=True)
class SurveyColumn:
    """One column (SPSS/Stata: one variable) of the export and what became of it."""

    column: str
    where: str
    role: Role
    item_id: str = ""
    reason: str = ""


@dataclass(frozen=True)
class SurveyItem:
    """One item as read: its id, type, options (a Likert item's scale) and number of columns."""

    item_id: str
    type: str
    question: str
    options: tuple[str, ...] = ()
    columns: int = 1


@dataclass(frozen=True)
class SurveyReport:
    """The load report of one survey export: counts, each column's role, notes.

    ``rows`` counts the non-empty rows of the sheet (SPSS/Stata: cases), ``header_rows`` those
    that are headers, so ``rows - header_rows`` data rows became ``respondents``.
    ``incomplete`` counts respondents the export marks as not finished (LimeSurvey: no
    ``submitdate``; Qualtrics: ``Finished`` 0/False): they are kept, and the survey tables
    leave them out with a note; ``test_responses`` counts Qualtrics previews, test runs and
    spam (``Status``), treated alike. ``id_column`` is None when respondents are numbered by their
    row. ``open_answers`` counts non-empty answers to open questions. ``notes`` says, one
    sentence each, what was repaired or left out (the same sentences were warned).
    """

    path: Path
    source_format: str
    rows: int
    header_rows: int
    respondents: int
    columns: tuple[SurveyColumn, ...] = ()
    items: tuple[SurveyItem, ...] = ()
    open_answers: int = 0
    incomplete: int = 0
    test_responses: int = 0
    id_column: str | None = None
    sheet: str | None = None
    notes: tuple[str, ...] = field(default=())

    # ------------------------------------------------------------------ views
    def role(self, role: Role) -> tuple[SurveyColumn, ...]:
        """The columns with ``role`` (one of :data:`ROLES`), in file order."""
        return tuple(c for c in self.columns if c.role == role)

    @property
    def likert(self) -> dict[str, tuple[str, ...]]:
        """Each Likert item's id and its scale, lowest label first."""
        return {i.item_id: i.options for i in self.items if i.type == "likert"}

    @property
    def open_items(self) -> tuple[str, ...]:
        return tuple(i.item_id for i in self.items if i.type == "open_text")

    @property
    def metadata(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.role("metadata"))

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.role("identifier"))

    @property
    def dropped(self) -> tuple[tuple[str, str], ...]:
        """``(column, reason)`` of every column left out that is not an identifier."""
        return tuple((c.column, c.reason) for c in self.role("dropped"))

    def frame(self) -> pd.DataFrame:
        """One row per column of the file: column, where, role, item_id, type, options, reason."""
        types = {i.item_id: (i.type, len(i.options)) for i in self.items}
        rows = [
            {
                "column": c.column,
                "where": c.where,
                "role": c.role,
                "item_id": c.item_id,
                "type": types.get(c.item_id, ("", 0))[0],
                "options": types.get(c.item_id, ("", 0))[1],
                "reason": c.reason,
            }
            for c in self.columns
        ]
        columns = ["column", "where", "role", "item_id", "type", "options", "reason"]
        return pd.DataFrame(rows, columns=columns).astype({"options": "int64"})

    def __str__(self) -> str:
        sheet = f", sheet {self.sheet!r}" if self.sheet is not None else ""
        data_rows = self.rows - self.header_rows
        rows = (f"{data_rows} data rows below {self.header_rows} header rows"
                if self.header_rows else f"{data_rows} cases")
        lines = [
            f"{self.path} ({self.source_format}{sheet}): {self.respondents} respondents from "
            f"{rows}; {len(self.columns)} columns",
            "  id: " + (f"{self.id_column}" if self.id_column else "row numbers (no id column)"),
        ]
        if self.incomplete:
            lines.append(f"  incomplete responses: {self.incomplete} (kept; left out of tables)")
        if self.test_responses:
            lines.append(f"  preview, test and spam responses: {self.test_responses} (kept; left "
                         "out of tables)")
        lines += [self._items_line(kind, name) for kind, name in _ITEM_KINDS]
        lines.append(f"  open answers: {self.open_answers}")
        for role, name in _KEPT_AND_GONE:
            shown = ", ".join(f"{c.column} ({c.where})" for c in self.role(role))
            lines.append(f"  {name} ({len(self.role(role))}): {shown or '-'}")
        for column in self.role("dropped"):
            lines.append(f"  dropped: {column.column or '(no header)'} ({column.where}): "
                         f"{column.reason}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def _items_line(self, kind: str, name: str) -> str:
        chosen = [i for i in self.items if i.type == kind]
        if kind in {"likert", "single_choice", "multiple_choice"}:
            shown = ", ".join(f"{i.item_id} ({len(i.options)} options)" for i in chosen)
        else:
            shown = ", ".join(i.item_id for i in chosen)
        return f"  {name} ({len(chosen)}): {shown or '-'}"

    # ------------------------------------------------------------------ the cache
    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values (the parse cache stores it so)."""
        data = asdict(self)
        data["path"] = str(self.path)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: Path) -> SurveyReport:
        """The report :meth:`to_dict` gave, for the file now at ``path``."""
        values = dict(data)
        values["path"] = path
        values["columns"] = tuple(SurveyColumn(**c) for c in values.get("columns", ()))
        values["items"] = tuple(
            SurveyItem(**{**i, "options": tuple(i.get("options", ()))})
            for i in values.get("items", ())
        )
        values["notes"] = tuple(values.get("notes", ()))
        return cls(**values)


def survey_summary(reports: Mapping[str, SurveyReport]) -> pd.DataFrame:
    """One row per report, by name: the counts of :meth:`Project.survey_reports`."""
    rows = [
        {
            "survey": name,
            "file": r.path.name,
            "format": r.source_format,
            "respondents": r.respondents,
            "incomplete": r.incomplete,
            "test_responses": r.test_responses,
            "items": len(r.items),
            "likert": len(r.likert),
            "open_answers": r.open_answers,
            "metadata": len(r.metadata),
            "identifiers": len(r.identifiers),
            "dropped": len(r.dropped),
            "notes": "; ".join(r.notes),
        }
        for name, r in reports.items()
    ]
    frame = pd.DataFrame(rows, columns=_SUMMARY_COLUMNS)
    return frame.astype({c: "int64" for c in _SUMMARY_COLUMNS[3:-1]})


_SUMMARY_COLUMNS = ["survey", "file", "format", "respondents", "incomplete", "test_responses",
                    "items", "likert", "open_answers", "metadata", "identifiers", "dropped",
                    "notes"]
_KEPT_AND_GONE: tuple[tuple[Role, str], ...] = (
    ("metadata", "metadata kept"), ("identifier", "identifiers dropped"),
)
_ITEM_KINDS = (
    ("likert", "Likert items"),
    ("single_choice", "single choice"),
    ("multiple_choice", "multiple choice"),
    ("numeric", "numeric"),
    ("open_text", "open questions"),
)

__all__ = ["ROLES", "Role", "SurveyColumn", "SurveyItem", "SurveyReport", "survey_summary"]
