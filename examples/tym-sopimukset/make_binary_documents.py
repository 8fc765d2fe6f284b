"""Write the example's Word and PDF agreements (FIKTIIVINEN: made-up agreements, no real areas).

The .docx and .pdf files in documents/ are generated from the texts below so that they can be
checked and rebuilt; the generated files are committed, so nobody needs to run this to use
the example. Run it from the repository root after changing a text:

    .venv/bin/pip install reportlab   # for the PDF only; not a tymqual dependency
    .venv/bin/python examples/tym-sopimukset/make_binary_documents.py

python-docx writes the Word files (re-zipped with fixed times) and reportlab the PDF (with
``invariant=True``), so the same text gives the same bytes. Headings are bold paragraphs of
their own, as an agreement typed in Word would have them.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import docx

HERE = Path(__file__).resolve().parent
NOTICE = (
    "FIKTIIVINEN ESIMERKKIAINEISTO – ei todellinen sopimus. Alueet, organisaatiot ja luvut "
    "on keksitty."
)

# Each document: its title lines, then (heading, paragraphs) in order. A heading of None adds
# paragraphs without a heading (lists, subsection lines).
Section = tuple[str | None, list[str]]

SOPIMUS05: tuple[list[str], list[Section]] = (
    [
        "Sopimus työllistymistä edistävän monialaisen tuen yhteistoimintamallista",
        "Kivikosken hyvinvointialue ja Kivikosken työllisyysalue",
    ],
    [
        (
            "1) Sopimuksen tarkoitus",
            [
                "Sopimuksella sovitaan, miten Kivikosken hyvinvointialue, Kivikosken "
                "työllisyysalue ja Kela järjestävät työllistymistä edistävän monialaisen tuen.",
            ],
        ),
        (
            "2) Sopijaosapuolet",
            [
                "Kivikosken hyvinvointialue, Kivikosken työllisyysalue ja Kansaneläkelaitos.",
            ],
        ),
        (
            "3) Toimialue",
            [
                "Hyvinvointialue ja työllisyysalue ovat yhtenevät, ja alueella on yksi verkosto.",
            ],
        ),
        (
            "4) Yhteistoimintamallin johtoryhmä ja sen tehtävät",
            [
                "Johtoryhmään kuuluu yhdeksän jäsentä: viisi työllisyysviranomaisen edustajaa, "
                "kolme hyvinvointialueen edustajaa ja yksi Kelan edustaja.",
                "Johtoryhmän tehtävänä on",
                "a) hyväksyä toimintasuunnitelma",
                "b) seurata tavoitteiden toteutumista",
            ],
        ),
        (
            "5) Tavoitteet",
            [
                "Tavoitteena on, että asiakas saa tarvitsemansa tuen yhdestä paikasta.",
            ],
        ),
        (
            "6) Palvelun järjestämisen tavat",
            [
                "6.1 Palveluohjaus",
                "Asiakas ohjataan yhteistoimintamalliin työllisyyspalveluista tai "
                "hyvinvointialueelta.",
                "6.2 Yhteinen asiakassuunnitelma",
                "Asiakkaalle laaditaan yhteinen asiakassuunnitelma kuukauden kuluessa.",
            ],
        ),
        (
            "7) Yhteistoimintamallissa tarjottavat palvelut",
            [
                "Palveluja ovat työ- ja toimintakyvyn arviointi, kuntoutus ja sosiaalityö.",
            ],
        ),
        (
            "8) Henkilöstö",
            [
                "Hyvinvointialueen henkilöstöstä 30 % suuntautuu terveydenhuoltoon.",
            ],
        ),
        (
            "9) Organisointia johtava henkilö ja tehtävät",
            [
                "Organisointia johtaa työllisyysalueen verkostopäällikkö.",
            ],
        ),
        (
            "10) Kustannukset ja niiden jakautuminen",
            [
                "Kukin osapuoli vastaa oman henkilöstönsä kustannuksista.",
            ],
        ),
        (
            "11) Asiakastietojen käsittely",
            [
                "Asiakastiedot kirjataan monialaisen yhteistoimintamallin "
                "asiakastietojärjestelmään.",
            ],
        ),
        (
            "12) Sopimuksen voimassaolo ja muuttaminen",
            [
                "Sopimus on voimassa toistaiseksi.",
            ],
        ),
    ],
)

SOPIMUS06: tuple[list[str], list[Section]] = (
    ["Saarimaan monialaisen yhteistoimintamallin sopimus"],
    [
        (
            "1. Sopimuksen tarkoitus",
            [
                "Sopimus koskee monialaisen tuen järjestämistä Saarimaan hyvinvointialueen "
                "kahdella työllisyysalueella.",
            ],
        ),
        (
            "2. Sopijaosapuolet",
            [
                "Saarimaan hyvinvointialue, Saarikaupungin ja Luotolan työllisyysalueet sekä Kela.",
            ],
        ),
        (
            "3. Toimialue",
            [
                "Kummallakin työllisyysalueella on oma verkostonsa.",
            ],
        ),
        (
            "4. Yhteistoimintamallin johtoryhmä",
            [
                "Johtoryhmässä on seitsemän jäsentä: neljä työllisyysviranomaisista, kaksi "
                "hyvinvointialueelta ja yksi Kelasta.",
            ],
        ),
        (
            "5. Tavoitteet",
            [
                "Tavoitteena on palvelujen yhteensovittaminen.",
            ],
        ),
        (
            "6. Palvelun järjestämisen tavat",
            [
                "Palvelut järjestetään työllisyysalueiden omissa verkostoissa.",
            ],
        ),
        (
            "7. Yhteistoimintamallilla tarjottavat palvelut",
            [
                "Palveluohjaus, työkyvyn arviointi ja kuntoutus.",
            ],
        ),
        (
            "8. Henkilöstö ja kustannukset",
            [
                "Hyvinvointialueen henkilöstöstä 12 % suuntautuu terveydenhuoltoon. Kukin osapuoli "
                "vastaa oman henkilöstönsä kustannuksista.",
            ],
        ),
        (
            "9. Organisointia johtava henkilö ja tehtävät",
            [
                "Kummallakin verkostolla on koordinaattori.",
            ],
        ),
        (
            "10. Asiakastietoaineisto ja -järjestelmä",
            [
                "Asiakastiedot kirjataan yhteiseen asiakastietojärjestelmään.",
            ],
        ),
        (
            "11. Erimielisyyksien ratkaiseminen",
            [
                "Erimielisyydet ratkaistaan ensisijaisesti neuvottelemalla johtoryhmässä.",
            ],
        ),
        (
            "12. Sopimuksen voimassaolo ja muuttaminen",
            [
                "Sopimus on voimassa toistaiseksi.",
            ],
        ),
    ],
)

SOPIMUS07: tuple[list[str], list[Section]] = (
    [
        "Sopimus työllistymistä edistävän monialaisen tuen yhteistoimintamallista",
        "Tunturilan alue",
    ],
    [
        (
            "1. Tarkoitus",
            [
                "Tällä sopimuksella Tunturilan hyvinvointialue, alueen neljä työllisyysaluetta ja "
                "Kela sopivat työllistymistä edistävän monialaisen tuen järjestämisestä. Alueen "
                "verkostot on yhdistetty kahdeksi verkostoksi, joista toinen palvelee kahta "
                "eteläistä ja toinen kahta pohjoista työllisyysaluetta.",
            ],
        ),
        (
            "2. Sopimuksen osapuolet",
            [
                "Tunturilan hyvinvointialue, Tunturikaupungin, Palovaaran, Kurulan ja Lakialan "
                "työllisyysalueet sekä Kansaneläkelaitos.",
            ],
        ),
        (
            "3. Yhteistoiminta-alue",
            [
                "Yhteistoiminta-alue on koko Tunturilan hyvinvointialue. Pitkien etäisyyksien "
                "vuoksi palveluja tarjotaan myös etäyhteyksin ja liikkuvina palveluina.",
            ],
        ),
        (
            "4. Johtoryhmä",
            [
                "Johtoryhmään kuuluu yhdeksäntoista jäsentä: neljätoista työllisyysviranomaisten "
                "edustajaa, kolme hyvinvointialueen edustajaa ja kaksi Kelan edustajaa. "
                "Johtoryhmä kokoontuu kuusi kertaa vuodessa.",
            ],
        ),
        (
            "5. Yhteistoiminnan tavoitteet",
            [
                "Tavoitteena on, että monialaista tukea tarvitseva asiakas tunnistetaan "
                "varhain ja että hänen palvelunsa sovitetaan yhteen.",
            ],
        ),
        (
            "6. Palvelujen järjestämistapa",
            [
                "Palvelut järjestetään kahdessa yhdistetyssä verkostossa. Kummassakin verkostossa "
                "on yhteinen toimipiste ja jalkautuva tiimi.",
            ],
        ),
        (
            "7. Palvelut",
            [
                "Palveluina tarjotaan palveluohjausta, työ- ja toimintakyvyn arviointia, "
                "ammatillista kuntoutusta sekä mielenterveys- ja päihdepalveluja.",
            ],
        ),
        (
            "8. Henkilöstöresurssit",
            [
                "Hyvinvointialueen yhteistoimintamalliin osoittamasta henkilöstöstä 34 % "
                "suuntautuu terveydenhuoltoon. Työllisyysalueet osoittavat kukin vähintään kaksi "
                "asiantuntijaa.",
            ],
        ),
        (
            "9. Kustannusten jakautuminen",
            [
                "Kukin osapuoli vastaa oman henkilöstönsä kustannuksista. Yhteisten tilojen ja "
                "liikkuvien palvelujen kustannukset jaetaan työllisyysalueiden asukasluvun "
                "suhteessa.",
            ],
        ),
        (
            "10. Asiakastietojärjestelmä",
            [
                "Asiakastiedot kirjataan monialaisen yhteistoimintamallin "
                "asiakastietojärjestelmään.",
            ],
        ),
        (
            "11. Voimassaolo ja sopimuksen muuttaminen",
            [
                "Sopimus on voimassa toistaiseksi. Sopimusta voidaan muuttaa osapuolten "
                "kirjallisella päätöksellä.",
            ],
        ),
    ],
)


FIXED_TIME = dt.datetime(2025, 1, 15, 12, 0, 0)


def write_docx(path: Path, title: list[str], body: list[Section]) -> None:
    document = docx.Document()
    properties = document.core_properties
    properties.author = "tymqual-esimerkki"
    properties.title = title[0]
    properties.created = properties.modified = FIXED_TIME
    document.add_paragraph(NOTICE)
    for line in title:
        document.add_paragraph(line).runs[0].bold = True
    for heading, paragraphs in body:
        if heading is not None:
            document.add_paragraph(heading).runs[0].bold = True
        for text in paragraphs:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    _rezip(buffer.getvalue(), path)


def _rezip(data: bytes, path: Path) -> None:
    """Copy a zip with fixed member times: python-docx stamps each member with the clock."""
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            member = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(item.filename))


def write_pdf(path: Path, title: list[str], body: list[Section]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story = [Paragraph(NOTICE, styles["Italic"]), Spacer(1, 12)]
    story += [Paragraph(line, styles["Title"]) for line in title]
    for heading, paragraphs in body:
        if heading is not None:
            story.append(Paragraph(heading, styles["Heading2"]))
        story += [Paragraph(text, styles["BodyText"]) for text in paragraphs]
    document = SimpleDocTemplate(
        str(path), pagesize=A4, title=title[0], author="tymqual-esimerkki", invariant=True
    )
    document.build(story)


def main() -> int:
    out = HERE / "documents"
    write_docx(out / "sopimus05.docx", *SOPIMUS05)
    write_docx(out / "sopimus06.docx", *SOPIMUS06)
    write_pdf(out / "sopimus07.pdf", *SOPIMUS07)
    print(f"wrote sopimus05.docx, sopimus06.docx and sopimus07.pdf in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
