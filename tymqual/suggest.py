"""Learned code suggestions: a model trained on the accepted codings proposes codes for new text.

For the thesis author whose codebook has settled: after coding the first interviews by hand, a
classifier trained on those codings proposes codes for the sentences of the interviews still
to be coded. As with keyword autocoding (:mod:`tymqual.autocode`) nothing is accepted
automatically: proposals are saved as *suggested* codings (coder ``suggester``) that a person
accepts or rejects, and tables count accepted codings only.

Units
    Sentences within speaker turns (``unit="sentence"``) or whole turns (``unit="turn"``),
    the same units as :func:`tymqual.autocode.autocode` (so a learned suggestion and a keyword
    suggestion for the same passage share a span): turns from the project's speaker labels,
    sentences by :func:`tymqual.morphology.sentences`, and a source without speaker labels (a
    document) by paragraph. By default only interviewees' turns (``role="interviewee"``) are
    read, as most codebooks code what the interviewee says; ``role=None`` reads every turn
    and documents too.

Training labels
    Only sources with at least one accepted coding take part: a transcript nobody has coded
    yet says nothing about what its sentences are *not*. In those, a unit is a positive
    example of a code when the accepted codings of that code cover at least half of the
    unit's characters (``covered / (end - start) ≥ 0.5``, the union of overlapping codings
    counted once); every other unit is a negative example. A code counts as itself: codings
    of its subcodes do not make a unit positive for the parent. A code with fewer than
    ``min_examples`` positive units is not learned (see :meth:`CodeSuggester.fit`).

Model
    Each unit becomes TF-IDF features (Salton & Buckley 1988; sub-linear term frequency,
    ``1 + log tf``) of two kinds: its words' *base forms* from the Finnish analyser
    (:func:`tymqual.morphology.get_analyser`; Voikko where installed; the most likely base
    form of each word form, cached per form; function words in
    :func:`tymqual.morphology.stopwords` left out), and character n-grams within words
    (scikit-learn's ``char_wb``), which catch spoken and misspelt forms the analyser does
    not know. A logistic regression per code (one-vs-rest; ``class_weight="balanced"``, so a
    rare code is not drowned by the many units without it; L2 penalty ``C``, fitted with
    liblinear, which is exact and much faster than lbfgs on sparse text features of this
    size) gives each unit a score, the
    estimated probability that the code applies; a unit may get several codes. A unit is
    proposed a code when the score is at least ``threshold`` and the code is among the
    unit's ``top_k`` best. ``top_words`` lists the base forms that pushed the score up most
    for that unit (TF-IDF value × the code's coefficient).

Evaluation (:meth:`CodeSuggester.evaluate`)
    Cross-validated precision, recall and F1 per code, beside two baselines computed on
    the same folds; definitions in the method's docstring.

A plain DataFrame with columns ``text`` and ``label`` (one label per row, missing for
"no code"; optional ``group``) can stand in for a project in ``fit`` and ``evaluate``, to
measure the method on data labelled elsewhere.

>>> s = CodeSuggester(min_examples=5).fit(p)                         # doctest: +SKIP
>>> s.evaluate(p, folds=5)                                           # doctest: +SKIP
>>> new = s.suggest(p, write=True)                                   # doctest: +SKIP
>>> tymqual.autocode.accept(p, new[new["score"] > 0.8])              # doctest: +SKIP

References: Salton, G. & Buckley, C. (1988). Term-weighting approaches in automatic text
retrieval. *Information Processing & Management* 24(5). Pedregosa, F. et al. (2011).
Scikit-learn: Machine learning in Python. *JMLR* 12.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion

from tymqual.autocode import KeywordAutocoder, machine_coder
from tymqual.errors import TymqualError, TymqualWarning
from tymqual.morphology import NEGATION, connegative, get_analyser, stopwords
from tymqual.progress import progress
from tymqual.search import text_index
from tymqual.text import word_spans

if TYPE_CHECKING:
    from typing import Self

    from tymqual.project import Project

    class _Estimator:
        """What the suggester inherits from ``sklearn.base.BaseEstimator``, typed for mypy:
        scikit-learn ships no type stubs, so the real class is ``Any`` to mypy, and a class
        cannot subclass ``Any`` under ``--strict``."""

        def get_params(self, deep: bool = True) -> dict[str, Any]: ...
        def set_params(self, **params: Any) -> Self: ...
else:
    _Estimator = BaseEstimator

__all__ = ["EVALUATE_COLUMNS", "MACRO_ROW", "SUGGEST_COLUMNS", "CodeSuggester"]

#: Columns of :meth:`CodeSuggester.suggest` (``coding_id`` is put first with ``write=True``).
SUGGEST_COLUMNS = ["source_id", "start", "end", "text", "code_path", "score", "rank", "top_words"]
#: Columns of :meth:`CodeSuggester.evaluate`.
EVALUATE_COLUMNS = [
    "code", "n_positive", "precision", "recall", "f1", "majority_f1", "keyword_f1",
]
#: The ``code`` of the macro-average row of :meth:`CodeSuggester.evaluate`.
MACRO_ROW = "(macro average)"

#: Share of a unit's characters a code's accepted codings must cover to make it a positive.
MIN_COVERAGE = 0.5
#: How many chi²-selected base forms stand in for a code without codebook keywords.
DERIVED_KEYWORDS = 5
_BASE = "base_forms"
_CHARS = "char_ngrams"
_NO_LABEL = ""
#: Units scored at a time by :meth:`CodeSuggester.suggest`: its memory is that of a batch.
SCORE_BATCH = 20_000


# ---------------------------------------------------------------------------- features
class _BaseForms:
    """Text → the base forms of its content words; the analyser is asked once per word form.

    Used as a vectorizer's ``analyzer``. The analyser itself is not pickled (it holds a
    lock and, for Voikko, a C handle); an unpickled copy looks it up again on first use.
    """

    def __init__(self, analyser: str | None = None) -> None:
        self.analyser = analyser
        self._cache: dict[str, str | None] = {}
        self._tool: Any = None

    def __repr__(self) -> str:
        return f"_BaseForms(analyser={self.analyser!r})"

    def __getstate__(self) -> dict[str, Any]:
        return {"analyser": self.analyser, "_cache": self._cache, "_tool": None}

    def __call__(self, text: str) -> list[str]:
        forms = []
        before = ""
        for a, b in word_spans(text):
            word = text[a:b]
            # The word after a negation verb is read as search reads it (connegative).
            form = self._base_form(word, before.lower() in NEGATION)
            if form is not None:
                forms.append(form)
            before = word
        return forms

    def _base_form(self, word: str, negated: bool = False) -> str | None:
        key = f"\x00{word}" if negated else word
        if key not in self._cache:
            if self._tool is None:
                self._tool = get_analyser(self.analyser)
            base: str | None = None
            if any(ch.isalpha() for ch in word):
                analysis = self._tool.analyse(word)
                base = (connegative(analysis) if negated else analysis).lemmas[0]
                if base in stopwords() or word.lower() in stopwords():
                    base = None
            self._cache[key] = base
        return self._cache[key]


# ---------------------------------------------------------------------------- the data
@dataclass
class _Data:
    """Units with their labels: what fit and evaluate learn from, however it was given."""

    units: pd.DataFrame  # source_id, start, end, text, group
    labels: np.ndarray  # bool, units × codes
    codes: list[str]  # code paths (project) or label values (frame)
    keys: list[str | None]  # codebook keys; None for a frame's labels
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    project: Project | None = None


def _roles(role: str | Sequence[str] | None) -> set[str] | None:
    return None if role is None else {role} if isinstance(role, str) else set(role)


def _project_units(
    project: Project, unit: str, role: str | Sequence[str] | None, analyser: str | None
) -> pd.DataFrame:
    """``source_id, start, end, text, group`` of every unit of speech, in text order."""
    roles = _roles(role)
    order = {sid: i for i, sid in enumerate(project.source_ids)}
    index = text_index(project, analyser)
    rows: list[tuple[str, int, int, str, str]] = []
    for key in sorted(index.sources, key=lambda k: order[k[0]]):  # each made in its turn
        source = index.sources[key]
        keep = [roles is None or r in roles for r in source.unit_role]
        if unit == "turn":
            spans = [(int(s), int(e)) for s, e, k in
                     zip(source.unit_start, source.unit_end, keep, strict=True) if k and e > s]
        else:
            spans = [(a, b) for u, a, b in source.sentences() if keep[u]]
        group = project.case_of(source.source_id) or source.source_id
        rows.extend((source.source_id, s, e, source.text[s:e], group) for s, e in spans)
    frame = pd.DataFrame(rows, columns=["source_id", "start", "end", "text", "group"])
    return frame.astype({"start": "int64", "end": "int64"})


def _accepted(project: Project) -> pd.DataFrame:
    """Accepted codings still anchored in a loaded source."""
    codings = project.codings
    codings = codings[(codings["status"] == "accepted")
                      & codings["source_id"].isin(project.source_ids)]
    if not project.unanchored.empty:
        codings = codings[~codings["coding_id"].isin(project.unanchored["coding_id"])]
    return codings.reset_index(drop=True)


def _coverage(
    project: Project, units: pd.DataFrame, codings: pd.DataFrame, keys: list[str]
) -> np.ndarray:
    """Share of each unit's characters covered by the codings of each key (units × keys)."""
    out = np.zeros((len(units), len(keys)))
    column = {k: j for j, k in enumerate(keys)}
    positions = np.arange(len(units))
    # Grouped once: a scan of all codings per source costs sources × codings, which with
    # 200,000 open answers is billions of comparisons.
    by_source = codings.groupby("source_id", sort=False).indices
    for sid, at in units.groupby("source_id", sort=False).indices.items():
        if sid not in by_source:
            continue
        n = len(project.text(str(sid)))
        starts = units["start"].to_numpy()[at]
        ends = units["end"].to_numpy()[at]
        mine = codings.iloc[by_source[sid]]
        for key, rows in mine.groupby("code", sort=False):
            if key not in column:
                continue
            # A difference array marks every coded character once, however codings overlap.
            steps = np.zeros(n + 1, dtype=np.int64)
            np.add.at(steps, np.clip(rows["start"].to_numpy(dtype=np.int64), 0, n), 1)
            np.add.at(steps, np.clip(rows["end"].to_numpy(dtype=np.int64), 0, n), -1)
            covered = np.concatenate([[0], np.cumsum(np.cumsum(steps)[:n] > 0)])
            share = (covered[ends] - covered[starts]) / np.maximum(ends - starts, 1)
            out[positions[at], column[str(key)]] = share
    return out


