"""A cache of parsed sources and surveys, so that a large project opens in seconds the next time.

Opening a project parses every file: a .docx or a Teams .vtt of an hour's interview takes tens
of milliseconds, a survey export of 20,000 respondents more than a second, and a follow-up study
has a thousand interviews. :class:`SourceCache` keeps what each file parsed into (the
normalised text, the speaker turns, the format details, the word count and SHA-256 of the text;
for a survey its frames and open answers) in ``.tymqual-cache/`` in the project folder, one
file per file (JSON for a source, numpy columns for a survey: :mod:`tymqual.survey_store`), and
reads it back on the next open.

**Never stale.** A cache file is named by a SHA-256 over the file's raw bytes, its suffix, the
speaker settings, the kind of entry and a fingerprint of the code that parses: the source of
``corpus.py``, ``surveys.py`` and ``survey_cells.py``, ``text.py`` and this module, and the
versions of Python, Unicode and the libraries that read the formats. Editing a transcript,
changing ``speakers:`` in ``tymqual.yaml`` or upgrading tymqual or a reader library therefore
gives another name, and the file is parsed again. The bytes are read once and checked again
after parsing, so a file saved while it was being parsed is not cached under the wrong name.

**Safe to delete.** Deleting the folder only costs the next open its time. A cache file that
cannot be read, does not decode, does not have the expected shape, or whose text no longer
has its recorded SHA-256 is ignored and the file is parsed again (and the entry rewritten). A
project whose folder cannot be written simply opens without a cache. Entries that the last open
did not use are removed, so the folder holds one entry per file.

The warnings a loader gives (tracked changes in a .docx, say) are stored with the entry and
given again on every open, so a cached source warns exactly as a parsed one; as they name the
file, an entry with warnings serves only the path it was made for. An entry is only written
when reading it back gives exactly what parsing gave.

The folder holds the same text as ``transcripts/``: it is as sensitive as the sources, is
git-ignored (``.tymqual-cache/``) and is never part of an export or a pseudonymised copy.
"""

from __future__ import annotations

import builtins
import concurrent.futures
import contextlib
import functools
import gc
import hashlib
import importlib.metadata
import io
import itertools
import json
import multiprocessing
import os
import re
import sys
import tempfile
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tymqual import corpus, survey_cells, survey_report, survey_store, surveys, text
from tymqual.corpus import (
    KINDS,
    SourceDoc,
    SpeakerConfig,
    Turn,
    check_source_size,
    load_source,
    validate_source_id,
)
from tymqual.errors import TymqualError, TymqualWarning
from tymqual.morphology import Reading, WordAnalysis
from tymqual.storage import atomic_write_text
from tymqual.survey_report import SurveyReport
from tymqual.surveys import AnswerTexts, Survey, answer_texts, read_survey
from tymqual.text import count_words, sha256_text

CACHE_DIR = ".tymqual-cache"
"""The cache folder's name inside a project folder."""
FORMAT = 2
"""Version of the entry layout; part of every key."""
_README = (
    "tymqual keeps parsed sources here so that the project opens faster; it is safe to delete\n"
    "this folder at any time. It holds the text of the sources: keep it where they are kept,\n"
    "and out of version control and exports.\n"
)
_LIBRARIES = ("python-docx", "odfpy", "webvtt-py", "pypdf", "lxml", "pandas", "numpy", "pyarrow",
              "openpyxl", "pyreadstat")
_SCALARS = (str, int, float, bool, type(None))
_SURVEY_SUFFIX = ".zip"
_KEY = re.compile(r"[0-9a-f]{64}")


class SourceStats(NamedTuple):
    """What ``Project.sources`` shows of a text besides its length."""

    n_words: int
    sha256: str


def stats_of(text_: str) -> SourceStats:
    """Word count and SHA-256 of a normalised text."""
    return SourceStats(count_words(text_), sha256_text(text_))


