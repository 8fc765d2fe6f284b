"""The source cache: a warm open gives exactly what parsing gives, is never stale, is safe to
delete, warns as parsing warns, and never leaves the project folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import numpy as np
import pandas as pd
import pytest
import yaml
from docx.oxml import parse_xml
from odf.opendocument import OpenDocumentText
from odf.text import P

import tymqual
from tymqual import survey_store
from tymqual.cache import CACHE_DIR, SourceCache, fingerprint
from tymqual.errors import TymqualError, TymqualWarning
from tymqual.project import Project
from tymqual.text import sha256_text

MakeProject = Callable[..., tymqual.Project]
REPO = Path(__file__).resolve().parents[1]
SURVEY_FRAMES = ("responses", "items", "dont_know", "metadata")
ENTRY_SUFFIXES = (".json", ".zip")  # a source's entry, a survey's entry
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# A second survey, as a Webropol CSV export; its respondents are not the demo's R1..R4.
FEEDBACK_COLUMNS = ["Vastaajan tunniste", "Alue", "Resurssit riittävät", "Kerro lisää"]
FEEDBACK: list[list[str | None]] = [
    ["S1", "Läntinen", "Täysin samaa mieltä", "Neuvottelut venyivät."],
    ["S2", "Itäinen", "en osaa sanoa", None],
    ["S3", "Läntinen", "Jokseenkin eri mieltä", "Hyvä yhteistyö."],
]


# ---------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's demo project (.docx, .txt, .odt and .vtt interviews, an .xlsx survey)
    with an .odt document and a .csv survey added. Its codebook and codings are left out:
    the cache does not read them, and they would only slow every open."""
    root = tmp_path_factory.mktemp("template") / "demo"
    for folder in ("transcripts", "surveys"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "codes").mkdir()
    shutil.copy(REPO / "codes" / "cases.csv", root / "codes" / "cases.csv")
    shutil.copy(REPO / "tymqual.yaml", root / "tymqual.yaml")
    (root / "documents").mkdir()
    memo = OpenDocumentText()
    for line in ("Kokousmuistio", "Verkostojohtaja esitteli resurssit.", "Kela on mukana."):
        memo.text.addElement(P(text=line))
    memo.save(str(root / "documents" / "muistio.odt"))
    pd.DataFrame(FEEDBACK, columns=FEEDBACK_COLUMNS).to_csv(
        root / "surveys" / "palaute.csv", index=False)
    return root


@pytest.fixture
def demo(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo project, without a cache."""
    return Path(shutil.copytree(template, tmp_path / "demo"))


def parsed_files(root: Path) -> list[Path]:
    """The files an open parses (and so caches): sources and survey exports."""
    found = [p for folder in ("transcripts", "documents") if (root / folder).is_dir()
             for p in sorted((root / folder).iterdir()) if p.is_file()]
    return found + [p for p in sorted((root / "surveys").iterdir())
                    if p.suffix in {".xlsx", ".csv"}]


def open_recorded(root: Path, **kwargs: Any) -> tuple[Project, list[tuple[type, str]]]:
    """Open a project and return it with every warning given while opening."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project = Project(root, **kwargs)
    return project, [(w.category, str(w.message)) for w in caught]


def counts(project: Project) -> tuple[int, int]:
    """(hits, misses) of the project's cache in the open that made it."""
    cache: SourceCache = project._cache
    return cache.hits, cache.misses


def entries(root: Path) -> dict[str, bytes]:
    """The cache entries of a project folder, by file name."""
    folder = root / CACHE_DIR
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.suffix in ENTRY_SUFFIXES and len(p.stem) == 64}


def entry_path(root: Path, wanted: Callable[[dict[str, Any]], bool]) -> Path:
    """The one source entry (JSON) for which ``wanted`` is true."""
    found = []
    for name, raw in entries(root).items():
        if not name.endswith(".json"):
            continue
        data = json.loads(raw)
        if wanted(data):
            found.append(root / CACHE_DIR / name)
    assert len(found) == 1, found
    return found[0]


