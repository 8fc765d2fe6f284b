"""A synthetic Finnish interview-and-survey project of any size, for the benchmarks.

Made-up material only: sentences drawn from everyday spoken Finnish and the words TYM studies
use, in inflected forms Voikko knows, so search and autocoding find what they would find in
real transcripts (about one word in sixteen is one a code's keywords point to).
:func:`make_project` writes, into a folder:

* ``transcripts/``: ``size`` interviews of about ``words_per_interview`` words in speaker turns
  ``H:`` / ``V:``; most are .txt, every tenth .docx, .odt and Teams .vtt (the four formats of
  the thesis);
* ``codes/codebook.yaml``: three themes with four subcodes each, every code with keywords;
* ``codes/codings.csv``: 10–20 codings per interview by coder ``A``, the same material coded
  again by ``B`` with realistic disagreement (a shifted span, another code, an omission, an
  extra coding), and codings of some open survey answers;
* ``codes/cases.csv``: one case per interview with region, mode, date and ``respondent_id``;
* ``surveys/kysely.csv``: a Webropol-style export of ``respondents`` people (six Likert
  statements with don't-knows, a region question and an open question).

Every offset is computed from the text as tymqual normalises it, so opening the project moves
or loses no coding. The same arguments always give the same files.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from xml.sax.saxutils import escape

import docx
import yaml

# Base form -> inflected forms as they occur in speech; forms Voikko analyses to the base form.
NOUNS: dict[str, tuple[str, ...]] = {
    "johtoryhmä": ("johtoryhmä", "johtoryhmän", "johtoryhmässä", "johtoryhmälle",
                   "johtoryhmältä", "johtoryhmää", "johtoryhmien"),
    "verkostojohtaja": ("verkostojohtaja", "verkostojohtajan", "verkostojohtajalle",
                        "verkostojohtajalla", "verkostojohtajaa", "verkostojohtajat"),
    "verkosto": ("verkosto", "verkoston", "verkostossa", "verkostoa", "verkostolle",
                 "verkostot"),
    "yhteistyö": ("yhteistyö", "yhteistyön", "yhteistyössä", "yhteistyötä", "yhteistyöhön"),
    "hyvinvointialue": ("hyvinvointialue", "hyvinvointialueen", "hyvinvointialueella",
                        "hyvinvointialuetta", "hyvinvointialueelle", "hyvinvointialueet"),
    "työllisyysalue": ("työllisyysalue", "työllisyysalueen", "työllisyysalueella",
                       "työllisyysaluetta"),
    "Kela": ("Kela", "Kelan", "Kelassa", "Kelaa", "Kelalle", "Kelalla"),
    "asiakas": ("asiakas", "asiakkaan", "asiakkaat", "asiakkaita", "asiakkaille",
                "asiakkaalle"),
    "palvelu": ("palvelu", "palvelun", "palvelussa", "palvelua", "palvelut", "palveluihin",
                "palveluja"),
    "sopimus": ("sopimus", "sopimuksen", "sopimuksessa", "sopimusta", "sopimukseen",
                "sopimukset"),
    "neuvottelu": ("neuvottelu", "neuvottelun", "neuvotteluissa", "neuvotteluja",
                   "neuvottelut"),
    "resurssi": ("resurssi", "resurssit", "resursseja", "resurssien", "resursseista"),
    "koordinaattori": ("koordinaattori", "koordinaattorin", "koordinaattorille"),
    "työaika": ("työaika", "työajan", "työaikaa", "työajasta"),
    "rahoitus": ("rahoitus", "rahoituksen", "rahoitusta", "rahoituksesta"),
    "kuntoutus": ("kuntoutus", "kuntoutuksen", "kuntoutuksessa", "kuntoutusta"),
    "työkyky": ("työkyky", "työkyvyn", "työkykyä"),
    "tavoite": ("tavoite", "tavoitteet", "tavoitteita", "tavoitteiden", "tavoitteesta"),
    "malli": ("malli", "mallin", "mallissa", "mallia", "mallit"),
    "alue": ("alue", "alueen", "alueella", "aluetta", "alueet", "alueilla"),
    "henkilöstö": ("henkilöstö", "henkilöstön", "henkilöstöä"),
    "esihenkilö": ("esihenkilö", "esihenkilön", "esihenkilöt"),
    "tieto": ("tieto", "tiedon", "tietoa", "tiedot"),
    "kokous": ("kokous", "kokouksen", "kokouksessa", "kokouksia"),
    "ohjaus": ("ohjaus", "ohjauksen", "ohjausta"),
    "valmistelu": ("valmistelu", "valmistelun", "valmistelussa", "valmistelua"),
    "päätös": ("päätös", "päätöksen", "päätöksiä", "päätökset"),
    "kunta": ("kunta", "kunnan", "kunnassa", "kuntia", "kunnat"),
    "vastuu": ("vastuu", "vastuun", "vastuuta"),
    "siilo": ("siilo", "siilossa", "siiloja", "siiloista"),
    "liima": ("liima", "liiman", "liimana"),
    "koulutus": ("koulutus", "koulutuksen", "koulutusta", "koulutuksia"),
    "työnhakija": ("työnhakija", "työnhakijan", "työnhakijat", "työnhakijoita"),
    "työnantaja": ("työnantaja", "työnantajan", "työnantajat", "työnantajia"),
}
VERBS: dict[str, tuple[str, ...]] = {
    "tehdä": ("tehdään", "tekee", "tehtiin", "tehty", "teemme"),
    "olla": ("on", "oli", "ovat", "olisi", "olleet"),
    "johtaa": ("johtaa", "johtaisi", "johdetaan", "johti"),
    "koordinoida": ("koordinoi", "koordinoidaan", "koordinoinut"),
    "sopia": ("sovittiin", "sovittu", "sopia"),
    "tukea": ("tukee", "tuki", "tukevat"),
    "neuvotella": ("neuvoteltiin", "neuvotella", "neuvottelee"),
    "nimetä": ("nimetty", "nimettiin", "nimetä"),
    "toimia": ("toimii", "toimi", "toimivat"),
    "kehittää": ("kehitetään", "kehittää", "kehitti"),
    "muistuttaa": ("muistuttaa", "muistutti"),
    "pitää": ("pitää", "pitäisi", "piti"),
    "jakaa": ("jaetaan", "jaettiin", "jakaa"),
    "puuttua": ("puuttuu", "puuttui"),
    "riittää": ("riittää", "riittänyt"),
    "koota": ("kokoaa", "koottiin", "koota"),
}
OTHER: tuple[str, ...] = (
    "hyvä", "hyvin", "hyvää", "tärkeä", "tärkeää", "tärkeintä", "keskeinen", "keskeisiä",
    "yhteinen", "yhteisen", "yhteistä", "alueellinen", "alueellisen", "alueellista",
    "valtakunnallinen", "valtakunnallisen", "valtakunnallista", "kokoaikainen",
    "kokoaikaisesti", "selkeä", "selkeästi", "vaikea", "vaikeaa", "uusi", "uuden", "uutta",
)
FUNCTION: tuple[str, ...] = (
    "ja", "että", "ei", "se", "me", "meillä", "niin", "kun", "mutta", "myös", "vain",
    "sitten", "tämä", "tässä", "siinä", "kyllä", "ehkä", "aika", "ihan", "vähän", "paljon",
    "koska", "jos", "kaikki", "kaikilla", "oma", "oman", "meidän", "heidän", "hän", "he",
    "vielä", "jo", "aina", "usein", "nyt", "silloin", "tietysti", "oikeastaan", "semmoinen",
)
# Everyday words of speech that no code looks for: most of what an interviewee says.
GENERAL: tuple[str, ...] = tuple("""
    asia asian asiaa asioita asioista vuosi vuoden vuonna vuotta ihminen ihmisen ihmiset
    ihmisiä työ työn työtä töitä työssä päivä päivän päivää päivittäin kerta kerran kertaa tapa
    tavan tapaa tavalla osa osan osaa osana hetki hetken kysymys kysymyksen kysymyksiä juttu
    jutun juttuja homma homman tilanne tilanteen tilanteessa tilanteita ongelma ongelman
    ongelmia mahdollisuus mahdollisuuden mahdollisuuksia esimerkki esimerkiksi syy syyn syystä
    kokemus kokemuksen kokemuksia kokemusta sanoa sanoi sanotaan sanottu tietää tiedä tiesi
    ajatella ajattelen ajatteli nähdä näkee nähtiin tulla tulee tuli tullut mennä menee meni
    mennyt saada saa sai saatu voida voi voisi voinut käydä käy kävi käynyt puhua puhutaan
    puhui puhuttu kertoa kertoi kerrottu miettiä mietitään mietti oppia opittiin alkaa alkoi
    alettiin jatkaa jatkui jatketaan toimintaa toiminta toiminnan organisaatio organisaation
    organisaatiossa organisaatiot yhteys yhteyden yhteyttä muutos muutoksen muutoksia muutosta
    ryhmä ryhmän ryhmässä ryhmiä viikko viikon viikossa kuukausi kuukauden kuukaudessa raportti
    raportin raportteja suunnitelma suunnitelman suunnitelmia prosessi prosessin prosessissa
    käytäntö käytännössä käytännön lopulta alussa lisäksi kuitenkin ainakin tavallaan
    periaatteessa oikeasti varmasti selvästi melko todella iso ison isoa pieni pienen pientä
    monta moni monet muutama muutaman ensimmäinen ensimmäisen toinen toisen viimeinen
