"""Re-anchoring after transcript edits and renames (``codings.reanchor``, ``Project._reanchor``).

The property test edits texts with repeated sentences at random (insertions, deletions and
changes above, between and below the coded sentences, never inside them) and tracks where each
coded sentence truly went. Whatever the edits, a coding either lands on exactly that sentence
or is reported ambiguous; it is never lost and never moved to another occurrence. The texts
say mostly new things, as transcripts do: a passage repeated verbatim with 60 characters of
identical surroundings on each side is beyond what any text comparison can tell apart.
"""

from __future__ import annotations

import itertools
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tymqual
from tymqual.codings import Ledger
from tymqual.errors import CodingError, TymqualWarning
from tymqual.reanchor import CONTEXT_COLUMNS, REANCHOR_COLUMNS, reanchor

REPO = Path(__file__).resolve().parents[1]

# Few sentences, so that a text of twenty has several repeated ones, some of them coded.
SENTENCES = (
    "Kela on mukana.",
    "Kyllä.",
    "Verkostojohtaja kokoaa osapuolet yhteen ja pitää langat käsissään.",
    "Mallisopimus auttoi meitä alussa.",
    "En osaa sanoa.",
    "Henkilöstö vaihtui kesken kaiken, ja se hidasti työtä.",
)
SEPARATORS = (" ", "\n", "\nH: ", "\nV: ")


@dataclass
class Unit:
    """A sentence of the text and the separator after it; ``coded`` lists the codings on it."""

    sentence: str
    after: str
    coded: list[str] = field(default_factory=list)
    kept: bool = False  # a copy of a coded sentence: changed perhaps, never removed


def joined(units: list[Unit]) -> tuple[str, dict[str, tuple[int, int]]]:
    """The text and, per coding id, the span of its sentence in it."""
    parts, spans, at = [], {}, 0
    for unit in units:
        for cid in unit.coded:
            spans[cid] = (at, at + len(unit.sentence))
        parts.append(unit.sentence + unit.after)
        at += len(unit.sentence) + len(unit.after)
    return "".join(parts), spans


@st.composite
def edited_texts(draw: st.DrawFn) -> tuple[str, str, dict[str, tuple[int, int]],
                                           dict[str, tuple[int, int]]]:
    """``(old, new, old spans, true new spans)`` of a text edited around its codings."""
    # Transcripts say mostly new things (numbered, so never twice), with some sentences
    # said again.
    numbers = itertools.count()
    said_once = st.sampled_from(["pitkään", "lyhyesti", "taas"]).map(
        lambda how: f"Aiheesta {next(numbers)} puhuttiin {how}.")
    sentence = st.one_of(said_once, st.sampled_from(SENTENCES))
    separator = st.sampled_from(SEPARATORS)
    units = [Unit(draw(sentence), draw(separator))
             for _ in range(draw(st.integers(4, 20)))]
    n_codings = draw(st.integers(1, min(6, len(units))))
    for n, i in enumerate(draw(st.lists(st.integers(0, len(units) - 1), min_size=n_codings,
                                        max_size=n_codings))):
        units[i].coded.append(f"c{n}")
    old, old_spans = joined(units)
    # Copies of a coded sentence are never added or removed whole: then no text could tell
    # which copy was coded ("Kyllä." inserted before or after "Kyllä." is the same text).
    coded = {u.sentence for u in units if u.coded}
    for unit in units:
        unit.kept = unit.sentence in coded
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["insert", "delete", "change"]))
        i = draw(st.integers(0, len(units)))
        free = [u for u in units if not u.kept]
        if kind == "insert":
            # New words, never a sentence the text had: putting one back elsewhere would
            # be moving text, which can make a copy's surroundings the passage's own.
            filler = draw(st.one_of(said_once, st.text("abcdefg äö.,\n", min_size=1,
                                                       max_size=80)))
            units.insert(i, Unit(filler, draw(separator)))
        elif kind == "delete" and free:
            units.remove(free[i % len(free)])
        elif kind == "change" and (changeable := [u for u in units if not u.coded]):
            unit = changeable[i % len(changeable)]
            cut = draw(st.integers(0, len(unit.sentence)))
            added = draw(st.text("xyzåäö ,.", max_size=40))
            unit.sentence = unit.sentence[:cut] + added + unit.sentence[cut:]
        else:  # a changed separator: a speaker label added or a line joined
            units[min(i, len(units) - 1)].after = draw(separator)
    new, new_spans = joined(units)
    return old, new, old_spans, new_spans


