"""simplemma's Finnish dictionary as the measure of what is usual, with its kept seed index.

:func:`usual_lemma` is simplemma's one base form for a word form; Voikko's readings are
ranked by it (:mod:`tymqual.morphology`). Its low-memory stream dictionary walks the whole stream
to build a seed index on first use; :func:`keep_dictionary_index` lets the project cache
keep that index, so a new session reads it instead.

A base form simplemma gives is set aside when another reading's is far more frequent in
Finnish (:func:`likelier`, by wordfreq's word list: simplemma lists one base form per form,
which for a homograph need not be the frequent word).

Imports only :mod:`tymqual.errors` and the standard library, and simplemma and wordfreq
lazily (absent, every answer is empty and :func:`likelier` keeps simplemma's choice; a
missing wordfreq is said once, in a warning).
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tymqual.errors import TymqualWarning

__all__ = ["FREQUENCY_MARGIN", "MIN_PART", "keep_dictionary_index", "likelier", "listed_lemma",
           "usual_lemma", "zipf"]

MIN_PART = 4  # shortest compound part the fallback heuristic splits off ("kas", "hän": no)


@functools.lru_cache(maxsize=1)
def _simplemma() -> Any:
    try:
        import simplemma
    except ImportError:
        return None
    return simplemma


def usual_lemma(word: str, endings: bool = True) -> str:
    """simplemma's base form of ``word`` when its dictionary lists the word; else ``-`` and
    its base form of the longest ending (of 4 letters or more) it lists; else ``""``.
    ``endings=False`` skips the endings (a lookup each), when only a listed word matters."""
    if not word or _simplemma() is None:
        return ""
    whole = _listed_as(word)
    if whole or not endings:
        return whole
    for cut in range(1, len(word) - MIN_PART + 1):
        ending = _listed_as(word[cut:])
        if ending:
            return "-" + ending
    return ""


#: How much more frequent (in wordfreq's Zipf units, a log10 scale: 0.6 is four times) another
#: reading's base form must be than simplemma's for it to be the usual one.
FREQUENCY_MARGIN = 0.6


def likelier(word: str, usual: str, names: Callable[[bool], set[str]],
             base_forms: Callable[[str], set[str]]) -> str:
    """``usual``, or another reading's base form (head, for ``-`` compounds) that is far more
    frequent in Finnish (wordfreq's Zipf frequency of the base form, by at least
    :data:`FREQUENCY_MARGIN`): simplemma's dictionary lists one base form per form, not the
    likelier one (*kunnasta* → *kunnas*, *osasta* → *osanen*, *vuoteen* → *vuode*). A base
    form written like the word itself, or like a form of the other (*voi*, the noun, is also
    a form of the verb *voida*), is never compared: its frequency is an ambiguous form's.
    ``names(head)``: the words that stand for the readings (their heads when ``head``);
    ``base_forms(word)``: every base form the analyser reads ``word`` as."""
    if not usual:
        return usual
    head = usual.startswith("-")
    mine = usual.lstrip("-")
    lowered = word.lower()
    listed = names(head)
    if mine not in listed or mine == lowered:
        return usual
    best, best_z = mine, zipf(mine) + FREQUENCY_MARGIN
    for name in sorted(listed - {mine}):
        if name == lowered or (head and lowered.endswith(name)) or _shared(name, mine, base_forms):
            continue
        z = zipf(name)
        if z >= best_z:
            best, best_z = name, z
    return ("-" if head else "") + best


def _shared(one: str, other: str, base_forms: Callable[[str], set[str]]) -> bool:
    """Whether either word, as written, is also a form of the other."""
    return other in base_forms(one) or one in base_forms(other)


def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of ``word`` in Finnish (log10 of its count per billion
    words), from its small list (about 60,000 words down to Zipf 3); 0 when not listed or
    without wordfreq."""
    return _frequencies().get(word, 0.0)


