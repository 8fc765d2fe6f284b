"""The QDA-XML vocabulary both directions share: namespaces, guidance labels, limits, GUIDs."""

from __future__ import annotations

import re
import unicodedata
import uuid
import zipfile
import zlib
from datetime import UTC, datetime

#: uuid5(NAMESPACE_URL, "tymqual:refi-qda"), written out so that it can never drift.
NAMESPACE = uuid.UUID("1008e1b6-6cf3-54fd-a066-b222b583edbd")
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
MAX_ENTRIES = 100_000
MAX_DEPTH = 100  # code nesting; real codebooks stop well below 10
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_URL = "http://schema.qdasoftware.org/versions/{0}/v1.0/{0}.xsd"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 1024**2
SNIPPET = 100

LABELS: dict[str, dict[str, str]] = {
    "fi": {
        "use_when": "Käytä, kun",
        "do_not_use_when": "Älä käytä, kun",
        "example": "Esimerkki",
        "keywords": "Avainsanat",
        "key": "Avain",
        "memo": "Muistio",
        "reduced": "Pelkistetty ilmaus",
    },
    "en": {
        "use_when": "Use when",
        "do_not_use_when": "Do not use when",
        "example": "Example",
        "keywords": "Keywords",
        "key": "Key",
        "memo": "Memo",
        "reduced": "Reduced expression",
    },
}
GUIDANCE_FIELDS = ("use_when", "do_not_use_when", "example", "keywords", "key")
LABEL_FIELD = {
    labels[f].casefold(): (lang, f) for lang, labels in LABELS.items() for f in GUIDANCE_FIELDS
}
LABEL_LINE = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(label) for label in sorted(LABEL_FIELD, key=len, reverse=True))
    + r")[ \t]*:[ \t]*(?P<value>.*)$",
    re.IGNORECASE,
)
REDUCED_NAMES = {LABELS[lang]["reduced"].casefold() for lang in LABELS} | {"reduced"}
NOT_KEY_CHARS = re.compile(r"[^\w-]+")  # as tymqual.codebook derives keys from names
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
COLOR = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
GUID_PATTERN = re.compile(
    r"\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?", re.I
)
UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]+')
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(1, 10)}
)
DOCUMENT_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".html", ".htm", ".vtt"}
)
NEWLINES = re.compile(r"\r\n?|\u2028|\u2029|\x85")  # as tymqual.text.normalize_text
ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# What zipfile and zlib raise on a damaged, encrypted or foreign archive or entry.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
)
# (name, counts UTF-16 code units, counts CRLF as two), the standard first: ties go to it.
CONVENTIONS: tuple[tuple[str, bool, bool], ...] = (
    ("code_points", False, True),
    ("utf16", True, True),
    ("code_points_lf", False, False),
    ("utf16_lf", True, False),
)


def key_from_name(name: str) -> str:
    """The key tymqual derives from a code name (see :meth:`Codebook.add`)."""
    text = unicodedata.normalize("NFC", name).strip()
    return NOT_KEY_CHARS.sub("_", text.lower()).strip("_")


def creation_time(created: str) -> str | None:
    """``created`` as an xsd:dateTime in UTC, or None if it is empty or not a date and time."""
    try:
        moment = datetime.fromisoformat(created.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
