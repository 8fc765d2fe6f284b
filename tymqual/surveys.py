"""Survey exports read into one tidy shape: one row per respondent, one described item per question.

For researchers who pair interviews with a questionnaire: :func:`read_survey` reads a Webropol,
Microsoft Forms, Google Forms, LimeSurvey or Qualtrics export (.xlsx or .csv) or an SPSS
(.sav) or Stata (.dta) file, finds the respondent id, sets the export's metadata apart, and
infers what each question is, so that a Likert statement becomes an ordered category and a
multiple-choice question a set of yes/no columns, ready to cross with interview codings through
``codes/cases.csv``'s ``respondent_id``. ``Survey.report`` (:mod:`tymqual.survey_report`) says
what became of every column; ``tymqual inspect FILE`` prints it.

Header rows: Qualtrics writes codes, question texts and an ImportId row (JSON, or Python dicts
in exports of 2016-17), or, in its legacy layout, ``V1``..``V10`` codes over names and question
texts; every other layout has one header row. A data row that repeats a header or holds
ImportIds is refused, naming the row: no header row is ever read as a respondent.

Schema of :class:`Survey`
    ``responses``: ``respondent_id`` (str), then the items' columns in file order: a Likert item
    is an *ordered* Categorical of its scale labels (don't-know answers are NaN there and listed
    in ``dont_know``); a single-choice item an unordered Categorical of its options; a numeric
    item float64; an open question str; a multiple-choice item one nullable ``boolean`` column
    per option, named ``f"{item_id}__{slug(option)}"`` (NA when the respondent ticked nothing,
    as a skipped question and "none of these" cannot be told apart).
    ``items``: ``item_id``, ``question``, ``type``, ``scale``, ``options``, ``columns``.
    ``dont_know``: ``respondent_id``, ``item_id`` of every don't-know answer to a Likert item.

Item ids are the export's own codes (Qualtrics ``Q1``, LimeSurvey ``G01Q01``, SPSS variable
names), made identifier-safe (``G01Q02[SQ001]`` → ``G01Q02_SQ001``); where an export has no
codes (Webropol, Forms, plain CSV) items are numbered ``q1``, ``q2``... in column order.

How item types are inferred (``scales=`` overrides the Likert part)
    * **likert**: every answer, apart from don't-know answers (``En osaa sanoa``, ``EOS``,
      ``Ei osaa sanoa``, ``Don't know``), is a label of one of :data:`KNOWN_SCALES`, matched
      case- and whitespace-insensitively and ignoring a leading number (``3 = Ei samaa...``).
      An item that fits a 4- and a 5-point scale (nobody chose the middle) gets the 5-point
      scale when another item of the same survey uses its middle label, else the 4-point one.
      In SPSS files the *value labels* decide, so 1–5 coded answers with agreement labels are
      Likert (a variable labelled only in part, say 1 and 5, is read as numbers). When 80 % or
      more of a column's answers are labels of one scale (don't-know answers included) but some
      are not, that is an error naming the stray cell, not a silent re-typing.
    * **multiple_choice**: Webropol's one column per option (headers ``Question: Option``, cells
      1/empty), LimeSurvey's ``code[SQ001]`` columns with Y/empty, Forms answers ending in
      ``;``, or one column whose answers join short labels with ``;`` (or ``, `` when an option
      recurs across respondents; Qualtrics joins with ``,``).
    * **numeric**: every answer is a number; a decimal comma (``3,5``) is accepted except in
      Qualtrics exports, which always write a point.
    * **single_choice**: at most 15 distinct short labels (≤ 60 characters, ≤ 8 words, not a
      sentence ending in ``.`` or ``!``), and not mostly unique once there are 10 answers.
    * **open_text**: everything else, Qualtrics ``_TEXT`` entry fields, LimeSurvey ``[other]``
      and ``[comment]`` boxes, and empty columns.

Privacy: columns that identify people are dropped and never reach the :class:`Survey`: Forms
``Email`` and ``Name``; Google Forms ``Email address`` (``Sähköpostiosoite``); Qualtrics
``IPAddress``, recipient names and e-mail, external reference, location; LimeSurvey ``ipaddr``,
``token`` and ``refurl``; Webropol e-mail. Other metadata (timestamps, progress, language,
LimeSurvey's question timings) goes to ``Survey.metadata``, with ``complete`` False for a
response LimeSurvey (empty ``submitdate``) or Qualtrics (``Finished`` 0) marks unfinished.

Respondent ids: the format's id column (``id_column=`` names another); when there is none
(Google Forms has none), each respondent's id is its row number (SPSS/Stata: case number),
with a :class:`~tymqual.errors.TymqualWarning`. An id column with an empty or repeated id is
refused, naming both rows.
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from tymqual.errors import SurveyError, TymqualWarning
from tymqual.survey_cells import (
    DONT_KNOW_KEYS,
    DONT_KNOW_LABELS,
    Grid,
    Row,
    label_key,
    read_csv_rows,
    read_stat,
    read_xlsx_rows,
)
from tymqual.survey_report import Role, SurveyColumn, SurveyItem, SurveyReport
from tymqual.text import normalize_text

Format = Literal[
    "auto", "webropol", "forms", "google_forms", "limesurvey", "qualtrics", "spss", "stata", "csv"
]
ItemType = Literal["likert", "single_choice", "multiple_choice", "numeric", "open_text"]

KNOWN_SCALES: tuple[tuple[str, ...], ...] = (
    (
        "Täysin eri mieltä",
        "Jokseenkin eri mieltä",
        "Ei samaa eikä eri mieltä",
        "Jokseenkin samaa mieltä",
        "Täysin samaa mieltä",
    ),
    (
        "Täysin eri mieltä",
        "Jokseenkin eri mieltä",
        "En samaa enkä eri mieltä",
        "Jokseenkin samaa mieltä",
        "Täysin samaa mieltä",
    ),
    ("Täysin eri mieltä", "Jokseenkin eri mieltä", "Jokseenkin samaa mieltä",
     "Täysin samaa mieltä"),
    ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    (
        "Strongly disagree",
        "Somewhat disagree",
        "Neither agree nor disagree",
        "Somewhat agree",
        "Strongly agree",
    ),
    ("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    ("Strongly disagree", "Somewhat disagree", "Somewhat agree", "Strongly agree"),
)
"""Scales recognised without ``scales=``, each in order from the lowest to the highest."""

_SUFFIXES = {
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".sav": "spss", ".zsav": "spss",
    ".dta": "stata",
}

_ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "webropol": (
        "Vastaajan tunniste", "Vastaaja", "ID", "Vastaajan ID", "Vastaajatunnus", "Tunniste",
        "Respondent", "Respondent ID", "respondent_id",
    ),
    "forms": ("ID", "Tunnus"),
    "google_forms": ("respondent_id",),
    "limesurvey": ("id", "Response ID", "Vastauksen ID"),
    "qualtrics": ("ResponseId", "ResponseID"),
    "spss": ("respondent_id", "id", "ResponseId", "vastaaja", "vastaajan_tunniste", "tunniste"),
}
_ID_COLUMNS["csv"] = _ID_COLUMNS["webropol"]
_ID_COLUMNS["stata"] = _ID_COLUMNS["spss"]

# Columns that identify a person: dropped while reading, named (never shown) in the report.
_IDENTIFIERS: dict[str, frozenset[str]] = {
    "webropol": frozenset(
        ["Sähköposti", "Sähköpostiosoite", "Email", "E-mail", "Email address", "IP-osoite",
         "IP address", "Nimi", "Name"]
    ),
    "forms": frozenset(["Email", "Name", "Sähköposti", "Nimi"]),
    "google_forms": frozenset(
        ["Email address", "Sähköpostiosoite", "Name", "Nimi", "Full name", "Koko nimi"]
    ),
    "limesurvey": frozenset(
        ["ipaddr", "token", "refurl", "IP address", "Token", "Referrer URL", "IP-osoite",
         # participant fields, exported with the responses when a participant list is used
         "firstname", "lastname", "email", "First name", "Last name", "Email address",
         "Etunimi", "Sukunimi", "Sähköposti"]
    ),
    "qualtrics": frozenset(
        [
            "IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
            "ExternalReference", "ExternalDataReference", "LocationLatitude",
            "LocationLongitude", "LocationAccuracy", "Name", "EmailAddress",
        ]
    ),
}
_IDENTIFIERS["csv"] = _IDENTIFIERS["webropol"]

# Export metadata: kept in Survey.metadata, never read as an item.
_METADATA: dict[str, frozenset[str]] = {
    "webropol": frozenset(
        ["Vastausaika", "Aloitusaika", "Lopetusaika", "Vastauksen kesto", "Vastauspäivä",
         "Vastauspäivämäärä", "Response time", "Response date"]
    ),
    "forms": frozenset(
        [
            "Start time", "Completion time", "Last modified time", "Total points",
            "Quiz feedback", "Aloitusaika", "Valmistumisaika", "Viimeksi muokattu",
            "Viimeisin muokkausaika", "Viimeksi muokattu aika", "Pisteet yhteensä",
        ]
    ),
    "google_forms": frozenset(["Timestamp", "Aikaleima", "Score", "Pisteet"]),
    "limesurvey": frozenset(
        [
            "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
            "interviewtime", "Date submitted", "Last page", "Start language", "Seed",
            "Date started", "Date last action", "Total time",
        ]
    ),
    "qualtrics": frozenset(
        [
            "StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished",
            "RecordedDate", "DistributionChannel", "UserLanguage", "ResponseSet",
        ]
    ),
}
_METADATA["csv"] = _METADATA["webropol"]
# A statistics file can come from any of the tools above (Qualtrics and LimeSurvey write .sav).
for _stat in ("spss", "stata"):
    _IDENTIFIERS[_stat] = frozenset().union(*_IDENTIFIERS.values())
    _METADATA[_stat] = frozenset().union(*_METADATA.values())
_METADATA_PATTERN: dict[str, re.Pattern[str]] = {
    "forms": re.compile(r"^(?:points|feedback) - ", re.IGNORECASE),
    "limesurvey": re.compile(r"^grouptime\d+$", re.IGNORECASE),
    "qualtrics": re.compile(r"^(?:V\d+|Q_\w+)$"),
}
_DERIVED_PATTERN: dict[str, re.Pattern[str]] = {
    "qualtrics": re.compile(r"\s-\s(?:Parent Topics|Topics|Sentiment.*|Topic Sentiment.*)$"),
}
_IMPORT_ID = re.compile(r"""^\{\s*["']ImportId["']\s*:""", re.IGNORECASE)
_COMPLETION = {"limesurvey": ("submitdate", "Date submitted"), "qualtrics": ("Finished",)}
# Qualtrics' response type (``Status``): the surveyor's previews and test runs, and responses
# its filters flagged as spam, are not respondents. Newer exports write the type's name, older
# ones its number (0 IP Address, 1 Survey Preview, 2 Survey Test, 4 Imported, 8 Spam, 9 Survey
# Preview Spam, 12 Imported Spam, 16 Offline, 17 Offline Survey Preview).
_NOT_RESPONDENT_CODES = frozenset({"1", "2", "8", "9", "12", "17"})
_NOT_RESPONDENT_WORDS = re.compile(r"preview|test|spam", re.IGNORECASE)
_LAST_PAGE = ("lastpage", "Last page")

_TICKED = frozenset(["1", "x", "y", "yes", "kyllä", "true"])
_UNTICKED = frozenset(["0", "n", "no", "ei", "false"])
_NUMBER = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?: \d{3})+)(?:[.,]\d+)?$")
_LIMESURVEY_CODE = re.compile(
    r"^(?P<code>[A-Za-z][A-Za-z0-9_]*)(?P<subs>(?:\[[^\[\]]+\])*)(?:\.\s+(?P<text>.+))?$", re.S
)
_TRAILING_BRACKET = re.compile(r"^(?P<question>.*?)\s*\[(?P<option>[^\[\]]+)\]$", re.S)
_MAX_CHOICE_LENGTH = 60
_MAX_CHOICE_WORDS = 8
_MAX_OPTIONS = 15
_LIKERT_SHARE = 0.8


