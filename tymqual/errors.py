"""One error family for everything tymqual refuses to do.

Every message is a whole sentence that names the file, row, column or argument at fault and,
where there is one, the remedy. All errors derive from :class:`TymqualError`, itself a
``ValueError``, so ``except ValueError`` in a user's notebook still catches them.
"""

from __future__ import annotations


class TymqualError(ValueError):
    """Base class of every error tymqual raises on bad input."""


class SourceError(TymqualError):
    """A source file cannot be read, decoded or parsed."""


class CodebookError(TymqualError):
    """The codebook is invalid, or a code name, key or path does not resolve."""


class CodingError(TymqualError):
    """A coding cannot be made, found or stored."""


class ProjectError(TymqualError):
    """The project folder or one of its files (cases, configuration) is invalid."""


class SurveyError(TymqualError):
    """A survey export is malformed or ambiguous."""


class DisclosureError(TymqualError):
    """A reader-facing table would show a cell small enough to identify a person."""


class TymqualWarning(UserWarning):
    """Something was skipped or repaired; the message says what and where."""


class StorageError(TymqualError):
    """A file could not be written (a full disk, a read-only folder); the old file is kept."""