def codings_of(text: str, spans: dict[str, tuple[int, int]], source_id: str = "H1"
               ) -> pd.DataFrame:
    return pd.DataFrame({
        "coding_id": list(spans),
        "source_id": source_id,
        "start": [s for s, _ in spans.values()],
        "end": [e for _, e in spans.values()],
        "text": [text[s:e] for s, e in spans.values()],
    })


def context_of(text: str, spans: dict[str, tuple[int, int]], width: int = 60) -> pd.DataFrame:
    """What the history keeps: the text either side at coding time and the source's length."""
    return pd.DataFrame({
        "coding_id": list(spans),
        "left": [text[max(0, s - width):s] for s, _ in spans.values()],
        "right": [text[e:e + width] for _, e in spans.values()],
        "source_chars": len(text),
    })


def edited_on_both_sides(old: str, new: str, spans: dict[str, tuple[int, int]],
                         truth: dict[str, tuple[int, int]], cid: str) -> bool:
    """Whether the text changed both between the coding and its nearest neighbour before it
    and between it and the nearest after it (neighbours: codings whose passage occurs once,
    else the ends of the source)."""
    start, end = spans[cid]
    once = [c for c in spans if c != cid and new.count(old[spans[c][0]:spans[c][1]]) == 1]
    before = [c for c in once if spans[c][0] <= start]
    after = [c for c in once if spans[c][0] > start]
    b_old, b_new = max((spans[c][0], truth[c][0]) for c in before) if before else (0, 0)
    a_old, a_new = min((spans[c][0], truth[c][0]) for c in after) if after else (len(old),
                                                                               len(new))
    return (old[b_old:start] != new[b_new:truth[cid][0]]
            and old[end:a_old] != new[truth[cid][1]:a_new])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=edited_texts(), with_context=st.booleans())
def test_an_edit_never_moves_a_coding_to_another_occurrence(
    case: tuple[str, str, dict[str, tuple[int, int]], dict[str, tuple[int, int]]],
    with_context: bool,
) -> None:
    old, new, old_spans, truth = case
    codings = codings_of(old, old_spans)
    context = context_of(old, old_spans) if with_context else None
    report = reanchor(codings, {"H1": new}, context).set_index("coding_id")
    assert set(report["outcome"]) <= {"moved", "ambiguous"}  # no passage was deleted
    # The documented limits. Unreported means still at its offsets: when no coding has
    # moved and nothing tells that the source changed, a copy that came to sit exactly there
    # passes for it (the one-comparison fast path). Without stored surroundings, edits on
    # both sides of a coding, between its unambiguous neighbours, can put a copy exactly
    # where an edit on one side only would have put the passage.
    unseen = (all(new[s:e] == old[s:e] for s, e in old_spans.values())
              and (not with_context or len(new) == len(old)))
    for cid, (start, end) in old_spans.items():
        passage = old[start:end]
        fooled = not with_context and edited_on_both_sides(old, new, old_spans, truth, cid)
        if cid not in report.index:
            assert new[start:end] == passage
            assert (start, end) == truth[cid] or unseen or fooled
            continue
        row = report.loc[cid]
        assert row["detail"]
        if row["outcome"] == "moved":
            assert (row["start"], row["end"]) == truth[cid] or fooled, row["detail"]
        else:
            assert pd.isna(row["start"]) and f"stays at {start}–{end}" in row["detail"]
            assert new.count(passage) > 8 or str(truth[cid][0]) in row["detail"]
        if new.count(passage) == 1:  # found once: nothing to doubt
            assert row["outcome"] == "moved" and (row["start"], row["end"]) == truth[cid]


