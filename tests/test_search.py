"""Keyword-in-context search and word frequencies, on the demo and on hand-made projects.

Offsets in the two-interview project of ``conftest.make_project``: H1 turn 3 (interviewer)
is "Entä johtoryhmä?" with *johtoryhmä* at [131, 141); H1 turn 4 (interviewee) is
"Johtoryhmä tukee hyvin. Kela on mukana.\\nToinen kappale samaa vastausta." with
*Johtoryhmä* at [146, 156) and *Kela* at [170, 174). H2 turn 3 asks "Entä mallisopimus?"
and turn 4 answers "Mallisopimus auttoi. Kela on mukana."
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import CASES, CODEBOOK, H1, H2

import tymqual
from tymqual.errors import CodebookError, TymqualError
from tymqual.search import (
    FREQUENCY_COLUMNS,
    SEARCH_COLUMNS,
    And,
    Not,
    Or,
    Term,
    parse_query,
    search,
    text_index,
    word_frequencies,
)

ROOT = Path(__file__).resolve().parents[1]
MakeProject = Callable[..., tymqual.Project]


@pytest.fixture(scope="module")
def demo() -> tymqual.Project:
    return tymqual.open_project(ROOT)


@pytest.fixture
def small(make_project: MakeProject) -> tymqual.Project:
    return make_project()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tymqual.Project:
    """The conftest project once for the module, for tests that only read it."""
    root = tmp_path_factory.mktemp("search") / "proj"
    tymqual.init_project(root, name="testi")
    for rel, content in (("codes/codebook.yaml", CODEBOOK), ("codes/cases.csv", CASES),
                         ("transcripts/H1.txt", H1), ("transcripts/H2.txt", H2)):
        (root / rel).write_text(content, encoding="utf-8")
    return tymqual.open_project(root)


def spans(frame: pd.DataFrame) -> list[tuple[str, int, str]]:
    return [(s, int(a), m) for s, a, m in frame[["source_id", "start", "match"]].itertuples(
        index=False)]


# ---------------------------------------------------------------------------- the demo
def test_demo_word_finds_its_inflected_forms_and_nothing_else(demo: tymqual.Project) -> None:
    hits = search(demo, "johtoryhmä")
    forms = set(hits["match"].str.lower())
    assert {"johtoryhmä", "johtoryhmässä", "johtoryhmään", "johtoryhmiin", "johtoryhmällä"} <= forms
    assert all("johtoryhm" in f for f in forms)
    assert list(hits.columns) == SEARCH_COLUMNS


@pytest.mark.parametrize(
    ("query", "expected", "stem"),
    [
        ("Kela", {"kela", "kelan", "kelasta", "kelassa", "kelalta"}, "kela"),
        ("THL", {"thl:n"}, "thl"),
        ("hyvinvointialue", {"hyvinvointialueella", "hyvinvointialueet", "hyvinvointialueiden"},
         "hyvinvointialue"),
        ("mallisopimus", {"mallisopimus"}, "mallisopimu"),
    ],
)
def test_demo_keywords(demo: tymqual.Project, query: str, expected: set[str], stem: str) -> None:
    forms = set(search(demo, query)["match"].str.lower())
    assert expected <= forms
    assert all(f.startswith(stem) for f in forms), forms


def test_demo_compound_head_is_found_only_when_asked(demo: tymqual.Project) -> None:
    head = set(search(demo, "johtaja")["match"].str.lower())
    off = set(search(demo, "johtaja", compounds="off")["match"].str.lower())
    assert {"verkostojohtaja", "verkostojohtajalle"} <= head
    assert off and all(f.startswith("johtaja") for f in off)
    anywhere = set(search(demo, "verkosto", compounds="any")["match"].str.lower())
    assert "verkostojohtaja" in anywhere
    assert "verkostojohtaja" not in set(search(demo, "verkosto")["match"].str.lower())


def test_demo_rows_point_into_the_text_and_their_turns(demo: tymqual.Project) -> None:
    hits = search(demo, "kela OR johtoryhmä", context=30)
    turns = demo.turns().set_index(["source_id", "turn"])
    assert len(hits) > 50
    for row in hits.itertuples(index=False):
        text = demo.text(row.source_id)
        assert text[row.start : row.end] == row.match
        turn = turns.loc[(row.source_id, row.turn)]
        assert turn["start"] <= row.start < row.end <= turn["end"]
        assert row.speaker == turn["speaker"]
        assert row.left == text[max(turn["start"], row.start - 30) : row.start].replace("\n", " ")
        assert row.right == text[row.end : min(turn["end"], row.end + 30)].replace("\n", " ")
    assert hits["turn"].dtype == "Int64" and hits["start"].dtype == "int64"
    order = {s: i for i, s in enumerate(demo.source_ids)}
    keys = [(order[s], a) for s, a in zip(hits["source_id"], hits["start"], strict=True)]
    assert keys == sorted(keys)


def test_demo_codes_column_lists_the_accepted_codings_overlapping(demo: tymqual.Project) -> None:
    hits = search(demo, "johtoryhmä")
    segments = demo.segments()
    for row in hits.itertuples(index=False):
        seg = segments[(segments["source_id"] == row.source_id)
                       & (segments["start"] < row.end) & (segments["end"] > row.start)]
        assert set(filter(None, row.codes.split("; "))) == set(seg["code_path"])
    assert (hits["codes"].str.contains("verkostojohtaminen/johtoryhman_tuki")).sum() >= 3


def test_demo_index_is_kept_with_the_project(demo: tymqual.Project) -> None:
    first = text_index(demo)
    assert text_index(demo) is first
    assert {sid for sid, _ in first.sources} == set(demo.source_ids)


# ---------------------------------------------------------------------------- boolean queries
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("johtoryhmä", [("H1", 131, "johtoryhmä"), ("H1", 146, "Johtoryhmä")]),
        ("johtoryhmä kela", [("H1", 146, "Johtoryhmä"), ("H1", 170, "Kela")]),
        ("johtoryhmä AND kela", [("H1", 146, "Johtoryhmä"), ("H1", 170, "Kela")]),
        ("kela NOT johtoryhmä", [("H2", 136, "Kela")]),
        ("kela AND NOT johtoryhmä", [("H2", 136, "Kela")]),
        ("johtoryhmä OR mallisopimus", [("H1", 131, "johtoryhmä"), ("H1", 146, "Johtoryhmä"),
                                        ("H2", 98, "mallisopimus"), ("H2", 115, "Mallisopimus")]),
        ("(johtoryhmä OR mallisopimus) AND kela",
         [("H1", 146, "Johtoryhmä"), ("H1", 170, "Kela"), ("H2", 115, "Mallisopimus"),
          ("H2", 136, "Kela")]),
        ("kela NOT (johtoryhmä OR mallisopimus)", []),
        ("kela TAI EI kela", [("H1", 170, "Kela"), ("H2", 136, "Kela")]),
        ('"kela on mukana"', [("H1", 170, "Kela on mukana"), ("H2", 136, "Kela on mukana")]),
        ('"MUKANA.   toinen"', [("H1", 178, "mukana.\nToinen")]),  # case, white space
        ("verkosto*", [("H1", 35, "verkostoa"), ("H1", 59, "Verkostojohtaja")]),
        ("neuvot*", [("H2", 9, "neuvottelut"), ("H2", 34, "Neuvottelut")]),
        ("johtaja", [("H1", 59, "Verkostojohtaja")]),  # compounds="head" by default
    ],
)
def test_queries_on_a_shared_project(
    shared: tymqual.Project, query: str, expected: list[tuple[str, int, str]]
) -> None:
    hits = search(shared, query)
    assert spans(hits) == expected
    for source_id, start, match in expected:
        assert shared.text(source_id)[start : start + len(match)] == match


def test_compounds_off_and_roles_and_cases(shared: tymqual.Project) -> None:
    assert search(shared, "johtaja", compounds="off").empty
    assert spans(search(shared, "johtoryhmä", role="interviewee")) == [("H1", 146, "Johtoryhmä")]
    assert spans(search(shared, "kela", case="H2")) == [("H2", 136, "Kela")]
    assert list(search(shared, "kela", case=["H1", "H2"])["case_id"]) == ["H1", "H2"]
    with pytest.raises(TymqualError, match="no case 'H9'"):
        search(shared, "kela", case="H9")


def test_context_stays_inside_the_turn(shared: tymqual.Project) -> None:
    row = search(shared, "johtoryhmä", context=10).iloc[0]
    assert (row["speaker"], row["turn"], row["left"], row["right"]) == ("H", 3, "Entä ", "?")
    row = search(shared, "kela", context=10).iloc[0]
    assert (row["left"], row["right"]) == ("ee hyvin. ", " on mukana")
    assert search(shared, "kela", context=0).iloc[0]["left"] == ""


def test_codes_column_and_codes_filter(small: tymqual.Project) -> None:
    small.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.")
    small.code("H1", "johtaminen", quote="Johtoryhmä tukee hyvin. Kela on mukana.")
    small.code("H1", "neuvottelut", quote="Kela on mukana.", status="suggested")
    hits = search(small, "johtoryhmä OR kela")
    assert list(hits["codes"]) == ["", "johtaminen; johtaminen/johtoryhma", "johtaminen", ""]
    within = search(small, "johtoryhmä OR kela", codes="johtaminen/johtoryhma")
    assert spans(within) == [("H1", 146, "Johtoryhmä")]
    parent = search(small, "johtoryhmä OR kela", codes=["Johtaminen"])  # name, with subcodes
    assert spans(parent) == [("H1", 146, "Johtoryhmä"), ("H1", 170, "Kela")]
    assert search(small, "kela", codes="neuvottelut").empty  # a suggestion codes nothing yet
    with pytest.raises(CodebookError):
        search(small, "kela", codes="ei_ole")


def test_spoken_forms_and_documents_without_speakers(make_project: MakeProject) -> None:
    p = make_project({
        "transcripts/H3.txt": "H: Entä johtoryhmä?\n"
                              "V: Johtoryhmäs oli sovittu Kelal ja THL:n kanssa.\n",
        "documents/sopimus.txt": "Yhteistoimintasopimus\n\nKela ja hyvinvointialue sopivat."
                                 "\n\nJohtoryhmä kokoontuu \nkuukausittain.\n",
    })
    assert spans(search(p, "johtoryhmä", case=None, role="interviewee")) == [
        ("H1", 146, "Johtoryhmä"), ("H3", 23, "Johtoryhmäs")]
    hits = search(p, "kela thl")
    assert spans(hits) == [("H3", 47, "Kelal"), ("H3", 56, "THL:n")]
    assert hits["case_id"].isna().all()
    doc = search(p, "johtoryhmä", role=None)
    row = doc[doc["source_id"] == "sopimus"].iloc[0]
    assert pd.isna(row["turn"]) and pd.isna(row["speaker"])
    assert row["right"] == " kokoontuu  kuukausittain."  # the paragraph; line break shown as space
    assert search(p, "kela johtoryhmä")[lambda f: f["source_id"] == "sopimus"].empty


# ---------------------------------------------------------------------------- the parser
@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("kela", Term("word", "kela", 0)),
        ("a b", And((Term("word", "a", 0), Term("word", "b", 2)))),
        ("a OR b c", Or((Term("word", "a", 0),
                         And((Term("word", "b", 5), Term("word", "c", 7)))))),
        ("NOT a b", And((Not(Term("word", "a", 4)), Term("word", "b", 6)))),
        ("a JA (b TAI c)", And((Term("word", "a", 0),
                                Or((Term("word", "b", 6), Term("word", "c", 12)))))),
        ('"oman  työn" koordin*', And((Term("phrase", "oman työn", 0),
                                       Term("prefix", "koordin", 13)))),
        ("kela, tai", And((Term("word", "kela", 0), Term("word", "tai", 6)))),  # lower case: words
    ],
)
def test_parse_query(query: str, tree: object) -> None:
    assert parse_query(query) == tree


@pytest.mark.parametrize(
    ("query", "position", "what"),
    [
        ("(kela", 0, "'(' is never closed"),
        ("kela (thl OR eu", 5, "'(' is never closed"),
        ("kela)", 4, "')' has no matching '('"),
        ('kela "on mukana', 5, "quotation mark"),
        ("kela AND", 5, "AND has nothing after it"),
        ("OR kela", 0, "OR has nothing before it"),
        ("NOT", 0, "NOT has nothing after it"),
        ("kela AND OR thl", 5, "AND has nothing after it"),
        ("kela ()", 5, "'()' are empty"),
        ('kela ""', 5, "is empty"),
        ("kel*a", 3, "'*' may only end a word"),
        ("kela *", 5, "no letters"),
    ],
)
def test_bad_queries_name_the_query_and_position(
    shared: tymqual.Project, query: str, position: int, what: str
) -> None:
    with pytest.raises(TymqualError, match=re.escape(what)) as caught:
        search(shared, query)
    message = str(caught.value)
    assert repr(query) in message
    assert f"at position {position} " in message


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"query": ""}, "is empty"),
        ({"query": "   "}, "is empty"),
        ({"query": "NOT kela"}, "every term is under NOT"),
        ({"query": "kela", "compounds": "all"}, "compounds='all'"),
        ({"query": "kela", "context": -1}, "context=-1"),
    ],
)
def test_bad_arguments(shared: tymqual.Project, kwargs: dict[str, object], what: str) -> None:
    with pytest.raises(TymqualError, match=what):
        search(shared, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- frequencies
def test_word_frequencies_by_source(shared: tymqual.Project) -> None:
    freq = word_frequencies(shared)
    assert list(freq.columns) == FREQUENCY_COLUMNS
    h1 = freq[freq["group"] == "H1"].set_index("lemma")
    assert h1.loc["johtoryhmä", "count"] == 2
    assert h1.loc["johtoryhmä", "forms"] == "johtoryhmä"
    assert h1.index[0] == "johtoryhmä"  # the most frequent first
    assert not {"on", "olla", "ja", "entä"} & set(freq["lemma"])
    assert list(dict.fromkeys(freq["group"])) == ["H1", "H2"]
    everything = word_frequencies(shared, stopwords=False)
    olla = everything[(everything["group"] == "H1") & (everything["lemma"] == "olla")]
    assert olla[["count", "forms"]].values.tolist() == [[3, "on"]]
    assert freq["count"].dtype == "int64"


def test_word_frequencies_by_case_code_and_top(small: tymqual.Project) -> None:
    small.code("H1", "johtoryhma", quote="Johtoryhmä tukee hyvin.")
    small.code("H1", "johtaminen", quote="Johtoryhmä tukee hyvin. Kela on mukana.")
    small.code("H2", "johtaminen", quote="Kela on mukana.")
    by_code = word_frequencies(small, by="code")
    assert list(dict.fromkeys(by_code["group"])) == ["johtaminen", "johtaminen/johtoryhma"]
    counts = by_code.set_index(["group", "lemma"])["count"]
    assert counts[("johtaminen", "kela")] == 2
    assert counts[("johtaminen/johtoryhma", "tukea")] == 1
    assert ("johtaminen/johtoryhma", "kela") not in counts.index
    top = word_frequencies(small, by="case", top=1)
    assert top[["group", "lemma", "count"]].values.tolist() == [
        ["H1", "johtoryhmä", 2], ["H2", "mallisopimus", 2]]
    assert word_frequencies(small, role="interviewer")["lemma"].tolist().count("johtoryhmä") == 1


def test_word_frequencies_agree_with_search_on_the_demo(demo: tymqual.Project) -> None:
    freq = word_frequencies(demo)
    for source_id in ("H1", "H4"):
        mine = freq[freq["group"] == source_id].set_index("lemma")["count"]
        for word in ("kela", "johtoryhmä", "verkostojohtaja"):
            hits = search(demo, word, compounds="off")
            assert mine[word] == (hits["source_id"] == source_id).sum(), (source_id, word)


@pytest.mark.parametrize(
    ("kwargs", "what"), [({"by": "speaker"}, "by='speaker'"), ({"top": 0}, "top=0")]
)
def test_word_frequencies_refuse_bad_arguments(
    shared: tymqual.Project, kwargs: dict[str, object], what: str
) -> None:
    with pytest.raises(TymqualError, match=what):
        word_frequencies(shared, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- issue 17
CONTEXT_TEXT = (
    "H: Mitä mieltä olette?\n"
    "V: En halua lähteä. Minulla on halua jäädä. Tilanne on hyvä, tilasin kahvia.\n"
    "V: Ei tilassa ole vikaa. Perustuslain mukaan sosiaalilainsäädännön muutos päätettiin.\n"
    "V: Mä tarvii apua, vauva-taapero-lapsi-teini -ketju kasvaa. Päätetty asia.\n"
)


@pytest.fixture
def context_project(make_project: MakeProject) -> tymqual.Project:
    return make_project({"transcripts/H3.txt": CONTEXT_TEXT}, progress=False)


def _found(project: tymqual.Project, query: str, **kwargs: object) -> list[str]:
    hits = search(project, query, **kwargs)  # type: ignore[arg-type]
    return list(hits.loc[hits["source_id"] == "H3", "match"])


def test_a_verb_after_negation_is_read_as_the_verb(context_project: tymqual.Project) -> None:
    # "En halua" is the connegative of "haluta"; "on halua" is the noun "halu".
    assert _found(context_project, "haluta") == ["halua"]
    assert _found(context_project, "halu") == ["halua"]
    text = context_project.document("H3").text
    verb = search(context_project, "haluta")
    noun = search(context_project, "halu")
    assert int(verb["start"].iloc[0]) == text.index("En halua") + 3
    assert int(noun["start"].iloc[0]) == text.index("on halua") + 3


def test_the_typed_base_form_and_readings_all(context_project: tymqual.Project) -> None:
    assert _found(context_project, "tilanne") == ["Tilanne"]
    assert set(_found(context_project, "tilanne", readings="all")) == {
        "Tilanne", "tilasin", "tilassa"}


def test_every_hit_says_why(context_project: tymqual.Project) -> None:
    hits = search(context_project, "päättää OR lainsäädäntö OR tarvita OR lapsi")
    hits = hits[hits["source_id"] == "H3"]
    assert set(hits["match"]) == {"päätettiin", "sosiaalilainsäädännön", "tarvii",
                                  "vauva-taapero-lapsi-teini", "Päätetty"}
    for match, why in zip(hits["match"], hits["why"], strict=True):
        assert why.startswith(f"{match}:"), why
    by_match = dict(zip(hits["match"], hits["why"], strict=True))
    assert "participle" in by_match["Päätetty"]
    assert "compound head" in by_match["sosiaalilainsäädännön"]
    assert "spoken" in by_match["tarvii"]
    prefix = search(context_project, "sosiaali*")
    assert prefix["why"].str.contains("sosiaali\\*").all()


def test_bad_readings_are_refused(context_project: tymqual.Project) -> None:
    with pytest.raises(TymqualError, match="readings="):
        search(context_project, "tilanne", readings="some")  # type: ignore[arg-type]


def test_progress_false_silences_the_search_bar(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tymqual import progress as progress_module

    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    quiet = make_project(progress=False)
    capsys.readouterr()
    search(quiet, "kela")
    assert "Analysoidaan" not in capsys.readouterr().err
    loud = make_project(progress=None, cache=False)
    search(loud, "kela")
    assert "Analysoidaan" in capsys.readouterr().err


def test_word_analyses_are_kept_in_the_cache_for_the_next_open(
        make_project: MakeProject) -> None:
    from tymqual.morphology import VoikkoAnalyser

    try:
        first_analyser = VoikkoAnalyser()
    except TymqualError as exc:
        pytest.skip(f"Voikko is not installed here: {exc}")
    first = make_project(progress=False)
    expected = search(first, "kela OR johtoryhmä", analyser=first_analyser)
    stored = list((first.root / ".tymqual-cache").glob("words-voikko-*.analyses"))
    assert len(stored) == 1
    fresh = VoikkoAnalyser()  # nothing analysed in memory: a new session
    second = make_project(progress=False)
    index = text_index(second, fresh)
    assert set(index.forms) <= index.stored  # every word form came from the cache
    pd.testing.assert_frame_equal(search(second, "kela OR johtoryhmä", analyser=fresh),
                                  expected)
    stored[0].write_bytes(b"\x00not an analysis")
    damaged = make_project(progress=False)
    pd.testing.assert_frame_equal(
        search(damaged, "kela OR johtoryhmä", analyser=VoikkoAnalyser()), expected)


def _ftb() -> Path:
    from benchmarks.search_eval import FTB_FILE, shared_folder

    shared = shared_folder()
    if shared is None:
        pytest.skip("../shared/data/ud-finnish-ftb/ is not beside the repository: the gold "
                    "lemmas are reference material, not part of tymqual")
    return shared / FTB_FILE


def test_search_on_a_slice_of_ud_finnish_ftb_beats_the_baselines(tmp_path: Path) -> None:
    """Floors on the first 600 sentences of the FTB development split (gold lemmas)."""
    from benchmarks.search_eval import lay_out, quality, read_conllu

    corpus = lay_out(read_conllu(_ftb())[:600])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = dict(quality(corpus, tmp_path / "ftb"))
    off = rows['tymqual compounds="off"']["all"]
    head = rows["tymqual default (head): head recall, whole-or-head precision"]["all"]
    lemma = rows["simplemma lemma equality"]["all"]
    voikko = rows["Voikko base form, any reading"]["all"]
    # The slice's figures when set (2026-12-07: 0.934/0.982, 0.938/0.984) less 0.01.
    assert off.recall >= 0.924 and off.precision >= 0.972
    assert head.recall >= 0.928 and head.precision >= 0.974
    fallback = rows["tymqual default (head): head recall, whole-or-head precision "
                    "(simplemma fallback)"]["all"]
    assert fallback.recall >= 0.90 and fallback.precision >= 0.96  # 0.910/0.970 when set
    assert off.recall > lemma.recall and off.recall > voikko.recall
    assert off.precision > voikko.precision
    verbs = rows['tymqual compounds="off"']["verb"]
    assert verbs.recall >= 0.92  # participles, passives and spoken forms found by their verb


def test_the_context_rules_help_on_the_wider_set_of_ud_finnish_ftb(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The wider set read in context is right at least as often as read word by word, and
    more often for verbs (subject and negation rules), with each analyser installed."""
    from benchmarks.search_eval import print_wider, read_conllu

    print_wider(read_conllu(_ftb()))
    rows = [line.split("|") for line in capsys.readouterr().out.splitlines()
            if line.startswith(("| voikko", "| simplemma"))]
    assert rows, "no analyser row printed"
    for row in rows:
        noun, noun_context, verb, verb_context = (float(c.split()[0]) for c in row[2:6])
        assert noun_context >= noun and verb_context > verb, row


