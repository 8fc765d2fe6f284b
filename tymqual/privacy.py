"""Pseudonymised copies, for material about people who can be named.

For the thesis author who must share transcripts, codings and reports with a supervisor or an
archive without the names of officials, places and identifiers in them. The workflow:

1. :func:`suggest_key_candidates` lists what *looks* identifying (capitalised words inside a
   sentence, speaker labels that are names, Finnish regions and municipalities from
   ``tymqual/data/places_fi.txt``, e-mail addresses, phone numbers, personal identity codes);
   :func:`draft_key` numbers them into labels (both in :mod:`tymqual.keycandidates`).
   Nothing is replaced until the analyst has checked the list and saved it with
   :func:`write_key` (:mod:`tymqual.keys`) as ``codes/private/key.csv`` (columns
   ``original, label, kind``; git-ignored by ``tymqual init``).
2. :func:`pseudonymize` writes a *new* project folder: every source as UTF-8 ``.txt`` with the
   replacements made, the codebook, cases, surveys and the codings moved so that each still
   covers its passage. The original project is only read.
3. :func:`tymqual.leaks.check_leaks` / :func:`tymqual.leaks.assert_no_leaks` scan a folder of
   reports and exports (xlsx, docx, html, csv, svg, qdpx, ...) for every original and its
   inflected forms.

How originals are found (one matcher, :mod:`tymqual.keymatch`, for replacing and for
checking, so a pseudonymised project never fails its own leak check):

* Matching is case-insensitive and word-bounded: a word is a run of letters and digits, so
  ``Virtanen_haastattelu.txt`` and ``Joensuu-sopimus`` contain a match.
* Each part of a person's name matches on its own (key ``Matti Virtanen``: *Matti*,
  *Virtaselle*, *Matin*), as does a one-word original; the parts of a place or an
  organisation do not (*Pohjois-Karjala* does not make *Karjala* a match). A name as the first
  part of a compound matches too, with or without a genitive *-n*: *Virtasentiimi*,
  *Virtasenkadulla*, *Joensuunkatu* (a hyphenated *Virtasen-tiimi* is two words anyway). With
  the analyser the rest must be a word it knows; without it, the name part (with its *-n*)
  must be five letters or more and the rest four. The compound becomes ``label:n-tiimi``.
* The last word of an original, and each part of a person's name, may be inflected. With the
  Finnish analyser of
  :mod:`tymqual.morphology` (Voikko when installed), a word matches when one of its base forms
  is the original (*Helsingissä* → *Helsinki*, *Uudenmaan* → *Uusimaa*). Independently, a
  suffix rule accepts the original, or one of its stems, followed by a Finnish case ending,
  possessive suffix or clitic, or a demonym (*joensuulaiset*): stems are the word itself,
  ``-nen`` → ``-se-``/``-s-`` (*Virtasen*, *Virtasta*), ``-i`` → ``-e-`` (*Rovaniemellä*),
  ``-e`` → ``-ee-`` (*Tampereella*) and its strong grade (*Hakkeen*, *Kiteelle*; not nn, mm:
  *Annen*), and the weak grade of the last consonant (kk→k, pp→p,
  tt→t, nk→ng, nt→nn, mp→mm, lt→ll, rt→rr, ht→hd, k→∅, t→d, p→v: *Matin*, *Turussa*,
  *Lappeenrannassa*). Other consonant gradation and irregular stems (*Uusimaa* →
  *Uudenmaan*) need the analyser. For a person's name, a word the analyser knows as another
  word is no match (*annetaan* is *antaa*, not *Anne*). Earlier words of a multi-word original
  must appear as written, separated by white space or a hyphen (*Matti Virtasen*,
  *Pohjois-Karjalassa*).
* A part of a person's name that is also an ordinary word (*Kivi*, *Laine*, *Onni*, *Mäki*:
  the analyser's word classes, else a short built-in list) matches only when capitalised:
  *kiven* is the stone. Alone in its text (a table cell, a speaker list) or as a speaker
  label (``Kivi:``) it is the name. Capitalised at the start of a sentence or line it cannot
  be told apart; such words are neither replaced nor counted as leaks, but listed in
  :attr:`PseudonymizeReport.uncertain` for the analyst to decide, and named in a warning by
  :func:`tymqual.leaks.check_leaks`.
* Originals with a digit or ``@`` are identifiers, matched as written; a phone number also
  in its other spellings (``+358 40 123 4567`` = ``040-1234567``).

Replacement text: the whole word becomes the label; with ``keep_endings=True`` (default) the
case ending follows after a colon, as Finnish writes endings after abbreviations and numbers:
*Virtasen* → ``[Henkilö 1]:n``, *Joensuussa* → ``[Kunta 2]:ssa``.

Formula safety for exports: :func:`excel_safe`, :func:`write_safe_csv` and
:func:`safe_xlsx_cell`, re-exported from :mod:`tymqual.storage`, where they live so the
ledger and the report use the same method (see their docstrings for it and why).
"""


