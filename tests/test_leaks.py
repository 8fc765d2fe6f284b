"""The leak check: inflected and respelled originals, and where in each file format they are."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from tymqual.errors import TymqualWarning
from tymqual.leaks import assert_no_leaks, check_leaks
from tymqual.privacy import LeakError

# The key of test_privacy.py: made-up people and identifiers.
KEY = pd.DataFrame(
    [
        ("Matti Virtanen", "[Henkilö 1]", "person"),
        ("Virtanen", "[Henkilö 1]", "person"),
        ("Joensuu", "[Kunta 2]", "place"),
        ("matti.virtanen@example.invalid", "[Sähköposti 1]", "other"),
        ("040 123 4567", "[Puhelinnumero 1]", "other"),
        ("010101-123N", "[Henkilötunnus 1]", "other"),
    ],
    columns=["original", "label", "kind"],
)


# ---------------------------------------------------------------------------- matching
def leaks_in(tmp_path: Path, text: str, original: str) -> list[str]:
    (tmp_path / "teksti.txt").write_text(text, encoding="utf-8")
    key = pd.DataFrame({"original": [original], "label": ["[X]"], "kind": ["other"]})
    return list(check_leaks(tmp_path / "teksti.txt", key)["found"])


@pytest.fixture(params=["analyser", "suffix rules only"])
def analyser_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param != "analyser":
        monkeypatch.setattr("tymqual.leaks.finnish_analyser", lambda: None)
    return str(request.param)


@pytest.mark.parametrize(
    ("original", "form"),
    [("Virtanen", "Virtasen"), ("Virtanen", "Virtaselle"), ("Virtanen", "Virtasta"),
     ("Virtanen", "virtasillekin"), ("Joensuu", "Joensuussa"), ("Joensuu", "Joensuun"),
     ("Joensuu", "Joensuuhun"), ("Joensuu", "joensuulaiset"), ("Tampere", "Tampereella"),
     ("Rovaniemi", "Rovaniemellä"), ("Helsinki", "Helsingissä"), ("Matti", "Matin"),
     ("Lappeenranta", "Lappeenrannassa"), ("Pohjois-Karjala", "Pohjois-Karjalassa"),
     ("Matti Virtanen", "Matti Virtasen"), ("Virtanen", "Virtasenkatu"),
     ("Joensuu", "Joensuunkatu"), ("040 123 4567", "+358 40 1234567"),
     ("040 123 4567", "040-1234567"), ("Matti.Virtanen@Example.invalid",
                                       "matti.virtanen@example.invalid")],
)
def test_inflected_and_respelled_forms_are_found(
    tmp_path: Path, analyser_mode: str, original: str, form: str
) -> None:
    assert leaks_in(tmp_path, f"Sanoin sen ({form}) eilen.", original) == [form]


@pytest.mark.parametrize(
    ("original", "text"),
    [("Salo", "Salonen"), ("Lahti", "Lahtinen"), ("Kotka", "kota"),
     ("Matti Virtanen", "Matti ja Virtanen"), ("040 123 4567", "040 123 45678")],
)
def test_other_words_are_not_matches(tmp_path: Path, analyser_mode: str, original: str,
                                     text: str) -> None:
    assert leaks_in(tmp_path, text, original) == []


def test_the_analyser_finds_irregular_stems(tmp_path: Path) -> None:
    from tymqual.morphology import get_analyser

    if get_analyser().name != "voikko":
        pytest.skip("Voikko is not installed (apt-get install libvoikko1 voikko-fi)")
    assert leaks_in(tmp_path, "Asun Uudellamaalla.", "Uusimaa") == ["Uudellamaalla"]


# ---------------------------------------------------------------------------- leak check
def xlsx_export(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Taulukot"
    sheet = book.create_sheet("Lainaukset")
    sheet["C7"] = "Tapasin Virtasen eilen."
    book.save(path)


def html_export(path: Path) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg">\n<!-- Joensuussa -->\n</svg>\n'
    data = base64.b64encode(svg.encode()).decode()
    path.write_text(f'<html><body>\n<img src="data:image/svg+xml;base64,{data}">\n'
                    "<p>Puhuin Virtasen kanssa.</p>\n</body></html>\n", encoding="utf-8")


def docx_export(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Johdanto")
    paragraph = document.add_paragraph("Haastateltava ")
    paragraph.add_run("Virta")
    paragraph.add_run("sen mukaan asia eteni.")  # one word split over two runs
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 1).text = "Joensuun alue"
    document.sections[0].header.paragraphs[0].text = "Haastattelu: Matti Virtanen"
    document.save(str(path))


QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Testi">
<Sources><TextSource guid="a" name="Virtasen haastattelu" plainTextPath="internal://a.txt"/>
</Sources></Project>
"""


