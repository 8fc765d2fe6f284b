"""Text normalisation and the offset convention.

Every offset in tymqual is a 0-based, end-exclusive index of Unicode code points into a
source's *normalised* text: NFC, line ends ``\\n``, no byte-order mark. Python's ``str`` slicing
counts code points, so ``text[start:end]`` is always the coded passage. REFI-QDA uses the same
convention; NVivo's UTF-16 offsets are converted at import.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from tymqual.errors import CodingError

_WORD = re.compile(r"\w+(?:[-:’'´]\w+)*")
_NEWLINES = re.compile(r"\r\n?|\u2028|\u2029|\x85")


def normalize_text(raw: str) -> str:
    """Return ``raw`` as tymqual stores it: NFC, ``\\n`` line ends, no BOM, no NUL bytes."""
    text = raw.removeprefix("\ufeff").replace("\x00", "")
    text = _NEWLINES.sub("\n", text)
    return unicodedata.normalize("NFC", text)


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the UTF-8 bytes of ``text`` (identifies a normalised source)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_texts(hasher: hashlib._Hash, texts: Sequence[str]) -> None:
    """Feed ``texts`` to ``hasher`` so that no other list of texts feeds the same bytes: their
    lengths in code points, then their UTF-8 joined (one encoding for all: hashing 140,000
    short answers one by one costs three times as much)."""
    hasher.update(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)).tobytes())
    hasher.update("".join(texts).encode("utf-8", "surrogatepass"))


def words(text: str) -> list[str]:
    """Word tokens as a reader counts them: ``THL:n`` and ``sote-alue`` are one word each."""
    return _WORD.findall(text)


def count_words(text: str) -> int:
    """Number of words in ``text`` (see :func:`words`)."""
    return len(_WORD.findall(text))


_JOINERS = "-:’'´"  # the characters that join word parts in _WORD
_WORD_BATCH = 1 << 22  # characters read at once, so memory stays a few tens of MB


@functools.cache
def _char_classes() -> np.ndarray:
    """Per code point of the Basic Multilingual Plane: 1 if ``\\w`` matches it (what
    ``str.isalnum()`` or ``_`` says, as :mod:`re` documents), 2 for a joiner, else 0."""
    classes = np.array([chr(c).isalnum() or c == 0x5F for c in range(0x10000)], dtype=np.uint8)
    classes[[ord(c) for c in _JOINERS]] = 2
    return classes


def count_words_many(pieces: Sequence[str]) -> np.ndarray:
    """:func:`count_words` of each piece, as an array: the pieces read in batches at once
    (one pass of NumPy over their code points instead of a regex per piece).

    A word is a run of word characters and joiners that each stand between two word
    characters, so words are counted as the starts of such runs; the pieces are joined by
    line breaks, which no word crosses.
    """
    counts = np.zeros(len(pieces), dtype=np.int64)
    at = 0
    while at < len(pieces):
        size, stop = 0, at
        while stop < len(pieces) and (stop == at or size + len(pieces[stop]) < _WORD_BATCH):
            size += len(pieces[stop]) + 1
            stop += 1
        counts[at:stop] = _count_batch(pieces[at:stop])
        at = stop
    return counts


def _count_batch(pieces: Sequence[str]) -> np.ndarray:
    joined = "\n".join(pieces)
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    astral = points >= 0x10000
    classes = _char_classes()[np.where(astral, 0, points)]
    if astral.any():
        classes[astral] = [chr(c).isalnum() for c in points[astral].tolist()]
    word = classes == 1
    before = np.concatenate(([False], word[:-1]))
    after = np.concatenate((word[1:], [False]))
    inside = word | ((classes == 2) & before & after)
    begins = np.flatnonzero(inside & ~np.concatenate(([False], inside[:-1])))
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    first = np.cumsum(lengths + 1) - lengths - 1
    return np.searchsorted(begins, first + lengths) - np.searchsorted(begins, first)


def word_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every word in ``text``."""
    return [m.span() for m in _WORD.finditer(text)]


def find_quote(text: str, quote: str) -> list[tuple[int, int]]:
    """All spans of ``quote`` in ``text``: exact matches first, else whitespace/case-tolerant.

    The tolerant pass lets a quote typed with one space match a line break or a double space
    in the transcript, and ``kela`` match ``Kela``. It returns ``[]`` when nothing matches.
    """
    quote = normalize_text(quote).strip()
    if not quote:
        return []
    exact = [(m.start(), m.end()) for m in re.finditer(re.escape(quote), text)]
    if exact:
        return exact
    parts = [re.escape(p) for p in quote.split()]
    pattern = re.compile(r"\s+".join(parts), re.IGNORECASE)
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def check_span(text: str, start: int, end: int, *, where: str) -> None:
    """Raise :class:`CodingError` unless ``0 <= start < end <= len(text)``."""
    if not (isinstance(start, int) and isinstance(end, int)):
        raise CodingError(f"{where}: start and end must be whole numbers, got {start!r}, {end!r}.")
    if not 0 <= start < end <= len(text):
        raise CodingError(
            f"{where}: the span {start}–{end} does not fit the text, which has {len(text)} "
            "characters; start must be below end and both within the text."
        )


def snippet(text: str, start: int, end: int, width: int = 40) -> str:
    """A one-line view of ``text[start:end]`` with up to ``width`` characters either side."""
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    return " ".join(f"…{left}[{text[start:end]}]{right}…".split())