@functools.cache
def fingerprint() -> str:
    """A digest of everything that decides what parsing gives, apart from the file itself."""
    digest = hashlib.sha256(f"tymqual-cache {FORMAT}".encode())
    for module in (corpus, survey_cells, surveys, survey_report, survey_store, text,
                   sys.modules[__name__]):
        source = getattr(module, "__file__", None)
        digest.update(Path(source).read_bytes() if source else module.__name__.encode())
    versions = [sys.version, unicodedata.unidata_version]
    for name in _LIBRARIES:
        try:
            versions.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}=absent")
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()


class SourceCache:
    """Parsed sources of one project folder, read from and written to ``root/.tymqual-cache``.

    ``enabled=False`` parses every file and neither reads nor writes the folder.
    """

    def __init__(self, root: str | os.PathLike[str], *, enabled: bool = True) -> None:
        self.folder = Path(root) / CACHE_DIR
        self.enabled = enabled
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        self._parsed: dict[tuple[Path, str], _Parsed] = {}
        self.parsed_ahead = 0
        """Files the last :meth:`parse_ahead` parsed in worker processes."""
        self._digests: dict[Path, str] = {}

    def __repr__(self) -> str:
        state = "" if self.enabled else ", disabled"
        return f"SourceCache({str(self.folder)!r}{state})"

    # ------------------------------------------------------------------ sources
    def source(
        self, path: Path, *, kind: str, speakers: SpeakerConfig
    ) -> tuple[SourceDoc, SourceStats | None]:
        """The loaded source of ``path`` (as :func:`tymqual.corpus.load_source` gives it) and
        its stats when the cache had or made them; raises what ``load_source`` raises."""
        if not self.enabled or kind not in KINDS:
            return self._load(path, kind, speakers, None), None
        source_id = validate_source_id(path.stem, path)
        check_source_size(path)  # before hashing the file, which reads all of it
        raw = _read(path)
        if raw is None:  # missing, unreadable or empty: let the loader say why
            return self._load(path, kind, speakers, None), None
        key = _key("source", path.suffix.lower(), repr(speakers), raw)
        entry = self._entry(key, path)
        if entry is not None:
            decoded = _decode_source(entry, source_id, path, kind)
            if decoded is not None:
                self.hits += 1
                _replay(entry["warnings"])
                self._digests[path] = decoded[1].sha256
                return decoded
        self.misses += 1
        with _recorded() as caught:
            doc = self._load(path, kind, speakers, raw)
        stats = stats_of(doc.text)
        self._digests[path] = stats.sha256
        entry = _encode_source(doc, stats, caught)
        if entry is not None and _read(path) == raw and _decode_source(
                entry, source_id, path, kind) == (doc, stats):
            self._write(key, entry)
        _replay(caught)
        _collect_young()
        return doc, stats

    # ------------------------------------------------------------------ parsing in parallel
    def parse_ahead(self, files: Iterable[tuple[Path, str]], *, speakers: SpeakerConfig,
                    workers: int | None = None) -> int:
        """Parse in worker processes the ``(path, kind)`` files that have no entry yet, so
        that :meth:`source` then only takes their results, in the caller's order; returns
        how many were parsed so.

        Each worker records the warnings a file gives and its error, and :meth:`source` gives
        them in this process, once, when that file's turn comes, exactly as a parse here
        would. ``workers`` (default :func:`workers`: the ``TYMQUAL_WORKERS`` environment
        variable, else the CPUs this process may use) of 1, or fewer than
        :data:`MIN_PARALLEL` files to parse, parses nothing ahead: starting processes would
        cost more than it saves.
        """
        count = default_workers() if workers is None else workers
        jobs = [(path, kind) for path, kind in files if self._unparsed(path, kind, speakers)]
        if count <= 1 or len(jobs) < MIN_PARALLEL:
            return 0
        context = multiprocessing.get_context("fork") if _FORKS else None
        with concurrent.futures.ProcessPoolExecutor(min(count, len(jobs)), context) as pool:
            chunk = max(1, len(jobs) // (count * 4))
            done = pool.map(_parse_in_worker, *zip(*jobs, strict=True),
                            itertools.repeat(speakers), chunksize=chunk)
            for job, parsed in zip(jobs, done, strict=True):
                self._parsed[job] = parsed
        self.parsed_ahead = len(jobs)
        return len(jobs)

    def _unparsed(self, path: Path, kind: str, speakers: SpeakerConfig) -> bool:
        """Whether :meth:`source` would parse ``path`` (its entry is absent)."""
        if kind not in KINDS:
            return False
        if not self.enabled:
            return True
        try:
            check_source_size(path)
        except TymqualError:
            return False  # refused before it is read: source() says so
        raw = _read(path)
        return raw is not None and not (
            self.folder / f"{_key('source', path.suffix.lower(), repr(speakers), raw)}.json"
        ).is_file()

    def _load(self, path: Path, kind: str, speakers: SpeakerConfig, raw: bytes | None
              ) -> SourceDoc:
        """:func:`~tymqual.corpus.load_source`, or what a worker parsed of the same bytes."""
        parsed = self._parsed.pop((path, kind), None)
        if parsed is None or (raw is not None and parsed.digest != _digest(raw)):
            return load_source(path, kind=kind, speakers=speakers)
        _replay(parsed.warnings)
        if parsed.error is not None:
            raise parsed.error
        if parsed.fields is None:  # not reached: a worker gives fields or an error
            return load_source(path, kind=kind, speakers=speakers)
        return SourceDoc(**parsed.fields, meta=MappingProxyType(parsed.meta))

    # ------------------------------------------------------------------ surveys
    def survey(self, path: Path) -> Survey:
        """The survey export ``path`` as :func:`tymqual.surveys.read_survey` reads it."""
        return self.survey_answers(path)[0]

    def survey_answers(self, path: Path) -> tuple[Survey, AnswerTexts]:
        """The survey export ``path`` and its open answers (:func:`tymqual.surveys.answer_texts`),
        both from one columnar entry (:mod:`tymqual.survey_store`) when the cache has it."""
        raw = _read(path) if self.enabled else None
        if raw is None:
            survey = read_survey(path)
            return survey, answer_texts(survey)
        key = _key("survey", path.suffix.lower(), "", raw)
        self.used.add(key)
        stored = _read(self.folder / f"{key}{_SURVEY_SUFFIX}")
        decoded = _decode_survey(stored, path) if stored is not None else None
        if decoded is not None and stored is not None:
            self.hits += 1
            _replay(decoded[2])
            self._digests[path] = _survey_digest(key, stored)
            return decoded[0], decoded[1]
        self.misses += 1
        with _recorded() as caught:
            survey = read_survey(path)
        answers = answer_texts(survey)
        payload = _encode_survey(survey, answers, path, caught)
        if payload is not None and _read(path) == raw:
            back = _decode_survey(payload, path)
            if (back is not None and _same_survey(back[0], survey)
                    and _same_answers(back[1], answers)):
                self._write_file(f"{key}{_SURVEY_SUFFIX}", payload)
                self._digests[path] = _survey_digest(key, payload)
        _replay(caught)
        _collect_young()
        return survey, answers

    def text_digest(self, path: Path) -> str | None:
        """What identifies the text this cache gave for the file ``path`` (None if it gave
        none): a source's SHA-256 (checked against the text when read back), a survey's
        entry key and the CRC-32 of its bytes (every open answer's text follows from them),
        so that the search need not hash every text again."""
        return self._digests.get(path)

    # ------------------------------------------------------------------ word analyses
    def analyses(self, analyser: str) -> list[WordAnalysis]:
        """The word analyses kept by :meth:`keep_analyses` for ``analyser`` (``[]`` if none).

        One file per analyser, named by a fingerprint of the analysing code and library
        versions, so a new tymqual or analyser never meets an old analysis; a damaged file
        is ignored.
        """
        if not self.enabled:
            return []
        try:
            lines = (self.folder / _analyses_name(analyser)).read_text("utf-8").split("\n")
            if lines[0] != _ANALYSES_HEADER:
                return []
            return [_decode_analysis(line) for line in lines[1:] if line]
        except (OSError, ValueError, UnicodeError):
            return []

    def keep_analyses(self, analyser: str, analyses: Iterable[WordAnalysis]) -> None:
        """Write ``analyses`` for the next open; older versions of the file are removed."""
        if not self.enabled:
            return
        name = _analyses_name(analyser)
        lines = [_ANALYSES_HEADER]
        lines.extend(_encode_analysis(a) for a in analyses if _storable(a))
        self._write_file(name, "\n".join(lines) + "\n")
        with contextlib.suppress(OSError):
            for old in self.folder.glob(f"words-{analyser}-*.analyses"):
                if old.name != name:
                    old.unlink()

    # ------------------------------------------------------------------ the folder
    def _entry(self, key: str, path: Path) -> dict[str, Any] | None:
        self.used.add(key)
        try:
            data = json.loads((self.folder / f"{key}.json").read_bytes())
        except (OSError, ValueError):  # absent, unreadable, not UTF-8 or not JSON: parse
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        if not _warnings_ok(data.get("warnings")):
            return None
        # A warning names the file it was given for: another file with the same bytes, or the
        # project moved to another folder, must not repeat the old path.
        if data["warnings"] and data.get("path") != str(path):
            return None
        return data

    def _write(self, key: str, entry: dict[str, Any]) -> None:
        self._write_file(f"{key}.json", json.dumps(entry, ensure_ascii=False,
                                                   separators=(",", ":")))

    # ------------------------------------------------------------------ the search index
    def search_index(self, analyser: str) -> StoredIndex | None:
        """The token index kept by :meth:`keep_search_index` for ``analyser``, or None.

        Named like the word analyses (a fingerprint of the analysing code and library
        versions); a damaged or unreadable file is None, so the search indexes anew.
        """
        if not self.enabled:
            return None
        try:
            # Read from the file, not from its bytes: at 1,000 interviews it is 100-200 MB,
            # and a bytes copy doubled the first search's peak and time.
            with np.load(self.folder / _index_name(analyser), allow_pickle=False) as stored:
                arrays = {key: stored[key] for key in _INDEX_ARRAYS}
            forms = arrays["forms"].tobytes().decode("utf-8").split("\x00")
            keys = arrays["keys"].tobytes().decode("utf-8").split("\x00") if len(
                arrays["keys"]) else []
            return _stored_index(forms, keys, arrays)
        except (OSError, ValueError, KeyError, UnicodeError, EOFError, zipfile.BadZipFile):
            return None

    def keep_search_index(self, analyser: str, index: StoredIndex) -> None:
        """Keep every source's tokens (offsets and form numbers into ``index.forms``) and
        units, so a first search in a later process neither tokenises nor looks words up
        again."""
        if not self.enabled:
            return
        keys = ["\x1f".join(key) for key in index.keys]
        arrays: dict[str, np.ndarray] = {
            "forms": np.frombuffer("\x00".join(index.forms).encode("utf-8"), dtype=np.uint8),
            "keys": np.frombuffer("\x00".join(keys).encode("utf-8"), dtype=np.uint8),
        }
        for name in _UNIT_ARRAYS:
            arrays[name] = _int_array(getattr(index, name))
            arrays[f"{name}_count"] = np.asarray(index.unit_count, dtype=np.int64)
        for name in _TOKEN_ARRAYS:
            arrays[name] = _int_array(getattr(index, name))
            arrays[f"{name}_count"] = np.asarray(index.token_count, dtype=np.int64)
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **arrays)
        name = _index_name(analyser)
        self._write_file(name, buffer.getvalue())
        with contextlib.suppress(OSError):
            for old in self.folder.glob(f"index-{analyser}-*.npz"):
                if old.name != name:
                    old.unlink()

    # ------------------------------------------------------------------ other search files
    def read_file(self, name: str) -> bytes | None:
        """The bytes of a search file kept by :meth:`keep_file` (None when absent or off)."""
        if not self.enabled:
            return None
        return _read(self.folder / name)

    def keep_file(self, name: str, payload: bytes) -> None:
        """Keep a file the search needs again in a later process (the seed index of the
        fallback dictionary: :func:`tymqual.morphology.keep_dictionary_index`)."""
        if self.enabled:
            self._write_file(name, payload)

    def _write_file(self, name: str, content: str | bytes) -> None:
        payload = content.encode("utf-8") if isinstance(content, str) else content
        try:
            self.folder.mkdir(exist_ok=True)
            readme = self.folder / "README.txt"
            if not readme.exists():
                atomic_write_text(readme, _README)  # never left empty by a full disk
            # Written beside the entry and renamed over it, so a reader never sees half a file;
            # no fsync: a torn entry after a crash is only a cache miss.
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                os.replace(tmp, self.folder / name)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            return  # a read-only or full project folder opens without a cache (StorageError too)

    def prune(self) -> int:
        """Remove the entries this cache did not use (old versions of edited files); returns
        how many. Only entries (``<key>.json``, ``<key>.zip``) and stale temporary files are
        touched."""
        if not self.enabled or not self.folder.is_dir():
            return 0
        removed = 0
        with contextlib.suppress(OSError):
            for path in self.folder.iterdir():
                unused = (path.suffix in (".json", _SURVEY_SUFFIX)
                          and _KEY.fullmatch(path.stem) is not None
                          and path.stem not in self.used)
                if unused or (path.name.startswith(".") and path.suffix == ".tmp"):
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed += 1
        return removed