def _project_data(project: Project, est: CodeSuggester) -> _Data:
    codings = _accepted(project)
    if codings.empty:
        raise TymqualError(
            "The project has no accepted codings to learn from; code some passages "
            "(project.code) or accept suggestions first."
        )
    units = _project_units(project, est.unit, est.role, est.analyser)
    units = units[units["source_id"].isin(set(codings["source_id"]))].reset_index(drop=True)
    if units.empty:
        raise TymqualError(
            f"The coded sources have no {est.unit} units in turns of role={est.role!r}; give "
            "role=None to read every turn and documents without speaker labels."
        )
    codes = list(project.codebook)
    keys: list[str | None] = [c.key for c in codes]
    labels = _coverage(project, units, codings, [c.key for c in codes]) >= MIN_COVERAGE
    keywords = {c.path: tuple(k.strip() for k in c.keywords if k.strip()) for c in codes}
    return _Data(units, labels, [c.path for c in codes], keys, keywords, project)


def _frame_data(frame: pd.DataFrame, where: str) -> _Data:
    missing = [c for c in ("text", "label") if c not in frame.columns]
    if missing:
        raise TymqualError(
            f"{where}: the DataFrame has no column(s) {', '.join(missing)}; give one row per "
            "unit with columns text and label (one label per row; missing for no code)."
        )
    if frame.empty:
        raise TymqualError(f"{where}: the DataFrame has no rows to learn from.")
    texts = frame["text"]
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if bad:
        raise TymqualError(
            f"{where}: column text is empty or not text on row(s) "
            f"{', '.join(str(i) for i in bad[:10])} (0-based); drop or fill them."
        )
    labels = [_NO_LABEL if pd.isna(v) else str(v).strip() for v in frame["label"]]
    codes = sorted({lab for lab in labels if lab})
    matrix = np.array([[lab == c for c in codes] for lab in labels], dtype=bool)
    matrix = matrix.reshape(len(labels), len(codes))
    groups = frame["group"].astype(str) if "group" in frame.columns else range(len(frame))
    units = pd.DataFrame({
        "source_id": "", "start": 0, "end": [len(t) for t in texts],
        "text": list(texts), "group": list(groups),
    })
    return _Data(units, matrix, codes, [None] * len(codes))


