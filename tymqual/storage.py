"""Safe writes: a file is either its old self or its new self, never half of each.

Writes go to a temporary file in the same folder, are flushed and fsynced, then renamed over
the target (an atomic step on POSIX and on Windows via ``os.replace``). CSV files meant for
Excel are written as UTF-8 with a byte-order mark, which Excel needs to show ä and ö.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from tymqual.errors import StorageError

# The cause of a failed write in words a reader knows, and what they can do about it.
_CAUSES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free some space and try again"),
    errno.EROFS: ("the folder is read-only", "make it writable or choose another folder"),
    errno.EACCES: ("there is no permission to write there",
                   "ask for write access or choose another folder"),
    errno.EIO: ("the disk reported a read/write error", "check the disk and try again"),
    errno.EFBIG: ("the file is too large for this disk", "choose another disk"),
    errno.ENAMETOOLONG: ("the file name is too long", "choose a shorter name or folder"),
}
_CAUSES[errno.EPERM] = _CAUSES[errno.EACCES]
if hasattr(errno, "EDQUOT"):  # not defined on Windows
    _CAUSES[errno.EDQUOT] = ("the disk quota is used up", "free some space and try again")


def describe_os_error(exc: OSError, *, writing: bool = True) -> tuple[str, str]:
    """``(cause, remedy)`` of a failed write in plain words, e.g. ``("the disk is full", "free
    some space and try again")``; an unlisted error gives the system's own text.
    ``writing=False`` words a refused permission for a file that may have been read."""
    if isinstance(exc, StorageError) and isinstance(exc.__cause__, OSError):
        return describe_os_error(exc.__cause__, writing=writing)
    if not writing and exc.errno in (errno.EACCES, errno.EPERM):
        return "permission was denied", "ask for access to it"
    if exc.errno in _CAUSES:
        return _CAUSES[exc.errno]
    cause = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
    return cause[:1].lower() + cause[1:], "try again"


def write_failure(exc: OSError, path: str | os.PathLike[str], kept: str) -> StorageError:
    """The :class:`StorageError` for ``exc`` met while writing ``path``: one sentence naming
    the file, the cause and ``kept`` (what is still as it was). Raise it ``from exc``."""
    cause, remedy = describe_os_error(exc)
    return StorageError(
        f"{path} could not be saved because {cause}; {kept} ({remedy}).",
        path=path,
        reason=cause,
        cause=exc,
    )


def _give_up(exc: BaseException, target: Path, existed: bool, tmp: str) -> None:
    # The temporary file goes; an OSError about this write becomes one sentence. A failure to
    # remove the temporary file must not hide the error that made it stay.
    if tmp:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    if isinstance(exc, OSError) and not isinstance(exc, StorageError) and _concerns(exc, target):
        kept = f"the previous {target.name} is unchanged" if existed else "nothing was written"
        raise write_failure(exc, target, kept) from exc


def _concerns(exc: OSError, target: Path) -> bool:
    # An error naming some other file (one a writer read from, say) is not this write's.
    named = exc.filename
    if not isinstance(named, (str, bytes, os.PathLike)):
        return True
    where = Path(os.fsdecode(named))
    return where == target or where.parent == target.parent or where in target.parents


@contextlib.contextmanager
def _atomic_handle(path: str | os.PathLike[str], *,
                   before_replace: Callable[[Path], None] | None = None,
                   **open_args: Any) -> Iterator[IO[Any]]:
    """A handle on a temporary file beside ``path``; when the block ends without an error
    the file is flushed, fsynced and renamed over ``path``, else removed. An ``OSError``
    becomes a :class:`StorageError` naming ``path``.

    ``before_replace(tmp)`` runs once the new file is on disk and before it replaces the old
    one: the ledger records its history there, so that a change is never in the ledger
    without being in the history first. If it raises, nothing is replaced."""
    target = Path(path)
    existed = target.exists()
    tmp = ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            _keep_mode(fd, target)
        except BaseException:
            os.close(fd)
            raise
        with os.fdopen(fd, **open_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if before_replace is not None:
            before_replace(Path(tmp))
        os.replace(tmp, target)
    except BaseException as exc:
        _give_up(exc, target, existed, tmp)
        raise
    _synced_dir(target)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    with _atomic_handle(path, mode="wb") as fh:
        fh.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` atomically with ``\\n`` line ends."""
    atomic_write_bytes(path, text.encode(encoding))


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str], *,
              before_replace: Callable[[Path], None] | None = None) -> None:
    """Write ``df`` as an Excel-friendly CSV (UTF-8 with BOM, comma, ``\\n``), atomically.

    ``before_replace`` as for the atomic write: called with the finished temporary file."""
    # Streamed into the file: a large ledger is never held as one string and its bytes.
    with _atomic_handle(path, before_replace=before_replace, mode="w", encoding="utf-8-sig",
                        newline="") as fh:
        df.to_csv(fh, index=False, lineterminator="\n")


