"""The project folder: sources, codebook, cases and the codings ledger, as one object.

A :class:`Project` is what a thesis author holds in a notebook. It reads the folder once when
opened (``open_project``), keeps the normalised texts and turns in memory, and writes every
change straight to disk through the ledger and the codebook, so a crashed kernel loses
nothing that was coded. Analyses (tables, figures, the report) take a ``Project``; the
convenience methods that reach them (``p.search``, ``p.report``, ...) are in
:mod:`tymqual.facades` and import those modules lazily, so this module never depends on the
analysis layer at import time.
"""

from __future__ import annotations

import html
import itertools
import operator
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import numpy as np
import pandas as pd
import yaml

from tymqual.cache import CACHE_DIR, SourceCache, SourceStats, stats_of
from tymqual.codebook import Code, Codebook, orphan_name, orphan_path
from tymqual.codings import Ledger, current_user, reanchor
from tymqual.config import CONFIG_FILE, ProjectConfig
from tymqual.corpus import (
    SUPPORTED_SUFFIXES,
    SourceDoc,
    Turn,
    label_candidates,
    speaker_rows,
    unmapped_labels,
)
from tymqual.errors import (
    CodingError,
    ProjectError,
    SourceError,
    StorageError,
    SurveyError,
    TymqualError,
    TymqualWarning,
)
from tymqual.facades import ProjectFacades
from tymqual.history import context_frame
from tymqual.history import describe as describe_change
from tymqual.memos import (
    MEMO_FILE,
    memo_history,
    read_source_memos,
    record_memo_change,
    write_source_memo,
)
from tymqual.progress import collector_paused, progress
from tymqual.reanchor import digests_key, texts_key
from tymqual.spans import SourceAxis, turn_axis
from tymqual.storage import (
    atomic_write_text,
    read_csv_strings,
    write_csv,
    write_failure,
)
from tymqual.survey_report import survey_summary
from tymqual.surveys import AnswerTexts, Survey
from tymqual.text import check_span, count_words_many, find_quote, sha256_text, snippet

SOURCE_FOLDERS: dict[str, str] = {"transcripts": "interview", "documents": "document"}
SURVEY_SUFFIXES = frozenset({".xlsx", ".csv", ".sav", ".zsav", ".dta"})
NOT_A_SURVEY = (
    "a data file a project does not read as a survey ({suffixes} are read); save it as one "
    "of those, or keep it outside surveys/"
)
# Files in surveys/ that look like survey data in a format a project does not read: named in
# `skipped`. Documents and scripts kept beside the exports (the questionnaire as a PDF, a
# README, the demo's generator) are not survey data and pass without a word.
_DATA_LIKE = frozenset({".xls", ".xlsm", ".xlsb", ".ods", ".tsv", ".tab", ".txt", ".json",
                        ".por", ".sas7bdat", ".xpt", ".rds", ".rdata", ".parquet", ".zip"})
SOURCE_COLUMNS = ["source_id", "kind", "path", "case_id", "n_chars", "n_words", "n_turns", "sha256"]
TURN_COLUMNS = ["source_id", "turn", "speaker", "role", "start", "end", "text", "time"]
SPEAKER_COLUMNS = ["source_id", "label", "role", "turns", "words", "found"]
_SPEAKERS_SHOWN = 5  # labels named per interview in a warning
DERIVED_ENTRIES = 32
"""Most entries :meth:`Project.derived` keeps (segments() alone asks for one per filter)."""
_T = TypeVar("_T")
_BY_PATH = operator.attrgetter("path")


def _coding_list(rows: pd.DataFrame, by: str = "source_id", shown: int = 5) -> str:
    """Per source (or ``by``): the count and the first coding ids, e.g. ``H2 (7: c1, …)``."""
    parts = []
    for key, group in rows.groupby(by, sort=True):
        ids = group["coding_id"].tolist()
        listed = ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more"
                                             if len(ids) > shown else "")
        parts.append(f"{key} ({len(ids)}: {listed})")
    return "; ".join(parts)


def _reanchor_message(report: pd.DataFrame, *, save: bool) -> str:
    """One sentence per outcome of re-anchoring, naming the sources and the codings."""
    renamed = report["new_source_id"] != report["source_id"]
    moved = report[(report["outcome"] == "moved") & ~renamed]
    followed = report[(report["outcome"] == "moved") & renamed]
    ambiguous = report[report["outcome"] == "ambiguous"]
    lost = report[report["outcome"] == "lost"]
    # Opening never writes: what re-anchoring found is saved with the next change.
    kept = " (saved with the next change)" if save else " (in memory only)"
    sentences = []
    if not moved.empty:
        sentences.append(f"{len(moved)} coding(s) moved to follow edited text{kept}: "
                         f"{_coding_list(moved)}.")
    if not followed.empty:
        pairs = followed.assign(rename=followed["source_id"] + " → " + followed["new_source_id"])
        sentences.append(f"{len(followed)} coding(s) followed a renamed transcript{kept}: "
                         f"{_coding_list(pairs, by='rename')}.")
    if not ambiguous.empty:
        sentences.append(f"{len(ambiguous)} coding(s) fit more than one place equally and stay "
                         "where they were, out of tables until you choose (see "
                         f"project.unanchored): {_coding_list(ambiguous)}.")
    if not lost.empty:
        sentences.append(f"{len(lost)} coding(s) no longer found in their source and kept in "
                         f"the ledger untouched (see project.unanchored): {_coding_list(lost)}.")
    return " ".join(sentences)


