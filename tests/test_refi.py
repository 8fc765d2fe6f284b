"""REFI-QDA exchange: schema-valid deterministic export, faithful round trips, real vendor files,
other offset conventions, and hostile files refused before anything is written."""

from __future__ import annotations

import io
import struct
import uuid
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import tymqual
from tymqual import refi
from tymqual.errors import ProjectError, TymqualError, TymqualWarning

MakeProject = Callable[..., tymqual.Project]
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "refi-qda"
SAMPLES = SHARED / "samples"
SCHEMAS = REPO / "tests" / "data" / "refi-qda"  # MIT; SOURCE.md there
CODING_COLUMNS = [
    "source_id",
    "start",
    "end",
    "code",
    "coder",
    "created",
    "memo",
    "reduced",
    "text",
]

H3 = (
    "H: Miten kesä meni? 😀\n"
    "V: Hyvin 👍🏽 meni, kiitos. Äiti ja Öljy-yhtiö auttoivat.\n"
    "H: Entä syksy?\n"
    "V: Syksy oli 🎉 työläs, mutta ẞ ja e\u0301 säilyivät.\n"
)


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(
            f"{path} is absent: the shared REFI-QDA material is not checked out beside "
            "the repository"
        )
    return path


@pytest.fixture
def coded(make_project: MakeProject) -> tymqual.Project:
    """The two-interview project plus one with emoji, coded by two coders."""
    p = make_project(files={"transcripts/H3.txt": H3})
    p.code(
        "H3",
        "resurssit",
        quote="Äiti ja Öljy-yhtiö auttoivat",
        coder="AV",
        memo="Muistio 😀\ntoinen rivi",
        reduced="Äiti auttoi",
    )
    p.code("H3", "neuvottelut", quote="Äiti ja Öljy-yhtiö auttoivat", coder="MK")
    p.code("H3", "johtoryhma", quote="Syksy oli 🎉 työläs", coder="AV")
    p.code("H1", "johtaminen", quote="Verkostojohtaja on meillä liima", coder="AV")
    p.code("H2", "neuvottelut", quote="Neuvottelut venyivät", coder="MK", status="suggested")
    return tymqual.open_project(p.root)


def accepted(project: tymqual.Project) -> pd.DataFrame:
    codings = project.codings
    codings = codings[codings["status"] == "accepted"][CODING_COLUMNS]
    return codings.sort_values(CODING_COLUMNS).reset_index(drop=True)


def import_quietly(path: Path, into: Path, **kwargs: int) -> refi.ImportReport:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        return refi.import_qdpx(path, into, **kwargs)


def open_cleanly(root: Path) -> tymqual.Project:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an import must make a project that opens without a word
        # but about roles: other programs do not say who interviewed whom, and opening rightly
        # names the labels it found without one. (Texts without speaker turns, such as papers
        # or survey answers, are imported into documents/, so no interview lacks turns.)
        warnings.filterwarnings("ignore", r"speaker labels found with no role", TymqualWarning)
        return tymqual.open_project(root)


def assert_round_trip(original: tymqual.Project, tmp_path: Path) -> refi.ImportReport:
    path = refi.export_qdpx(original, tmp_path / "out.qdpx")
    report = refi.import_qdpx(path, tmp_path / "back")
    back = open_cleanly(report.root)
    pd.testing.assert_frame_equal(back.codebook.to_frame(), original.codebook.to_frame())
    assert sorted(back.source_ids) == sorted(original.source_ids)
    kinds = original.sources.set_index("source_id")["kind"]
    for source_id in original.source_ids:
        # Interviews come back as transcripts; a text without speaker turns (a survey answer)
        # among them comes back as a document.
        folder = "transcripts" if kinds[source_id] == "interview" else "documents"
        written = (report.root / folder / f"{source_id}.txt").read_bytes()
        assert written == original.text(source_id).encode("utf-8")
    if (kinds != "interview").any() and (kinds == "interview").any():
        assert any("documents/" in note for note in report.warnings)
    pd.testing.assert_frame_equal(accepted(back), accepted(original))
    assert report.offset_convention == "code_points"
    return report