def test_search_frequencies_autocoding_and_the_suggester_read_words_alike(
        make_project: MakeProject) -> None:
    from tymqual.autocode import KeywordAutocoder
    from tymqual.suggest import _BaseForms

    codebook = ("name: Testi\ncodes:\n  - name: Halu\n    key: halu\n    keywords: [haluta]\n"
                "  - name: Tilanne\n    key: tilanne\n    keywords: [tilanne]\n")
    project = make_project({"transcripts/H3.txt": CONTEXT_TEXT, "codes/codebook.yaml": codebook},
                           progress=False)
    counts = word_frequencies(project, stopwords=False)
    counts = counts[counts["group"] == "H3"].set_index("lemma")["count"]
    assert counts["haluta"] == 1 and counts["halu"] == 1
    assert counts["päättää"] == 2  # päätettiin, Päätetty
    line = project.document("H3").text.splitlines()[1]
    suggested = _BaseForms()(line)
    assert suggested.count("haluta") == 1 and suggested.count("halu") == 1
    found = search(project, "haluta OR tilanne")
    found = found[found["source_id"] == "H3"]
    assert set(found["match"]) == {"halua", "Tilanne"}
    proposals = KeywordAutocoder().fit(project).predict(project)
    proposals = proposals[proposals["source_id"] == "H3"]
    # Each sentence holding a hit, and no other: "Minulla on halua jäädä." is not proposed.
    assert sorted(proposals["text"]) == ["En halua lähteä.", "Tilanne on hyvä, tilasin kahvia."]