# ---------------------------------------------------------------------------- parallel parsing
MIN_PARALLEL = 16
"""Fewer files to parse than this are parsed in this process (a worker costs about 0.1 s)."""
WORKERS_VARIABLE = "TYMQUAL_WORKERS"


_FORKS = sys.platform == "linux"
"""Whether workers are forked. Elsewhere (macOS, Windows) a worker is spawned and imports the
caller's script again, which a script without an ``if __name__ == "__main__":`` guard cannot
take: there a cold open parses in parallel only when ``TYMQUAL_WORKERS`` asks for it."""


def default_workers() -> int:
    """Worker processes for a cold open: ``TYMQUAL_WORKERS`` when set (1 parses in this
    process), else on Linux the CPUs this process may run on, and 1 elsewhere (see
    :data:`_FORKS`)."""
    value = os.environ.get(WORKERS_VARIABLE, "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise TymqualError(
                f"{WORKERS_VARIABLE}={value!r} is not a whole number; set it to the number of "
                "processes that parse files (1 parses them one by one), or unset it.") from None
    if not _FORKS:
        return 1
    return len(os.sched_getaffinity(0))


class _Parsed(NamedTuple):
    """What a worker gives back for one file: the source's fields (its ``meta`` as a plain
    dict, which pickles) or its error, the warnings it gave, and a digest of the bytes it
    read, so that a file saved meanwhile is parsed again here."""

    fields: dict[str, Any] | None
    meta: dict[str, object]
    warnings: list[list[str]]
    error: TymqualError | None
    digest: str | None


