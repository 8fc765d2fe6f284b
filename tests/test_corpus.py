"""Source loaders and speaker turns, on real files written by each format's own library."""

from __future__ import annotations

import html
import itertools
import re
import warnings
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml
from odf.office import Annotation
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, LineBreak, P, S, Span, Tab

import tymqual
from tymqual import cli, integrity, refi
from tymqual.corpus import (
    SUPPORTED_SUFFIXES,
    SourceDoc,
    SpeakerConfig,
    Turn,
    load_source,
    parse_turns,
    read_text,
    validate_source_id,
)
from tymqual.errors import ProjectError, SourceError, TymqualError, TymqualWarning
from tymqual.text import normalize_text

TRANSCRIPT = (
    "FIKTIIVINEN TESTIAINEISTO\n"
    "H: Mitä kuuluu? Hinta oli 5 € – ”kallis”.\n"
    "V: Hyvää, kiitos. Äiti ja isä ovat töissä.\n"
    "Toinen rivi samaa vastausta.\n"
)
TRANSCRIPT_TURNS = [
    ("H", "interviewer", "Mitä kuuluu? Hinta oli 5 € – ”kallis”."),
    ("V", "interviewee", "Hyvää, kiitos. Äiti ja isä ovat töissä.\nToinen rivi samaa vastausta."),
]


def speeches(doc: SourceDoc) -> list[tuple[str, str | None, str]]:
    """(speaker, role, speech) of every turn, the speech cut from the text by the offsets."""
    return [(t.speaker, t.role, doc.text[t.start : t.end]) for t in doc.turns]


def spoken(text: str, turns: list[Turn]) -> list[str]:
    return [text[t.start : t.end] for t in turns]


def write_docx(
    path: Path, paragraphs: list[str], table: Sequence[tuple[str, str]] = ()
) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=2)
        for row, (speaker, speech) in zip(grid.rows, table, strict=True):
            row.cells[0].text = speaker
            row.cells[1].text = speech
    document.save(str(path))
    return path


def write_odt(path: Path, *paragraphs: str) -> Path:
    document = OpenDocumentText()
    for text in paragraphs:
        document.text.addElement(P(text=text))
    document.save(str(path))
    return path


def vtt(*blocks: str) -> str:
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


# --- plain text: encodings, line ends, markdown -------------------------------------------


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == frozenset({".txt", ".md", ".docx", ".odt", ".vtt", ".srt", ".pdf"})


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [
        ("utf-8", "\n"),
        ("utf-8-sig", "\n"),
        ("utf-8", "\r\n"),
        ("utf-8-sig", "\r\n"),
        ("utf-16", "\r\n"),  # Python writes the BOM for "utf-16"
        ("utf-16-be", "\n"),  # BOM added by hand below
        ("cp1252", "\r\n"),
        ("cp1252", "\r"),
    ],
)
def test_txt_encodings_and_line_ends(tmp_path: Path, encoding: str, newline: str) -> None:
    data = TRANSCRIPT.replace("\n", newline).encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "H1.txt"
    path.write_bytes(data)

    doc = load_source(path)

    assert doc.text == TRANSCRIPT
    assert read_text(path) == TRANSCRIPT
    assert speeches(doc) == TRANSCRIPT_TURNS
    expected = {"utf-16-be": "utf-16"}.get(encoding, encoding)
    assert doc.meta == {"format": "txt", "encoding": expected}


def test_cp1252_undefined_byte_falls_back_to_latin1_for_that_byte_only(tmp_path: Path) -> None:
    path = tmp_path / "H1.txt"
    path.write_bytes("H: 5 € – ä".encode("cp1252") + b" \x81 " + "”ö”".encode("cp1252"))

    assert read_text(path) == "H: 5 € – ä \x81 ”ö”"


def test_markdown_with_bold_labels(tmp_path: Path) -> None:
    path = tmp_path / "haastattelu.md"
    path.write_text(
        "# Haastattelu 3\n\n**H:** Miten aloititte?\n\n**V**: Yhdessä _muiden_ kanssa.\n",
        encoding="utf-8",
    )

    doc = load_source(path)

    assert doc.source_id == "haastattelu"
    assert doc.meta["format"] == "md"
    assert speeches(doc) == [
        ("H", "interviewer", "Miten aloititte?"),
        ("V", "interviewee", "Yhdessä _muiden_ kanssa."),
    ]


# --- offsets are code points into the normalised text -------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_offsets_with_emoji_combining_marks_crlf_and_bom(tmp_path: Path, encoding: str) -> None:
    raw = "Otsikko\r\nH: Hei 😀 cafe\u0301!\r\nV: q\u0301 ja 😀😀\r\n  jatkuu \r\n"
    path = tmp_path / "H1.txt"
    path.write_bytes(raw.encode(encoding))

    doc = load_source(path)

    # NFC folds e + U+0301 into é; q + U+0301 has no precomposed form and stays two code points.
    assert doc.text == "Otsikko\nH: Hei 😀 café!\nV: q\u0301 ja 😀😀\n  jatkuu \n"
    assert [(t.start, t.end) for t in doc.turns] == [(11, 22), (26, 43)]
    assert spoken(doc.text, list(doc.turns)) == ["Hei 😀 café!", "q\u0301 ja 😀😀\n  jatkuu"]


