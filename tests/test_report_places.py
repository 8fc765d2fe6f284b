"""Place names in the report's free text: found in every output file, replaced, and said.

The project's interviews mention places in inflected forms; the tests read the report's
HTML, workbook and Word files back with their own libraries and look for the forms written
here, not for what tymqual says it replaced.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

import tymqual
from tymqual.errors import TymqualWarning
from tymqual.keycandidates import places
from tymqual.keymatch import finnish_analyser
from tymqual.reports import ReportFiles, build_report
from tymqual.reports.places import MARK, PlaceMasker, mask_places

VOIKKO = callable(getattr(finnish_analyser(), "word_classes", None))
needs_voikko = pytest.mark.skipif(not VOIKKO, reason="needs Voikko (libvoikko and voikko-fi) "
                                  "to know place names beyond the bundled list")

# Forms of listed places (inflected as Finnish inflects them), a country that is kept.
LISTED = ("Joensuussa", "Pohjois-Karjalan", "Turun", "Helsingissä", "Tampereelle")
SMALL = ("Sotkamossa", "Pihtiputaalla")  # municipalities the bundled list leaves out
KEPT = ("Suomessa",)
H3 = f"""\
H: Miten yhteistyö sujuu?
V: Täällä {LISTED[0]} verkostojohtaja tekee työtä kokoaikaisesti. Yhteistyö {LISTED[1]} \
hyvinvointialueen kanssa on hyvää.
H: Entä muualla?
V: {LISTED[2]} ja {LISTED[3]} malli on erilainen. Kävin {LISTED[4]} asti.
V: {SMALL[0]} ja {SMALL[1]} asiakkaita on vähän. Koko {KEPT[0]} tilanne vaihtelee.
"""
SUMMARY = "case_id,code,summary\nH3,johtaminen,Johtaa verkostoa Pohjois-Karjalassa.\n"


def _text(files: ReportFiles) -> str:
    page = re.sub(r"<style>.*?</style>|<[^>]+>", " ", files.html.read_text("utf-8"), flags=re.S)
    wb = load_workbook(files.xlsx)
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    document = docx.Document(str(files.docx))
    return " ".join([html.unescape(page), *cells, *(p.text for p in document.paragraphs)])


def _coded(make_project: Callable[..., tymqual.Project], allow: str = "") -> tymqual.Project:
    p = make_project({"transcripts/H3.txt": H3, "codes/case_summaries.csv": SUMMARY})
    if allow:
        config = p.root / "tymqual.yaml"
        config.write_text(config.read_text("utf-8") + allow, encoding="utf-8")
        p = tymqual.open_project(p.root)
    text = p.text("H3")
    for line in text.splitlines():
        if line.startswith("V: "):
            start = text.index(line) + 3
            p.code("H3", "johtaminen", start=start, end=start + len(line) - 3)
    return p


@needs_voikko
def test_places_are_replaced_in_every_file_and_said(
    make_project: Callable[..., tymqual.Project], tmp_path: Path
) -> None:
    p = _coded(make_project)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = build_report(p, tmp_path / "out", progress=False)
    text = _text(files)
    for form in (*LISTED, *SMALL, "Pohjois-Karjalassa"):
        assert form not in text, form
    assert KEPT[0] in text
    assert MARK["fi"] in text
    said = [str(w.message) for w in caught if issubclass(w.category, TymqualWarning)
            and "place name" in str(w.message)]
    assert said and all(str(p.root) in s for s in said)
    assert any("Joensuussa" in s and "Sotkamossa" in s for s in said)
    privacy = text[text.index("Tietosuoja"):]
    assert "paikannime" in privacy and "korvattiin" in privacy


@needs_voikko
def test_an_author_may_keep_the_places_with_a_reason(
    make_project: Callable[..., tymqual.Project], tmp_path: Path
) -> None:
    reason = "Paikkakunnat ovat julkisia sopimusalueita."
    p = _coded(make_project, allow=f"disclosure_allow:\n  places: {reason}\n")
    files = build_report(p, tmp_path / "out", progress=False)
    text = _text(files)
    assert all(form in text for form in (*LISTED, *SMALL)), text
    assert MARK["fi"] not in text
    assert reason in text


@pytest.mark.parametrize("name", sorted(places()))
def test_every_listed_place_is_replaced_even_without_the_dictionary(name: str) -> None:
    masker = PlaceMasker("[X]")
    masker.analyser = None  # the bundled list alone, as on a machine without Voikko
    masker.matcher.analyser = None  # type: ignore[attr-defined]
    out = masker(f"Hän kertoi, että {name} on tärkeä alue.")
    assert name not in out and "[X]" in out
    assert masker.replaced == [name]


@needs_voikko
@pytest.mark.parametrize("country", ["Suomi", "Suomessa", "Ruotsin", "Alankomaissa",
                                     "Yhdysvalloissa", "Pohjoismaissa", "Euroopan", "Venäjälle"])
def test_countries_are_kept(country: str) -> None:
    masker = PlaceMasker("[X]")
    sentence = f"Asia on sama koko {country} osalta."
    assert masker(sentence) == sentence


@needs_voikko
def test_ordinary_words_and_lower_case_are_kept() -> None:
    masker = PlaceMasker("[X]")
    for sentence in ("Isoimmalla alueella lahdessa oli veneitä, ja johtoryhmä kokoontui.",
                     "Oman työn ohessa. Oman alueen asiat.", "”Oman työn ohessa”"):
        assert masker(sentence) == sentence and masker.replaced == [], sentence
    assert masker("Asiakas muutti Pihtiputaalle. Pihtiputaalla on hyvä.") == (
        "Asiakas muutti [X]. [X] on hyvä.")


def test_tables_without_free_text_are_untouched() -> None:
    import pandas as pd

    frame = pd.DataFrame({"code_path": ["Joensuu"], "n": [1]})
    out, replaced = mask_places("code_frequencies", frame, "fi")
    assert out is frame and replaced == []