# ---------------------------------------------------------------------------- examples
def test_a_repeated_sentence_follows_the_shift_of_its_neighbours() -> None:
    """The case from issue 14: text inserted above; one of six codings is on a sentence
    that occurs twice, and the insertion is longer than the distance between them."""
    repeated = "Kela on mukana."
    old = (f"V: Alku. {repeated} Välissä lyhyt lause. {repeated} Sitten puhuttiin muusta.\n"
           "V: Verkostojohtaja kokoaa osapuolet. Mallisopimus auttoi. Rahoitus loppui.\n"
           "H: Entä henkilöstö? V: Henkilöstö vaihtui kesken kaiken.\n")
    quotes = [repeated, "Verkostojohtaja kokoaa osapuolet.", "Mallisopimus auttoi.",
              "Rahoitus loppui.", "Henkilöstö vaihtui kesken kaiken.", "Sitten puhuttiin"]
    spans = {f"c{i}": (old.rindex(q), old.rindex(q) + len(q)) for i, q in enumerate(quotes)}
    new = "Litteroitu 2026. Haastattelija: MK. Kesto 62 min.\n" + old
    shift = len(new) - len(old)
    report = reanchor(codings_of(old, spans), {"H1": new}).set_index("coding_id")
    assert report["outcome"].eq("moved").all() and len(report) == 6
    for cid, (start, end) in spans.items():
        assert (report.loc[cid, "start"], report.loc[cid, "end"]) == (start + shift, end + shift)
    assert "occurs 2 times; this one" in report.loc["c0", "detail"]
    # The occurrence nearest the old start, which the old rule took, is the other one.
    first = new.index(repeated)
    assert abs(first - spans["c0"][0]) < abs(report.loc["c0", "start"] - spans["c0"][0])


def test_two_places_that_fit_equally_are_listed_not_guessed() -> None:
    old = "V: Kela on mukana. Jotain. Kela on mukana. Loppu."
    start = old.rindex("Kela on mukana.")
    # Text inserted above the coding and below it: neither neighbour's distance survives.
    new = "Alkuun lisätty. " + old.replace("Jotain.", "Jotain muuta.") + " Lisää loppuun."
    codings = codings_of(old, {"c0": (start, start + 15)})
    row = reanchor(codings, {"H1": new}).iloc[0]
    assert row["outcome"] == "ambiguous" and pd.isna(row["start"])
    starts = [m.start() for m in re.finditer("Kela on mukana", new)]
    assert all(str(s) in row["detail"] for s in starts)
    assert f"stays at {start}–{start + 15}" in row["detail"]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_lone_coding_on_a_repeated_sentence_needs_context(which: int) -> None:
    old = "".join(f"V{i}: Kela on mukana. {'täyte ' * 10}\n" for i in range(3))
    starts = [m.start() for m in re.finditer("Kela on mukana", old)]
    spans = {"c0": (starts[which], starts[which] + 14)}
    new = "Otsikko lisätty\n" + old
    without = reanchor(codings_of(old, spans), {"H1": new}).iloc[0]
    assert without["outcome"] == "ambiguous"  # nothing says where the text moved
    assert "occurs 3 times" in without["detail"]
    context = context_of(old, spans)
    length_only = context.assign(left="", right="")
    for stored in (context, length_only):
        row = reanchor(codings_of(old, spans), {"H1": new}, stored).iloc[0]
        assert (row["outcome"], row["start"]) == ("moved", starts[which] + 16)


def test_stored_surroundings_decide_between_identical_passages() -> None:
    old = ("H: Miten yhteistyö alkoi? V: Kyllä. Se alkoi hyvin.\n"
           "H: Oliko rahoitus riittävä? V: Kyllä. Mutta vain vuodeksi.\n")
    second = old.rindex("Kyllä.")
    spans = {"c0": (second, second + 6)}
    # Edits on both sides of the coding: distances to the source's ends do not hold.
    new = "Alkusanat.\n" + old.replace("Se alkoi hyvin.", "Se alkoi oikein hyvin.") + "Loppu.\n"
    row = reanchor(codings_of(old, spans), {"H1": new}, context_of(old, spans)).iloc[0]
    assert (row["outcome"], row["start"]) == ("moved", new.rindex("Kyllä."))
    assert "stored surroundings" in row["detail"]


def test_a_coding_still_in_place_costs_no_search_and_reports_nothing() -> None:
    text = "V: Kela on mukana. Kela on mukana."
    codings = codings_of(text, {"c0": (3, 18), "c1": (19, 34)})
    assert reanchor(codings, {"H1": text}).empty
    assert reanchor(codings, {"H1": text}, context_of(text, {"c0": (3, 18), "c1": (19, 34)})
                    ).empty