def _survey_digest(key: str, entry: bytes) -> str:
    # The key names the export's bytes and the reading code; the CRC tells a replaced or
    # damaged entry that still decodes.
    return f"survey:{key}:{zlib.crc32(entry):08x}"


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _parse_in_worker(path: Path, kind: str, speakers: SpeakerConfig) -> _Parsed:
    raw = _read(path)
    fields, meta, error = None, {}, None
    with _recorded() as caught:
        try:
            doc = load_source(path, kind=kind, speakers=speakers)
            fields = {"source_id": doc.source_id, "path": doc.path, "kind": doc.kind,
                      "text": doc.text, "turns": doc.turns}
            meta = dict(doc.meta)
        except TymqualError as exc:
            error = exc
    digest = _digest(raw) if raw is not None and _read(path) == raw else None
    return _Parsed(fields, meta, caught, error, digest)


# ---------------------------------------------------------------------------- search index
class StoredIndex(NamedTuple):
    """A kept search index: the form keys, each source's ``(source id, text digest)``, and
    every source's units and tokens laid end to end (``unit_count`` and ``token_count``
    per source say where one source's part ends), as the file holds them."""

    forms: list[str]
    keys: list[tuple[str, str]]
    unit_count: np.ndarray
    token_count: np.ndarray
    unit_start: np.ndarray
    unit_end: np.ndarray
    token_start: np.ndarray
    token_end: np.ndarray
    token_form: np.ndarray