def qdpx_export(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", QDE)
        archive.writestr("sources/a.txt", "H: Missä?\nV: Joensuussa.\n")


def zip_export(path: Path) -> None:
    inner = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Muistio: Virtaselle tiedoksi.")
    document.save(inner)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("liitteet/muistio.docx", inner.getvalue())


def csv_export(path: Path) -> None:
    path.write_text("case,lainaus\nH1,Kela on mukana\nH3,Me ollaan Joensuussa\n", encoding="utf-8")


def json_export(path: Path) -> None:
    path.write_text(json.dumps({"teksti": "Asun Järvenpäässä"}) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("raportti.xlsx", xlsx_export, [("sheet 'Lainaukset', cell C7", "Virtasen")]),
        ("raportti.html", html_export, [("line 2, embedded SVG image, line 2", "Joensuussa"),
                                        ("line 3", "Virtasen")]),
        ("koodikirja.docx", docx_export, [("paragraph 2", "Virtasen"),
                                          ("table 1, row 1, cell 2", "Joensuun"),
                                          ("section 1 header, paragraph 1", "Matti Virtanen")]),
        ("projekti.qdpx", qdpx_export, [("entry 'project.qde', line 3", "Virtasen"),
                                        ("entry 'sources/a.txt', line 2", "Joensuussa")]),
        ("liitteet.zip", zip_export,
         [("entry 'liitteet/muistio.docx', paragraph 1", "Virtaselle")]),
        ("lainaukset.csv", csv_export, [("row 3, column B ('lainaus')", "Joensuussa")]),
        ("data.json", json_export, [("line 1", "Järvenpäässä")]),
    ],
)
def test_a_planted_original_is_found_where_it_is(
    tmp_path: Path, name: str, make: Callable[[Path], None], expected: list[tuple[str, str]]
) -> None:
    folder = tmp_path / "raportti"
    folder.mkdir()
    make(folder / name)
    key = pd.concat([KEY, pd.DataFrame([("Järvenpää", "[Kunta 3]", "place")],
                                       columns=list(KEY.columns))], ignore_index=True)
    leaks = check_leaks(folder, key)
    assert list(leaks.columns) == ["file", "location", "found"]
    assert set(leaks["file"]) == {name}
    assert list(zip(leaks["location"], leaks["found"], strict=True)) == expected


def test_assert_no_leaks_names_file_sheet_and_cell(tmp_path: Path) -> None:
    xlsx_export(tmp_path / "raportti.xlsx")
    with pytest.raises(LeakError, match=r"raportti\.xlsx, sheet 'Lainaukset', cell C7: 'Virtasen'"):
        assert_no_leaks(tmp_path, KEY)
    (tmp_path / "raportti.xlsx").unlink()
    csv_export(tmp_path / "puhdas.csv")
    assert_no_leaks(tmp_path, KEY.iloc[[3, 4, 5]])  # the identifiers are not in it


def test_file_names_are_checked_and_unreadable_files_named(tmp_path: Path) -> None:
    (tmp_path / "Virtanen_muistio.txt").write_text("Ei mitään.\n", encoding="utf-8")
    (tmp_path / "liite.pdf").write_bytes(b"%PDF-1.4 binary")
    _png(tmp_path / "kuva.png", {})
    (tmp_path / "kuva.svg").write_text("<svg/>\n", encoding="utf-8")
    with pytest.warns(TymqualWarning, match="liite.pdf") as caught:
        leaks = check_leaks(tmp_path, KEY)
    assert "kuva.png" not in str(caught[0].message)  # its SVG twin was read
    assert list(leaks.itertuples(index=False, name=None)) == [
        ("Virtanen_muistio.txt", "file name", "Virtanen")]


def _png(path: Path, chunks: dict[str, str]) -> None:
    """A real PNG written by matplotlib (Pillow), with the given text chunks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 1))
    fig.savefig(path, format="png", metadata=chunks)
    plt.close(fig)


def test_png_text_chunks_are_read_and_pixels_said(tmp_path: Path) -> None:
    _png(tmp_path / "kuvio.png", {"Title": "Haastattelu: Matti Virtanen", "Author": "Virtasen"})
    with pytest.warns(TymqualWarning, match=r"kuvio.png \(its pixels"):
        leaks = check_leaks(tmp_path, KEY)
    found = {(row.location, row.found) for row in leaks.itertuples(index=False)}
    assert ("text chunk 'Title'", "Matti Virtanen") in found
    assert ("text chunk 'Author'", "Virtasen") in found


def test_pdf_text_and_document_information_are_read(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "liite.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setAuthor("Matti Virtanen")
    pdf.drawString(72, 720, "Puheenjohtajana toimi Virtanen.")
    pdf.showPage()
    pdf.save()
    leaks = check_leaks(tmp_path, KEY)
    found = {(row.location, row.found) for row in leaks.itertuples(index=False)}
    assert ("page 1", "Virtanen") in found
    assert ("document information Author", "Matti Virtanen") in found
    blank = tmp_path / "skannattu.pdf"
    pdf = canvas.Canvas(str(blank))
    pdf.rect(72, 72, 100, 100)  # a page with no text layer, as a scanned page is
    pdf.showPage()
    pdf.save()
    with pytest.warns(TymqualWarning, match=r"skannattu.pdf \(a PDF with no text layer"):
        check_leaks(tmp_path, KEY)


def test_a_csv_is_split_by_the_one_separator_rule(tmp_path: Path) -> None:
    # More commas than semicolons in the header, inside quotes: a first-line count would
    # split on ',' and name the wrong column.
    (tmp_path / "vastaukset.csv").write_text(
        'id;"Kuka, missä, milloin"\n1;"Virtanen, Kela, 2025"\n', encoding="cp1252")
    leaks = check_leaks(tmp_path, KEY)
    assert leaks["location"].tolist() == ["row 2, column B ('Kuka, missä, milloin')"]