@pytest.mark.parametrize("more_neighbours", [False, True])
def test_a_passage_found_once_but_out_of_order_is_listed_not_moved(
    more_neighbours: bool,
) -> None:
    old = ("V: Verkostojohtaja kokoaa osapuolet. Kela on mukana. Mallisopimus auttoi alussa. "
           "Palkka jaetaan osapuolten kesken. Rahoitus loppui.")
    quotes = ["Verkostojohtaja kokoaa osapuolet.", "Kela on mukana.", "Mallisopimus auttoi",
              "Palkka jaetaan", "Rahoitus loppui."][: 5 if more_neighbours else 3]
    spans = {f"c{i}": (old.index(q), old.index(q) + len(q)) for i, q in enumerate(quotes)}
    # The coded "Kela on mukana." deleted; the same words said again further on.
    new = old.replace("Kela on mukana. ", "").replace("Rahoitus", "Kela on mukana. Rahoitus")
    report = reanchor(codings_of(old, spans), {"H1": new}).set_index("coding_id")
    assert report.loc["c1", "outcome"] == "ambiguous"
    assert "found once, at start" in report.loc["c1", "detail"]
    assert "out of order with the codings around it" in report.loc["c1", "detail"]
    # With one neighbour on each side nothing tells which of two is out of place; with more,
    # those in order are moved where they are.
    others = report.drop(index="c1")
    if more_neighbours:
        assert others["outcome"].eq("moved").all()
        for cid in others.index:
            assert new[others.loc[cid, "start"]:others.loc[cid, "end"]] == old[
                spans[cid][0]:spans[cid][1]]
    else:
        assert others["outcome"].tolist() == ["ambiguous"]


def test_context_with_missing_columns_is_refused() -> None:
    text = "Kela on mukana."
    with pytest.raises(CodingError, match="context lacks column.*source_chars"):
        reanchor(codings_of(text, {"c0": (0, 4)}), {"H1": text},
                 pd.DataFrame({"coding_id": ["c0"], "left": [""], "right": [""]}))
    assert CONTEXT_COLUMNS == ("coding_id", "left", "right", "source_chars")


# ---------------------------------------------------------------------------- renames
def test_a_renamed_source_takes_its_codings_along() -> None:
    old = "V: Verkostojohtaja kokoaa osapuolet. Mallisopimus auttoi alussa. Kyllä."
    spans = {"c0": (3, 36), "c1": (37, 64), "c2": (65, 71)}
    codings = codings_of(old, spans)
    report = reanchor(codings, {"H1_final": old, "H2": "V: Kyllä."}).set_index("coding_id")
    assert tuple(report.reset_index().columns) == REANCHOR_COLUMNS
    assert report["outcome"].eq("moved").all() and report["new_source_id"].eq("H1_final").all()
    assert report["source_id"].eq("H1").all()
    assert (report["start"].tolist(), report["end"].tolist()) == (
        [s for s, _ in spans.values()], [e for _, e in spans.values()])
    assert "'H1' renamed" in report.loc["c0", "detail"]


@pytest.mark.parametrize(
    ("passages", "expected"),
    [
        (["Kyllä."], "lost"),  # one short coding: weak evidence, could be any interview
        (["Verkostojohtaja kokoaa osapuolet yhteen."], "moved"),
        (["Kyllä.", "En osaa sanoa."], "lost"),  # 20 characters in all
    ],
)
def test_a_rename_needs_enough_coded_text(passages: list[str], expected: str) -> None:
    text = "V: " + " ".join(passages) + " Loppu."
    spans = {f"c{i}": (text.index(p), text.index(p) + len(p)) for i, p in enumerate(passages)}
    report = reanchor(codings_of(text, spans), {"uusi": text})
    assert report["outcome"].eq(expected).all() and len(report) == len(passages)
    if expected == "lost":
        assert "Source missing: no source 'H1' was loaded" in report["detail"].iat[0]
        assert "'uusi', holds" in report["detail"].iat[0]


def test_a_source_with_codings_of_its_own_is_not_taken_for_a_renamed_one() -> None:
    text = "V: Verkostojohtaja kokoaa osapuolet yhteen. Loppu."
    spans = {"c0": (3, 43)}
    codings = pd.concat([codings_of(text, spans),
                         codings_of(text, spans, source_id="H2").assign(coding_id="d0")])
    report = reanchor(codings, {"H2": text}).set_index("coding_id")
    assert report.loc["c0", "outcome"] == "lost" and list(report.index) == ["c0"]