_UNIT_ARRAYS = ("unit_start", "unit_end")
_TOKEN_ARRAYS = ("token_start", "token_end", "token_form")
_INDEX_ARRAYS = ("forms", "keys", *_UNIT_ARRAYS, *_TOKEN_ARRAYS,
                 *(f"{name}_count" for name in (*_UNIT_ARRAYS, *_TOKEN_ARRAYS)))


def _int_array(values: np.ndarray) -> np.ndarray:
    """``values`` as int32 when they fit (offsets and form numbers do), else int64: half the
    file a first search reads."""
    fits = not len(values) or (int(values.min()) >= -(2**31) and int(values.max()) < 2**31)
    return values.astype(np.int32 if fits else np.int64)


def _index_name(analyser: str) -> str:
    return "index-" + _analyses_name(analyser)[len("words-"):].replace(".analyses", ".npz")


def _stored_index(forms: list[str], keys: list[str], arrays: Mapping[str, np.ndarray]
                  ) -> StoredIndex:
    """The file's arrays as a :class:`StoredIndex`; ``ValueError`` when their counts do not
    agree (a damaged file)."""
    counts = {}
    for group in (_UNIT_ARRAYS, _TOKEN_ARRAYS):
        first = arrays[f"{group[0]}_count"]
        for name in group:
            count = arrays[f"{name}_count"]
            if (len(count) != len(keys) or not np.array_equal(count, first)
                    or int(count.sum()) != len(arrays[name]) or (count < 0).any()):
                raise ValueError(f"a damaged search index ({name})")
        counts[group[0]] = first.astype(np.int64)
    if len(arrays["token_form"]) and (int(arrays["token_form"].min()) < 0
                                      or int(arrays["token_form"].max()) >= len(forms)):
        raise ValueError("a damaged search index (token_form)")
    # One split for all keys; equal digests (a survey's answers share one) shared, not copied.
    parts = "\x1f".join(keys).split("\x1f")
    if len(parts) != 2 * len(keys):
        raise ValueError("a damaged search index (keys)")
    shared: dict[str, str] = {}
    digests = [shared.setdefault(d, d) for d in parts[1::2]]
    return StoredIndex(forms, list(zip(parts[::2], digests, strict=True)),
                       counts["unit_start"], counts["token_start"],
                       *(arrays[name] for name in (*_UNIT_ARRAYS, *_TOKEN_ARRAYS)))


