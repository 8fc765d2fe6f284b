"""Keyword autocoding: suggestions from codebook keywords, re-runs, accept and reject.

The project is conftest's two interviews with keywords added to the codebook. Sentences:
H1 turn 3 "Entä johtoryhmä?" [126, 142) (interviewer); H1 turn 4 "Johtoryhmä tukee hyvin."
[146, 169), "Kela on mukana." [170, 185), "Toinen kappale samaa vastausta." [186, 217);
H2 turn 2 "Neuvottelut venyivät." [34, 55); H2 turn 3 "Entä mallisopimus?" [93, 111);
H2 turn 4 "Mallisopimus auttoi." [115, 135).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import tymqual
from tymqual.autocode import (
    AUTOCODE_COLUMNS,
    PROPOSAL_COLUMNS,
    KeywordAutocoder,
    accept,
    autocode,
    reject,
)
from tymqual.errors import CodebookError, CodingError, TymqualError

ROOT = Path(__file__).resolve().parents[1]
MakeProject = Callable[..., tymqual.Project]

KEYWORDS = """\
name: Testikoodikirja
codes:
  - name: Johtaminen
    key: johtaminen
    keywords: [johtaja, pitää yhdessä]
    children:
      - name: Resurssit
        key: resurssit
        keywords: [resurssi, henkilöstö]
      - name: Johtoryhmä
        key: johtoryhma
        keywords: [johtoryhmä]
  - name: Neuvottelut
    key: neuvottelut
    keywords: [neuvottelu, mallisopimus, "kela on mukana"]
  - name: Muut
    key: muut
