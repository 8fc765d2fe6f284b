"""Re-anchoring: each coding's passage found again after its source was edited or renamed.

Run by :class:`tymqual.project.Project` when a project opens; the rules (anchors, order,
distance, stored surroundings, renamed transcripts) are in ARCHITECTURE.md under
"Re-anchoring". Nothing here writes: :func:`reanchor` returns the outcome of every coding, and
:meth:`tymqual.codings.Ledger.set_pending` / :meth:`~tymqual.codings.Ledger.replace_spans`
keep or save the moves.
"""

from __future__ import annotations

import bisect
import collections
import hashlib
import itertools
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tymqual.errors import CodingError
from tymqual.text import find_quote, hash_texts

REANCHOR_COLUMNS: tuple[str, ...] = (
    "coding_id", "source_id", "old_start", "old_end", "start", "end", "outcome", "detail",
    "new_source_id",
)
CONTEXT_COLUMNS: tuple[str, ...] = ("coding_id", "left", "right", "source_chars")
DECISIVE_CONTEXT = 12
"""How many more characters of a coding's stored surroundings must agree, right next to one
occurrence, than next to any other, for the surroundings to choose that occurrence (which
must also be the only one with a side that agrees in full)."""
RENAME_MIN_CHARS = 40
"""How many characters of coded passages, found verbatim, it takes to recognise a transcript
under a new name: one short coding ("Kyllä.") could be in any interview."""


@dataclass(frozen=True)
class _Passage:
    """One coding to find again: where it was, what it said and what stood around it."""

    row: int  # position in the codings given, so that the report keeps their order
    coding_id: str
    start: int
    end: int
    stored: str
    left: str = ""
    right: str = ""
    source_chars: int | None = None


@dataclass(frozen=True)
class _Anchor:
    """A coding found exactly once: its old and new start tell how far the text moved there.
    The start of a source is one (0 → 0), its end another when its old length is known."""

    old: int
    new: int
    coding_id: str | None  # None for the start or the end of the source

    @property
    def shift(self) -> int:
        return self.new - self.old

    def name(self) -> str:
        if self.coding_id is None:
            return "the start of the source" if self.old == 0 else "the end of the source"
        return f"coding {self.coding_id}"


@dataclass(frozen=True)
class _Placement:
    outcome: str  # "" (where it was), "moved", "ambiguous" or "lost"
    start: int
    end: int
    detail: str


Span = tuple[int, int]


def _occurrences(text: str, passage: str) -> list[Span]:
    """Every exact occurrence of ``passage``, overlapping ones included."""
    spans = []
    at = text.find(passage)
    while at >= 0:
        spans.append((at, at + len(passage)))
        at = text.find(passage, at + 1)
    return spans