from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import tempfile
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from openpyxl import load_workbook

from tymqual.codings import CODING_COLUMNS
from tymqual.config import CONFIG_FILE
from tymqual.corpus import SpeakerConfig, parse_turns
from tymqual.errors import LeakError, PrivacyError, StorageError, TymqualWarning
from tymqual.keycandidates import CANDIDATE_COLUMNS, draft_key, suggest_key_candidates
from tymqual.keymatch import (
    Edit,
    Matcher,
    finnish_analyser,
)
from tymqual.keys import (
    KEY_COLUMNS,
    KEY_FILE,
    KINDS,
    key_path,
    read_key,
    resolve_key,
    write_key,
)
from tymqual.leaks import Scan, check_leaks, leak_message, scan_path
from tymqual.project import SOURCE_FOLDERS, SURVEY_SUFFIXES, Project, open_project
from tymqual.reanchor import reanchor
from tymqual.storage import (
    atomic_write_bytes,
    atomic_write_text,
    decode_any,
    describe_os_error,
    excel_safe,
    read_csv_strings,
    replacing,
    safe_xlsx_cell,
    sniff_separator,
    write_csv,
    write_failure,
    write_safe_csv,
)
from tymqual.text import snippet

__all__ = [
    "CANDIDATE_COLUMNS",
    "KEY_COLUMNS",
    "KEY_FILE",
    "KINDS",
    "LeakError",
    "PrivacyError",
    "PseudonymizeReport",
    "draft_key",
    "excel_safe",
    "key_path",
    "read_key",
    "pseudonymize",
    "safe_xlsx_cell",
    "suggest_key_candidates",
    "write_key",
    "write_safe_csv",
]


REPLACEMENT_COLUMNS: tuple[str, ...] = ("file", "source_id", "kind", "label", "count")
UNCERTAIN_COLUMNS: tuple[str, ...] = ("file", "source_id", "found", "context")
UNMAPPED_COLUMNS: tuple[str, ...] = ("coding_id", "source_id", "start", "end", "reason")


@dataclass(frozen=True)
class PseudonymizeReport:
    """What :func:`pseudonymize` did.

    ``replacements``: ``file, source_id, kind, label, count`` (``source_id`` is NA for
    files that are not sources: codebook, cases, surveys, codings memos); ``codings``:
    codings written; ``mapped``: of them, those on their passage in the new project;
    ``unmapped``: ``coding_id, source_id, start, end, reason`` (offsets in the original);
    ``files``: ``path, action`` (``copied`` unchanged or ``pseudonymised``); ``not_copied``:
    ``path, reason``; ``notes``: warnings from opening the new project; ``uncertain``:
    ``file, source_id, found, context`` for each part of a person's name that is also an
    ordinary word (*Kivi*, *Laine*) and stands capitalised at the start of a sentence, where
    it cannot be told from the word: left as written, for the analyst to check.
    """

    out: Path
    replacements: pd.DataFrame
    codings: int
    mapped: int
    unmapped: pd.DataFrame
    files: pd.DataFrame
    not_copied: pd.DataFrame
    notes: tuple[str, ...] = ()
    uncertain: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(UNCERTAIN_COLUMNS)))

    @property
    def per_kind(self) -> pd.DataFrame:
        """Replacements per kind: ``kind, count``."""
        grouped = self.replacements.groupby("kind", sort=True)["count"].sum()
        return grouped.reindex(list(KINDS), fill_value=0).rename_axis("kind").reset_index()

    @property
    def per_source(self) -> pd.DataFrame:
        """Replacements per source and kind: ``source_id, kind, count``."""
        rows = self.replacements.dropna(subset=["source_id"])
        return rows.groupby(["source_id", "kind"], sort=True)["count"].sum().reset_index()

    def __repr__(self) -> str:
        total = int(self.replacements["count"].sum()) if not self.replacements.empty else 0
        return (f"<PseudonymizeReport {self.out}: {total} replacements, {self.mapped} of "
                f"{self.codings} codings mapped, {len(self.unmapped)} unmapped, "
                f"{len(self.not_copied)} path(s) not copied"
                + (f", {len(self.uncertain)} name(s) that are also words left for you to check "
                   "(.uncertain)" if len(self.uncertain) else "") + ">")


