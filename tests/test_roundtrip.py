"""A ledger that Excel or LibreOffice saved again loses and alters nothing.

The real round trips run LibreOffice headless in a Finnish locale on a copy of the demo
project's ledger (with a few codings whose characters Windows-1252 cannot hold); the
general rule is tested on an emulation of Excel's damage with hypothesis.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
import warnings
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tymqual
from tymqual import roundtrip
from tymqual.codings import CODING_COLUMNS, Ledger
from tymqual.errors import TymqualWarning
from tymqual.storage import excel_safe

DEMO = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed, so no real round trip"
)
# LibreOffice's CSV filter tokens: separator, quote, character set (1 = Windows-1252,
# 76 = UTF-8, 65535 = UTF-16), first line, column formats, language (1035 = Finnish),
# quoted field as text, detect special numbers, save cell contents as shown.
READ_OURS = "CSV:44,34,76,1,,1035,false,true"
SAVES = {
    "fi-cp1252": "csv:Text - txt - csv (StarCalc):59,34,1,1,,1035,false,true,true",
    "fi-utf8": "csv:Text - txt - csv (StarCalc):59,34,76,1,,1035,false,true,true",
    "unicode-text": "csv:Text - txt - csv (StarCalc):9,34,65535,1,,1035,false,true,true",
}
ODD_PASSAGE = "Łódź ≠ Lodz 👍 – “lainaus”."
ODD_MEMOS = ["hyvä 👍 kohta, Łukasz", "=SUM(1;2)", "Onko näin?", "rivi 1\nrivi 2; \"x\", y"]


def _soffice(args: list[str], out: Path, profile: Path) -> None:
    assert SOFFICE is not None
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", *args,
         "--outdir", str(out)],
        check=True, capture_output=True, timeout=180,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A copy of the demo project whose ledger holds cells a Windows-1252 save damages."""
    root = tmp_path_factory.mktemp("demo")
    for part in ("transcripts", "codes", "surveys"):
        shutil.copytree(DEMO / part, root / part)
    shutil.copy(DEMO / "tymqual.yaml", root / "tymqual.yaml")
    h2 = root / "transcripts" / "H2.txt"
    h2.write_text(h2.read_text(encoding="utf-8") + f"\nV: {ODD_PASSAGE}\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        p = tymqual.open_project(root, cache=False)
    ids = p.ledger.read()["coding_id"].tolist()
    p.ledger.update(ids[:4], reduced="- alkaa viivalla")
    for cid, memo in zip(ids[4:], ODD_MEMOS, strict=False):
        p.ledger.update([cid], memo=memo)
    code = p.ledger.read()["code"].iat[0]
    p.code("H2", code, quote=ODD_PASSAGE, memo="👍👍")
    return root, p.ledger.read()


@pytest.fixture(scope="module")
def saves(demo: tuple[Path, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, bytes]:
    """The demo ledger as LibreOffice in a Finnish locale saves it, one file per variant."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed, so no real round trip")
    root, _ = demo
    work = tmp_path_factory.mktemp("lo")
    profile = work / "profile"
    source = work / "codings.csv"
    shutil.copy(root / "codes" / "codings.csv", source)
    found: dict[str, bytes] = {}
    for name, save in SAVES.items():
        out = work / name
        _soffice([f"--infilter={READ_OURS}", "--convert-to", save, str(source)], out, profile)
        found[name] = (out / "codings.csv").read_bytes()
    # Excel re-types what looks like a date or number on opening; LibreOffice's CSV import
    # does not take the ISO "Z" form, so the re-typing is done in the workbook it wrote.
    _soffice([f"--infilter={READ_OURS}", "--convert-to", "xlsx", str(source)], work / "x",
             profile)
    book = openpyxl.load_workbook(work / "x" / "codings.xlsx")
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    created, start = header.index("created") + 1, header.index("start") + 1
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, created)
        cell.value = datetime.strptime(str(cell.value), "%Y-%m-%dT%H:%M:%SZ")
        cell.number_format = "d.m.yyyy h:mm"
        sheet.cell(row, start).number_format = "#,##0.0"
    book.save(work / "retyped.xlsx")
    _soffice(["--convert-to", SAVES["fi-cp1252"], str(work / "retyped.xlsx")], work / "xl",
             profile)
    found["xlsx-retyped"] = (work / "xl" / "retyped.csv").read_bytes()
    return found


def _read_as_saved(path: Path, data: bytes, **attributes: object
                   ) -> tuple[Ledger, pd.DataFrame, list[str]]:
    path.write_bytes(data)
    ledger = Ledger(path)
    for name, value in attributes.items():
        setattr(ledger, name, value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = ledger.read()
        ledger.read()  # the same content again: nothing more is said
    told = [str(w.message) for w in caught if issubclass(w.category, TymqualWarning)]
    return ledger, frame, told


@needs_soffice
@pytest.mark.parametrize("variant", [*SAVES, "xlsx-retyped"])
def test_libreoffice_save_loses_and_alters_nothing(
    demo: tuple[Path, pd.DataFrame], saves: dict[str, bytes], variant: str, tmp_path: Path
) -> None:
    root, before = demo
    texts = tymqual.open_project(root, cache=False).ledger.texts
    path = tmp_path / "codings.csv"
    ledger, frame, told = _read_as_saved(path, saves[variant], texts=texts,
                                         reference=lambda: before)
    pd.testing.assert_frame_equal(frame, before)
    assert len(told) == 1 and told[0].startswith(f"{path} was re-saved by another program")
    notes = ledger.read_notes
    assert not notes["kind"].isin(["unrestorable", "unchecked", "absent", "edited"]).any()
    for cid in notes["coding_id"]:
        assert cid in set(before["coding_id"])
    if variant == "xlsx-retyped":
        assert (notes["kind"] == "date").sum() == len(before)
        assert "dates re-typed" in told[0]
    # The next change writes tymqual's own format, with the repaired rows.
    ledger.update([before["coding_id"].iat[0]], memo="muutettu")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfcoding_id,source_id,start,end,")
    again = Ledger(path).read()
    pd.testing.assert_frame_equal(again.drop(columns="memo"), before.drop(columns="memo"))


@needs_soffice
def test_windows_1252_save_names_the_file_and_the_codings_it_restored(
    demo: tuple[Path, pd.DataFrame], saves: dict[str, bytes], tmp_path: Path
) -> None:
    _, before = demo
    ledger, _, told = _read_as_saved(tmp_path / "codings.csv", saves["fi-cp1252"],
                                     reference=lambda: before)
    restored = ledger.read_notes[ledger.read_notes["kind"] == "restored"]
    damaged = before[before["memo"].str.contains("👍") | before["text"].str.contains("Ł")
                     | before["reduced"].str.startswith("-")]
    assert set(damaged["coding_id"]) <= set(restored["coding_id"])
    assert "(';'-separated, Windows-1252)" in told[0]
    assert f"{len(restored)} cells restored" in told[0]


@needs_soffice
@pytest.mark.parametrize("history", [True, False], ids=["with history", "without history"])
def test_project_opens_a_windows_1252_save_without_blaming_the_transcript(
    demo: tuple[Path, pd.DataFrame], saves: dict[str, bytes], tmp_path: Path, history: bool
) -> None:
    root, before = demo
    copy = tmp_path / "proj"
    shutil.copytree(root, copy)
    if not history:
        (copy / "codes" / "codings.history.jsonl").unlink()
    (copy / "codes" / "codings.csv").write_bytes(saves["fi-cp1252"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p = tymqual.open_project(copy, cache=False)
    told = [str(w.message) for w in caught if issubclass(w.category, TymqualWarning)]
    codings = p.codings
    assert len(codings) == len(before) and p.unanchored.empty
    pd.testing.assert_series_equal(codings["text"], before["text"])
    assert not any("no longer found" in m for m in told)
    [said] = [m for m in told if "re-saved by another program" in m]
    if history:
        # The history knows every cell as last saved: the whole ledger comes back.
        pd.testing.assert_frame_equal(codings, before)
        assert "no earlier version" not in said
        return
    # With no earlier version, a memo's '?' cannot be checked: said, naming the coding.
    emoji = before.loc[before["memo"].str.contains("👍"), "coding_id"]
    assert all(cid in said for cid in emoji[:5]) and "no earlier version" in said


# ---------------------------------------------------------------------------- emulation
def _excel_date(value: str, style: str) -> str:
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    if style == "fi":
        return f"{moment.day}.{moment.month}.{moment.year} {moment.hour}:{moment.minute:02d}"
    if style == "us":
        hour = moment.hour % 12 or 12
        half = "AM" if moment.hour < 12 else "PM"
        return (f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d}:"
                f"{moment.second:02d} {half}")
    return moment.strftime("%Y-%m-%d %H:%M")


def _excel_number(value: int, style: str) -> str:
    if style == "decimal":
        return f"{value},0"
    if style == "nbsp":
        return f"{value:,}".replace(",", "\u00a0")
    if style == "space":
        return f"{value:,}".replace(",", " ")
    return f"{value}.0"


def excel_save(frame: pd.DataFrame, *, seed: int, surrogate_pairs: bool) -> bytes:
    """What a Finnish Excel's "CSV (semicolon)" save makes of a ledger: cells shown (dates
    and numbers re-typed), columns in another order, cp1252 with '?' for the rest, CRLF."""
    rng = random.Random(seed)
    shown = frame.astype(str).map(excel_safe)
    shown["created"] = [_excel_date(v, rng.choice(["fi", "us", "iso"])) for v in frame["created"]]
    for col in ("start", "end"):
        shown[col] = [_excel_number(int(v), rng.choice(["decimal", "nbsp", "space", "dot"]))
                      for v in frame[col]]
    columns = list(shown.columns)
    rng.shuffle(columns)
    text = shown[columns].to_csv(sep=";", index=False, lineterminator="\r\n")
    if surrogate_pairs:  # Excel keeps text as UTF-16, so a character beyond it is two units
        text = "".join(c + c if ord(c) > 0xFFFF else c for c in text)
    return text.encode("cp1252", errors="replace")


_CELL = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("?\n=+-@äö👍Ł≠\u200b"),
    max_size=30,
)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[pd.DataFrame, dict[str, str]]:
    n = draw(st.integers(1, 6))
    alphabet = st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("?👍Ł≠=-")
    texts = {"H1": draw(st.text(alphabet, min_size=40, max_size=80))}
    rows = []
    for i in range(n):
        start = draw(st.integers(0, 30))
        end = draw(st.integers(start + 1, 40))
        rows.append({
            "coding_id": f"c{i:011x}", "source_id": "H1", "start": start, "end": end,
            "code": draw(st.sampled_from(["johtaminen", "työ", "=kaava"])),
            "coder": draw(st.sampled_from(["A", "Łukasz", ""])), "status": "accepted",
            "created": f"2026-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}T"
                       f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}:"
                       f"{draw(st.integers(0, 59)):02d}Z",
            "memo": draw(_CELL), "reduced": draw(_CELL), "text": texts["H1"][start:end],
        })
    frame = pd.DataFrame(rows, columns=list(CODING_COLUMNS)).astype({"start": "int64",
                                                                      "end": "int64"})
    return frame, texts


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(ledgers(), st.integers(0, 2**16), st.booleans())
def test_emulated_excel_save_is_repaired_whole(
    tmp_path: Path, case: tuple[pd.DataFrame, dict[str, str]], seed: int, pairs: bool
) -> None:
    original, texts = case
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "codings.csv"  # one per example
    before = Ledger(path)
    before.add(original)
    expected = before.read()
    ledger, frame, told = _read_as_saved(path, excel_save(expected, seed=seed,
                                                          surrogate_pairs=pairs),
                                         texts=lambda: texts, reference=lambda: expected)
    pd.testing.assert_frame_equal(frame, expected)
    assert len(told) == 1 and str(path) in told[0]
    kinds = set(ledger.read_notes["kind"])
    assert kinds <= {"restored", "mark", "date", "number"}
    assert "date" in kinds  # a number below 1,000 may look the same in every style


@given(ledgers())
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_passages_come_back_from_the_source_without_a_reference(
    tmp_path: Path, case: tuple[pd.DataFrame, dict[str, str]]
) -> None:
    original, texts = case
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "codings.csv"  # one per example
    Ledger(path).add(original)
    expected = Ledger(path).read()
    _, frame, _ = _read_as_saved(path, excel_save(expected, seed=1, surrogate_pairs=False),
                                 texts=lambda: texts)
    assert frame["text"].tolist() == expected["text"].tolist()
    assert len(frame) == len(expected)


def test_an_edit_made_in_excel_is_kept_and_damage_it_hides_is_named(tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    ledger = Ledger(path)
    ids = ledger.add([
        {"source_id": "H1", "start": 0, "end": 4, "code": "k", "memo": "hyvä"},
        {"source_id": "H1", "start": 5, "end": 9, "code": "k", "memo": "👍 ok"},
        {"source_id": "H1", "start": 9, "end": 12, "code": "k", "memo": "Totta."},
    ])
    before = ledger.read()
    edited = before.copy()
    edited.loc[0, "memo"] = "hyvä kohta"      # an edit
    edited.loc[1, "memo"] = "👍 ok, tarkista"  # an edit around a character that is lost
    edited.loc[2, "memo"] = "Totta?"          # a typed '?', not damage
    data = excel_save(edited, seed=3, surrogate_pairs=False)
    ledger, frame, told = _read_as_saved(path, data, reference=lambda: before)
    assert frame["memo"].tolist() == ["hyvä kohta", "? ok, tarkista", "Totta?"]
    notes = ledger.read_notes
    memo = notes[notes["column"] == "memo"].set_index("coding_id")
    assert memo.loc[ids[1], "kind"] == "unrestorable" and memo.loc[ids[1], "row"] == 3
    assert memo.loc[ids[0], "kind"] == "edited" and memo.loc[ids[2], "kind"] == "edited"
    assert f"row 3 'memo' of coding {ids[1]} could not be restored" in told[0]
    assert "2 cells edited there kept" in told[0]


def test_a_coding_missing_from_the_save_is_named(tmp_path: Path) -> None:
    path = tmp_path / "codings.csv"
    ledger = Ledger(path)
    ids = ledger.add([{"source_id": "H1", "start": n, "end": n + 1, "code": "k"}
                      for n in range(3)])
    before = ledger.read()
    data = excel_save(before.iloc[[0, 2]], seed=0, surrogate_pairs=False)
    ledger, frame, told = _read_as_saved(path, data, reference=lambda: before)
    assert len(frame) == 2 and f"({ids[1]})" in told[0]


@pytest.mark.parametrize(
    ("shown", "stored", "restored"),
    [
        ("23.11.2026 9:20", "2026-11-23T09:20:08Z", "2026-11-23T09:20:08Z"),
        ("23.11.2026 9.20.08", "2026-11-23T09:20:08Z", "2026-11-23T09:20:08Z"),
        ("11/23/2026 9:20:08 AM", "2026-11-23T09:20:08Z", "2026-11-23T09:20:08Z"),
        ("11/23/2026 9:20 PM", "2026-11-23T21:20:59Z", "2026-11-23T21:20:59Z"),
        ("2026-11-23 09:20", "2026-11-23T09:20:31Z", "2026-11-23T09:20:31Z"),
        ("3/4/2026 10:00", "2026-04-03T10:00:00Z", "2026-04-03T10:00:00Z"),  # day first
        ("23.11.2026 9:21", "2026-11-23T09:20:08Z", "2026-11-23T09:21:00Z"),  # not the same
        ("23.11.2026", None, "2026-11-23T00:00:00Z"),
        ("1.2.26 7:05", None, "2026-02-01T07:05:00Z"),
    ],
)
def test_re_typed_dates(tmp_path: Path, shown: str, stored: str | None, restored: str) -> None:
    raw = pd.DataFrame({"coding_id": ["c1"], "created": [shown]})
    reference = None if stored is None else pd.DataFrame({"coding_id": ["c1"],
                                                          "created": [stored]})
    from tymqual.storage import CsvFormat

    frame, notes = roundtrip.repair_ledger(raw, CsvFormat("cp1252", ";", "\r\n"), where="f",
                                           reference=lambda: reference)
    assert frame["created"].tolist() == [restored]
    assert notes["kind"].tolist() == ["date"] and notes["row"].tolist() == [2]


@pytest.mark.parametrize("shown", ["2047,0", "2 047", "2\u00a0047", "2\u202f047,00", "2047.0"])
def test_re_typed_whole_numbers_read_as_whole(tmp_path: Path, shown: str) -> None:
    path = tmp_path / "codings.csv"
    path.write_text(f"coding_id;source_id;start;end;code\nc1;H1;{shown};3000;k\n",
                    encoding="utf-8")
    ledger, frame, told = _read_as_saved(path, path.read_bytes())
    assert frame["start"].tolist() == [2047] and "1 number re-typed" in told[0]


@pytest.mark.parametrize("shown", ["2047,5", "2,047", "kaksi"])
def test_a_number_that_is_not_whole_is_still_refused(tmp_path: Path, shown: str) -> None:
    path = tmp_path / "codings.csv"
    path.write_text(f"coding_id;source_id;start;end;code\nc1;H1;\"{shown}\";3000;k\n",
                    encoding="utf-8")
    with pytest.raises(tymqual.errors.CodingError, match="row 2, column 'start'"):
        Ledger(path).read()


@pytest.mark.parametrize(
    ("found", "original", "expected"),
    [
        ("hyvä ? kohta", "hyvä 👍 kohta", True),
        ("hyvä ?? kohta", "hyvä 👍 kohta", True),
        ("?=SUM(1)", "=SUM(1)", True),
        ("?ukasz", "Łukasz", True),
        ("Totta?", "Totta.", False),
        ("hyvä ? kohta!", "hyvä 👍 kohta", False),
        ("hyvä ??? kohta", "hyvä 👍 kohta", False),
    ],
)
def test_stands_for(found: str, original: str, expected: bool) -> None:
    assert roundtrip.stands_for(found, original) is expected


def test_tymqual_s_own_file_is_read_silently(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    ledger = Ledger(tmp_path / "codings.csv")
    ledger.add([{"source_id": "H1", "start": 0, "end": 3, "code": "k", "memo": "Miksi?"}])
    Ledger(ledger.path).read()
    assert not [w for w in recwarn if issubclass(w.category, TymqualWarning)]