""".split())
PHRASES: tuple[str, ...] = ("oman työn ohessa", "pitää yhdessä", "hyvissä ajoin")
QUESTIONS: tuple[str, ...] = ("miten", "millainen", "kuka", "mitä", "miksi", "missä")

CODEBOOK: list[dict[str, object]] = [
    {"name": "Verkostojohtaminen", "key": "verkostojohtaminen", "color": "#1b9e77",
     "keywords": ["verkostojohtaja", "johtoryhmä", "johtaa"],
     "children": [
         {"name": "Nimetty ja resursoitu verkostojohtaja", "key": "resursoitu_johtaja",
          "color": "#3fb28f", "keywords": ["resurssi", "kokoaikainen", "työaika", "nimetä"]},
         {"name": "Verkostojohtaja verkoston liimana", "key": "verkoston_liima",
          "color": "#66c2a5", "keywords": ["liima", "koota", "pitää yhdessä", "siilo"]},
         {"name": "Johtaminen oman työn ohessa", "key": "oman_tyon_ohessa",
          "color": "#8fd1bb", "keywords": ["oman työn ohessa", "riittää"]},
         {"name": "Johtoryhmän tuki ja tavoitteet", "key": "johtoryhman_tuki",
          "color": "#b3e2cd", "keywords": ["johtoryhmä", "tavoite", "tukea"]},
     ]},
    {"name": "Yhteistoimintasopimuksen neuvottelut", "key": "sopimusneuvottelut",
     "color": "#d95f02", "keywords": ["sopimus", "neuvottelu"],
     "children": [
         {"name": "Valmistelu", "key": "valmistelu", "color": "#e6802f",
          "keywords": ["valmistelu", "hyvissä ajoin"]},
         {"name": "Rahoitus ja kustannukset", "key": "rahoitus", "color": "#f0a060",
          "keywords": ["rahoitus", "jakaa"]},
         {"name": "Henkilöstön vaihtuvuus", "key": "henkilosto", "color": "#f5c08f",
          "keywords": ["henkilöstö", "esihenkilö"]},
         {"name": "Päätöksenteko", "key": "paatoksenteko", "color": "#fbd9b8",
          "keywords": ["päätös", "sopia"]},
     ]},
    {"name": "Valtakunnallinen ja alueellinen näkökulma", "key": "nakokulma",
     "color": "#7570b3", "keywords": ["valtakunnallinen", "alueellinen"],
     "children": [
         {"name": "Kelan rooli", "key": "kelan_rooli", "color": "#8f8bc4",
          "keywords": ["Kela"]},
         {"name": "Hyvinvointialueet", "key": "hyvinvointialueet", "color": "#a9a6d4",
          "keywords": ["hyvinvointialue"]},
         {"name": "Työllisyysalueet", "key": "tyollisyysalueet", "color": "#c3c1e3",
          "keywords": ["työllisyysalue", "kunta"]},
         {"name": "Asiakkaan polku", "key": "asiakkaan_polku", "color": "#dddcf1",
          "keywords": ["asiakas", "palvelu", "kuntoutus"]},
     ]},
]

SCALE = ("Täysin eri mieltä", "Jokseenkin eri mieltä", "Ei samaa eikä eri mieltä",
         "Jokseenkin samaa mieltä", "Täysin samaa mieltä")
STATEMENTS = (
    "Verkostojohtajalla on riittävät resurssit tehtäväänsä",
    "Johtoryhmä tukee verkoston työtä",
    "Yhteistoimintasopimuksen neuvottelut sujuivat hyvin",
    "Tieto kulkee organisaatioiden välillä",
    "Asiakkaan palvelupolku on selkeä",
    "Kelan rooli verkostossa on selvä",
)
OPEN_QUESTION = "Mitä muuta haluat sanoa TYM-yhteistyöstä?"
REGIONS = ("läntinen", "eteläinen", "itäinen", "keskinen", "pohjoinen")
MODES = ("face_to_face", "video_call", "telephone")
FORMATS = ("txt", "docx", "odt", "vtt", "txt", "txt", "txt", "txt", "txt", "txt")
CREATED = "2026-01-15T10:00:00Z"
SURVEY_STEM = "kysely"


@dataclass(frozen=True)
class Synthetic:
    """What :func:`make_project` wrote: the folder and the counts the benchmarks divide by."""

    root: Path
    interviews: int
    respondents: int
    words: int
    codings: int
    open_answers: int


def respondents_for(size: int) -> int:
    """Survey respondents at a size: as many as interviews for the thesis, 20 per interview
    beyond it, at most 20,000."""
    return size if size <= 4 else min(20 * size, 20_000)


class _Writer:
    """Sentences, turns and interviews from one seeded random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.nouns = [f for forms in NOUNS.values() for f in forms]
        self.verbs = [f for forms in VERBS.values() for f in forms]

    def word(self) -> str:
        # About one word in sixteen is one a code's keywords point to, as in a focused
        # theme interview; the rest is function words and everyday speech.
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(FUNCTION)
        if r < 0.86:
            return self.rng.choice(GENERAL)
        if r < 0.92:
            return self.rng.choice(self.nouns)
        if r < 0.955:
            return self.rng.choice(self.verbs)
        if r < 0.995:
            return self.rng.choice(OTHER)
        return self.rng.choice(PHRASES)

    def sentence(self, question: bool = False) -> str:
        n = self.rng.randint(5, 15)
        words = [self.rng.choice(QUESTIONS)] if question else []
        words += [self.word() for _ in range(n)]
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        return text + ("?" if question else self.rng.choice(".....!"))

    def turn(self, speaker: str) -> str:
        if speaker == "H":
            return " ".join(self.sentence(question=i == 0) for i in range(self.rng.randint(1, 2)))
        return " ".join(self.sentence() for _ in range(self.rng.randint(4, 14)))

    def interview(self, words: int) -> list[tuple[str, str]]:
        """``(speaker, speech)`` turns until about ``words`` words."""
        turns: list[tuple[str, str]] = []
        count = 0
        while count < words:
            for speaker in ("H", "V"):
                speech = self.turn(speaker)
                turns.append((speaker, speech))
                count += len(speech.split())
        return turns


