"""Full disks and read-only folders: a clear error naming the file, and nothing saved is lost.

Where this process may mount (root in a container), the faults are real: a small tmpfs filled
to the last byte, a folder bind-mounted read-only. Every test also runs with the fault
injected at the OS boundary (``os.fsync`` reporting ENOSPC, as a full disk with delayed
allocation does; ``os.open``/``os.mkdir``/``os.replace`` refusing with EROFS), so the suite
proves the same where mounting is not allowed.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import CASES, CODEBOOK, H1, H2

import tymqual
import tymqual.refi
from tymqual import cli, storage
from tymqual.errors import StorageError
from tymqual.reports import build_report


def _run(*args: str | Path) -> bool:
    try:
        done = subprocess.run([str(a) for a in args], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _make_project(root: Path) -> tymqual.Project:
    tymqual.init_project(root, name="testi")
    (root / "codes" / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    (root / "codes" / "cases.csv").write_text(CASES, encoding="utf-8")
    (root / "transcripts" / "H1.txt").write_text(H1, encoding="utf-8")
    (root / "transcripts" / "H2.txt").write_text(H2, encoding="utf-8")
    p = tymqual.open_project(root)
    p.code("H1", "resurssit", quote="resurssit kunnossa")
    p.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.")
    return p


def _fill(folder: Path) -> None:
    # Big writes first, then ever smaller, until not one more byte fits.
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1):
            with pytest.raises(OSError) as info:
                while True:
                    os.write(fd, b"\0" * size)
            assert info.value.errno == errno.ENOSPC
    finally:
        os.close(fd)


class Disk:
    """A folder on a disk that :meth:`fill` makes full and :meth:`free` empties again."""

    def __init__(self, root: Path, real: bool, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.real, self.full = root, real, False
        if not real:
            sync = os.fsync

            def fsync(fd: int) -> None:
                if self.full:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                sync(fd)

            monkeypatch.setattr(os, "fsync", fsync)

    def fill(self) -> None:
        self.full = True
        if self.real:
            _fill(self.root)

    def free(self) -> None:
        self.full = False
        if self.real:
            (self.root / "filler").unlink()


@pytest.fixture(params=["tmpfs", "injected"])
def full_disk(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Disk]:
    """A folder for a project on a disk that can be made full."""
    root = tmp_path / "disk"
    root.mkdir()
    real = request.param == "tmpfs"
    if real and not _run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", root):
        pytest.skip("mounting a small tmpfs is not allowed here; the injected case covers it")
    try:
        yield Disk(root, real, monkeypatch)
    finally:
        if real:
            _run("umount", "-l", root)


@pytest.fixture(params=["bind", "injected"])
def read_only(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Path], None]]:
    """A function that makes a folder read-only even for root."""
    mounted: list[Path] = []

    def real(folder: Path) -> None:
        if not _run("mount", "--bind", folder, folder):
            pytest.skip("bind mounts are not allowed here; the injected case covers it")
        mounted.append(folder)
        if not _run("mount", "-o", "remount,ro,bind", folder):
            pytest.skip("a read-only remount is not allowed here; the injected case covers it")

    def injected(folder: Path) -> None:
        inside = str(folder.resolve()) + os.sep
        real_open, real_mkdir = os.open, os.mkdir
        real_replace, real_unlink = os.replace, os.unlink

        def refused(path: object) -> bool:
            return os.path.abspath(os.fsdecode(path)).startswith(inside)  # type: ignore[arg-type]

        def ro(path: object) -> OSError:
            return OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(path))  # type: ignore[arg-type]

        def open_(path: str, flags: int, *args: int, **kwargs: int) -> int:
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and refused(path):
                raise ro(path)
            return real_open(path, flags, *args, **kwargs)

        def mkdir(path: str, *args: int, **kwargs: int) -> None:
            if refused(path) and not os.path.exists(path):  # the kernel says EEXIST first
                raise ro(path)
            real_mkdir(path, *args, **kwargs)

        def replace(src: str, dst: str, **kwargs: int) -> None:
            if refused(dst) or refused(src):
                raise ro(dst)
            real_replace(src, dst, **kwargs)

        def unlink(path: str, **kwargs: int) -> None:
            if refused(path):
                raise ro(path)
            real_unlink(path, **kwargs)

        for name, fake in (("open", open_), ("mkdir", mkdir), ("replace", replace),
                           ("unlink", unlink)):
            monkeypatch.setattr(os, name, fake)

    yield real if request.param == "bind" else injected
    for folder in reversed(mounted):
        _run("umount", "-l", folder)


def _through_replacing(path: Path, text: str) -> None:
    with storage.replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


WRITERS: dict[str, Callable[[Path, str], None]] = {
    "atomic_write_text": storage.atomic_write_text,
    "atomic_write_bytes": lambda path, text: storage.atomic_write_bytes(path, text.encode()),
    "write_csv": lambda path, text: storage.write_csv(pd.DataFrame({"a": [text]}), path),
    "write_safe_csv": lambda path, text: storage.write_safe_csv(pd.DataFrame({"a": [text]}), path),
    "replacing": _through_replacing,
}
CAUSES = [
    (errno.ENOSPC, "the disk is full"),
    (getattr(errno, "EDQUOT", errno.ENOSPC), "the disk (quota is used up|is full)"),
    (errno.EROFS, "the folder is read-only"),
    (errno.EACCES, "no permission to write"),
    (errno.EPERM, "no permission to write"),
    (errno.EIO, "read/write error"),
]


@pytest.mark.parametrize("writer", list(WRITERS))
@pytest.mark.parametrize(("code", "words"), CAUSES, ids=[errno.errorcode[c] for c, _ in CAUSES])
@pytest.mark.parametrize("existed", [True, False], ids=["replacing", "new"])
def test_every_storage_writer_names_the_file_the_cause_and_what_was_kept(
    writer: str, code: int, words: str, existed: bool, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "codes" / "codings.csv"
    if existed:
        WRITERS[writer](target, "vanha")
    before = _snapshot(tmp_path)

    def refuse(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", refuse)
    with pytest.raises(StorageError, match=words) as info:
        WRITERS[writer](target, "uusi")
    message = str(info.value)
    assert message.startswith(str(target)) and "\n" not in message
    kept = "the previous codings.csv is unchanged" if existed else "nothing was written"
    assert kept in message
    assert isinstance(info.value.__cause__, OSError) and info.value.__cause__.errno == code
    assert info.value.errno == code  # an ``except OSError`` written for the bare error still works
    assert _snapshot(tmp_path) == before  # the old bytes, and no temporary file


def test_an_error_about_another_file_is_not_called_a_failed_write(tmp_path: Path) -> None:
    # Inside ``replacing`` a writer may read other files; their errors pass through as they are.
    elsewhere = tmp_path / "elsewhere" / "source.txt"
    with pytest.raises(FileNotFoundError) as info, storage.replacing(tmp_path / "out.xlsx"):
        elsewhere.read_text()
    assert not isinstance(info.value, StorageError)
    assert list(tmp_path.iterdir()) == []


def _snapshot(*folders: Path) -> dict[str, bytes]:
    return {
        str(path): path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _leftovers(root: Path) -> list[str]:
    # Temporary files (".name.xxxx.tmp" or ".name.xxxx.ext") and staging folders (".out-xxxx").
    return [
        str(p.relative_to(root))
        for p in root.rglob(".*")
        if p.name not in {".gitignore", ".codings.csv.lock", ".tymqual-cache", "README.txt"}
        and ".tymqual-cache" not in p.parts
    ]


def _report(p: tymqual.Project, out: Path) -> object:
    return build_report(p, out, progress=False)


def _qdpx(p: tymqual.Project, out: Path) -> object:
    return p.export_qdpx(out / "projekti.qdpx")


# What each case does once the fault is there; and the file its message must name.
WRITES: dict[str, tuple[Callable[[tymqual.Project, Path], object], str]] = {
    # The memo spans pages: a coding appended within the file's last page needs no new space
    # and is rightly saved even on a full disk.
    "code": (lambda p, out: p.code("H2", "neuvottelut", quote="Neuvottelut venyivät.",
                                   memo="muistio " * 2000),
             "codings"),  # the ledger or its history: whichever write met the fault first
    "uncode": (lambda p, out: p.uncode(p.codings["coding_id"].iloc[0]), "codings.csv"),
    "rename_code": (lambda p, out: p.rename_code("resurssit", "Rahoitus"), "codebook.yaml"),
    "build_report": (_report, "out"),
    "export_qdpx": (_qdpx, "projekti.qdpx"),
}


def _prepare(p: tymqual.Project, out: Path, case: str) -> None:
    # The report and the export exist from before, and the project has changed since, so a
    # write that got through (whole or half) would change their bytes.
    if case in ("build_report", "export_qdpx"):
        WRITES[case][0](p, out)
        p.code("H2", "neuvottelut", quote="Mallisopimus auttoi.")


def _check_refused(
    p: tymqual.Project, out: Path, case: str, before: dict[str, bytes], cause: str
) -> None:
    write, name = WRITES[case]
    with pytest.raises(StorageError, match=cause) as info:
        write(p, out)
    message = str(info.value)
    assert name in message
    assert "\n" not in message
    assert isinstance(info.value.__cause__, OSError)
    assert _snapshot(p.codes_dir, out) == before
    assert _leftovers(p.root) == []


@pytest.mark.parametrize("case", list(WRITES))
def test_full_disk_refuses_cleanly(case: str, full_disk: Disk) -> None:
    p = _make_project(full_disk.root / "proj")
    out = p.root / "out"
    _prepare(p, out, case)
    before = _snapshot(p.codes_dir, out)
    full_disk.fill()
    _check_refused(p, out, case, before, "the disk is full")


@pytest.mark.parametrize("case", ["code", "uncode", "rename_code"])
def test_read_only_codes_folder_refuses_cleanly(
    case: str, tmp_path: Path, read_only: Callable[[Path], None]
) -> None:
    p = _make_project(tmp_path / "proj")
    out = tmp_path / "proj" / "out"
    before = _snapshot(p.codes_dir, out)
    read_only(p.codes_dir)
    _check_refused(p, out, case, before, "read-only")


def test_report_into_a_read_only_folder_keeps_the_old_report(
    tmp_path: Path, read_only: Callable[[Path], None]
) -> None:
    p = _make_project(tmp_path / "proj")
    out = tmp_path / "proj" / "out"
    _prepare(p, out, "build_report")
    before = _snapshot(p.codes_dir, out)
    read_only(out)
    _check_refused(p, out, "build_report", before, "read-only")


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: p.rename_code("resurssit", "Rahoitus"),
        lambda p: p.move_code("resurssit", None),
        lambda p: p.merge_codes("johtoryhma", "resurssit"),
    ],
    ids=["rename", "move", "merge"],
)
def test_failed_codebook_edit_leaves_the_codebook_in_memory_as_on_disk(
    edit: Callable[[tymqual.Project], object], full_disk: Disk
) -> None:
    p = _make_project(full_disk.root / "proj")
    tree, codings = [(c.path, c.name) for c in p.codebook], p.codings
    full_disk.fill()
    with pytest.raises(StorageError):
        edit(p)
    assert [(c.path, c.name) for c in p.codebook] == tree
    assert p.codings.equals(codings)


def test_init_on_a_full_disk_can_be_run_again(full_disk: Disk) -> None:
    root = full_disk.root / "uusi"
    full_disk.fill()
    with pytest.raises(StorageError, match="the disk is full") as info:
        tymqual.init_project(root)
    assert str(root) in str(info.value)
    assert not (root / "tymqual.yaml").exists()  # not yet a project: init may run again
    full_disk.free()
    assert tymqual.init_project(root).codebook is not None
    assert _leftovers(root) == []


def test_pseudonymize_into_a_full_disk_writes_nothing(full_disk: Disk) -> None:
    p = _make_project(full_disk.root / "proj")
    key = pd.DataFrame([("Kela", "[Virasto 1]", "other")], columns=["original", "label", "kind"])
    out = full_disk.root / "julkinen"
    full_disk.fill()
    with pytest.raises(StorageError, match="the disk is full") as info:
        p.pseudonymize(out, key=key)
    assert str(out) in str(info.value) and "nothing was written" in str(info.value)
    assert not out.exists()
    assert sorted(x.name for x in full_disk.root.iterdir() if x.name != "filler") == ["proj"]


def test_import_into_a_full_disk_says_the_folder_is_incomplete(full_disk: Disk) -> None:
    p = _make_project(full_disk.root / "proj")
    exported = p.export_qdpx(full_disk.root / "projekti.qdpx")
    into = full_disk.root / "tuotu"
    full_disk.fill()
    with pytest.raises(StorageError, match="the disk is full") as info:
        tymqual.refi.import_qdpx(exported, into)
    assert str(into) in str(info.value) and "\n" not in str(info.value)
    assert _leftovers(into) == []


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_report_into_a_full_disk_is_one_line(
    full_disk: Disk, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _make_project(full_disk.root / "proj")
    out = p.root / "out"
    _prepare(p, out, "build_report")
    before = _snapshot(p.codes_dir, out)
    full_disk.fill()
    code, _, err = _cli(["report", str(p.root), "--out", str(out), "--quiet"], capsys)
    assert code == 2
    assert err.startswith("tymqual: error: ") and err.count("\n") == 1
    assert str(out) in err and "the disk is full" in err
    assert "Traceback" not in err
    assert _snapshot(p.codes_dir, out) == before
    assert _leftovers(p.root) == []


def test_cli_status_on_a_full_disk_works(
    full_disk: Disk, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _make_project(full_disk.root / "proj")
    (p.root / ".tymqual-cache").mkdir(exist_ok=True)
    for entry in (p.root / ".tymqual-cache").iterdir():  # make opening want to write it
        entry.unlink()
    before = _snapshot(p.codes_dir)
    full_disk.fill()
    code, text, err = _cli(["status", str(p.root)], capsys)
    assert (code, err) == (0, "")
    assert "codings 2 accepted" in text
    assert _snapshot(p.codes_dir) == before


def test_cli_status_on_a_read_only_codes_folder_works(
    tmp_path: Path, read_only: Callable[[Path], None], capsys: pytest.CaptureFixture[str]
) -> None:
    p = _make_project(tmp_path / "proj")
    before = _snapshot(p.codes_dir)
    read_only(p.codes_dir)
    code, text, err = _cli(["status", str(p.root)], capsys)
    assert (code, err) == (0, "")
    assert "codings 2 accepted" in text
    assert _snapshot(p.codes_dir) == before


def test_cli_status_after_a_transcript_edit_on_a_read_only_codes_folder(
    tmp_path: Path, read_only: Callable[[Path], None], capsys: pytest.CaptureFixture[str]
) -> None:
    p = _make_project(tmp_path / "proj")
    transcript = p.root / "transcripts" / "H1.txt"
    transcript.write_text("Alkusanat lisättiin myöhemmin.\n" + H1, encoding="utf-8")
    before = _snapshot(p.codes_dir)
    read_only(p.codes_dir)
    code, text, err = _cli(["status", str(p.root)], capsys)
    # A viewing command writes nothing: it says the codings followed the edit, and keeps that
    # for the next change.
    assert code == 0 and "error" not in err and "Traceback" not in err
    assert "moved to follow edited text (saved with the next change): H1" in err
    assert "codings 2 accepted" in text
    assert _snapshot(p.codes_dir) == before


def test_cli_turns_any_unexpected_os_error_into_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A project whose configuration is a folder: reading it fails below any of our checks.
    root = tmp_path / "proj"
    _make_project(root)
    (root / "tymqual.yaml").unlink()
    (root / "tymqual.yaml").mkdir()
    code, _, err = _cli(["status", str(root)], capsys)
    assert code == 2
    assert err.startswith("tymqual: error: ") and err.count("\n") == 1
    assert "tymqual.yaml" in err and "Traceback" not in err