def test_the_leak_check_reads_the_kept_word_analyses(make_project: MakeProject) -> None:
    # The analyses file holds every word form of the sources, names included.
    from tymqual.leaks import check_leaks

    project = make_project({"transcripts/H3.txt": "V: Puhuin Virtasen Marjatan kanssa.\n"},
                           progress=False)
    search(project, "kela")
    stored = list((project.root / ".tymqual-cache").glob("words-*.analyses"))
    assert stored and "Marjatan" in stored[0].read_text("utf-8")
    key = pd.DataFrame([("Marjatta Virtanen", "[Henkilö 1]", "person")],
                       columns=["original", "label", "kind"])
    found = check_leaks(stored[0], key)
    assert {"Marjatan", "Virtasen"} <= set(found["found"])


@pytest.mark.parametrize(("options", "word"), [
    ([], "tilanne"), (["--readings", "all"], "tilanne"), (["--derivations"], "päättää"),
    ([], "päättää"),
])
def test_the_search_command_passes_readings_derivations_and_prints_why(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str], options: list[str],
        word: str) -> None:
    from tymqual.cli import main

    project = make_project({"transcripts/H3.txt": CONTEXT_TEXT}, progress=False)
    readings = "all" if "all" in options else "likely"
    expected = search(project, word, readings=readings,  # type: ignore[arg-type]
                      derivations="--derivations" in options)
    assert main(["search", word, "--project", str(project.root), "--why", *options]) == 0
    out = capsys.readouterr().out
    assert f"{len(expected)} hit(s)" in out
    whys = [line.split("why: ", 1)[1] for line in out.splitlines() if "why: " in line]
    assert whys == list(expected["why"]) and all(whys)


