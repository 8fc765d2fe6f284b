"""Hostile sources: links out of the project, binary or garbled text, zip bombs, huge files."""

from __future__ import annotations

import codecs
import os
import random
import subprocess
import sys
import warnings
import zipfile
import zlib
from pathlib import Path

import docx
import pandas as pd
import pytest
from odf.opendocument import OpenDocumentText
from odf.text import P
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

import tymqual
from tymqual.corpus import MAX_TEXT_BYTES, load_source
from tymqual.errors import RefiError, SourceError, SurveyError, TymqualWarning
from tymqual.integrity import check
from tymqual.leaks import check_leaks
from tymqual.refi import export_qdpx
from tymqual.refi.project_import import _decode as refi_decode
from tymqual.storage import decode_any as privacy_decode
from tymqual.surveys import read_survey
from tymqual.text import normalize_text

SECRET = "SALAINEN-ULKOPUOLINEN-RIVI root:x:0:0"
INSIDE = "H: Mitä kuuluu?\nV: Hyvää kuuluu, kiitos kysymästä.\n"


def _open(root: Path) -> tuple[tymqual.Project, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p = tymqual.open_project(root)
    return p, [str(w.message) for w in caught if issubclass(w.category, TymqualWarning)]


@pytest.mark.parametrize("folder", ["transcripts", "documents", "surveys"])
def test_a_link_out_of_the_project_is_skipped_and_named(tmp_path: Path, folder: str) -> None:
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    suffix = ".csv" if folder == "surveys" else ".txt"
    secret = outside / f"secret{suffix}"
    secret.write_text("id,vastaus\n1,x\n" if folder == "surveys" else SECRET, encoding="utf-8")
    (root / folder).mkdir(exist_ok=True)
    os.symlink(secret, root / folder / f"ulos{suffix}")
    (root / "transcripts" / "oma.txt").write_text(INSIDE, encoding="utf-8")
    p, messages = _open(root)
    assert "ulos" not in p.source_ids
    assert f"{folder}/ulos{suffix}" in set(p.skipped["path"])
    assert any(f"ulos{suffix}" in m and "outside the project" in m for m in messages)
    found = check(p)
    assert "skipped_sources" in set(found["problem"])


def test_links_inside_stay_and_outside_content_never_reaches_an_export(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    secret = tmp_path / "passwd"
    secret.write_text(SECRET, encoding="utf-8")
    (root / "transcripts" / "oma.txt").write_text(INSIDE, encoding="utf-8")
    os.symlink(secret, root / "transcripts" / "passwd.txt")
    # A ".." route that resolves outside is the same thing as a link out.
    (root / "documents").mkdir(exist_ok=True)
    os.symlink(root / ".." / "passwd", root / "documents" / "ylos.txt")
    # A link to a file inside the project is an ordinary source.
    (root / "aineisto").mkdir()
    (root / "aineisto" / "sisalla.txt").write_text(INSIDE, encoding="utf-8")
    os.symlink(root / "aineisto" / "sisalla.txt", root / "transcripts" / "linkki.txt")
    # A link that leads nowhere is named, not dropped in silence.
    os.symlink(tmp_path / "ei-ole.txt", root / "transcripts" / "tyhja.txt")
    p, _ = _open(root)
    assert {"oma", "linkki"} <= set(p.source_ids)
    assert not {"passwd", "ylos", "tyhja"} & set(p.source_ids)
    assert {"transcripts/passwd.txt", "documents/ylos.txt", "transcripts/tyhja.txt"} <= set(
        p.skipped["path"]
    )
    target = export_qdpx(p, tmp_path / "vienti.qdpx")
    with zipfile.ZipFile(target) as archive:
        for info in archive.infolist():
            assert b"SALAINEN-ULKOPUOLINEN" not in archive.read(info)


def test_a_linked_folder_out_of_the_project_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    outside = tmp_path / "muut"
    outside.mkdir()
    (outside / "vieras.txt").write_text(SECRET, encoding="utf-8")
    if (root / "documents").exists():
        os.rmdir(root / "documents")
    os.symlink(outside, root / "documents")
    p, _ = _open(root)
    assert "vieras" not in p.source_ids
    assert "documents/vieras.txt" in set(p.skipped["path"])


# ---------------------------------------------------------------------------- one decoder
NAME = "Äijälä-Öhman Jääskeläinen"
LINE = f"H: Kuka soitti?\nV: {NAME} soitti eilen, €5 – ”kiitos”.\n"


def _encoded(text: str, encoding: str) -> bytes:
    marks = {
        "utf-8": b"",
        "utf-8-sig": codecs.BOM_UTF8,
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }
    return marks[encoding] + text.encode(encoding.removesuffix("-sig"))


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_reader_decodes_every_marked_unicode_alike(tmp_path: Path, encoding: str) -> None:
    data = _encoded(LINE, encoding)
    path = tmp_path / "haastattelu.txt"
    path.write_bytes(data)
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    (root / "transcripts" / "h1.txt").write_bytes(data)
    p, _ = _open(root)
    assert NAME in p.text("h1")
    survey_csv = tmp_path / "kysely.csv"
    survey_csv.write_bytes(_encoded(f"id,Kuka soitti?\n1,{NAME}\n2,ei kukaan\n", encoding))
    survey = read_survey(survey_csv)
    assert NAME in survey.responses.astype(str).to_string()
    notes: list[str] = []
    assert NAME in refi_decode(data, "x.qdpx: sources/a.txt", notes)
    assert notes == []
    assert NAME in privacy_decode(data)
    key = pd.DataFrame({"original": [NAME], "label": ["[Henkilö 1]"], "kind": ["person"]})
    assert list(check_leaks(path, key)["found"]) != []


def test_random_bytes_named_txt_are_refused_naming_the_file(tmp_path: Path) -> None:
    rng = random.Random(15)
    data = bytes(rng.choice(range(1, 256)) for _ in range(4096))
    with pytest.raises(SourceError, match=r"roskaa\.txt.*does not look like text"):
        load_source(_write(tmp_path / "roskaa.txt", data))
    with pytest.raises(SurveyError, match=r"roskaa\.csv.*does not look like text"):
        read_survey(_write(tmp_path / "roskaa.csv", data))
    with pytest.raises(RefiError, match="does not look like text"):
        refi_decode(data, "x.qdpx: sources/roskaa.txt", [])
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    _write(root / "transcripts" / "roskaa.txt", data)
    p, messages = _open(root)
    assert "roskaa" not in p.source_ids
    assert any("roskaa.txt" in m and "does not look like text" in m for m in messages)


@pytest.mark.parametrize(
    "text",
    [
        LINE * 40,
        "H: Mitä mieltä olette?\nV: Ehkä. Öljylämmitys, äänet, Åland ja säännöt.\n" * 3,
        "V: Hyvää päivää.\n",
        "Sivu 1\fSivu 2\vrivi\ttabulaattori\r\n\x1a",
    ],
)
def test_genuine_cp1252_finnish_text_still_loads(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path / "h.txt", text.encode("cp1252"))
    doc = load_source(path)
    assert doc.meta["encoding"] == ("utf-8" if text.isascii() else "cp1252")
    assert normalize_text(text).strip("\x1a").strip() in doc.text


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------- zip bombs
_PARAGRAPH = b"<w:p><w:r><w:t>Verkostojohtaja on meill\xc3\xa4 liima.</w:t></w:r></w:p>"
_ODT_PARAGRAPH = b"<text:p>Verkostojohtaja on meill\xc3\xa4 liima.</text:p>"
_MEASURE = """
import resource, sys, time
from pathlib import Path
from tymqual.corpus import MAX_TEXT_BYTES, load_source
from tymqual.errors import SourceError
start = time.perf_counter()
try:
    load_source(Path(sys.argv[1]))
    outcome = "loaded"
except SourceError as exc:
    outcome = str(exc)
try:  # VmHWM starts afresh at exec; ru_maxrss inherits the forking pytest's peak on Linux
    status = open("/proc/self/status").read()
    rss = int(status.split("VmHWM:")[1].split()[0]) * 1024
except (OSError, IndexError):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(f"{time.perf_counter() - start}\\t{rss}\\t{outcome}")
"""


def _real_document(tmp_path: Path, suffix: str) -> Path:
    """A small document written by its usual library, to be blown up part by part."""
    path = tmp_path / f"pieni{suffix}"
    if suffix == ".docx":
        document = docx.Document()
        document.add_paragraph("H: Miten verkostoa johdetaan?")
        document.save(str(path))
    else:
        odt = OpenDocumentText()
        odt.text.addElement(P(text="H: Miten verkostoa johdetaan?"))
        odt.save(str(path))
    return path


def _bomb(tmp_path: Path, suffix: str, unpacked: int) -> Path:
    """The real document with its body part swollen to ``unpacked`` bytes, written streaming."""
    small = _real_document(tmp_path, suffix)
    body, paragraph = (
        ("word/document.xml", _PARAGRAPH) if suffix == ".docx" else ("content.xml", _ODT_PARAGRAPH)
    )
    target = tmp_path / f"pommi{suffix}"
    chunk = paragraph * (1024**2 // len(paragraph))
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(
        target, "w", zipfile.ZIP_DEFLATED
    ) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != body:
                out.writestr(info, data, compress_type=info.compress_type)
                continue
            head, _, tail = data.partition(b"</w:body>" if suffix == ".docx" else b"</office:text>")
            with out.open(body, "w", force_zip64=True) as stream:
                stream.write(head.split(b"<w:sectPr")[0] if suffix == ".docx" else head)
                written = 0
                while written < unpacked:
                    stream.write(chunk)
                    written += len(chunk)
                stream.write((b"</w:body>" if suffix == ".docx" else b"</office:text>") + tail)
    return target


def _measure(path: Path) -> tuple[float, int, str]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seconds, rss, outcome = done.stdout.strip().split("\t", 2)
    return float(seconds), int(rss), outcome


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
@pytest.mark.parametrize(
    ("unpacked", "limit"),
    [(300 * 1024**2, "more than the limit of 209,715,200"), (120 * 1024**2, "times larger")],
)
def test_a_zip_bomb_document_is_refused_before_it_is_unpacked(
    tmp_path: Path, suffix: str, unpacked: int, limit: str
) -> None:
    bomb = _bomb(tmp_path, suffix, unpacked)
    assert bomb.stat().st_size < 5 * 1024**2
    _, rss, outcome = _measure(bomb)
    assert bomb.name in outcome and limit in outcome
    # Memory, not time, shows it was refused before unpacking (no test asserts a timing).
    assert rss < 300 * 1024**2


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_a_document_within_the_limits_still_loads(tmp_path: Path, suffix: str) -> None:
    assert "verkostoa" in load_source(_real_document(tmp_path, suffix)).text
    # The bomb maker makes real documents: a small one loads, every paragraph in it.
    text = load_source(_bomb(tmp_path, suffix, 2 * 1024**2)).text
    assert text.count("Verkostojohtaja on meillä liima.") > 30_000


# ---------------------------------------------------------------------------- large text
_OPEN_PROJECT = """
import resource, sys, time, warnings
import tymqual
start = time.perf_counter()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    p = tymqual.open_project(sys.argv[1])
try:  # VmHWM starts afresh at exec; ru_maxrss inherits the forking pytest's peak on Linux
    status = open("/proc/self/status").read()
    rss = int(status.split("VmHWM:")[1].split()[0]) * 1024
except (OSError, IndexError):
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
message = " ".join(str(w.message) for w in caught).replace("\\t", " ")
print(f"{time.perf_counter() - start}\\t{rss}\\t{sorted(p.source_ids)} {message}")
"""


def _open_measured(root: Path) -> tuple[float, int, str]:
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_PROJECT, str(root)],
        capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seconds, rss, outcome = done.stdout.strip().split("\t", 2)
    return float(seconds), int(rss), outcome


@pytest.mark.parametrize("suffix", [".txt", ".md", ".vtt"])
def test_a_text_source_over_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, suffix: str
) -> None:
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    (root / "transcripts" / "oma.txt").write_text(INSIDE, encoding="utf-8")
    huge = root / "transcripts" / f"valtava{suffix}"
    with huge.open("wb") as f:  # sparse: the disk holds almost nothing
        f.truncate(MAX_TEXT_BYTES + 1)
    _, rss, outcome = _open_measured(root)
    assert "['oma']" in outcome
    assert f"valtava{suffix}" in outcome and f"limit of {MAX_TEXT_BYTES:,}" in outcome
    assert rss < 300 * 1024**2
    with pytest.raises(SourceError, match=f"valtava\\{suffix}.*limit of"):
        load_source(huge)


def test_a_large_text_under_the_limit_loads_in_bounded_memory(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    tymqual.init_project(root, name="testi")
    turn = "H: Miten verkostoa johdetaan?\nV: Verkostojohtaja on meillä liima.\n".encode()
    path = root / "transcripts" / "pitka.txt"
    path.write_bytes(turn * (8 * 1024**2 // len(turn)))
    _, rss, outcome = _open_measured(root)
    assert outcome.startswith("['pitka']")
    # An 8 MB file costs tens of MB (the cache reads it twice to hash it), not gigabytes.
    assert rss < 400 * 1024**2


def _pdf_bomb(path: Path, unpacked: int) -> Path:
    """A one-page PDF whose text stream inflates to ``unpacked`` bytes."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    line = b"BT /F1 12 Tf 10 10 Td (Verkostojohtaja on liima) Tj ET\n" * 20_000
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(line) for _ in range(unpacked // len(line)))
    stream = StreamObject()
    stream._data = packed + packer.flush()  # stored as packed: set_data would pack it again
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    with path.open("wb") as f:
        writer.write(f)
    return path


def test_a_pdf_bomb_is_refused_by_pypdf_limits(tmp_path: Path) -> None:
    # pypdf inflates no stream past pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH (75 MB), so the .pdf
    # loader needs no zip check of its own; this holds it to that.
    assert "Verkostojohtaja" in load_source(_pdf_bomb(tmp_path / "pieni.pdf", 2 * 1024**2)).text
    bomb = _pdf_bomb(tmp_path / "pommi.pdf", 300 * 1024**2)
    assert bomb.stat().st_size < 5 * 1024**2
    _, rss, outcome = _measure(bomb)
    assert "pommi.pdf" in outcome and "Limit reached" in outcome
    assert rss < 400 * 1024**2


def _swollen_xlsx(tmp_path: Path, unpacked: int) -> Path:
    """A real workbook (openpyxl) with one more part of ``unpacked`` zero bytes, streamed."""
    from openpyxl import Workbook

    small = tmp_path / "pieni.xlsx"
    book = Workbook()
    book.active.append(["id", "q1"])
    book.active.append(["1", "Samaa mieltä"])
    book.save(small)
    target = tmp_path / "kysely.xlsx"
    with zipfile.ZipFile(small) as source, zipfile.ZipFile(target, "w",
                                                            zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info), compress_type=info.compress_type)
        with out.open("xl/media/tyhja.bin", "w", force_zip64=True) as stream:
            chunk = bytes(1024**2)
            for _ in range(unpacked // len(chunk)):
                stream.write(chunk)
    return target


def test_a_zip_bomb_survey_workbook_is_refused_before_it_unpacks(tmp_path: Path) -> None:
    from tymqual.errors import SurveyError
    from tymqual.surveys import read_survey

    bomb = _swollen_xlsx(tmp_path, 120 * 1024**2)
    assert bomb.stat().st_size < 5 * 1024**2
    with pytest.raises(SurveyError, match=r"kysely.xlsx: the part 'xl/media/tyhja.bin' unpacks "
                       r".* times larger than it is packed"):
        read_survey(bomb)


def test_the_leak_check_says_a_zip_bomb_was_not_unpacked(tmp_path: Path) -> None:
    from tymqual.errors import TymqualWarning
    from tymqual.leaks import check_leaks

    _swollen_xlsx(tmp_path, 120 * 1024**2)
    (tmp_path / "pieni.xlsx").unlink()
    key = pd.DataFrame({"original": ["Matti Virtanen"], "label": ["[H1]"], "kind": ["person"]})
    with pytest.warns(TymqualWarning, match=r"kysely.xlsx \(as .xlsx: PrivacyError"):
        assert check_leaks(tmp_path, key).empty