def slug(option: str) -> str:
    """Identifier-safe ASCII form of an option label: ``Epäselvä työnjako`` → ``epaselva_tyonjako``.

    Multiple-choice indicator columns are named ``f"{item_id}__{slug(option)}"``.
    """
    ascii_text = unicodedata.normalize("NFKD", option).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9a-z]+", "_", ascii_text.lower()).strip("_")


@dataclass(frozen=True, eq=False)
class Survey:
    """One survey export, tidy: see the module docstring for the schema of each frame.

    ``metadata`` has one row per respondent (same order as ``responses``): ``respondent_id``,
    ``complete`` (nullable boolean: False for a response the export marks unfinished, NA when
    the export does not say) and, where the export has them, ``last_page`` (Int64) and the
    other non-identifying metadata columns as text, named by :func:`slug` of their header.
    ``load_report`` is what :func:`read_survey` found (see :attr:`report`).
    """

    responses: pd.DataFrame
    items: pd.DataFrame
    dont_know: pd.DataFrame
    path: Path
    source_format: str
    metadata: pd.DataFrame = field(default_factory=pd.DataFrame)
    load_report: SurveyReport | None = None

    def __post_init__(self) -> None:
        if "respondent_id" not in self.metadata.columns:
            ids = self.responses["respondent_id"].reset_index(drop=True)
            complete = pd.Series([pd.NA] * len(ids), dtype="boolean")
            object.__setattr__(
                self, "metadata", pd.DataFrame({"respondent_id": ids, "complete": complete})
            )

    def __repr__(self) -> str:
        return (
            f"Survey({self.path.name}, {self.source_format}, {len(self.responses)} respondents, "
            f"{len(self.items)} items)"
        )

    @property
    def report(self) -> SurveyReport:
        """The load report; for a Survey built by hand, one made from its frames."""
        if self.load_report is not None:
            return self.load_report
        return SurveyReport(
            self.path, self.source_format, len(self.responses), 0, len(self.responses),
            items=_item_reports(self.items), open_answers=len(self.open_answers()),
            incomplete=self.n_incomplete,
        )

    @property
    def n_incomplete(self) -> int:
        """Respondents the export marks as not finished (kept here; tables leave them out)."""
        return int((self.metadata["complete"] == False).sum())  # noqa: E712 - NA stays out

    @property
    def n_test(self) -> int:
        """Qualtrics previews, test runs and spam (kept here; tables leave them out)."""
        if "test_response" not in self.metadata.columns:
            return 0
        return int(self.metadata["test_response"].fillna(False).sum())

    def complete_only(self) -> Survey:
        """The same survey without the respondents the export marks as not finished, nor its
        previews, test runs and spam (Qualtrics' ``Status``)."""
        keep = (self.metadata["complete"] != False).fillna(True).to_numpy(dtype=bool)  # noqa: E712
        if "test_response" in self.metadata.columns:
            keep &= ~self.metadata["test_response"].fillna(False).to_numpy(dtype=bool)
        if keep.all():
            return self
        kept_ids = set(self.responses.loc[keep, "respondent_id"])
        return Survey(
            self.responses[keep].reset_index(drop=True),
            self.items,
            self.dont_know[self.dont_know["respondent_id"].isin(kept_ids)].reset_index(drop=True),
            self.path,
            self.source_format,
            self.metadata[keep].reset_index(drop=True),
            self.load_report,
        )

    def _item(self, item_id: str) -> pd.Series:
        found = self.items[self.items["item_id"] == item_id]
        if found.empty:
            known = ", ".join(self.items["item_id"])
            raise SurveyError(f"item_id {item_id!r} is not an item of {self.path}; items: {known}.")
        return found.iloc[0]

    def likert(self, item_id: str) -> pd.Series:
        """The answers to Likert item ``item_id``, an ordered Categorical indexed by respondent_id.

        Don't-know answers are NaN here; count them from ``dont_know``.
        """
        if self._item(item_id)["type"] != "likert":
            likert_ids = self.items.loc[self.items["type"] == "likert", "item_id"]
            raise SurveyError(
                f"item_id {item_id!r} of {self.path} is not a Likert item; Likert items: "
                f"{', '.join(likert_ids) or 'none'}. Pass scales={{{item_id!r}: [...]}} to "
                "read_survey if it is one."
            )
        return self.responses.set_index("respondent_id")[item_id]

    def open_answers(self) -> pd.DataFrame:
        """Non-empty answers to open questions: respondent_id, item_id, question, text.

        Rows run question by question in file order, respondents in file order within each.
        """
        frames = []
        for item in self.items[self.items["type"] == "open_text"].itertuples():
            texts = self.responses[item.item_id].str.strip()
            keep = texts.notna() & (texts != "")
            frames.append(
                pd.DataFrame(
                    {
                        "respondent_id": self.responses.loc[keep, "respondent_id"],
                        "item_id": item.item_id,
                        "question": item.question,
                        "text": texts[keep],
                    }
                )
            )
        if not frames:
            return pd.DataFrame(columns=["respondent_id", "item_id", "question", "text"])
        return pd.concat(frames, ignore_index=True)