# ---------------------------------------------------------------------------- word analyses
# The modules whose rules decide a word form's analyses and the index's context readings:
# tymqual.morphology and every tymqual module below it but the errors.
_ANALYSIS_MODULES = ("morphology", "wordforms", "context_rules", "spoken", "lexicon", "fallback")


@functools.cache
def _analyses_name(analyser: str) -> str:
    """``words-<analyser>-<digest>.analyses``: the digest covers the analysing code and the
    versions of the analysers, so a changed rule or library never reads an old analysis."""
    digest = hashlib.sha256(f"tymqual-words {FORMAT} {analyser}".encode())
    for name in _ANALYSIS_MODULES:
        module = importlib.import_module(f"tymqual.{name}")
        digest.update(Path(str(module.__file__)).read_bytes())
    for name in ("libvoikko", "simplemma", "nltk", "wordfreq"):
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=absent".encode())
    return f"words-{analyser}-{digest.hexdigest()[:24]}.analyses"


# One line per word form: "1" or "0" for known, the form, then its readings; a reading's
# fields (lemma, pos, parts, also, derived, rule) are joined by US, list items by RS and
# readings by GS, characters no word form or base form contains. The form is not first on
# its line, so the leak check never takes a name in it for a word opening a sentence.
_ANALYSES_HEADER = f"tymqual word analyses {FORMAT}: known, form, readings"
_US, _RS, _GS = "\x1f", "\x1e", "\x1d"
_FIELDS = 6


def _storable(analysis: WordAnalysis) -> bool:
    text = analysis.word + "".join(r.lemma + r.rule for r in analysis.readings)
    return not any(ch in text for ch in f"\t\n\r{_US}{_RS}{_GS}")


