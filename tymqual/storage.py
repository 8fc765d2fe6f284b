"""Safe writes: a file is either its old self or its new self, never half of each.

Writes go to a temporary file in the same folder, are flushed and fsynced, then renamed over
the target (an atomic step on POSIX and on Windows via ``os.replace``). CSV files meant for
Excel are written as UTF-8 with a byte-order mark, which Excel needs to show ä and ö.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        _keep_mode(fd, target)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` atomically with ``\\n`` line ends."""
    atomic_write_bytes(path, text.encode(encoding))


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``df`` as an Excel-friendly CSV (UTF-8 with BOM, comma, ``\\n``), atomically."""
    data = df.to_csv(index=False, lineterminator="\n")
    atomic_write_bytes(path, data.encode("utf-8-sig"))


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` atomically.

    For libraries that insist on writing a file themselves (openpyxl, python-docx).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    try:
        _keep_mode(fd, target)
    finally:
        os.close(fd)
    try:
        yield Path(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


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


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk; Windows has no dir fds.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_csv_strings(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV that a person may have re-saved in Excel, every cell as a string.

    Accepts UTF-8 with or without BOM and falls back to cp1252 (Excel's "CSV" on a Finnish
    Windows); the delimiter is sniffed from the header line, since Excel in a Finnish locale
    writes ``;``. Empty cells are ``""``, never NaN, so "NA" in a memo stays "NA".
    Raises ``UnicodeDecodeError`` only if neither encoding fits (cp1252 rarely fails).
    """
    raw = Path(path).read_bytes()
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