# ---------------------------------------------------------------------------- round trips
def test_round_trip_keeps_codebook_texts_offsets_codes_coders_and_notes(
    coded: tymqual.Project, tmp_path: Path
) -> None:
    report = assert_round_trip(coded, tmp_path)
    assert (report.sources_imported, report.codings_imported, report.users) == (3, 4, 2)
    # The two codings of one span share one selection; the suggested coding stays home.
    assert (report.text_selections, report.codings) == (3, 4)
    back = tymqual.open_project(report.root)
    cases = back.cases
    assert list(cases.columns) == list(coded.cases.columns)  # no extra 'sources' column needed
    pd.testing.assert_frame_equal(cases, coded.cases)


def test_demo_project_round_trip(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        demo = tymqual.open_project(REPO)
    report = assert_round_trip(demo, tmp_path)
    assert report.codings_imported == len(accepted(demo)) > 0
    back = tymqual.open_project(report.root)
    # The survey answers come back as plain transcripts tied to their case by a sources column.
    assert {s: back.case_of(s) for s in back.source_ids} == {
        s: demo.case_of(s) for s in demo.source_ids
    }
    pd.testing.assert_frame_equal(back.cases.drop(columns="sources"), demo.cases)


def test_codebook_round_trip_through_qdc(coded: tymqual.Project, tmp_path: Path) -> None:
    path = refi.export_qdc(coded.codebook, tmp_path / "koodikirja.qdc")
    back = refi.import_qdc(path)
    pd.testing.assert_frame_equal(back.to_frame(), coded.codebook.to_frame())


def test_status_none_exports_every_coding(coded: tymqual.Project, tmp_path: Path) -> None:
    path = refi.export_qdpx(coded, tmp_path / "all.qdpx", status=None)
    assert import_quietly(path, tmp_path / "back").codings_imported == 5
    with pytest.raises(TymqualError, match="'approved' is not one of"):
        refi.export_qdpx(coded, tmp_path / "x.qdpx", status="approved")


def test_coder_names_show_in_users_but_the_guid_stays(
    coded: tymqual.Project, tmp_path: Path
) -> None:
    plain = refi.export_qdpx(coded, tmp_path / "plain.qdpx")
    named = refi.export_qdpx(coded, tmp_path / "named.qdpx", coder_names={"AV": "Anna Virtanen"})
    qde = zipfile.ZipFile(named).read("project.qde").decode()
    guid = str(uuid.uuid5(refi.NAMESPACE, "user:AV")).upper()
    assert f'<User guid="{guid}" name="Anna Virtanen" id="AV" />' in qde
    assert f'guid="{guid}"' in zipfile.ZipFile(plain).read("project.qde").decode()
    back = import_quietly(named, tmp_path / "back").root
    assert set(tymqual.open_project(back).codings["coder"]) == {"Anna Virtanen", "MK"}


# ---------------------------------------------------------------------------- export format
def schema(name: str) -> object:
    etree = pytest.importorskip("lxml.etree")
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


@pytest.mark.parametrize("which", ["coded", "demo"])
def test_exports_validate_against_the_official_schemas(
    which: str, coded: tymqual.Project, tmp_path: Path
) -> None:
    etree = pytest.importorskip("lxml.etree")
    project = coded if which == "coded" else tymqual.open_project(REPO)
    qdpx = refi.export_qdpx(project, tmp_path / "p.qdpx")
    qdc = refi.export_qdc(project.codebook, tmp_path / "c.qdc")
    project_xsd, codebook_xsd = schema("Project.xsd"), schema("Codebook.xsd")
    document = etree.fromstring(zipfile.ZipFile(qdpx).read("project.qde"))
    assert project_xsd.validate(document), project_xsd.error_log  # type: ignore[attr-defined]
    assert codebook_xsd.validate(etree.parse(str(qdc))), codebook_xsd.error_log  # type: ignore[attr-defined]


@pytest.mark.parametrize("which", ["coded", "demo"])
def test_two_exports_are_byte_identical(which: str, coded: tymqual.Project, tmp_path: Path) -> None:
    project = coded if which == "coded" else tymqual.open_project(REPO)
    first = refi.export_qdpx(project, tmp_path / "a.qdpx").read_bytes()
    again = tymqual.open_project(project.root)  # a fresh session changes nothing
    assert refi.export_qdpx(again, tmp_path / "b.qdpx").read_bytes() == first
    assert (
        refi.export_qdc(project.codebook, tmp_path / "a.qdc").read_bytes()
        == refi.export_qdc(again.codebook, tmp_path / "b.qdc").read_bytes()
    )


def test_export_layout_guids_and_descriptions(coded: tymqual.Project, tmp_path: Path) -> None:
    archive = zipfile.ZipFile(refi.export_qdpx(coded, tmp_path / "p.qdpx"))
    names = archive.namelist()
    assert names == sorted(names) and names[0] == "project.qde"
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    qde = archive.read("project.qde").decode()
    source = str(uuid.uuid5(refi.NAMESPACE, "source:H3")).upper()
    assert f'plainTextPath="internal://{source}.txt"' in qde
    assert archive.read(f"sources/{source}.txt") == coded.text("H3").encode("utf-8")
    code = str(uuid.uuid5(refi.NAMESPACE, "code:johtoryhma")).upper()
    assert f'<Code guid="{code}" name="Johtoryhmä" isCodable="true" color=' in qde
    assert "Avain: johtoryhma" in qde  # the key is not the one the name gives, so it is kept
    assert "Avain: resurssit" not in qde
    text = coded.text("H3")
    start = text.index("Äiti ja Öljy")
    # Positions are code points: the emoji and the skin-tone modifier count one each.
    assert f'startPosition="{start}" endPosition="{start + 28}"' in qde
    assert 'creationDateTime="' in qde and "Pelkistetty ilmaus" in qde
    assert "Neuvottelut venyivät" not in qde  # suggested codings are not exported


def test_empty_codebook_cannot_be_a_qdc(tmp_path: Path) -> None:
    with pytest.raises(TymqualError, match="has no codes"):
        refi.export_qdc(tymqual.Codebook("Tyhjä"), tmp_path / "x.qdc")
    assert not (tmp_path / "x.qdc").exists()


# ---------------------------------------------------------------------------- real samples
# file: codes, sources (all / text), selections (all / text), codings in sources, users,
# sources imported, codings imported, deepest code level (0 = flat)
SAMPLE_COUNTS = {
    "atlasti23-win_blank-project.qdpx": (0, 0, 0, 0, 0, 0, 2, 0, 0, None),
    "atlasti23-win_codes-only-project.qdpx": (3, 0, 0, 0, 0, 0, 2, 0, 0, 1),
    "atlasti8-mac_refi-spec-annexA2-example.qdpx": (14, 12, 6, 15, 8, 16, 3, 0, 0, 1),
    "maxqda24_icls-themes-10-papers.qdpx": (307, 10, 10, 0, 0, 0, 1, 10, 0, 1),
    "nvivo15-mac_qc-roundtrip.qdpx": (262, 2, 2, 0, 0, 0, 2, 0, 0, 6),
    "qc1.3.2_demo.qdpx": (262, 2, 2, 158, 158, 205, 1, 2, 205, 6),
}


@pytest.mark.parametrize("name", sorted(SAMPLE_COUNTS))
def test_every_sample_project_imports_with_its_readme_counts(name: str, tmp_path: Path) -> None:
    report = import_quietly(need(SAMPLES / name), tmp_path / "p")
    got = (
        report.codes,
        report.sources,
        report.text_sources,
        report.selections,
        report.text_selections,
        report.codings,
        report.users,
        report.sources_imported,
        report.codings_imported,
    )
    assert got == SAMPLE_COUNTS[name][:-1]
    project = open_cleanly(report.root)
    depths = project.codebook.to_frame()["depth"]
    assert (int(depths.max()) if len(depths) else None) == SAMPLE_COUNTS[name][-1]
    assert len(project.codings) == report.codings_imported


def test_atlas_annex_example_nests_names_lists_missing_files_and_reused_guids(
    tmp_path: Path,
) -> None:
    path = need(SAMPLES / "atlasti8-mac_refi-spec-annexA2-example.qdpx")
    report = import_quietly(path, tmp_path / "p")
    frame = tymqual.open_project(report.root).codebook.to_frame().set_index("path")
    assert frame.loc["coke/diet_coke", "name"] == "diet Coke"
    assert frame.loc["coke", "definition"] == "the breakfast of champions"
    assert frame.loc["cornflakes", "color"] == "#dc0000"
    assert len(report.missing_sources) == 8  # 6 text sources, 2 PDF text representations
    assert any("Mabel.txt" in m for m in report.missing_sources)
    reused = [w for w in report.warnings if "is used 2 times" in w]
    assert len(reused) == 2
    assert any("16 set(s)" in w for w in report.warnings)


def test_qc_sample_selections_are_whole_lines_in_code_points(tmp_path: Path) -> None:
    report = import_quietly(need(SAMPLES / "qc1.3.2_demo.qdpx"), tmp_path / "p")
    assert report.offsets == {"board_2017": "code_points"}
    project = tymqual.open_project(report.root)
    text = project.text("board_2017")
    spans = project.codings.query("source_id == 'board_2017'")[["start", "end"]]
    assert all(s == 0 or text[s - 1] == "\n" for s in spans["start"])
    assert all(text[e - 1] == "\n" for e in spans["end"])


@pytest.mark.parametrize(
    ("name", "names", "paths"),
    [
        (
            "taguette1.4.1_codebook.qdc",
            ["xsd:element name", "CodeBook", "Variables"],
            ["xsd_element_name", "codebook", "variables"],
        ),
        (
            "taguette1.5.2_codebook-generated.qdc",
            ["interesting", "people.family", "people.friends", "émotion – joie 😀"],
            ["interesting", "people_family", "people_friends", "émotion_joie"],
        ),
    ],
)
def test_taguette_codebooks_with_empty_sets_import_flat(
    name: str, names: list[str], paths: list[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty <Sets/> is nothing to warn about
        codebook = refi.import_qdc(need(SAMPLES / name))
    assert [code.name for code in codebook] == names
    assert [code.path for code in codebook] == paths  # dotted names are not a hierarchy


# ---------------------------------------------------------------------------- offsets
def build_qdpx(
    path: Path,
    qde: str | bytes,
    files: dict[str, bytes] | None = None,
    *,
    qde_name: str = "project.qde",
) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, qde.encode("utf-8") if isinstance(qde, str) else qde)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


CODES = '<CodeBook><Codes><Code guid="{g}" name="Teema" isCodable="true"/></Codes></CodeBook>'
CODE_GUID = "0D62985D-B147-5D01-A9B5-CAE5DCD98342"


def project_xml(sources: str, *, ns: str = "urn:QDA-XML:project:1.0", extra: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{ns}" name="testi">'
        '<Users><User guid="11111111-2222-3333-4444-555555555555" name="Tuula"/></Users>'
        f"{CODES.format(g=CODE_GUID)}<Sources>{sources}</Sources>{extra}</Project>"
    )


def selection(n: int, start: int, end: int, name: str) -> str:
    guid = str(uuid.UUID(int=n + 1000))
    return (
        f'<PlainTextSelection guid="{guid}" name="{name}" startPosition="{start}" '
        f'endPosition="{end}"><Coding guid="{uuid.UUID(int=n)}" '
        'creatingUser="11111111-2222-3333-4444-555555555555" '
        f'creationDateTime="2024-05-0{1 + n % 9}T10:00:00+03:00">'
        f'<CodeRef targetGUID="{CODE_GUID.lower()}"/></Coding></PlainTextSelection>'
    )


def count(raw: str, index: int, convention: str) -> int:
    """Where code point ``index`` of ``raw`` lies when counted by ``convention``."""
    head = raw[:index]
    if convention.endswith("_lf"):
        head = head.replace("\r\n", "\n")
    return len(head.encode("utf-16-le")) // 2 if convention.startswith("utf16") else len(head)


NVIVO_TEXT = "".join(
    f"V{i}: Minä 😀 sanoin {'🙂' * (i % 3 + 1)} että asia {i} on tärkeä.\r\n" for i in range(12)
)


@pytest.mark.parametrize("quoted", [True, False], ids=["names-quote", "names-empty"])
@pytest.mark.parametrize("convention", ["code_points", "utf16", "code_points_lf", "utf16_lf"])
def test_offset_convention_is_detected_and_converted(
    convention: str, quoted: bool, tmp_path: Path
) -> None:
    wanted = [f"asia {i} on tärkeä" for i in range(12)]
    spans = []
    at = 0
    for phrase in wanted:
        at = NVIVO_TEXT.index(phrase, at)
        spans.append(
            (count(NVIVO_TEXT, at, convention), count(NVIVO_TEXT, at + len(phrase), convention))
        )
    names = wanted if quoted else [""] * len(wanted)
    sels = "".join(selection(n, s, e, names[n]) for n, (s, e) in enumerate(spans))
    qde = project_xml(
        f'<TextSource guid="{uuid.UUID(int=99)}" name="haastattelu.txt" '
        f'plainTextPath="internal://a.txt">{sels}</TextSource>'
    )
    # As NVivo writes it: UTF-8 with a BOM, which no convention counts.
    data = b"\xef\xbb\xbf" + NVIVO_TEXT.encode("utf-8")
    report = import_quietly(
        build_qdpx(tmp_path / "n.qdpx", qde, {"Sources/a.txt": data}), tmp_path / "p"
    )
    assert report.offsets == {"haastattelu": convention}
    codings = tymqual.open_project(report.root).codings
    assert list(codings["text"]) == wanted
    assert list(codings["coder"].unique()) == ["Tuula"]
    assert codings["created"].iloc[0] == "2024-05-01T07:00:00Z"  # converted to UTC


def test_decomposed_text_maps_to_nfc_code_points(tmp_path: Path) -> None:
    raw = "Mabe\u0301l sanoi: cafe\u0301 on hyvä.\n"  # as macOS writes it
    start = raw.index("cafe")
    sels = selection(0, start, start + len("cafe\u0301"), "")
    qde = project_xml(
        f'<TextSource guid="{uuid.UUID(int=99)}" name="m" '
        f'plainTextPath="internal://m.txt">{sels}</TextSource>'
    )
    path = build_qdpx(tmp_path / "m.qdpx", qde, {"sources/m.txt": raw.encode()})
    report = import_quietly(path, tmp_path / "p")
    assert tymqual.open_project(report.root).codings["text"].tolist() == ["café"]


# ---------------------------------------------------------------------------- messy files
def test_deviating_project_variants_are_read(tmp_path: Path) -> None:
    sources = (
        f'<TextSource guid="{uuid.UUID(int=1)}" name="Haastattelu.docx" '
        'plainTextPath="relative:///Haastattelu.txt"/>'
        f'<TextSource guid="{uuid.UUID(int=2)}" name="haastattelu" plainTextPath="toinen.txt"/>'
        f'<TextSource guid="{uuid.UUID(int=3)}" name="../../etc/passwd" '
        'plainTextPath="internal://kolmas.txt"/>'
        f'<TextSource guid="{uuid.UUID(int=4)}" name="CON" plainTextPath="internal://neljäs.txt"/>'
        f'<TextSource guid="{uuid.UUID(int=5)}" name="poissa" plainTextPath="internal://x.txt"/>'
        f'<PDFSource guid="{uuid.UUID(int=6)}" name="raportti.pdf" path="internal://r.pdf"/>'
        f'<PDFSource guid="{uuid.UUID(int=7)}" name="liite.pdf" path="internal://l.pdf">'
        f'<Representation guid="{uuid.UUID(int=8)}" plainTextPath="internal://l.txt"/>'
        "</PDFSource>"
        f'<TextSource guid="{uuid.UUID(int=9)}" name="sisällä"><PlainTextContent>Teksti '
        "itse tiedostossa.</PlainTextContent></TextSource>"
    )
    qde = project_xml(sources, ns="urn:QDA-XML:project:0:10", extra="<Sets/>")
    files = {
        f"Sources/{n}": f"Tämä on {n}.\r\n".encode()
        for n in ("Haastattelu.txt", "toinen.txt", "kolmas.txt", "neljäs.txt", "l.txt")
    }
    path = build_qdpx(tmp_path / "v.qdpx", qde, files, qde_name="Project.qde")
    report = import_quietly(path, tmp_path / "p")
    assert report.missing_sources == ("poissa (internal://x.txt)",)
    project = open_cleanly(report.root)
    # A name that is a path gives its last part; Windows device names and case twins are avoided.
    assert sorted(project.source_ids) == [
        "CON_",
        "Haastattelu",
        "haastattelu_2",
        "liite",
        "passwd",
        "sisällä",
    ]
    files_made = sorted(p.name for p in (report.root / "transcripts").iterdir())
    assert files_made == sorted(f"{s}.txt" for s in project.source_ids)
    assert not (tmp_path / "etc").exists()
    assert project.text("Haastattelu") == "Tämä on Haastattelu.txt.\n"
    assert any("raportti.pdf" in w and "not a text source" in w for w in report.warnings)


def test_codebook_variants_nest_names_and_survive_reused_guids(tmp_path: Path) -> None:
    guid = "{A2209CFF-8E89-5B0A-A7B0-CDDC4BE92936}"
    qdc = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="NVivo"><Codes>'
        f'<Code guid="{guid}" name="Kela::Asiakastyö" isCodable="true" color="#ABCDEF"/>'
        f'<Code guid="{guid}" name="Kela::Johtaminen" isCodable="true" color="punainen"/>'
        '<Code guid="DD1B8AD4-9B6E-5BE2-BD0B-FDE7DEAFDDA4" name="Muu" isCodable="false">'
        "<Description>Kaikki muu.\n\nUse when: nothing else fits\nKeywords: a; b</Description>"
        "</Code></Codes><Sets/></CodeBook>"
    )
    (tmp_path / "k.qdc").write_text(qdc, encoding="utf-8")
    with pytest.warns(TymqualWarning) as caught:
        codebook = refi.import_qdc(tmp_path / "k.qdc")
    message = str(caught[0].message)
    for part in ("reuses the GUID", "'punainen'", "added as the parent"):
        assert part in message
    frame = codebook.to_frame().set_index("path")
    assert list(frame.index) == ["kela", "kela/asiakastyö", "kela/johtaminen", "muu"]
    assert frame.loc["kela/asiakastyö", "color"] == "#abcdef"
    assert frame.loc["muu", ["definition", "use_when", "keywords"]].tolist() == [
        "Kaikki muu.",
        "nothing else fits",
        "a; b",
    ]


def test_foreign_cases_comments_and_whole_source_codings(tmp_path: Path) -> None:
    text = "H: Kerro työstäsi.\nV: Teen asiakastyötä Kelassa.\n"
    start = text.index("Teen")
    comment = "<Description>Tärkeä kohta.</Description>"
    sels = selection(1, start, len(text) - 1, "Teen asiakastyötä Kelassa.").replace(
        "<Coding", comment + "<Coding", 1
    )
    dangling = (
        f'<Coding guid="{uuid.UUID(int=7)}"><CodeRef targetGUID="{uuid.UUID(int=8)}"/></Coding>'
    )
    whole = f'<Coding guid="{uuid.UUID(int=9)}"><CodeRef targetGUID="{{{CODE_GUID}}}"/></Coding>'
    source = (
        f'<TextSource guid="{uuid.UUID(int=99)}" name="Haastattelu 1.docx" '
        f'plainTextPath="internal://h.txt">{sels}{whole}{dangling}</TextSource>'
    )
    cases = (
        '<Variables><Variable guid="00000000-0000-0000-0000-0000000000a1" name="alue" '
        'typeOfVariable="Text"/><Variable guid="00000000-0000-0000-0000-0000000000a2" '
        'name="ikä" typeOfVariable="Integer"/></Variables><Cases>'
        '<Case guid="00000000-0000-0000-0000-0000000000c1" name="Henkilö A">'
        '<VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-0000000000a1"/>'
        "<TextValue>itä</TextValue></VariableValue>"
        '<VariableValue><VariableRef targetGUID="00000000-0000-0000-0000-0000000000a2"/>'
        "<IntegerValue>47</IntegerValue></VariableValue>"
        f'<SourceRef targetGUID="{uuid.UUID(int=99)}"/></Case></Cases>'
    )
    qde = project_xml(source).replace("<Sources>", cases + "<Sources>")
    path = build_qdpx(tmp_path / "c.qdpx", qde, {"sources/h.txt": text.encode()})
    report = import_quietly(path, tmp_path / "p")
    assert any("1 coding(s) refer to no code" in w for w in report.warnings)
    project = open_cleanly(report.root)
    assert project.cases.to_dict("records") == [
        {"case_id": "Henkilö A", "alue": "itä", "ikä": "47", "sources": "Haastattelu 1"}
    ]
    assert project.case_of("Haastattelu 1") == "Henkilö A"
    codings = project.codings.sort_values("start")
    assert codings[["start", "end", "memo"]].values.tolist() == [
        [0, len(text), ""],
        [start, len(text) - 1, "Tärkeä kohta."],
    ]


# ---------------------------------------------------------------------------- hostile files
XXE = (
    '<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    '<Code guid="{g}" name="&xxe;" isCodable="true"/></Codes></CodeBook>'
).replace("{g}", CODE_GUID)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    f'<Code guid="{CODE_GUID}" name="&lol9;" isCodable="true"/></Codes></CodeBook>'
)


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_entity_tricks_are_refused_in_codebooks_and_projects(xml: str, tmp_path: Path) -> None:
    (tmp_path / "k.qdc").write_text(xml, encoding="utf-8")
    with pytest.raises(TymqualError, match="k.qdc: refused because the XML declares entities"):
        refi.import_qdc(tmp_path / "k.qdc")
    qde = xml.replace("CodeBook", "Project").replace("codebook", "project")
    path = build_qdpx(tmp_path / "x.qdpx", qde)
    with pytest.raises(TymqualError, match=r"x.qdpx: project.qde: refused"):
        refi.import_qdpx(path, tmp_path / "p")
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    "entry",
    [
        "../evil.txt",
        "sources/../../evil.txt",
        "/tmp/evil.txt",
        "C:/evil.txt",
        "sources\\..\\..\\evil.txt",
    ],
)
def test_zip_slip_entries_are_refused_and_nothing_is_written(entry: str, tmp_path: Path) -> None:
    qde = project_xml(
        f'<TextSource guid="{uuid.UUID(int=1)}" name="a" plainTextPath="internal://{entry}"/>'
    )
    path = build_qdpx(tmp_path / "slip.qdpx", qde, {entry: b"evil"})
    before = set(tmp_path.parent.iterdir())
    with pytest.raises(TymqualError, match="points outside the folder"):
        refi.import_qdpx(path, tmp_path / "p")
    assert not (tmp_path / "p").exists()
    assert set(tmp_path.parent.iterdir()) == before
    assert not (tmp_path / "evil.txt").exists()