def assert_same(a: Project, b: Project) -> None:
    """Everything an open gives from the files is the same in ``a`` and ``b``."""
    assert a.source_ids == b.source_ids
    pd.testing.assert_frame_equal(a.sources, b.sources)
    pd.testing.assert_frame_equal(a.turns(), b.turns())
    pd.testing.assert_frame_equal(a.skipped, b.skipped)
    for sid in a.source_ids:
        da, db = a.document(sid), b.document(sid)
        assert (da.source_id, da.path, da.kind, da.text, da.turns) == (
            db.source_id, db.path, db.kind, db.text, db.turns)
        assert a.text(sid) == b.text(sid)
        assert dict(da.meta) == dict(db.meta)
        assert {k: type(v) for k, v in da.meta.items()} == {k: type(v) for k, v in db.meta.items()}
    assert a.surveys.keys() == b.surveys.keys()
    for name, survey in a.surveys.items():
        other = b.survey(name)
        assert (survey.path, survey.source_format) == (other.path, other.source_format)
        for frame in SURVEY_FRAMES:
            pd.testing.assert_frame_equal(getattr(survey, frame), getattr(other, frame))


def tracked_changes_docx(path: Path) -> Path:
    """A Word transcript with a tracked insertion, which the .docx loader warns about."""
    document = docx.Document()
    paragraph = document.add_paragraph("H: Miten neuvottelut sujuivat? ")
    paragraph._p.append(parse_xml(
        f'<w:ins xmlns:w="{W}" w:id="1" w:author="T"><w:r><w:t>lisätty</w:t></w:r></w:ins>'))
    document.add_paragraph("V: Neuvottelut venyivät.")
    document.save(str(path))
    return path


# ---------------------------------------------------------------------------- warm = cold
def test_warm_open_gives_exactly_what_cold_and_uncached_opens_give(demo: Path) -> None:
    n = len(parsed_files(demo))
    cold, cold_warnings = open_recorded(demo)
    assert counts(cold) == (0, n)
    written = entries(demo)
    assert len(written) == n
    assert (demo / CACHE_DIR / "README.txt").is_file()

    warm, warm_warnings = open_recorded(demo)
    uncached, uncached_warnings = open_recorded(demo, cache=False)

    assert counts(warm) == (n, 0)
    assert counts(uncached) == (0, 0)
    assert_same(warm, cold)
    assert_same(warm, uncached)
    assert warm_warnings == cold_warnings == uncached_warnings
    assert entries(demo) == written  # a warm open rewrites nothing
    # The demo has what the cache must carry: every format, turns with times, float meta.
    assert {warm.document(s).meta["format"] for s in warm.source_ids} >= {
        "docx", "txt", "odt", "vtt", "webropol"}
    assert warm.turns()["time"].notna().any()
    assert len(warm.surveys) == 2


