"""Build the survey gallery: one made-up export per layout, each as its own tool writes it.

Run ``python tests/data/surveys/make_gallery.py`` to write the files next to this script. Each
layout follows the exporting tool's documentation (column names, header rows, how a ticked
option, an unfinished response or a missing value is written); every answer is made up.
``xlsx`` files are written by openpyxl, ``forms_fi.xlsx`` is then saved again by LibreOffice
(headless), ``.sav`` and ``.dta`` by pyreadstat with value labels, user-missing values and
variable labels.

``FIXTURES`` says, for each file, what its documentation makes each column: the test reads
the file itself (csv, openpyxl, pyreadstat) and uses this only to know which column is which.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

FI5 = ("Täysin eri mieltä", "Jokseenkin eri mieltä", "Ei samaa eikä eri mieltä",
       "Jokseenkin samaa mieltä", "Täysin samaa mieltä")
EN5 = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")


@dataclass(frozen=True)
class Fixture:
    """What a file's documentation makes of its columns (headers as in its first header row).

    ``items``: per item in file order, its type and number of options (a Likert item's scale
    length, a choice item's options); ``open_columns``: the open questions' columns;
    ``complete_rule``: how the export marks a finished response (None: it does not).
    """

    name: str
    format: str
    header_rows: int
    id_column: str | None
    metadata: tuple[str, ...]
    identifiers: tuple[str, ...]
    items: tuple[tuple[str, int], ...]
    open_columns: tuple[str, ...]
    complete_rule: str | None = None
    dropped: tuple[str, ...] = field(default=())


# --- Qualtrics -------------------------------------------------------------------------------
# Qualtrics' CSV: row 1 column names, row 2 question texts, row 3 ImportIds (JSON; exports of
# 2016-17 wrote Python dicts). Matrix statements are Q2_1, Q2_2; multi-select answers are the
# chosen texts joined with ","; "Other" text boxes are Q3_4_TEXT.
Q_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
          "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
          "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
          "DistributionChannel", "UserLanguage"]
Q_META_IDS = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished",
              "recordedDate", "_recordId", "recipientLastName", "recipientFirstName",
              "recipientEmail", "externalDataReference", "locationLatitude", "locationLongitude",
              "distributionChannel", "userLanguage"]
Q_CODES = ["Q1", "Q2_1", "Q2_2", "Q3", "Q3_4_TEXT", "Q4"]
Q_TEXTS = ["Which organisation do you represent?",
           "How far do you agree? - The network leader has enough resources",
           "How far do you agree? - Negotiations went smoothly",
           "Which tools does your network use? - Selected Choice",
           "Which tools does your network use? - Other - Text",
           "What should change in network leadership?"]
Q_IDS = ["QID1", "QID2_1", "QID2_2", "QID3", "QID3_4_TEXT", "QID4_TEXT"]
Q_ANSWERS = [
    ["Municipality", "Agree", "Disagree", "Teams,Email", "", "More time for the work."],
    ["Kela", "Strongly agree", "Don't know", "Teams", "", ""],
    ["Association", "Neither agree nor disagree", "Agree", "Email,Other", "A shared wiki",
     "Clearer roles. Less paperwork."],
    ["Municipality", "Disagree", "", "", "", ""],
]
Q_FINISHED = ["True", "True", "True", "False"]
Q_FIXTURE = dict(
    format="qualtrics", id_column="ResponseId",
    metadata=("StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished",
              "RecordedDate", "DistributionChannel", "UserLanguage"),
    identifiers=("IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                 "ExternalReference", "LocationLatitude", "LocationLongitude"),
    items=(("single_choice", 3), ("likert", 5), ("likert", 5), ("multiple_choice", 3),
           ("open_text", 0), ("open_text", 0)),
    open_columns=("Q3_4_TEXT", "Q4"), complete_rule="qualtrics",
)


def _qualtrics_rows(python_dicts: bool) -> list[list[str]]:
    def import_id(name: str) -> str:
        zone = ', "timeZone": "Europe/Helsinki"' if name.endswith("Date") else ""
        text = f'{{"ImportId": "{name}"{zone}}}'
        return text.replace('"', "'") if python_dicts else text.replace(": ", ":")

    rows = [Q_META + Q_CODES, Q_META + Q_TEXTS,
            [import_id(i) for i in Q_META_IDS + Q_IDS]]
    for n, (answers, finished) in enumerate(zip(Q_ANSWERS, Q_FINISHED, strict=True), start=1):
        progress = "100" if finished == "True" else "40"
        rows.append([f"2025-05-0{n} 10:00:00", f"2025-05-0{n} 10:09:00", "IP Address",
                     f"192.0.2.{n}", progress, "540", finished, f"2025-05-0{n} 10:09:01",
                     f"R_{n}aBcDeFgHiJkLmN", f"Sukunimi{n}", f"Etunimi{n}",
                     f"vastaaja{n}@example.org", "", "60.17", "24.94", "anonymous", "EN",
                     *answers])
    return rows


def _legacy_rows() -> list[list[str]]:
    """Legacy export (2016 and earlier): codes V1..V10 over names, then question texts."""
    codes = [f"V{i}" for i in range(1, 11)] + ["Q1", "Q2", "Q3", "LocationLatitude",
                                                "LocationLongitude", "LocationAccuracy"]
    names = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
             "IPAddress", "Status", "StartDate", "EndDate", "Finished",
             "Which organisation do you represent?", "The network leader has enough resources",
             "Comments", "LocationLatitude", "LocationLongitude", "LocationAccuracy"]
    rows = [codes, names]
    answers = [["Kela", "Agree", "Works well."], ["Municipality", "Disagree", ""],
               ["Kela", "Neither agree nor disagree", "Too few meetings."]]
    for n, answer in enumerate(answers, start=1):
        rows.append([f"R_legacy{n}", "Default Response Set", "Anonymous", "", "",
                     f"198.51.100.{n}", "0", "2016-03-01 09:00:00", "2016-03-01 09:05:00",
                     "1", *answer, "60.45", "22.26", "-1"])
    return rows


# --- LimeSurvey ------------------------------------------------------------------------------
# Response export, "question code" headings or "full question text" headings. An unfinished
# response has an empty submitdate and the last page it reached; a ticked multiple-choice
# option is Y (codes) or Yes (full answers).
LS_CODE_META = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                "datestamp", "ipaddr"]
LS_FULL_META = ["Response ID", "Date submitted", "Last page", "Start language", "Seed",
                "Date started", "Date last action", "IP address"]
LS_ROWS = [
    ("1", "2025-04-01 12:00:00", "3", "Kela", ("Y", "", "Y"), FI5[3], FI5[4], "Hyvä malli."),
    ("2", "", "1", "Kunta", ("", "", ""), "", "", ""),
    ("3", "2025-04-02 08:30:00", "3", "Kunta", ("", "Y", ""), FI5[1], "En osaa sanoa", ""),
    ("4", "", "2", "Järjestö", ("Y", "", ""), FI5[2], "", ""),
    ("5", "2025-04-03 14:10:00", "3", "Kela", ("", "Y", "Y"), FI5[0], FI5[1],
     "Työnjako epäselvä. Tarvitaan ohjausta."),
]
LS_FIXTURE = dict(
    format="limesurvey", header_rows=1,
    items=(("single_choice", 3), ("multiple_choice", 3), ("likert", 5), ("likert", 5),
           ("open_text", 0)),
    complete_rule="limesurvey",
)


def _limesurvey_rows(full: bool) -> list[list[str]]:
    if full:
        questions = ["Organisaatio", "Hidasteet [Resurssipula]", "Hidasteet [Vaihdokset]",
                     "Hidasteet [Työnjako]", "Väittämät [Johtajalla on resurssit]",
                     "Väittämät [Neuvottelut sujuivat]", "Mitä muuta haluat sanoa?"]
        header = LS_FULL_META + questions
    else:
        questions = ["G01Q01", "G01Q02[SQ001]", "G01Q02[SQ002]", "G01Q02[SQ003]",
                     "G01Q03[SQ001]", "G01Q03[SQ002]", "G01Q04"]
        header = LS_CODE_META + questions
    tick = "Yes" if full else "Y"
    rows = [header]
    for rid, submitted, page, org, ticks, s1, s2, text in LS_ROWS:
        started = "2025-04-01 11:50:00"
        rows.append([rid, submitted, page, "fi", "12345", started, submitted or started,
                     f"203.0.113.{rid}", org, *[tick if t else "" for t in ticks], s1, s2,
                     text])
    return rows


# --- Webropol, Microsoft Forms, Google Forms -------------------------------------------------
def _webropol_rows() -> list[list[object]]:
    t = datetime(2025, 3, 10, 9, 0)
    q = "Mitkä tekijät hidastivat?"
    return [
        ["Vastaajan tunniste", "Vastausaika", "Sähköposti", "Alue", "Resurssit riittävät",
         f"{q}: Resurssipula", f"{q}: Epäselvä työnjako", f"{q}: Vaihdokset", "Kerro lisää"],
        ["W1", t, "a@example.fi", "Läntinen", FI5[4], 1, None, 1, "Neuvottelut venyivät."],
        ["W2", t, "b@example.fi", "Itäinen", "En osaa sanoa", None, 1, None, None],
        ["W3", t, "c@example.fi", "Läntinen", FI5[1], 1, 1, None, "Hyvä yhteistyö. Kiitos."],
        ["W4", t, "d@example.fi", "Keskinen", FI5[2], None, None, 1, None],
    ]


def _forms_rows(finnish: bool) -> list[list[object]]:
    t = datetime(2025, 5, 2, 10, 0)
    if finnish:
        meta = ["Tunnus", "Aloitusaika", "Valmistumisaika", "Sähköposti", "Nimi",
                "Viimeksi muokattu aika"]
        questions = ["Organisaatio", "Neuvottelut sujuivat", "Mitä välineitä käytätte?",
                     "Vapaa sana"]
        scale, tools = FI5, ("Teams", "Sähköposti", "Wiki")
    else:
        meta = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
        questions = ["Organisation", "Negotiations went smoothly", "Which tools do you use?",
                     "Anything else?"]
        scale, tools = EN5, ("Teams", "Email", "Wiki")
    answers = [
        ("Kela", scale[3], f"{tools[0]};{tools[1]};", "Hyvä kysely."),
        ("Kunta", scale[4], f"{tools[0]};", None),
        ("Kela", scale[1], None, None),
        ("Järjestö", scale[2], f"{tools[2]};{tools[0]};", "Lisää aikaa. Ja rahaa."),
    ]
    rows: list[list[object]] = [meta + questions]
    for n, (org, agree, used, text) in enumerate(answers, start=1):
        rows.append([n, t, t, "anonymous" if n % 2 else f"user{n}@example.org",
                     None if n % 2 else f"Vastaaja {n}", None, org, agree, used, text])
    return rows


FORMS_FIXTURE = dict(
    format="forms", header_rows=1,
    items=(("single_choice", 3), ("likert", 5), ("multiple_choice", 3), ("open_text", 0)),
)


def _google_rows(finnish: bool) -> list[list[str]]:
    if finnish:
        header = ["Aikaleima", "Sähköpostiosoite", "Organisaatio", "Väittämät [Resurssit]",
                  "Väittämät [Neuvottelut]", "Hidasteet", "Muuta kerrottavaa"]
        stamp, scale, slow = "2.5.2025 10.15.31", FI5, ("Resurssipula", "Vaihdokset")
    else:
        header = ["Timestamp", "Email address", "Organisation", "Statements [Resources]",
                  "Statements [Negotiations]", "What slowed you down?", "Anything else?"]
        stamp, scale, slow = "2025/05/02 10:15:31 AM EET", EN5, ("Resources", "Turnover")
    # Respondents who sent the form in the same second share a timestamp: no id column.
    body = [
        [stamp, "a@example.org", "Kela", scale[3], scale[4], f"{slow[0]}, {slow[1]}", "Kiitos."],
        [stamp, "b@example.org", "Kunta", scale[1], scale[2], slow[0], ""],
        [stamp.replace("31", "59"), "c@example.org", "Kela", scale[0], scale[3], slow[1],
         "Enemmän aikaa. Vähemmän kokouksia."],
    ]
    return [header, *body]


GOOGLE_FIXTURE = dict(
    format="google_forms", header_rows=1, id_column=None,
    items=(("single_choice", 2), ("likert", 5), ("likert", 5), ("multiple_choice", 2),
           ("open_text", 0)),
)


# --- SPSS and Stata --------------------------------------------------------------------------
def _write_sav(path: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame({
        "id": [1.0, 2.0, 3.0, 4.0, 5.0],
        "org": [1.0, 2.0, 0.0, 98.0, 99.0],  # 0 and 98 both "NSP"; 99 user-missing
        "v1": [5.0, 9.0, 2.0, 4.0, 1.0],  # 9 "EOS" declared missing: kept as don't know
        "v2": [1.0, 2.0, 3.0, -9.0, 4.0],  # -9 declared missing
        "kpl": [3.0, 4.5, -1.0, 2.0, None],  # -1 declared missing
        "avoin": ["Hyvä malli.", "", "Tarvitaan lisää ohjausta.", " ", "Ei kommentteja."],
    })
    pyreadstat.write_sav(
        frame, path,
        column_labels=["Vastaaja", "Organisaatio", "Resurssit riittävät",
                       "Neuvottelut sujuivat", "Verkostojen määrä", "Kommentit"],
        variable_value_labels={
            "org": {1.0: "Kunta", 2.0: "Kela", 0.0: "NSP", 98.0: "NSP", 99.0: "Ei vastausta"},
            "v1": {**{float(i): s for i, s in enumerate(FI5, start=1)}, 9.0: "EOS"},
            "v2": {**{float(i): s for i, s in enumerate(FI5[:2] + FI5[3:], start=1)},
                   -9.0: "Ei vastausta"},
        },
        missing_ranges={"org": [99.0], "v1": [9.0], "v2": [{"lo": -9.0, "hi": -9.0}],
                        "kpl": [-1.0]},
    )


SAV_FIXTURE = dict(
    format="spss", header_rows=0, id_column="id", metadata=(), identifiers=(),
    items=(("single_choice", 3), ("likert", 5), ("likert", 4), ("numeric", 0),
           ("open_text", 0)),
    open_columns=("avoin",),
)


def _write_sav_without_id(path: Path) -> None:
    """A class survey downloaded from Google Forms and saved as .sav: no id variable."""
    import pyreadstat

    frame = pd.DataFrame({
        "Timestamp": ["2024/11/05 9:01:02", "2024/11/05 9:01:02", "2024/11/05 9:03:40"],
        "q1": [1.0, 2.0, 1.0],
        "q2": ["Selkeä.", "", "Liian pitkä."],
    })
    pyreadstat.write_sav(
        frame, path, column_labels=["Aikaleima", "Pidin kurssista", "Palaute"],
        variable_value_labels={"q1": {1.0: "Kyllä", 2.0: "Ei"}},
    )


def _write_dta(path: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame({
        "vastaaja": ["d1", "d2", "d3", "d4"],
        "alue": [1, 2, 1, 3],
        "arvio": [5, 4, "a", 2],  # .a: not asked
        "perustelu": ["Toimii.", "", "Ei kokemusta.", "Hidasta."],
    })
    frame["arvio"] = frame["arvio"].astype(object)
    pyreadstat.write_dta(
        frame, path, column_labels=["Vastaaja", "Alue", "Yhteistyö toimii", "Perustelu"],
        variable_value_labels={
            "alue": {1: "Läntinen", 2: "Itäinen", 3: "Keskinen"},
            "arvio": {i: s for i, s in enumerate(FI5, start=1)},
        },
        missing_user_values={"arvio": ["a"]},
    )


DTA_FIXTURE = dict(
    format="stata", header_rows=0, id_column="vastaaja", metadata=(), identifiers=(),
    items=(("single_choice", 3), ("likert", 5), ("open_text", 0)), open_columns=("perustelu",),
)

FIXTURES: tuple[Fixture, ...] = (
    Fixture("qualtrics_json.csv", header_rows=3, **Q_FIXTURE),  # type: ignore[arg-type]
    Fixture("qualtrics_pydict.csv", header_rows=3, **Q_FIXTURE),  # type: ignore[arg-type]
    Fixture("qualtrics_pydict.xlsx", header_rows=3, **Q_FIXTURE),  # type: ignore[arg-type]
    Fixture("qualtrics_legacy.csv", "qualtrics", 2, "V1",
            ("V2", "V7", "V8", "V9", "V10"), ("V3", "V4", "V5", "V6", "LocationLatitude",
                                              "LocationLongitude", "LocationAccuracy"),
            (("single_choice", 2), ("likert", 5), ("open_text", 0)), ("Q3",),
            complete_rule="qualtrics"),
    Fixture("limesurvey_codes.csv", id_column="id",
            metadata=tuple(m for m in LS_CODE_META[1:] if m != "ipaddr"),
            identifiers=("ipaddr",), open_columns=("G01Q04",),
            **LS_FIXTURE),  # type: ignore[arg-type]
    Fixture("limesurvey_full.csv", id_column="Response ID",
            metadata=tuple(m for m in LS_FULL_META[1:] if m != "IP address"),
            identifiers=("IP address",), open_columns=("Mitä muuta haluat sanoa?",),
            **LS_FIXTURE),  # type: ignore[arg-type]
    Fixture("webropol.xlsx", "webropol", 1, "Vastaajan tunniste", ("Vastausaika",),
            ("Sähköposti",), (("single_choice", 3), ("likert", 5), ("multiple_choice", 3),
                              ("open_text", 0)), ("Kerro lisää",)),
    Fixture("forms_en.xlsx", id_column="ID",
            metadata=("Start time", "Completion time", "Last modified time"),
            identifiers=("Email", "Name"), open_columns=("Anything else?",),
            **FORMS_FIXTURE),  # type: ignore[arg-type]
    Fixture("forms_fi.xlsx", id_column="Tunnus",
            metadata=("Aloitusaika", "Valmistumisaika", "Viimeksi muokattu aika"),
            identifiers=("Sähköposti", "Nimi"), open_columns=("Vapaa sana",),
            **FORMS_FIXTURE),  # type: ignore[arg-type]
    Fixture("google_forms_en.csv", metadata=("Timestamp",), identifiers=("Email address",),
            open_columns=("Anything else?",), **GOOGLE_FIXTURE),  # type: ignore[arg-type]
    Fixture("google_forms_fi.csv", metadata=("Aikaleima",), identifiers=("Sähköpostiosoite",),
            open_columns=("Muuta kerrottavaa",), **GOOGLE_FIXTURE),  # type: ignore[arg-type]
    Fixture("google_forms_fi.xlsx", metadata=("Aikaleima",), identifiers=("Sähköpostiosoite",),
            open_columns=("Muuta kerrottavaa",), **GOOGLE_FIXTURE),  # type: ignore[arg-type]
    Fixture("spss_labels.sav", **SAV_FIXTURE),  # type: ignore[arg-type]
    Fixture("spss_no_id.sav", "spss", 0, None, ("Timestamp",), (),
            (("single_choice", 2), ("open_text", 0)), ("q2",)),
    Fixture("stata.dta", **DTA_FIXTURE),  # type: ignore[arg-type]
)


def _write_csv(path: Path, rows: list[list[str]], *, bom: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _write_xlsx(path: Path, rows: list[list[object]], sheet: str) -> None:
    workbook = Workbook()
    worksheet = workbook.worksheets[0]
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)


def resave_with_libreoffice(path: Path) -> Path:
    """Open ``path`` in LibreOffice (headless) and save it as .xlsx beside it (or in its place).

    A CSV is opened as UTF-8, comma-separated, as Google Forms writes it.
    """
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        out = Path(tmp) / "out"
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
             "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
             "--outdir", str(out), str(path)],
            check=True, capture_output=True, timeout=180,
        )
        target = path.with_suffix(".xlsx")
        shutil.move(str(out / target.name), target)
    return target


def build(folder: Path = HERE, *, libreoffice: bool = True) -> list[Path]:
    """Write every gallery file into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "qualtrics_json.csv", _qualtrics_rows(python_dicts=False))
    _write_csv(folder / "qualtrics_pydict.csv", _qualtrics_rows(python_dicts=True))
    _write_csv(folder / "qualtrics_legacy.csv", _legacy_rows(), bom=True)
    _write_csv(folder / "limesurvey_codes.csv", _limesurvey_rows(full=False))
    _write_csv(folder / "limesurvey_full.csv", _limesurvey_rows(full=True))
    _write_xlsx(folder / "webropol.xlsx", _webropol_rows(), "Vastaukset")
    _write_xlsx(folder / "forms_en.xlsx", _forms_rows(finnish=False), "Sheet1")
    _write_xlsx(folder / "forms_fi.xlsx", _forms_rows(finnish=True), "Taul1")
    if libreoffice:
        resave_with_libreoffice(folder / "forms_fi.xlsx")
    _write_csv(folder / "google_forms_en.csv", _google_rows(finnish=False))
    _write_csv(folder / "google_forms_fi.csv", _google_rows(finnish=True))
    if libreoffice:  # a Google Forms download opened in LibreOffice and kept as a workbook
        resave_with_libreoffice(folder / "google_forms_fi.csv")
    _write_xlsx(folder / "qualtrics_pydict.xlsx", _qualtrics_rows(python_dicts=True), "Sheet0")
    _write_sav(folder / "spss_labels.sav")
    _write_sav_without_id(folder / "spss_no_id.sav")
    _write_dta(folder / "stata.dta")
    return [folder / f.name for f in FIXTURES]


if __name__ == "__main__":
    for written in build():
        print(written)