class AnswerTexts(NamedTuple):
    """Every respondent's open answers as one codable text each, stored together.

    Respondent ``i`` (``respondent_ids[i]``, in the order of :meth:`Survey.open_answers`'
    first row for them) has the text ``text[bounds[i]:bounds[i + 1]]``: for each answered
    open question ``"<item_id>: <question>\\n"``, the normalised answer, and a blank line, the
    last one cut to one ``\\n``. Its turns (one per answer, the item id as speaker) are rows
    ``turn_bounds[i]:turn_bounds[i + 1]`` of ``turn_items``, ``turn_starts`` and ``turn_ends``,
    whose offsets count from the start of the respondent's own text. One string and a few
    integer arrays instead of a string, a dict and a tuple per respondent: at 200,000
    respondents they are read back from the cache in one piece.
    """

    respondent_ids: list[str]
    text: str
    bounds: np.ndarray
    turn_bounds: np.ndarray
    turn_items: list[str]
    turn_starts: np.ndarray
    turn_ends: np.ndarray

    def check(self) -> None:
        """Raise ``ValueError`` unless the offsets fit the text and one another."""
        n, n_turns = len(self.respondent_ids), len(self.turn_items)
        bounds, turn_bounds = self.bounds, self.turn_bounds
        if (len(bounds) != n + 1 or len(turn_bounds) != n + 1 or bounds[0] != 0
                or turn_bounds[0] != 0 or bounds[-1] != len(self.text)
                or turn_bounds[-1] != n_turns or (np.diff(bounds) < 0).any()
                or (np.diff(turn_bounds) < 0).any()
                or len(self.turn_starts) != n_turns or len(self.turn_ends) != n_turns):
            raise ValueError("the open answers' offsets do not fit together")
        lengths = np.repeat(np.diff(bounds), np.diff(turn_bounds))
        if n_turns and ((self.turn_starts < 0).any() or (self.turn_starts > self.turn_ends).any()
                        or (self.turn_ends > lengths).any()):
            raise ValueError("a turn of an open answer lies outside its text")


def answer_texts(survey: Survey) -> AnswerTexts:
    """The codable text of each respondent who answered an open question (see
    :class:`AnswerTexts`); a project makes one ``survey_answer`` source of each."""
    answers = survey.open_answers()
    by_respondent: dict[Any, list[tuple[Any, Any, Any]]] = {}
    columns = (answers[c].tolist() for c in ("respondent_id", "item_id", "question", "text"))
    for respondent, item_id, question, answer in zip(*columns, strict=True):
        by_respondent.setdefault(respondent, []).append((item_id, question, answer))
    texts: list[str] = []
    items: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    counts: list[int] = []
    for rows in by_respondent.values():
        parts: list[str] = []
        pos = 0
        for item_id, question, answer in rows:
            header = f"{item_id}: {question}\n"
            body = normalize_text(str(answer))
            items.append(str(item_id))
            starts.append(pos + len(header))
            ends.append(pos + len(header) + len(body))
            parts.append(header + body + "\n\n")
            pos += len(parts[-1])
        texts.append("".join(parts).rstrip("\n") + "\n")
        counts.append(len(rows))
    return AnswerTexts(
        [str(r) for r in by_respondent], "".join(texts), _offsets([len(t) for t in texts]),
        _offsets(counts), items, np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64))