# ---------------------------------------------------------------------------- never stale
def edit_txt_in_place(path: Path) -> str:
    """Change one letter, keeping the size and modification time; returns the new word."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "Kela" in text
    path.write_text(text.replace("Kela", "Kelo", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    return "Kelo"


def rewrite_docx(path: Path) -> str:
    """Save the Word transcript again with python-docx, with one more answer at the end."""
    old = docx.Document(str(path))
    new = docx.Document()
    for paragraph in old.paragraphs:
        new.add_paragraph(paragraph.text)
    new.add_paragraph("V: Tämä vastaus lisättiin jälkikäteen.")
    new.save(str(path))
    return "Tämä vastaus lisättiin jälkikäteen."


@pytest.mark.parametrize(
    ("name", "edit"), [("H2.txt", edit_txt_in_place), ("H1.docx", rewrite_docx)],
    ids=["txt-same-size-and-mtime", "docx-rewritten"])
def test_an_edited_transcript_is_parsed_again_and_its_old_entry_pruned(
        demo: Path, name: str, edit: Callable[[Path], str]) -> None:
    n = len(parsed_files(demo))
    Project(demo)
    before = entries(demo)

    new_words = edit(demo / "transcripts" / name)
    edited = Project(demo)

    sid = Path(name).stem
    assert new_words in edited.text(sid)
    assert_same(edited, Project(demo, cache=False))
    assert counts(edited) == (n - 1, 1)
    after = entries(demo)
    assert len(after) == n
    assert len(set(before) - set(after)) == 1 and len(set(after) - set(before)) == 1


def test_changed_speaker_settings_parse_the_turns_again(demo: Path) -> None:
    before = Project(demo)
    old_entries = entries(demo)
    config = yaml.safe_load((demo / "tymqual.yaml").read_text(encoding="utf-8"))
    config["speakers"] = {"interviewer": ["H"], "interviewee": ["V"], "initials": False,
                          "detect": False}
    (demo / "tymqual.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                       encoding="utf-8")

    after = Project(demo)

    # H2 is labelled "Haastattelija:"/"Vastaaja:", no longer speaker labels (nor found ones).
    assert not before.turns("H2").empty and after.turns("H2").empty
    assert_same(after, Project(demo, cache=False))
    sources = [p for p in parsed_files(demo) if p.parent.name != "surveys"]
    surveys = len(parsed_files(demo)) - len(sources)
    assert counts(after) == (surveys, len(sources))  # surveys do not depend on speakers
    new_entries = entries(demo)
    assert len(new_entries) == len(parsed_files(demo))
    assert len(set(new_entries) - set(old_entries)) == len(sources)


def test_the_same_bytes_under_another_name_or_suffix_give_their_own_source(demo: Path) -> None:
    shutil.copy(demo / "transcripts" / "H2.txt", demo / "transcripts" / "H5.md")
    shutil.copy(demo / "transcripts" / "H2.txt", demo / "documents" / "H6.txt")
    Project(demo)

    warm = Project(demo)

    assert counts(warm) == (len(parsed_files(demo)), 0)
    assert_same(warm, Project(demo, cache=False))
    assert warm.text("H5") == warm.text("H6") == warm.text("H2")
    assert (warm.document("H2").meta["format"], warm.document("H5").meta["format"]) == (
        "txt", "md")
    assert (warm.document("H6").kind, warm.document("H2").kind) == ("document", "interview")
    assert len(entries(demo)) == len(parsed_files(demo)) - 1  # H2.txt and H6.txt share one


FINGERPRINT_SCRIPT = """\
import pathlib, sys
copy, project = map(pathlib.Path, sys.argv[1:3])
sys.path.insert(0, str(copy))
import tymqual.cache
from tymqual.project import Project
assert pathlib.Path(tymqual.cache.__file__).is_relative_to(copy), tymqual.cache.__file__
before = tymqual.cache.fingerprint()
corpus = pathlib.Path(tymqual.cache.corpus.__file__)
corpus.write_text(corpus.read_text(encoding="utf-8") + "\\n# a later version\\n", encoding="utf-8")
tymqual.cache.fingerprint.cache_clear()
after = tymqual.cache.fingerprint()
Project(project)
print(before, after)
"""


def test_another_version_of_the_parsing_code_writes_and_reads_other_entries(
        demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(REPO / "tymqual", copy / "tymqual",
                    ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-c", FINGERPRINT_SCRIPT, str(copy), str(demo)],
                          capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    before, after = done.stdout.split()
    # The same code gives the same fingerprint in another process and folder; edited, another.
    assert before == fingerprint()
    assert after != before and len(after) == 64
    theirs = entries(demo)
    assert len(theirs) == len(parsed_files(demo))

    mine = Project(demo)

    assert counts(mine) == (0, len(parsed_files(demo)))
    assert not set(entries(demo)) & set(theirs)
    assert len(entries(demo)) == len(parsed_files(demo))


# ---------------------------------------------------------------------------- safe to delete
def test_deleting_the_cache_folder_between_opens_only_costs_time(demo: Path) -> None:
    first = Project(demo)
    written = entries(demo)
    shutil.rmtree(demo / CACHE_DIR)

    again = Project(demo)

    assert counts(again) == (0, len(parsed_files(demo)))
    assert_same(again, first)
    assert entries(demo) == written


def as_json(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, ensure_ascii=False).encode("utf-8")


def changed_turns(entry: dict[str, Any], column: str, value: object) -> bytes:
    turns = {**entry["turns"], column: [value, *entry["turns"][column][1:]]}
    return as_json({**entry, "turns": turns})


def same_length_edit(text: str) -> str:
    i = text.index("a")
    return text[:i] + "o" + text[i + 1:]


SOURCE_DAMAGE: dict[str, Callable[[dict[str, Any], bytes], bytes]] = {
    "truncated JSON": lambda e, raw: raw[: len(raw) // 2],
    "not UTF-8": lambda e, raw: b"\xff\xfe" + raw,
    "a list, not an object": lambda e, raw: b"[]",
    "another layout version": lambda e, raw: as_json({**e, "format": str(e["format"])}),
    "text not a string": lambda e, raw: as_json({**e, "text": None}),
    "turns without speakers": lambda e, raw: as_json(
        {**e, "turns": {k: v for k, v in e["turns"].items() if k != "speaker"}}),
    "turn before the text": lambda e, raw: changed_turns(e, "start", -1),
    "turn past the text": lambda e, raw: as_json({**e, "turns": {
        **e["turns"], "end": [*e["turns"]["end"][:-1], len(e["text"]) + 1]}}),
    "meta value a list": lambda e, raw: as_json({**e, "meta": {**e["meta"], "format": ["txt"]}}),
    "text edited, sha256 kept": lambda e, raw: as_json(
        {**e, "text": same_length_edit(e["text"])}),
    "warnings not a list": lambda e, raw: as_json({**e, "warnings": "ei varoituksia"}),
    "warning of an unknown category": lambda e, raw: as_json(
        {**e, "warnings": [["NoSuchWarning", "x"]]}),
    "warning message not text": lambda e, raw: as_json(
        {**e, "warnings": [["UserWarning", 1]]}),
}


@pytest.mark.parametrize("damage", list(SOURCE_DAMAGE.values()), ids=list(SOURCE_DAMAGE))
def test_a_damaged_source_entry_is_ignored_parsed_again_and_rewritten(
        make_project: MakeProject, damage: Callable[[dict[str, Any], bytes], bytes]) -> None:
    first = make_project()  # two .txt interviews, opened cold
    root = first.root
    path = entry_path(root, lambda e: e.get("text") == first.text("H2"))
    good = path.read_bytes()
    bad = damage(json.loads(good), good)
    assert bad != good
    path.write_bytes(bad)

    again, caught = open_recorded(root)

    assert counts(again) == (len(parsed_files(root)) - 1, 1)
    assert_same(again, first)  # a cold open, which gives what parsing gives (test above)
    assert caught == []
    assert path.read_bytes() == good
    assert len(entries(root)) == len(parsed_files(root))


def survey_entry(root: Path, columns: list[str]) -> Path:
    """The one survey entry whose responses have ``columns``."""
    found = [root / CACHE_DIR / name for name, raw in entries(root).items()
             if name.endswith(".zip")
             and survey_store.unpack(raw)[0]["frames"]["responses"]["columns"] == columns]
    assert len(found) == 1, found
    return found[0]


Header = dict[str, Any]
Arrays = dict[str, np.ndarray]


def repacked(change: Callable[[Header, Arrays], None]) -> Callable[[bytes], bytes]:
    """A damage that unpacks the entry, changes its header or arrays, and packs it again."""
    def damage(raw: bytes) -> bytes:
        header, arrays = survey_store.unpack(raw)
        change(header, arrays)
        return survey_store.pack(header, arrays)
    return damage


def first_category(header: Header) -> int:
    return next(i for i, c in enumerate(header["frames"]["responses"]["data"])
                if c["kind"] == "category")


def codes_out_of_range(header: Header, arrays: Arrays) -> None:
    name = f"responses.{first_category(header)}.codes"
    arrays[name] = arrays[name] + 100


def shifted(name: str, by: int) -> Callable[[Header, Arrays], None]:
    def change(header: Header, arrays: Arrays) -> None:
        arrays[name] = arrays[name] + by
    return change


SURVEY_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated archive": lambda raw: raw[:-1],
    "half an archive": lambda raw: raw[: len(raw) // 2],
    "not an archive (an old JSON entry)": lambda raw: b'{"format":1}',
    "another layout version": repacked(lambda h, a: h.update(format=str(h["format"]))),
    "a frame missing": repacked(lambda h, a: h["frames"].pop("items")),
    "more column names than columns": repacked(
        lambda h, a: h["frames"]["responses"]["columns"].append("x")),
    "a column's text missing": repacked(lambda h, a: a.pop("responses.0")),
    "category codes out of range": repacked(codes_out_of_range),
    "text offsets past the buffer": repacked(shifted("responses.0.ends", 5)),
    "an unknown column kind": repacked(
        lambda h, a: h["frames"]["items"]["data"][0].update(kind="parquet")),
    "a turn past its answer": repacked(shifted("answers.turn_ends", 10_000)),
    "answer bounds past the text": repacked(shifted("answers.bounds", 1)),
    "warning of an unknown category": repacked(lambda h, a: h.update(
        warnings=[["NoSuchWarning", "x"]])),
}


@pytest.mark.parametrize("damage", list(SURVEY_DAMAGE.values()), ids=list(SURVEY_DAMAGE))
def test_a_damaged_survey_entry_is_ignored_parsed_again_and_rewritten(
        demo: Path, damage: Callable[[bytes], bytes]) -> None:
    first = Project(demo)
    path = survey_entry(demo, list(first.survey("kysely").responses.columns))
    good = path.read_bytes()
    bad = damage(good)
    assert bad != good
    path.write_bytes(bad)

    again, caught = open_recorded(demo)

    assert counts(again) == (len(parsed_files(demo)) - 1, 1)
    assert_same(again, first)  # nothing lost: the file was parsed again
    assert caught == []  # a cache miss, as for a source entry: only slower
    assert path.read_bytes() == good


def test_prune_removes_only_unused_entries_and_stale_temporary_files(demo: Path) -> None:
    Project(demo)
    folder = demo / CACHE_DIR
    (folder / ".abc.tmp").write_text("half an entry", encoding="utf-8")
    (folder / "notes.txt").write_text("kept", encoding="utf-8")
    (demo / "documents" / "muistio.odt").unlink()

    again = Project(demo)

    assert len(entries(demo)) == len(parsed_files(demo)) == counts(again)[0]
    assert sorted(p.name for p in folder.iterdir() if p.suffix not in ENTRY_SUFFIXES) == [
        "README.txt", "notes.txt"]
    unused = SourceCache(demo)  # looked nothing up, so every entry is unused
    assert unused.prune() == len(parsed_files(demo))
    assert entries(demo) == {}
    assert SourceCache(demo, enabled=False).prune() == 0


# ---------------------------------------------------------------------------- warnings
def test_loader_warnings_are_given_again_on_a_warm_open(demo: Path) -> None:
    tracked_changes_docx(demo / "transcripts" / "H5.docx")

    cold, cold_warnings = open_recorded(demo)
    warm, warm_warnings = open_recorded(demo)
    _, uncached_warnings = open_recorded(demo, cache=False)

    assert counts(warm) == (len(parsed_files(demo)), 0)
    expected = f"{demo / 'transcripts' / 'H5.docx'}: has tracked changes"
    assert [(c, m[: len(expected)]) for c, m in warm_warnings] == [(TymqualWarning, expected)]
    assert warm_warnings == cold_warnings == uncached_warnings
    assert_same(warm, cold)


def test_a_cached_warning_names_the_file_it_is_given_for(demo: Path, tmp_path: Path) -> None:
    # Two files with the same bytes, then the whole project moved to another folder: each
    # warning names the file as it is now, as parsing it would.
    tracked_changes_docx(demo / "transcripts" / "H5.docx")
    shutil.copy(demo / "transcripts" / "H5.docx", demo / "transcripts" / "H6.docx")
    moved = tmp_path / "moved"
    for opened in (demo, demo, moved, moved):
        if opened == moved and demo.exists():
            shutil.move(demo, moved)
        project, caught = open_recorded(opened)
        uncached, parsed = open_recorded(opened, cache=False)
        assert caught == parsed
        expected = [f"{opened / 'transcripts' / name}: has tracked changes"
                    for name in ("H5.docx", "H6.docx")]
        assert [m[: len(e)] for (_, m), e in zip(caught, expected, strict=True)] == expected
        assert_same(project, uncached)


# ---------------------------------------------------------------------------- cache=False
def folder_state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_cache_false_neither_reads_nor_writes_the_folder(demo: Path) -> None:
    Project(demo, cache=False)
    assert not (demo / CACHE_DIR).exists()

    real = Project(demo).text("H2")
    path = entry_path(demo, lambda e: e.get("text") == real)
    # An entry that is consistent in itself but not what the file says, and two files a
    # cached open would prune.
    entry = json.loads(path.read_bytes())
    poisoned = same_length_edit(real)
    path.write_bytes(as_json({**entry, "text": poisoned, "sha256": sha256_text(poisoned)}))
    (demo / CACHE_DIR / f"{'0' * 64}.json").write_text("{}", encoding="utf-8")
    (demo / CACHE_DIR / ".stale.tmp").write_text("", encoding="utf-8")
    state = folder_state(demo / CACHE_DIR)

    uncached = Project(demo, cache=False)

    assert uncached.text("H2") == real
    assert counts(uncached) == (0, 0)
    assert folder_state(demo / CACHE_DIR) == state
    # The control: a cached open does read that entry, and prunes.
    cached = Project(demo)
    assert cached.text("H2") == poisoned
    assert not (demo / CACHE_DIR / ".stale.tmp").exists()
    assert not (demo / CACHE_DIR / f"{'0' * 64}.json").exists()


# ---------------------------------------------------------------------------- unwritable
def test_a_cache_folder_that_cannot_be_made_is_done_without(demo: Path) -> None:
    # A file where the folder would be stops it being made, for root too.
    blocker = demo / CACHE_DIR
    blocker.write_bytes(b"not a folder")

    first, caught = open_recorded(demo)
    second = Project(demo)

    assert caught == []
    assert counts(first) == counts(second) == (0, len(parsed_files(demo)))
    assert_same(second, Project(demo, cache=False))
    assert blocker.read_bytes() == b"not a folder"


def read_only_is_enforced(tmp_path: Path) -> bool:
    """Whether a folder without write permission refuses us (not so for root on POSIX)."""
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        (probe / "x").mkdir()
    except PermissionError:
        return True
    finally:
        probe.chmod(0o755)
    return False


@pytest.mark.skipif(os.name != "posix", reason="chmod 0o555 makes a read-only folder on POSIX")
def test_a_read_only_project_folder_opens_without_a_cache(demo: Path, tmp_path: Path) -> None:
    if not read_only_is_enforced(tmp_path):
        pytest.skip(f"running as uid {os.geteuid()}, which may write to a read-only folder, so "
                    "chmod cannot make one; test_a_cache_folder_that_cannot_be_made_is_done_"
                    "without covers an unwritable cache folder for root too")
    mode = demo.stat().st_mode
    demo.chmod(0o555)
    try:
        project, caught = open_recorded(demo)
        again = Project(demo)
    finally:
        demo.chmod(mode)
    assert caught == []
    assert not (demo / CACHE_DIR).exists()
    assert counts(again) == (0, len(parsed_files(demo)))
    assert_same(project, Project(demo, cache=False))


# ---------------------------------------------------------------------------- out of git, exports
def test_init_project_git_ignores_the_cache_folder(tmp_path: Path) -> None:
    fresh = tmp_path / "uusi"
    tymqual.init_project(fresh)
    assert ".tymqual-cache/" in (fresh / ".gitignore").read_text(encoding="utf-8").splitlines()

    kept = tmp_path / "vanha"
    kept.mkdir()
    (kept / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    tymqual.init_project(kept)
    lines = (kept / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "*.pyc" and lines.count(".tymqual-cache/") == 1


def test_the_qdpx_export_holds_no_cache(demo: Path, tmp_path: Path) -> None:
    project = Project(demo)
    assert entries(demo)

    out = project.export_qdpx(tmp_path / "demo.qdpx")

    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        contents = [archive.read(name) for name in names]
    assert names and not [n for n in names if CACHE_DIR in n or n.endswith("README.txt")]
    assert not [c for c in contents if b"safe to delete" in c]


ORIGINAL = """\
H: Kenen kanssa teette yhteistyötä?
V: Lähinnä Matti Virtasen kanssa. Virtanen vetää johtoryhmää.
H: Missä toimitte?
V: Me ollaan Joensuussa. Kela on mukana.
"""
KEY = pd.DataFrame(
    [("Matti Virtanen", "[Henkilö 1]", "person"), ("Virtanen", "[Henkilö 1]", "person"),
     ("Joensuu", "[Kunta 1]", "place")],
    columns=["original", "label", "kind"])


@pytest.fixture
def pseudonymised(make_project: MakeProject, tmp_path: Path) -> tuple[Project, Path, Any]:
    """A project naming a person and a town, opened (so cached), and its pseudonymised copy
    with the report of what was written there."""
    project = make_project({"transcripts/H3.txt": ORIGINAL})
    assert len(entries(project.root)) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        report = project.pseudonymize(tmp_path / "pseudo", key=KEY)
    return project, tmp_path / "pseudo", report


def test_the_pseudonymised_copy_takes_nothing_from_the_original_cache(
        pseudonymised: tuple[Project, Path, Any]) -> None:
    project, out, report = pseudonymised
    named = [n for n, raw in entries(project.root).items() if b"Virtanen" in raw]
    assert len(named) == 1  # the entry of H3.txt, which names the person
    assert not [p for p in report.files["path"] if p.startswith(CACHE_DIR)]
    copied = entries(out)
    assert named[0] not in copied
    assert not [n for n, raw in copied.items() if b"Virta" in raw or b"Joensuu" in raw]
    copy, _ = open_recorded(out)
    assert "[Henkilö 1]" in copy.text("H3") and "Virta" not in copy.text("H3")
    assert_same(copy, open_recorded(out, cache=False)[0])


def test_the_pseudonymised_copy_has_no_cache_folder(
        pseudonymised: tuple[Project, Path, Any]) -> None:
    _, out, _ = pseudonymised
    assert not (out / CACHE_DIR).exists()


# ---------------------------------------------------------------------------- parallel parsing
def parallel_project(root: Path) -> Path:
    """A project of real files of each kind the loaders read, enough to be parsed in worker
    processes: Word files written by python-docx (one with a tracked change, which warns),
    OpenDocument files written by odfpy, plain text, and a .docx that is not a zip."""
    for folder in ("transcripts", "documents", "codes", "surveys"):
        (root / folder).mkdir(parents=True)
    shutil.copy(REPO / "tymqual.yaml", root / "tymqual.yaml")
    for i in range(6):
        document = docx.Document()
        for line in (f"H: Miten kulunut vuosi {i} meni?", f"V: Äänekoskella työllisyys {i}."):
            document.add_paragraph(line)
        document.save(str(root / "transcripts" / f"W{i}.docx"))
        memo = OpenDocumentText()
        for line in (f"H: Kysymys {i}?", f"V: Vastaus {i}, ja Kela mukana."):
            memo.text.addElement(P(text=line))
        memo.save(str(root / "transcripts" / f"O{i}.odt"))
        (root / "transcripts" / f"T{i}.txt").write_text(
            f"H: Kerro lisää {i}.\nV: Neuvottelut venyivät {i}.\n", encoding="utf-8")
    tracked_changes_docx(root / "transcripts" / "W9.docx")
    (root / "transcripts" / "Rikki.docx").write_bytes(b"not a zip at all")
    memo = OpenDocumentText()
    memo.text.addElement(P(text="Kokousmuistio: resurssit."))
    memo.save(str(root / "documents" / "muistio.odt"))
    pd.DataFrame(FEEDBACK, columns=FEEDBACK_COLUMNS).to_csv(
        root / "surveys" / "palaute.csv", index=False)
    return root


@pytest.mark.parametrize("cache", [True, False], ids=["cached", "uncached"])
def test_parallel_and_serial_opens_give_the_same_sources_turns_and_warnings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: bool) -> None:
    root = parallel_project(tmp_path / "p")
    opened = {}
    for workers in ("1", "2"):
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
        monkeypatch.setenv("TYMQUAL_WORKERS", workers)
        opened[workers] = open_recorded(root, cache=cache)

    (serial, serial_warnings), (parallel, parallel_warnings) = opened["1"], opened["2"]
    files = len(list((root / "transcripts").iterdir())) + 1
    assert serial._cache.parsed_ahead == 0
    assert parallel._cache.parsed_ahead == files  # the broken one too: its error comes back
    assert_same(parallel, serial)
    assert parallel_warnings == serial_warnings
    tracked = [m for _, m in parallel_warnings if "W9.docx" in m]
    assert len(tracked) == 1  # given once, in the parent, naming the file
    assert list(parallel.skipped["path"]) == ["transcripts/Rikki.docx"]
    assert "Rikki.docx" in parallel.skipped["error"].iloc[0]


def test_a_warm_open_parses_nothing_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    root = parallel_project(tmp_path / "p")
    monkeypatch.setenv("TYMQUAL_WORKERS", "2")
    cold, _ = open_recorded(root)
    warm, _ = open_recorded(root)
    assert cold._cache.parsed_ahead > 0
    assert warm._cache.parsed_ahead == 0
    assert_same(warm, cold)


def test_a_workers_setting_that_is_not_a_number_is_refused_naming_it(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYMQUAL_WORKERS", "kaksi")
    with pytest.raises(TymqualError, match="TYMQUAL_WORKERS='kaksi'"):
        Project(demo)


# ---------------------------------------------------------------------------- text digests
def test_the_cache_gives_the_digest_of_each_text_it_gave(demo: Path) -> None:
    """The search keys its kept index by these instead of hashing every text again."""
    project = Project(demo)
    cache = project.source_cache
    for source_id in project.source_ids:
        doc = project.document(source_id)
        digest = cache.text_digest(doc.path)
        if doc.kind == "survey_answer":
            assert digest is not None and digest.startswith("survey:")
        elif digest is not None:
            assert digest == sha256_text(doc.text)
    surveys = {p.document(s).path: p.source_cache.text_digest(p.document(s).path)
               for p in (project,) for s in p.source_ids
               if p.document(s).kind == "survey_answer"}
    assert surveys and all(surveys.values())
    again = Project(demo)  # read back from the entries: the same digests
    assert {path: again.source_cache.text_digest(path) for path in surveys} == surveys
    feedback = demo / "surveys" / "palaute.csv"
    rows = [*FEEDBACK, ["S4", "Itäinen", "en osaa sanoa", "Lisää resursseja."]]
    pd.DataFrame(rows, columns=FEEDBACK_COLUMNS).to_csv(feedback, index=False)
    edited = Project(demo)
    assert edited.source_cache.text_digest(feedback) not in (None, surveys.get(feedback))
    assert Project(demo, cache=False).source_cache.text_digest(feedback) is None


def test_a_search_index_whose_counts_disagree_is_not_taken(demo: Path) -> None:
    from tymqual.search import search

    project = Project(demo)
    expected = search(project, "kela")
    kept = next((demo / CACHE_DIR).glob("index-*.npz"))
    with np.load(kept) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["token_form_count"] = arrays["token_form_count"][::-1].copy()
    with kept.open("wb") as handle:
        np.savez(handle, **arrays)
    from tymqual.morphology import get_analyser

    assert SourceCache(demo).search_index(get_analyser().name) is None
    pd.testing.assert_frame_equal(search(Project(demo), "kela"), expected)


def _tymqual_imports(module: str) -> set[str]:
    """The tymqual modules ``module`` imports (read with ``ast``, nothing is run)."""
    import ast

    tree = ast.parse((Path(tymqual.__file__).parent / f"{module}.py").read_text(encoding="utf-8"))
    found = {node.module for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tymqual.")}
    return {name.removeprefix("tymqual.") for name in found}


def test_the_word_analyses_name_covers_every_module_below_morphology() -> None:
    from tymqual.cache import _ANALYSIS_MODULES

    below, todo = {"morphology"}, ["morphology"]
    while todo:
        for name in _tymqual_imports(todo.pop()) - below - {"errors"}:
            below.add(name)
            todo.append(name)
    assert set(_ANALYSIS_MODULES) == below


@pytest.mark.parametrize("module", ["morphology", "wordforms", "context_rules", "spoken",
                                    "lexicon", "fallback"])
def test_a_changed_analysis_module_renames_the_word_analyses(
        module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tymqual import cache

    cache._analyses_name.cache_clear()
    before = cache._analyses_name("simplemma")
    changed = str(Path(tymqual.__file__).parent / f"{module}.py")
    read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes",
                        lambda self: read(self) + (b"#" if str(self) == changed else b""))
    cache._analyses_name.cache_clear()
    try:
        assert cache._analyses_name("simplemma") != before
    finally:
        monkeypatch.undo()
        cache._analyses_name.cache_clear()