def test_two_copies_of_a_renamed_source_are_ambiguous() -> None:
    text = "V: Verkostojohtaja kokoaa osapuolet yhteen. Mallisopimus auttoi."
    spans = {"c0": (3, 43), "c1": (44, 64)}
    report = reanchor(codings_of(text, spans), {"H1_a": text, "H1_b": text})
    assert report["outcome"].eq("ambiguous").all() and report["new_source_id"].eq("H1").all()
    assert "'H1_a' and 'H1_b'" in report["detail"].iat[0]


def test_a_renamed_and_edited_source_places_its_codings_by_the_same_evidence() -> None:
    old = ("V: Kela on mukana. Verkostojohtaja kokoaa osapuolet. Kela on mukana. "
           "Mallisopimus auttoi meitä alussa.")
    spans = {"c0": (old.rindex("Kela"), old.rindex("Kela") + 15), "c1": (19, 52),
             "c2": (old.index("Mallisopimus"), len(old))}
    new = "Litteroinnin versio 2.\n" + old.replace("Verkostojohtaja", "verkostojohtaja")
    report = reanchor(codings_of(old, spans), {"H1_v2": new}).set_index("coding_id")
    shift = len("Litteroinnin versio 2.\n")
    assert report["new_source_id"].eq("H1_v2").all() and report["outcome"].eq("moved").all()
    for cid, (start, end) in spans.items():
        assert (report.loc[cid, "start"], report.loc[cid, "end"]) == (start + shift, end + shift)
    assert "ignoring case" in report.loc["c1", "detail"]


def test_replace_spans_moves_codings_to_another_source(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "codings.csv")
    [cid] = ledger.add([{"source_id": "H1", "start": 0, "end": 4, "code": "k", "text": "Kela"}])
    moves = pd.DataFrame({"coding_id": [cid], "start": [2], "end": [6], "source_id": ["H1_v2"]})
    assert ledger.replace_spans(moves) == 1
    row = ledger.read().iloc[0]
    assert (row["source_id"], row["start"], row["end"]) == ("H1_v2", 2, 6)
    with pytest.raises(CodingError, match="source_id '' is not a source id"):
        ledger.replace_spans(moves.assign(source_id=""))
    assert ledger.read().iloc[0]["source_id"] == "H1_v2"


# ---------------------------------------------------------------------------- projects
def demo_copy(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tymqual-cache", "benchmarks", "notebooks", "tests", "examples",
        "node_modules", "*.egg-info"))
    return root


def opened(root: Path) -> tuple[tymqual.Project, list[str]]:
    with pytest.warns(TymqualWarning) as caught:
        project = tymqual.open_project(root, cache=False)
    return project, [str(w.message) for w in caught]


def assert_all_placed(before: pd.DataFrame, after: tymqual.Project, renames: dict[str, str]
                      ) -> None:
    """Every coding is in the ledger, on its own passage, in its (renamed) source."""
    ledger = after.codings.set_index("coding_id")
    assert set(ledger.index) == set(before["coding_id"])
    assert after.unanchored.empty
    for row in before.itertuples():
        now = ledger.loc[row.coding_id]
        assert now["source_id"] == renames.get(row.source_id, row.source_id)
        assert after.text(now["source_id"])[now["start"]:now["end"]] == row.text


@pytest.mark.parametrize("suffix", [".docx", ".txt"])
def test_renaming_a_transcript_keeps_its_codings(tmp_path: Path, suffix: str) -> None:
    root = demo_copy(tmp_path)
    before = tymqual.open_project(root, cache=False).codings
    old = {".docx": "H1", ".txt": "H2"}[suffix]
    path = root / "transcripts" / f"{old}{suffix}"
    if suffix == ".docx":  # written again by python-docx, as a re-saved file would be
        source = docx.Document(str(path))
        source.save(str(root / "transcripts" / f"{old}_final.docx"))
        path.unlink()
    else:
        path.rename(root / "transcripts" / f"{old}_final.txt")
    project, messages = opened(root)
    text = " ".join(messages)
    n = int((before["source_id"] == old).sum())
    assert (f"{n} coding(s) followed a renamed transcript (saved with the next change): "
            f"{old} → {old}_final ({n}: ") in text
    first = before.loc[before["source_id"] == old, "coding_id"].tolist()
    assert all(cid in text for cid in first[:5]) and f"and {n - 5} more" in text
    assert_all_placed(before, tymqual.open_project(root, cache=False), {old: f"{old}_final"})
    assert project.unanchored.empty