class _OffsetMap:
    """Old offsets to new ones after replacements: each shifts later text by len(new) − len(old).

    A position strictly inside a replaced span goes to the start of its label (for a start)
    or to the end of it (for an end), so a passage that began or ended mid-name covers the
    whole label.
    """

    def __init__(self, edits: Sequence[Edit]) -> None:
        self._edits = list(edits)
        self._ends = [e.end for e in self._edits]
        self._shift = [0]
        for e in self._edits:
            self._shift.append(self._shift[-1] + (e.new_end - e.new_start) - (e.end - e.start))

    def _map(self, pos: int, *, is_start: bool) -> int:
        i = bisect_right(self._ends, pos)
        if i < len(self._edits) and self._edits[i].start < pos:
            edit = self._edits[i]
            return edit.new_start if is_start else edit.new_end
        return pos + self._shift[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self._map(start, is_start=True), self._map(end, is_start=False)


class _Build:
    """The state of one pseudonymisation run, writing into a temporary folder."""

    def __init__(self, project: Project, root: Path, matcher: Matcher,
                 keep_endings: bool) -> None:
        self.project = project
        self.root = root
        self.matcher = matcher
        self.keep_endings = keep_endings
        self.counts: Counter[tuple[str, str | None, str, str]] = Counter()
        self.files: list[tuple[str, str]] = []
        self.not_copied: list[tuple[str, str]] = []
        self.texts: dict[str, str] = {}
        self.maps: dict[str, _OffsetMap] = {}
        self.uncertain: list[tuple[str, str | None, str, str]] = []

    def apply(self, text: str, file: str, source_id: str | None = None
              ) -> tuple[str, list[Edit]]:
        new, edits = self.matcher.replace(text, keep_endings=self.keep_endings)
        self.uncertain += [(file, source_id, text[h.start:h.end], snippet(text, h.start, h.end))
                           for h in self.matcher.find(text, uncertain=True) if h.uncertain]
        for edit in edits:
            self.counts[(file, source_id, edit.kind, edit.label)] += 1
        return new, edits

    def replace(self, text: str, file: str) -> str:
        return self.apply(text, file)[0]

    def has_hits(self, text: str) -> bool:
        return bool(self.matcher.find(text))

    def copy(self, rel: str) -> None:
        atomic_write_bytes(self.root / rel, (self.project.root / rel).read_bytes())
        self.files.append((rel, "copied"))

    def wrote(self, rel: str) -> None:
        self.files.append((rel, "pseudonymised"))


def pseudonymize(project: Project, out: str | os.PathLike[str], *, key: object = None,
                 keep_endings: bool = True) -> PseudonymizeReport:
    """Write a pseudonymised copy of ``project`` as a new project folder ``out``.

    ``key``: a key DataFrame, a key file, or None for the project's ``codes/private/key.csv``
    (an empty key copies without replacing). ``out`` must not exist or be empty, and must not
    be the project or lie inside its source, survey or codes folders; the original is only
    read. Written, with the key applied (see the module docstring for matching):

    * every interview and document as ``<source_id>.txt`` (UTF-8, the normalised text), so
      the source ids stay; turns are parsed again from the speaker labels (VTT timestamps are
      not kept), and pseudonymised labels of named speakers are added to ``tymqual.yaml``;
    * ``tymqual.yaml``, ``codes/codebook.yaml`` (every text but code keys), ``codes/cases.csv``
      (every column but ``case_id``, ``sources`` and ``respondent_id``) and the other YAML,
      CSV, text and Markdown files of ``codes/`` except ``codes/private/``;
    * surveys byte for byte when no original occurs in them, else a pseudonymised copy in the
      same format (.xlsx: cell values, comments and sheet names, formulas as their values;
      .csv; .sav, .zsav and .dta: values, variable and value labels), so they are read as
      before;
    * ``codes/codings.csv`` with each coding moved onto its passage: offsets map through the
      replacements (each shifts later offsets by len(label) − len(original)), ``text`` is the
      new passage, ``memo``, ``reduced`` and ``coder`` are pseudonymised. Codings whose
      passage is no longer in the original (or whose source is not loaded) keep their
      offsets, with ``text`` pseudonymised, and are listed in ``unmapped``.

    Notebooks and other files are not copied (``not_copied``). The folder is built beside
    ``out`` and renamed into place only after :func:`tymqual.leaks.check_leaks` finds nothing
    in it; otherwise it is removed and :class:`LeakError` says where each original remained.
    """
    if not isinstance(project, Project):
        raise PrivacyError(f"pseudonymize(): expected a Project from tymqual.open_project(), "
                           f"got {type(project).__name__}.")
    table = resolve_key(key, project)
    target = _checked_target(project, Path(out))
    matcher = Matcher(table, finnish_analyser())
    try:
        build_root = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp",
                                           dir=target.parent))
    except OSError as exc:
        raise write_failure(exc, target, "nothing was written") from exc
    try:
        _share_mode(build_root)
        build = _Build(project, build_root, matcher, keep_endings)
        _write_sources(build)
        _write_surveys(build)
        _write_codes(build)
        _write_config(build)
        atomic_write_text(build_root / ".gitignore",
                          "codes/private/\ncodes/.codings.csv.lock\n.tymqual-cache/\n")
        written, unmapped = _write_codings(build)
        unmapped, notes = _verify(build, unmapped)
        _not_copied_top(build)
        with warnings.catch_warnings():
            # The words it could not decide are in the report's ``uncertain``.
            warnings.filterwarnings("ignore", r"check_leaks\(\): \d+ word\(s\) that are both",
                                    TymqualWarning)
            leaks = check_leaks(build_root, table)
        if not leaks.empty:
            raise LeakError(leak_message(f"pseudonymize(): the copy of {project.root}", leaks)
                            + f" Nothing was written to {target}; add the missing forms to "
                            "the key, or rename what cannot be replaced (file names, ids).")
        if target.exists():
            target.rmdir()
        os.replace(build_root, target)
    except OSError as exc:
        shutil.rmtree(build_root, ignore_errors=True)
        raise _copy_failed(exc, build_root, target) from exc
    except BaseException:
        shutil.rmtree(build_root, ignore_errors=True)
        raise
    return PseudonymizeReport(
        out=target,
        replacements=pd.DataFrame(
            [(*k, n) for k, n in sorted(build.counts.items(), key=lambda kv: str(kv[0]))],
            columns=list(REPLACEMENT_COLUMNS)).astype({"count": "int64"}),
        codings=written,
        mapped=written - len(unmapped),
        unmapped=pd.DataFrame(unmapped, columns=list(UNMAPPED_COLUMNS)),
        files=pd.DataFrame(build.files, columns=["path", "action"]),
        not_copied=pd.DataFrame(build.not_copied, columns=["path", "reason"]),
        notes=tuple(notes),
        uncertain=pd.DataFrame(build.uncertain, columns=list(UNCERTAIN_COLUMNS)),
    )


