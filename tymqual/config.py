"""``tymqual.yaml``: a project's settings, read and checked in one place.

Every setting has a default, so the file is optional; an unknown setting, a wrong type or a
``disclosure_allow`` item without its reason is a :class:`~tymqual.errors.ProjectError` naming
the file and the setting. :class:`ProjectConfig` is what :class:`tymqual.project.Project`
keeps as ``config``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tymqual.corpus import SpeakerConfig
from tymqual.errors import ProjectError
from tymqual.storage import refuse_merge_conflict

__all__ = ["CONFIG_FILE", "DISCLOSURE_ITEMS", "ProjectConfig"]

CONFIG_FILE = "tymqual.yaml"
_CONFIG_FIELDS = {
    "name", "language", "description", "min_cell_size", "speakers", "coder", "analysis_coders",
    "disclosure_allow",
}
# What the report's disclosure review withholds unless tymqual.yaml's disclosure_allow gives
# the item with the author's reason: breakdowns with groups below min_cell_size, each
# interviewee's own survey answers beside her interview, and each interview's date, length
# and mode, and place names in the free text the report quotes.
DISCLOSURE_ITEMS = ("small_cells", "linked_answers", "interview_details", "places")


@dataclass(frozen=True)
class ProjectConfig:
    """Settings from ``tymqual.yaml``; every field has a default so the file is optional."""

    name: str = "tymqual-projekti"
    language: str = "fi"
    description: str = ""
    min_cell_size: int = 3
    coder: str = ""
    # Whose accepted codings the tables, figures and report count; empty: every coder's.
    analysis_coders: tuple[str, ...] = ()
    # Items of DISCLOSURE_ITEMS the author shows anyway, each with the reason (item, reason).
    disclosure_allow: tuple[tuple[str, str], ...] = ()
    speakers: SpeakerConfig = field(default_factory=SpeakerConfig)

    @classmethod
    def read(cls, path: Path) -> ProjectConfig:
        """Read ``tymqual.yaml``; a missing file gives the defaults."""
        if not path.exists():
            return cls()
        try:
            text = path.read_text(encoding="utf-8-sig")
            refuse_merge_conflict(text, str(path), error=ProjectError)
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ProjectError(f"{path}: not valid YAML ({exc}).") from exc
        if not isinstance(data, dict):
            raise ProjectError(
                f"{path}: expected a mapping of settings, got {type(data).__name__}."
            )
        unknown = sorted(set(data) - _CONFIG_FIELDS)
        if unknown:
            raise ProjectError(
                f"{path}: unknown setting(s) {', '.join(unknown)}; "
                f"allowed are {', '.join(sorted(_CONFIG_FIELDS))}."
            )
        min_cell = data.get("min_cell_size", 3)
        if not isinstance(min_cell, int) or isinstance(min_cell, bool) or min_cell < 1:
            raise ProjectError(
                f"{path}: min_cell_size must be a whole number ≥ 1, got {min_cell!r}."
            )
        coders = data.get("analysis_coders") or []
        if isinstance(coders, str):
            coders = [coders]
        if not isinstance(coders, list) or not all(isinstance(c, str) and c for c in coders):
            raise ProjectError(
                f"{path}: analysis_coders must be a list of coder names, e.g. [A] or "
                f"[consensus], got {coders!r}."
            )
        return cls(
            analysis_coders=tuple(coders),
            disclosure_allow=_disclosure_allow(data.get("disclosure_allow"), path),
            name=str(data.get("name", cls.name)),
            language=str(data.get("language", "fi")),
            description=str(data.get("description", "")),
            min_cell_size=min_cell,
            coder=str(data.get("coder", "")),
            speakers=SpeakerConfig.from_dict(data.get("speakers"), where=str(path)),
        )


def _disclosure_allow(value: object, path: Path) -> tuple[tuple[str, str], ...]:
    """``disclosure_allow`` of tymqual.yaml: a mapping of DISCLOSURE_ITEMS to reasons."""
    if value is None:
        return ()
    example = "disclosure_allow: {interview_details: \"the reason, in your words\"}"
    if not isinstance(value, dict):
        raise ProjectError(f"{path}: disclosure_allow must be a mapping such as {example}.")
    allowed = []
    for item, reason in value.items():
        if item not in DISCLOSURE_ITEMS:
            raise ProjectError(
                f"{path}: disclosure_allow names {item!r}, which is not withheld by the report; "
                f"the items are {', '.join(DISCLOSURE_ITEMS)}."
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ProjectError(
                f"{path}: disclosure_allow: {item} needs the reason for showing it (the report's "
                f"methods section cites it), e.g. {example}."
            )
        allowed.append((str(item), " ".join(reason.split())))
    return tuple(allowed)