def file_digest(path: str | os.PathLike[str]) -> bytes:
    """The SHA-256 of a file's bytes, read in blocks."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").digest()




@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` atomically.

    For libraries that insist on writing a file themselves (openpyxl, python-docx).
    """
    target = Path(path)
    existed = target.exists()
    tmp = ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent
        )
        try:
            _keep_mode(fd, target)
        finally:
            os.close(fd)
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        _give_up(exc, target, existed, tmp)
        raise
    _synced_dir(target)


def _keep_mode(fd: int, target: Path) -> None:
    # mkstemp makes 0600 files; a replaced file keeps its mode, a new one gets the umask's
    # usual default, so a project folder shared by a research group stays readable.
    if os.name != "posix":
        return
    if target.exists():
        mode = target.stat().st_mode & 0o7777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.fchmod(fd, mode)


def _synced_dir(target: Path) -> None:
    # The rename is durable only once the directory entry is on disk; Windows has no dir fds.
    if os.name != "posix":
        return
    try:
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise write_failure(
            exc, target, "the new version is in place but may not survive a power cut"
        ) from exc


# Formula safety (OWASP "CSV injection"): a cell that starts like a formula is shown by
# Excel and LibreOffice as text, never run, while the text a reader sees stays the same.
FORMULA_START = tuple("=+-@\t\r\n＝＋－＠")
_NEUTRAL = "\u200b"  # ZERO WIDTH SPACE


def excel_safe(text: str) -> str:
    """``text`` as a CSV cell that Excel and LibreOffice show as text, never run as a formula.

    A cell whose first character starts a formula (``= + - @``, tab, CR, LF, or their
    full-width forms) gets an invisible ZERO WIDTH SPACE (U+200B) in front; other text is
    returned unchanged, and so is text already neutralised. Why not OWASP's leading
    apostrophe: LibreOffice Calc opens a CSV cell ``'=SUM(1)`` with the apostrophe shown, so
    the reader would see a changed text; a zero-width space triggers nothing and shows
    nothing. :func:`excel_unsafe` undoes it when the file is read back.
    """
    if text.startswith(FORMULA_START):
        return _NEUTRAL + text
    return text


def excel_unsafe(text: str) -> str:
    """Undo :func:`excel_safe`: drop the one U+200B it puts before a formula-like start."""
    if text.startswith(_NEUTRAL) and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def write_safe_csv(df: pd.DataFrame, path: str | os.PathLike[str], *,
                   before_replace: Callable[[Path], None] | None = None) -> None:
    """:func:`write_csv` with every text cell and column name passed through :func:`excel_safe`.

    Numbers stay numbers (a negative number is not a formula); only text is changed.
    """
    safe = df.copy(deep=False)  # columns are replaced, never changed in place (copy-on-write)
    safe.columns = [excel_safe(c) if isinstance(c, str) else c for c in safe.columns]
    for n in range(safe.shape[1]):
        column = safe.iloc[:, n]
        if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
            # A string column: only the cells that start like a formula change.
            risky = column.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                safe.isetitem(n, column.where(~risky, _NEUTRAL + column).array)
        elif column.dtype == object:
            safe.isetitem(n, [excel_safe(v) if isinstance(v, str) else v for v in column])
    write_csv(safe, path, before_replace=before_replace)


def safe_xlsx_cell(cell: Any, value: object) -> Any:
    """Put ``value`` into an openpyxl ``cell`` so that text is stored as text; returns the cell.

    openpyxl stores a string beginning with ``=`` as a formula (and ``#N/A`` as an error);
    here every string is stored as a string (``data_type`` ``"s"``), so Excel and LibreOffice
    show exactly the text and compute nothing. Formula-like text also gets the cell's
    ``quotePrefix`` style, Excel's own mark for "typed with a leading apostrophe", so that
    editing the cell keeps it text. Characters XML cannot hold (control characters other
    than tab and line breaks) become U+FFFD. Other values are assigned as they are.
    """
    if not isinstance(value, str):
        cell.value = value
        return cell
    text = _XML_ILLEGAL.sub("\ufffd", value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True
    return cell


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def read_csv_strings(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV that a person may have re-saved in Excel, every cell as a string.

    Accepts UTF-8 with or without BOM and falls back to cp1252 (Excel's "CSV" on a Finnish
    Windows); the delimiter is sniffed from the header line, since Excel in a Finnish locale
    writes ``;``. Empty cells are ``""``, never NaN, so "NA" in a memo stays "NA".
    Raises ``UnicodeDecodeError`` only if neither encoding fits (cp1252 rarely fails).
    """
    return parse_csv_strings(Path(path).read_bytes())


def parse_csv_strings(raw: bytes) -> pd.DataFrame:
    """:func:`read_csv_strings` of a file's bytes already read (to hash them, say)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    header = text.split("\n", 1)[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    frame = pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
