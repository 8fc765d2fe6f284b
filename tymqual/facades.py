"""The project's doors to the analyses: :class:`Project`'s methods that call a module above it.

``p.search(...)``, ``p.agreement(...)``, ``p.report(...)`` and the rest spell out the
signature of the function they call (so a notebook's completion and help show every
argument) and import that module on use, so the project layer never depends on the
analysis, interop or report layers at import time (ARCHITECTURE.md, layers). They live
here, as a mixin of :class:`~tymqual.project.Project`, so that ``project.py`` holds the
folder itself: loading, the ledger's coding methods and retrieval.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from tymqual.codings import DEFAULT_CODERS

if TYPE_CHECKING:  # the façades' types, from the modules they call; imported for checking
    from tymqual.agreement import Decision, Unit
    from tymqual.documents import Frame
    from tymqual.formatting import Lang
    from tymqual.morphology import Analyser, Compounds, Readings
    from tymqual.privacy import PseudonymizeReport
    from tymqual.project import Project
    from tymqual.reports import ReportFiles
    from tymqual.surveys import Survey
    from tymqual.widget import CodingWidget

__all__ = ["ProjectFacades"]


class ProjectFacades:
    """The methods of :class:`~tymqual.project.Project` that reach the analysis, interop and
    report layers; each is documented at the function it calls."""

    def _as_project(self) -> Project:
        return cast("Project", self)  # the mixin is only ever part of a Project

    def export_qdpx(
        self,
        path: str | Path,
        *,
        coder_names: Mapping[str, str] | None = None,
        status: str | Sequence[str] | None = "accepted",
    ) -> Path:
        """Export the project as REFI-QDA (.qdpx); see :func:`tymqual.refi.export_qdpx`."""
        from tymqual.refi import export_qdpx

        return export_qdpx(self._as_project(), path, coder_names=coder_names, status=status)

    def search(
        self,
        query: str,
        *,
        compounds: Compounds = "head",
        case: str | Sequence[str] | None = None,
        codes: str | Sequence[str] | None = None,
        role: str | Sequence[str] | None = None,
        context: int = 40,
        analyser: str | Analyser | None = None,
        readings: Readings = "likely",
        derivations: bool = False,
    ) -> pd.DataFrame:
        """Finnish-aware keyword in context; see :func:`tymqual.search.search`."""
        from tymqual.search import search

        return search(self._as_project(), query, compounds=compounds, case=case, codes=codes,
                      role=role, context=context, analyser=analyser, readings=readings,
                      derivations=derivations)

    def word_frequencies(
        self,
        *,
        by: Literal["source", "case", "code"] = "source",
        stopwords: bool = True,
        top: int | None = None,
        role: str | Sequence[str] | None = None,
        analyser: str | Analyser | None = None,
    ) -> pd.DataFrame:
        """Word counts by base form; see :func:`tymqual.search.word_frequencies`."""
        from tymqual.search import word_frequencies

        return word_frequencies(self._as_project(), by=by, stopwords=stopwords, top=top, role=role,
                                analyser=analyser)

    def autocode(
        self,
        *,
        unit: Literal["sentence", "turn"] = "sentence",
        codes: str | Sequence[str] | None = None,
        compounds: Compounds = "off",
        coder: str | None = None,
        role: str | Sequence[str] | None = None,
        analyser: str | Analyser | None = None,
        batch: int | None = None,
    ) -> pd.DataFrame:
        """Propose codings from the codebook's keywords; see :func:`tymqual.autocode.autocode`.

        Each saved batch (all of it, unless ``batch`` is given) is one change in the history:
        :meth:`undo` takes it back."""
        from tymqual.autocode import autocode

        return autocode(self._as_project(), unit=unit, codes=codes, compounds=compounds,
                        coder=coder, role=role, analyser=analyser, batch=batch)

    def accept(self, coding_ids: str | Iterable[str] | pd.DataFrame) -> int:
        """Accept suggested codings (ids or the frame autocode returned)."""
        from tymqual.autocode import accept

        return accept(self._as_project(), coding_ids)

    def reject(self, coding_ids: str | Iterable[str] | pd.DataFrame) -> int:
        """Reject suggested codings; a rejected suggestion is never proposed again."""
        from tymqual.autocode import reject

        return reject(self._as_project(), coding_ids)

    def pseudonymize(
        self, out: str | Path, *, key: object = None, keep_endings: bool = True
    ) -> PseudonymizeReport:
        """A pseudonymised copy as a new project; see :func:`tymqual.privacy.pseudonymize`."""
        from tymqual.privacy import pseudonymize

        return pseudonymize(self._as_project(), out, key=key, keep_endings=keep_endings)

    def sections(
        self,
        frame: str | Path | Frame = "kuntaliitto-2024",
        *,
        sources: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Sections of each document by a frame; see :func:`tymqual.documents.sections`."""
        from tymqual.documents import sections

        return sections(self._as_project(), frame, sources=sources)

    def coder(self, source_id: str, *, coder: str | None = None) -> CodingWidget:
        """The coding workbench for JupyterLab (:mod:`tymqual.widget`), showing ``source_id``.

        ``coder`` names who codes; without it, ``tymqual.yaml``'s ``coder:``, else the name
        the widget asked for before on this computer, else it asks. Needs the notebook extra
        (``pip install 'tymqual[notebook]'``); without it the ImportError says so.
        """
        from tymqual.widget import CodingWidget

        return CodingWidget(self._as_project(), source_id, coder=coder)

    def suggest(self, *, write: bool = False, **params: Any) -> pd.DataFrame:
        """Learned code suggestions for uncoded sentences, from this project's codings.

        Fits a :class:`tymqual.suggest.CodeSuggester` (``params`` are its settings, passed
        to its constructor as scikit-learn estimators take them) on the accepted codings and
        returns its ranked suggestions; ``write=True`` records them as suggestions in the
        ledger for review.
        """
        from tymqual.suggest import CodeSuggester

        return CodeSuggester(**params).fit(self._as_project()).suggest(self._as_project(),
                             write=write)

    def agreement(
        self,
        coders: Sequence[str] = DEFAULT_CODERS,
        *,
        unit: Unit = "sentence",
        min_overlap: float = 0.9,
        codes: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
        confidence: float = 0.95,
        n_boot: int = 1000,
        seed: int | None = 0,
    ) -> pd.DataFrame:
        """Intercoder agreement per code; see :func:`tymqual.agreement.project_agreement`."""
        from tymqual.agreement import project_agreement

        return project_agreement(self._as_project(), coders, unit=unit, min_overlap=min_overlap,
                                 codes=codes, sources=sources, confidence=confidence,
                                 n_boot=n_boot, seed=seed)

    def disagreements(
        self,
        coders: Sequence[str] = DEFAULT_CODERS,
        *,
        unit: Unit = "sentence",
        min_overlap: float = 0.9,
        codes: Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Every unit where the coders differ; see :func:`tymqual.agreement.disagreements`."""
        from tymqual.agreement import disagreements

        return disagreements(self._as_project(), coders, unit=unit, min_overlap=min_overlap,
                             codes=codes, sources=sources)

    def saturation(
        self,
        *,
        coder: str | Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
        kind: str | None = "interview",
    ) -> pd.DataFrame:
        """New codes per source in the order coded; see :func:`tymqual.coverage.saturation`."""
        from tymqual.coverage import saturation

        return saturation(self._as_project(), coder=coder, sources=sources, kind=kind)

    def coded_share(
        self,
        *,
        coder: str | Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The share of each source's text coded, per code; see
        :func:`tymqual.coverage.coded_share`."""
        from tymqual.coverage import coded_share

        return coded_share(self._as_project(), coder=coder, sources=sources)

    def single_coder_codes(
        self,
        *,
        sources: Sequence[str] | None = None,
        include_machine: bool = False,
    ) -> pd.DataFrame:
        """Codes only one coder used in double-coded material; see
        :func:`tymqual.coverage.single_coder_codes`."""
        from tymqual.coverage import single_coder_codes

        return single_coder_codes(self._as_project(), sources=sources,
                                  include_machine=include_machine)

    def resolve(
        self,
        source_id: str,
        code: str,
        *,
        start: int,
        end: int,
        decision: Decision,
        memo: str = "",
    ) -> str:
        """Record a consensus decision (coder ``consensus``); see ``tymqual.agreement.resolve``."""
        from tymqual.agreement import resolve

        return resolve(self._as_project(), source_id, code, start=start, end=end, decision=decision,
                       memo=memo)

    def report(
        self,
        out: str | Path,
        *,
        lang: Lang = "fi",
        survey: str | Survey | None = "auto",
        progress: bool = True,
        allow_small_cells: bool = False,
    ) -> ReportFiles:
        """Write the mixed-methods report; see :func:`tymqual.reports.build_report`."""
        from tymqual.reports import build_report

        return build_report(self._as_project(), out, lang=lang, survey=survey, progress=progress,
                            allow_small_cells=allow_small_cells)