def _write_interview(path: Path, turns: list[tuple[str, str]]) -> None:
    lines = [f"{speaker}: {speech}" for speaker, speech in turns]
    suffix = path.suffix
    if suffix == ".txt":
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif suffix == ".docx":
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        with zipfile.ZipFile(buffer) as saved:
            _write_zip(path, [(info.filename, saved.read(info)) for info in saved.infolist()])
    elif suffix == ".odt":
        _write_zip(path, _odt_parts(lines))
    else:
        cues = ["WEBVTT", ""]
        second = 0
        for speaker, speech in turns:
            length = max(2, len(speech.split()) // 3)
            cues += [f"{_clock(second)} --> {_clock(second + length)}", f"<v {speaker}>{speech}",
                     ""]
            second += length
        path.write_text("\n".join(cues), encoding="utf-8")


# A .docx or .odt is a zip: python-docx and odfpy stamp its members with the time of writing,
# and odfpy declares every namespace its process has met so far, so both are written here with
# fixed timestamps and a fixed ODF skeleton to keep the promise of identical files.
_ZIP_TIME = (2026, 1, 15, 10, 0, 0)
_ODF_MIMETYPE = "application/vnd.oasis.opendocument.text"
_ODF_XMLNS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
              'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
              'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')
_XML = "<?xml version='1.0' encoding='UTF-8'?>\n"