def patch_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size the zip declares for entry ``name`` (both headers)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")  # central directory: size at +24, name at +46
    while at >= 0:
        if out[at + 46 : at + 46 + len(name)] == name:
            struct.pack_into("<I", out, at + 24, size)
            local = struct.unpack_from("<I", out, at + 42)[0]
            struct.pack_into("<I", out, local + 22, size)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def test_an_entry_declaring_a_huge_size_is_refused_before_reading(tmp_path: Path) -> None:
    qde = project_xml(
        f'<TextSource guid="{uuid.UUID(int=1)}" name="a" plainTextPath="internal://a.txt"/>'
    )
    data = build_qdpx(tmp_path / "ok.qdpx", qde, {"sources/a.txt": b"Hei maailma.\n"}).read_bytes()
    (tmp_path / "big.qdpx").write_bytes(patch_sizes(data, b"sources/a.txt", 3 * 1024**3))
    with pytest.raises(TymqualError, match="declares 3221225472 bytes uncompressed"):
        refi.import_qdpx(tmp_path / "big.qdpx", tmp_path / "p")
    assert not (tmp_path / "p").exists()


def test_a_compressed_bomb_is_refused_under_a_low_limit(tmp_path: Path) -> None:
    qde = project_xml(
        f'<TextSource guid="{uuid.UUID(int=1)}" name="a" plainTextPath="internal://a.txt"/>'
    )
    path = build_qdpx(tmp_path / "bomb.qdpx", qde, {"sources/a.txt": b"0" * (8 * 1024**2)})
    assert path.stat().st_size < 100_000
    with pytest.raises(TymqualError, match="more than the limit of 1048576"):
        refi.import_qdpx(path, tmp_path / "p", max_entry_bytes=1024**2)
    with pytest.raises(TymqualError, match="in all, more than the limit of 4194304"):
        refi.import_qdpx(path, tmp_path / "p", max_total_bytes=4 * 1024**2)
    assert not (tmp_path / "p").exists()