class Project(ProjectFacades):
    """A tymqual project folder opened for analysis and coding.

    Use :func:`open_project` rather than the constructor. Attributes:
    ``root`` (the folder), ``config`` (:class:`ProjectConfig`), ``skipped`` (sources that
    could not be loaded, with the reason), ``unanchored`` (codings whose passage is no longer
    found in an edited source, or fits more than one place: the re-anchoring report's lost
    and ambiguous rows).

    Parsed sources are kept in ``.tymqual-cache/`` (see :mod:`tymqual.cache`), so that a large
    project opens faster the next time; ``cache=False`` parses every file and writes nothing
    there. ``progress=None`` shows a progress bar while the sources are read once that has
    taken a second; ``False`` never shows one.
    """

    def __init__(
        self,
        root: str | Path = ".",
        *,
        save_reanchored: bool = True,
        cache: bool = True,
        progress: bool | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ProjectError(f"{root}: no such project folder; `tymqual init {root}` makes one.")
        self.config = ProjectConfig.read(self.root / CONFIG_FILE)
        self.codes_dir = self.root / "codes"
        self.ledger = Ledger(self.codes_dir / "codings.csv")
        self.ledger.texts = lambda: {sid: doc.text for sid, doc in self._docs.items()}
        self._docs: dict[str, SourceDoc] = {}
        self._cache = SourceCache(self.root, enabled=cache)
        self._progress = progress
        # Derived once from the loaded sources and cases, which a Project never changes.
        self._stats: dict[str, SourceStats] = {}
        # Everything derived from the sources, cases, codebook and ledger; see derived().
        self._derived: dict[Hashable, tuple[Hashable, Any]] = {}
        self._orphans_told: set[str] = set()  # orphan warnings given, each said once
        self.skipped = pd.DataFrame(columns=["path", "error"])
        self._codebook = self._read_codebook()
        self._cases = self._read_cases()
        self._surveys: dict[str, Survey] = {}
        with collector_paused():
            self._load_sources()
            self.ledger.texts = self._texts
            self.ledger.who = self.config.coder or None
            self.ledger.save_pending = save_reanchored
            if cache:
                self.ledger.keep = self.root / CACHE_DIR / "ledger"
            self.unanchored = pd.DataFrame()
            self._reanchor(save=save_reanchored)

    # ------------------------------------------------------------------ loading
    def _read_codebook(self) -> Codebook:
        path = self.codes_dir / "codebook.yaml"
        if not path.exists():
            return Codebook.from_dict({"name": self.config.name, "codes": []}, where=str(path))
        return Codebook.from_yaml(path)

    def _read_cases(self) -> pd.DataFrame:
        path = self.codes_dir / "cases.csv"
        if not path.exists():
            return pd.DataFrame({"case_id": pd.Series(dtype=str)})
        try:
            cases = read_csv_strings(path, error=ProjectError)
        except pd.errors.ParserError as exc:
            raise ProjectError(f"{path}: cannot be read as CSV ({exc}).") from exc
        if "case_id" not in cases.columns:
            raise ProjectError(
                f"{path}: no case_id column; the first row must name the columns, "
                "one of them case_id."
            )
        ids = cases["case_id"].str.strip()
        for i, value in enumerate(ids):
            if not value:
                raise ProjectError(f"{path}: row {i + 2}, column case_id is empty.")
        dup = ids[ids.duplicated(keep=False)]
        if not dup.empty:
            rows = ", ".join(str(i + 2) for i in dup.index)
            raise ProjectError(
                f"{path}: case_id {dup.iloc[0]!r} appears on rows {rows}; ids must be unique."
            )
        cases["case_id"] = ids
        return cases.reset_index(drop=True)

    def _source_paths(self) -> list[tuple[Path, str]]:
        found: list[tuple[Path, str]] = []
        for folder, kind in SOURCE_FOLDERS.items():
            base = self.root / folder
            if not base.is_dir():
                continue
            for path in sorted(base.iterdir()):
                # Office leaves "~$name.docx" lock files beside an open document.
                if path.name.startswith((".", "~$")) or path.is_dir():
                    continue
                # A dangling link is kept so that loading names it instead of dropping it.
                if not (path.is_file() or path.is_symlink()):
                    continue
                found.append((path, kind))
        return found

    def _outside(self, path: Path) -> str | None:
        """Why ``path`` may not be read as a source, or None when it stays inside the project.

        A symlink (or a linked folder) that leads out of the project would copy whatever it
        points at (``/etc/passwd``, another study's transcripts) into exports and reports.
        """
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "a link that leads nowhere (or loops); remove it or copy the file in"
        if target.is_relative_to(self.root.resolve()):
            return None
        return (
            f"leads outside the project (to {target}); tymqual reads only files inside the "
            "project folder, so copy the file in if you mean to include it"
        )

    def _load_sources(self) -> None:
        skipped: list[dict[str, str]] = []
        paths = self._source_paths()
        by_stem: dict[str, list[Path]] = {}
        for path, _ in paths:
            by_stem.setdefault(path.stem, []).append(path)
        # Files the cache lacks are parsed in worker processes first (TYMQUAL_WORKERS=1: not);
        # the loop below then takes them in order, with their warnings and errors.
        reasons = {path: self._unloadable(path, by_stem) for path, _ in paths}
        self._cache.parse_ahead([(path, kind) for path, kind in paths if reasons[path] is None],
                                speakers=self.config.speakers)
        for path, kind in progress(paths, ("Luetaan lähteitä", "Reading sources"),
                                   lang=self.config.language, show=self._progress):
            rel = path.relative_to(self.root).as_posix()
            if (reason := reasons[path]) is not None:
                skipped.append({"path": rel, "error": reason})
            else:
                try:
                    doc, stats = self._cache.source(path, kind=kind, speakers=self.config.speakers)
                except SourceError as exc:
                    skipped.append({"path": rel, "error": str(exc)})
                    continue
                self._docs[doc.source_id] = doc
                if stats is not None:
                    self._stats[doc.source_id] = stats
        self._warn_speakers()
        skipped.extend(self._load_surveys())
        self._cache.prune()
        self.skipped = pd.DataFrame(skipped, columns=["path", "error"])
        if skipped:
            listing = "; ".join(f"{s['path']}: {s['error']}" for s in skipped)
            warnings.warn(
                f"{len(skipped)} source(s) skipped: {listing}", TymqualWarning, stacklevel=3
            )

    def _unloadable(self, path: Path, by_stem: Mapping[str, list[Path]]) -> str | None:
        """Why ``path`` is skipped before it is read, or None."""
        twins = [t.relative_to(self.root).as_posix() for t in by_stem[path.stem] if t != path]
        if twins:
            # Loading either would silently attach the other's codings to the wrong text.
            return (f"source id {path.stem!r} is also used by {', '.join(twins)}; rename or "
                    "remove one of them")
        if (outside := self._outside(path)) is not None:
            return outside
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            return f"unsupported file type {path.suffix!r}"
        return None

    def turnless(self) -> list[str]:
        """Interviews with no speaker turn while other interviews have some: their labels
        were not recognised, so their codings would have no speaker."""
        interviews = [doc for doc in self._docs.values() if doc.kind == "interview"]
        if not any(doc.turns for doc in interviews):
            return []
        return [doc.source_id for doc in interviews if not doc.turns]

    def _warn_speakers(self) -> None:
        """Say which interview has no turns, and which labels found in the text have no role."""
        for sid in self.turnless():
            doc = self._docs[sid]
            seen = label_candidates(doc.text, self.config.speakers)[:_SPEAKERS_SHOWN]
            hint = "".join(f"'{label}:' ({n}x), " for label, n in seen)
            hint = f"its lines begin with {hint[:-2]}; " if hint else ""
            warnings.warn(
                f"{self._shown_path(doc)}: no speaker turns found while other interviews have "
                f"them, so its codings will have no speaker; {hint}list its labels under "
                f"speakers: interviewer / interviewee in {CONFIG_FILE}.",
                TymqualWarning, stacklevel=4,
            )
        unmapped = {
            sid: labels
            for sid, doc in self._docs.items()
            if doc.kind == "interview" and (labels := unmapped_labels(doc, self.config.speakers))
        }
        if not unmapped:
            return
        listing = "; ".join(f"{sid}: {_first_few(labels)}" for sid, labels in unmapped.items())
        warnings.warn(
            f"speaker labels found with no role ({listing}); map each under speakers: "
            f"interviewer or interviewee in {CONFIG_FILE} (`tymqual status` lists them).",
            TymqualWarning, stacklevel=4,
        )

    def _shown_path(self, doc: SourceDoc) -> str:
        if doc.path.is_relative_to(self.root):
            return doc.path.relative_to(self.root).as_posix()
        return str(doc.path)

    def _load_surveys(self) -> list[dict[str, str]]:
        skipped: list[dict[str, str]] = []
        base = self.root / "surveys"
        if not base.is_dir():
            return skipped
        for path in sorted(base.iterdir()):
            rel = path.relative_to(self.root).as_posix()
            if path.name.startswith((".", "~$")) or path.is_dir():
                continue  # hidden files, Office's lock files, folders of one's own
            if path.suffix.lower() not in SURVEY_SUFFIXES:
                if path.suffix.lower() in _DATA_LIKE:
                    shown = " ".join(sorted(SURVEY_SUFFIXES))
                    skipped.append({"path": rel, "error": NOT_A_SURVEY.format(suffixes=shown)})
                continue
            if (outside := self._outside(path)) is not None:
                skipped.append({"path": rel, "error": outside})
                continue
            try:
                survey, answers = self._cache.survey_answers(path)
            except SurveyError as exc:
                skipped.append({"path": rel, "error": str(exc)})
                continue
            self._surveys[path.stem] = survey
            for doc in _answer_sources(path.stem, survey, answers):
                if doc.source_id in self._docs:
                    skipped.append(
                        {
                            "path": rel,
                            "error": f"open answers would be source "
                            f"{doc.source_id!r}, which a transcript already uses",
                        }
                    )
                    continue
                self._docs[doc.source_id] = doc
        return skipped

    def _texts(self) -> dict[str, str]:
        return {sid: doc.text for sid, doc in self._docs.items()}

    def _sources_key(self, texts: Mapping[str, str]) -> str:
        """What names the sources' ids and texts for the ledger's anchoring record: from the
        digests the cache already holds for every source file when it has them all
        (:func:`tymqual.reanchor.digests_key`), else from the texts (``texts_key``)."""
        known = self.source_cache.text_digest
        groups: list[tuple[str, list[str]]] = []
        # The load order is the folder's, so the same sources give the same groups.
        for path, docs in itertools.groupby(self._docs.values(), key=_BY_PATH):
            digest = known(path)
            if digest is None:
                return texts_key(texts)
            groups.append((digest, [doc.source_id for doc in docs]))
        return digests_key(groups)

    def _reanchor(self, *, save: bool) -> None:
        # Opening never writes (a viewing command on a read-only folder or a full disk must
        # work): the spans found here are shown at once and saved with the next change.
        texts = self._texts()
        # A ledger and sources unchanged since every coding was found in place need no
        # read: the ledger's kept columns and this record name their exact bytes. The texts
        # are hashed only where such a record can be (a ledger large enough to be kept):
        # hashing a Kela-size study's 140,000 texts costs more than reading a small ledger.
        keep = self.ledger.keep is not None
        recorded = self.ledger.anchored_to(self.ledger.digest()) if keep else None
        if recorded is not None and recorded == self._sources_key(texts):
            return
        digest, codings = self.ledger.read_versioned()
        if codings.empty:
            return
        report = reanchor(codings, texts)
        if report.empty:
            if keep:
                self.ledger.keep_anchored(digest, lambda: self._sources_key(texts))
            return
        history = self.ledger.history
        if history is not None and history.exists():
            # Only after an edit: the text around each passage when it was coded, from the
            # history, tells repeated passages apart (reading it costs a pass over the file).
            report = reanchor(codings, texts, context=context_frame(history))
        lost = report[report["outcome"].isin(["lost", "ambiguous"])]
        self.unanchored = lost.reset_index(drop=True)
        # A renamed transcript's codings change source even where their place is unsure.
        renamed = report["new_source_id"] != report["source_id"]
        follow = report[(report["outcome"] == "moved") | renamed]
        if not follow.empty:
            self.ledger.set_pending(pd.DataFrame({
                "coding_id": follow["coding_id"].to_numpy(),
                "source_id": follow["new_source_id"].to_numpy(),
                "start": follow["start"].fillna(follow["old_start"]).astype("int64").to_numpy(),
                "end": follow["end"].fillna(follow["old_end"]).astype("int64").to_numpy(),
                "old_source_id": follow["source_id"].to_numpy(),
                "old_start": follow["old_start"].astype("int64").to_numpy(),
                "old_end": follow["old_end"].astype("int64").to_numpy(),
            }))
        warnings.warn(_reanchor_message(report, save=save), TymqualWarning, stacklevel=3)

    # ------------------------------------------------------------------ data
    @property
    def show_progress(self) -> bool | None:
        """The ``progress`` the project was opened with; every long loop on it obeys it."""
        return self._progress

    @property
    def source_cache(self) -> SourceCache:
        """The project's ``.tymqual-cache/`` (what derived data may be kept in too)."""
        return self._cache

    @property
    def codebook(self) -> Codebook:
        """The codebook from ``codes/codebook.yaml``."""
        return self._codebook

    @property
    def cases(self) -> pd.DataFrame:
        """One row per case from ``codes/cases.csv``: ``case_id`` then the attributes."""
        return self._cases.copy()

    @property
    def source_ids(self) -> list[str]:
        """Source ids in load order (folder, then file name)."""
        return list(self._docs)

    @property
    def surveys(self) -> dict[str, Survey]:
        """Every survey in ``surveys/``, by file stem."""
        return dict(self._surveys)

    def survey(self, name: str | None = None) -> Survey:
        """One survey by file stem; with no name, the project's only survey."""
        if name is None and len(self._surveys) == 1:
            return next(iter(self._surveys.values()))
        if name in self._surveys:
            return self._surveys[name]
        known = ", ".join(self._surveys) or "none"
        what = f"no survey {name!r}" if name else "name the survey"
        raise ProjectError(f"{what} in {self.root / 'surveys'}; surveys there: {known}.")

    def survey_reports(self) -> pd.DataFrame:
        """One row per survey in ``surveys/``: what its load report counted.

        Columns: ``survey`` (file stem), ``file``, ``format``, ``respondents``,
        ``incomplete``, ``items``, ``likert``, ``open_answers``, ``metadata``,
        ``identifiers``, ``dropped``, ``notes`` (``"; "``-joined). Each survey's whole
        report is ``project.survey(name).report`` (``tymqual inspect FILE`` prints it).
        """
        return survey_summary({name: s.report for name, s in self._surveys.items()})

    def respondent_case(self, respondent_id: str) -> str | None:
        """The case a survey respondent is, from ``cases.csv``'s ``respondent_id`` column."""
        return self._case_lookup().respondents.get(respondent_id)

    def case_of(self, source_id: str) -> str | None:
        """The case a source belongs to.

        A source belongs to the case whose ``case_id`` equals its id, or whose id it starts
        with followed by ``_`` or ``-`` (``H1_osa2`` → ``H1``), or that lists it in a
        ``sources`` column (``;``-separated) of ``cases.csv``.
        """
        return self._case_in(self._case_lookup(), source_id)

    def _case_in(self, lookup: _CaseLookup, source_id: str) -> str | None:
        """:meth:`case_of` with the lookup already at hand (a loop over every source)."""
        if source_id in lookup.found:
            return lookup.found[source_id]
        if source_id in lookup.ids:
            case: str | None = source_id
        elif (doc := self._docs.get(source_id)) is not None and doc.kind == "survey_answer":
            case = lookup.respondents.get(str(doc.meta["respondent_id"]))
        elif source_id in lookup.listed:
            case = lookup.listed[source_id]
        else:
            # The longest case id followed by "_" or "-" at the start of the source id.
            cuts = [i for i in range(len(source_id) - 1, 0, -1) if source_id[i] in "_-"]
            case = next((source_id[:i] for i in cuts if source_id[:i] in lookup.ids), None)
        lookup.found[source_id] = case
        return case

    def _case_lookup(self) -> _CaseLookup:
        """Case ids, respondents and listed sources of ``cases.csv`` as dicts, built once."""
        cases = self._cases
        return self.derived("cases", lambda: _CaseLookup.of(cases), depends=id(cases))

    def derived(self, name: Hashable, build: Callable[[], _T], *,
                depends: Hashable = None) -> _T:
        """The project's one cache of derived data: ``build()``'s result, kept under ``name``.

        One rule: an entry is used while ``depends`` (what it was derived from and can change
        in an open project, such as the ledger's digest; ``None`` for what depends only on
        the sources, cases and settings, which a Project never changes) equals the one it was
        built with; otherwise it is built again and replaces the old one. At most
        :data:`DERIVED_ENTRIES` entries are kept, the least recently used dropped first (so
        a search index used all along outlives a series of one-off segment filters).
        """
        entry = self._derived.pop(name, None)
        if entry is not None and entry[0] == depends:
            self._derived[name] = entry
            return cast(_T, entry[1])
        value = build()
        if len(self._derived) >= DERIVED_ENTRIES:
            self._derived.pop(next(iter(self._derived)))
        self._derived[name] = (depends, value)
        return value

    def case_label(self, case_id: str | None, source_id: str | None = None) -> str:
        """The label a reader sees for a case: ``label`` from ``cases.csv``, else the id."""
        if case_id is None:
            return source_id or ""
        return self._case_lookup().labels.get(case_id, case_id)

    @property
    def sources(self) -> pd.DataFrame:
        """One row per loaded source (schema in ARCHITECTURE.md)."""
        # Built once: with 200,000 open answers it walks as many sources in Python.
        frame = self.derived("sources", self._sources_frame, depends=id(self._cases))
        return frame.copy()

    def _sources_frame(self) -> pd.DataFrame:
        self._fill_stats()
        lookup = self._case_lookup()
        rows = []
        shown: dict[Path, str] = {}  # the open answers of a survey share its path
        for sid, doc in self._docs.items():
            if doc.path not in shown:
                shown[doc.path] = (
                    doc.path.relative_to(self.root).as_posix()
                    if doc.path.is_relative_to(self.root)
                    else doc.path.as_posix()
                )
            stats = self._stats[sid]
            rows.append(
                (sid, doc.kind, shown[doc.path], self._case_in(lookup, sid), len(doc.text),
                 stats.n_words, len(doc.turns), stats.sha256)
            )
        frame = pd.DataFrame(rows, columns=SOURCE_COLUMNS)
        return frame.astype({"n_chars": "int64", "n_words": "int64", "n_turns": "int64"})

    def source_stats(self, source_id: str) -> SourceStats:
        """The word count and SHA-256 of one source's text (as :attr:`sources` shows them),
        without building the frame of every source."""
        stats = self._stats.get(source_id)
        if stats is None:
            stats = self._stats[source_id] = stats_of(self.text(source_id))
        return stats

    def _fill_stats(self) -> None:
        """Word counts and digests of the sources the cache gave none (open answers): their
        words counted in one pass (:func:`tymqual.text.count_words_many`), not a regex each."""
        missing = [sid for sid in self._docs if sid not in self._stats]
        texts = [self._docs[sid].text for sid in missing]
        for sid, text_, n in zip(missing, texts, count_words_many(texts).tolist(), strict=True):
            self._stats[sid] = SourceStats(n, sha256_text(text_))

    def document(self, source_id: str) -> SourceDoc:
        """The loaded source (text, turns, metadata) of ``source_id``."""
        try:
            return self._docs[source_id]
        except KeyError:
            raise SourceError(
                f"no source {source_id!r} in {self.root}; sources are: "
                f"{', '.join(self._docs) or '(none)'}."
            ) from None

    def text(self, source_id: str) -> str:
        """The normalised text of a source; every offset points into it."""
        return self.document(source_id).text

    def turns(self, source_id: str | None = None) -> pd.DataFrame:
        """Speaker turns of one source, or of all (schema in ARCHITECTURE.md)."""
        ids = [source_id] if source_id is not None else list(self._docs)
        rows = []
        for sid in ids:
            doc = self.document(sid)
            for t in doc.turns:
                rows.append(
                    (
                        sid,
                        t.turn,
                        t.speaker,
                        t.role,
                        t.start,
                        t.end,
                        doc.text[t.start : t.end],
                        t.time,
                    )
                )
        frame = pd.DataFrame(rows, columns=TURN_COLUMNS)
        return frame.astype({"turn": "int64", "start": "int64", "end": "int64"})

    def speakers(self) -> pd.DataFrame:
        """The speaker labels each interview uses, and whether each has a role.

        One row per interview and label as written: ``source_id``, ``label``, ``role``
        (``interviewer`` | ``interviewee`` | None: add the label under ``speakers:`` in
        tymqual.yaml to give it one), ``turns``, ``words`` (of its speech) and ``found``
        (``configured``, ``voice tag`` of a caption file, or ``detected`` in the text).
        """
        rows = [
            row
            for doc in self._docs.values()
            if doc.kind == "interview"
            for row in speaker_rows(doc, self.config.speakers)
        ]
        frame = pd.DataFrame(rows, columns=SPEAKER_COLUMNS)
        return frame.astype({"turns": "int64", "words": "int64"})

    @property
    def codings(self) -> pd.DataFrame:
        """The codings ledger as it is on disk now."""
        return self.ledger.read()

    # ------------------------------------------------------------------ coding
    def code(
        self,
        source_id: str,
        code: str | Code,
        *,
        quote: str | None = None,
        start: int | None = None,
        end: int | None = None,
        turns: Sequence[int] | None = None,
        coder: str | None = None,
        memo: str | None = None,
        reduced: str | None = None,
        status: str = "accepted",
    ) -> str:
        """Code a passage and save it at once; returns the new ``coding_id``.

        Give exactly one of ``quote`` (found exactly, else ignoring case and white space; it
        must occur once), ``start``/``end`` (code-point offsets), or ``turns`` (one whole
        speaker turn by number, e.g. ``turns=[12]``; :meth:`code_many` codes several).
        ``coder`` defaults to ``tymqual.yaml``'s ``coder:``, else the operating-system user;
        an empty one is refused, since agreement and "my codings" go by it.
        """
        if turns is not None and len(turns) > 1:
            raise CodingError(
                f"code {source_id!r}: code() makes one coding, but turns={list(turns)} names "
                f"{len(turns)}; use code_many(..., turns=...) to get one coding id per turn."
            )
        ids = self.code_many(
            source_id,
            code,
            quote=quote,
            start=start,
            end=end,
            turns=turns,
            coder=coder,
            memo=memo,
            reduced=reduced,
            status=status,
        )
        return ids[0]

    def code_many(
        self,
        source_id: str,
        code: str | Code,
        *,
        quote: str | None = None,
        start: int | None = None,
        end: int | None = None,
        turns: Sequence[int] | None = None,
        coder: str | None = None,
        memo: str | None = None,
        reduced: str | None = None,
        status: str = "accepted",
    ) -> list[str]:
        """Like :meth:`code`, but ``turns=[3, 5]`` returns one coding id per turn."""
        text = self.text(source_id)
        key = self._codebook.resolve(code).key
        who = coder if coder is not None else self._who()
        spans = self._spans(source_id, text, quote=quote, start=start, end=end, turns=turns)
        rows = [
            {
                "source_id": source_id,
                "start": s,
                "end": e,
                "code": key,
                "coder": who,
                "status": status,
                "memo": memo or "",
                "reduced": reduced or "",
                "text": text[s:e],
            }
            for s, e in spans
        ]
        return self.ledger.add(rows, action="code", who=who, coder_required=True)

    def _spans(
        self,
        source_id: str,
        text: str,
        *,
        quote: str | None,
        start: int | None,
        end: int | None,
        turns: Sequence[int] | None,
    ) -> list[tuple[int, int]]:
        given = [
            name
            for name, v in (
                ("quote", quote),
                ("start/end", start if start is not None else end),
                ("turns", turns),
            )
            if v is not None
        ]
        if len(given) != 1:
            raise CodingError(
                f"code {source_id!r}: give exactly one of quote=, start= and end=, or turns= "
                f"(got {', '.join(given) or 'none'})."
            )
        if quote is not None:
            found = find_quote(text, quote)
            if len(found) == 1:
                return found
            if not found:
                raise CodingError(
                    f"code {source_id!r}: the quote {quote[:60]!r} is not in the text, even "
                    "ignoring case and white space; copy it from project.text() or use start/end."
                )
            shown = "\n".join(f"  start={s}: {snippet(text, s, e, 25)}" for s, e in found[:5])
            raise CodingError(
                f"code {source_id!r}: the quote {quote[:60]!r} occurs {len(found)} times; "
                f"lengthen it or give start/end. Candidates:\n{shown}"
            )
        if turns is not None:
            by_number = {t.turn: t for t in self.document(source_id).turns}
            missing = [n for n in turns if n not in by_number]
            if missing:
                raise CodingError(
                    f"code {source_id!r}: no turn(s) {missing}; the source has turns "
                    f"1–{len(by_number)}."
                )
            return [(by_number[n].start, by_number[n].end) for n in turns]
        if start is None or end is None:
            raise CodingError(f"code {source_id!r}: give both start= and end=.")
        check_span(text, start, end, where=f"code {source_id!r}")
        return [(start, end)]

    def uncode(self, coding_id: str | Iterable[str]) -> int:
        """Remove codings from the ledger; returns how many were removed.

        The history keeps each removed coding whole: :meth:`undo` puts it back."""
        ids = [coding_id] if isinstance(coding_id, str) else list(coding_id)
        return self.ledger.remove(ids)

    def edit_coding(
        self,
        coding_id: str,
        *,
        memo: str | None = None,
        reduced: str | None = None,
        code: str | Code | None = None,
        coder: str | None = None,
    ) -> int:
        """Change a coding's memo, reduced expression (*pelkistys*) or code; returns 1 if
        anything changed, else 0. Recorded in the history (``memo``, ``reduced`` or
        ``recode``), so :meth:`undo` takes it back. ``coder`` names who edits (default: the
        project's coder)."""
        changes: dict[str, str] = {}
        if memo is not None:
            changes["memo"] = memo
        if reduced is not None:
            changes["reduced"] = reduced
        if code is not None:
            changes["code"] = self._codebook.resolve(code).key
        if not changes:
            raise CodingError(f"edit_coding({coding_id!r}): give memo=, reduced= or code=.")
        action = "recode" if "code" in changes else "memo" if "memo" in changes else "reduced"
        return self.ledger.update([coding_id], action=action, who=coder, **changes)

    # ------------------------------------------------------------------ history
    def history(self, *, by: Literal["row", "change"] = "row") -> pd.DataFrame:
        """Every recorded change to the codings, oldest first.

        ``by="row"``: one row per coding and changed cell (:data:`tymqual.history.
        HISTORY_COLUMNS`: ``change, time, who, action, note, op, coding_id, source_id, code,
        column, before, after, undone``); ``by="change"``: one row per change
        (``change, time, who, action, note, rows, undone, undoes, redoes``). A change that
        :meth:`undo` took back stays in the history, marked ``undone``.
        """
        history = self.ledger.require_history("show")
        if by == "change":
            return history.changes_frame()
        if by != "row":
            raise CodingError(f"history(by={by!r}): use 'row' or 'change'.")
        return history.to_frame()

    def undo(self) -> str:
        """Take back the last change to the codings (any: a coding, a removal, a memo, an
        autocoding batch, a merge, an outside edit); returns what was undone, in words.
        Repeat to go further back; :meth:`redo` makes it again."""
        return "undid " + describe_change(self.ledger.undo())

    def redo(self) -> str:
        """Make again the change the last :meth:`undo` took back; returns it in words."""
        return "redid " + describe_change(self.ledger.redo())

    def restore(self, at: int | str | datetime) -> int:
        """Put the codings back as they were after change ``at`` (its number in
        :meth:`history`, or a time such as ``"2026-12-01T12:00"``, UTC); returns how many
        codings changed. Recorded as one change, so :meth:`undo` takes it back."""
        return self.ledger.restore(at)

    # ------------------------------------------------------------------ codebook edits
    def _save_codebook(self) -> None:
        try:
            self._codebook.to_yaml(self.codes_dir / "codebook.yaml")
        except StorageError:
            # The file stayed as it was (a full disk, say): so does the codebook in memory.
            self._codebook = self._read_codebook()
            raise

    def add_code(self, name: str, *, parent: str | None = None, key: str | None = None) -> Code:
        """Add a code at the end of ``parent``'s children (top level if None) and save the
        codebook; without ``key`` one is made from the name (see :meth:`Codebook.add`)."""
        added = self._codebook.add(name, parent=parent, key=key)
        self._save_codebook()
        return added

    def recolor_code(self, code: str, color: str) -> Code:
        """Give a code a new colour (``"#1f77b4"``) and save the codebook."""
        recolored = self._codebook.recolor(code, color)
        self._save_codebook()
        return recolored

    def set_code_memo(self, code: str, memo: str) -> Code:
        """Write the analyst's memo on a code (``""`` removes it) and save the codebook. The
        earlier text is kept in the memo history (:meth:`memo_history`, :meth:`restore_memo`)."""
        earlier = self._codebook.resolve(code).memo or ""
        noted = self._codebook.set_memo(code, memo)
        if (noted.memo or "") != earlier:
            try:
                record_memo_change(self.codes_dir, "code", noted.key, earlier, noted.memo or "",
                                   who=self._who())
            except BaseException:
                noted.memo = earlier
                raise
        self._save_codebook()
        return noted

    def _who(self) -> str:
        return self.config.coder or current_user()

    @property
    def source_memos(self) -> dict[str, str]:
        """``{source_id: memo}`` from ``codes/memos.yaml`` (:mod:`tymqual.memos`)."""
        return read_source_memos(self.codes_dir / MEMO_FILE)

    def set_source_memo(self, source_id: str, memo: str) -> None:
        """Write the analyst's memo on a source (``""`` removes it) to ``codes/memos.yaml``;
        the earlier text is kept in the memo history."""
        if source_id not in self._docs:
            raise ProjectError(f"set_source_memo({source_id!r}): no such source; sources are "
                               f"{', '.join(self.source_ids[:10]) or '(none)'}"
                               f"{' …' if len(self.source_ids) > 10 else ''}.")
        write_source_memo(self.codes_dir / MEMO_FILE, source_id, memo, who=self._who())

    def memo_history(self) -> pd.DataFrame:
        """Every change of a source or code memo, oldest first: ``change, time, who, kind``
        (``"source"`` or ``"code"``), ``target`` (source id or code key), ``before, after``."""
        return memo_history(self.codes_dir)

    def restore_memo(self, kind: str, target: str, change: int | None = None) -> str:
        """Put back the text a memo had before its last change (or before ``change``, a
        number of :meth:`memo_history`); returns the text now in place. The restore is a
        change of its own, so the text it replaced can be restored in turn."""
        history = memo_history(self.codes_dir)
        mine = history[(history["kind"] == kind) & (history["target"] == target)]
        if change is not None:
            mine = mine[mine["change"] == change]
        if mine.empty:
            which = f"change {change} of " if change is not None else ""
            raise ProjectError(f"restore_memo({kind!r}, {target!r}): {which}no recorded change "
                               "of that memo in codes/memos.history.jsonl; see memo_history().")
        text = str(mine["before"].iloc[-1])
        if kind == "code":
            self.set_code_memo(target, text)
        else:
            self.set_source_memo(target, text)
        return text

    def rename_code(self, code: str, new_name: str) -> Code:
        """Rename a code (its key, and so every coding, stays) and save the codebook."""
        renamed = self._codebook.rename(code, new_name)
        self._save_codebook()
        return renamed

    def move_code(self, code: str, new_parent: str | None) -> Code:
        """Move a code under another (``None``: to the top level) and save the codebook."""
        moved = self._codebook.move(code, new_parent)
        self._save_codebook()
        return moved

    def rekey_code(self, code: str | Code, new_key: str) -> Code:
        """Give a code a new key and save the codebook; its codings follow without a rewrite.

        The old key goes into the code's ``renamed_from`` in ``codes/codebook.yaml``, so the
        codings stored under it count as the code everywhere. Use this instead of editing the
        key by hand.
        """
        rekeyed = self._codebook.rekey(code, new_key)
        self._save_codebook()
        return rekeyed

    def orphaned_codings(self) -> pd.DataFrame:
        """Ledger rows whose ``code`` key no code has, now or as ``renamed_from`` (any status).

        Such codings were made under a key later renamed or deleted in ``codebook.yaml`` by
        hand. They stay in the ledger; segments, tables and the report show them as not in
        the codebook (:func:`tymqual.codebook.orphan_path`), and ``tymqual check`` lists them.
        """
        codings = self.codings
        known = list(self._codebook.key_map())
        return codings[~codings["code"].isin(known)].reset_index(drop=True)

    def _tell_orphans(self, found: pd.DataFrame) -> None:
        """Warn once per project and ledger state when a result holds orphaned codings."""
        if found.empty or found["code"].isin([c.key for c in self._codebook]).all():
            return
        counts = self.orphaned_codings()["code"].value_counts(sort=False)
        message = orphan_warning(
            self.codes_dir / "codebook.yaml", {str(k): int(n) for k, n in counts.items()}
        )
        if message not in self._orphans_told:
            self._orphans_told.add(message)
            warnings.warn(message, TymqualWarning, stacklevel=4)

    def merge_codes(self, code: str, into: str) -> int:
        """Merge ``code`` into ``into``: its codings are recoded, then the codebook is saved.

        The ledger is written first: if anything stops between the two writes, the codings
        point at ``into``, which the old codebook still has, so nothing dangles.
        """
        mapping = self._codebook.merge(code, into)
        try:
            changed = self.ledger.recode(mapping)
        except StorageError:
            self._codebook = self._read_codebook()
            raise
        self._save_codebook()
        return changed

    # ------------------------------------------------------------------ retrieval
    def segments(
        self,
        code: str | None = None,
        *,
        descendants: bool = True,
        case: str | Sequence[str] | None = None,
        coder: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = "accepted",
    ) -> pd.DataFrame:
        """Coded retrieval: one row per coded passage with its context and case attributes.

        ``code`` is a path, key or name; with ``descendants`` its subcodes' passages come
        too. ``case``, ``coder`` and ``status`` filter (a value or a list; ``None``: all).
        Codings whose passage was lost in an edited source are left out (see ``unanchored``).

        ``code`` is the code's current key: a coding stored under one of its ``renamed_from``
        keys shows as the code. A coding under a key no code has (renamed or deleted by hand
        in ``codebook.yaml``) keeps its key in ``code`` and shows ``code_path``
        ``"<key> (ei koodikirjassa)"`` and ``code_name`` ``"Ei koodikirjassa: <key>"``
        (English when the project's language is ``en``), with a :class:`TymqualWarning`
        naming the keys and the fix.
        """
        digest, seg = self.ledger.read_versioned()
        # The same ledger bytes, codebook and arguments give the same frame: tables and the
        # report ask for it many times. Texts, turns and cases do not change in a Project.
        depends = (
            digest,
            tuple((c.key, c.path, c.name, c.renamed_from) for c in self._codebook),
            id(self._cases),
        )
        name = ("segments", code, descendants,
                *(v if v is None or isinstance(v, str) else tuple(v)
                  for v in (case, coder, status)))

        def build() -> pd.DataFrame:
            return self._segments(seg, code, descendants=descendants, case=case, coder=coder,
                                  status=status)

        try:
            hash(name)
        except TypeError:  # an unusual argument (a Code object, say): compute, keep nothing
            digest = None
        found = build() if digest is None else self.derived(name, build, depends=depends)
        found = found.copy()  # the kept frame is never handed out to be changed
        self._tell_orphans(found)
        return found

    def _segments(
        self,
        seg: pd.DataFrame,
        code: str | None,
        *,
        descendants: bool,
        case: str | Sequence[str] | None,
        coder: str | Sequence[str] | None,
        status: str | Sequence[str] | None,
    ) -> pd.DataFrame:
        if not self.unanchored.empty:
            seg = seg[~seg["coding_id"].isin(self.unanchored["coding_id"])]
        seg = seg[seg["source_id"].isin(list(self._docs))]
        key_map = self._codebook.key_map()
        if any(old != c.key for old, c in key_map.items()):
            current = {old: c.key for old, c in key_map.items()}
            seg = seg.assign(code=seg["code"].map(current).fillna(seg["code"]))
        if code is not None:
            target = self._codebook.resolve(code)
            keys = [
                c.key for c in (self._codebook.descendants(target) if descendants else [target])
            ]
            seg = seg[seg["code"].isin(keys)]
        for column, value in (("coder", coder), ("status", status)):
            if value is not None:
                seg = seg[seg[column].isin([value] if isinstance(value, str) else list(value))]
        seg = seg.copy()
        # object dtype even when empty, so the merge with cases' string ids never sees float64
        seg["case_id"] = pd.Series(
            [self.case_of(s) for s in seg["source_id"].tolist()], index=seg.index, dtype=object
        )
        if case is not None:
            seg = seg[seg["case_id"].isin([case] if isinstance(case, str) else list(case))]
        # A key no code has stays visible under a marker, never dropped (see the docstring).
        lang = "en" if self.config.language == "en" else "fi"
        orphans = set(seg["code"]) - {c.key for c in self._codebook}
        paths = {c.key: c.path for c in self._codebook} | {
            k: orphan_path(k, lang) for k in orphans
        }
        names = {c.key: c.name for c in self._codebook} | {
            k: orphan_name(k, lang) for k in orphans
        }
        seg["code_path"] = seg["code"].map(paths)
        seg["code_name"] = seg["code"].map(names)
        seg["speaker"], seg["turn"] = self._turn_of(seg)
        columns = list(_SEGMENT_COLUMNS)
        seg = seg[columns]
        attrs = self._cases.drop(columns=[c for c in ("sources",) if c in self._cases.columns])
        clash = [c for c in attrs.columns if c in columns and c != "case_id"]
        attrs = attrs.rename(columns={c: f"case_{c}" for c in clash})
        merged = seg.merge(attrs, on="case_id", how="left")
        return merged.reset_index(drop=True).astype({"turn": "Int64"})

    def _turn_of(self, seg: pd.DataFrame) -> tuple[list[Any], list[Any]]:
        axis = self._turns_axis()
        sids = seg["source_id"].tolist()
        begins = seg["start"].to_numpy(dtype=np.int64)
        # The last turn starting at or before the passage, counted within its source.
        found = axis.containing(sids, begins).tolist()
        speakers: list[Any] = []
        numbers: list[Any] = []
        for sid, begin, at in zip(sids, begins.tolist(), found, strict=True):
            doc = self._docs[sid]
            turns = doc.turns
            # A passage that begins on a speaker label ("H: ...") belongs to the turn that
            # label opens.
            if at + 1 < len(turns) and doc.text.find("\n", begin, turns[at + 1].start) < 0:
                at += 1
            if at < 0:
                speakers.append(None)
                numbers.append(pd.NA)
            else:
                speakers.append(turns[at].speaker)
                numbers.append(turns[at].turn)
        return speakers, numbers

    def turn_axis(self) -> SourceAxis:
        """Every source's speaker turns on one offset axis, in load order (built once): the
        segments' turn lookup and the turn co-occurrence table share it."""
        return self._turns_axis()

    def _turns_axis(self) -> SourceAxis:
        """Every source's turns on one axis (sources end to end), built once."""
        return self.derived("turn_axis", lambda: turn_axis(self._docs))

    def quote(self, coding_id: str, *, max_chars: int | None = None) -> str:
        """A passage formatted for the thesis: Finnish quotation marks and the case label.

        ``”Kela on ainoa valtakunnallinen toimija.” (H2)``; line breaks become spaces, and
        with ``max_chars`` a long passage is shortened at a word boundary with ``[…]``.
        """
        codings = self.codings
        row = codings[codings["coding_id"] == coding_id]
        if row.empty:
            raise CodingError(f"no coding {coding_id!r} in {self.ledger.path}.")
        source_id = str(row["source_id"].iloc[0])
        start, end = int(row["start"].iloc[0]), int(row["end"].iloc[0])
        return self.format_quote(source_id, start, end, max_chars=max_chars)

    def format_quote(
        self, source_id: str, start: int, end: int, *, max_chars: int | None = None
    ) -> str:
        """Format ``text[start:end]`` of a source as :meth:`quote` does, without a ledger read."""
        passage = " ".join(self.text(source_id)[start:end].split())
        if max_chars is not None and len(passage) > max_chars:
            passage = passage[:max_chars].rsplit(" ", 1)[0] + " […]"
        return f"\u201d{passage}\u201d ({self.case_label(self.case_of(source_id), source_id)})"

    # ------------------------------------------------------------------ display
    def summary(self) -> dict[str, Any]:
        """Counts for ``tymqual status`` and the report: sources, words (in all and by kind of
        source), turns, cases (rows of ``cases.csv``), codes, codings (accepted), passages
        (distinct accepted spans) and the rest."""
        src = self.sources
        codings = self.codings
        key_map = self._codebook.key_map()
        current = codings["code"].map({old: c.key for old, c in key_map.items()})
        per_code = current[codings["status"] == "accepted"].value_counts()
        orphaned = codings.loc[current.isna(), "code"].value_counts(sort=False)
        speakers = self.speakers()
        unmapped = set(speakers.loc[speakers["role"].isna(), "label"])  # in any interview
        roles: dict[str, str | None] = {}
        for label, role in zip(speakers["label"], speakers["role"], strict=True):
            roles.setdefault(str(label), None if label in unmapped else str(role))
        return {
            "project": self.config.name,
            "root": str(self.root),
            "sources": len(src),
            "words": int(src["n_words"].sum()),
            "turns": int(src["n_turns"].sum()),
            "cases": len(self._cases),
            "codes": len(self._codebook),
            "codings": int((codings["status"] == "accepted").sum()),
            # a coded passage: one accepted span, however many codes it has
            "passages": int(len(codings.loc[codings["status"] == "accepted",
                                            ["source_id", "start", "end"]].drop_duplicates())),
            # words of interviews apart from survey answers and documents (the report's
            # Table 1 total is the interviews' words)
            "words_by_kind": {str(k): int(n) for k, n in
                              src.groupby("kind", sort=True)["n_words"].sum().items()},
            "suggested": int((codings["status"] == "suggested").sum()),
            "skipped": len(self.skipped),
            "unanchored": len(self.unanchored),
            "per_code": {c.path: int(per_code.get(c.key, 0)) for c in self._codebook},
            # ledger keys no code has, with their codings (any status): see orphaned_codings()
            "orphaned": {str(k): int(n) for k, n in orphaned.items()},
            "last_change": self._last_change(),
            # each interview speaker label once, with its role (None: not mapped)
            "speaker_roles": roles,
            "turnless": self.turnless(),
        }

    def _last_change(self) -> str | None:
        """The history's last change in words, or None when there is no history yet."""
        history = self.ledger.history
        last = history.last_commit() if history is not None else None
        return None if last is None else describe_change(last)

    def show(self, source_id: str) -> SourceView:
        """A transcript with its coded passages highlighted in code colours (for Jupyter)."""
        return SourceView(self, source_id)

    def _repr_html_(self) -> str:
        s = self.summary()
        rows = "".join(
            f"<tr><td>{html.escape(sid)}</td><td>{html.escape(str(kind))}</td>"
            f"<td>{html.escape(str(case or ''))}</td><td>{words}</td><td>{turns}</td></tr>"
            for sid, kind, case, words, turns in self.sources[
                ["source_id", "kind", "case_id", "n_words", "n_turns"]
            ].itertuples(index=False)
        )
        return (
            f"<div><strong>{html.escape(s['project'])}</strong> — {s['sources']} sources, "
            f"{s['words']} words, {s['codes']} codes, {s['codings']} codings"
            "<table><thead><tr><th>source</th><th>kind</th><th>case</th><th>words</th>"
            f"<th>turns</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )

    def __repr__(self) -> str:
        return f"<tymqual.Project {self.config.name!r} at {self.root}: {len(self._docs)} sources>"


class SourceView:
    """HTML view of one source: speaker turns, coded passages in their code colours."""

    def __init__(self, project: Project, source_id: str) -> None:
        self.project = project
        self.source_id = source_id

    def _repr_html_(self) -> str:
        p = self.project
        text = p.text(self.source_id)
        seg = p.segments(status=None)
        seg = seg[(seg["source_id"] == self.source_id) & (seg["status"] != "rejected")]
        colors = {c.key: c.color for c in p.codebook}
        bounds = sorted({0, len(text), *seg["start"], *seg["end"]})
        pieces = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            cover = seg[(seg["start"] <= a) & (seg["end"] >= b)]
            chunk = html.escape(text[a:b]).replace("\n", "<br>")
            if cover.empty:
                pieces.append(chunk)
                continue
            first = str(cover["code"].iloc[0])
            color = colors.get(first, "#dddddd")
            title = html.escape(", ".join(dict.fromkeys(cover["code_path"])))
            dashed = " text-decoration: underline dotted;" if len(cover) > 1 else ""
            style = "background:" + color + "55;" + dashed + " border-bottom:2px solid " + color
            pieces.append(f'<span title="{title}" style="{style}">{chunk}</span>')
        legend = " ".join(
            f'<span style="background:{html.escape(c.color)}55;padding:0 4px">'
            f"{html.escape(c.name)}</span>"
            for c in p.codebook
            if c.key in set(seg["code"])
        )
        return (
            f"<div><h4>{html.escape(self.source_id)}</h4><div>{legend}</div>"
            f'<div style="font-family:serif;line-height:1.5">{"".join(pieces)}</div></div>'
        )


def _first_few(labels: list[str]) -> str:
    more = len(labels) - _SPEAKERS_SHOWN
    return ", ".join(labels[:_SPEAKERS_SHOWN]) + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class _CaseLookup:
    """``cases.csv`` as dicts for :meth:`Project.case_of`; ``found`` remembers answers."""

    ids: frozenset[str]
    respondents: dict[str, str]
    listed: dict[str, str]
    labels: dict[str, str]  # the non-empty labels, stripped
    found: dict[str, str | None]

    @classmethod
    def of(cls, cases: pd.DataFrame) -> _CaseLookup:
        ids = [str(c) for c in cases["case_id"]]
        respondents: dict[str, str] = {}
        if "respondent_id" in cases.columns:
            for cid, rid in zip(ids, cases["respondent_id"].str.strip(), strict=True):
                respondents.setdefault(rid, cid)  # the first case with the id, as cases.csv
        listed: dict[str, str] = {}
        if "sources" in cases.columns:
            for cid, names in zip(ids, cases["sources"], strict=True):
                for name in str(names).split(";"):
                    listed.setdefault(name.strip(), cid)
        labels: dict[str, str] = {}
        if "label" in cases.columns:
            for cid, label in zip(ids, cases["label"], strict=True):
                if str(label).strip():
                    labels.setdefault(cid, str(label).strip())
        return cls(frozenset(ids), respondents, listed, labels, {})


# The segments' own columns, in order; the case attributes follow them.
_SEGMENT_COLUMNS = (
    "coding_id", "source_id", "case_id", "code", "code_path", "code_name", "start", "end",
    "text", "speaker", "turn", "coder", "status", "memo", "reduced",
)


class _AnswerMeta(Mapping[str, object]):
    """An answer source's ``meta`` (``format``, ``respondent_id``, ``survey``), read-only: two
    slots instead of a dict per respondent, which at 200,000 respondents was 26 MB."""

    __slots__ = ("_respondent", "_shared")
    _KEYS = ("format", "respondent_id", "survey")

    def __init__(self, shared: tuple[str, str], respondent: str) -> None:
        self._shared, self._respondent = shared, respondent

    def __getitem__(self, key: str) -> object:
        if key == "respondent_id":
            return self._respondent
        if key in ("format", "survey"):
            return self._shared[key == "survey"]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)

    def __repr__(self) -> str:
        return repr(dict(self))


def _answer_sources(stem: str, survey: Survey, answers: AnswerTexts) -> list[SourceDoc]:
    """One codable source per respondent: each open question, then its answer as a turn.

    Built from the answers' one text and offsets with as little work per source as Python
    allows (at 200,000 respondents this loop is most of a warm open): slices of one string,
    turns made in one pass; the item ids, format, survey name and path are shared objects.
    """
    bounds = answers.bounds.tolist()
    texts = [answers.text[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    turn_bounds = answers.turn_bounds.tolist()
    counts = np.diff(answers.turn_bounds)
    numbers = (np.arange(len(answers.turn_items)) - np.repeat(answers.turn_bounds[:-1], counts)
               + 1).tolist()
    turns = list(map(Turn, numbers, answers.turn_items, itertools.repeat("interviewee"),
                     answers.turn_starts.tolist(), answers.turn_ends.tolist(),
                     itertools.repeat(None)))
    if (counts == 1).all():  # one open question, the usual survey: no slicing
        grouped: list[tuple[Turn, ...]] = [(turn,) for turn in turns]
    else:
        grouped = [tuple(turns[a:b]) for a, b in zip(turn_bounds[:-1], turn_bounds[1:],
                                                     strict=True)]
    shared, path = (survey.source_format, stem), survey.path
    return [
        SourceDoc(f"{stem}_{respondent}", path, "survey_answer", text, own,
                  _AnswerMeta(shared, respondent))
        for respondent, text, own in zip(answers.respondent_ids, texts, grouped, strict=True)
    ]


def orphan_warning(codebook_path: str | Path, counts: dict[str, int]) -> str:
    """One sentence naming the orphaned keys, their codings and the two ways to fix them."""
    total = sum(counts.values())
    listed = ", ".join(f"{key!r} ({n})" for key, n in counts.items())
    first = next(iter(counts), "old_key")
    return (
        f"{codebook_path}: {total} coding(s) in codes/codings.csv are stored under key(s) no "
        f"code has ({listed}), so they show as not in the codebook; restore the key in "
        f"codes/codebook.yaml, or add renamed_from: [{first}] to the code it became "
        "(project.rekey_code(code, new_key) records a new key this way)."
    )


def open_project(
    path: str | Path = ".",
    *,
    save_reanchored: bool = True,
    cache: bool = True,
    progress: bool | None = None,
) -> Project:
    """Open the tymqual project in ``path`` (a folder; see ARCHITECTURE.md for its layout).

    ``cache`` and ``progress`` are described in :class:`Project`.
    """
    return Project(path, save_reanchored=save_reanchored, cache=cache, progress=progress)


STARTER_CODEBOOK = """\
name: Uusi koodikirja
version: "0.1"
language: fi
description: Aloituskoodikirja; muokkaa teemat ja alaluokat tutkimuksesi mukaisiksi.
codes:
  - name: Teema 1
    key: teema_1
    definition: Mitä teema tarkoittaa tässä tutkimuksessa.
    use_when: Kun haastateltava puhuu teemasta.
    do_not_use_when: Kun asia kuuluu toiseen teemaan.
    example: ""
    keywords: []
    children:
      - name: Alaluokka 1.1
        key: alaluokka_1_1
        definition: Teeman 1 tarkentava alaluokka.
"""


def init_project(path: str | Path, *, name: str | None = None) -> Project:
    """Make an empty project folder with the standard layout and a starter codebook.

    Refuses a folder that already holds a project (``tymqual.yaml`` or ``codes/``), so no
    earlier work is overwritten.
    """
    root = Path(path)
    if (root / CONFIG_FILE).exists() or (root / "codes" / "codings.csv").exists():
        raise ProjectError(f"{root} already holds a tymqual project; nothing was changed.")
    for folder in ("transcripts", "documents", "surveys", "codes", "codes/private", "notebooks"):
        try:
            (root / folder).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise write_failure(exc, root / folder, "no project was made") from exc
    title = name or root.resolve().name
    if not (root / "codes" / "codebook.yaml").exists():
        atomic_write_text(root / "codes" / "codebook.yaml", STARTER_CODEBOOK)
    if not (root / "codes" / "cases.csv").exists():
        write_csv(
            pd.DataFrame(columns=["case_id", "label", "interview_date"]),
            root / "codes" / "cases.csv",
        )
    ignore = root / ".gitignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    wanted = ["codes/private/", "codes/.codings.csv.lock", f"{CACHE_DIR}/"]
    if any(w not in lines for w in wanted):
        atomic_write_text(ignore, "\n".join(lines + [w for w in wanted if w not in lines]) + "\n")
    # Written last: a folder where an earlier write failed (a full disk) is not yet a project,
    # so init_project can simply be run again there.
    atomic_write_text(
        root / CONFIG_FILE,
        yaml.safe_dump(
            {
                "name": title,
                "language": "fi",
                "min_cell_size": 3,
                "speakers": {
                    "interviewer": ["H", "Haastattelija"],
                    "interviewee": ["V", "Vastaaja"],
                },
            },
            allow_unicode=True,
            sort_keys=False,
        ),
    )
    return open_project(root)


__all__ = [
    "Project", "ProjectConfig", "SourceView", "TymqualError", "init_project", "open_project",
    "orphan_warning",
]