def _copy_failed(exc: OSError, build_root: Path, target: Path) -> StorageError:
    # The file at fault may be one in the half-built copy, which is gone by now: name it as
    # it would have been named inside ``target``.
    cause, remedy = describe_os_error(exc, writing=isinstance(exc, StorageError))
    named = exc.path if isinstance(exc, StorageError) else exc.filename
    at = Path(os.fsdecode(named)) if isinstance(named, (str, bytes, os.PathLike)) else target
    with contextlib.suppress(ValueError):
        at = target / at.relative_to(build_root)
    return StorageError(
        f"pseudonymize(): the copy was not made because {cause} (at {at}); nothing was "
        f"written to {target} ({remedy}).",
        path=target, reason=cause, cause=exc,
    )


def _checked_target(project: Project, out: Path) -> Path:
    target = out.expanduser().resolve()
    root = project.root
    if target == root or target in root.parents:
        raise PrivacyError(f"pseudonymize(): out={str(out)!r} is the project folder or holds "
                           "it; choose a new folder outside it.")
    for folder in (*SOURCE_FOLDERS, "surveys", "codes"):
        base = root / folder
        if target == base or base in target.parents:
            raise PrivacyError(f"pseudonymize(): out={str(out)!r} is inside the project's "
                               f"{folder}/ folder, where it would be read as project data; "
                               "choose a folder outside it.")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PrivacyError(f"pseudonymize(): {target} already exists and is not an empty "
                           "folder; nothing is ever overwritten. Choose a new folder.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failure(exc, target, "nothing was written") from exc
    return target


def _share_mode(folder: Path) -> None:
    # mkdtemp makes a 0700 folder; the finished project gets the usual mode for new folders.
    if os.name == "posix":
        umask = os.umask(0)
        os.umask(umask)
        folder.chmod(0o777 & ~umask)


def _write_sources(build: _Build) -> None:
    folders = {kind: folder for folder, kind in SOURCE_FOLDERS.items()}
    for sid in build.project.source_ids:
        doc = build.project.document(sid)
        if doc.kind == "survey_answer":
            # Written by the survey step; only the predicted text and offset map are needed.
            new, edits = build.matcher.replace(doc.text, keep_endings=build.keep_endings)
        else:
            rel = f"{folders[doc.kind]}/{sid}.txt"
            new, edits = build.apply(doc.text, rel, sid)
            atomic_write_text(build.root / rel, new)
            build.files.append((rel, "pseudonymised" if edits else "copied"))
        build.texts[sid] = new
        build.maps[sid] = _OffsetMap(edits)
    for path, error in build.project.skipped.itertuples(index=False):
        if not str(path).startswith("surveys/"):
            build.not_copied.append((str(path), f"not loaded by the project: {error}"))


def _write_surveys(build: _Build) -> None:
    base = build.project.root / "surveys"
    if not base.is_dir():
        return
    skipped = set(build.project.skipped["path"])
    for path in sorted(base.iterdir()):
        rel = path.relative_to(build.project.root).as_posix()
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() not in SURVEY_SUFFIXES or rel in skipped:
            build.not_copied.append((rel, "not a survey export the project reads"))
            continue
        hits = scan_path(path, rel, build.matcher, Scan())
        if not hits:
            build.copy(rel)
            continue
        suffix = path.suffix.lower()
        if suffix == ".csv":
            _pseudonymise_csv(build, path, rel)
        elif suffix in (".sav", ".zsav", ".dta"):
            _pseudonymise_statistics(build, path, rel)
        else:
            _pseudonymise_xlsx(build, path, rel)
        build.wrote(rel)


def _pseudonymise_csv(build: _Build, path: Path, rel: str) -> None:
    text = decode_any(path.read_bytes())
    delimiter = sniff_separator(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerows([[build.replace(cell, rel) for cell in row] for row in rows])
    atomic_write_bytes(build.root / rel, buffer.getvalue().encode("utf-8-sig"))


def _pseudonymise_xlsx(build: _Build, path: Path, rel: str) -> None:
    workbook = load_workbook(path, data_only=True)
    for n, sheet in enumerate(workbook.worksheets, start=1):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    new = build.replace(cell.value, rel)
                    if new != cell.value:
                        safe_xlsx_cell(cell, new)
                if cell.comment is not None and build.has_hits(cell.comment.text):
                    cell.comment.text = build.replace(cell.comment.text, rel)
        if build.has_hits(sheet.title):
            build.replace(sheet.title, rel)
            sheet.title = f"Taulukko{n}"  # labels hold [ ], which a sheet name may not
    props = workbook.properties
    for name in ("title", "subject", "creator", "keywords", "description", "lastModifiedBy",
                 "category"):
        value = getattr(props, name)
        if isinstance(value, str):
            setattr(props, name, build.replace(value, rel))
    with replacing(build.root / rel) as tmp:
        workbook.save(tmp)


def _pseudonymise_statistics(build: _Build, path: Path, rel: str) -> None:
    """An SPSS (.sav, .zsav) or Stata (.dta) file rewritten by pyreadstat with its string
    values, file label, variable labels and value labels pseudonymised; measures (SPSS) and
    the compression of a .zsav are kept."""
    import pyreadstat  # only needed for statistics files

    stata = path.suffix.lower() == ".dta"
    frame, meta = (pyreadstat.read_dta if stata else pyreadstat.read_sav)(str(path))
    for col in frame.columns:
        # pandas 3 reads text as its string dtype, older pandas as object: both hold text.
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col].dtype):
            frame[col] = [build.replace(v, rel) if isinstance(v, str) else v for v in frame[col]]
    labels = [build.replace(label, rel) if isinstance(label, str) else label
              for label in meta.column_labels]
    value_labels = {
        name: {value: build.replace(str(label), rel) for value, label in mapping.items()}
        for name, mapping in meta.variable_value_labels.items()
    }
    file_label = build.replace(meta.file_label, rel) if meta.file_label else ""
    with replacing(build.root / rel) as tmp:
        if stata:
            pyreadstat.write_dta(frame, str(tmp), file_label=file_label, column_labels=labels,
                                 variable_value_labels=value_labels)
            return
        measures: dict[str, str] = {name: str(measure)
                                    for name, measure in meta.variable_measure.items()
                                    if measure in ("nominal", "ordinal", "scale")}
        pyreadstat.write_sav(frame, str(tmp), file_label=file_label, column_labels=labels,
                             variable_value_labels=value_labels, variable_measure=measures,
                             compress=path.suffix.lower() == ".zsav")


