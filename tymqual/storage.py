"""Safe writes: a file is either its old self or its new self, never half of each.

Writes go to a temporary file in the same folder, are flushed and fsynced, then renamed over
the target (an atomic step on POSIX and on Windows via ``os.replace``). CSV files meant for
Excel are written as UTF-8 with a byte-order mark, which Excel needs to show ä and ö.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import hashlib
import io
import itertools
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

import numpy as np
import pandas as pd

from tymqual.errors import StorageError, TymqualError

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
    digest: bytes = file_hash(path).digest()
    return digest


def file_hash(path: str | os.PathLike[str]) -> Any:
    """The SHA-256 hash object of a file's bytes, read in blocks: ``.copy().update(more)``
    gives the digest of the file with ``more`` appended without reading it again."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256")




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
    returned unchanged. Why not OWASP's leading apostrophe: LibreOffice Calc opens a CSV
    cell ``'=SUM(1)`` with the apostrophe shown, so the reader would see a changed text; a
    zero-width space triggers nothing and shows nothing. :func:`excel_unsafe` undoes it when
    the file is read back, exactly: a text that itself begins with zero-width spaces before
    a formula start (pasted from a web page) gets one more, which is the one taken off.
    """
    if _needs_mark(text):
        return _NEUTRAL + text
    return text


def _needs_mark(text: str) -> bool:
    """Whether :func:`excel_safe` marks ``text``: it starts like a formula, after any U+200B."""
    return text.lstrip(_NEUTRAL).startswith(FORMULA_START)


def excel_unsafe(text: str) -> str:
    """Undo :func:`excel_safe`: drop the one U+200B it puts before a formula-like start
    (``excel_unsafe(excel_safe(t)) == t`` for every text)."""
    if text.startswith(_NEUTRAL) and text.lstrip(_NEUTRAL).startswith(FORMULA_START):
        return text[1:]
    return text


def write_safe_csv(df: pd.DataFrame, path: str | os.PathLike[str], *,
                   before_replace: Callable[[Path], None] | None = None) -> None:
    """:func:`write_csv` with every text cell and column name passed through :func:`excel_safe`.

    Numbers stay numbers (a negative number is not a formula); only text is changed.
    """
    write_csv(_formula_safe(df), path, before_replace=before_replace)


def safe_csv_rows(df: pd.DataFrame) -> bytes:
    """The bytes :func:`write_safe_csv` writes for the rows of ``df``, without the byte-order
    mark and the header: what appending these rows to such a file adds (the same quoting,
    formula marks and ``\n`` line ends, so the file is byte for byte what a rewrite gives)."""
    buffer = io.BytesIO()  # encoded as written: no second copy of a large batch as text
    _formula_safe(df).to_csv(buffer, index=False, header=False, lineterminator="\n",
                             encoding="utf-8")
    return buffer.getvalue()


_CSV_CHUNK = 20_000  # rows turned into CSV at a time: a large batch is never one bytes object


def safe_csv_chunks(df: pd.DataFrame) -> Iterator[bytes]:
    """:func:`safe_csv_rows` of ``df`` in pieces of ``_CSV_CHUNK`` rows, joined the same bytes
    (each row's line depends on that row alone)."""
    for at in range(0, len(df), _CSV_CHUNK):
        yield safe_csv_rows(df.iloc[at:at + _CSV_CHUNK])


def safe_csv_header(columns: Sequence[str]) -> bytes:
    """The first bytes :func:`write_safe_csv` writes for a frame with ``columns``: the UTF-8
    byte-order mark and the header line."""
    return codecs.BOM_UTF8 + safe_csv_rows(pd.DataFrame([list(columns)]))


def append_synced(path: str | os.PathLike[str], data: bytes | BinaryIO, *, size: int,
                  before_append: Callable[[], None] | None = None) -> bool:
    """Append ``data`` to the existing file ``path`` and fsync it, if the file still has
    ``size`` bytes; returns False, writing nothing, when it has not (changed since read).
    ``data`` is bytes, or a file read from its current position to its end in blocks (a
    large append spooled to a temporary file is never held in memory whole).

    ``before_append()`` runs once the size is checked and before anything is written (the
    ledger records its history there). A failed or interrupted write cuts the file back to
    ``size`` bytes and raises (an ``OSError`` as a :class:`StorageError` naming ``path``); only
    a killed process can leave a torn end, which the reader of the file must recognise."""
    target = Path(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_APPEND)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise write_failure(exc, target, f"the previous {target.name} is unchanged") from exc
    try:
        if os.fstat(fd).st_size != size:
            return False
        if before_append is not None:
            before_append()
        _append_all(fd, data, size, target)
    finally:
        os.close(fd)
    return True


_BLOCK = 1 << 20  # bytes copied at a time from a spooled append


def _append_all(fd: int, data: bytes | BinaryIO, size: int, target: Path) -> None:
    blocks = [data] if isinstance(data, bytes) else iter(lambda: data.read(_BLOCK), b"")
    try:
        for block in blocks:
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
            os.fsync(fd)
        if isinstance(exc, OSError) and not isinstance(exc, StorageError):
            raise write_failure(exc, target, f"the previous {target.name} is unchanged") from exc
        raise


def _formula_safe(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell and column name passed through :func:`excel_safe`."""
    safe = df.copy(deep=False)  # columns are replaced, never changed in place (copy-on-write)
    safe.columns = [excel_safe(c) if isinstance(c, str) else c for c in safe.columns]
    for n in range(safe.shape[1]):
        column = safe.iloc[:, n]
        if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
            # A string column: only the cells that start like a formula change.
            # Plain str methods: pandas' string accessor costs twice as much per cell.
            values = column.to_numpy(dtype=object, na_value="")
            risky = np.array([_needs_mark(v) for v in values], dtype=bool)
            if risky.any():
                safe.isetitem(n, column.where(~risky, _NEUTRAL + column).array)
        elif column.dtype == object:
            safe.isetitem(n, [excel_safe(v) if isinstance(v, str) else v for v in column])
    return safe


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


# ---------------------------------------------------------------------------- decoding
# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ENCODING_NAMES = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "utf-16": "UTF-16",
                  "utf-32": "UTF-32", "cp1252": "Windows-1252"}


def _cp1252_table() -> dict[int, str]:
    """latin-1 -> cp1252 for the bytes 0x80–0x9F that cp1252 defines (€ ” – ...)."""
    table = {}
    for byte in range(0x80, 0xA0):
        with contextlib.suppress(UnicodeDecodeError):
            table[byte] = bytes([byte]).decode("cp1252")
    return table


_CP1252 = _cp1252_table()


# Control characters that count against a file: all but tab, line ends, form feed (a page
# break in exports), vertical tab (Word's manual line break) and DOS's end-of-file mark.
# C1 controls are left out: cp1252's five undefined bytes become them, and a few are harmless.
_CONTROL = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")
#: Largest share of other control characters a text file may hold; random bytes hold ~12 %.
MAX_CONTROL_SHARE = 0.01
#: Largest share of non-ASCII characters in a file read as Windows-1252; Finnish prose holds
#: ~3 % (ä ö), random bytes ~50 %.
MAX_CP1252_NON_ASCII_SHARE = 0.4
_PLAUSIBLE_MIN_CHARS = 64  # below this, one odd character decides too much


def _implausible(text: str, encoding: str) -> str | None:
    """Why ``text`` is not what a text file holds, or None when it is plausible."""
    controls = len(_CONTROL.findall(text))
    if controls > max(2, MAX_CONTROL_SHARE * len(text)):
        return f"{controls} of its {len(text)} characters are control characters"
    if encoding == "cp1252" and len(text) >= _PLAUSIBLE_MIN_CHARS:
        foreign = len(text) - len(text.encode("ascii", "ignore"))
        if foreign > MAX_CP1252_NON_ASCII_SHARE * len(text):
            return (
                f"it is not UTF-8, and read as Windows-1252 {foreign} of its {len(text)} "
                "characters would be accented letters or symbols"
            )
    return None


def decode_bytes(data: bytes, where: str, *, error: type[TymqualError] = TymqualError,
                 lenient: bool = False) -> tuple[str, str]:
    """A text file's bytes as text, and the codec used: the one rule every reader follows.

    A byte-order mark decides (UTF-8, UTF-16 or UTF-32: Excel's "Unicode text" is UTF-16LE
    with a mark); else UTF-8; else Windows-1252, which is what Excel on a Finnish Windows
    writes. The five bytes cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) are read as
    latin-1, so no such file fails. Raises ``error`` (a :class:`TymqualError`) naming
    ``where`` for a file whose mark lies, that holds NUL bytes without one, or whose text is
    implausible (binary data or garbage: see :data:`MAX_CONTROL_SHARE` and
    :data:`MAX_CP1252_NON_ASCII_SHARE`).

    ``lenient=True`` never raises: a lying mark is decoded with replacement characters and
    nothing is refused. Scanners that must look at every byte (the leak check) use it, since
    refusing a file there would hide what it holds.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                if lenient:
                    return data.decode(encoding, errors="replace"), encoding
                raise error(
                    f"{where}: starts with a {encoding.upper()} byte-order mark but is not "
                    f"valid {encoding.upper()} ({exc.reason} at byte {exc.start}); open it in "
                    "an editor and save it again as UTF-8."
                ) from None
            break
    else:
        if b"\x00" in data and not lenient:
            raise error(
                f"{where}: contains NUL bytes, so it is not text, or is UTF-16 without a "
                "byte-order mark; open it in an editor and save it as UTF-8 text."
            )
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1").translate(_CP1252), "cp1252"
    if not lenient and (why := _implausible(text, encoding)) is not None:
        raise error(
            f"{where}: does not look like text ({why}); it may be a binary file or another "
            "format renamed. Open it in an editor and save it as UTF-8 text."
        )
    return text, encoding


# ---------------------------------------------------------------------------- zip limits
#: Largest uncompressed zip entry read (as declared; zipfile stops reading there), in bytes.
MAX_ENTRY_BYTES = 200 * 1024**2
#: Largest uncompressed total of a zip, in bytes.
MAX_TOTAL_BYTES = 1024**3
#: Largest compression ratio of a zip entry over :data:`_RATIO_FLOOR` bytes: XML and text pack
#: about 5-30 to 1, a zip bomb hundreds or thousands to 1.
MAX_COMPRESSION_RATIO = 100
# Below this an entry may pack as tight as it likes (a table of empty cells does): reading
# 10 MiB of XML takes about a second.
_RATIO_FLOOR = 10 * 1024**2


def check_zip_sizes(
    archive: zipfile.ZipFile,
    where: str,
    *,
    error: type[TymqualError] = TymqualError,
    max_entry: int = MAX_ENTRY_BYTES,
    max_total: int = MAX_TOTAL_BYTES,
    max_ratio: float = MAX_COMPRESSION_RATIO,
) -> None:
    """Refuse, before anything is unpacked, a zip (.docx, .odt, ...) too large once unpacked.

    Raises ``error`` naming ``where``, the entry and the limit when one entry declares more
    than ``max_entry`` bytes, all together more than ``max_total``, or an entry over 10 MiB
    packs tighter than ``max_ratio`` to 1. The declared sizes bind: zipfile reads no more than
    an entry declares and fails the checksum if the data goes on.
    """
    total = 0
    for info in archive.infolist():
        size = info.file_size
        if size > max_entry:
            raise error(
                f"{where}: the part {info.filename!r} unpacks to {size:,} bytes, more than the "
                f"limit of {max_entry:,}; it is too large to be a document, or a zip bomb."
            )
        packed = max(info.compress_size, 1)
        if size > _RATIO_FLOOR and size > max_ratio * packed:
            raise error(
                f"{where}: the part {info.filename!r} unpacks {size / packed:,.0f}"
                f" times larger than it is packed, more than the limit of {max_ratio:,.0f}; "
                "real documents do not pack that tight, so it is refused as a zip bomb."
            )
        total += size
    if total > max_total:
        raise error(
            f"{where}: unpacks to {total:,} bytes in all, more than the limit of {max_total:,}; "
            "it is too large to be a document, or a zip bomb."
        )


# ---------------------------------------------------------------------------- git merges
_MARKER = re.compile(r"(<{7}|={7}|\|{7}|>{7})(?:[ \t].*)?\r?")


def refuse_merge_conflict(text: str, where: str, *,
                          error: type[TymqualError] = TymqualError) -> None:
    """Raise ``error`` if ``text`` holds git conflict markers: an unfinished merge.

    A project file that two people changed on two branches comes back from ``git merge``
    with both versions between ``<<<<<<<``, ``=======`` and ``>>>>>>>`` lines. Read as data,
    such a file gives a baffling error (or, worse, rows of junk), so every reader of a project
    file calls this first; the message names the file, the marker lines and how to finish.
    """
    if "<<<<<<<" not in text or ">>>>>>>" not in text:
        return
    found = [(n, line[0]) for n, line in enumerate(text.split("\n"), start=1)
             if _MARKER.fullmatch(line)]
    kinds = {kind for _, kind in found}
    if "<" not in kinds or ">" not in kinds:
        return  # a lone "=======" line in a memo is text, not a merge
    lines = [n for n, _ in found]
    shown = ", ".join(map(str, lines[:12])) + (", …" if len(lines) > 12 else "")
    raise error(
        f"{where} has an unfinished git merge: conflict markers (<<<<<<<, =======, >>>>>>>) on "
        f"line(s) {shown}. Finish the merge before tymqual reads it: either edit the file, keep "
        "the lines of both sides that belong (for a CSV, the rows of both) and delete the "
        f"marker lines, or take one side whole with `git checkout --ours {where}` (or "
        f"`--theirs`); then mark it resolved with `git add {where}`. Nothing was read."
    )


# ---------------------------------------------------------------------------- reading CSV
CSV_SEPARATORS = (",", ";", "\t")
_SNIFF_RECORDS = 200
_SEP_LINE = re.compile(r"sep=(.)\r?\n")


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file was written: its codec, field separator and line end.

    ``encoding`` is a Python codec name (``utf-8-sig`` when the file has a UTF-8 mark);
    tymqual itself writes ``utf-8-sig``, ``,`` and ``\\n``.
    """

    encoding: str
    separator: str
    line_end: str

    @property
    def canonical(self) -> bool:
        """True for the format tymqual writes (a CRLF line end alone does not count: git on
        Windows may check files out so)."""
        return self.encoding == "utf-8-sig" and self.separator == ","

    @property
    def lossy(self) -> bool:
        """True when the codec cannot hold every character (Excel wrote ``?`` for the rest)."""
        return self.encoding == "cp1252"

    def describe(self) -> str:
        """For messages: ``"';'-separated, Windows-1252"``."""
        sep = "tab" if self.separator == "\t" else repr(self.separator)
        return f"{sep}-separated, {ENCODING_NAMES.get(self.encoding, self.encoding)}"


_SNIFF_CHARS = 1 << 20  # far more than _SNIFF_RECORDS records of any ledger or export


def sniff_separator(text: str) -> str:
    """The field separator of CSV ``text``: ``,``, ``;`` or tab.

    Each candidate splits the first records (quotes respected, as Excel and LibreOffice
    write them); the one under which the most records have the header's number of fields
    wins, then one that leaves no stray quote inside a field (a quoted field split in the
    middle), then the one giving more fields. A header of one column gives ``,``.
    """
    best, best_score = ",", (0.0, False, 1)
    # The first records are all it reads: a prefix spares copying a ledger of 50 MB thrice.
    sample = text if len(text) <= _SNIFF_CHARS else text[:_SNIFF_CHARS]
    for sep in CSV_SEPARATORS:
        reader = csv.reader(io.StringIO(sample), delimiter=sep, quotechar='"', strict=False)
        records = [r for r in itertools.islice(reader, _SNIFF_RECORDS) if any(r)]
        widths = [len(r) for r in records]
        if not widths or widths[0] < 2:
            continue
        clean = not any('"' in cell for r in records for cell in r)
        score = (sum(w == widths[0] for w in widths) / len(widths), clean, widths[0])
        if score > best_score:
            best, best_score = sep, score
    return best


def not_matching(column: pd.Series, pattern: re.Pattern[str]) -> np.ndarray:
    """A boolean mask: which cells of the string ``column`` do not fully match ``pattern``.

    The pattern runs once per distinct value, not per cell: a ledger's 500,000 ``created``
    times of one autocoding batch are one value, and its offsets repeat too.
    """
    codes, values = pd.factorize(column, use_na_sentinel=False)
    bad = np.fromiter((pattern.fullmatch(str(v)) is None for v in values), dtype=bool,
                      count=len(values))
    return bad[codes] if len(codes) else np.zeros(0, dtype=bool)


def read_csv_table(raw: bytes, *, where: str = "CSV data",
                   error: type[TymqualError] = TymqualError) -> tuple[pd.DataFrame, CsvFormat]:
    """A CSV that a person may have re-saved in Excel or LibreOffice, every cell a string,
    and the format it was found in (so a caller can tell the user).

    Decoded by :func:`decode_bytes`; the separator is sniffed (:func:`sniff_separator`) or
    taken from Excel's ``sep=;`` first line; CRLF or LF; columns keep their names whatever
    their order. Empty cells are ``""``, never NaN, so "NA" in a memo stays "NA". Conflict
    markers raise ``error`` (:func:`refuse_merge_conflict`), as does a file that is not text.
    pandas' ``EmptyDataError`` (no header) and ``ParserError`` pass through.
    """
    text, encoding = decode_bytes(raw, where, error=error)
    refuse_merge_conflict(text, where, error=error)
    declared = _SEP_LINE.match(text)
    if declared:
        text = text[declared.end():]
    sep = declared.group(1) if declared else sniff_separator(text)
    head = text[:text.find("\n") + 1]
    line_end = "\r\n" if head.endswith("\r\n") else "\n"
    frame = pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, CsvFormat(encoding, sep, line_end)


def parse_csv_strings(raw: bytes, *, where: str = "CSV data",
                      error: type[TymqualError] = TymqualError) -> pd.DataFrame:
    """:func:`read_csv_strings` of a file's bytes already read (to hash them, say)."""
    return read_csv_table(raw, where=where, error=error)[0]


def read_csv_strings(path: str | os.PathLike[str], *,
                     error: type[TymqualError] = TymqualError) -> pd.DataFrame:
    """Read a project CSV file (cases, case summaries, the key), every cell a string.

    Accepts what Excel and LibreOffice write in any locale (see :func:`read_csv_table`);
    errors (conflict markers, not text) are ``error`` naming the file.
    """
    return read_csv_table(Path(path).read_bytes(), where=str(path), error=error)[0]


def decode_any(data: bytes) -> str:
    """A file's text by the one decoding rule, never refusing: a scan must see every byte."""
    return decode_bytes(data, "", lenient=True)[0]


# ---------------------------------------------------------------------------- column store
_COLUMNS_MAGIC = b"tymqual-columns 1\n"
_TAIL = 8  # the footer's length, little-endian, ends the file


def write_columns(path: str | os.PathLike[str], columns: Mapping[str, Any]) -> None:
    """Write int64 and text columns of one length to ``path`` atomically, for
    :func:`read_columns`: a frame kept as its bytes, not pickled.

    A text column (a sequence of ``str``) is stored as each row's number among its distinct
    values, those values' code-point offsets and their UTF-8 text, written in pieces so a
    column of 500,000 passages is never one string. A JSON footer names the sections and
    the SHA-256 of everything before it, which :func:`read_columns` checks.
    """
    with replacing(path) as tmp, open(tmp, "wb") as fh:
        hasher = hashlib.sha256()

        def put(data: bytes) -> int:
            hasher.update(data)
            fh.write(data)
            return len(data)

        put(_COLUMNS_MAGIC)
        sections = []
        for name, values in columns.items():
            if isinstance(values, np.ndarray) and values.dtype == np.int64:
                sections.append({"name": name, "kind": "int64",
                                 "bytes": [put(values.astype("<i8").tobytes())]})
                continue
            codes, uniques = _distinct(np.asarray(values, dtype=object))
            lengths = np.fromiter(map(len, uniques), dtype=np.int64, count=len(uniques))
            offsets = np.concatenate([[0], np.cumsum(lengths)]).astype("<i8")
            sizes = [put(codes.astype("<i4").tobytes()), put(offsets.tobytes())]
            sizes.append(sum(put("".join(uniques[at:at + _CSV_CHUNK]).encode("utf-8"))
                             for at in range(0, len(uniques), _CSV_CHUNK)))
            sections.append({"name": name, "kind": "text", "bytes": sizes})
        footer = json.dumps({"sections": sections, "sha256": hasher.hexdigest()}).encode()
        fh.write(footer + len(footer).to_bytes(_TAIL, "little"))


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's number among the distinct values, and those values. A column whose first
    thousand values nearly all differ (ids, passages) is stored row by row: hashing 500,000
    passages to find no repeats costs more than it saves."""
    head = values[:1000]
    if len(head) and len(pd.unique(head)) > 0.9 * len(head):
        return np.arange(len(values)), values
    codes, uniques = pd.factorize(values)
    return codes, np.asarray(uniques, dtype=object)


def read_columns(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The columns :func:`write_columns` wrote (int64 arrays, object arrays of ``str``), or
    None when the file is missing, damaged or not such a file: a kept copy is only used
    when it is exactly what was written."""
    try:
        data = Path(path).read_bytes()
        size = int.from_bytes(data[-_TAIL:], "little")
        body = memoryview(data)[: len(data) - _TAIL - size]
        footer = json.loads(bytes(data[len(body): len(data) - _TAIL]))
        if not data.startswith(_COLUMNS_MAGIC) or hashlib.sha256(body).hexdigest() != footer[
                "sha256"]:
            return None
        return _columns_of(body, footer["sections"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _columns_of(body: memoryview, sections: list[dict[str, Any]]) -> dict[str, Any]:
    at = len(_COLUMNS_MAGIC)
    columns: dict[str, Any] = {}
    for section in sections:
        parts = []
        for n in section["bytes"]:
            parts.append(body[at:at + n])
            at += n
        if section["kind"] == "int64":
            columns[section["name"]] = np.frombuffer(parts[0], dtype="<i8").astype(np.int64)
            continue
        codes = np.frombuffer(parts[0], dtype="<i4")
        offsets = np.frombuffer(parts[1], dtype="<i8").tolist()
        text = str(parts[2], "utf-8")
        uniques = np.empty(len(offsets) - 1, dtype=object)
        uniques[:] = [text[a:b] for a, b in itertools.pairwise(offsets)]
        columns[section["name"]] = uniques[codes] if len(codes) else np.empty(0, dtype=object)
    if at != len(body):
        raise ValueError("sections do not fill the file")
    return columns
