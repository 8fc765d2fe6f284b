"""Keyword autocoding: codebook keywords propose codings that a person then accepts or rejects.

For the thesis author starting to code: each code's ``keywords`` in ``codes/codebook.yaml``
are matched by Finnish base form (:mod:`tymqual.morphology`), and every sentence (or turn)
that mentions one becomes a *suggested* coding in the ledger, under a coder name that records
the method and tymqual's version (``autocode:keywords@tymqual-0.1.0``, :func:`machine_coder`;
the settings go into the history note), so that the machine can be compared with a person like
any coder (``p.agreement(("A", "autocode:keywords@tymqual-0.1.0"))``). Nothing is
accepted automatically: :func:`accept` and :func:`reject` record the person's decision, and
suggestions never enter tables, which count accepted codings only.

Re-running is safe: a passage that already has the same code in any status (accepted,
suggested or rejected) is not proposed again, so a rejected suggestion stays rejected.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from tymqual.codebook import Code
from tymqual.errors import CodingError, TymqualError, TymqualWarning
from tymqual.morphology import Analyser, Compounds, check_compounds
from tymqual.progress import progress
from tymqual.search import SourceIndex, TextIndex, text_index

if TYPE_CHECKING:
    from tymqual.project import Project

__all__ = ["AUTOCODE_COLUMNS", "MACHINE_METHODS", "PROPOSAL_COLUMNS", "KeywordAutocoder",
           "accept", "autocode", "is_machine_coder", "machine_coder", "reject"]

#: Columns of :func:`autocode`.
AUTOCODE_COLUMNS = ["coding_id", "source_id", "start", "end", "code_path", "matched", "text"]
#: Columns of :meth:`KeywordAutocoder.predict`.
PROPOSAL_COLUMNS = ["source_id", "start", "end", "code", "code_path", "matched", "text"]


MACHINE_METHODS: tuple[str, ...] = ("autocode", "suggester")
"""The methods that code as machines; their coder names begin with one of them."""


def machine_coder(method: str, model: str) -> str:
    """The coder name of a machine: ``method:model@tymqual-<version>``.

    For example ``autocode:keywords@tymqual-0.1.0``: which method proposed the codings, with
    which model, and which release of tymqual, so that a methods chapter can name the coder
    and a later run under a new version does not mix with the old one. The settings are
    written into the history note of the change that saved the suggestions.
    """
    from tymqual import __version__

    return f"{method}:{model}@tymqual-{__version__}"


def is_machine_coder(name: object) -> bool:
    """Whether ``name`` is a machine coder's (``autocode``, ``suggester``, ``autocode:…``)."""
    return isinstance(name, str) and (
        name in MACHINE_METHODS or name.startswith(tuple(f"{m}:" for m in MACHINE_METHODS)))


def _codes(project: Project, codes: str | Sequence[str] | None) -> list[Code]:
    """The codes to propose, in codebook order: all, or the named ones and their subcodes."""
    if codes is None:
        chosen = list(project.codebook)
    else:
        refs = [codes] if isinstance(codes, str) else list(codes)
        keys = {c.key for ref in refs for c in project.codebook.descendants(ref)}
        chosen = [c for c in project.codebook if c.key in keys]
    with_keywords = [c for c in chosen if any(k.strip() for k in c.keywords)]
    if not with_keywords:
        which = "the codebook's codes" if codes is None else f"codes={codes!r}"
        raise TymqualError(
            f"autocode(): none of {which} has keywords, so there is nothing to look for; add "
            "keywords: [...] to codes in codes/codebook.yaml (base forms, e.g. johtoryhmä)."
        )
    return with_keywords


def _keyword_masks(index: TextIndex, keyword: str, compounds: Compounds) -> list[np.ndarray]:
    """One mask over the index's word forms per word of ``keyword`` (``koordin*``: prefix)."""
    masks = []
    for word in keyword.split():
        if word.endswith("*") and word.rstrip("*"):
            masks.append(index.prefix_mask(word.rstrip("*")))
        else:
            masks.append(index.word_mask(word, compounds))
    return masks


def _keyword_hits(source: SourceIndex, masks: list[np.ndarray]) -> list[tuple[int, int]]:
    """Token spans ``(first, last + 1)`` where the keyword's words follow one another."""
    n = len(masks)
    tokens = len(source.token_form)
    if n == 0 or tokens < n:
        return []
    ok = masks[0][source.token_form[: tokens - n + 1]].copy()
    for i in range(1, n):
        ok &= masks[i][source.token_form[i : tokens - n + 1 + i]]
        ok &= source.token_unit[i : tokens - n + 1 + i] == source.token_unit[: tokens - n + 1]
    return [(int(t), int(t) + n) for t in np.flatnonzero(ok)]


