"""Building the report: the staging folder, the steps in order, the move into place."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from tymqual import leaks, privacy
from tymqual.errors import StorageError, TymqualError
from tymqual.formatting import Lang, check_lang
from tymqual.storage import (
    atomic_write_bytes,
    describe_os_error,
    write_failure,
)
from tymqual.surveys import Survey

if TYPE_CHECKING:
    from tymqual.project import Project

from tymqual.reports.appendix import (
    collect_examples,
    write_docx,
)
from tymqual.reports.collect import (
    collect_figure_steps,
    collect_table_steps,
    data_time_of,
    number_items,
    orphaned_note,
    pick_survey,
)
from tymqual.reports.html_page import (
    write_html,
)
from tymqual.reports.model import (
    SOURCE_FOLDERS,
    ReportFiles,
    ReportParts,
)
from tymqual.reports.strings import (
    phrase,
)
from tymqual.reports.workbook import (
    write_xlsx,
)

# ---------------------------------------------------------------------------- entry point


def build_report(
    project: Project,
    out: str | Path,
    *,
    lang: Lang = "fi",
    survey: str | Survey | None = "auto",
    progress: bool = True,
    allow_small_cells: bool = False,
) -> ReportFiles:
    """Write the workbook, the HTML report, the codebook appendix and the figures into ``out``.

    ``survey`` is ``"auto"`` (the project's survey if it has one), ``None`` (leave the survey
    out), the name of one of ``project.surveys``, or a :class:`~tymqual.surveys.Survey`.
    ``allow_small_cells=True`` shows tables that disclosure control would refuse; use it only
    for internal work. ``out`` may not be the project folder or inside its source folders
    (``transcripts/``, ``documents/``, ``codes/``, ``surveys/``). Returns the paths written.

    >>> import tymqual  # doctest: +SKIP
    >>> build_report(tymqual.open_project("."), "out")  # doctest: +SKIP
    """
    lang = check_lang(lang, "build_report")
    target = _check_out(project, out)
    # Built in a staging folder and moved in only once complete, and once the leak check (run
    # when the project has a pseudonymisation key) has found nothing: a report that leaks a
    # name is never left where someone could send it on.
    folder = _staging(target)
    try:
        try:
            files = _build(project, folder, lang, survey, progress, allow_small_cells)
        except StorageError as exc:
            raise _not_built(exc, folder, target) from exc
        if privacy.key_path(project).exists():
            leaks.assert_no_leaks(folder, privacy.read_key(project))
        _move_into(folder, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return files.moved(folder, target)


def _staging(target: Path) -> Path:
    # Beside ``out``, so that a build cut short leaves nothing inside it; inside ``out`` only
    # when its parent cannot be written (``out`` a mount point in a read-only folder).
    try:
        target.mkdir(parents=True, exist_ok=True)
        try:
            return Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        except OSError:
            return Path(tempfile.mkdtemp(prefix=".staging-", dir=target))
    except OSError as exc:
        raise write_failure(exc, target, "nothing was written") from exc


def _not_built(exc: OSError, staging: Path, target: Path) -> StorageError:
    cause, remedy = describe_os_error(exc)
    where = ""
    if isinstance(exc, StorageError) and exc.path and Path(exc.path).is_relative_to(staging):
        where = f" (at {Path(exc.path).relative_to(staging)})"
    return StorageError(
        f"The report was not written to {target} because {cause}{where}; the files already "
        f"in {target} are unchanged ({remedy}).",
        path=target,
        reason=cause,
        cause=exc,
    )


def _move_into(staging: Path, target: Path) -> None:
    # Renames need no room for the data, so this rarely fails; when it does, the reader hears
    # which files are new and which are still the old ones.
    names = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    done: list[str] = []
    try:
        for rel in names:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
        for rel in names:
            try:
                os.replace(staging / rel, target / rel)
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise
                # ``out`` is a file system of its own (a mount point): copied, still atomically.
                atomic_write_bytes(target / rel, (staging / rel).read_bytes())
            done.append(str(rel))
    except OSError as exc:
        cause, remedy = describe_os_error(exc)
        if not done:
            raise _not_built(exc, staging, target) from exc
        left = [str(rel) for rel in names[len(done) :]]
        raise StorageError(
            f"The report in {target} is incomplete because {cause}; new: {', '.join(done)}; "
            f"not written (any earlier version unchanged): {', '.join(left)} ({remedy}).",
            path=target,
            reason=cause,
            cause=exc,
        ) from exc


def _build(
    project: Project,
    folder: Path,
    lang: Lang,
    survey: str | Survey | None,
    progress: bool,
    allow_small_cells: bool,
) -> ReportFiles:
    names = {k: phrase(k, lang) for k in ("xlsx", "html", "docx", "figures_dir")}
    report = ReportParts(project, lang, data_time_of(project))
    orphaned = orphaned_note(project, lang)
    if orphaned:
        report.notes.setdefault("sec_results", []).append(orphaned)
    chosen, survey_note = pick_survey(project, survey, lang)
    if survey_note:
        report.notes.setdefault("sec_survey", []).append(survey_note)
    table_steps = collect_table_steps(report, chosen, allow_small_cells)
    figure_steps = collect_figure_steps(report, chosen, folder / names["figures_dir"])
    writers: list[tuple[str, Callable[[], None]]] = [
        (names["xlsx"], lambda: write_xlsx(report, folder / names["xlsx"])),
        (names["html"], lambda: write_html(report, folder / names["html"])),
        (names["docx"], lambda: write_docx(report, folder / names["docx"])),
    ]
    # The appendix's examples are chosen (and their places reviewed) before any file is
    # written, so the data protection section can count what was replaced in them.
    examples = (None, lambda: collect_examples(report))
    steps = [*table_steps, *figure_steps, examples, (None, number_items(report)), *writers]
    with tqdm(total=len(steps), disable=not progress, desc=phrase("report", lang), unit="") as bar:
        for name, step in steps:
            if name:
                bar.set_postfix_str(name, refresh=False)
            step()
            bar.update(1)
    omitted = tuple(n for t in report.tables if t.frame is None for n in t.notes)
    return ReportFiles(
        folder=folder,
        xlsx=folder / names["xlsx"],
        html=folder / names["html"],
        docx=folder / names["docx"],
        figures=tuple(p for f in report.figures for p in f.paths),
        omitted=omitted,
    )


def _check_out(project: Project, out: str | Path) -> Path:
    """``out`` resolved, or a TymqualError if writing there could touch the project's sources."""
    if not isinstance(out, str | Path):
        raise TymqualError(
            f"build_report(): argument out must be a folder path, not {type(out).__name__}."
        )
    folder = Path(out).expanduser().resolve()
    root = project.root.resolve()
    remedy = f"choose a folder of its own, such as {root / 'out'}"
    if folder == root:
        raise TymqualError(
            f"build_report(): argument out ({out}) is the project folder itself; the report "
            f"is written into a folder of its own so it never mixes with the sources; {remedy}."
        )
    for name in SOURCE_FOLDERS:
        if folder.is_relative_to(root / name):
            raise TymqualError(
                f"build_report(): argument out ({out}) is inside the project's source folder "
                f"{name}/, and a report never writes among the sources; {remedy}."
            )
    if folder.exists() and not folder.is_dir():
        raise TymqualError(
            f"build_report(): argument out ({out}) is a file, not a folder; {remedy}."
        )
    return folder