# ---------------------------------------------------------------------------- the estimator
class _Proposals:
    """The proposals of :meth:`CodeSuggester.suggest` gathered batch by batch as arrays
    (unit, code, score, rank) and the top words: a tuple of Python objects per proposal
    cost about 250 bytes each, which with hundreds of thousands of open answers is most of
    what suggesting kept in memory."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.words: list[str] = []

    def add(self, unit: np.ndarray, code: np.ndarray, score: np.ndarray, rank: np.ndarray,
            words: list[str]) -> None:
        self.parts.append((unit.astype(np.int64), code.astype(np.int64),
                           score.astype(np.float64), rank.astype(np.int64)))
        self.words += words

    def frame(self, units: pd.DataFrame, paths: list[str], keys: list[str | None]
              ) -> pd.DataFrame:
        """``SUGGEST_COLUMNS`` plus ``code`` (the key), in text order then rank: units come
        in text order (sources as loaded, then start), so only each unit's codes need
        ordering by rank."""
        if self.parts:
            unit, code, score, rank = (np.concatenate(c) for c in zip(*self.parts, strict=True))
        else:
            unit = code = rank = np.zeros(0, dtype=np.int64)
            score = np.zeros(0, dtype=np.float64)
        order = np.lexsort((rank, unit))
        unit, code, score, rank = unit[order], code[order], score[order], rank[order]
        words = np.asarray(self.words, dtype=object)[order] if len(order) else np.array(
            [], dtype=object)
        frame = pd.DataFrame({
            "source_id": units["source_id"].to_numpy(dtype=object)[unit],
            "start": units["start"].to_numpy(dtype=np.int64)[unit],
            "end": units["end"].to_numpy(dtype=np.int64)[unit],
            "text": units["text"].to_numpy(dtype=object)[unit],
            "code_path": np.asarray(paths, dtype=object)[code],
            "score": score, "rank": rank, "top_words": words,
            "code": np.asarray(keys, dtype=object)[code],
        })
        return frame.astype({"start": "int64", "end": "int64", "score": "float64",
                             "rank": "int64"})


class CodeSuggester(_Estimator):
    """Learns the codebook from accepted codings and proposes codes for uncoded units.

    Follows scikit-learn's conventions (and inherits ``get_params``/``set_params``): the
    settings below are stored untouched by ``__init__`` and checked by :meth:`fit`, which
    learns and returns the suggester; learned state ends in ``_``.

    Parameters: ``unit`` (``"sentence"`` or ``"turn"``), ``min_examples`` (fewest positive
    units a code needs to be learned), ``C`` (inverse regularisation strength of the logistic
    regressions), ``char_ngrams`` (``(min, max)`` lengths of the character n-grams within
    words, or ``None`` for none), ``use_lemmas`` (base-form features on or off),
    ``threshold`` (the score a proposal needs, 0–1), ``top_k`` (at most this many codes per
    unit; ``None``: no limit), ``random_state`` (seeds the models and the shuffled folds of
    :meth:`evaluate`), ``role`` (speaker roles whose turns are read; ``None``: all, and
    documents), ``analyser`` (``"voikko"``, ``"simplemma"``, ``"snowball"`` or ``None`` for
    the best installed), ``n_top_words`` (length of ``top_words``), ``max_units`` (the most
    units :meth:`fit` learns from: every coded unit, then uncoded ones drawn at random, with a
    warning; ``None``: all).

    Learned: ``codes_`` (the learned codes: code paths, or a frame's labels), ``code_keys_``
    (their codebook keys; None for a frame's labels), ``n_examples_`` (positive units per
    learned code), ``skipped_codes_`` (code → why it was not learned), ``vectorizer_`` (the
    feature extractor, a scikit-learn ``FeatureUnion`` over texts), ``model_`` (the
    ``OneVsRestClassifier``), ``n_units_`` (training units).
    """

    def __init__(
        self,
        *,
        unit: Literal["sentence", "turn"] = "sentence",
        min_examples: int = 5,
        C: float = 1.0,
        char_ngrams: tuple[int, int] | None = (2, 5),
        use_lemmas: bool = True,
        threshold: float = 0.5,
        top_k: int | None = 3,
        random_state: int | None = 0,
        role: str | Sequence[str] | None = "interviewee",
        analyser: str | None = None,
        n_top_words: int = 5,
        max_units: int | None = 20_000,
    ) -> None:
        self.unit = unit
        self.min_examples = min_examples
        self.C = C
        self.char_ngrams = char_ngrams
        self.use_lemmas = use_lemmas
        self.threshold = threshold
        self.top_k = top_k
        self.random_state = random_state
        self.role = role
        self.analyser = analyser
        self.n_top_words = n_top_words
        self.max_units = max_units

    def _settings(self) -> str:
        """Every setting, for the history note of the suggestions saved (a repr omits the
        defaults, which a later release may change)."""
        params = ", ".join(f"{k}={v!r}" for k, v in sorted(self.get_params().items()))
        return f"settings: CodeSuggester({params})"

    # ------------------------------------------------------------------ checks
    def _check_params(self, method: str) -> None:
        where = f"CodeSuggester.{method}()"
        if self.unit not in ("sentence", "turn"):
            raise TymqualError(f"{where}: unit={self.unit!r}; choose 'sentence' or 'turn'.")
        if not _whole(self.min_examples) or self.min_examples < 1:
            raise TymqualError(
                f"{where}: min_examples={self.min_examples!r}; give a whole number ≥ 1."
            )
        if not isinstance(self.C, int | float) or isinstance(self.C, bool) or not self.C > 0:
            raise TymqualError(f"{where}: C={self.C!r}; give a positive number (default 1.0).")
        ngrams = self.char_ngrams
        if ngrams is not None and not (
            isinstance(ngrams, tuple | list) and len(ngrams) == 2
            and all(_whole(n) for n in ngrams) and 1 <= ngrams[0] <= ngrams[1]
        ):
            raise TymqualError(
                f"{where}: char_ngrams={ngrams!r}; give (min, max) lengths such as (2, 5), "
                "or None for no character features."
            )
        if not self.use_lemmas and ngrams is None:
            raise TymqualError(
                f"{where}: use_lemmas=False and char_ngrams=None leave no features; turn "
                "one of them on."
            )
        if not isinstance(self.threshold, int | float) or not 0 <= self.threshold <= 1:
            raise TymqualError(
                f"{where}: threshold={self.threshold!r}; give a score between 0 and 1."
            )
        if self.top_k is not None and (not _whole(self.top_k) or self.top_k < 1):
            raise TymqualError(
                f"{where}: top_k={self.top_k!r}; give a whole number ≥ 1, or None for no limit."
            )
        if self.max_units is not None and (not _whole(self.max_units) or self.max_units < 1):
            raise TymqualError(
                f"{where}: max_units={self.max_units!r}; give a whole number ≥ 1, or None to "
                "learn from every unit."
            )
        if not _whole(self.n_top_words) or self.n_top_words < 0:
            raise TymqualError(
                f"{where}: n_top_words={self.n_top_words!r}; give a whole number ≥ 0."
            )

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "model_"):
            raise TymqualError(
                f"CodeSuggester.{method}(): this suggester has not been trained yet; call "
                "fit(project) first, on a project with accepted codings."
            )

    def _data(self, project_or_frame: Project | pd.DataFrame, method: str) -> _Data:
        if isinstance(project_or_frame, pd.DataFrame):
            return _frame_data(project_or_frame, f"CodeSuggester.{method}()")
        return _project_data(project_or_frame, self)

    def _choose(self, data: _Data, method: str) -> tuple[list[int], dict[str, str]]:
        """Columns of the codes to learn, and why each other code is left out."""
        counts = data.labels.sum(axis=0)
        n = len(data.units)
        chosen: list[int] = []
        skipped: dict[str, str] = {}
        for j, code in enumerate(data.codes):
            c = int(counts[j])
            if c < self.min_examples:
                skipped[code] = (f"{c} positive unit(s), fewer than "
                                 f"min_examples={self.min_examples}")
            elif c == n:
                skipped[code] = f"all {n} units have it, so there is nothing to contrast"
            else:
                chosen.append(j)
        few = [f"{code} ({int(counts[j])})" for j, code in enumerate(data.codes)
               if 0 < counts[j] < self.min_examples]
        if not chosen:
            shown = ", ".join(few) or "none has any"
            raise TymqualError(
                f"CodeSuggester.{method}(): no code has the min_examples={self.min_examples} "
                f"positive {self.unit} units needed to learn it; positive units per code: "
                f"{shown}. Code more passages, or lower min_examples."
            )
        constant = [code for j, code in enumerate(data.codes) if counts[j] == n]
        if few or constant:
            unused = sum(1 for j in range(len(data.codes)) if counts[j] == 0)
            parts = []
            if few:
                parts.append(f"{len(few)} code(s) with fewer than min_examples="
                             f"{self.min_examples} positive {self.unit} units: {', '.join(few)}")
            if constant:
                parts.append(f"{', '.join(constant)}, which every unit has")
            if unused:
                parts.append(f"{unused} code(s) without accepted codings")
            after = "see skipped_codes_" if method == "fit" else "they are not in the table"
            warnings.warn(
                f"CodeSuggester.{method}(): not learned: {'; '.join(parts)}; {after}.",
                TymqualWarning,
                stacklevel=3,
            )
        return chosen, skipped

    # ------------------------------------------------------------------ learning
    def _vectorizer(self, base_forms: _BaseForms) -> FeatureUnion:
        parts: list[tuple[str, Any]] = []
        if self.use_lemmas:
            parts.append((_BASE, TfidfVectorizer(analyzer=base_forms, sublinear_tf=True)))
        if self.char_ngrams is not None:
            lo, hi = self.char_ngrams
            parts.append((_CHARS, TfidfVectorizer(analyzer="char_wb", ngram_range=(lo, hi),
                                                  lowercase=True, sublinear_tf=True)))
        return FeatureUnion(parts)

    def _train(
        self, texts: list[str], labels: np.ndarray, base_forms: _BaseForms
    ) -> tuple[FeatureUnion, OneVsRestClassifier]:
        vectorizer = self._vectorizer(base_forms)
        features = vectorizer.fit_transform(texts)
        model = OneVsRestClassifier(LogisticRegression(
            C=float(self.C), class_weight="balanced", solver="liblinear", max_iter=1000,
            random_state=self.random_state,
        ))
        target = labels.astype(np.int64)
        model.fit(features, target[:, 0] if target.shape[1] == 1 else target)
        return vectorizer, model

    def _select(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which (unit, code) pairs are proposed, and each code's rank within its unit."""
        order = np.argsort(-scores, axis=1, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.arange(scores.shape[1])[None, :], axis=1)
        keep = scores >= self.threshold
        if self.top_k is not None:
            keep &= ranks < self.top_k
        return keep, ranks + 1

    def fit(self, project_or_frame: Project | pd.DataFrame) -> CodeSuggester:
        """Learn every code with at least ``min_examples`` positive units; returns ``self``.

        ``project_or_frame``: a :class:`~tymqual.project.Project` (its accepted codings;
        units and labels as in the module docstring) or a DataFrame with columns ``text`` and
        ``label``. Codes below the minimum are left out with a :class:`TymqualWarning` that
        lists them with their counts (``skipped_codes_`` keeps the reasons, codes without
        any coding included); when no code reaches it, a :class:`TymqualError` names the
        minimum and each code's count.
        """
        self._check_params("fit")
        data = self._data(project_or_frame, "fit")
        chosen, skipped = self._choose(data, "fit")
        rows = self._training_rows(data.labels[:, chosen])
        texts = [str(t) for t in data.units["text"].to_numpy()[rows]]
        self.vectorizer_, self.model_ = self._train(
            texts, data.labels[rows][:, chosen], _BaseForms(self.analyser)
        )
        self.codes_ = [data.codes[j] for j in chosen]
        self.code_keys_ = [data.keys[j] for j in chosen]
        self.n_examples_ = {data.codes[j]: int(data.labels[:, j].sum()) for j in chosen}
        self.skipped_codes_ = skipped
        self.n_units_ = len(texts)
        return self

    def _training_rows(self, labels: np.ndarray) -> np.ndarray:
        """Every unit with a learned code, and as many of the others as ``max_units`` leaves
        room for, drawn at random (``random_state``): the character n-grams of every sentence
        of a thousand interviews take gigabytes, and most of those sentences are uncoded."""
        rows = np.arange(len(labels))
        if self.max_units is None or len(rows) <= self.max_units:
            return rows
        coded = labels.any(axis=1)
        room = max(self.max_units - int(coded.sum()), 0)
        drawn = np.random.default_rng(self.random_state).choice(
            rows[~coded], size=min(room, int((~coded).sum())), replace=False)
        warnings.warn(
            f"CodeSuggester.fit(): learned from all {int(coded.sum())} coded units and "
            f"{len(drawn)} of the {int((~coded).sum())} uncoded ones, drawn at random "
            f"(max_units={self.max_units}); give max_units=None to learn from every unit.",
            TymqualWarning, stacklevel=3,
        )
        return np.sort(np.concatenate([rows[coded], drawn]))

    def _scores(self, vectorizer: FeatureUnion, model: OneVsRestClassifier,
                texts: list[str], n_codes: int) -> tuple[Any, np.ndarray]:
        features = vectorizer.transform(texts)
        scores = np.asarray(model.predict_proba(features), dtype=float)
        # One learned code makes a binary problem, whose probabilities come as two columns.
        return features, scores[:, -n_codes:]

    # ------------------------------------------------------------------ proposing
    def suggest(
        self, project: Project, *, write: bool = False, coder: str | None = None
    ) -> pd.DataFrame:
        """Ranked code proposals for the project's uncoded units.

        A unit is *uncoded* when no accepted coding, of any code, overlaps any of its
        characters. For each uncoded unit, every learned code scoring at least ``threshold``
        and among its ``top_k`` best is proposed; proposals of a span and code the ledger
        holds as *rejected* are left out, so a rejected suggestion never comes back. Returns
        ``source_id, start, end, text, code_path, score`` (0–1), ``rank`` (1 = the unit's
        best code), ``top_words`` (the base forms that raised the score most, ``; ``-joined)
        in text order (sources as loaded, then start, then rank).

        With ``write=True`` the proposals are also saved as suggested codings (coder
        ``coder``, by default ``suggester:logistic@tymqual-<version>``, see
        :func:`tymqual.autocode.machine_coder`; the settings go into the history note)
        unless the ledger already has that span and code, and the frame gets a ``coding_id``
        column first: the new coding, or the suggestion already there.
        """
        self._check_fitted("suggest")
        if isinstance(project, pd.DataFrame):
            raise TymqualError(
                "CodeSuggester.suggest(): give a Project; a DataFrame can be used in fit() and "
                "evaluate() only."
            )
        if coder is None:
            coder = machine_coder("suggester", "logistic")
        if write and (not isinstance(coder, str) or not coder.strip()):
            raise TymqualError(f"CodeSuggester.suggest(): coder={coder!r}; give a non-empty name.")
        keys, paths = self._code_refs(project, write)
        units = _project_units(project, self.unit, self.role, self.analyser)
        codings = _accepted(project).assign(code="*")
        touched = _coverage(project, units, codings, ["*"])[:, 0] > 0
        units = units[~touched].reset_index(drop=True)
        found = _Proposals()
        if not units.empty:
            rejected = _rejected(project)
            names = np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)
            chunks = range(0, len(units), SCORE_BATCH)
            for at in progress(chunks, ("Ehdotetaan koodeja", "Suggesting codes"),
                               lang=project.config.language, show=project.show_progress):
                self._propose(units.iloc[at : at + SCORE_BATCH], at, names, rejected, keys,
                              found)
        frame = found.frame(units, paths, keys)
        if write:
            frame.insert(0, "coding_id", _save(project, frame, coder, self._settings()))
            return frame[["coding_id", *SUGGEST_COLUMNS]]
        return frame[SUGGEST_COLUMNS]

    def _propose(self, units: pd.DataFrame, offset: int, names: np.ndarray,
                 rejected: set[tuple[str, int, int, str]], keys: list[str | None],
                 found: _Proposals) -> None:
        """Add the proposals for one batch of units to ``found``: features of a batch only,
        as the character n-grams of every sentence of a large study at once take gigabytes."""
        features, scores = self._scores(self.vectorizer_, self.model_,
                                        [str(t) for t in units["text"]], len(self.codes_))
        keep, ranks = self._select(scores)
        unit, code = np.nonzero(keep)
        if rejected:
            sids, starts = units["source_id"].tolist(), units["start"].tolist()
            ends = units["end"].tolist()
            allowed = np.array([(sids[i], starts[i], ends[i], keys[j]) not in rejected
                                for i, j in zip(unit.tolist(), code.tolist(), strict=True)],
                               dtype=bool)
            unit, code = unit[allowed], code[allowed]
        found.add(unit + offset, code, scores[unit, code], ranks[unit, code],
                  [self._top_words(features, names, i, j)
                   for i, j in zip(unit.tolist(), code.tolist(), strict=True)])

    def _code_refs(self, project: Project, write: bool) -> tuple[list[str | None], list[str]]:
        """Each learned code's key and current path in ``project``'s codebook.

        Keys are stable, so a code moved since fitting is shown at its new path. A frame's
        labels are looked up as code names, keys or paths; one the codebook lacks keeps its
        label as path and cannot be saved.
        """
        keys: list[str | None] = []
        paths: list[str] = []
        by_key = {c.key: c for c in project.codebook}
        for label, key in zip(self.codes_, self.code_keys_, strict=True):
            if key is None and label in project.codebook:
                key = project.codebook.resolve(label).key
            keys.append(key if key in by_key else None)
            paths.append(by_key[key].path if key in by_key else label)
        unknown = [p for p, k in zip(paths, keys, strict=True) if k is None]
        if write and unknown:
            raise TymqualError(
                f"CodeSuggester.suggest(write=True): the learned code(s) {', '.join(unknown)} "
                "are not in this project's codebook, so their suggestions cannot be saved; add "
                "them to codes/codebook.yaml or call suggest() without write=True."
            )
        return keys, paths

    def _top_words(self, features: Any, names: np.ndarray, i: int, j: int) -> str:
        """The features of unit ``i`` with the largest TF-IDF × coefficient for code ``j``."""
        if self.n_top_words == 0:
            return ""
        wanted = _BASE if self.use_lemmas else _CHARS
        row = features.getrow(i)
        coef = np.ravel(self.model_.estimators_[j].coef_)
        weight = row.data * coef[row.indices]
        picked = [(w, names[f]) for f, w in zip(row.indices, weight, strict=True)
                  if w > 0 and names[f].startswith(wanted + "__")]
        picked.sort(key=lambda item: (-item[0], item[1]))
        words = [name.split("__", 1)[1].strip() for _, name in picked]
        return "; ".join(list(dict.fromkeys(w for w in words if w))[: self.n_top_words])

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, project_or_frame: Project | pd.DataFrame, folds: int = 5) -> pd.DataFrame:
        """Cross-validated precision, recall and F1 per code, beside two baselines.

        The units are split into ``folds`` folds, stratified by code (each unit by its rarest
        code) and grouped by interview where possible: all units of one case (a project's
        source, or its case when ``cases.csv`` names one; a frame's optional ``group``
        column) fall in the same fold, so the model is never tested on sentences from an
        interview it was trained on. With fewer groups than folds, or a frame without
        ``group``, the folds are stratified only (with a warning in the first case). For
        each fold, a suggester with these settings is trained on the other folds and
        proposes codes for the held-out units exactly as :meth:`suggest` would (``threshold``,
        ``top_k``). The predictions of all folds are pooled and compared with the labels:
        precision = TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic mean (0 when
        undefined).

        Baselines, on the same folds:

        * ``majority_f1``: every held-out unit gets the label set most frequent among the
          training units. In interview material that is usually "no code", so every code
          scores 0; with one label per row it is the most frequent label.
        * ``keyword_f1``: a unit gets a code when it contains one of the code's keywords by
          base form. A code with ``keywords`` in the codebook is matched as
          :func:`tymqual.autocode.autocode` matches it (whole words, fixed across folds);
          a code without keywords (every code of a frame) gets the 5 base forms with the
          highest chi² score for it among the training units of the fold, counting only
          forms more frequent in the code's units than elsewhere.

        Codes with fewer than ``min_examples`` positive units are left out as in :meth:`fit`.
        Returns ``code, n_positive, precision, recall, f1, majority_f1, keyword_f1``, one row
        per code, then the row ``(macro average)``: the unweighted mean of each column over
        the codes (``n_positive``: their sum).
        """
        self._check_params("evaluate")
        if not _whole(folds) or folds < 2:
            raise TymqualError(f"CodeSuggester.evaluate(): folds={folds!r}; give a whole "
                               "number ≥ 2.")
        data = self._data(project_or_frame, "evaluate")
        if len(data.units) < folds:
            raise TymqualError(
                f"CodeSuggester.evaluate(): {len(data.units)} units cannot be split into "
                f"folds={folds}; give fewer folds."
            )
        chosen, _ = self._choose(data, "evaluate")
        labels = data.labels[:, chosen]
        codes = [data.codes[j] for j in chosen]
        texts = [str(t) for t in data.units["text"]]
        base_forms = _BaseForms(self.analyser)
        fixed = _codebook_keyword_hits(data, [data.keys[j] for j in chosen], self)
        predicted = np.zeros_like(labels)
        majority = np.zeros_like(labels)
        keyword = np.zeros_like(labels)
        for train, test in self._folds(data, labels, folds):
            predicted[test] = self._fold_predictions(texts, labels, train, test, base_forms)
            majority[test] = _majority_set(labels[train])
            keyword[test] = _derived_keyword_hits(texts, labels, train, test, base_forms)
        for j in range(len(codes)):
            if fixed[j] is not None:
                keyword[:, j] = fixed[j]
        return _score_table(codes, labels, predicted, majority, keyword)

    def _folds(self, data: _Data, labels: np.ndarray,
               folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
        counts = labels.sum(axis=0)
        strata = []
        for row in labels:
            on = np.flatnonzero(row)
            strata.append(str(on[np.argmin(counts[on])]) if len(on) else "-")
        groups = data.units["group"].astype(str).to_numpy()
        n_groups = len(set(groups))
        x = np.zeros(len(strata))
        with warnings.catch_warnings():
            # Rare codes cannot be in every fold; stratification then does what it can.
            warnings.filterwarnings("ignore", message="The least populated class")
            if n_groups == len(groups):
                split = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
                return list(split.split(x, strata))
            if n_groups < folds:
                warnings.warn(
                    f"CodeSuggester.evaluate(): only {n_groups} interview(s) for folds={folds}, "
                    "so units are split into folds regardless of their interview, and the "
                    "scores are optimistic; give folds ≤ the number of interviews.",
                    TymqualWarning,
                    stacklevel=3,
                )
                split = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
                return list(split.split(x, strata))
            grouped = StratifiedGroupKFold(folds, shuffle=True, random_state=self.random_state)
            return list(grouped.split(x, strata, groups))

    def _fold_predictions(self, texts: list[str], labels: np.ndarray, train: np.ndarray,
                          test: np.ndarray, base_forms: _BaseForms) -> np.ndarray:
        out = np.zeros((len(test), labels.shape[1]), dtype=bool)
        counts = labels[train].sum(axis=0)
        cols = [j for j in range(labels.shape[1]) if 0 < counts[j] < len(train)]
        if not cols:
            return out
        vectorizer, model = self._train([texts[i] for i in train],
                                        labels[train][:, cols], base_forms)
        _, scores = self._scores(vectorizer, model, [texts[i] for i in test], len(cols))
        keep, _ = self._select(scores)
        out[:, cols] = keep
        return out


# ---------------------------------------------------------------------------- helpers
def _whole(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _rejected(project: Project) -> set[tuple[str, int, int, str]]:
    codings = project.codings
    codings = codings[codings["status"] == "rejected"]
    return set(zip(codings["source_id"], codings["start"].astype(int),
                   codings["end"].astype(int), codings["code"], strict=True))


def _save(project: Project, frame: pd.DataFrame, coder: str, note: str) -> list[str]:
    """Save the proposals as suggestions; each row's coding id, new or already there."""
    spans = list(zip(frame["source_id"], frame["start"], frame["end"], frame["code"],
                     strict=True))
    # The ledger checks for an existing span and code under its lock, so two kernels
    # suggesting at once cannot both add the same suggestion.
    ids = project.ledger.add_missing(
        [{"source_id": sid, "start": int(s), "end": int(e), "code": key, "coder": coder,
          "status": "suggested", "text": text}
         for (sid, s, e, key), text in zip(spans, frame["text"], strict=True)],
        action="suggest", who=coder, note=note)
    if all(i is not None for i in ids):
        return [str(i) for i in ids]
    ledger = project.codings
    existing = {
        (sid, int(s), int(e), key): cid
        for cid, sid, s, e, key in ledger[["coding_id", "source_id", "start", "end", "code"]]
        .itertuples(index=False)
    }
    return [str(i) if i is not None else str(existing[(sid, int(s), int(e), key)])
            for i, (sid, s, e, key) in zip(ids, spans, strict=True)]


def _majority_set(labels: np.ndarray) -> np.ndarray:
    """The label set most frequent among ``labels``' rows (ties: the fewest codes, then first)."""
    counts = Counter(tuple(row) for row in labels.astype(bool))
    best = max(counts.items(), key=lambda item: (item[1], -sum(item[0])))[0]
    return np.array(best, dtype=bool)


def _derived_keyword_hits(texts: list[str], labels: np.ndarray, train: np.ndarray,
                          test: np.ndarray, base_forms: _BaseForms) -> np.ndarray:
    """Held-out units containing one of each code's top chi² base forms of the training units."""
    out = np.zeros((len(test), labels.shape[1]), dtype=bool)
    counter = CountVectorizer(analyzer=base_forms, binary=True)
    try:
        seen = counter.fit_transform([texts[i] for i in train])
    except ValueError:  # no content word in any training unit
        return out
    held_out = counter.transform([texts[i] for i in test])
    names = counter.get_feature_names_out()
    rate = np.asarray(seen.mean(axis=0)).ravel()
    for j in range(labels.shape[1]):
        y = labels[train, j]
        if not y.any() or y.all():
            continue
        score, _ = chi2(seen, y)
        score = np.nan_to_num(score)
        positive_rate = np.asarray(seen[y].mean(axis=0)).ravel()
        candidates = np.flatnonzero((positive_rate > rate) & (score > 0))
        ranked = sorted(candidates, key=lambda f: (-score[f], names[f]))[:DERIVED_KEYWORDS]
        if ranked:
            out[:, j] = np.asarray(held_out[:, ranked].sum(axis=1)).ravel() > 0
    return out


def _codebook_keyword_hits(data: _Data, keys: list[str | None],
                           est: CodeSuggester) -> list[np.ndarray | None]:
    """Per code, the units autocoding proposes it for; None for a code without keywords."""
    out: list[np.ndarray | None] = [None] * len(keys)
    project = data.project
    if project is None:
        return out
    by_key = {c.key: c for c in project.codebook}
    with_keywords = [k for k in keys if k is not None and any(w.strip()
                                                               for w in by_key[k].keywords)]
    if not with_keywords:
        return out
    autocoder = KeywordAutocoder(unit=est.unit, codes=[by_key[k].path for k in with_keywords],
                                 role=est.role, analyser=est.analyser)
    proposals = autocoder.fit(project).predict(project)
    found = set(zip(proposals["source_id"], proposals["start"], proposals["end"],
                    proposals["code"], strict=True))
    spans = list(zip(data.units["source_id"], data.units["start"], data.units["end"],
                     strict=True))
    for j, key in enumerate(keys):
        if key in with_keywords:
            out[j] = np.array([(sid, int(s), int(e), key) in found for sid, s, e in spans],
                              dtype=bool)
    return out


def _f1(truth: np.ndarray, guess: np.ndarray) -> tuple[float, float, float]:
    p, r, f, _ = precision_recall_fscore_support(
        truth, guess, average="binary", zero_division=0.0
    )
    return float(p), float(r), float(f)


def _score_table(codes: list[str], labels: np.ndarray, predicted: np.ndarray,
                 majority: np.ndarray, keyword: np.ndarray) -> pd.DataFrame:
    rows = []
    for j, code in enumerate(codes):
        p, r, f = _f1(labels[:, j], predicted[:, j])
        rows.append((code, int(labels[:, j].sum()), p, r, f,
                     _f1(labels[:, j], majority[:, j])[2], _f1(labels[:, j], keyword[:, j])[2]))
    table = pd.DataFrame(rows, columns=EVALUATE_COLUMNS)
    macro = {c: float(table[c].mean()) for c in EVALUATE_COLUMNS[2:]}
    table.loc[len(table)] = {"code": MACRO_ROW, "n_positive": int(table["n_positive"].sum()),
                             **macro}
    return table.astype({"n_positive": "int64"})
