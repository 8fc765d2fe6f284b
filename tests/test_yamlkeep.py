"""Saving the codebook keeps what its author wrote around the data: comments, order, styles.

Each test writes a commented codebook by hand, edits it through the project (the widget's
code tree calls the same methods), and reads the saved file back twice: with PyYAML, for the
data, compared with the codebook in memory; and line by line, for the comments written here.
"""

from __future__ import annotations

import random
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import tymqual
from tymqual.codebook import Codebook
from tymqual.errors import TymqualWarning
from tymqual.yamlkeep import KEPT_HEADER

REPO = Path(__file__).parents[1]

COMMENTED = """\
# KOMMENTTI 1: tiedoston otsikko
name: Testikoodikirja
version: "1"
language: fi
description: >-
  Pitkä kuvaus, jonka kirjoittaja on taittanut
  kahdelle riville.
codes:
  # KOMMENTTI 2: ensimmäinen teema
  - name: Johtaminen
    key: johtaminen
    color: "#1b9e77"
    keywords: [johtaa, johtoryhmä]  # KOMMENTTI 3: avainsanat
    children:
      - name: Resurssit
        key: resurssit
        # KOMMENTTI 4: resurssien määritelmä on kesken
        definition: Resurssit riittävät tai eivät.
        color: "#7570b3"
      - name: Johtoryhmä
        key: johtoryhma
        color: "#e7298a"
  - name: Neuvottelut
    key: neuvottelut  # KOMMENTTI 5: avain on vakaa
    color: "#d95f02"
    keywords: [neuvottelu]
# KOMMENTTI 6: loppu
"""
MARKS = re.compile(r"# KOMMENTTI \d+[^\n]*")


def _project(make_project: Callable[..., tymqual.Project], text: str = COMMENTED
             ) -> tymqual.Project:
    return make_project({"codes/codebook.yaml": text})


def _saved(p: tymqual.Project) -> str:
    return (p.codes_dir / "codebook.yaml").read_text(encoding="utf-8")


def _same_data(p: tymqual.Project) -> None:
    """The file, read by another YAML reader, is the codebook in memory."""
    on_disk = Codebook.from_dict(yaml.safe_load(_saved(p)))
    assert on_disk.to_dict() == p.codebook.to_dict()


EDITS: list[Callable[[tymqual.Project], object]] = [
    lambda p: p.rename_code("resurssit", "Resurssit ja aika"),
    lambda p: p.recolor_code("neuvottelut", "#123456"),
    lambda p: p.add_code("Uusi koodi", parent="johtaminen"),
    lambda p: p.move_code("johtoryhma", "neuvottelut"),
    lambda p: p.move_code("resurssit", None),
    lambda p: p.set_code_memo("johtaminen", "Muistio\nkahdella rivillä"),
    lambda p: p.rekey_code("neuvottelut", "sopimusneuvottelut"),
]


@pytest.mark.parametrize("edit", range(len(EDITS)))
def test_each_edit_keeps_every_comment_and_the_data(
    make_project: Callable[..., tymqual.Project], edit: int
) -> None:
    p = _project(make_project)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TymqualWarning)  # nothing is lost, so nothing to say
        EDITS[edit](p)
    text = _saved(p)
    assert sorted(MARKS.findall(text)) == sorted(MARKS.findall(COMMENTED))  # moves reorder
    assert "Pitkä kuvaus, jonka kirjoittaja on taittanut\n  kahdelle riville." in text
    _same_data(p)


@pytest.mark.parametrize("seed", range(6))
def test_a_day_of_random_edits_loses_nothing(
    make_project: Callable[..., tymqual.Project], seed: int
) -> None:
    rng = random.Random(seed)
    p = _project(make_project)
    for _ in range(6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TymqualWarning)
            try:
                rng.choice(EDITS)(p)
            except tymqual.TymqualError:
                continue  # the edit does not apply any more (a key already changed)
        _same_data(p)
        assert sorted(MARKS.findall(_saved(p))) == sorted(MARKS.findall(COMMENTED))


def test_a_comment_travels_with_its_code(make_project: Callable[..., tymqual.Project]) -> None:
    p = _project(make_project)
    p.move_code("resurssit", "neuvottelut")
    text = _saved(p)
    block = text[text.index("key: neuvottelut"):]
    assert "KOMMENTTI 4" in block[:block.index("key: resurssit") + 200]


def test_a_removed_codes_comment_is_kept_at_the_end_and_said(
    make_project: Callable[..., tymqual.Project]
) -> None:
    p = _project(make_project)
    p.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.")
    with pytest.warns(TymqualWarning, match=r"codebook\.yaml: 1 comment.*kept at the end"):
        p.merge_codes("resurssit", into="johtaminen")
    text = _saved(p)
    tail = text[text.index(KEPT_HEADER):]
    assert "KOMMENTTI 4" in tail
    assert sorted(MARKS.findall(text)) == sorted(MARKS.findall(COMMENTED))
    _same_data(p)
    # The next save keeps the kept comments and says nothing more.
    with warnings.catch_warnings():
        warnings.simplefilter("error", TymqualWarning)
        p.recolor_code("johtaminen", "#000000")
    assert _saved(p).count(KEPT_HEADER) == 1 and "KOMMENTTI 4" in _saved(p)


