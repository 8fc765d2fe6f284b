"""Selection positions in other counting conventions, converted to tymqual's code points."""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Sequence

from tymqual.refi.qdaxml import ASTRAL, CONVENTIONS, NEWLINES
from tymqual.text import normalize_text


class _Positions:
    """Maps positions counted one way in a file's text to code points of its normalised text."""

    def __init__(self, raw: str, *, utf16: bool, crlf_two: bool) -> None:
        pre = NEWLINES.sub("\n", raw.replace("\x00", ""))
        self.text = unicodedata.normalize("NFC", pre)
        self._nfc = _nfc_map(pre, self.text)
        walk = "\x00" in raw or (crlf_two and "\r\n" in raw) or (utf16 and ASTRAL.search(raw))
        self._units = _unit_map(raw, utf16=utf16, crlf_two=crlf_two) if walk else None
        if self._units is not None and self._units[-1] != len(pre):
            self._units = None  # NUL inside a CRLF: too rare to count exactly; read as is
        self.n_units = len(self._units) - 1 if self._units is not None else len(pre)

    def index(self, position: int) -> int | None:
        """The code-point index, or None if the position is outside the text or mid-character."""
        if not 0 <= position <= self.n_units:
            return None
        at = self._units[position] if self._units is not None else position
        if at < 0:
            return None
        return self._nfc[at] if self._nfc is not None else at


def _unit_map(raw: str, *, utf16: bool, crlf_two: bool) -> array[int]:
    """For each position in ``raw`` counted this way, the index into the newline-fixed text.

    -1 marks a position inside a character (between the halves of a surrogate pair, or
    between the CR and LF of a line end).
    """
    out = array("q")
    at = 0
    i, n = 0, len(raw)
    while i < n:
        char = raw[i]
        if char == "\x00":
            out.append(at)
            i += 1
            continue
        out.append(at)
        if char == "\r" and i + 1 < n and raw[i + 1] == "\n":
            if crlf_two:
                out.append(-1)
            i += 2
        else:
            if utf16 and ord(char) > 0xFFFF:
                out.append(-1)
            i += 1
        at += 1
    out.append(at)
    return out


def _nfc_map(pre: str, text: str) -> array[int] | None:
    """Index in ``pre`` → index in its NFC form ``text``; None when NFC changed nothing."""
    if pre == text:
        return None
    out = array("q", [0]) * (len(pre) + 1)
    done = 0
    i = 0
    while i < len(pre):
        j = i + 1
        while j < len(pre) and unicodedata.combining(pre[j]):
            j += 1
        for k in range(i, j):
            out[k] = done
        done += len(unicodedata.normalize("NFC", pre[i:j]))
        i = j
    out[len(pre)] = done
    return out if done == len(text) else None


def _quote_matches(name: str, passage: str) -> bool:
    """Whether a selection's name is its passage (whole, or cut short with an ellipsis)."""
    wanted = " ".join(normalize_text(name).split())
    got = " ".join(passage.split())
    if len(wanted) < 3:
        return False
    if got == wanted:
        return True
    for ellipsis in ("…", "..."):
        if wanted.endswith(ellipsis):
            head = wanted[: -len(ellipsis)].rstrip()
            return len(head) >= 3 and got.startswith(head)
    return False


def _clean_boundary(text: str, at: int) -> int:
    return int(at in (0, len(text)) or not (text[at - 1].isalnum() and text[at].isalnum()))


def _score(
    positions: _Positions, selections: Sequence[tuple[int, int, str]]
) -> tuple[int, list[tuple[int, int] | None]]:
    text = positions.text
    score = 0
    spans: list[tuple[int, int] | None] = []
    for start, end, name in selections:
        a, b = positions.index(start), positions.index(end)
        if a is None or b is None or a >= b:
            spans.append(None)
            score -= 10
            continue
        spans.append((a, b))
        score += _clean_boundary(text, a) + _clean_boundary(text, b)
        if name and _quote_matches(name, text[a:b]):
            score += 5
    return score, spans


def read_positions(
    raw: str, selections: Sequence[tuple[int, int, str]]
) -> tuple[str, list[tuple[int, int] | None], list[str]]:
    """The convention that fits the selections best, their code-point spans, and close calls."""
    has_crlf, has_astral = "\r\n" in raw, bool(ASTRAL.search(raw))
    results = []
    for name, utf16, crlf_two in CONVENTIONS:
        if (utf16 and not has_astral) or (not crlf_two and not has_crlf):
            continue  # counts exactly as a convention already tried
        score, spans = _score(_Positions(raw, utf16=utf16, crlf_two=crlf_two), selections)
        results.append((score, name, spans))
    best = max(results, key=lambda r: r[0])  # the first of equals: the standard wins ties
    rivals = [r[1] for r in results if r[0] == best[0] and r[2] != best[2]]
    return best[1], best[2], rivals