def _offsets(lengths: list[int]) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(lengths, dtype=np.int64))).astype(np.int64)


def read_survey(
    path: str | os.PathLike[str],
    *,
    format: Format = "auto",
    id_column: str | None = None,
    sheet: str | int | None = None,
    scales: Mapping[str, Sequence[str]] | None = None,
) -> Survey:
    """Read a survey export into a :class:`Survey` (see the module docstring for heuristics).

    ``format`` is detected from the suffix and the header rows unless given: ``"webropol"``,
    ``"forms"`` (Microsoft Forms), ``"google_forms"``, ``"limesurvey"``, ``"qualtrics"``,
    ``"spss"`` (.sav), ``"stata"`` (.dta) or ``"csv"`` (one header row of question texts, read
    like Webropol). ``id_column`` names the respondent id column when it is not one the format
    normally uses; without one, respondents are numbered by their row, with a warning.
    ``sheet`` picks a worksheet by name or 0-based index (default: the first). ``scales`` maps
    an item_id to its labels, lowest first, for Likert items the known scales do not cover.

    Columns that identify people (e-mail, names, IP address, location, token) are dropped
    while reading and never kept; other export metadata goes to ``Survey.metadata``.
    ``Survey.report`` says what became of every column.

    >>> survey = read_survey("surveys/kysely.xlsx")  # doctest: +SKIP
    >>> survey.likert("q3").value_counts(sort=False)  # doctest: +SKIP
    """
    source = Path(path)
    kind = _check_arguments(source, format, sheet)
    notes: list[str] = []
    if kind in _STAT_KINDS:
        grid = read_stat(source, kind, notes)
        fmt = kind
    else:
        sheet_name, rows = (
            read_xlsx_rows(source, sheet) if kind == "xlsx" else (None, read_csv_rows(source))
        )
        fmt = format if format != "auto" else _detect_format(kind, rows)
        grid = _make_grid(source, sheet_name, rows, _header_count(fmt, rows))
    id_col = _find_id_column(grid, fmt, id_column)
    if id_col is None:
        notes.append(_fallback_note(grid, fmt))
    roles = _roles(grid, fmt, id_col)
    specs = _layout(grid, fmt, [c for c, role in roles.items() if role[0] == "item"])
    responses, items, dont_know = _build(grid, fmt, id_col, specs, scales or {})
    metadata = _metadata_frame(grid, fmt, roles, responses["respondent_id"])
    if "test_response" in metadata.columns and (n_test := int(metadata["test_response"].sum())):
        notes.append(f"{source}: {n_test} response(s) are Qualtrics previews, test runs or spam "
                     "(column Status); they are kept in the survey but left out of its tables.")
    for note in notes:
        warnings.warn(note, TymqualWarning, stacklevel=2)
    survey = Survey(responses, items, dont_know, source, fmt, metadata)
    report = _report(grid, survey, roles, specs, id_col, notes)
    return Survey(responses, items, dont_know, source, fmt, metadata, report)


def inspect_survey(
    path: str | os.PathLike[str],
    *,
    format: Format = "auto",
    id_column: str | None = None,
    sheet: str | int | None = None,
    scales: Mapping[str, Sequence[str]] | None = None,
) -> SurveyReport:
    """The load report of a survey export, read as :func:`read_survey` reads it.

    ``tymqual inspect FILE`` prints it, so a file can be checked before it goes into
    ``surveys/``.
    """
    return read_survey(path, format=format, id_column=id_column, sheet=sheet,
                       scales=scales).report


_STAT_KINDS = ("spss", "stata")


def _check_arguments(source: Path, format: str, sheet: str | int | None) -> str:
    """The kind of file (``xlsx``, ``csv``, ``spss``, ``stata``), or an error naming the problem."""
    if format not in get_args(Format):
        raise SurveyError(
            f"format={format!r} is not a survey format tymqual reads; use one of "
            f"{', '.join(repr(f) for f in get_args(Format))}."
        )
    kind = _SUFFIXES.get(source.suffix.lower())
    if kind is None:
        raise SurveyError(
            f"{source}: the suffix {source.suffix or '(none)'!r} is not a survey export tymqual "
            "reads; save the survey as .xlsx, .csv, SPSS .sav or Stata .dta."
        )
    if not source.is_file():
        raise SurveyError(f"{source}: no such file; check the path (relative to {Path.cwd()}).")
    stat_format = format in _STAT_KINDS
    if format != "auto" and (stat_format or kind in _STAT_KINDS) and format != kind:
        raise SurveyError(
            f"{source}: format={format!r} does not fit a {source.suffix} file; SPSS exports "
            "are .sav files, Stata ones .dta and the other formats .xlsx or .csv. Leave "
            "format='auto'."
        )
    if sheet is not None and kind != "xlsx":
        raise SurveyError(f"{source}: sheet={sheet!r} applies to .xlsx workbooks only; drop it.")
    return kind


# --- layout: which columns are what ----------------------------------------------------------


def _norm(header: str) -> str:
    return " ".join(header.split()).casefold()


def _detect_format(kind: str, rows: list[Row]) -> str:
    head = [[_norm(c or "") for c in row] for row in rows if any(row)][:3]
    if not head:
        return "webropol" if kind == "xlsx" else "csv"
    first = set(head[0])
    if len(head) >= 3 and _import_id_row(rows):
        return "qualtrics"
    if "responseid" in first or (head[0][:2] == ["v1", "v2"] and len(head) > 1):
        return "qualtrics"
    if "completion time" in first or "valmistumisaika" in first:
        return "forms"
    if head[0][0] in {"timestamp", "aikaleima"}:
        return "google_forms"
    if first & {"submitdate", "lastpage", "startlanguage", "date submitted", "last page"}:
        return "limesurvey"
    webropol_names = {_norm(n) for n in (*_ID_COLUMNS["webropol"][:2], *_METADATA["webropol"])}
    if kind == "csv" and not first & webropol_names:
        return "csv"
    return "webropol"


def _import_id_row(rows: list[Row]) -> bool:
    """Whether the third non-empty row is Qualtrics' ImportId row (JSON or Python-dict style)."""
    head = [row for row in rows if any(row)][:3]
    return len(head) == 3 and any(_IMPORT_ID.match(c or "") for c in head[2])


def _header_count(fmt: str, rows: list[Row]) -> int:
    if fmt != "qualtrics":
        return 1
    return 3 if _import_id_row(rows) else 2