def test_an_unchanged_codebook_is_written_back_byte_for_byte(tmp_path: Path) -> None:
    demo = REPO / "codes" / "codebook.yaml"
    if not demo.exists():
        pytest.skip(f"the demo codebook is not in {REPO}")
    path = tmp_path / "codebook.yaml"
    path.write_bytes(demo.read_bytes())
    Codebook.from_yaml(path).to_yaml(path)
    assert path.read_bytes() == demo.read_bytes()


def test_saving_twice_changes_nothing_more(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text(COMMENTED, encoding="utf-8")
    Codebook.from_yaml(path).to_yaml(path)
    once = path.read_bytes()
    Codebook.from_yaml(path).to_yaml(path)
    assert path.read_bytes() == once
    assert MARKS.findall(once.decode("utf-8")) == MARKS.findall(COMMENTED)


def test_source_memos_keep_their_comments(tmp_path: Path) -> None:
    from tymqual.memos import read_source_memos, write_source_memo

    path = tmp_path / "memos.yaml"
    path.write_text("# KOMMENTTI 7: muistiot\nsources:\n  H1: Keskeytyi.  # KOMMENTTI 8\n"
                    "  H2: >-\n    Pitkä muistio\n    kahdella rivillä.\n", encoding="utf-8")
    write_source_memo(path, "H3", "Uusi muistio.")
    text = path.read_text(encoding="utf-8")
    assert MARKS.findall(text) == ["# KOMMENTTI 7: muistiot", "# KOMMENTTI 8"]
    assert "    Pitkä muistio\n    kahdella rivillä." in text
    assert read_source_memos(path) == {"H1": "Keskeytyi.", "H2": "Pitkä muistio kahdella rivillä.",
                                       "H3": "Uusi muistio."}
    with pytest.warns(TymqualWarning, match=r"memos\.yaml: 1 comment.*memos"):
        write_source_memo(path, "H1", "")
    assert "KOMMENTTI 8" in path.read_text(encoding="utf-8").split(KEPT_HEADER)[1]
    assert set(read_source_memos(path)) == {"H2", "H3"}


def test_joint_display_notes_keep_their_comments(
    make_project: Callable[..., tymqual.Project]
) -> None:
    from tymqual.tables import save_joint_display_notes

    p = _project(make_project)
    (p.codes_dir / "joint_display.yaml").write_text(
        "# KOMMENTTI 9: integraatio\n- theme: johtaminen\n  items: []\n  fit: ''\n"
        "  conclusion: Kesken.  # KOMMENTTI 10\n- theme: neuvottelut\n  items: []\n"
        "  fit: ''\n  conclusion: ''\n", encoding="utf-8")
    save_joint_display_notes(p, "neuvottelut", conclusion="Vahvistaa kyselyn.")
    text = (p.codes_dir / "joint_display.yaml").read_text(encoding="utf-8")
    assert MARKS.findall(text) == ["# KOMMENTTI 9: integraatio", "# KOMMENTTI 10"]
    notes = {str(e["theme"]): e for e in yaml.safe_load(text)}
    assert notes["neuvottelut"]["conclusion"] == "Vahvistaa kyselyn."
    assert notes["johtaminen"]["conclusion"] == "Kesken."


FLUSH = """\
# KOMMENTTI 1: viivat avaimen sarakkeessa
name: Testikoodikirja
codes:
- name: Johtaminen
  key: johtaminen
  children:
  - name: Resurssit
    key: resurssit  # KOMMENTTI 2
  - name: Johtoryhmä
    key: johtoryhma
- name: Neuvottelut
  key: neuvottelut
"""


@pytest.mark.parametrize("edit", range(len(EDITS)))
def test_a_file_indented_another_way_stays_valid(
    make_project: Callable[..., tymqual.Project], edit: int
) -> None:
    p = _project(make_project, FLUSH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TymqualWarning)
        EDITS[edit](p)
    _same_data(p)
    text = _saved(p)
    assert sorted(MARKS.findall(text)) == sorted(MARKS.findall(FLUSH))
    assert "\n- name: Johtaminen\n  key: johtaminen\n" in text  # its own indentation kept


def test_a_file_that_is_not_utf8_is_refused_by_name_and_not_rewritten(tmp_path: Path) -> None:
    from tymqual.memos import write_source_memo

    path = tmp_path / "memos.yaml"
    data = "# Kommentti: hyvä\nsources:\n  H1: Keskeytyi.\n".encode("cp1252")
    path.write_bytes(data)
    with pytest.raises(tymqual.TymqualError, match=r"memos\.yaml: not UTF-8"):
        write_source_memo(path, "H2", "Uusi.")
    assert path.read_bytes() == data


def test_comments_that_cannot_be_read_are_said_before_the_plain_save(tmp_path: Path) -> None:
    from tymqual.yamlkeep import text_to_write

    path = tmp_path / "muistiot.yaml"
    path.write_bytes("# hyvä kommentti\nsources: {}\n".encode("cp1252"))
    with pytest.warns(TymqualWarning, match=r"muistiot\.yaml: its comments could not be kept"):
        assert text_to_write(path, {"sources": {}}, lambda: "sources: {}\n") == "sources: {}\n"