def test_renaming_and_editing_a_docx_transcript(tmp_path: Path) -> None:
    root = demo_copy(tmp_path)
    before = tymqual.open_project(root, cache=False).codings
    path = root / "transcripts" / "H1.docx"
    document = docx.Document(str(path))
    document.paragraphs[0].insert_paragraph_before("Litteroinnin tarkistettu versio 2.")
    document.save(str(root / "transcripts" / "H1_v2.docx"))
    path.unlink()
    _, messages = opened(root)
    assert "H1 → H1_v2" in " ".join(messages)
    assert_all_placed(before, tymqual.open_project(root, cache=False), {"H1": "H1_v2"})


def test_two_copies_of_a_renamed_transcript_are_listed_not_guessed(tmp_path: Path) -> None:
    root = demo_copy(tmp_path)
    before = tymqual.open_project(root, cache=False).codings
    for name in ("H2_a.txt", "H2_b.txt"):
        shutil.copy(root / "transcripts" / "H2.txt", root / "transcripts" / name)
    (root / "transcripts" / "H2.txt").unlink()
    project, messages = opened(root)
    text = " ".join(messages)
    n = int((before["source_id"] == "H2").sum())
    assert f"{n} coding(s) fit more than one place equally" in text and f"H2 ({n}: " in text
    assert set(project.unanchored["coding_id"]) == set(before.loc[before["source_id"] == "H2",
                                                                  "coding_id"])
    assert project.codings.equals(before)  # nothing was guessed, nothing saved
    assert not set(project.unanchored["coding_id"]) & set(project.segments()["coding_id"])


def test_a_transcript_moved_to_another_folder_keeps_its_id(tmp_path: Path) -> None:
    root = demo_copy(tmp_path)
    before = tymqual.open_project(root, cache=False).codings
    (root / "documents").mkdir(exist_ok=True)
    shutil.move(root / "transcripts" / "H2.txt", root / "documents" / "H2.txt")
    project = tymqual.open_project(root, cache=False)
    assert project.codings.equals(before) and project.unanchored.empty
    assert_all_placed(before, project, {})


def test_codings_and_a_repeated_sentence_in_the_demo(tmp_path: Path) -> None:
    """Issue 14's measurement on the demo: a coded sentence of H2 also said at the start of
    the interview, then a long preface inserted above both. The occurrence nearest the old
    start is the copy; every coding must still land on its own passage."""
    root = demo_copy(tmp_path)
    path = root / "transcripts" / "H2.txt"
    p = tymqual.open_project(root, cache=False)
    h2 = p.codings[p.codings["source_id"] == "H2"].sort_values("start")
    sentence = h2["text"].iat[0]
    path.write_text(f"{sentence}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    _, messages = opened(root)  # every coding follows the added line, unambiguously
    moved = f"{len(h2)} coding(s) moved to follow edited text (saved with the next change): H2"
    assert f"{moved} ({len(h2)}: " in messages[0]
    before = tymqual.open_project(root, cache=False).codings
    preface = "Tutkimukseen osallistuminen on vapaaehtoista. " * 50 + "\n"
    path.write_text(preface + path.read_text(encoding="utf-8"), encoding="utf-8")
    _, messages = opened(root)
    text = " ".join(messages)
    assert f"{moved} ({len(h2)}: " in text
    assert "more than one place" not in text and "no longer found" not in text
    after = tymqual.open_project(root, cache=False)
    assert_all_placed(before, after, {})
    first = h2["coding_id"].iat[0]
    was = before.set_index("coding_id").loc[first, "start"]
    now = after.codings.set_index("coding_id").loc[first, "start"]
    assert now == was + len(preface)
    copy = after.text("H2").index(sentence)
    assert abs(copy - was) < abs(now - was)  # the nearest occurrence would have been wrong


def test_warning_names_source_count_and_codings_for_lost_and_ambiguous(tmp_path: Path) -> None:
    root = demo_copy(tmp_path)
    p = tymqual.open_project(root, cache=False)
    h3 = p.codings[p.codings["source_id"] == "H4"].sort_values("start")
    path = next((root / "transcripts").glob("H4.*"))
    written = path.read_text(encoding="utf-8")
    gone = h3["text"].iat[0]
    path.write_text(written.replace(gone, "Poistettu."), encoding="utf-8")
    _, messages = opened(root)
    text = " ".join(messages)
    assert "1 coding(s) no longer found in their source" in text
    assert f"H4 (1: {h3['coding_id'].iat[0]})" in text