def _write_zip(path: Path, parts: list[tuple[str, bytes]]) -> None:
    """Write ``(name, data)`` members in order with fixed timestamps (``mimetype`` stored)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


def _odt_parts(lines: list[str]) -> list[tuple[str, bytes]]:
    """The members of an OpenDocument text with one paragraph per line."""
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in lines)
    content = (f'{_XML}<office:document-content {_ODF_XMLNS} office:version="1.2">'
               "<office:automatic-styles/><office:body><office:text>"
               f"{paragraphs}</office:text></office:body></office:document-content>")
    styles = (f'{_XML}<office:document-styles {_ODF_XMLNS} office:version="1.2">'
              "<office:styles/><office:automatic-styles/></office:document-styles>")
    meta = (f'{_XML}<office:document-meta {_ODF_XMLNS} office:version="1.2"><office:meta>'
            "<meta:generator>tymqual benchmarks</meta:generator></office:meta>"
            "</office:document-meta>")
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="{kind}"/>'
        for name, kind in (("/", _ODF_MIMETYPE), ("styles.xml", "text/xml"),
                           ("content.xml", "text/xml"), ("meta.xml", "text/xml")))
    manifest = (f'{_XML}<manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                f'manifest:version="1.2">{entries}</manifest:manifest>')
    return [("mimetype", _ODF_MIMETYPE.encode()), ("styles.xml", styles.encode()),
            ("content.xml", content.encode()), ("meta.xml", meta.encode()),
            ("META-INF/manifest.xml", manifest.encode())]


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}.000"


def _codes() -> list[tuple[str, tuple[str, ...]]]:
    """``(key, forms of its keywords)`` for every code, to pick a fitting code for a span."""
    found = []
    for theme in CODEBOOK:
        for code in [theme, *cast(list[dict[str, object]], theme["children"])]:
            forms: list[str] = []
            for keyword in cast(list[str], code["keywords"]):
                forms += NOUNS.get(keyword, VERBS.get(keyword, (keyword,)))
            found.append((str(code["key"]), tuple(forms)))
    return found


def _codings(
    rng: random.Random, source_id: str, text: str, turns: list[tuple[int, int]], n: int
) -> list[dict[str, object]]:
    """``n`` codings by coder A: one to three sentences of an interviewee turn each."""
    codes = _codes()
    rows: list[dict[str, object]] = []
    for _ in range(n):
        start, end = rng.choice(turns)
        bounds = [start] + [i + 2 for i in range(start, end - 1) if text[i] in ".!" and
                            text[i + 1] == " "] + [end + 1]
        first = rng.randrange(len(bounds) - 1)
        last = min(len(bounds) - 1, first + rng.randint(1, 3))
        s, e = bounds[first], bounds[last] - 1
        passage = text[s:e]
        fitting = [key for key, forms in codes if any(f in passage for f in forms)]
        key = rng.choice(fitting) if fitting else rng.choice(codes)[0]
        rows.append({"source_id": source_id, "start": s, "end": e, "code": key, "coder": "A",
                     "text": passage})
    return rows


def _second_coder(rng: random.Random, rows: list[dict[str, object]], text: str,
                  turns: list[tuple[int, int]]) -> list[dict[str, object]]:
    """Coder B's codings of the same interview: mostly A's, some shifted, recoded or left out."""
    codes = [key for key, _ in _codes()]
    out = []
    for row in rows:
        r = rng.random()
        if r < 0.1:
            continue
        mine = dict(row, coder="B")
        if r < 0.2:
            mine["code"] = rng.choice(codes)
        elif r < 0.3:
            s, e = int(row["start"]), int(row["end"])  # type: ignore[call-overload]
            cut = text.find(" ", s + (e - s) // 2)
            if 0 < cut < e - 1:
                mine["start"], mine["text"] = cut + 1, text[cut + 1 : e]
        out.append(mine)
    for _ in range(max(1, len(rows) // 10)):
        start, end = rng.choice(turns)
        out.append({"source_id": rows[0]["source_id"], "start": start, "end": end,
                    "code": rng.choice(codes), "coder": "B", "text": text[start:end]})
    return out


def _ledger_rows(rows: list[dict[str, object]]) -> list[list[object]]:
    return [[f"c{i:011x}", r["source_id"], r["start"], r["end"], r["code"], r["coder"],
             "accepted", CREATED, "", "", r["text"]] for i, r in enumerate(rows, start=1)]


def _survey(rng: random.Random, writer: _Writer, respondents: int) -> tuple[str, list[str]]:
    """The survey CSV and, per respondent, the open answer ("" when left empty)."""
    header = ["Vastaajan tunniste", *STATEMENTS, "Alue", OPEN_QUESTION]
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";", lineterminator="\n")
    out.writerow(header)
    answers = []
    for i in range(1, respondents + 1):
        likert = [rng.choice(("En osaa sanoa",) + SCALE * 6) for _ in STATEMENTS]
        answer = ""
        if rng.random() < 0.7:
            answer = " ".join(writer.sentence() for _ in range(rng.randint(1, 3)))
        answers.append(answer)
        out.writerow([f"R{i:05d}", *likert, rng.choice(REGIONS), answer])
    return buffer.getvalue(), answers


def make_project(
    root: str | Path,
    size: int,
    *,
    respondents: int | None = None,
    words_per_interview: int = 8000,
    seed: int = 2026,
) -> Synthetic:
    """Write a synthetic project of ``size`` interviews into the empty folder ``root``."""
    root = Path(root)
    for folder in ("transcripts", "surveys", "codes"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    n_respondents = respondents_for(size) if respondents is None else respondents
    rng = random.Random(seed)
    writer = _Writer(seed)
    config = {
        "name": f"Synteettinen TYM-seurantatutkimus ({size} haastattelua)",
        "language": "fi",
        "min_cell_size": 3,
        "analysis_coders": ["A"],
        "speakers": {"interviewer": ["H", "Haastattelija"], "interviewee": ["V", "Vastaaja"]},
    }
    (root / "tymqual.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                       encoding="utf-8")
    codebook = {"name": "TYM-seurantatutkimuksen koodikirja", "version": "1", "language": "fi",
                "codes": CODEBOOK}
    (root / "codes" / "codebook.yaml").write_text(
        yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False), encoding="utf-8")
    coded: list[dict[str, object]] = []
    second: list[dict[str, object]] = []
    words = 0
    cases = [["case_id", "label", "region", "interview_date", "interview_mode", "duration_min",
              "respondent_id"]]
    for i in range(1, size + 1):
        sid = f"H{i:04d}"
        turns = writer.interview(words_per_interview)
        words += sum(len(speech.split()) for _, speech in turns)
        _write_interview(root / "transcripts" / f"{sid}.{FORMATS[(i - 1) % 10]}", turns)
        text = "\n".join(f"{speaker}: {speech}" for speaker, speech in turns)
        spans, at = [], 0
        for speaker, speech in turns:
            if speaker == "V":
                spans.append((at + 3, at + 3 + len(speech)))
            at += len(speaker) + 2 + len(speech) + 1
        mine = _codings(rng, sid, text, spans, rng.randint(10, 20))
        coded += mine
        second += _second_coder(rng, mine, text, spans)
        cases.append([sid, sid, REGIONS[(i - 1) % len(REGIONS)], f"2026-01-{(i % 28) + 1:02d}",
                      MODES[i % len(MODES)], str(40 + i % 50),
                      f"R{i:05d}" if i <= n_respondents else ""])
    survey, answers = _survey(rng, writer, n_respondents)
    (root / "surveys" / f"{SURVEY_STEM}.csv").write_text(survey, encoding="utf-8-sig")
    item = f"q{len(STATEMENTS) + 2}"
    header = f"{item}: {OPEN_QUESTION}\n"
    answered = [(i, a) for i, a in enumerate(answers, start=1) if a]
    for i, answer in answered[:: 20]:
        passage = answer.split(". ")[0]
        key = next((k for k, forms in _codes() if any(f in passage for f in forms)),
                   "asiakkaan_polku")
        coded.append({"source_id": f"{SURVEY_STEM}_R{i:05d}", "start": len(header),
                      "end": len(header) + len(passage), "code": key, "coder": "A",
                      "text": passage})
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["coding_id", "source_id", "start", "end", "code", "coder", "status", "created",
                  "memo", "reduced", "text"])
    out.writerows(_ledger_rows(coded + second))
    (root / "codes" / "codings.csv").write_text(buffer.getvalue(), encoding="utf-8-sig")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(cases)
    (root / "codes" / "cases.csv").write_text(buffer.getvalue(), encoding="utf-8-sig")
    return Synthetic(root, size, n_respondents, words, len(coded) + len(second), len(answered))
