"""REFI-QDA exchange: the codebook (.qdc) and the whole project (.qdpx), out and in.

For Kela units that continue an analysis in ATLAS.ti, MAXQDA, NVivo, QualCoder or Taguette, or
bring work done there into tymqual. REFI-QDA is QDA-XML 1.0 (www.qdasoftware.org; the document
"REFI-QDA 1.5", 2019): a codebook file (XML, ``urn:QDA-XML:codebook:1.0``) and a project file, a
zip holding ``project.qde`` (XML, ``urn:QDA-XML:project:1.0``) and the sources under ``sources/``.

**Export** (:func:`export_qdc`, :func:`export_qdpx`) writes files that validate against the
official schemas. Codes nest as ``<Code>`` elements with their colour; the coder guidance goes
into ``<Description>``: the definition, then labelled lines (``Käytä, kun:``, ``Älä käytä, kun:``,
``Esimerkki:``, ``Avainsanat:``, and ``Avain:`` when the key is not the one the name gives; English
labels when the codebook's language is not Finnish), which :func:`import_qdc` reads back. Each
source is its normalised text, UTF-8, at ``sources/<guid>.txt`` (``internal://``); each coded span
is a ``<PlainTextSelection>`` with one ``<Coding>`` per coding, positions in tymqual's own
convention; memos and reduced expressions are ``<Note>``\\ s referred to by the coding's
``<NoteRef>``; each coder is a ``<User>``; cases are ``<Cases>`` with their attributes as text
``<Variables>``. Only *accepted* codings are exported unless ``status`` says otherwise.
Exports are deterministic: every GUID is uuid5 of a stable key under :data:`NAMESPACE` (``code:``
key, ``source:`` id, ``coding:`` id, ``case:`` id, ``user:`` coder, ``variable:`` name), zip entries
are sorted and carry a fixed timestamp, and no clock time is written (a coding's
``creationDateTime`` is its ``created``), so the same project gives byte-identical files.

**Import** (:func:`import_qdc`, :func:`import_qdpx`) copes with what real files do: namespace
variants (elements are matched on local names), ``project.qde``/``Project.qde``/``<name>.qde``,
``sources/``/``Sources/``, ``internal://``/``relative://``/bare paths, hierarchies written into flat
names (``Coke::diet Coke``), reused GUIDs, empty ``<Sets/>``, missing source files, PDF and media
sources (their plain-text representation or transcript is imported when present; the rest is
skipped with a note), and other counting conventions for positions.

**Offsets.** REFI-QDA and tymqual count 0-based, end-exclusive Unicode code points, a CRLF line end
being two. NVivo counts UTF-16 code units instead (an emoji is two), and some tools count a CRLF
as one. For each source with selections, every convention is tried: the one under which the
selections' quoted text (the selection ``name`` often holds it) matches, and whose boundaries fall
between characters and words rather than inside them, wins; ties go to the standard. Positions are
then converted to code points of the normalised text (NFC, ``\\n``, no BOM). The report names the
convention found for each source: ``code_points``, ``utf16``, ``code_points_lf`` or ``utf16_lf``.

**Safety.** Files from outside are parsed with defusedxml (no DTD entities, no external
references: billion-laughs and XXE files are refused), zip entries are never extracted by their
own names (and an archive with an absolute or ``..`` entry is refused outright), declared and
actual uncompressed sizes are capped (:data:`MAX_ENTRY_BYTES`, :data:`MAX_TOTAL_BYTES`), and names
from the file become file names only after sanitising. Every refusal is a :class:`RefiError`
naming the file and the problem, raised before anything is written.
"""

from tymqual.errors import RefiError
from tymqual.refi.archive import ImportReport
from tymqual.refi.codes import import_qdc
from tymqual.refi.export import export_qdc, export_qdpx
from tymqual.refi.project_import import import_qdpx
from tymqual.refi.qdaxml import NAMESPACE
from tymqual.storage import MAX_ENTRY_BYTES, MAX_TOTAL_BYTES

__all__ = [
    "MAX_ENTRY_BYTES",
    "MAX_TOTAL_BYTES",
    "NAMESPACE",
    "ImportReport",
    "RefiError",
    "export_qdc",
    "export_qdpx",
    "import_qdc",
    "import_qdpx",
]