def _units(
    source: SourceIndex, unit: str, roles: set[str] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the passages to propose, in text order."""
    keep = [roles is None or r in roles for r in source.unit_role]
    if unit == "turn":
        spans = [(int(s), int(e)) for s, e, k in zip(source.unit_start, source.unit_end, keep,
                                                        strict=True) if k and e > s]
    else:
        spans = [(s, e) for u, s, e in source.sentences() if keep[u]]
    return (np.array([s for s, _ in spans], dtype=np.int64),
            np.array([e for _, e in spans], dtype=np.int64))


@dataclass(frozen=True)
class _CodeMasks:
    """A code's keywords as masks over the word forms: one-word keywords joined into one."""

    one_word: np.ndarray | None
    phrases: list[list[np.ndarray]]

    @classmethod
    def of(cls, keyword_masks: list[list[np.ndarray]]) -> _CodeMasks:
        single = [masks[0] for masks in keyword_masks if len(masks) == 1]
        joined = np.logical_or.reduce(single) if single else None
        return cls(joined, [masks for masks in keyword_masks if len(masks) > 1])


def _leading_words(index: TextIndex, masks: list[_CodeMasks]) -> np.ndarray:
    """Per word form (rows) and code (columns), whether a keyword of the code can begin
    with it: a one-word keyword's form, or a phrase's first word. A source whose tokens
    begin none of a code's keywords is not searched for that code (most short answers
    name one or two of a codebook's codes)."""
    leads = np.zeros((len(index.forms), max(len(masks), 1)), dtype=bool)
    for j, code in enumerate(masks):
        for mask in ([code.one_word] if code.one_word is not None else []) + [
                phrase[0] for phrase in code.phrases]:
            leads[: len(mask), j] |= mask
    return leads


def _unit_hits(
    source: SourceIndex, masks: _CodeMasks, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(unit, start, end)`` of each occurrence of a keyword inside a unit, each once,
    ordered by unit, start and end."""
    firsts, lasts = [], []
    if masks.one_word is not None:
        hit = np.flatnonzero(masks.one_word[source.token_form])
        firsts.append(hit)
        lasts.append(hit + 1)
    for phrase in masks.phrases:
        spans = np.array(_keyword_hits(source, phrase), dtype=np.int64).reshape(-1, 2)
        firsts.append(spans[:, 0])
        lasts.append(spans[:, 1])
    none = np.zeros(0, dtype=np.int64)
    if not firsts:
        return none, none, none
    first, last = np.concatenate(firsts), np.concatenate(lasts)
    s, e = source.token_start[first], source.token_end[last - 1]
    u = np.searchsorted(starts, s, side="right") - 1
    inside = (u >= 0) & (e <= ends[np.maximum(u, 0)]) if len(starts) else u >= 0
    u, s, e = u[inside], s[inside].astype(np.int64), e[inside].astype(np.int64)
    order = np.lexsort((e, s, u))
    u, s, e = u[order], s[order], e[order]
    new = np.ones(len(u), dtype=bool)
    new[1:] = (u[1:] != u[:-1]) | (s[1:] != s[:-1]) | (e[1:] != e[:-1])
    return u[new], s[new], e[new]


def _matched(text: str, u: np.ndarray, s: np.ndarray, e: np.ndarray,
             interned: dict[str, str]) -> tuple[np.ndarray, list[str]]:
    """The units hit and, per unit, the words that matched (``; ``-joined, in text order,
    each once). One string object per distinct value: a study's 400,000 suggestions name a
    few thousand word forms."""
    cuts = [0, *(np.flatnonzero(u[1:] != u[:-1]) + 1).tolist(), len(u)]
    s_list, e_list = s.tolist(), e.tolist()
    words = []
    for lo, hi in itertools.pairwise(cuts):
        word = "; ".join(dict.fromkeys(text[a:b] for a, b in zip(
            s_list[lo:hi], e_list[lo:hi], strict=True)))
        words.append(interned.setdefault(word, word))
    return u[cuts[:-1]], words


def _objects(values: list[str]) -> np.ndarray:
    """``values`` as an object array (``np.array`` would look for nested sequences)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


@dataclass
class _Columns:
    """Proposals gathered column by column: no Python object per row but its strings."""

    sources: list[str] = field(default_factory=list)
    starts: list[np.ndarray] = field(default_factory=list)
    ends: list[np.ndarray] = field(default_factory=list)
    ranks: list[np.ndarray] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def add_source(self, source: SourceIndex, found: list[tuple[int, np.ndarray, list[str]]],
                   starts: np.ndarray, ends: np.ndarray) -> None:
        """One source's proposals (``(code rank, units, matched)`` per code), in text order
        and codebook order within one passage; a passage proposed for several codes is one
        string."""
        units = np.concatenate([u for _, u, _ in found])
        ranks = np.concatenate([np.full(len(u), r, dtype=np.int64) for r, u, _ in found])
        matched = [m for _, _, words in found for m in words]
        order = np.lexsort((ranks, ends[units], starts[units]))
        units, ranks = units[order], ranks[order]
        distinct, inverse = np.unique(units, return_inverse=True)
        pieces = [source.text[a:b] for a, b in zip(starts[distinct].tolist(),
                                                   ends[distinct].tolist(), strict=True)]
        self.sources += [source.source_id] * len(units)
        self.starts.append(starts[units].astype(np.int64))
        self.ends.append(ends[units].astype(np.int64))
        self.ranks.append(ranks)
        self.matched += [matched[i] for i in order.tolist()]
        self.texts += [pieces[i] for i in inverse.tolist()]

    def frame(self, codes: list[Code]) -> pd.DataFrame:
        """The proposals as :data:`PROPOSAL_COLUMNS`, each code's key and path one object."""
        ranks = np.concatenate(self.ranks) if self.ranks else np.zeros(0, dtype=np.int64)
        keys = np.array([c.key for c in codes] or [""], dtype=object)
        paths = np.array([c.path for c in codes] or [""], dtype=object)
        return pd.DataFrame({
            "source_id": _objects(self.sources),
            "start": np.concatenate(self.starts) if self.starts else np.zeros(0, np.int64),
            "end": np.concatenate(self.ends) if self.ends else np.zeros(0, np.int64),
            "code": keys[ranks], "code_path": paths[ranks],
            "matched": _objects(self.matched), "text": _objects(self.texts),
        }, columns=PROPOSAL_COLUMNS)


class KeywordAutocoder:
    """Finds the passages a codebook's keywords point to, without saving anything.

    Follows scikit-learn's conventions: the settings are stored untouched by ``__init__``,
    :meth:`fit` reads the keywords from a project's codebook into ``keywords_`` (code path →
    keywords) and returns the autocoder, and :meth:`predict` returns the proposals for a
    project as a DataFrame. :func:`autocode` is this plus saving the new proposals as
    suggestions; use the class directly to preview them.

    ``unit``, ``codes``, ``compounds``, ``role`` and ``analyser`` are described in
    :func:`autocode`.

    >>> KeywordAutocoder(role="interviewee").fit(p).predict(p)   # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        unit: Literal["sentence", "turn"] = "sentence",
        codes: str | Sequence[str] | None = None,
        compounds: Compounds = "off",
        role: str | Sequence[str] | None = None,
        analyser: str | Analyser | None = None,
    ) -> None:
        self.unit = unit
        self.codes = codes
        self.compounds = compounds
        self.role = role
        self.analyser = analyser

    def __repr__(self) -> str:
        analyser = self.analyser if self.analyser is None or isinstance(
            self.analyser, str) else type(self.analyser).__name__
        return (f"KeywordAutocoder(unit={self.unit!r}, codes={self.codes!r}, "
                f"compounds={self.compounds!r}, role={self.role!r}, analyser={analyser!r})")

    def fit(self, project: Project) -> KeywordAutocoder:
        """Check the settings and read the keywords of the chosen codes; returns ``self``."""
        if self.unit not in ("sentence", "turn"):
            raise TymqualError(f"autocode(): unit={self.unit!r}; choose 'sentence' or 'turn'.")
        check_compounds(self.compounds)
        self.codes_ = _codes(project, self.codes)
        self.keywords_ = {
            code.path: tuple(k.strip() for k in code.keywords if k.strip())
            for code in self.codes_
        }
        return self

    def predict(self, project: Project) -> pd.DataFrame:
        """One row per passage and code: ``source_id, start, end, code`` (key), ``code_path,
        matched, text``, in text order (codebook order within one passage)."""
        return pd.concat(list(self.batches(project)), ignore_index=True)

    def batches(self, project: Project, batch: int | None = None) -> Iterator[pd.DataFrame]:
        """:meth:`predict`'s rows, one frame per ``batch`` sources (``None``: one frame).

        One progress bar runs over all sources; the index and keyword masks are built once.
        """
        if not hasattr(self, "keywords_"):
            raise TymqualError("KeywordAutocoder.predict(): call fit(project) first.")
        role = self.role
        roles = None if role is None else {role} if isinstance(role, str) else set(role)
        index = text_index(project, self.analyser)
        masks = {
            code.key: _CodeMasks.of([_keyword_masks(index, k, self.compounds)
                                     for k in self.keywords_[code.path]])
            for code in self.codes_
        }
        leads = _leading_words(index, [masks[code.key] for code in self.codes_])
        order = {sid: i for i, sid in enumerate(project.source_ids)}
        # Keys, not sources: a source's structure is made when its turn comes and let go
        # after, so 200,000 answers are never all held at once.
        ordered = sorted(index.sources, key=lambda key: order[key[0]])
        size = batch or max(len(ordered), 1)
        interned: dict[str, str] = {}
        gathered = _Columns()
        for n, key in enumerate(progress(ordered, ("Koodataan avainsanoilla", "Autocoding"),
                                         show=project.show_progress,
                                         lang=project.config.language), start=1):
            source = index.sources[key]
            present = np.flatnonzero(leads[source.token_form].any(axis=0)).tolist()
            if present:  # else no keyword can begin in this source
                starts, ends = _units(source, self.unit, roles)
                found = []
                for r in present:
                    u, s, e = _unit_hits(source, masks[self.codes_[r].key], starts, ends)
                    if len(u):
                        found.append((r, *_matched(source.text, u, s, e, interned)))
                if found:
                    gathered.add_source(source, found, starts, ends)
            if n % size == 0 or n == len(ordered):
                # Let go of the gathered columns before yielding: the caller saves the batch
                # while this generator waits here, and they would double its memory meanwhile.
                frame, gathered = gathered.frame(self.codes_), _Columns()
                yield frame
        if not ordered:
            yield gathered.frame(self.codes_)


def autocode(
    project: Project,
    *,
    unit: Literal["sentence", "turn"] = "sentence",
    codes: str | Sequence[str] | None = None,
    compounds: Compounds = "off",
    coder: str | None = None,
    role: str | Sequence[str] | None = None,
    analyser: str | Analyser | None = None,
    batch: int | None = None,
) -> pd.DataFrame:
    """Propose codings from the codebook's keywords and save them as suggestions.

    Every ``unit`` of speech (``"sentence"``: sentences within speaker turns; ``"turn"``:
    whole turns; a source without speaker labels counts by paragraph) in which a keyword of a
    code occurs, matched by base form, is proposed for that code: one suggested coding per
    unit and code, coder ``coder`` (by default :func:`machine_coder`'s
    ``autocode:keywords@tymqual-<version>``; the settings go into the history note). A keyword
    of several words (``oman työn ohessa``) must
    occur as consecutive words, each by base form; ``koordin*`` is a prefix. All turns are
    read, the interviewer's too; ``role="interviewee"`` reads only the interviewees', as most
    codebooks ask. ``codes`` limits the proposals to those codes and their subcodes;
    ``compounds`` is as in :func:`tymqual.search.search` (default ``"off"``: *johtaja* does
    not propose *verkostojohtaja*, which has its own keyword when it matters).

    A proposal whose source, start, end and code already appear in the ledger, in any
    status, is skipped: re-running adds only what is new and never brings back a rejected
    suggestion. Returns the new suggestions: ``coding_id, source_id, start, end, code_path,
    matched`` (the words that matched, ``; ``-joined, in text order), ``text``, in text
    order (sources as loaded, then start; codebook order within one passage).
    :class:`KeywordAutocoder` gives the same proposals without saving them.

    ``batch`` saves the proposals every ``batch`` sources (``None``: once, at the end, which
    is quickest, as each save rewrites the ledger). Stopping a long run (Ctrl-C, a notebook's
    interrupt) keeps the batches already saved, says so in a :class:`TymqualWarning`, and
    re-raises the interrupt; running again fills in the rest. With 200,000 open answers,
    ``batch=20_000`` saves about ten times.

    >>> new = autocode(p, role="interviewee")                        # doctest: +SKIP
    >>> accept(p, new[new["code_path"] == "verkostojohtaminen/johtoryhman_tuki"])  # doctest: +SKIP
    """
    if coder is None:
        coder = machine_coder("autocode", "keywords")
    if not isinstance(coder, str) or not coder.strip():
        raise TymqualError(f"autocode(): coder={coder!r}; give a non-empty name.")
    autocoder = KeywordAutocoder(unit=unit, codes=codes, compounds=compounds, role=role,
                                 analyser=analyser)
    if batch is not None and (not isinstance(batch, int) or isinstance(batch, bool)
                              or batch < 1):
        raise TymqualError(f"autocode(): batch={batch!r}; give a whole number of sources of "
                           "at least 1, or None for one batch.")
    note = f"settings: {autocoder!r}"
    saved: list[pd.DataFrame] = []
    try:
        for proposals in autocoder.fit(project).batches(project, batch):
            saved.append(_save_new(project, proposals, coder, note))
    except KeyboardInterrupt:
        if saved:
            _tell_stopped(project, saved)
        raise
    return pd.concat(saved, ignore_index=True)[AUTOCODE_COLUMNS]


def _save_new(project: Project, proposals: pd.DataFrame, coder: str, note: str) -> pd.DataFrame:
    """Save one batch of proposals as suggestions; the rows that were new, with their ids."""
    # The ledger checks for an existing span and code under its lock, so two kernels
    # autocoding at once cannot both add the same suggestion.
    # As one frame rather than a dict per proposal: a large study has hundreds of thousands.
    ids = project.ledger.add_missing(
        proposals[["source_id", "start", "end", "code", "text"]].assign(
            coder=coder, status="suggested"), action="autocode", who=coder, note=note,
    )
    new = proposals.assign(coding_id=pd.Series(ids, index=proposals.index, dtype=object))
    return new[new["coding_id"].notna()].reset_index(drop=True)[AUTOCODE_COLUMNS]


def _tell_stopped(project: Project, saved: list[pd.DataFrame]) -> None:
    n = sum(len(frame) for frame in saved)
    warnings.warn(
        f"autocode() was stopped: the {n} new suggestion(s) of the {len(saved)} finished "
        f"batch(es) are saved in {project.ledger.path}, the batch under way was not; run "
        "autocode() again with the same settings to add the rest (it adds only what is "
        "missing).", TymqualWarning, stacklevel=3,
    )


# ---------------------------------------------------------------------------- decisions
def _ids(coding_ids: str | Iterable[str] | pd.DataFrame) -> list[str]:
    if isinstance(coding_ids, pd.DataFrame):
        if "coding_id" not in coding_ids.columns:
            raise CodingError("A DataFrame of codings needs a coding_id column (as autocode() "
                              "returns); nothing was changed.")
        coding_ids = coding_ids["coding_id"]
    ids = [coding_ids] if isinstance(coding_ids, str) else [str(i) for i in coding_ids]
    return list(dict.fromkeys(ids))


def _decide(
    project: Project, coding_ids: str | Iterable[str] | pd.DataFrame, status: str, verb: str
) -> int:
    ids = _ids(coding_ids)
    if not ids:
        return 0
    with project.ledger.transaction(action=verb) as edit:
        frame = edit.frame
        current = dict(zip(frame["coding_id"], frame["status"], strict=True))
        refused = [
            f"{cid!r} ({'not in the ledger' if cid not in current else current[cid]})"
            for cid in ids
            if current.get(cid) != "suggested"
        ]
        if refused:
            raise CodingError(
                f"{verb}(): only suggested codings can be {verb}ed, and "
                f"{', '.join(refused)} {'is' if len(refused) == 1 else 'are'} not; "
                f"nothing was changed. List suggestions with "
                "project.segments(status='suggested')."
            )
        frame.loc[frame["coding_id"].isin(ids), "status"] = status
    return len(ids)


def accept(project: Project, coding_ids: str | Iterable[str] | pd.DataFrame) -> int:
    """Accept suggested codings (ids, or a frame with ``coding_id`` such as autocode's).

    Returns how many were accepted. Refuses, changing nothing, when any id is not a
    suggestion in the ledger (already accepted, rejected, or unknown), naming each one.
    """
    return _decide(project, coding_ids, "accepted", "accept")


def reject(project: Project, coding_ids: str | Iterable[str] | pd.DataFrame) -> int:
    """Reject suggested codings; they stay in the ledger so that autocode never re-proposes them.

    Returns how many were rejected; refuses like :func:`accept`.
    """
    return _decide(project, coding_ids, "rejected", "reject")