def _encode_analysis(analysis: WordAnalysis) -> str:
    readings = _GS.join(
        _US.join((r.lemma, r.pos, _RS.join(r.parts), _RS.join(r.also), _RS.join(r.derived),
                  r.rule))
        for r in analysis.readings
    )
    return f"{int(analysis.known)}\t{analysis.word}\t{readings}"


def _decode_analysis(line: str) -> WordAnalysis:
    known, word, readings = line.split("\t")
    made = []
    for reading in readings.split(_GS):
        fields = reading.split(_US)
        if len(fields) != _FIELDS or known not in ("0", "1"):
            raise ValueError(f"a damaged analysis of {word!r}")
        lemma, pos, parts, also, derived, rule = fields
        made.append(Reading(lemma, pos, tuple(parts.split(_RS)),
                            tuple(also.split(_RS)) if also else (),
                            tuple(derived.split(_RS)) if derived else (), rule))
    return WordAnalysis(word, tuple(made), known == "1")


# ---------------------------------------------------------------------------- keys and bytes
def _collect_young() -> None:
    """Free the cyclic garbage a parse leaves (document trees link parent and child).

    A project pauses the collector while it loads (:func:`tymqual.progress.collector_paused`), so
    without this every parsed .docx of a cold open stays in memory until the end: at 1,000
    interviews that held the resident set near a gigabyte. Only the youngest generation is
    walked; what survives moves on, so each call costs about what the last parse made.
    """
    gc.collect(0)