def _make_grid(path: Path, sheet: str | None, rows: list[Row], n_headers: int) -> Grid:
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(row)]
    where = f"{path}" + (f", sheet {sheet!r}" if sheet is not None else "")
    if not numbered:
        raise SurveyError(f"{where} is empty; export the survey responses again.")
    if len(numbered) <= n_headers:
        raise SurveyError(
            f"{where} has header rows but no responses below them; export the survey with "
            "its responses."
        )
    width = max(len(row) for _, row in numbered)
    padded = [(n, row + [None] * (width - len(row))) for n, row in numbered]
    headers = [[c or "" for c in row] for _, row in padded[:n_headers]]
    grid = Grid(path, sheet, headers, padded[n_headers:], width, header_row=padded[0][0])
    for col in range(width):
        if not any(h[col] for h in headers):
            filled = [(n, cells[col]) for n, cells in grid.rows if cells[col] is not None]
            if filled:
                raise SurveyError(
                    f"{grid.where(row=filled[0][0])}, column {get_column_letter(col + 1)}: the "
                    "column has answers but no header; give it its question text as a header "
                    "or delete the column."
                )
    _refuse_header_rows(grid)
    return grid


def _refuse_header_rows(grid: Grid) -> None:
    """Refuse a data row that is a header (a repeated header, an ImportId row not recognised)."""
    for number, cells in grid.rows:
        filled = [(col, c) for col, c in enumerate(cells) if c is not None]
        import_ids = sum(c[0] == "{" and bool(_IMPORT_ID.match(c)) for _, c in filled)
        repeats = max(sum(c == h[col] for col, c in filled) for h in grid.headers)
        if import_ids >= 2 or (repeats >= 2 and repeats * 2 >= len(filled)):
            what = "Qualtrics ImportId cells" if import_ids >= 2 else "the header"
            raise SurveyError(
                f"{grid.where(row=number)}: the row holds {what}, not a response; delete the "
                "row (two exports pasted together?) or export the survey again."
            )


def _find_id_column(grid: Grid, fmt: str, id_column: str | None) -> int | None:
    """The respondent id column; None when the format's names are absent and none was given."""
    wanted = (id_column,) if id_column is not None else _ID_COLUMNS[fmt]
    for name in wanted:
        for header_row in grid.headers:
            for col, header in enumerate(header_row):
                if _norm(header) == _norm(name):
                    return col
    if id_column is None:
        return None
    seen = ", ".join(repr(h) for h in grid.headers[0] if h)
    where = grid.where() + (f", header row {grid.header_row}" if not grid.spss else "")
    raise SurveyError(
        f"{where}: there is no column {id_column!r} (given as id_column=); the columns are "
        f"{seen}."
    )


def _fallback_note(grid: Grid, fmt: str) -> str:
    looked = ", ".join(repr(n) for n in _ID_COLUMNS[fmt])
    first = grid.rows[0][0]
    unit = "case" if grid.spss else "row"
    return (
        f"{grid.where()}: no respondent id column (looked for {looked}), so each respondent's "
        f"id is its {unit} number (the first is {first}); pass id_column='...' to use a column."
    )


@dataclass
class _Spec:
    """One item as laid out in the file, before its type is inferred."""

    code: str | None
    question: str
    cols: list[int]
    options: list[str] | None = None
    open_text: bool = False
    labels: list[str] | None = None


_RoleOf = tuple[Role, str, str]  # role, reason, the header that names the column


def _roles(grid: Grid, fmt: str, id_col: int | None) -> dict[int, _RoleOf]:
    """What each column of the file is: id, item, metadata, identifier or dropped (and why)."""
    roles: dict[int, _RoleOf] = {}
    id_names = {_norm(n) for n in _ID_COLUMNS.get(fmt, ())}
    for col in range(grid.width):
        names = [h[col] for h in grid.headers if h[col]]
        if col == id_col:  # legacy Qualtrics: "V1" above "ResponseID"
            names.sort(key=lambda n: _norm(n) not in id_names)
        roles[col] = _role(fmt, names, col == id_col) or ("item", "", names[0] if names else "")
    if fmt == "limesurvey":
        codes = {roles[c][2] for c in roles if roles[c][0] == "item"}
        for col, (role, _, name) in roles.items():
            if role == "item" and name.endswith("Time") and name[:-4] in codes:
                roles[col] = ("metadata", "LimeSurvey timing of the question", name)
    return roles


def _role(fmt: str, names: list[str], is_id: bool) -> _RoleOf | None:
    if is_id:
        return ("id", "respondent id", names[0])
    if not names:
        return ("dropped", "no header and no answers", "")
    for kind, table, reason in (
        ("identifier", _IDENTIFIERS, "identifies a person; never read"),
        ("metadata", _METADATA, f"{fmt} export metadata"),
    ):
        known = {_norm(n) for n in table.get(fmt, frozenset())}
        for name in names:
            if _norm(name) in known:
                return (kind, reason, name)  # type: ignore[return-value]
    for name in names:
        if (pattern := _METADATA_PATTERN.get(fmt)) and pattern.search(name):
            return ("metadata", f"{fmt} export metadata", name)
        if (pattern := _DERIVED_PATTERN.get(fmt)) and pattern.search(name):
            return ("dropped", "Qualtrics text analysis of an answer, not an answer", name)
    return None


def _layout(grid: Grid, fmt: str, cols: list[int]) -> list[_Spec]:
    if fmt == "qualtrics":
        return [_qualtrics_spec(grid, col) for col in cols]
    if fmt in _STAT_KINDS:
        return [
            _Spec(grid.header(c), grid.headers[1][c], [c], labels=grid.labels.get(grid.header(c)))
            for c in cols
        ]
    if fmt == "limesurvey":
        return _limesurvey_specs(grid, cols)
    if fmt in {"forms", "google_forms"}:
        return [_Spec(None, grid.header(c), [c]) for c in cols]
    return _group_options(grid, cols, _split_colon)


def _qualtrics_spec(grid: Grid, col: int) -> _Spec:
    code = grid.headers[0][col]
    question = grid.headers[1][col] if len(grid.headers) > 1 else code
    if re.fullmatch(r"V\d+", code) is None and len(grid.headers) > 2:
        import_id = _import_id(grid.headers[2][col])
        return _Spec(code, question or code, [col], open_text=str(import_id).endswith("_TEXT"))
    return _Spec(code, question or code, [col])


def _import_id(cell: str) -> str:
    """The ImportId of a Qualtrics third-row cell, JSON (``{"ImportId":"QID1"}``) or, as exports
    of 2016-17 wrote it, a Python dict (``{'ImportId': 'QID1'}``)."""
    for parse in (json.loads, ast.literal_eval):
        try:
            found = parse(cell)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(found, dict):
            return str(found.get("ImportId", ""))
    return ""


def _split_colon(header: str) -> list[tuple[str, str]]:
    """Every ``Question: Option`` reading of a Webropol header, longest question first."""
    cuts = [m.start() for m in re.finditer(": ", header)]
    return [(header[:i].strip(), header[i + 2 :].strip()) for i in reversed(cuts)]


def _split_bracket(header: str) -> list[tuple[str, str]]:
    match = _TRAILING_BRACKET.match(header)
    return [(match["question"], match["option"])] if match else []


