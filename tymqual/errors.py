"""One error family for everything tymqual refuses to do.

Every message is a whole sentence that names the file, row, column or argument at fault and,
where there is one, the remedy. All errors derive from :class:`TymqualError`, itself a
``ValueError``, so ``except ValueError`` in a user's notebook still catches them.
"""

from __future__ import annotations

import os


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


class StorageError(TymqualError, OSError):
    """A file could not be written (full disk, read-only folder, no permission, disk error).

    The message names the file, the cause in plain words and what was kept; the original
    ``OSError`` is ``__cause__``, and ``errno``, ``strerror`` and ``filename`` are copied from
    it, so an ``except OSError`` written for the plain error still catches this one.
    ``path`` is the file meant, ``reason`` the cause in words (``"the disk is full"``).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        reason: str = "",
        cause: OSError | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason
        if cause is not None:
            self.errno, self.strerror, self.filename = cause.errno, cause.strerror, cause.filename

    def __str__(self) -> str:
        # OSError would print "[Errno 28] ...: file" once errno is set; the sentence is the point.
        return str(self.args[0]) if self.args else ""


class AgreementError(TymqualError):
    """The data or arguments of an agreement statistic or comparison cannot be used."""


class PrivacyError(TymqualError):
    """A key is invalid, or pseudonymisation cannot be done as asked."""


class LeakError(PrivacyError):
    """An original from the key (a name, place or identifier) is still in a file."""


class RefiError(TymqualError):
    """A REFI-QDA file cannot be read, is unsafe to read, or cannot be written."""


class TymqualWarning(UserWarning):
    """Something was skipped or repaired; the message says what and where."""
