"""The held-out search benchmark of issue 17: its hand gold is well-formed, points at the
tokens it names, covers the candidate net, and the script scores a slice."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from benchmarks import heldout_text as ht
from benchmarks import search_heldout as sh


@pytest.fixture(scope="module")
def shared() -> Path:
    """``../shared`` (or /work/shared beside a worktree); skipped where the text is absent."""
    folder = ht.shared_folder()
    if folder is None and (Path("/work/shared") / ht.VKK_FILE).is_file():
        folder = Path("/work/shared")
    if folder is None:
        pytest.skip("../shared/data/eduskunta-vkk/ and finlex-tym/ are not beside the repository: "
                    "the held-out text is not part of tymqual")
    return folder


@pytest.fixture(scope="module")
def units(shared: Path) -> list[ht.Unit]:
    return ht.units(shared)


@pytest.fixture(scope="module")
def gold() -> list[sh.GoldRow]:
    return sh.read_gold()


def test_gold_file_is_well_formed(gold: list[sh.GoldRow]) -> None:
    keys = [(row.unit, row.token, row.word) for row in gold]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"vkk:\d+|fi_\d{4}_asd\d+:\d+", row.unit) for row in gold)
    words = {row.word: row.kind for row in gold}
    assert {w: k for k, ws in ht.TYM_WORDS.items() for w in ws}.items() <= words.items()
    for word in words:
        assert any(row.word == word and row.label in ("whole", "head") for row in gold), word
    assert {row.label for row in gold} <= set(sh.LABELS)


def test_a_malformed_gold_row_is_refused_by_line(tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(sh.GOLD_COLUMNS)
        writer.writerow(["vkk:1", "0", "Laki", "laki", "noun", "whole", ""])
        writer.writerow(["vkk:1", "1", "lain", "laki", "noun", "maybe", ""])
    with pytest.raises(ValueError, match="line 3"):
        sh.read_gold(path)


def test_gold_rows_name_the_tokens_they_point_at(units: list[ht.Unit],
                                                  gold: list[sh.GoldRow]) -> None:
    forms = {(u.uid, i): form for u in units for i, (_, _, form) in enumerate(ht.tokens(u.text))}
    assert all(forms.get((row.unit, row.token)) == row.form for row in gold)


def test_study_words_follow_the_fixed_rule(units: list[ht.Unit], gold: list[sh.GoldRow]) -> None:
    study = ht.study_words(units)
    assert len(study["noun"]) >= ht.N_NOUNS and len(study["verb"]) >= ht.N_VERBS
    assert {w for ws in study.values() for w in ws} == {row.word for row in gold}
    assert not ht.LEFT_OUT & set(study["verb"])


def test_gold_covers_exactly_the_net_on_a_slice(units: list[ht.Unit],
                                                gold: list[sh.GoldRow]) -> None:
    libvoikko = pytest.importorskip("libvoikko")
    voikko = libvoikko.Voikko("fi")
    words = {row.word: row.kind for row in gold}
    part = units[:120] + [u for u in units if not u.uid.startswith("vkk:")][:40]
    net = {(u.uid, i, word) for u in part for i, (_, _, form) in enumerate(ht.tokens(u.text))
           for word, kind in words.items() if ht.in_net(form, word, kind, voikko)}
    uids = {u.uid for u in part}
    assert net == {(row.unit, row.token, row.word) for row in gold if row.unit in uids}


def test_the_script_scores_a_slice(units: list[ht.Unit], gold: list[sh.GoldRow],
                                   tmp_path: Path) -> None:
    part = units[:300] + [u for u in units if not u.uid.startswith("vkk:")]
    study = {"noun": ("laki", "palvelu"), "verb": ("antaa",)}
    rows = dict(sh.measure(part, gold, tmp_path / "slice", study))
    assert any(label.startswith("tymqual default") for label in rows)
    uids = {u.uid for u in part}
    mine = [r for r in gold if r.unit in uids and r.word in ("laki", "palvelu", "antaa")]
    regex = rows["regex \\bword\\w*"].by_kind["all"]
    found = [r for r in mine if re.match(rf"{r.word}\w*", r.form, re.IGNORECASE)]
    assert regex.tp == sum(r.label == "whole" for r in found)
    assert regex.tp + regex.fn == sum(r.label == "whole" for r in mine)
    for scores in rows.values():
        for score in (*scores.by_kind.values(), scores.with_lex, *scores.by_source.values()):
            assert score.tp + score.fn > 0
            assert 0.0 <= score.recall <= 1.0


def test_without_the_text_the_run_says_so(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sh, "shared_folder", lambda: None)
    assert sh.main() == 0
    assert "skipped" in capsys.readouterr().out


def test_halves_split_each_source_by_unit_id_alone(units: list[ht.Unit]) -> None:
    half = ht.halves(units)
    assert half == ht.halves(list(reversed(units)))
    renamed = [ht.Unit(u.uid, "") for u in units]
    assert half == ht.halves(renamed)
    for name in ("vkk", "finlex"):
        mine = [half[u.uid] for u in units if ht.source(u.uid) == name]
        assert abs(mine.count("A") - mine.count("B")) <= 1
    statutes = {u.uid.rsplit(":", 1)[0] for u in units if ht.source(u.uid) == "finlex"}
    for statute in statutes:
        mine = [half[u.uid] for u in units if u.uid.startswith(statute + ":")]
        assert 0 < mine.count("A") < len(mine)


def test_errors_are_listed_for_half_a_only(units: list[ht.Unit], gold: list[sh.GoldRow],
                                           tmp_path: Path) -> None:
    half = ht.halves(units)
    part = units[:200]
    # words with errors left on these units (the fallback reads some participles wrongly)
    study = {"noun": ("laki", "tuki", "palvelu"), "verb": ("tehdä", "saada", "antaa")}
    lines = sh.errors_a(part, gold, tmp_path / "errors", study)
    a_text = " ".join(u.text for u in part if half[u.uid] == "A")
    b_only = [u.text for u in part if half[u.uid] == "B" and u.text not in a_text]
    assert lines
    for line in lines:
        context = line.split("\t")[-1]
        assert context in a_text
        assert not any(context == text for text in b_only)