def _tick(value: str | None, option: str) -> bool | None | str:
    """True/False for a ticked/unticked option cell, None if blank, "" if not an indicator."""
    if value is None:
        return None
    key = _norm(value)
    if key in _TICKED or key == _norm(option):
        return True
    return False if key in _UNTICKED else ""


def _indicator_column(grid: Grid, col: int, option: str) -> bool:
    return all(_tick(v, option) != "" for v in grid.values(col))


def _group_options(
    grid: Grid, cols: list[int], split: Callable[[str], list[tuple[str, str]]]
) -> list[_Spec]:
    """Items from columns, consecutive ``Question: Option`` indicator columns joined into one."""
    specs: list[_Spec] = []
    i = 0
    while i < len(cols):
        best: tuple[str, list[str]] | None = None
        for question, _ in split(grid.header(cols[i])):
            options: list[str] = []
            for col in cols[i:]:
                option = dict(split(grid.header(col))).get(question)
                if option is None or not _indicator_column(grid, col, option):
                    break
                options.append(option)
            ticked = any(
                _tick(v, o) is True
                for col, o in zip(cols[i:], options, strict=False)
                for v in grid.values(col)
            )
            if len(options) >= 2 and ticked and (best is None or len(options) > len(best[1])):
                best = (question, options)
        if best is None:
            specs.append(_Spec(None, grid.header(cols[i]), [cols[i]]))
            i += 1
        else:
            question, options = best
            specs.append(_Spec(None, question, cols[i : i + len(options)], options=options))
            i += len(options)
    return specs


def _limesurvey_specs(grid: Grid, cols: list[int]) -> list[_Spec]:
    """LimeSurvey: ``code``, ``code[SQ]`` or ``code. text`` headers, else full question texts."""
    parsed = {c: _LIMESURVEY_CODE.match(grid.header(c)) for c in cols}
    matches = {c: m for c, m in parsed.items() if m is not None}
    if len(matches) < len(cols):
        return _group_options(grid, cols, _split_bracket)
    codes = {m["code"] for m in matches.values() if not m["subs"]}
    specs: list[_Spec] = []
    i = 0
    while i < len(cols):
        match = matches[cols[i]]
        code, text = match["code"], match["text"]
        if code.endswith("Time") and code[:-4] in codes:
            i += 1  # LimeSurvey's timing column for question code[:-4]
            continue
        members = _limesurvey_members(grid, cols[i:], matches)
        if members:
            options = [_subquestion(matches[col]) for col in members]
            question = _split_bracket(text)[0][0] if text and _split_bracket(text) else text
            specs.append(_Spec(code, question or code, members, options=options))
            i += len(members)
        else:
            # "[other]" and "[comment]" are LimeSurvey's free-text boxes beside a question.
            free = match["subs"].lower() in {"[other]", "[comment]"}
            question = text or grid.header(cols[i])
            specs.append(_Spec(code + match["subs"], question, [cols[i]], open_text=free))
            i += 1
    return specs


def _subquestion(match: re.Match[str]) -> str:
    """An option's text from ``Question [Option]``, else its subquestion code."""
    split = _split_bracket(match["text"] or "")
    return split[0][1] if split else match["subs"].strip("[]")


def _limesurvey_members(
    grid: Grid, cols: list[int], matches: Mapping[int, re.Match[str]]
) -> list[int]:
    """The multiple-choice subquestion columns (Y/empty) that start at ``cols[0]``, if any."""
    first = matches[cols[0]]
    if not first["subs"]:
        return []
    members: list[int] = []
    for col in cols:
        match = matches[col]
        if match["code"] != first["code"] or not match["subs"]:
            break
        if match["subs"].strip("[]").lower() in {"other", "comment"}:
            break
        if not _indicator_column(grid, col, ""):
            return []
        members.append(col)
    if len(members) < 2 or not any(_tick(v, "") is True for c in members for v in grid.values(c)):
        return []
    return members


# --- types and columns -------------------------------------------------------------------------


_SCALE_KEYS = [frozenset(label_key(label) for label in scale) for scale in KNOWN_SCALES]


def _identifier(code: str) -> str:
    ident = re.sub(r"\W+", "_", code, flags=re.ASCII).strip("_")
    return f"q_{ident}" if ident[:1].isdigit() else ident


def _assign_ids(specs: list[_Spec]) -> list[str]:
    ids: list[str] = []
    for number, spec in enumerate(specs, start=1):
        base = _identifier(spec.code) if spec.code else ""
        base = base or f"q{number}"
        item_id, n = base, 2
        while item_id in ids:
            item_id, n = f"{base}_{n}", n + 1
        ids.append(item_id)
    return ids


@dataclass
class _Item:
    item_id: str
    question: str
    type: ItemType
    spec: _Spec
    scale: tuple[str, ...] | None = None
    options: tuple[str, ...] | None = None
    candidates: list[int] | None = None
    separator: str = ";"


def _likert_candidates(grid: Grid, col: int, item_id: str, labels: list[str] | None) -> list[int]:
    """Indices of the known scales that fit the column, or [] when it is not Likert.

    Raises when 80 % or more of the answers are one scale's labels and the rest are not.
    """
    answers = grid.answers(col)
    keys = {label_key(a) for _, a in answers} - DONT_KNOW_KEYS
    if labels is not None:
        label_keys = {label_key(label) for label in labels} - DONT_KNOW_KEYS
        exact = [i for i, s in enumerate(_SCALE_KEYS) if s == label_keys]
        fits = [i for i, s in enumerate(_SCALE_KEYS) if label_keys and label_keys <= s]
        if exact or fits:
            _check_labels(grid, col, item_id, KNOWN_SCALES[(exact or fits)[0]], answers, "")
        return exact[:1] or fits
    if not keys:
        return []
    fits = [i for i, s in enumerate(_SCALE_KEYS) if keys <= s]
    if fits:
        return fits
    for index, scale_keys in enumerate(_SCALE_KEYS):
        hits = sum(label_key(a) in scale_keys | DONT_KNOW_KEYS for _, a in answers)
        if hits >= _LIKERT_SHARE * len(answers) and keys & scale_keys:
            share = f"{hits} of {len(answers)} answers in this column are"
            _check_labels(grid, col, item_id, KNOWN_SCALES[index], answers, share)
    return []


def _check_labels(
    grid: Grid,
    col: int,
    item_id: str,
    scale: Sequence[str],
    answers: list[tuple[int, str]],
    share: str,
) -> None:
    scale_keys = {label_key(label) for label in scale}
    for number, answer in answers:
        if label_key(answer) not in scale_keys | DONT_KNOW_KEYS:
            reason = f"{share} labels of" if share else "the item uses"
            raise SurveyError(
                f"{grid.where(row=number, col=col)}: {answer!r} is not a label of the scale "
                f"{' / '.join(scale)} that {reason} (item {item_id!r}). Correct the cell, or "
                f"pass scales={{{item_id!r}: [...]}} listing every label, lowest first; "
                f"don't-know answers ({', '.join(DONT_KNOW_LABELS)}) are kept apart by themselves."
            )