# --- speaker labels -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "speaker", "role", "speech", "time"),
    [
        ("H: Miten menee?", "H", "interviewer", "Miten menee?", None),
        ("V:\tHyvin.", "V", "interviewee", "Hyvin.", None),
        ("Haastattelija: Kerro lisää.", "Haastattelija", "interviewer", "Kerro lisää.", None),
        ("Vastaaja: No niin.", "Vastaaja", "interviewee", "No niin.", None),
        ("haastateltava: pienellä", "haastateltava", "interviewee", "pienellä", None),
        ("HV: Joo.", "HV", "interviewee", "Joo.", None),
        ("Q: Question?", "Q", "interviewer", "Question?", None),
        ("  H: sisennetty", "H", "interviewer", "sisennetty", None),
        ("**H:** Lihavoitu.", "H", "interviewer", "Lihavoitu.", None),
        ("**V**: Lihavoitu.", "V", "interviewee", "Lihavoitu.", None),
        ("__H__: Alleviivattu.", "H", "interviewer", "Alleviivattu.", None),
        ("__V:__ Alleviivattu.", "V", "interviewee", "Alleviivattu.", None),
        ("[00:12:03] H: Aika ennen.", "H", "interviewer", "Aika ennen.", "00:12:03.000"),
        ("(1:02:03.5) V: Sulkeissa.", "V", "interviewee", "Sulkeissa.", "01:02:03.500"),
        ("00:12:03 H: Paljas aika.", "H", "interviewer", "Paljas aika.", "00:12:03.000"),
        ("H (00:12:03): Aika jälkeen.", "H", "interviewer", "Aika jälkeen.", "00:12:03.000"),
        ("V [12:03,25]: Minuutit.", "V", "interviewee", "Minuutit.", "00:12:03.250"),
        ("H: [00:00:07] Aika puheessa.", "H", "interviewer", "Aika puheessa.", "00:00:07.000"),
        ("[00:12:03] **H:** Kaikki.", "H", "interviewer", "Kaikki.", "00:12:03.000"),
        ("**H (00:12:03):** Lihava aika.", "H", "interviewer", "Lihava aika.", "00:12:03.000"),
    ],
)
def test_label_conventions(
    line: str, speaker: str, role: str, speech: str, time: str | None
) -> None:
    text = f"Johdanto\n{line}\n"

    turns = parse_turns(text)

    assert [(t.turn, t.speaker, t.role, t.time) for t in turns] == [(1, speaker, role, time)]
    assert spoken(text, turns) == [speech]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MK: Kysyn.\nTL: Vastaan.\n", [("MK", None), ("TL", None)]),
        ("H: Kysyn.\nMK: Vastaan.\n", [("H", "interviewer"), ("MK", "interviewee")]),
        ("MK: Kysyn.\nV: Vastaan.\n", [("MK", "interviewer"), ("V", "interviewee")]),
        ("H2: Kysyn.\nV: Vastaan.\n", [("H2", "interviewer"), ("V", "interviewee")]),
        ("ÄK: Kysyn.\nH: Niin.\n", [("ÄK", "interviewee"), ("H", "interviewer")]),
        (
            "H: Kysyn.\nMK: Vastaan.\nTL: Minäkin.\n",
            [("H", "interviewer"), ("MK", None), ("TL", None)],
        ),
        (
            "h: Kysyn.\nH: Taas.\nMK: Vastaan.\n",
            [("h", "interviewer"), ("H", "interviewer"), ("MK", "interviewee")],
        ),
        (
            "H: Kysyn.\nHaastattelija: Taas.\nMK: Vastaan.\n",
            [("H", "interviewer"), ("Haastattelija", "interviewer"), ("MK", None)],
        ),
    ],
)
def test_roles_of_initials(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(t.speaker, t.role) for t in parse_turns(text)] == expected


@pytest.mark.parametrize(
    "line",
    [
        "THL:n mukaan asia on näin.",
        "Kela:lla on osuutensa.",
        "Ha: pienellä alkava ei ole nimikirjaimet.",
        "mk: pienet kirjaimet eivät ole nimikirjaimet.",
        "Kokous alkaa klo 12:30: tervetuloa.",
        "Huom: tämä ei ole puhuja.",
        "Hän sanoi H: jotain kesken rivin.",
        "ABCD: neljä kirjainta on liikaa.",
    ],
)
def test_not_a_label(line: str) -> None:
    text = f"H: Aloitus.\n{line}\n"

    turns = parse_turns(text)

    assert spoken(text, turns) == [f"Aloitus.\n{line}"]


def test_preamble_continuation_and_whitespace() -> None:
    text = (
        "Haastattelu 7 (FIKTIIVINEN)\n"
        "Päivämäärä: 1.2.2025\n"
        "\n"
        "H:\n"
        "   Puhe alkaa vasta seuraavalla rivillä.   \n"
        "\n"
        "V: Ensimmäinen kappale.\n"
        "\n"
        "Toinen kappale.\t \n"
        "H: \n"
        "V: Loppu."
    )

    turns = parse_turns(text)

    assert [t.turn for t in turns] == [1, 2, 3, 4]
    assert spoken(text, turns) == [
        "Puhe alkaa vasta seuraavalla rivillä.",
        "Ensimmäinen kappale.\n\nToinen kappale.",
        "",
        "Loppu.",
    ]
    assert turns[0].start == text.index("Puhe")
    assert turns[2].start == turns[2].end == text.index("H: \n") + 2
    assert parse_turns("Pelkkä johdanto ilman puhujia.\n") == []


def test_initials_can_be_switched_off_and_labels_configured() -> None:
    text = "Tutkija: Kysyn.\nMK: Vastaan.\ntutkija: Jatkan.\n"

    no_initials = parse_turns(text, SpeakerConfig(interviewer=("Tutkija",), initials=False))
    with_initials = parse_turns(text, SpeakerConfig(interviewer=("Tutkija",)))

    assert [(t.speaker, t.role) for t in no_initials] == [
        ("Tutkija", "interviewer"),
        ("tutkija", "interviewer"),
    ]
    assert spoken(text, no_initials)[0] == "Kysyn.\nMK: Vastaan."
    assert [(t.speaker, t.role) for t in with_initials] == [
        ("Tutkija", "interviewer"),
        ("MK", "interviewee"),
        ("tutkija", "interviewer"),
    ]


def test_no_labels_at_all_gives_no_turns() -> None:
    assert parse_turns("H: jotain\n", SpeakerConfig((), (), initials=False)) == []


# --- SpeakerConfig.from_dict --------------------------------------------------------------


def test_speaker_config_from_dict() -> None:
    assert SpeakerConfig.from_dict(None, where="tymqual.yaml") == SpeakerConfig()
    config = SpeakerConfig.from_dict(
        {"interviewer": ["Anna Virtanen", " T "], "initials": False}, where="tymqual.yaml"
    )
    assert config == SpeakerConfig(
        interviewer=("Anna Virtanen", "T"),
        interviewee=SpeakerConfig().interviewee,
        initials=False,
    )
    assert SpeakerConfig.from_dict({"interviewee": "Matti"}, where="x").interviewee == ("Matti",)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (["H", "V"], "must be a mapping"),
        ({"haastattelija": ["H"]}, "unknown key(s) haastattelija"),
        ({"interviewer": 3}, "speakers.interviewer' must be a list"),
        ({"interviewee": ["V", ""]}, "speakers.interviewee' has the label ''"),
        ({"interviewer": ["H:"]}, "without its colon"),
        ({"interviewer": [None]}, "has the label None"),
        ({"initials": "yes"}, "must be true or false"),
        ({"interviewer": ["H", "X"], "interviewee": ["x"]}, "both as interviewer and as"),
    ],
)
def test_speaker_config_bad_shape(data: object, fragment: str) -> None:
    with pytest.raises(ProjectError) as info:
        SpeakerConfig.from_dict(data, where="proj/tymqual.yaml")  # type: ignore[arg-type]
    assert "proj/tymqual.yaml" in str(info.value)
    assert fragment in str(info.value)