def _read(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data or None


def _key(kind: str, suffix: str, settings: str, raw: bytes) -> str:
    digest = hashlib.sha256()
    for part in (fingerprint(), kind, suffix, settings):
        digest.update(part.encode("utf-8") + b"\x00")
    digest.update(raw)
    return digest.hexdigest()


# ---------------------------------------------------------------------------- warnings
@contextlib.contextmanager
def _recorded() -> Iterator[list[list[str]]]:
    """Collect the warnings a loader gives as ``[category, message]``, to store and replay."""
    caught: list[list[str]] = []
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        yield caught
    for item in found:
        caught.append([item.category.__name__, str(item.message)])


def _category(name: str) -> type[Warning] | None:
    if name == TymqualWarning.__name__:
        return TymqualWarning
    found = getattr(builtins, name, None)
    return found if isinstance(found, type) and issubclass(found, Warning) else None


def _warnings_ok(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(w, list) and len(w) == 2 and all(isinstance(x, str) for x in w)
        and _category(w[0]) is not None for w in value)


def _replay(caught: list[list[str]]) -> None:
    for name, message in caught:
        warnings.warn(message, _category(name) or UserWarning, stacklevel=4)


# ---------------------------------------------------------------------------- source entries
def _encode_source(doc: SourceDoc, stats: SourceStats, caught: list[list[str]]
                   ) -> dict[str, Any] | None:
    meta = dict(doc.meta)
    if not all(isinstance(k, str) and isinstance(v, _SCALARS) for k, v in meta.items()):
        return None
    if not _warnings_ok(caught):
        return None
    return {
        "format": FORMAT,
        "text": doc.text,
        "turns": {name: [getattr(t, name) for t in doc.turns] for name in _TURN_FIELDS},
        "meta": meta,
        "path": str(doc.path),
        "warnings": caught,
        "n_words": stats.n_words,
        "sha256": stats.sha256,
    }


_TURN_FIELDS = ("turn", "speaker", "role", "start", "end", "time")


def _turns(columns: object, length: int) -> tuple[Turn, ...] | None:
    """The turns stored column by column, or None when they do not have the right types or
    do not lie within a text of ``length`` characters."""
    if not isinstance(columns, dict) or set(columns) != set(_TURN_FIELDS):
        return None
    number, speaker, role, start, end, time = (columns[name] for name in _TURN_FIELDS)
    if not all(isinstance(c, list) and len(c) == len(number) for c in
               (number, speaker, role, start, end, time)):
        return None
    if not (set(map(type, number)) | set(map(type, start)) | set(map(type, end)) <= {int}
            and set(map(type, speaker)) <= {str}
            and set(map(type, role)) | set(map(type, time)) <= {str, type(None)}):
        return None
    if number and not (min(start) >= 0 and max(end) <= length
                       and all(a <= b for a, b in zip(start, end, strict=True))):
        return None
    return tuple(map(Turn, number, speaker, role, start, end, time))


def _decode_source(entry: Mapping[str, Any], source_id: str, path: Path, kind: str
                   ) -> tuple[SourceDoc, SourceStats] | None:
    body, rows, meta = entry.get("text"), entry.get("turns"), entry.get("meta")
    n_words, digest = entry.get("n_words"), entry.get("sha256")
    if not (isinstance(body, str) and isinstance(meta, dict)
            and isinstance(n_words, int) and isinstance(digest, str)):
        return None
    if not all(isinstance(v, _SCALARS) for v in meta.values()):
        return None
    turns = _turns(rows, len(body))
    if turns is None:
        return None
    if sha256_text(body) != digest:  # a damaged entry that is still valid JSON
        return None
    doc = SourceDoc(source_id=source_id, path=path, kind=kind, text=body,
                    turns=turns,
                    meta=MappingProxyType(dict(meta)))
    return doc, SourceStats(n_words, digest)


# ---------------------------------------------------------------------------- survey entries
def _encode_survey(survey: Survey, answers: AnswerTexts, path: Path, caught: list[list[str]]
                   ) -> bytes | None:
    if survey.path != path or not _warnings_ok(caught):
        return None
    arrays: survey_store.Arrays = {}
    try:
        frames = {name: survey_store.encode_frame(arrays, name, getattr(survey, name))
                  for name in _SURVEY_FRAMES}
    except survey_store.Unsupported:
        return None
    survey_store.encode_answers(arrays, answers)
    header = {"format": FORMAT, "source_format": survey.source_format, "path": str(path),
              "warnings": caught, "report": survey.report.to_dict(), "frames": frames}
    return survey_store.pack(header, arrays)


def _decode_survey(data: bytes, path: Path) -> tuple[Survey, AnswerTexts, list[list[str]]] | None:
    """The survey, its open answers and its warnings from an entry; None when the entry is not
    one this module wrote for ``path`` (damaged, another format, or another file's warnings)."""
    try:
        header, arrays = survey_store.unpack(data)
        if header.get("format") != FORMAT or not _warnings_ok(header.get("warnings")):
            return None
        # A warning names the file it was given for (see _entry).
        if header["warnings"] and header.get("path") != str(path):
            return None
        frames = {name: survey_store.decode_frame(arrays, name, header["frames"][name])
                  for name in _SURVEY_FRAMES}
        report = SurveyReport.from_dict(header["report"], path)
        answers = survey_store.decode_answers(arrays)
    except (*survey_store.DAMAGED, AttributeError):
        return None  # not what this module writes: parse the file instead
    source_format = header.get("source_format")
    if not isinstance(source_format, str):
        return None
    survey = Survey(path=path, source_format=source_format, load_report=report, **frames)
    return survey, answers, header["warnings"]


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return (list(a.columns) == list(b.columns) and list(a.dtypes) == list(b.dtypes)
            and a.index.equals(b.index) and a.equals(b))


def _same_survey(a: Survey, b: Survey) -> bool:
    return a.source_format == b.source_format and a.report == b.report and all(
        _same_frame(getattr(a, n), getattr(b, n)) for n in _SURVEY_FRAMES)


def _same_answers(a: AnswerTexts, b: AnswerTexts) -> bool:
    return (a.respondent_ids == b.respondent_ids and a.text == b.text
            and a.turn_items == b.turn_items and all(
                np.array_equal(getattr(a, f), getattr(b, f))
                for f in ("bounds", "turn_bounds", "turn_starts", "turn_ends")))


_SURVEY_FRAMES = ("responses", "items", "dont_know", "metadata")


__all__ = ["CACHE_DIR", "SourceCache", "SourceStats", "fingerprint", "stats_of"]