def test_the_search_index_is_kept_and_read_back_in_a_new_session(
        make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    from tymqual import search as search_module
    from tymqual.morphology import get_analyser

    analyser = type(get_analyser())  # a new instance: nothing analysed in memory
    files = {"transcripts/H3.txt": CONTEXT_TEXT}
    first = make_project(files, progress=False)
    query = "haluta OR tilanne OR päättää OR lapsi"
    expected = search(first, query, analyser=analyser())
    kept = list((first.root / ".tymqual-cache").glob("index-*.npz"))
    assert len(kept) == 1

    def not_again(*args: object) -> None:
        raise AssertionError("a kept source was tokenised again")

    with monkeypatch.context() as patch:
        patch.setattr(search_module, "_index_source", not_again)
        again = make_project(progress=False)
        pd.testing.assert_frame_equal(search(again, query, analyser=analyser()), expected)
    kept[0].write_bytes(kept[0].read_bytes()[:200])  # damaged: indexed anew, same hits
    damaged = make_project(progress=False)
    pd.testing.assert_frame_equal(search(damaged, query, analyser=analyser()), expected)
    edited = CONTEXT_TEXT.replace("En halua", "Ei halua")
    (damaged.root / "transcripts" / "H3.txt").write_text(edited, encoding="utf-8")
    changed = search(make_project(progress=False), query, analyser=analyser())
    assert len(changed) == len(expected)  # the edited source is read anew, not taken as kept
    assert "Ei halua" in " ".join(changed["left"] + changed["match"] + changed["right"])


AGREEMENT_TEXT = (
    "V: Lapset leikkivät pihalla, ja lapsen äiti päätti lähteä. Päätettiin siis lähteä.\n"
    "V: En halunnut mitään. Halusin vain, että lastenhoitaja ei päättäisi puolestani.\n"
    "V: Päätöksiä tehtiin, ja tehdyt päätökset pidettiin. Lapsiperheet eivät halua muuttaa.\n"
)


@pytest.mark.parametrize("compounds", ["off", "head"])
@pytest.mark.parametrize("keyword", ["lapsi", "päättää", "haluta", "tehdä", "pitää", "hoitaja"])
def test_autocoding_with_a_keyword_matches_the_spans_search_finds(
        make_project: MakeProject, keyword: str, compounds: str) -> None:
    """Issue 17: autocoding and search read words alike, so each proposed passage holds
    exactly the words search finds for the keyword, and every word search finds is in a
    proposed passage."""
    from tymqual.autocode import KeywordAutocoder

    codebook = f"name: Testi\ncodes:\n  - name: Sana\n    key: sana\n    keywords: [{keyword}]\n"
    project = make_project({"transcripts/H3.txt": AGREEMENT_TEXT,
                            "codes/codebook.yaml": codebook}, progress=False)
    found = search(project, keyword, compounds=compounds, context=0)  # type: ignore[arg-type]
    found = found[found["source_id"] == "H3"]
    proposals = KeywordAutocoder(compounds=compounds).fit(project).predict(  # type: ignore[arg-type]
        project)
    proposals = proposals[proposals["source_id"] == "H3"]
    if compounds == "off" and keyword == "hoitaja":
        assert found.empty  # lastenhoitaja holds it only as its head
        return
    assert len(found), f"no form of {keyword} found: the text is meant to hold some"
    text = project.document("H3").text
    spans = list(zip(found["start"], found["end"], strict=True))
    assert all(text[s:e] == m for (s, e), m in zip(spans, found["match"], strict=True))
    for row in proposals.itertuples():
        inside = [text[s:e] for s, e in spans if row.start <= s and e <= row.end]
        assert inside, f"proposed passage {row.text!r} holds no search hit"
        assert row.matched == "; ".join(dict.fromkeys(inside))
    covered = [any(r.start <= s and e <= r.end for r in proposals.itertuples()) for s, e in spans]
    assert all(covered)


NEIGHBOURS_TEXT = (
    "H: Miten on mennyt?\n"
    "V: Tänä aikana olen oppinut paljon. Vuoden aikana kaikki muuttui. Minä tulen huomenna, "
    "tulen loimu lämmitti. Hän osaa ajaa, suurta osaa en tunne.\n"
)


@pytest.mark.parametrize("analyser", ["voikko", "simplemma"])
def test_the_word_before_decides_how_a_homograph_reads(
        make_project: MakeProject, analyser: str) -> None:
    """Issue 17: an agreeing attribute makes *aikana* the noun (not after the governing
    noun *vuoden*); a subject pronoun makes *tulen*, *osaa* the finite verb (not after an
    attribute: *suurta osaa*). Each hit's why names the rule; the kept index reads back
    the same hits; autocoding proposes the sentences search finds."""
    from tymqual.autocode import KeywordAutocoder
    from tymqual.morphology import get_analyser

    try:
        get_analyser(analyser)
    except TymqualError as exc:
        pytest.skip(f"{analyser} is not installed here: {exc}")
    codebook = "name: Testi\ncodes:\n  - name: Aika\n    key: aika\n    keywords: [aika]\n"
    project = make_project({"transcripts/H3.txt": NEIGHBOURS_TEXT,
                            "codes/codebook.yaml": codebook}, progress=False)
    text = project.document("H3").text

    def found(word: str) -> list[tuple[int, str]]:
        hits = search(project, word, compounds="off", analyser=analyser)
        hits = hits[hits["source_id"] == "H3"]
        return list(zip(hits["start"].astype(int), hits["why"], strict=True))

    aika = found("aika")
    assert [s for s, _ in aika] == [text.index("Tänä aikana") + 5]
    assert "agrees in case" in aika[0][1]
    tulla = found("tulla")
    assert [s for s, _ in tulla] == [text.index("Minä tulen") + 5]
    assert "subject pronoun" in tulla[0][1]
    assert [s for s, _ in found("osata")] == [text.index("Hän osaa") + 4]
    assert [s for s, _ in found("osa")] == [text.index("suurta osaa") + 7]
    again = make_project(progress=False)  # the kept index: same hits, same whys
    hits = search(again, "aika OR tulla", compounds="off", analyser=analyser)
    assert sorted(hits.loc[hits["source_id"] == "H3", "why"]) == sorted(
        w for _, w in aika + tulla)
    proposals = KeywordAutocoder(compounds="off", analyser=analyser).fit(project).predict(
        project)
    assert list(proposals.loc[proposals["source_id"] == "H3", "text"]) == [
        "Tänä aikana olen oppinut paljon."]


# ---------------------------------------------------------------------------- the kept index
_WORDS = ("kela", "johtoryhmä", "verkosto", "oma", "työ", "ohessa", "kunta", "neuvottelu",
          "hyvin", "toimii", "ei", "halua", "muuttaa", "tilanne", "sopimus", "vaihtui")
_QUERIES = [("kela OR johtoryhmä", {}), ('"oman työn ohessa"', {}),
            ("kela NOT johtoryhmä", {}), ("neuvottelu*", {"role": "interviewee"}),
            ("kela", {"case": "H1"}), ("halua OR muuttaa OR kela", {"codes": "johtoryhma"})]


def _many_sources(seed: int = 7, interviews: int = 12, respondents: int = 30
                  ) -> dict[str, str]:
    """Interviews and a survey's open answers of the words above, inflected by hand."""
    import random

    rng = random.Random(seed)
    forms = [*_WORDS, "Kelan", "johtoryhmässä", "oman työn ohessa", "neuvotteluissa", "en"]

    def said(n: int) -> str:
        return " ".join(rng.choice(forms) for _ in range(n)).capitalize() + "."

    files = {f"transcripts/T{i:02d}.txt": "".join(
        f"H: {said(5)}\nV: {said(rng.randint(3, 25))} {said(4)}\n" for _ in range(6))
        for i in range(interviews)}
    rows = "".join(f'"R{r}","{said(rng.randint(2, 12))}"\n' for r in range(respondents))
    files["surveys/kysely.csv"] = '"Vastaajan tunniste","Mitä haluaisit kertoa?"\n' + rows
    files["documents/sopimus.txt"] = f"{said(10)}\n\n{said(8)}\n"
    return files


def _all_queries(project: tymqual.Project) -> list[pd.DataFrame]:
    return [search(project, query, **options) for query, options in _QUERIES]


def _read_anew(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the sources tokenised from here on (not taken from the kept index)."""
    from tymqual import search as search_module

    read: list[str] = []
    tokenise = search_module._index_source

    def counted(index: object, source_id: str, *args: object) -> object:
        read.append(source_id)
        return tokenise(index, source_id, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(search_module, "_index_source", counted)
    return read


def test_a_kept_index_of_many_sources_gives_what_reading_them_anew_gives(
        make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_project(_many_sources(), progress=False)
    for sid in ("T00", "T03"):
        first.code_many(sid, "johtoryhma", turns=[2, 4])
    _all_queries(first)
    read = _read_anew(monkeypatch)
    again = tymqual.open_project(first.root, progress=False)
    found = _all_queries(again)
    assert read == []  # everything came from the kept index
    fresh = tymqual.open_project(first.root, progress=False, cache=False)
    for got, expected in zip(found, _all_queries(fresh), strict=True):
        pd.testing.assert_frame_equal(got, expected)
    assert any(len(f) for f in found) and len(set(found[0]["source_id"])) > 10


def test_an_edited_source_among_many_is_read_anew_and_only_it(
        make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_project(_many_sources(), progress=False)
    search(first, "kela")
    path = first.root / "transcripts" / "T05.txt"
    edited = path.read_text(encoding="utf-8").replace("V: ", "V: Kelan johtoryhmässä ", 1)
    path.write_text(edited, encoding="utf-8")
    read = _read_anew(monkeypatch)
    second = tymqual.open_project(first.root, progress=False)
    hits = search(second, "kela")
    assert read == ["T05"]
    text = second.document("T05").text
    at = text.index("Kelan johtoryhmässä")
    assert (("T05", at) in set(zip(hits["source_id"], hits["start"], strict=True)))
    fresh = tymqual.open_project(first.root, progress=False, cache=False)
    pd.testing.assert_frame_equal(hits, search(fresh, "kela"))
    read.clear()
    third = tymqual.open_project(first.root, progress=False)
    pd.testing.assert_frame_equal(search(third, "kela"), hits)
    assert read == []  # the edit was kept too


def test_an_edited_survey_reads_its_answers_anew_and_no_interview(
        make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_project(_many_sources(), progress=False)
    search(first, "kela")
    survey = first.root / "surveys" / "kysely.csv"
    survey.write_text(survey.read_text(encoding="utf-8").replace(
        '"R3","', '"R3","Kela ja johtoryhmä. '), encoding="utf-8")
    read = _read_anew(monkeypatch)
    second = tymqual.open_project(first.root, progress=False)
    hits = search(second, "kela OR johtoryhmä")
    answers = [sid for sid in second.source_ids if sid.startswith("kysely_")]
    assert sorted(read) == sorted(answers)
    assert {"kysely_R3"} <= set(hits["source_id"])
    fresh = tymqual.open_project(first.root, progress=False, cache=False)
    pd.testing.assert_frame_equal(hits, search(fresh, "kela OR johtoryhmä"))


def test_changed_speaker_settings_index_the_sources_anew(
        make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_project(progress=False)
    before = search(first, "kela")
    assert before["speaker"].notna().all()
    config = first.root / "tymqual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "speakers:\n  interviewer: [X]\n"
                      "  interviewee: [Y]\n  initials: false\n  detect: false\n",
                      encoding="utf-8")
    read = _read_anew(monkeypatch)
    second = tymqual.open_project(first.root, progress=False)
    after = search(second, "kela")
    # The texts are as before, their units (turns, now paragraphs) are not.
    assert sorted(read) == sorted(second.source_ids)
    assert after["speaker"].isna().all() and after["turn"].isna().all()
    assert list(after["start"]) == list(before["start"])
    fresh = tymqual.open_project(first.root, progress=False, cache=False)
    pd.testing.assert_frame_equal(after, search(fresh, "kela"))


def test_the_index_sources_are_what_tokenising_each_gives(make_project: MakeProject) -> None:
    from tymqual import search as search_module

    project = make_project(_many_sources(interviews=3, respondents=5), progress=False)
    index = text_index(project)
    assert [sid for sid, _ in index.sources] == project.source_ids
    for source in index.sources.values():
        doc = project.document(source.source_id)
        alone = search_module._index_source(index, doc.source_id, doc.text, doc.turns)
        for name in ("unit_start", "unit_end", "token_start", "token_end", "token_unit",
                     "token_form"):
            assert getattr(source, name).tolist() == getattr(alone, name).tolist(), name
        assert (source.unit_turn, source.unit_speaker, source.unit_role) == (
            alone.unit_turn, alone.unit_speaker, alone.unit_role)
        assert source.sentences() == alone.sentences()


SUSPENDED_TEXT = (
    "H: Kuka päättää?\n"
    "V: Työ- ja elinkeinoministeriö ja sosiaali- ja terveysministeriö päättävät. Työ on "
    "raskasta, ja terveys-\nsekä lapsi- ja perhepalvelut auttavat lasta. Lapsi - ja äiti.\n"
)


@pytest.mark.parametrize("analyser", ["voikko", "simplemma"])
def test_a_word_before_a_hyphen_and_a_space_is_a_first_part(
        make_project: MakeProject, analyser: str) -> None:
    # Finnish writes a compound's shared head once: "työ- ja elinkeinoministeriö" is
    # työministeriö and elinkeinoministeriö, so "Työ-" is no occurrence of "työ".
    try:
        from tymqual.morphology import get_analyser

        get_analyser(analyser)
    except TymqualError as exc:
        pytest.skip(f"{analyser} is not installed here: {exc}")
    project = make_project({"transcripts/H3.txt": SUSPENDED_TEXT}, progress=False)
    text = project.document("H3").text
    suspended = {m.start() for m in re.finditer(r"\w+(?=-(?:\s|$))", text)}
    for word in ("työ", "lapsi", "terveys", "sosiaali"):
        off = search(project, word, compounds="off", analyser=analyser)
        off = off[off["source_id"] == "H3"]
        assert not suspended & set(off["start"]), word
        anywhere = search(project, word, compounds="any", analyser=analyser)
        anywhere = anywhere[anywhere["source_id"] == "H3"]
        found = suspended & set(anywhere["start"])
        assert found or word == "sosiaali", word
        for why in anywhere.loc[anywhere["start"].isin(found), "why"]:
            assert "hyphen" in why, why
    whole = search(project, "työ", compounds="off", analyser=analyser)
    assert list(whole.loc[whole["source_id"] == "H3", "start"]) == [text.index("Työ on")]
    child = search(project, "lapsi", compounds="off", analyser=analyser)
    assert text.index("Lapsi - ja") in set(child["start"])  # a dash with a space is no hyphen


OBJECT_TEXT = (
    "H: Mitä asiakkaat saavat?\n"
    "V: Asiakkaat saavat tukea arkeen. Haluamme tukea heitä. Kunta on myöntänyt tukea "
    "kahdelle hankkeelle. Tavoitteena on tukea nuoria.\n"
)


@pytest.mark.parametrize("analyser", ["voikko"])
def test_a_verbs_object_is_the_noun_in_search_and_autocoding_alike(
        make_project: MakeProject, analyser: str) -> None:
    """Issue 17: *tukea* after *saavat* and *myöntänyt* is the noun *tuki*, the verbs'
    object; after *haluamme* and *on* it is the verb. Search, its why and autocoding agree."""
    from tymqual.autocode import KeywordAutocoder
    from tymqual.morphology import get_analyser

    try:
        get_analyser(analyser)
    except TymqualError as exc:
        pytest.skip(f"{analyser} is not installed here: {exc}")
    codebook = "name: Testi\ncodes:\n  - name: Tuki\n    key: tuki\n    keywords: [tuki]\n"
    project = make_project({"transcripts/H3.txt": OBJECT_TEXT,
                            "codes/codebook.yaml": codebook}, progress=False)
    text = project.document("H3").text
    hits = search(project, "tuki", compounds="off", analyser=analyser)
    hits = hits[hits["source_id"] == "H3"]
    expected = [text.index("saavat tukea") + 7, text.index("myöntänyt tukea") + 10]
    assert sorted(hits["start"].astype(int)) == expected
    assert all("object" in why for why in hits["why"])
    verbs = search(project, "tukea", compounds="off", analyser=analyser)
    verbs = verbs[verbs["source_id"] == "H3"]
    assert sorted(verbs["start"].astype(int)) == [text.index("Haluamme tukea") + 9,
                                                  text.index("on tukea") + 3]
    proposals = KeywordAutocoder(compounds="off").fit(project).predict(project)
    proposals = proposals[proposals["source_id"] == "H3"]
    assert sorted(proposals["text"]) == ["Asiakkaat saavat tukea arkeen.",
                                         "Kunta on myöntänyt tukea kahdelle hankkeelle."]