def _replace_strings(value: Any, replace: Callable[[str], str], skip: frozenset[str]) -> Any:
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_replace_strings(v, replace, skip) for v in value]
    if isinstance(value, dict):
        return {k: v if k in skip else _replace_strings(v, replace, skip)
                for k, v in value.items()}
    return value


def _write_yaml(build: _Build, rel: str, skip: frozenset[str] = frozenset()) -> None:
    source = build.project.root / rel
    text = source.read_text(encoding="utf-8-sig")
    if not build.has_hits(text):
        build.copy(rel)
        return
    data = yaml.safe_load(text)
    new = _replace_strings(data, lambda s: build.replace(s, rel), skip)
    atomic_write_text(build.root / rel, yaml.safe_dump(new, allow_unicode=True, sort_keys=False,
                                                       width=100))
    build.wrote(rel)


def _write_table(build: _Build, rel: str, keep: frozenset[str] = frozenset()) -> None:
    source = build.project.root / rel
    if not build.has_hits(decode_any(source.read_bytes())):
        build.copy(rel)
        return
    table = read_csv_strings(source)
    for col in table.columns:
        if col not in keep:
            table[col] = [build.replace(str(v), rel) for v in table[col]]
    write_csv(table, build.root / rel)
    build.wrote(rel)


_ID_COLUMNS = frozenset({"case_id", "sources", "respondent_id"})