"""


@pytest.fixture
def project(make_project: MakeProject) -> tymqual.Project:
    return make_project({"codes/codebook.yaml": KEYWORDS})


def proposed(frame: pd.DataFrame) -> list[tuple[str, int, int, str]]:
    return [(s, int(a), int(b), c) for s, a, b, c in
            frame[["source_id", "start", "end", "code_path"]].itertuples(index=False)]


def test_sentences_with_keywords_become_suggestions(project: tymqual.Project) -> None:
    new = autocode(project)
    assert list(new.columns) == AUTOCODE_COLUMNS
    assert proposed(new) == [
        ("H1", 92, 122, "johtaminen/resurssit"),  # "Hänellä on resurssit kunnossa."
        ("H1", 126, 142, "johtaminen/johtoryhma"),  # the interviewer's question too
        ("H1", 146, 169, "johtaminen/johtoryhma"),
        ("H1", 170, 185, "neuvottelut"),  # the phrase keyword "kela on mukana"
        ("H2", 3, 30, "neuvottelut"),
        ("H2", 34, 55, "neuvottelut"),
        ("H2", 56, 89, "johtaminen/resurssit"),
        ("H2", 93, 111, "neuvottelut"),
        ("H2", 115, 135, "neuvottelut"),
        ("H2", 136, 151, "neuvottelut"),
    ]
    row = new.iloc[2]
    assert (row["matched"], row["text"]) == ("Johtoryhmä", "Johtoryhmä tukee hyvin.")
    assert new.iloc[3]["matched"] == "Kela on mukana"
    ledger = project.codings.set_index("coding_id").loc[list(new["coding_id"])]
    # the coder names the method and the version; the settings are in the history note
    assert set(ledger["status"]) == {"suggested"}
    assert set(ledger["coder"]) == {f"autocode:keywords@tymqual-{tymqual.__version__}"}
    note = project.history(by="change")["note"].iloc[-1]
    assert note.startswith("settings: KeywordAutocoder(unit='sentence'")
    for cid, (sid, s, e, _) in zip(new["coding_id"], proposed(new), strict=True):
        assert ledger.loc[cid, "text"] == project.text(sid)[s:e]
    assert project.segments().empty  # suggestions are not codings yet


def test_the_autocoder_previews_without_saving(project: tymqual.Project) -> None:
    autocoder = KeywordAutocoder(codes=["johtoryhma"], role="interviewee")
    assert (autocoder.codes, autocoder.role, autocoder.unit) == (["johtoryhma"], "interviewee",
                                                                 "sentence")
    with pytest.raises(TymqualError, match="fit"):
        autocoder.predict(project)
    assert autocoder.fit(project) is autocoder
    assert autocoder.keywords_ == {"johtaminen/johtoryhma": ("johtoryhmä",)}
    preview = autocoder.predict(project)
    assert list(preview.columns) == PROPOSAL_COLUMNS
    assert preview[["start", "end", "code"]].values.tolist() == [[146, 169, "johtoryhma"]]
    assert project.codings.empty
    saved = autocode(project, codes=["johtoryhma"], role="interviewee")
    pd.testing.assert_frame_equal(saved.drop(columns="coding_id"),
                                  preview.drop(columns="code"))


def test_role_unit_codes_and_compounds(project: tymqual.Project) -> None:
    only = autocode(project, role="interviewee", codes="johtaminen", unit="turn",
                    compounds="head", coder="robotti")
    assert proposed(only) == [
        ("H1", 59, 122, "johtaminen"),  # "Verkostojohtaja" by its head, whole turn
        ("H1", 59, 122, "johtaminen/resurssit"),
        ("H1", 146, 217, "johtaminen/johtoryhma"),
        ("H2", 34, 89, "johtaminen/resurssit"),
    ]
    assert set(project.codings["coder"]) == {"robotti"}


def test_rerun_adds_nothing_and_rejected_stay_rejected(project: tymqual.Project) -> None:
    first = autocode(project)
    assert autocode(project).empty
    assert len(project.codings) == len(first)
    gone = first[first["code_path"] == "neuvottelut"]["coding_id"]
    assert reject(project, gone) == len(gone)
    again = autocode(project)
    assert again.empty
    statuses = project.codings.set_index("coding_id")["status"]
    assert (statuses[list(gone)] == "rejected").all()
    assert len(project.codings) == len(first)


def test_an_existing_accepted_coding_is_not_proposed_again(project: tymqual.Project) -> None:
    project.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.", coder="ihminen")
    new = autocode(project, codes="johtoryhma")
    assert proposed(new) == [("H1", 126, 142, "johtaminen/johtoryhma")]


def test_accept_round_trips_through_the_ledger(project: tymqual.Project) -> None:
    new = autocode(project, role="interviewee")
    chosen = new[new["code_path"] == "johtaminen/johtoryhma"]
    assert accept(project, chosen) == 1
    assert reject(project, new.iloc[0]["coding_id"]) == 1
    reopened = tymqual.open_project(project.root)
    statuses = reopened.codings.set_index("coding_id")["status"]
    assert statuses[chosen.iloc[0]["coding_id"]] == "accepted"
    assert statuses[new.iloc[0]["coding_id"]] == "rejected"
    assert (statuses.drop([chosen.iloc[0]["coding_id"], new.iloc[0]["coding_id"]])
            == "suggested").all()
    segments = reopened.segments()
    assert segments[["source_id", "start", "end", "code_path", "text"]].values.tolist() == [
        ["H1", 146, 169, "johtaminen/johtoryhma", "Johtoryhmä tukee hyvin."]]


def test_only_suggestions_can_be_decided(project: tymqual.Project) -> None:
    new = autocode(project)
    human = project.code("H1", "muut", quote="Toinen kappale samaa vastausta.")
    suggestion = new.iloc[0]["coding_id"]
    before = project.codings
    with pytest.raises(CodingError) as caught:
        accept(project, [suggestion, human, "c000000000000"])
    message = str(caught.value)
    assert f"{human!r} (accepted)" in message and "'c000000000000' (not in the ledger)" in message
    assert repr(suggestion) not in message
    pd.testing.assert_frame_equal(project.codings, before)  # all or nothing
    reject(project, suggestion)
    with pytest.raises(CodingError, match="(rejected)"):
        accept(project, suggestion)
    with pytest.raises(CodingError, match="coding_id column"):
        reject(project, pd.DataFrame({"id": [suggestion]}))
    assert accept(project, []) == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "what"),
    [
        ({"codes": "muut"}, TymqualError, "has keywords"),
        ({"codes": "ei_ole"}, CodebookError, "ei_ole"),
        ({"unit": "paragraph"}, TymqualError, "unit='paragraph'"),
        ({"compounds": "all"}, TymqualError, "compounds='all'"),
        ({"coder": " "}, TymqualError, "coder=' '"),
    ],
)
def test_bad_arguments(
    project: tymqual.Project, kwargs: dict[str, object], error: type[Exception], what: str
) -> None:
    with pytest.raises(error, match=what):
        autocode(project, **kwargs)  # type: ignore[arg-type]
    assert project.codings.empty


def test_a_codebook_without_keywords_is_refused(make_project: MakeProject) -> None:
    with pytest.raises(TymqualError, match="none of the codebook's codes has keywords"):
        autocode(make_project())


def test_demo_keywords_propose_the_passages_coded_by_hand(tmp_path: Path) -> None:
    # A copy without the ledger: the demo's own codings are never touched, and every
    # hand-coded passage can be compared with what the keywords propose.
    copy = _demo_copy(tmp_path)
    code = "verkostojohtaminen/johtoryhman_tuki"
    new = autocode(copy, role="interviewee", codes=code)
    assert set(new["code_path"]) == {code}
    assert "Johtoryhmä on ihan keskeinen." in set(new["text"])
    keywords = "johtoryhm|tavoit|sitoutu|raportoi|päätösval"
    assert new["matched"].str.lower().str.contains(keywords).all()
    hand = tymqual.open_project(ROOT).segments(code)
    found = [((new["source_id"] == r.source_id) & (new["start"] < r.end)
              & (new["end"] > r.start)).any() for r in hand.itertuples()]
    assert all(found)  # every passage coded by hand contains a keyword sentence


def _demo_copy(tmp_path: Path) -> tymqual.Project:
    for part in ("tymqual.yaml", "transcripts", "surveys", "codes"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part,
                            ignore=shutil.ignore_patterns(".*", "codings.csv"))
        else:
            shutil.copy(source, tmp_path / part)
    return tymqual.open_project(tmp_path, progress=False)


@pytest.mark.parametrize(("batch", "stop_at"), [(1, 2), (2, 5), (3, 4)])
def test_a_stop_keeps_the_finished_batches_and_a_rerun_fills_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int, stop_at: int
) -> None:
    copy = _demo_copy(tmp_path)
    everything = KeywordAutocoder(role="interviewee").fit(copy).predict(copy)
    order = {sid: i for i, sid in enumerate(copy.source_ids)}
    indexed = tymqual.search.text_index(copy).sources.values()
    sources = sorted((s.source_id for s in indexed), key=order.__getitem__)
    assert len(sources) > stop_at
    finished = set(sources[: (stop_at - 1) // batch * batch])
    units, calls = tymqual.autocode._units, []

    def interrupted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == stop_at:  # the user presses stop while this source is read
            raise KeyboardInterrupt
        return units(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tymqual.autocode, "_units", interrupted)
    with pytest.raises(KeyboardInterrupt), pytest.warns(tymqual.TymqualWarning, match="stopped"):
        autocode(copy, role="interviewee", batch=batch)
    monkeypatch.undo()
    kept = copy.codings
    expected = everything[everything["source_id"].isin(finished)]
    assert sorted(proposed(kept.rename(columns={"code": "code_path"}))) == sorted(
        proposed(expected.assign(code_path=expected["code"])))
    rest = autocode(copy, role="interviewee", batch=batch)
    assert sorted(proposed(rest)) == sorted(
        proposed(everything[~everything["source_id"].isin(finished)]))
    assert len(copy.codings) == len(everything)


def test_batches_give_what_one_batch_gives(tmp_path: Path) -> None:
    copy = _demo_copy(tmp_path)
    preview = KeywordAutocoder(role="interviewee").fit(copy).predict(copy)
    saved = autocode(copy, role="interviewee", batch=2)
    assert proposed(saved) == proposed(preview)
    assert copy.history(by="change")["action"].eq("autocode").sum() == -(-len(
        tymqual.search.text_index(copy).sources) // 2)