@functools.lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    """Word → Zipf frequency, read from wordfreq's data file without importing the package
    (whose imports take 0.3 s); by wordfreq's own functions if the file's format is not the
    one known here; ``{}`` without wordfreq."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        warnings.warn(
            "wordfreq is not installed, so a Finnish word form that can be two words is read "
            "as simplemma lists it, without word frequencies (kunnasta may be read as "
            "kunnas, not kunta); pip install wordfreq.", TymqualWarning, stacklevel=2)
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "small_fi.msgpack.gz"
    try:
        import msgpack

        with gzip.open(path, "rb") as handle:
            packed = msgpack.load(handle, raw=False)
    except (ImportError, OSError, ValueError):
        packed = None
    if isinstance(packed, list) and packed and packed[0] == {"format": "cB", "version": 1}:
        # bin n holds the words of frequency 10^(-n/100): Zipf 9 - n/100
        return {w: 9 - n / 100 for n, words in enumerate(packed[1:]) for w in words}
    import wordfreq

    listed = wordfreq.get_frequency_dict("fi", wordlist="small")
    return {w: math.log10(f) + 9 for w, f in listed.items() if f > 0}


@functools.lru_cache(maxsize=65536)  # compounds share endings: each is looked up once
def _listed_as(word: str) -> str:
    """simplemma's base form of ``word`` when its dictionary lists it, else ``""``: one
    lookup (the lemmatiser's answer for a listed word is the dictionary's)."""
    usual = _usual_dictionary()
    if usual is None:
        return listed_lemma(word) if _listed(word) else ""
    lemma = usual.lookup.get_lemma(usual.normalise(word), "fi")
    return "" if lemma is None else str(lemma).lower()


def _listed(word: str) -> bool:
    # simplemma's low-memory dictionary (2.0 and later) reads its stream in a fraction of
    # the time and a sixth of the memory the full dictionary takes; lookups stay fast.
    usual = _usual_dictionary()
    if usual is not None:
        return usual.lookup.get_lemma(usual.normalise(word), "fi") is not None
    try:
        return bool(_simplemma().is_known(word, lang="fi", low_memory=True))
    except TypeError:  # simplemma before 2.0
        return bool(_simplemma().is_known(word, lang="fi"))


@functools.lru_cache(maxsize=65536)
def listed_lemma(word: str) -> str:
    usual = _usual_dictionary()
    if usual is not None:
        return str(usual.lemmatizer.lemmatize(word, "fi")).lower()
    try:
        return str(_simplemma().lemmatize(word, lang="fi", low_memory=True)).lower()
    except TypeError:  # simplemma before 2.0
        return str(_simplemma().lemmatize(word, lang="fi")).lower()


# ---------------------------------------------------------------------------- its seed index
#: Where the seed index of simplemma's low-memory dictionary is read and kept (set by
#: :func:`keep_dictionary_index`), or None.
_INDEX_STORE: tuple[Callable[[str], bytes | None], Callable[[str, bytes], None]] | None = None
_INDEX_MAGIC = b"tymqual simplemma seed index 1\n"


def keep_dictionary_index(read: Callable[[str], bytes | None],
                          keep: Callable[[str, bytes], None]) -> None:
    """Read and keep the seed index of simplemma's Finnish dictionary with these functions
    (``read(name)``, ``keep(name, payload)``; a project's ``.tymqual-cache/``).

    simplemma's low-memory dictionary is a front-coded stream; before its first lookup it
    walks all 3.5 million records once to find where each block of 32 begins (1.5-4 s,
    most of what a first search with an empty cache costs). The seed index it builds
    (each block's first key and where it starts) is kept, so a later process reads it in
    a fraction of that time. The name covers simplemma's version and the dictionary file's
    size; anything unexpected falls back to simplemma's own loading.
    """
    global _INDEX_STORE
    _INDEX_STORE = (read, keep)


@dataclass(frozen=True)
class _Usual:
    lookup: Any
    lemmatizer: Any
    normalise: Callable[[str], str]


@functools.lru_cache(maxsize=1)
def _usual_dictionary() -> _Usual | None:
    """simplemma's Finnish low-memory dictionary with its seed index kept (see
    :func:`keep_dictionary_index`); None where simplemma 2's stream classes are missing."""
    if _simplemma() is None:
        return None
    try:
        from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
        from simplemma.strategies.dictionaries import stream_dictionary_factory as stream
        from simplemma.utils import normalize_token
    except ImportError:
        return None
    factory = _IndexedFactory(stream)
    return _Usual(DictionaryLookupStrategy(factory),
                  _simplemma().Lemmatizer(lemmatization_strategy=DefaultStrategy(
                      greedy=False, dictionary_factory=factory)),
                  normalize_token)


class _IndexedFactory:
    """A simplemma dictionary factory whose stream map reads its seed index when kept."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._maps: dict[str, Any] = {}

    def get_dictionary(self, lang: str) -> Any:
        if lang not in self._maps:
            self._maps[lang] = self._indexed(lang) or self._stream.StreamMap(lang)
        return self._maps[lang]

    def _name(self, lang: str) -> str:
        import importlib.metadata

        from simplemma.strategies.dictionaries.dictionary_factory import DATA_FOLDER

        size = (DATA_FOLDER / f"{lang}.plzma").stat().st_size
        return f"simplemma-{importlib.metadata.version('simplemma')}-{lang}-{size}.seeds"

    def _indexed(self, lang: str) -> Any:
        if _INDEX_STORE is None:
            return None
        try:
            name = self._name(lang)
            payload = _INDEX_STORE[0](name)
            if payload is not None:
                return _seeded_map(self._stream, lang, payload)
            built = self._stream.StreamMap(lang)
            _INDEX_STORE[1](name, _seeds_payload(built))
            return built
        except Exception:  # noqa: BLE001 - simplemma's internals changed: load its own way
            return None


def _seeds_payload(built: Any) -> bytes:
    offsets = [b[0] for b in built._blocks]
    fields = [*built._firsts, *(b[1] for b in built._blocks), *(b[2] for b in built._blocks)]
    if any(b"\x00" in f for f in fields):
        raise ValueError("a key holds a NUL byte")
    head = f"{len(offsets)}\n{' '.join(map(str, offsets))}\n".encode()
    return _INDEX_MAGIC + head + b"\x00".join(fields)


def _seeded_map(stream: Any, lang: str, payload: bytes) -> Any:
    if not payload.startswith(_INDEX_MAGIC):
        raise ValueError("not a seed index")
    count, offsets, blob = payload[len(_INDEX_MAGIC):].split(b"\n", 2)
    n = int(count)
    starts = [int(x) for x in offsets.split()]
    fields = blob.split(b"\x00")
    if len(starts) != n or len(fields) != 3 * n:
        raise ValueError("a damaged seed index")
    made = stream.StreamMap.__new__(stream.StreamMap)
    made._data = stream._read_decompressed(lang)
    made._rev, made._count, made._pos = stream.frontcode._read_header(made._data)
    made._firsts = fields[:n]
    made._blocks = list(zip(starts, fields[n : 2 * n], fields[2 * n :], strict=True))
    if n != -(-made._count // stream._BLOCK_SIZE):
        raise ValueError("a seed index of another dictionary")
    return made