def _write_codes(build: _Build) -> None:
    codes = build.project.root / "codes"
    if not codes.is_dir():
        return
    for path in sorted(codes.iterdir()):
        rel = path.relative_to(build.project.root).as_posix()
        suffix = path.suffix.lower()
        if path.name.startswith(".") or path.name == "codings.csv":
            continue
        if path.is_dir():
            if path.name != "private":
                build.not_copied.append((rel + "/", "folders in codes/ are not copied"))
            continue
        if path.name == "codebook.yaml":
            _write_yaml(build, rel, frozenset({"key"}))
        elif suffix in (".yaml", ".yml"):
            _write_yaml(build, rel)
        elif path.name == "cases.csv":
            _write_table(build, rel, _ID_COLUMNS)
        elif suffix == ".csv":
            _write_table(build, rel, frozenset({"case_id", "code", "coding_id", "source_id"}))
        elif suffix in (".txt", ".md"):
            text = decode_any(path.read_bytes())
            atomic_write_text(build.root / rel, build.replace(text, rel))
            build.wrote(rel)
        else:
            build.not_copied.append((rel, f"{suffix or 'extensionless'} files in codes/ are "
                                          "not copied"))


def _write_config(build: _Build) -> None:
    """``tymqual.yaml`` with the key applied, plus labels that named speakers now have."""
    source = build.project.root / CONFIG_FILE
    data = yaml.safe_load(source.read_text(encoding="utf-8-sig")) if source.exists() else {}
    data = data if isinstance(data, dict) else {}
    speakers = build.project.config.speakers

    def apply(labels: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(build.replace(label, CONFIG_FILE) for label in labels))

    before = sum(build.counts.values())
    lists = {"interviewer": apply(speakers.interviewer),
             "interviewee": apply(speakers.interviewee)}
    added = False
    for sid in build.project.source_ids:
        doc = build.project.document(sid)
        if doc.kind == "survey_answer":
            continue
        for turn in doc.turns:
            label, _ = build.matcher.replace(turn.speaker, keep_endings=False)
            config = SpeakerConfig(tuple(lists["interviewer"]), tuple(lists["interviewee"]),
                                   speakers.initials)
            parsed = parse_turns(f"{label}: x", config)
            if turn.role and not (parsed and parsed[0].speaker == label) and ":" not in label:
                lists[turn.role].append(label)
                added = True
    changed = sum(build.counts.values()) > before or added
    if not changed and not build.has_hits(yaml.safe_dump(data, allow_unicode=True)):
        if source.exists():
            build.copy(CONFIG_FILE)
        return
    data = _replace_strings(data, lambda s: build.replace(s, CONFIG_FILE), frozenset({"speakers"}))
    if changed:
        data["speakers"] = {**lists, "initials": speakers.initials}
    atomic_write_text(build.root / CONFIG_FILE,
                      yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
    build.wrote(CONFIG_FILE)


def _write_codings(build: _Build) -> tuple[int, list[tuple[str, str, int, int, str]]]:
    """Write the ledger with mapped spans; returns how many codings and the unmapped ones."""
    rel = "codes/codings.csv"
    if not (build.project.root / rel).exists():
        return 0, []
    ledger = build.project.codings
    texts = {sid: build.project.text(sid) for sid in build.project.source_ids}
    found = {str(cid): (str(outcome), start, end, str(detail)) for cid, start, end, outcome, detail
             in reanchor(ledger, texts)[["coding_id", "start", "end", "outcome", "detail"]]
             .itertuples(index=False)}
    unmapped: list[tuple[str, str, int, int, str]] = []
    rows = []
    for record in ledger.to_dict("records"):
        cid, sid = str(record["coding_id"]), str(record["source_id"])
        start, end = int(record["start"]), int(record["end"])
        for col in ("memo", "reduced", "coder"):
            record[col] = build.replace(str(record[col]), rel)
        outcome, moved_start, moved_end, detail = found.get(cid, ("", start, end, ""))
        if sid not in build.maps or outcome == "lost":
            why = (f"its source {sid!r} is not loaded in the project" if sid not in build.maps
                   else build.matcher.replace(detail, keep_endings=build.keep_endings)[0])
            unmapped.append((cid, sid, start, end, why))
            record["text"] = build.replace(str(record["text"]), rel)
        else:
            if outcome == "moved":
                start, end = int(moved_start), int(moved_end)
            new_start, new_end = build.maps[sid].span(start, end)
            record.update(start=new_start, end=new_end,
                          text=build.texts[sid][new_start:new_end])
        rows.append(record)
    frame = pd.DataFrame(rows, columns=list(CODING_COLUMNS)).astype({"start": "int64",
                                                                      "end": "int64"})
    write_csv(frame, build.root / rel)
    build.wrote(rel)
    return len(frame), unmapped


def _verify(build: _Build, unmapped: list[tuple[str, str, int, int, str]]
            ) -> tuple[list[tuple[str, str, int, int, str]], list[str]]:
    """Open the new project (re-anchoring there); codings still off their passage are unmapped."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        new = open_project(build.root, cache=False)
    with contextlib.suppress(FileNotFoundError):
        (build.root / "codes" / ".codings.csv.lock").unlink()
    notes = [str(w.message) for w in caught]
    missing = sorted(set(build.texts) - set(new.source_ids))
    if missing:
        notes.append(f"source(s) {', '.join(missing)} did not load in the new project.")
    done = {row[0] for row in unmapped}
    ledger = build.project.codings
    old = {str(c): (int(s), int(e)) for c, s, e in
           ledger[["coding_id", "start", "end"]].itertuples(index=False)}
    lost = new.unanchored
    for cid, sid in (lost[["coding_id", "source_id"]].itertuples(index=False)
                     if not lost.empty else ()):
        if cid not in done and cid in old:
            unmapped.append((str(cid), str(sid), *old[cid],
                             "the pseudonymised passage is not in the new source"))
    return unmapped, notes


def _not_copied_top(build: _Build) -> None:
    handled = {CONFIG_FILE, ".gitignore", "codes", "surveys", *SOURCE_FOLDERS}
    for path in sorted(build.project.root.iterdir()):
        if path.name.startswith(".") or path.name in handled:
            continue
        reason = ("notebooks keep outputs with quotes; run them again on the pseudonymised "
                  "project" if path.name == "notebooks" else "not part of the project's data")
        build.not_copied.append((path.name + ("/" if path.is_dir() else ""), reason))