def test_an_entry_larger_than_it_declares_is_refused(tmp_path: Path) -> None:
    qde = project_xml(
        f'<TextSource guid="{uuid.UUID(int=1)}" name="a" plainTextPath="internal://a.txt"/>'
    )
    data = build_qdpx(tmp_path / "ok.qdpx", qde, {"sources/a.txt": b"x" * 100_000}).read_bytes()
    (tmp_path / "liar.qdpx").write_bytes(patch_sizes(data, b"sources/a.txt", 10))
    with pytest.raises(TymqualError, match="sources/a.txt' cannot be read"):
        refi.import_qdpx(tmp_path / "liar.qdpx", tmp_path / "p", max_entry_bytes=1000)
    assert not (tmp_path / "p").exists()


def truncated_zip(tmp_path: Path) -> bytes:
    data = build_qdpx(tmp_path / "t.qdpx", project_xml("")).read_bytes()
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: b"This is not a zip archive at all.", "is not a readable REFI-QDA project"),
        (truncated_zip, "is not a readable REFI-QDA project"),
        (lambda tmp: build_qdpx(tmp / "n.qdpx", "<Project").read_bytes(), "not well-formed XML"),
        (lambda tmp: build_qdpx(tmp / "q.qdpx", "<CodeBook/>").read_bytes(), "not a REFI-QDA"),
        (lambda tmp: zip_without_qde(), "holds no project document"),
    ],
    ids=["not-a-zip", "truncated", "bad-xml", "wrong-root", "no-qde"],
)
def test_broken_files_give_a_clear_error_naming_the_file(
    make: Callable[[Path], bytes], message: str, tmp_path: Path
) -> None:
    path = tmp_path / "rikki.qdpx"
    path.write_bytes(make(tmp_path))
    with pytest.raises(TymqualError, match=message) as caught:
        refi.import_qdpx(path, tmp_path / "p")
    assert str(path) in str(caught.value)
    assert not (tmp_path / "p").exists()


def zip_without_qde() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sources/a.txt", "teksti")
    return buffer.getvalue()


def test_an_existing_non_empty_folder_is_refused(tmp_path: Path) -> None:
    path = build_qdpx(tmp_path / "ok.qdpx", project_xml(""))
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "muistiinpano.txt").write_text("oma", encoding="utf-8")
    with pytest.raises(ProjectError, match="does not merge"):
        refi.import_qdpx(path, tmp_path / "p")
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["muistiinpano.txt"]
    (tmp_path / "empty").mkdir()
    assert import_quietly(path, tmp_path / "empty").root == (tmp_path / "empty").resolve()


def test_a_qdpx_given_as_codebook_is_pointed_to_import_qdpx(tmp_path: Path) -> None:
    path = build_qdpx(tmp_path / "p.qdpx", project_xml(""))
    with pytest.raises(TymqualError, match="import_qdpx"):
        refi.import_qdc(path)


def test_report_reads_as_a_summary(tmp_path: Path) -> None:
    path = need(SAMPLES / "qc1.3.2_demo.qdpx")
    text = str(import_quietly(path, tmp_path / "p"))
    assert "codings 205 of 205" in text and "offsets: code_points" in text