# --- .docx --------------------------------------------------------------------------------


def test_docx_paragraphs_and_two_column_table(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "H3.docx",
        ["FIKTIIVINEN", "H: Miten menee?", "V: Hyvin, kiitos."],
        [("H", "Entä huomenna?"), ("V:", "Samoin.\nJatkuu."), ("", "Vielä."), ("MK", "")],
    )
    document = docx.Document(str(path))
    merged = document.add_table(rows=1, cols=2).rows[0]
    merged.cells[0].merge(merged.cells[1]).text = "Yhdistetty rivi"
    document.add_paragraph("Loppusanat.")
    document.save(str(path))

    doc = load_source(path)

    assert doc.text == (
        "FIKTIIVINEN\nH: Miten menee?\nV: Hyvin, kiitos.\nH: Entä huomenna?\n"
        "V: Samoin.\nJatkuu.\nVielä.\nMK:\nYhdistetty rivi\nLoppusanat."
    )
    assert speeches(doc) == [
        ("H", "interviewer", "Miten menee?"),
        ("V", "interviewee", "Hyvin, kiitos."),
        ("H", "interviewer", "Entä huomenna?"),
        ("V", "interviewee", "Samoin.\nJatkuu.\nVielä."),
        ("MK", None, "Yhdistetty rivi\nLoppusanat."),
    ]
    assert doc.meta == {"format": "docx"}