def _choose_scales(items: list[_Item]) -> None:
    """Settle items that fit several known scales on the one the rest of the survey uses."""
    in_use = {item.candidates[0] for item in items if item.candidates and len(item.candidates) == 1}
    for item in items:
        if item.candidates:
            preferred = [i for i in item.candidates if i in in_use]
            shortest = min(item.candidates, key=lambda i: len(KNOWN_SCALES[i]))
            item.scale = KNOWN_SCALES[preferred[0] if preferred else shortest]
            item.type = "likert"


def _label_like(text: str) -> bool:
    return (
        len(text) <= _MAX_CHOICE_LENGTH
        and len(text.split()) <= _MAX_CHOICE_WORDS
        and "\n" not in text
        and not text.endswith((".", "!"))
        and re.search(r"[.!?]\s+[A-ZÅÄÖ]", text) is None
    )


def _number(text: str, *, decimal_comma: bool) -> float | None:
    text = text.replace("\u2212", "-").replace("\u00a0", " ").strip()
    if not _NUMBER.match(text) or ("," in text and not decimal_comma):
        return None
    return float(text.replace(" ", "").replace(",", "."))


def _first_seen(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _split_joined(fmt: str, answers: list[str]) -> tuple[str, tuple[str, ...]] | None:
    """The separator and options of a one-column multiple-choice item, or None if not one."""
    if fmt == "forms":
        if not any(a.endswith(";") for a in answers):
            return None
        separator = ";"
    elif fmt == "qualtrics":
        separator = ","
    else:
        separator = ";" if any(";" in a for a in answers) else ", "
    parts = [[p.strip() for p in a.split(separator) if p.strip()] for a in answers]
    flat = [p for ps in parts for p in ps]
    if fmt != "forms" and not any(len(ps) >= 2 for ps in parts):
        return None
    if not all(_label_like(p) for p in flat) or len(set(flat)) > _MAX_OPTIONS:
        return None
    if separator == ", " and not any(n >= 2 for n in Counter(flat).values()):
        return None
    return separator, _first_seen(flat)


def _infer(item: _Item, grid: Grid, fmt: str) -> None:
    """Type a one-column item that is not Likert (see the module docstring)."""
    col = item.spec.cols[0]
    answers = [v for v in grid.values(col) if v is not None]
    if item.spec.open_text or not answers:
        item.type = "open_text"
    elif item.spec.labels is not None and all(a in item.spec.labels for a in answers):
        item.type, item.options = "single_choice", tuple(item.spec.labels)
    elif all(_number(a, decimal_comma=fmt != "qualtrics") is not None for a in answers):
        item.type = "numeric"
    elif (joined := _split_joined(fmt, answers)) is not None:
        item.type, (item.separator, item.options) = "multiple_choice", joined
    elif (
        all(_label_like(a) for a in answers)
        and len(set(answers)) <= _MAX_OPTIONS
        and not (len(answers) >= 10 and len(set(answers)) > len(answers) / 2)
    ):
        item.type, item.options = "single_choice", _first_seen(answers)
    else:
        item.type = "open_text"


def _explicit_likert(
    item: _Item, grid: Grid, labels: Sequence[str], answers: list[tuple[int, str]]
) -> None:
    scale = tuple(normalize_text(str(label)).strip() for label in labels)
    keys = [label_key(label) for label in scale]
    if isinstance(labels, str) or not scale or len(set(keys)) != len(keys):
        raise SurveyError(
            f"{grid.where()}: scales[{item.item_id!r}] must list each label once, lowest "
            f"first; got {list(labels)!r}."
        )
    _check_labels(grid, item.spec.cols[0], item.item_id, scale, answers, "")
    item.type, item.scale = "likert", scale


def _respondent_ids(grid: Grid, id_col: int | None) -> list[str]:
    if id_col is None:
        return [str(number) for number, _ in grid.rows]
    ids: list[str] = []
    first_row: dict[str, int] = {}
    for number, cells in grid.rows:
        value = cells[id_col]
        if value is None:
            raise SurveyError(
                f"{grid.where(row=number, col=id_col)}: the respondent id is empty; fill it in "
                "or delete the row."
            )
        if value in first_row:
            raise SurveyError(
                f"{grid.where(col=id_col)}: respondent id {value!r} appears in row "
                f"{first_row[value]} and again in row {number}; each respondent must have one "
                "row. Remove the duplicate or correct the id."
            )
        first_row[value] = number
        ids.append(value)
    return ids


def _build(
    grid: Grid,
    fmt: str,
    id_col: int | None,
    specs: list[_Spec],
    scales: Mapping[str, Sequence[str]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    respondent_ids = _respondent_ids(grid, id_col)
    item_ids = _assign_ids(specs)
    unknown = sorted(set(scales) - set(item_ids))
    if unknown:
        raise SurveyError(
            f"scales= names {', '.join(repr(u) for u in unknown)}, not an item of {grid.where()}; "
            f"the items are {', '.join(item_ids)}."
        )
    items = [_Item(i, s.question, "open_text", s) for i, s in zip(item_ids, specs, strict=True)]
    for item in items:
        spec = item.spec
        if spec.options is not None:
            if item.item_id in scales:
                raise SurveyError(
                    f"scales= names {item.item_id!r}, a multiple-choice item of {grid.where()} "
                    "(one column per option); a scale fits one-column items only."
                )
            item.type, item.options = "multiple_choice", tuple(spec.options)
            continue
        col = spec.cols[0]
        if item.item_id in scales:
            _explicit_likert(item, grid, scales[item.item_id], grid.answers(col))
        elif not spec.open_text:
            item.candidates = _likert_candidates(grid, col, item.item_id, spec.labels)
    _choose_scales(items)
    for item in items:
        if item.type == "open_text" and item.scale is None:
            _infer(item, grid, fmt)
    return _frames(grid, respondent_ids, items)


def _frames(
    grid: Grid, respondent_ids: list[str], items: list[_Item]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    columns: dict[str, pd.Series] = {"respondent_id": pd.Series(respondent_ids, dtype="str")}
    records = []
    dont_know: list[tuple[str, str]] = []
    for item in items:
        made = _item_columns(item, grid, respondent_ids, dont_know)
        columns.update(made)
        records.append(
            {
                "item_id": item.item_id,
                "question": item.question,
                "type": item.type,
                "scale": item.scale,
                "options": item.options,
                "columns": tuple(made),
            }
        )
    responses = pd.DataFrame(columns)
    item_frame = pd.DataFrame(
        records, columns=["item_id", "question", "type", "scale", "options", "columns"]
    )
    dont_know_frame = pd.DataFrame(dont_know, columns=["respondent_id", "item_id"], dtype="str")
    return responses, item_frame, dont_know_frame


def _item_columns(
    item: _Item, grid: Grid, respondent_ids: list[str], dont_know: list[tuple[str, str]]
) -> dict[str, pd.Series]:
    cols = item.spec.cols
    if item.type == "multiple_choice":
        return _indicators(item, grid)
    values = grid.values(cols[0])
    if item.type == "likert":
        scale = item.scale or ()
        by_key = {label_key(label): label for label in scale}
        labels: list[str | None] = []
        for respondent, value in zip(respondent_ids, values, strict=True):
            label = by_key.get(label_key(value)) if value is not None else None
            if value is not None and label is None:
                dont_know.append((respondent, item.item_id))
            labels.append(label)
        categorical = pd.Categorical(labels, categories=list(scale), ordered=True)
        return {item.item_id: pd.Series(categorical)}
    if item.type == "numeric":
        numbers = [math.nan if v is None else _number(v, decimal_comma=True) for v in values]
        return {item.item_id: pd.Series(numbers, dtype="float64")}
    if item.type == "single_choice":
        options = list(item.options or ())
        extra = [v for v in values if v is not None and v not in options]
        item.options = tuple(options + list(dict.fromkeys(extra)))
        categorical = pd.Categorical(values, categories=list(item.options))
        return {item.item_id: pd.Series(categorical)}
    return {item.item_id: pd.Series(values, dtype="str")}


def _indicators(item: _Item, grid: Grid) -> dict[str, pd.Series]:
    options = item.options or ()
    names: list[str] = []
    for number, option in enumerate(options, start=1):
        base = f"{item.item_id}__{slug(option) or f'option{number}'}"
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    ticks: list[list[bool | None]] = []
    if item.spec.options is not None:  # one column per option
        for _, cells in grid.rows:
            row = [_tick(cells[c], o) for c, o in zip(item.spec.cols, options, strict=True)]
            skipped = all(t is None for t in row)
            ticks.append([None] * len(row) if skipped else [t is True for t in row])
    else:  # one column, options joined
        col = item.spec.cols[0]
        for _, cells in grid.rows:
            answer = cells[col]
            if answer is None:
                ticks.append([None] * len(options))
                continue
            chosen = {p.strip() for p in answer.split(item.separator)}
            ticks.append([o in chosen for o in options])
    return {
        name: pd.Series([row[i] for row in ticks], dtype="boolean")
        for i, name in enumerate(names)
    }



# --- metadata and the load report ------------------------------------------------------------


def _metadata_frame(grid: Grid, fmt: str, roles: Mapping[int, _RoleOf], ids: pd.Series
                    ) -> pd.DataFrame:
    """``respondent_id``, ``complete``, ``last_page`` and the other metadata columns as text."""
    data: dict[str, pd.Series] = {"respondent_id": ids.reset_index(drop=True)}
    data["complete"] = pd.Series(_completion(grid, roles), dtype="boolean")
    if (test := _test_responses(grid, fmt, roles)) is not None:
        data["test_response"] = pd.Series(test, dtype="boolean")
    for col, (role, _, name) in roles.items():
        if role != "metadata":
            continue
        values = grid.values(col)
        if _norm(name) in {_norm(n) for n in _LAST_PAGE}:
            numbers = [None if v is None else _number(v, decimal_comma=False) for v in values]
            data["last_page"] = pd.Series(
                [pd.NA if n is None else int(n) for n in numbers], dtype="Int64"
            )
            continue
        key = slug(name) or f"column_{col + 1}"
        base, n = key, 2
        while key in data:
            key, n = f"{base}_{n}", n + 1
        data[key] = pd.Series(values, dtype="str")
    return pd.DataFrame(data)


def _completion(grid: Grid, roles: Mapping[int, _RoleOf]) -> list[bool | None]:
    """Per respondent: False when the export marks the response unfinished, else True or None.

    LimeSurvey leaves ``submitdate`` empty until the last page is submitted; Qualtrics writes
    ``Finished`` 1/True or 0/False.
    """
    by_name = {_norm(name): col for col, (role, _, name) in roles.items() if role == "metadata"}
    for name in _COMPLETION["limesurvey"]:
        if (col := by_name.get(_norm(name))) is not None:
            return [v is not None for v in grid.values(col)]
    flags = {"1": True, "true": True, "0": False, "false": False}
    for name in _COMPLETION["qualtrics"]:
        if (col := by_name.get(_norm(name))) is not None:
            return [flags.get(_norm(v)) if v is not None else None for v in grid.values(col)]
    return [None] * len(grid.rows)


def _test_responses(grid: Grid, fmt: str, roles: Mapping[int, _RoleOf]
                    ) -> list[bool | None] | None:
    """Per respondent: True for a Qualtrics preview, test or spam response; None where the
    export does not say (no ``Status``, or a file that is not Qualtrics': another tool's
    ``Status`` may mean anything, and dropping respondents on a guess would lose them)."""
    names = {_norm(name): col for col, (_, _, name) in roles.items()}
    qualtrics = fmt == "qualtrics" or (
        fmt in _STAT_KINDS and _norm("ResponseId") in names and _norm("Finished") in names)
    if not qualtrics or (col := names.get(_norm("Status"))) is None:
        return None
    return [None if v is None else
            (v.strip() in _NOT_RESPONDENT_CODES or bool(_NOT_RESPONDENT_WORDS.search(v)))
            for v in grid.values(col)]


def _where(grid: Grid, col: int) -> str:
    return f"variable {grid.header(col)}" if grid.spss else get_column_letter(col + 1)


def _report(
    grid: Grid,
    survey: Survey,
    roles: Mapping[int, _RoleOf],
    specs: list[_Spec],
    id_col: int | None,
    notes: list[str],
) -> SurveyReport:
    item_of = {col: item_id for item_id, spec in zip(_assign_ids(specs), specs, strict=True)
               for col in spec.cols}
    columns = tuple(
        SurveyColumn(name, _where(grid, col), role, item_of.get(col, ""), reason)
        for col, (role, reason, name) in roles.items()
    )
    header_rows = 0 if grid.spss else len(grid.headers)
    return SurveyReport(
        path=grid.path,
        source_format=survey.source_format,
        rows=len(grid.rows) + header_rows,
        header_rows=header_rows,
        respondents=len(survey.responses),
        columns=columns,
        items=_item_reports(survey.items),
        open_answers=len(survey.open_answers()),
        incomplete=survey.n_incomplete,
        test_responses=survey.n_test,
        id_column=None if id_col is None else f"{roles[id_col][2]} ({_where(grid, id_col)})",
        sheet=grid.sheet,
        notes=tuple(notes),
    )


def _item_reports(items: pd.DataFrame) -> tuple[SurveyItem, ...]:
    return tuple(
        SurveyItem(str(row["item_id"]), str(row["type"]), str(row["question"]),
                   tuple(row["scale"] or row["options"] or ()), len(row["columns"]))
        for row in items.to_dict("records")
    )
