"""Write ``surveys/kysely.xlsx``, the made-up Webropol-style survey of the tymqual demo.

FICTIONAL: every answer below is invented for the demo. Respondents R1..R4 link to the demo
interview cases H1..H4 through ``codes/cases.csv``'s ``respondent_id``. The output is
byte-identical on every run (fixed answer times, fixed zip and document timestamps), so the
committed file can be checked against this script:

    .venv/bin/python surveys/make_demo_survey.py
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).with_name("kysely.xlsx")
FIXED = datetime(2025, 4, 1, 8, 0, 0)
NOTICE = "FIKTIIVINEN ESIMERKKIAINEISTO – keksitty kyselyaineisto tymqual-demoa varten."

SCALE = (
    "Täysin eri mieltä",
    "Jokseenkin eri mieltä",
    "Ei samaa eikä eri mieltä",
    "Jokseenkin samaa mieltä",
    "Täysin samaa mieltä",
)
EOS = "En osaa sanoa"
STATEMENTS = (
    "Verkostojohtajalla on riittävät resurssit tehtäväänsä",
    "Verkostojohtajan rooli on kuvattu selkeästi yhteistoimintasopimuksessa",
    "Sopimusneuvottelut etenivät sujuvasti",
    "Kuntaliiton mallisopimus helpotti neuvotteluja",
    "Kela tuo verkostoon valtakunnallisen näkökulman",
    "TYM-toiminta tarvitsee nykyistä enemmän valtakunnallista ohjausta",
    "Kunnan ja hyvinvointialueen työnjako TYM-verkostossa on selkeä",
)
SLOWED = "Mitkä tekijät hidastivat sopimusneuvotteluja?"
SLOWED_OPTIONS = (
    "Henkilöstövaihdokset",
    "Organisaatiomuutokset",
    "Epäselvä työnjako",
    "Resurssipula",
    "Ei hidastavia tekijöitä",
)
COUNT = "Kuinka monessa TYM-verkostossa alueellasi on nimetty verkostojohtaja?"
OPEN = (
    "Miten verkostojohtajuutta tulisi mielestäsi kehittää?",
    "Mitä muuta haluat kertoa sopimusneuvotteluista tai valtakunnallisesta ohjauksesta?",
)

# respondent, answer time, region, networks, statements (1-5 or EOS), slowed by, open answers
RESPONDENTS = (
    (
        "R1", datetime(2025, 3, 10, 9, 14), "Läntinen", 3, (2, 3, 4, 5, 4, 4, 3),
        ("Henkilöstövaihdokset", "Epäselvä työnjako"),
        (
            "Verkostojohtajalle pitäisi varata selkeä työaika, nyt tehtävä hoidetaan muiden "
            "töiden ohessa. Myös varahenkilö olisi tarpeen, jotta toiminta ei pysähdy lomien "
            "aikana.",
            "Neuvottelut venyivät, koska osapuolten edustajat vaihtuivat kesken prosessin. "
            "Mallisopimus antoi hyvän rungon, mutta paikalliset kysymykset jouduttiin "
            "ratkaisemaan itse.",
        ),
    ),
    (
        "R2", datetime(2025, 3, 10, 13, 42), "Eteläinen", 5, (1, 2, 2, 4, 5, 5, 2),
        ("Organisaatiomuutokset", "Epäselvä työnjako", "Resurssipula"),
        (
            "Verkostojohtajan tehtävänkuva on vielä jäsentymätön. Toivoisin valtakunnallista "
            "koulutusta ja vertaistukea muiden alueiden verkostojohtajilta. Resursoinnista "
            "pitäisi sopia kirjallisesti.",
            "Kelan mukanaolo on tuonut neuvotteluihin valtakunnallista tietoa. Kansallista "
            "ohjausta kaivataan erityisesti tietojärjestelmiin ja asiakastiedon siirtoon.",
        ),
    ),
    (
        "R3", datetime(2025, 3, 11, 10, 5), "Itäinen", 2, (2, 2, 3, EOS, 4, 5, 1),
        ("Henkilöstövaihdokset", "Organisaatiomuutokset", "Resurssipula"),
        (
            "Johtajuus toimii parhaiten, kun kaikki osapuolet sitoutuvat yhteisiin tavoitteisiin. "
            "Verkostojohtajalla pitäisi olla myös päätösvaltaa resurssien kohdentamisessa.",
            None,
        ),
    ),
    (
        "R4", datetime(2025, 3, 12, 15, 30), "Keskinen", 4, (4, 4, 5, 4, 3, 2, 4),
        ("Ei hidastavia tekijöitä",),
        (
            "Meillä verkostojohtajuus on jaettu kahden henkilön kesken, ja malli on toiminut "
            "hyvin. Työnjako on kirjattu sopimukseen.",
            "Sopimus syntyi aikataulussa, koska valmistelu aloitettiin ajoissa. Valtakunnallinen "
            "ohjaus saisi silti olla yhtenäisempää eri alueiden välillä.",
        ),
    ),
)


def build() -> Workbook:
    """The demo workbook: sheet "Vastaukset" as Webropol exports it, sheet "Tietoja" a notice."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Vastaukset"
    header = ["Vastaajan tunniste", "Vastausaika", "Alue", COUNT, *STATEMENTS]
    header += [f"{SLOWED}: {option}" for option in SLOWED_OPTIONS]
    header += list(OPEN)
    sheet.append(header)
    for rid, answered, region, count, levels, slowed, texts in RESPONDENTS:
        likert = [level if isinstance(level, str) else SCALE[level - 1] for level in levels]
        ticks = [1 if option in slowed else None for option in SLOWED_OPTIONS]
        sheet.append([rid, answered, region, count, *likert, *ticks, *texts])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        row[0].number_format = "d.m.yyyy h:mm"
    sheet.freeze_panes = "B2"
    info = workbook.create_sheet("Tietoja")
    info["A1"] = NOTICE
    workbook.properties.creator = "tymqual"
    workbook.properties.created = FIXED
    return workbook


def deterministic_bytes(workbook: Workbook) -> bytes:
    """Save ``workbook`` with fixed zip entry times and document dates, so runs are identical."""
    raw = io.BytesIO()
    workbook.save(raw)
    out = io.BytesIO()
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for entry in src.infolist():
            data = src.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                # openpyxl stamps the save time into dcterms:modified.
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*", rf"\g<1>{stamp}", data.decode())
                data = text.encode()
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    return out.getvalue()


def main() -> None:
    # Written without importing tymqual, so the demo can be rebuilt whatever state it is in;
    # the write is atomic all the same (temporary file, then rename).
    data = deterministic_bytes(build())
    fd, tmp = tempfile.mkstemp(prefix=".kysely.", suffix=".xlsx", dir=OUT.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