def test_docx_with_tracked_changes_warns(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("H: Alku ")
    paragraph._p.append(
        parse_xml(
            '<w:ins xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'w:id="1" w:author="T"><w:r><w:t>lisätty</w:t></w:r></w:ins>'
        )
    )
    path = tmp_path / "muutokset.docx"
    document.save(str(path))

    with pytest.warns(TymqualWarning, match="muutokset.docx: has tracked changes"):
        assert read_text(path) == "H: Alku "


# --- .odt ---------------------------------------------------------------------------------


def test_odt_paragraphs_headings_spaces_tabs_breaks_and_tables(tmp_path: Path) -> None:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Haastattelu 4"))
    speech = P(text="H: Kaksi")
    speech.addElement(S(c=3))
    speech.addText("väliä")
    speech.addElement(Tab())
    speech.addText("ja sarkain")
    speech.addElement(LineBreak())
    speech.addText("ja rivinvaihto.")
    document.text.addElement(speech)
    answer = P(text="V: Vastaus ")
    note = Annotation()
    note.addElement(P(text="Tutkijan kommentti, ei puhetta"))
    answer.addElement(note)
    answer.addElement(Span(text="jatkuu."))
    document.text.addElement(answer)
    table = Table(name="Litterointi")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for speaker, said in [("H", "Taulukossa?"), ("V", "Niin.")]:
        row = TableRow()
        for value in (speaker, said):
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    path = tmp_path / "H4.odt"
    document.save(str(path))

    doc = load_source(path)

    assert doc.text == (
        "Haastattelu 4\nH: Kaksi   väliä\tja sarkain\nja rivinvaihto.\n"
        "V: Vastaus jatkuu.\nH: Taulukossa?\nV: Niin."
    )
    assert speeches(doc) == [
        ("H", "interviewer", "Kaksi   väliä\tja sarkain\nja rivinvaihto."),
        ("V", "interviewee", "Vastaus jatkuu."),
        ("H", "interviewer", "Taulukossa?"),
        ("V", "interviewee", "Niin."),
    ]
    assert doc.meta == {"format": "odt"}


# --- .vtt ---------------------------------------------------------------------------------

TEAMS = vtt(
    "0a1b-1\n00:00:01.500 --> 00:00:04.000\n<v Anna Virtanen>Tervetuloa haastatteluun.</v>",
    "0a1b-2\n00:00:04.000 --> 00:00:06.250\n<v Anna Virtanen>Kerro <b>ensin</b> taustastasi.</v>",
    "0a1b-3\n00:00:06.500 --> 00:00:09.000\n"
    "<v Matti Meikäläinen>No, olen ollut &amp; <c.yellow>kunnalla</c> 😀</v>",
    "0a1b-4\n00:00:09.000 --> 00:00:10.000\npitkään,\nvuosia.",
    "0a1b-5\n00:00:10.000 --> 00:52:03.500\n<v Anna Virtanen>Kiitos.</v>",
)


def test_vtt_teams_transcript(tmp_path: Path) -> None:
    path = tmp_path / "teams.vtt"
    path.write_text(TEAMS, encoding="utf-8")
    speakers = SpeakerConfig(interviewer=("Anna Virtanen",))

    doc = load_source(path, speakers=speakers)

    assert doc.text == (
        "Anna Virtanen: Tervetuloa haastatteluun. Kerro ensin taustastasi.\n"
        "Matti Meikäläinen: No, olen ollut & kunnalla 😀 pitkään, vuosia.\n"
        "Anna Virtanen: Kiitos."
    )
    assert speeches(doc) == [
        ("Anna Virtanen", "interviewer", "Tervetuloa haastatteluun. Kerro ensin taustastasi."),
        ("Matti Meikäläinen", "interviewee", "No, olen ollut & kunnalla 😀 pitkään, vuosia."),
        ("Anna Virtanen", "interviewer", "Kiitos."),
    ]
    assert [t.time for t in doc.turns] == ["00:00:01.500", "00:00:06.500", "00:00:10.000"]
    assert doc.turns[1].start == doc.text.index("\n") + len("\nMatti Meikäläinen: ")
    assert doc.meta == {
        "format": "vtt",
        "encoding": "utf-8",
        "duration_seconds": 3123.5,
        "voice_tags": "Anna Virtanen\nMatti Meikäläinen",
    }
    assert read_text(path) == doc.text
    assert [t.role for t in load_source(path).turns] == [None, None, None]


def test_vtt_first_cues_without_voice_and_combining_marks(tmp_path: Path) -> None:
    path = tmp_path / "zoom.vtt"
    content = vtt(
        "00:00:00.000 --> 00:00:01.000\nAlkuun ei puhujaa.",
        "00:00:01.000 --> 00:00:02.000\n<v H>Cafe<i>\u0301</i> ja q\u0301.</v>",
        "00:00:02.000 --> 00:00:03.000\n<v.loud V >Joo.</v>",
    )
    path.write_bytes(content.replace("\n", "\r\n").encode("utf-8-sig"))

    doc = load_source(path)

    assert doc.text == "Alkuun ei puhujaa.\nH: Café ja q\u0301.\nV: Joo."
    assert doc.text == normalize_text(doc.text)
    assert speeches(doc) == [
        ("", None, "Alkuun ei puhujaa."),
        ("H", "interviewer", "Café ja q\u0301."),
        ("V", "interviewee", "Joo."),
    ]
    assert doc.meta["encoding"] == "utf-8-sig"


# --- source ids and kinds -----------------------------------------------------------------


def test_load_source_kind_and_source_id(tmp_path: Path) -> None:
    path = tmp_path / "Sopimus 2024.TXT"
    path.write_text("Sopimuksen teksti.", encoding="utf-8")

    doc = load_source(str(path), kind="document")

    assert (doc.source_id, doc.kind, doc.path, doc.turns) == ("Sopimus 2024", "document", path, ())
    with pytest.raises(TymqualError, match="kind must be one of interview, document"):
        load_source(path, kind="haastattelu")


def test_validate_source_id() -> None:
    assert validate_source_id("H1", "a/H1.txt") == "H1"
    assert validate_source_id("Ha\u0308ma\u0308la\u0308", "x.txt") == "Hämälä"


@pytest.mark.parametrize(
    ("stem", "fragment"),
    [
        ("", "is empty"),
        ("a/b", 'contains "/"'),
        ("a\\b", 'contains "/" or "\\"'),
        ("H\t1", "control character"),
        ("H1\x7f", "control character"),
        (" H1", "whitespace"),
        ("H1 ", "whitespace"),
        ("x" * 101, "101 characters long, more than 100"),
    ],
)
def test_validate_source_id_rejects(stem: str, fragment: str) -> None:
    with pytest.raises(SourceError) as info:
        validate_source_id(stem, "transcripts/outo.txt")
    assert str(info.value).startswith("transcripts/outo.txt: ")
    assert fragment in str(info.value)
    assert "rename the file" in str(info.value)


def test_load_source_rejects_bad_stem(tmp_path: Path) -> None:
    path = tmp_path / (" H1.txt")
    path.write_text("H: x", encoding="utf-8")
    with pytest.raises(SourceError, match="whitespace"):
        load_source(path)


# --- errors -------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _replace_member(path: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = data
    _zip(path, members)


def _empty_docx(path: Path) -> None:
    write_docx(path, ["", "   ", "\t"])


def _empty_odt(path: Path) -> None:
    write_odt(path, "", "  ")


def _random_docx(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 4)


def _plain_zip_docx(path: Path) -> None:
    _zip(path, {"hello.txt": b"hei"})


def _xlsx_as_docx(path: Path) -> None:
    openpyxl.Workbook().save(path)


def _broken_xml_docx(path: Path) -> None:
    write_docx(path, ["H: hei"])
    _replace_member(path, "word/document.xml", b"<w:document><<<")


def _truncated_docx(path: Path) -> None:
    write_docx(path, ["H: hei"] * 20)
    path.write_bytes(path.read_bytes()[:700])


def _random_odt(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + bytes(range(200)))


def _plain_zip_odt(path: Path) -> None:
    _zip(path, {"hello.txt": b"hei"})


def _broken_xml_odt(path: Path) -> None:
    write_odt(path, "H: salainen haastattelu")
    _replace_member(path, "content.xml", b"<office:document-content><<< salainen")


def _spreadsheet_as_odt(path: Path) -> None:
    OpenDocumentSpreadsheet().save(str(path))


def _docx_as_odt(path: Path) -> None:
    write_docx(path.with_suffix(".docx"), ["H: hei"])
    path.write_bytes(path.with_suffix(".docx").read_bytes())


def _bytes(data: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(data)

    return make


@pytest.mark.parametrize(
    ("name", "make", "fragment"),
    [
        ("tyhja.txt", _bytes(b""), "is empty (0 bytes)"),
        ("valit.txt", _bytes(b" \r\n\t\n"), "has no text, only whitespace"),
        ("valit.md", _bytes("\ufeff \n".encode()), "has no text, only whitespace"),
        ("valit16.txt", _bytes(" \n".encode("utf-16")), "has no text, only whitespace"),
        ("tyhja.docx", _bytes(b""), "is empty (0 bytes)"),
        ("tyhja.odt", _bytes(b""), "is empty (0 bytes)"),
        ("tyhja.vtt", _bytes(b""), "is empty (0 bytes)"),
        ("valit.docx", _empty_docx, "has no text, only whitespace"),
        ("valit.odt", _empty_odt, "has no text, only whitespace"),
        ("eivihjeita.vtt", _bytes(b"WEBVTT\n\n"), "has no cues with text"),
        (
            "tyhjatcuet.vtt",
            _bytes(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v H></v>\n"),
            "has no cues with text",
        ),
        ("binaari.txt", _bytes(b"H: hei\x00\x01\x02"), "contains NUL bytes"),
        ("utf16.txt", _bytes(b"H\x00:\x00 \x00h\x00"), "contains NUL bytes"),
        ("rikki16.txt", _bytes(b"\xff\xfeH\x00:\x00 "), "not valid UTF-16"),
        ("rikki8.txt", _bytes(b"\xef\xbb\xbfH: \xe4iti"), "not valid UTF-8-SIG"),
        ("satunnainen.docx", _random_docx, "is not a readable .docx document"),
        ("zip.docx", _plain_zip_docx, "is not a readable .docx document"),
        ("taulukko.docx", _xlsx_as_docx, "is not a Word file"),
        ("rikkixml.docx", _broken_xml_docx, "is not a readable .docx document"),
        ("katkaistu.docx", _truncated_docx, "is not a readable .docx document"),
        ("satunnainen.odt", _random_odt, "is not a readable .odt document"),
        ("zip.odt", _plain_zip_odt, "is not a readable .odt document"),
        ("rikkixml.odt", _broken_xml_odt, "an XML part is malformed"),
        ("docx.odt", _docx_as_odt, "is not a readable .odt document"),
        ("laskenta.odt", _spreadsheet_as_odt, "not a text document"),
        ("otsaketon.vtt", _bytes(b"00:00:01.000 --> 00:00:02.000\nhei\n"), "not a WebVTT file"),
        (
            "huonoaika.vtt",
            _bytes(
                b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v H>hei</v>\n\n"
                b"00:61:00.000 --> 00:62:00.000\n<v V>kadonnut</v>\n"
            ),
            "1 of 2 cues could not be read",
        ),
        ("raportti.pdf", _bytes(b"%PDF-1.4"), "is not a readable .pdf document"),
        ("vanha.doc", _bytes(b"\xd0\xcf\x11\xe0"), "cannot read '.doc' files"),
        ("README", _bytes(b"H: hei"), "cannot read files without an extension"),
    ],
)
def test_unreadable_sources(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    make: Callable[[Path], None],
    fragment: str,
) -> None:
    path = tmp_path / name
    make(path)

    for read in (load_source, read_text):
        with pytest.raises(SourceError) as info:
            read(path)
        message = str(info.value)
        assert message.startswith(f"{path}: "), message
        assert fragment in message, message

    assert "salainen" not in capsys.readouterr().out  # odfpy must not print the document


def test_unsupported_suffix_lists_the_supported_ones(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as info:
        load_source(tmp_path / "kysely.xlsx")
    assert "supported formats are .docx, .md, .odt, .pdf, .srt, .txt, .vtt" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="puuttuu.txt: no such file"):
        load_source(tmp_path / "puuttuu.txt")


def test_directory_is_not_a_source(tmp_path: Path) -> None:
    folder = tmp_path / "kansio.txt"
    folder.mkdir()
    with pytest.raises(SourceError, match="kansio.txt: cannot be read"):
        read_text(folder)


def test_non_ascii_file_name(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "Hämäläinen [1] ÄÖ.docx", ["H: hei"])
    assert load_source(path).source_id == "Hämäläinen [1] ÄÖ"


# --- speaker labels found, not assumed: a gallery of layouts ------------------------------
#
# Each layout writes one made-up conversation the way its program does (per the format's
# documentation and published samples: Zoom and Teams WebVTT, SubRip, Otter's text export,
# Teams' and Word's .docx transcripts). The expected turns and speakers are known by
# construction: consecutive turns have different speakers, so turns = len(CONVERSATION).

SAID = [
    ["Kerro aluksi taustastasi.", "Esimerkki: mistä tulit tähän tehtävään?"],
    ["Olen ollut alueella kymmenen vuotta. Huom: tämä on keksittyä aineistoa."],
    ["How did the cooperation start?"],
    ["Se alkoi 2019, kokous oli klo 12:30: kaikki tulivat.", "Huom: toinen kappale."],
    ["We met every second week, mostly online."],
    ["Entä resurssit?"],
    ["Niitä oli liian vähän: yksi ihminen kolmeen tehtävään."],
]
# The speaker of each turn, by the number of speakers; each speaks at least twice, since a
# found label must recur (a name that speaks once is not told from a "Note:").
ORDER = {2: [0, 1, 0, 1, 0, 1, 0], 3: [0, 1, 0, 2, 1, 2, 0]}


class Conversation:
    """Who says what, and when: the ground truth a layout is written from."""

    def __init__(self, names: Sequence[str]) -> None:
        picks = ORDER[len(names)]
        self.turns = [(names[i], 5 + 17 * n, SAID[n]) for n, i in enumerate(picks)]
        self.names = sorted(set(names))

    @staticmethod
    def mmss(seconds: int) -> str:
        return f"{seconds // 60}:{seconds % 60:02d}"

    @staticmethod
    def hhmmss(seconds: int) -> str:
        return f"00:{seconds // 60:02d}:{seconds % 60:02d}"


def _txt(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _docx(path: Path, paragraphs: list[str | tuple[str, str]]) -> None:
    """Paragraphs; a pair is one paragraph of two lines (a line break), as Teams writes."""
    document = docx.Document()
    for item in paragraphs:
        if isinstance(item, tuple):
            run = document.add_paragraph().add_run(item[0])
            run.add_break()
            run.add_text(item[1])
        else:
            document.add_paragraph(item)
    document.save(str(path))


def colon_txt(c: Conversation, path: Path) -> str:
    lines = ["Haastattelu 5 (keksitty)", "Päivämäärä: 3.4.2025", ""]
    for name, _, said in c.turns:
        lines += [f"{name}: {said[0]}", *said[1:], ""]
    _txt(path, lines)
    return "\n"


def colon_docx(c: Conversation, path: Path) -> str:
    paragraphs: list[str | tuple[str, str]] = ["Haastattelu 5", "Huom: keksitty aineisto."]
    for name, _, said in c.turns:
        paragraphs += [f"{name}: {said[0]}", *said[1:]]
    _docx(path, paragraphs)
    return "\n"


def bracket_md(c: Conversation, path: Path) -> str:
    lines = ["# Haastattelu 6", ""]
    for name, _, said in c.turns:
        lines += [f"[{name}]: {said[0]}", *said[1:], ""]
    _txt(path, lines)
    return "\n"


def bold_md(c: Conversation, path: Path) -> str:
    lines = ["# Haastattelu 7", ""]
    for name, _, said in c.turns:
        lines += [f"**{name}:** {said[0]}", *said[1:], ""]
    _txt(path, lines)
    return "\n"


def time_beside_docx(c: Conversation, path: Path) -> str:
    paragraphs: list[str | tuple[str, str]] = ["Litterointi"]
    for name, at, said in c.turns:
        paragraphs += [f"{name} ({c.hhmmss(at)}): {said[0]}", *said[1:]]
    _docx(path, paragraphs)
    return "\n"


def otter_txt(c: Conversation, path: Path) -> str:
    lines = []
    for name, at, said in c.turns:
        lines += [f"{name}  {c.mmss(at)}", *said, ""]
    lines.append("Transcribed by https://otter.ai")  # the free plan's footer: not speech
    _txt(path, lines)
    return "\n"


def teams_docx(c: Conversation, path: Path) -> str:
    paragraphs: list[str | tuple[str, str]] = [
        "Haastattelu-20250403_100000-Kokouksen tallenne", "3. huhtikuuta 2025, 10.00", "22 min 5 s"
    ]
    for name, at, said in c.turns:
        paragraphs.append((f"{name}   {c.mmss(at)}", " ".join(said)))
    paragraphs.append(f"{c.turns[0][0]} stopped transcription")  # Teams' last line: not speech
    _docx(path, paragraphs)
    return " "


def teams_old_docx(c: Conversation, path: Path) -> str:
    paragraphs: list[str | tuple[str, str]] = []
    for name, at, said in c.turns:
        paragraphs += [f"0:{at // 60}:{at % 60}.0 --> 0:{at // 60}:{at % 60 + 4}.250", name,
                       " ".join(said), ""]
    _docx(path, paragraphs)
    return " "


def teams_arrow_docx(c: Conversation, path: Path) -> str:
    paragraphs: list[str | tuple[str, str]] = []
    for name, at, said in c.turns:
        paragraphs += [f"{name}  {c.hhmmss(at)}.000 --> {c.hhmmss(at + 4)}.500", *said]
    _docx(path, paragraphs)
    return "\n"


def word_transcribe_docx(c: Conversation, path: Path) -> str:
    paragraphs: list[str | tuple[str, str]] = ["Transkriptio"]
    for name, at, said in c.turns:
        paragraphs += [f"{c.hhmmss(at)} {name}", *said]
    _docx(path, paragraphs)
    return "\n"


def _cues(c: Conversation, voice: bool, srt: bool) -> list[str]:
    """One cue per piece of speech, as caption programs split a long turn."""
    blocks, n = [], 0
    for name, at, said in c.turns:
        for k, piece in enumerate(said):
            n += 1
            start, end = f"{c.hhmmss(at + 2 * k)}.000", f"{c.hhmmss(at + 2 * k + 2)}.000"
            timing = f"{start} --> {end}".replace(".", ",") if srt else f"{start} --> {end}"
            text = f"<v {name}>{piece}</v>" if voice else f"{name}: {piece}"
            blocks.append(f"{n}\n{timing}\n{text}")
    return blocks


def zoom_vtt(c: Conversation, path: Path) -> str:
    path.write_text("WEBVTT\n\n" + "\n\n".join(_cues(c, False, False)) + "\n", encoding="utf-8")
    return " "


def teams_vtt(c: Conversation, path: Path) -> str:
    path.write_text("WEBVTT\n\n" + "\n\n".join(_cues(c, True, False)) + "\n", encoding="utf-8")
    return " "


def prefix_srt(c: Conversation, path: Path) -> str:
    path.write_text("\n\n".join(_cues(c, False, True)) + "\n", encoding="utf-8")
    return " "


def voice_srt(c: Conversation, path: Path) -> str:
    path.write_bytes(("\n\n".join(_cues(c, True, True)) + "\n").replace("\n", "\r\n").encode())
    return " "


LAYOUTS: list[tuple[Callable[[Conversation, Path], str], str, list[str], bool]] = [
    # writer, suffix, speaker names, whether the layout carries times
    (colon_txt, ".txt", ["Researcher 1", "Ana"], False),
    (colon_docx, ".docx", ["Researcher 1", "Ana"], False),
    (colon_txt, ".txt", ["AB", "CD", "EF"], False),
    (colon_docx, ".docx", ["Tutkija", "Anna-Liisa Mäki", "Juha"], False),
    (bracket_md, ".md", ["Interviewer", "Matti Meikäläinen"], False),
    (bold_md, ".md", ["Haastattelija 1", "Liisa"], False),
    (time_beside_docx, ".docx", ["Ana", "Researcher 2", "Pekka"], True),
    (otter_txt, ".txt", ["Speaker 1", "Anna Virtanen"], True),
    (teams_docx, ".docx", ["Anna Virtanen", "Matti Meikäläinen", "Liisa Korhonen"], True),
    (teams_old_docx, ".docx", ["Anna Virtanen", "Matti Meikäläinen"], True),
    (teams_arrow_docx, ".docx", ["Anna Virtanen", "Juha Mäkelä"], True),
    (word_transcribe_docx, ".docx", ["Speaker 1", "Speaker 2", "Speaker 3"], True),
    (zoom_vtt, ".vtt", ["Anna Virtanen", "Matti Meikäläinen", "Liisa Korhonen"], True),
    (teams_vtt, ".vtt", ["Anna Virtanen", "Matti Meikäläinen"], True),
    (prefix_srt, ".srt", ["Ana", "Researcher 1", "Pekka"], True),
    (voice_srt, ".srt", ["Anna Virtanen", "Matti Meikäläinen"], True),
]


@pytest.mark.parametrize(
    ("write", "suffix", "names", "timed"),
    LAYOUTS,
    ids=[f"{w.__name__}-{len(n)}" for w, _, n, _ in LAYOUTS],
)
def test_layout_turns_and_speakers(
    tmp_path: Path,
    write: Callable[[Conversation, Path], str],
    suffix: str,
    names: list[str],
    timed: bool,
) -> None:
    truth = Conversation(names)
    path = tmp_path / f"haastattelu{suffix}"
    joiner = write(truth, path)

    doc = load_source(path, speakers=SpeakerConfig(interviewer=(names[0],)))

    assert len(doc.turns) == len(truth.turns)
    assert sorted({t.speaker for t in doc.turns}) == truth.names
    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns] == [
        (name, joiner.join(said)) for name, _, said in truth.turns
    ]
    if timed:
        assert [t.time and t.time[3:8] for t in doc.turns] == [
            f"{at // 60:02d}:{at % 60:02d}" for _, at, _ in truth.turns
        ]
    roles = {t.speaker: t.role for t in doc.turns}
    assert roles[names[0]] == "interviewer"
    if len(truth.names) == 2:  # the other of two speakers is the interviewee
        assert roles[names[1]] == "interviewee"


def test_zoom_vtt_many_cues_one_turn_per_speaker_change(tmp_path: Path) -> None:
    # Zoom shows display names as people set them, so some are not tidy names.
    names = [f"Osallistuja {chr(65 + i)}" if i % 2 else f"Nimi{chr(65 + i)} Sukunimi"
             for i in range(16)]
    names += ["Maria (she/her)", "iPad", "dr. Nieminen", "Jussi's iPhone", "anna.k"]
    who = [(i * 8) % 21 for i in range(400)] + [0] * 5  # runs of one speaker merge
    blocks = [
        f"{n + 1}\n00:{n // 60:02d}:{n % 60:02d}.000 --> 00:{n // 60:02d}:{n % 60:02d}.900\n"
        f"{names[w]}: Puheenvuoro {n}."
        for n, w in enumerate(who)
    ]
    path = tmp_path / "zoom.vtt"
    path.write_text("WEBVTT\n\n" + "\n\n".join(blocks) + "\n", encoding="utf-8")
    changes = 1 + sum(a != b for a, b in itertools.pairwise(who))

    doc = load_source(path, speakers=SpeakerConfig(interviewer=(names[0],)))

    assert len(doc.turns) == changes
    assert {t.speaker for t in doc.turns} == {names[w] for w in who}
    assert len(set(who)) == 21
    last = max(n for n in range(len(who)) if n == 0 or who[n - 1] != who[n])
    assert doc.text[doc.turns[-1].start : doc.turns[-1].end] == " ".join(
        f"Puheenvuoro {n}." for n in range(last, len(who))
    )


@pytest.mark.parametrize(
    "text",
    [
        "Muistio kokouksesta.\nHuom: tämä on vain muistio.\nEsimerkki: kaksi tapaamista.\n"
        "Toinen kappale.\nEsimerkki: kolmas tapaaminen.\nPäivämäärä: 3.4.2025\n",
        "ana: pienellä alkava ei ole nimi.\nbob: eikä tämä.\nana: taas.\nbob: ja taas.\n",
        "Kokous alkaa klo 12:30: tervetuloa.\nKokous alkaa klo 13:30: tervetuloa.\n",
        "Ana: yksi nimi yksin ei ole keskustelu.\nTekstiä välissä.\nAna: sama nimi taas.\n",
        "Hän sanoi: niin.\nSe on näin: selvä.\nHän sanoi: niin.\nSe on näin: selvä.\n",
        "Note: one.\nExample: two.\nNote: three.\nExample: four.\n",
        "Tämä on pitkä virke, jossa on monta sanaa ennen kaksoispistettä: ei nimi.\n" * 3,
    ],
)
def test_prose_with_colons_is_not_split_into_turns(tmp_path: Path, text: str) -> None:
    path = tmp_path / "muistio.txt"
    path.write_text(text, encoding="utf-8")

    assert load_source(path).turns == ()
    assert parse_turns(text) == []


def test_a_list_inside_one_answer_is_not_a_speaker() -> None:
    text = (
        "H: Mitkä olivat tavoitteet?\nV: Niitä oli kolme.\nKohta: yhteinen malli.\n"
        "Kohta: parempi tieto.\nKohta: vähemmän päällekkäisyyttä.\nH: Kiitos.\n"
    )
    assert [t.speaker for t in parse_turns(text)] == ["H", "V", "H"]


def test_in_a_plain_dialogue_who_speaks_once_is_a_speaker() -> None:
    names = ["Moderator", "Speaker 2", "Moderator", "Speaker 2", "Jessica", "Com 7", "Moderator"]
    text = "".join(f"{name}:     Puheenvuoro {n}.\n" for n, name in enumerate(names))

    turns = parse_turns(text)

    assert [(t.speaker, text[t.start : t.end]) for t in turns] == [
        (name, f"Puheenvuoro {n}.") for n, name in enumerate(names)
    ]
    assert parse_turns("Ana: Kysyn.\nBob: Vastaan.\nCecilia: Kerran.\n") == []


def test_found_labels_are_kept_to_interviews_and_can_be_switched_off(tmp_path: Path) -> None:
    text = "Ana: Kysyn.\nBob: Vastaan.\nAna: Jatkan.\nBob: Samoin.\n"
    path = tmp_path / "H9.txt"
    path.write_text(text, encoding="utf-8")

    assert [t.speaker for t in load_source(path).turns] == ["Ana", "Bob", "Ana", "Bob"]
    assert load_source(path, kind="document").turns == ()
    assert load_source(path, speakers=SpeakerConfig(detect=False)).turns == ()
    assert parse_turns(text, SpeakerConfig(ignore=("Bob",)))[1:] == []  # one name alone


def test_speaker_config_detect_and_ignore_from_yaml() -> None:
    config = SpeakerConfig.from_dict({"detect": False, "ignore": ["Tavoite"]}, where="x")
    assert (config.detect, config.ignore) == (False, ("Tavoite",))
    with pytest.raises(ProjectError, match="'speakers.detect' must be true or false"):
        SpeakerConfig.from_dict({"detect": "no"}, where="x")


# --- the project: speakers(), warnings, status, check -------------------------------------

RESEARCHER = "Mira: Kerro taustastasi.\nAna: Olen ollut alalla kauan.\n" * 3


def test_project_speakers_frame(make_project: Callable[..., Any]) -> None:
    with pytest.warns(TymqualWarning, match=r"no role \(H5: Mira, Ana\)"):
        p = make_project({"transcripts/H5.txt": RESEARCHER})

    frame = p.speakers()

    assert list(frame.columns) == ["source_id", "label", "role", "turns", "words", "found"]
    h5 = frame[frame["source_id"] == "H5"].set_index("label")
    assert h5["turns"].to_dict() == {"Mira": 3, "Ana": 3}
    assert h5["words"].to_dict() == {"Mira": 3 * 2, "Ana": 3 * 4}
    assert set(h5["found"]) == {"detected"} and h5["role"].isna().all()
    others = frame[frame["source_id"] != "H5"]
    assert set(others["found"]) == {"configured"} and others["role"].notna().all()


def test_mapping_a_found_label_gives_its_role(make_project: Callable[..., Any]) -> None:
    with pytest.warns(TymqualWarning, match="no role"):
        root = make_project({"transcripts/H5.txt": RESEARCHER}).root
    config = root / "tymqual.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "speakers:\n  interviewer: [H, Mira]\n  interviewee: [V, Ana]\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", TymqualWarning)
        p = tymqual.open_project(root)
    roles = p.speakers().set_index(["source_id", "label"])["role"]
    assert roles[("H5", "Mira")] == "interviewer" and roles[("H5", "Ana")] == "interviewee"


def test_a_transcript_without_turns_is_named(
    make_project: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    prose = "Ana: Olen ollut alalla kauan.\nLisää tekstiä ilman puhujaa.\n"
    with pytest.warns(TymqualWarning) as caught:
        p = make_project({"transcripts/H6.txt": prose})
    said = [str(w.message) for w in caught if "H6" in str(w.message)]
    assert len(said) == 1
    assert said[0].startswith("transcripts/H6.txt: no speaker turns found")
    assert "'Ana:' (1x)" in said[0]

    found = integrity.check(p)
    row = found[found["problem"] == "transcript_without_turns"].iloc[0]
    assert (row["count"], row["where"]) == (1, "H6")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        assert cli.main(["status", str(p.root)]) == 0
    out = capsys.readouterr().out
    assert "interviews with no speaker turns: H6" in out
    assert "speakers: " in out


def test_no_warning_when_no_transcript_has_turns(tmp_path: Path) -> None:
    root = tmp_path / "p"
    tymqual.init_project(root, name="x")
    (root / "transcripts" / "A.txt").write_text("Pelkkää tekstiä.\n", encoding="utf-8")
    (root / "transcripts" / "B.txt").write_text("Muuta tekstiä.\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", TymqualWarning)
        assert tymqual.open_project(root).turnless() == []


def test_captions_without_speakers_stay_one_unnamed_turn(tmp_path: Path) -> None:
    said = ["So: we begin.", "Tämä on tekstitys.", "Ilman puhujia.", "Note: vain tekstiä.",
            "Se alkoi klo 12:30: kaikki tulivat.", "Loppu."]
    path = tmp_path / "tekstitys.srt"
    path.write_text(
        "\n\n".join(f"{n + 1}\n00:00:{n:02d},000 --> 00:00:{n:02d},900\n{line}"
                    for n, line in enumerate(said)) + "\n",
        encoding="utf-8",
    )

    doc = load_source(path)

    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns] == [("", " ".join(said))]


@pytest.mark.parametrize(
    ("configured", "line", "speaker"),
    [
        (("[Henkilö 3]",), "[Henkilö 3]: Olen töissä.", "[Henkilö 3]"),  # a pseudonymised label
        ((), "[Interviewer]: Kerro lisää.", "Interviewer"),
        (("Ana",), "[Ana]: Niin.", "Ana"),
    ],
)
def test_bracketed_labels(configured: tuple[str, ...], line: str, speaker: str) -> None:
    text = f"Johdanto\n{line}\n"
    turns = parse_turns(text, SpeakerConfig(interviewee=configured))
    assert [(t.speaker, text[t.start : t.end]) for t in turns] == [(speaker, line.split(": ")[1])]


# --- hand-written exports, each read again here by its own simple rule --------------------

EXPORTS = Path(__file__).parent / "data" / "transcripts"


def _blocks(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    return [block.split("\n") for block in re.split(r"\n\s*\n", text.strip())]


def _merged(pieces: list[tuple[str, str]], joiner: str) -> list[tuple[str, str]]:
    """Consecutive pieces of one speaker as one turn."""
    return [
        (speaker, joiner.join(said for _, said in group))
        for speaker, group in itertools.groupby(pieces, key=lambda piece: piece[0])
    ]


def _caption_turns(path: Path) -> list[tuple[str, str]]:
    """Each cue's text after its time line: a <v Name> tag, else the text before ': '."""
    pieces = []
    for block in _blocks(path):
        timing = next((n for n, line in enumerate(block) if "-->" in line), None)
        if timing is None:
            continue  # the WEBVTT header
        line = " ".join(block[timing + 1 :])
        voice = re.fullmatch(r"<v ([^>]+)>(.*)</v>", line)
        speaker, said = voice.groups() if voice else line.split(": ", 1)
        pieces.append((speaker, html.unescape(said)))
    return _merged(pieces, " ")


def _otter_turns(path: Path) -> list[tuple[str, str]]:
    """Blocks of "Name  m:ss" and the speech below, up to Otter's footer."""
    return [
        (block[0].rsplit("  ", 1)[0], "\n".join(block[1:]))
        for block in _blocks(path)
        if not block[0].startswith("Transcribed by")
    ]


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("zoom.vtt", _caption_turns),
        ("teams.vtt", _caption_turns),
        ("subrip.srt", _caption_turns),
        ("otter.txt", _otter_turns),
    ],
)
def test_hand_written_exports(
    name: str, reference: Callable[[Path], list[tuple[str, str]]]
) -> None:
    expected = reference(EXPORTS / name)

    doc = load_source(EXPORTS / name)

    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns] == expected
    assert len({t.speaker for t in doc.turns}) == len({speaker for speaker, _ in expected})


def test_numbered_things_are_not_speakers_but_anonymised_ids_are() -> None:
    paper = "Model 1: kaksi tasoa.\nTekstiä.\nModel 2: kolme tasoa.\nModel 1: uudelleen.\n"
    talk = "Max Virta:   Kerro lisää.\nadmin-1:     Joo.\nMax Virta:   Entä sitten?\nadmin-1: Ei.\n"

    assert parse_turns(paper) == []
    assert [t.speaker for t in parse_turns(talk)] == ["Max Virta", "admin-1"] * 2


def _shared_sample(name: str) -> Path:
    for base in (Path(__file__).parents[1].parent / "shared", Path("/work/shared")):
        if (base / "refi-qda" / "samples" / name).exists():
            return base / "refi-qda" / "samples" / name
    pytest.skip(f"{name} is absent: the shared REFI-QDA samples are not checked out beside "
                "the repository")


def test_a_real_focus_group_and_interview_keep_their_speakers(tmp_path: Path) -> None:
    """QualCoder's demo project (real transcripts, not made here): every line that starts
    with a speaker's name and a colon followed by spaces, as its transcriber wrote them,
    opens a turn (also of those who speak once), and no transcript is left without turns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        report = refi.import_qdpx(_shared_sample("qc1.3.2_demo.qdpx"), tmp_path / "qc")
        p = tymqual.open_project(report.root)

    assert p.turnless() == []
    for sid in p.source_ids:
        text = p.text(sid)
        heads = re.findall(r"(?m)^([A-Za-z][\w -]*?):[ \t]{2,}", text)
        turns = p.turns(sid)
        assert list(turns["speaker"]) == heads


@pytest.mark.parametrize(
    ("asks", "answers", "roles"),
    [
        ("Interviewer", "Ana", ("interviewer", "interviewee")),
        ("Researcher 1", "P3", ("interviewer", "interviewee")),
        ("Tutkija", "Haastateltava 2", ("interviewer", "interviewee")),
        ("Matti", "Vastaaja", ("interviewer", "interviewee")),
        ("Speaker 1", "Speaker 2", (None, None)),  # a speaker is anyone: no role from the word
    ],
)
def test_a_found_label_that_names_its_role_gets_it(
    asks: str, answers: str, roles: tuple[str | None, str | None]
) -> None:
    text = "".join(f"{asks}: Kysymys {i}?\n\n{answers}: Vastaus {i}.\n\n" for i in range(3))
    turns = parse_turns(text)
    assert [t.speaker for t in turns] == [asks, answers] * 3
    assert [t.role for t in turns] == list(roles) * 3


def test_speakers_in_tymqual_yaml_win_over_the_role_word() -> None:
    text = "".join(f"Tutkija: Kerro {i}.\n\nAnna: Kerron {i}.\n\n" for i in range(3))
    config = SpeakerConfig(interviewer=("Anna",), interviewee=("Tutkija",))
    assert {t.speaker: t.role for t in parse_turns(text, config)} == {
        "Tutkija": "interviewee", "Anna": "interviewer"}