def _short(passage: str, width: int = 60) -> str:
    flat = " ".join(passage.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _stored_context(context: pd.DataFrame | None) -> dict[str, tuple[str, str, int | None]]:
    """``{coding_id: (left, right, source_chars)}`` from the optional context frame."""
    if context is None:
        return {}
    if not isinstance(context, pd.DataFrame):
        raise CodingError(f"reanchor(): context must be a DataFrame or None, got "
                          f"{type(context).__name__}.")
    missing = [c for c in CONTEXT_COLUMNS if c not in context.columns]
    if missing:
        raise CodingError(f"reanchor(): the context lacks column(s) {', '.join(missing)}; give "
                          f"{', '.join(CONTEXT_COLUMNS)} (source_chars may be empty).")
    chars = pd.to_numeric(context["source_chars"], errors="coerce")
    found: dict[str, tuple[str, str, int | None]] = {}
    for cid, left, right, n in zip(context["coding_id"].tolist(), context["left"].tolist(),
                                   context["right"].tolist(), chars.tolist(), strict=True):
        known = None if pd.isna(n) or n <= 0 else int(n)
        found[str(cid)] = (left if isinstance(left, str) else "",
                           right if isinstance(right, str) else "", known)
    return found


# -- one edited source: every coding placed in the light of the others
def _place_in_source(passages: list[_Passage], text: str) -> list[tuple[_Passage, _Placement]]:
    """Where each coding of one edited source is now. Codings found exactly once are the
    anchors: the text around them moved by their shift, which tells where the others went."""
    occurrences = {p.coding_id: _occurrences(text, p.stored) for p in passages if p.stored}
    found_once = sorted((_Anchor(p.start, occurrences[p.coding_id][0][0], p.coding_id)
                         for p in passages if len(occurrences.get(p.coding_id, ())) == 1),
                        key=lambda a: (a.old, a.new))
    anchors = _trusted(found_once)
    doubted = {a.coding_id for a in found_once} - {a.coding_id for a in anchors}
    starts = [a.old for a in anchors]
    placed = []
    for p in passages:
        if not p.stored:
            placed.append((p, _unchecked(p, text)))
            continue
        if p.coding_id in doubted:
            placed.append((p, _out_of_order(p, occurrences[p.coding_id][0])))
            continue
        exact = occurrences[p.coding_id]
        candidates = exact or find_quote(text, p.stored)
        if not candidates:
            placed.append((p, _Placement(
                "lost", p.start, p.end,
                f"The coded passage {_short(p.stored)!r} is no longer in the source, not even "
                "ignoring case and white space; the coding is kept as it was.")))
            continue
        before, after = _neighbours(anchors, starts, p, len(text))
        placed.append((p, _choose(p, candidates, bool(exact), text, before, after)))
    return placed


def _trusted(found_once: list[_Anchor]) -> list[_Anchor]:
    """The codings found once that every longest run in text order keeps: an insertion or
    deletion never reorders what survives it, so one out of order is a moved paragraph or a
    copy left after the coded passage went, and where two runs tie neither is trusted."""
    news = [a.new for a in found_once]
    if all(a <= b for a, b in itertools.pairwise(news)):
        return found_once  # the common case
    ending = _run_lengths(news)
    starting = _run_lengths([-n for n in reversed(news)])[::-1]
    longest = max(ending)
    on_a_run = [e + s - 1 == longest for e, s in zip(ending, starting, strict=True)]
    per_length = collections.Counter(e for e, on in zip(ending, on_a_run, strict=True) if on)
    return [a for a, e, on in zip(found_once, ending, on_a_run, strict=True)
            if on and per_length[e] == 1]


def _run_lengths(values: list[int]) -> list[int]:
    """For each value, the longest non-decreasing run (subsequence) ending with it."""
    tails: list[int] = []
    lengths = []
    for value in values:
        k = bisect.bisect_right(tails, value)
        if k == len(tails):
            tails.append(value)
        else:
            tails[k] = value
        lengths.append(k + 1)
    return lengths


def _out_of_order(p: _Passage, span: Span) -> _Placement:
    return _Placement(
        "ambiguous", p.start, p.end,
        f"The coded passage {_short(p.stored)!r} is found once, at start {span[0]}, but out "
        "of order with the codings around it: a paragraph moved, or this is another "
        f"occurrence and the coded one was deleted. The coding stays at {p.start}–{p.end}, "
        "out of tables until you choose.")


def _unchecked(p: _Passage, text: str) -> _Placement:
    """A coding with no stored passage: nothing to compare, so it stays while it fits."""
    if p.end <= len(text):
        return _Placement("", p.start, p.end, "")
    return _Placement("lost", p.start, p.end,
                      f"The span {p.start}–{p.end} runs past the end of the source "
                      f"({len(text)} characters) and the ledger keeps no passage text to "
                      "look for.")


def _neighbours(anchors: list[_Anchor], starts: list[int], p: _Passage, n_chars: int
                ) -> tuple[_Anchor, _Anchor | None]:
    """The nearest anchors starting at or before the coding and after it (the source's start
    and, when its old length is known, its end stand in where there is none)."""
    i = bisect.bisect_right(starts, p.start)
    k = i - 1
    while k >= 0 and anchors[k].coding_id == p.coding_id:  # a coding found once is one too
        k -= 1
    before = anchors[k] if k >= 0 else _Anchor(0, 0, None)
    if i < len(anchors):
        return before, anchors[i]
    if p.source_chars is not None and p.source_chars >= p.end:
        return before, _Anchor(p.source_chars, n_chars, None)
    return before, None


def _expected(p: _Passage, before: _Anchor, after: _Anchor | None) -> int:
    """The start the neighbours' shifts predict, interpolated between them by distance."""
    if after is None or after.old <= before.old:
        return p.start + before.shift
    share = (p.start - before.old) / (after.old - before.old)
    return round(p.start + before.shift + (after.shift - before.shift) * share)


def _in_order(span: Span, before: _Anchor, after: _Anchor | None) -> bool:
    """Whether ``span`` starts between the neighbours' new starts: an insertion or deletion
    never changes the order of the text that survives it."""
    return before.new <= span[0] and (after is None or span[0] <= after.new)


def _keeps_distance(span: Span, p: _Passage, text: str, before: _Anchor,
                    after: _Anchor | None) -> bool:
    """Whether ``span`` lies exactly as far from a neighbour as the coding did, as an edit on
    the other side only (or none between them) leaves it. With stored surroundings, the text
    between must agree with them too: no edit there means none next to the passage either."""
    if span[0] - before.new == p.start - before.old:
        between = text[max(before.new, span[0] - len(p.left)) : span[0]]
        if not p.left or p.left.endswith(between):
            return True
    if after is not None and after.new - span[0] == after.old - p.start:
        between = text[span[1] : max(span[1], min(after.new, span[1] + len(p.right)))]
        return not p.right or p.right.startswith(between)
    return False


def _context_fit(p: _Passage, span: Span, text: str) -> tuple[int, bool, bool]:
    """Characters of the stored surroundings that agree right next to ``span``; whether one
    side (a stored side not empty) agrees in full, so an edit touched at most the other; and
    whether every stored side agrees in at least DECISIVE_CONTEXT characters (or in full)."""
    fit, intact, both = 0, False, True
    for stored, found, at_edge in (
        (p.left[::-1], text[max(0, span[0] - len(p.left)) : span[0]][::-1], span[0] == 0),
        (p.right, text[span[1] : span[1] + len(p.right)], span[1] == len(text)),
    ):
        if stored:
            agree = len(os.path.commonprefix([stored, found]))
            fit += agree
            intact = intact or agree == len(stored)
            both = both and agree >= min(DECISIVE_CONTEXT, len(stored))
        else:  # the passage was at the source's edge: so must this occurrence be
            both = both and at_edge
    return fit, intact, both


def _context_choice(p: _Passage, candidates: list[Span], text: str) -> tuple[Span, str] | None:
    """The occurrence the stored surroundings single out: the only one with a side intact,
    the other agreeing too, and DECISIVE_CONTEXT characters more agreeing than at any other.
    Two with an intact side each (an edit beside one, a verbatim repeat around the other)
    say nothing."""
    if not (p.left or p.right):
        return None
    fits = sorted(((*_context_fit(p, c, text), c) for c in candidates), reverse=True)
    (best, intact, both, span), second = fits[0], fits[1][0]
    if not (intact and both) or sum(f[1] for f in fits) > 1 or best - second < DECISIVE_CONTEXT:
        return None
    return span, (f"has {best} of {len(p.left) + len(p.right)} characters of its stored "
                  f"surroundings next to it, the others at most {second}")


def _choose(p: _Passage, candidates: list[Span], exact: bool, text: str, before: _Anchor,
            after: _Anchor | None) -> _Placement:
    """Place a coding whose passage is found at ``candidates``, only on decisive evidence.

    Each kind of evidence may single out one occurrence: the only one in order between the
    neighbours; the only one keeping its exact distance to a neighbour; the only one whose
    stored surroundings agree on both sides, one in full (:func:`_context_choice`). The
    coding moves when they single out the same occurrence and none points elsewhere (nor do
    the surroundings show a side intact elsewhere but not there). The relative position in
    the source never decides: one long insertion moves what follows by any share of it.
    Anything else is ambiguous: the coding stays and the author chooses.
    """
    window = [c for c in candidates if _in_order(c, before, after)]
    if len(candidates) == 1 and window:
        return _settled(p, candidates[0], exact, "")
    if len(candidates) == 1:
        return _out_of_order(p, candidates[0])
    votes: dict[Span, list[str]] = {}
    if len(window) == 1:
        votes.setdefault(window[0], []).append(
            f"is the only one between {before.name()} and "
            f"{after.name() if after else 'the end of the source'}")
    # With nothing known after the coding, an edit there could explain any occurrence.
    keeping = [c for c in candidates
               if after and _keeps_distance(c, p, text, before, after)]
    if len(keeping) == 1:
        votes.setdefault(keeping[0], []).append(_distance_reason(keeping[0], p, before, after))
    if (by_context := _context_choice(p, candidates, text)) is not None:
        votes.setdefault(by_context[0], []).append(by_context[1])
    if len(votes) == 1:
        [(span, reasons)] = votes.items()
        if (not window or span in window) and _context_allows(p, span, candidates, text):
            reason = (f" It occurs {len(candidates)} times; this one "
                      f"{' and '.join(reasons)}.")
            return _settled(p, span, exact, reason)
    near = before.coding_id is not None or (after is not None and after.coding_id is not None)
    if near:
        expected = _expected(p, before, after)
    elif p.source_chars:  # the same share of the source: only to order the list
        expected = round(p.start / p.source_chars * len(text))
    else:
        expected = None
    return _ambiguous(p, candidates, votes, expected, near)


def _context_allows(p: _Passage, span: Span, candidates: list[Span], text: str) -> bool:
    """False when stored surroundings show another occurrence with a side intact but not
    this one: then whatever chose this one was fooled by edits on both sides of it."""
    if not (p.left or p.right) or _context_fit(p, span, text)[1]:
        return True
    return not any(_context_fit(p, c, text)[1] for c in candidates)


def _distance_reason(span: Span, p: _Passage, before: _Anchor, after: _Anchor | None) -> str:
    kept_before = span[0] - before.new == p.start - before.old
    anchor = before if kept_before or after is None else after
    moved = f"which moved {anchor.shift:+d}" if anchor.shift else "which did not move"
    return f"keeps its distance to {anchor.name()} ({moved})"


def _settled(p: _Passage, span: Span, exact: bool, reason: str) -> _Placement:
    if span == (p.start, p.end):
        return _Placement("", p.start, p.end, "")
    shift = span[0] - p.start
    where = ("at the same start" if shift == 0 else
             f"{abs(shift)} character(s) {'later' if shift > 0 else 'earlier'}")
    how = "Found the passage again" if exact else (
        "Found the passage again only when ignoring case and white space,")
    return _Placement("moved", span[0], span[1],
                      f"{how} {where} (start {p.start} → {span[0]}).{reason}")


def _ambiguous(p: _Passage, candidates: list[Span], votes: dict[Span, list[str]],
               expected: int | None, near: bool) -> _Placement:
    """Listed for the author: the candidate starts, the likeliest first (by the neighbours'
    shift, else by the relative position in the source, else in text order)."""
    ranked = sorted(candidates, key=lambda c: (abs(c[0] - (expected or 0)), c[0]))
    shown = ", ".join(str(c[0]) for c in ranked[:8]) + (
        f" and {len(ranked) - 8} more" if len(ranked) > 8 else "")
    hint = (f"the neighbouring codings' shift suggests about {expected}" if near else
            "no coding near it was found unambiguously to tell how far the text moved")
    why = ("the evidence points to different places: " + "; ".join(
        f"start {span[0]} {' and '.join(reasons)}" for span, reasons in sorted(votes.items()))
        if votes else "nothing decides between them")
    return _Placement(
        "ambiguous", p.start, p.end,
        f"The coded passage {_short(p.stored)!r} occurs {len(candidates)} times (starts "
        f"{shown}; {hint}) and {why}. The coding stays at {p.start}–{p.end}, out of tables "
        "until you choose one.")


# -- renamed transcripts
def _rename_fit(passages: list[_Passage], text: str) -> tuple[bool, int]:
    """Whether ``text`` holds the passages well enough to be their source renamed, and how
    many of them it holds. All must be found, most of them verbatim, and those verbatim
    ones together at least RENAME_MIN_CHARS long."""
    exact = [p for p in passages if p.stored in text]
    if not exact:
        return False, 0
    tolerant = [p for p in passages if p.stored not in text and find_quote(text, p.stored)]
    found = len(exact) + len(tolerant)
    fits = (found == len(passages) and 2 * len(exact) > len(passages)
            and sum(len(p.stored) for p in exact) >= RENAME_MIN_CHARS)
    return fits, found


def _follow_renames(missing: dict[str, list[_Passage]], texts: Mapping[str, str],
                    coded: set[str]) -> list[tuple[_Passage, _Placement, str]]:
    """Codings of sources no longer loaded: follow a renamed transcript, else lost.

    A source that has no codings of its own and holds the passages (:func:`_rename_fit`) is
    the missing one renamed, when it is the only such source and no other missing source
    claims it too; then its codings are placed in it as after an edit.
    """
    uncoded = [sid for sid in texts if sid not in coded]
    fits: dict[str, list[str]] = {}
    closest: dict[str, tuple[str, int]] = {}
    for old, passages in missing.items():
        checkable = [p for p in passages if p.stored]
        fits[old] = []
        for sid in uncoded:
            fit, found = _rename_fit(checkable, texts[sid]) if checkable else (False, 0)
            if fit:
                fits[old].append(sid)
            elif found and found > closest.get(old, ("", 0))[1]:
                closest[old] = (sid, found)
    claims: dict[str, int] = {}
    for found_in in fits.values():
        for sid in found_in:
            claims[sid] = claims.get(sid, 0) + 1
    placed = []
    for old, passages in missing.items():
        found_in = fits[old]
        if len(found_in) == 1 and claims[found_in[0]] == 1:
            new = found_in[0]
            because = (f"Its source {old!r} is no longer loaded, and {new!r}, which has no "
                       f"codings of its own, holds all its coded passages: {old!r} renamed.")
            for p, placement in _place_in_source(passages, texts[new]):
                placed.append((p, _renamed(placement, because), new))
        elif found_in:
            others = sorted(o for o, f in fits.items() if o != old and set(f) & set(found_in))
            also = (f", which missing source(s) {', '.join(map(repr, others))} fit as well"
                    if others else "")
            detail = (f"Its source {old!r} is no longer loaded, and its coded passages are all "
                      f"in {' and '.join(map(repr, found_in))}{also}; the coding stays as it "
                      "was until you rename the file back or move the codings.")
            placed += [(p, _Placement("ambiguous", p.start, p.end, detail), old)
                       for p in passages]
        else:
            near = closest.get(old)
            hint = (f" The closest, {near[0]!r}, holds {near[1]} of its "
                    f"{sum(bool(p.stored) for p in passages)} coded passages, too few to be "
                    "sure it is the same transcript." if near else "")
            detail = (f"Source missing: no source {old!r} was loaded (renamed, moved or "
                      f"removed?), and no source without codings holds its coded passages."
                      f"{hint}")
            placed += [(p, _Placement("lost", p.start, p.end, detail), old) for p in passages]
    return placed


def _renamed(placement: _Placement, because: str) -> _Placement:
    """A placement in the renamed source: every coding moves there, at least by its id."""
    if placement.outcome == "":
        return _Placement("moved", placement.start, placement.end,
                          f"{because} The passage is at the same place.")
    return _Placement(placement.outcome, placement.start, placement.end,
                      f"{because} {placement.detail}")


def texts_key(texts: Mapping[str, str]) -> str:
    """The SHA-256 of the sources' ids and texts and of this module's code: what
    :func:`reanchor` reads besides the codings, so an outcome recorded under this key holds
    while it is unchanged (:meth:`tymqual.codings.Ledger.keep_anchored`).

    Hashed as the ids and the texts each joined into one string, with every id's and text's
    length in code points: the lengths make the joins unambiguous, and one encoding of 50 MB
    costs a third of 140,000 small ones (a warm open of a Kela-size study hashes them all).
    """
    ids = sorted(texts)
    values = [texts[sid] for sid in ids]
    hasher = hashlib.sha256(Path(str(sys.modules[__name__].__file__)).read_bytes())
    hash_texts(hasher, ids)
    hash_texts(hasher, values)
    return hasher.hexdigest()


def digests_key(groups: Iterable[tuple[str, Sequence[str]]]) -> str:
    """:func:`texts_key`'s counterpart from digests instead of texts: ``(digest, source
    ids)`` per source file, where the digest fixes the texts of those sources exactly (the
    cache's checked SHA-256 of a transcript's text, or a survey entry's key, from which every
    open answer's id and text follow). Hashing a few thousand digests replaces hashing 50 MB
    of text on every warm open; a key made one way never equals one made the other way, so
    a mix-up costs a full read, never a skipped re-anchoring."""
    hasher = hashlib.sha256(b"tymqual digests\n")
    hasher.update(Path(str(sys.modules[__name__].__file__)).read_bytes())
    for digest, ids in groups:
        hasher.update(np.array([len(digest), len(ids)], dtype=np.int64).tobytes())
        hasher.update(digest.encode("utf-8"))
        hash_texts(hasher, ids)
    return hasher.hexdigest()


def reanchor(codings: pd.DataFrame, texts: Mapping[str, str],
             context: pd.DataFrame | None = None) -> pd.DataFrame:
    """Find codings again in edited or renamed sources: one report row per coding that moved,
    fits several places, or was lost.

    A coding is unchanged while ``texts[source_id][start:end]`` equals its stored ``text``
    (one comparison: the common case). In a source where some coding is not (or whose length
    differs from the ``source_chars`` in ``context``), every coding is placed again: its
    stored text is looked up exactly, else ignoring case and white space
    (:func:`tymqual.text.find_quote`). Codings found exactly once are *anchors*: the shift
    between their old and new start is how far an edit moved the text there. Of several
    occurrences, one is taken only on decisive evidence (see ARCHITECTURE.md, "re-anchoring"):

    - it is the only one in order between the nearest anchors before and after the coding
      (insertions and deletions never reorder the text that survives them);
    - it alone keeps the coding's exact distance to the anchor before or after it (an edit
      on one side only);
    - with ``context``: it is the only occurrence with one side of its stored surroundings
      agreeing in full, the other side agrees too, and in all at least ``DECISIVE_CONTEXT``
      more characters agree than next to any other occurrence.

    The relative position in the source only orders the candidates listed for the author.

    Evidence pointing to different places, or none, makes the coding ``ambiguous``: it stays
    where it was and ``detail`` lists the candidate starts. A source no longer loaded is
    looked for among the loaded sources without codings: the one source holding all its
    passages (most verbatim, at least ``RENAME_MIN_CHARS`` characters of them) is taken as it
    renamed, and its codings are placed there (``new_source_id``); two such sources make
    them ambiguous.

    ``context`` (optional) has ``coding_id, left, right, source_chars``: the ~60 characters
    before and after each passage when its offsets were last right, and the source's length
    then. Columns of the report: ``coding_id, source_id, old_start, old_end, start, end``
    (nullable; empty unless ``moved``), ``outcome`` (``moved`` | ``ambiguous`` | ``lost``),
    ``detail`` (a sentence for the user) and ``new_source_id`` (the source the coding is in
    now; ``source_id`` unless renamed). Nothing is changed; pass the moved rows (with
    ``new_source_id`` as ``source_id``) to :meth:`Ledger.replace_spans` to save them.
    """
    missing = [c for c in ("coding_id", "source_id", "start", "end", "text")
               if c not in codings.columns]
    if missing:
        raise CodingError(f"reanchor(): the codings lack column(s) {', '.join(missing)}.")
    stored_context = _stored_context(context)
    ids, sids, starts, ends, stored = (codings[c].tolist() for c in (
        "coding_id", "source_id", "start", "end", "text"))
    edited: set[str] = set()
    for sid, start, end, passage in zip(sids, starts, ends, stored, strict=True):
        text = texts.get(sid)
        if text is not None and end <= len(text) and (text[start:end] == passage
                                                      or not passage):
            continue  # unchanged: the common case, decided by one comparison
        edited.add(sid)
    if stored_context:
        edited |= {sid for cid, sid in zip(ids, sids, strict=True) if sid in texts
                   and (n := stored_context.get(cid, ("", "", None))[2]) is not None
                   and n != len(texts[sid])}
    members: dict[str, list[_Passage]] = {sid: [] for sid in edited}
    for row, (cid, sid, start, end, passage) in enumerate(zip(ids, sids, starts, ends, stored,
                                                              strict=True)):
        if sid in members:
            left, right, chars = stored_context.get(cid, ("", "", None))
            members[sid].append(_Passage(row, str(cid), int(start), int(end),
                                         passage if isinstance(passage, str) else "",
                                         left, right, chars))
    placed = [(p, placement, sid) for sid, passages in members.items() if sid in texts
              for p, placement in _place_in_source(passages, texts[sid])]
    placed += _follow_renames({sid: ps for sid, ps in members.items() if sid not in texts},
                              texts, coded=set(sids))
    return _report(placed, sids)


def _report(placed: list[tuple[_Passage, _Placement, str]], sids: list[str]) -> pd.DataFrame:
    rows = []
    for p, placement, new_sid in sorted(placed, key=lambda item: item[0].row):
        if not placement.outcome:
            continue
        moved = placement.outcome == "moved"
        rows.append((p.coding_id, sids[p.row], p.start, p.end,
                     placement.start if moved else pd.NA, placement.end if moved else pd.NA,
                     placement.outcome, placement.detail, new_sid))
    frame = pd.DataFrame.from_records(rows, columns=list(REANCHOR_COLUMNS))
    return frame.astype({"coding_id": str, "source_id": str, "old_start": "int64",
                         "old_end": "int64", "start": "Int64", "end": "Int64", "outcome": str,
                         "detail": str, "new_source_id": str})
