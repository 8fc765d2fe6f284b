"""The codebook: YAML round trips, look-ups, edits and validation with line numbers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tymqual.codebook import FRAME_COLUMNS, Code, Codebook
from tymqual.errors import CodebookError

# Written exactly as to_yaml writes it, so the first write must reproduce it byte for byte.
CANONICAL = """\
name: TYM-palveluesihenkilöiden teemahaastattelut
version: '1.0'
language: fi
description: Fiktiivinen koodikirja testejä varten.
codes:
  - name: Verkostojohtaminen
    key: verkostojohtaminen
    definition: Verkoston johtaminen ja sen rakenteet.
    use_when: Haastateltava kuvaa, kuka verkostoa johtaa.
    do_not_use_when: Puhe on oman organisaation esihenkilötyöstä.
    example: Verkostojohtaja kokoaa johtoryhmän.
    color: '#1f77b4'
    keywords: [verkostojohtaja, johtoryhmä]
    children:
      - name: Resursointi
        key: resursointi
        definition: |-
          Rahoitus ja henkilöstö.
          Myös työaika.
        use_when: ''
        do_not_use_when: ''
        example: ''
        color: '#aec7e8'
        keywords: []
      - name: Johtoryhmän rooli
        key: johtoryhmän_rooli
        definition: ''
        use_when: ''
        do_not_use_when: ''
        example: ''
        color: '#ff7f0e'
        keywords: [ohjaus, 'yes']
  - name: Sopimusneuvottelut
    key: sopimusneuvottelut
    definition: Neuvottelut sopimuksesta, joka kestää pitkään ja jonka kuvaus jatkuu yli rivin
      leveyden, joten se taitetaan seuraavalle riville.
    use_when: ''
    do_not_use_when: ''
    example: ''
    color: '#2ca02c'
    keywords: []
    children:
      - name: Valmistelu
        key: valmistelu
        definition: ''
        use_when: ''
        do_not_use_when: ''
        example: ''
        color: '#98df8a'
        keywords: []
"""

# Hand-written the way people write it: no keys, short colours, a numeric version.
LOOSE = """\
name: Väljä koodikirja
version: 1.10
codes:
  - name: Työllisyys ja Kela
    color: "#ABC"
    keywords:
      - TE-palvelut
      - on
    definition: |
      Kaksi riviä,
      ääkkösin.
    children:
      - name: Åländsk samverkan
  - name: Palveluesihenkilö
"""

PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]


def load(tmp_path: Path, text: str, name: str = "codebook.yaml") -> Codebook:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Codebook.from_yaml(path)


@pytest.fixture
def book() -> Codebook:
    return Codebook.from_dict(
        {
            "name": "Testi",
            "codes": [
                {
                    "name": "Verkostojohtaminen",
                    "key": "verkostojohtaminen",
                    "keywords": ["verkostojohtaja"],
                    "children": [
                        {"name": "Resursointi", "key": "resursointi"},
                        {"name": "Johtoryhmä", "key": "johtoryhma", "keywords": ["ohjaus"]},
                    ],
                },
                {
                    "name": "Sopimusneuvottelut",
                    "key": "sopimusneuvottelut",
                    "children": [{"name": "Valmistelu", "key": "valmistelu"}],
                },
            ],
        }
    )


# -- round trips ---------------------------------------------------------------------------


def test_canonical_file_is_written_back_byte_for_byte(tmp_path: Path) -> None:
    cb = load(tmp_path, CANONICAL)
    cb.to_yaml(tmp_path / "out.yaml")
    assert (tmp_path / "out.yaml").read_bytes() == CANONICAL.encode("utf-8")


@pytest.mark.parametrize("text", [CANONICAL, LOOSE], ids=["canonical", "loose"])
def test_round_trip_is_stable_from_the_second_write(tmp_path: Path, text: str) -> None:
    first = load(tmp_path, text)
    first.to_yaml(tmp_path / "one.yaml")
    second = Codebook.from_yaml(tmp_path / "one.yaml")
    second.to_yaml(tmp_path / "two.yaml")
    assert (tmp_path / "one.yaml").read_bytes() == (tmp_path / "two.yaml").read_bytes()
    pd.testing.assert_frame_equal(first.to_frame(), second.to_frame())
    assert first == second


def test_loose_file_is_normalised_and_keys_are_written_back(tmp_path: Path) -> None:
    cb = load(tmp_path, LOOSE)
    assert cb.version == "1.10"  # as typed, not the float 1.1
    assert cb.language == "fi"
    top = cb.codes[0]
    assert (top.key, top.color, top.keywords) == (
        "työllisyys_ja_kela",
        "#aabbcc",
        ("TE-palvelut", "on"),
    )
    assert top.definition == "Kaksi riviä,\nääkkösin."
    cb.to_yaml(tmp_path / "out.yaml")
    written = (tmp_path / "out.yaml").read_text(encoding="utf-8")
    assert "key: työllisyys_ja_kela" in written
    assert "key: åländsk_samverkan" in written
    assert "version: '1.10'" in written


@pytest.mark.parametrize("name", ["Johtoryhmän rooli", "ÅÄÖ åäö", "Sote-alueen yhteistyö"])
def test_finnish_letters_survive_as_written(tmp_path: Path, name: str) -> None:
    cb = Codebook("Ääkköset", description="Säännöt")
    code = cb.add(name, definition=f"{name} – määritelmä")
    cb.to_yaml(tmp_path / "out.yaml")
    raw = (tmp_path / "out.yaml").read_bytes()
    assert name.encode("utf-8") in raw
    assert b"\\x" not in raw and b"\\u" not in raw
    again = Codebook.from_yaml(tmp_path / "out.yaml")
    assert again.resolve(code.key).name == name
    assert again.resolve(code.key).definition == f"{name} – määritelmä"


def test_decomposed_umlauts_are_composed(tmp_path: Path) -> None:
    cb = load(tmp_path, "name: x\ncodes:\n  - name: Jyva\u0308skyla\u0308\n")
    assert cb.codes[0].key == "jyväskylä"
    assert "Jyväskylä" in cb


def test_to_dict_writes_every_field_in_file_order(book: Codebook) -> None:
    data = book.to_dict()
    assert list(data) == ["name", "version", "language", "description", "codes"]
    fields = ["name", "key", "definition", "use_when", "do_not_use_when", "example", "color"]
    assert list(data["codes"][0]) == [*fields, "keywords", "children"]
    assert list(data["codes"][0]["children"][0]) == [*fields, "keywords"]  # a leaf
    assert data["codes"][0]["children"][0]["keywords"] == []
    assert Codebook.from_dict(data) == book


def test_empty_codebook_round_trips(tmp_path: Path) -> None:
    Codebook("Tyhjä").to_yaml(tmp_path / "cb.yaml")
    again = Codebook.from_yaml(tmp_path / "cb.yaml")
    assert (again.name, len(again), list(again.to_frame().columns)) == (
        "Tyhjä",
        0,
        list(FRAME_COLUMNS),
    )


# -- the frame -----------------------------------------------------------------------------


def test_to_frame_columns_and_values(tmp_path: Path) -> None:
    frame = load(tmp_path, CANONICAL).to_frame()
    assert list(frame.columns) == [
        "key",
        "path",
        "name",
        "parent",
        "depth",
        "definition",
        "use_when",
        "do_not_use_when",
        "example",
        "color",
        "keywords",
    ]
    assert frame["path"].tolist() == [
        "verkostojohtaminen",
        "verkostojohtaminen/resursointi",
        "verkostojohtaminen/johtoryhmän_rooli",
        "sopimusneuvottelut",
        "sopimusneuvottelut/valmistelu",
    ]
    assert frame["depth"].tolist() == [0, 1, 1, 0, 1]
    assert frame["depth"].dtype == "int64"
    assert frame["parent"].isna().tolist() == [True, False, False, True, False]
    assert frame.loc[1, "parent"] == "verkostojohtaminen"
    assert frame.loc[0, "keywords"] == "verkostojohtaja; johtoryhmä"
    assert frame.loc[1, "keywords"] == ""
    assert frame.loc[1, "definition"] == "Rahoitus ja henkilöstö.\nMyös työaika."
    assert frame.loc[2, "name"] == "Johtoryhmän rooli"
    assert frame.loc[2, "keywords"] == "ohjaus; yes"  # quoted in the file, so text
    assert frame["color"].tolist() == ["#1f77b4", "#aec7e8", "#ff7f0e", "#2ca02c", "#98df8a"]


# -- look-ups ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "path"),
    [
        ("verkostojohtaminen/resursointi", "verkostojohtaminen/resursointi"),
        ("resursointi", "verkostojohtaminen/resursointi"),
        ("Resursointi", "verkostojohtaminen/resursointi"),
        ("  RESURSOINTI ", "verkostojohtaminen/resursointi"),
        ("johtoryhmä", "verkostojohtaminen/johtoryhma"),  # by name, case-folded
        ("sopimusneuvottelut/", "sopimusneuvottelut"),
    ],
)
def test_resolve_by_path_key_or_name(book: Codebook, ref: str, path: str) -> None:
    assert book.resolve(ref).path == path
    assert ref in book


@pytest.mark.parametrize(
    ("ref", "suggestion"),
    [
        ("resursionti", "verkostojohtaminen/resursointi"),
        ("verkostojohtaminen/valmistelu", "sopimusneuvottelut/valmistelu"),
        ("Sopimusneuvotelut", "sopimusneuvottelut"),
    ],
)
def test_unknown_ref_is_named_with_a_suggestion(book: Codebook, ref: str, suggestion: str) -> None:
    with pytest.raises(CodebookError, match=re.escape(repr(ref))) as info:
        book.resolve(ref)
    assert f"Did you mean {suggestion!r}" in str(info.value)
    assert ref not in book


def test_unknown_ref_without_close_match_points_to_the_frame(book: Codebook) -> None:
    with pytest.raises(CodebookError, match="to_frame"):
        book.resolve("xyzzy")


def test_ambiguous_name_asks_for_a_path(book: Codebook) -> None:
    book.add("Resursointi", parent="sopimusneuvottelut", key="neuvotteluresurssit")
    with pytest.raises(CodebookError, match="fits 2 codes") as info:
        book.resolve("Resursointi")  # not an exact key, so a case-folded name look-up
    assert "sopimusneuvottelut/neuvotteluresurssit" in str(info.value)
    assert book.resolve("resursointi").key == "resursointi"  # the exact key wins


def test_resolve_a_code_object_from_another_copy_by_its_key(book: Codebook) -> None:
    copy = Codebook.from_dict(book.to_dict())
    stale = copy.resolve("valmistelu")
    assert book.resolve(stale) is book.resolve("valmistelu")
    assert stale not in book  # membership of a Code object is identity
    with pytest.raises(CodebookError, match="'ei_ole'"):
        book.resolve(Code(key="ei_ole", name="Ei ole"))


def test_iteration_is_depth_first_and_descendants(book: Codebook) -> None:
    assert [c.key for c in book] == [
        "verkostojohtaminen",
        "resursointi",
        "johtoryhma",
        "sopimusneuvottelut",
        "valmistelu",
    ]
    assert len(book) == 5
    top = book.resolve("verkostojohtaminen")
    assert [c.key for c in book.descendants(top)] == [
        "verkostojohtaminen",
        "resursointi",
        "johtoryhma",
    ]
    assert [c.key for c in book.descendants("verkostojohtaminen", include_self=False)] == [
        "resursointi",
        "johtoryhma",
    ]
    leaf = book.resolve("johtoryhma")
    assert (leaf.depth, leaf.parent is top, top.depth, top.parent) == (1, True, 0, None)


# -- edits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Johtoryhmän rooli", "johtoryhmän_rooli"),
        ("Sote / hyvinvointialue", "sote_hyvinvointialue"),
        ("  Kela:n   rooli?  ", "kela_n_rooli"),
        ("Sote-alue", "sote-alue"),
        ("Åland", "åland"),
    ],
)
def test_add_derives_the_key_from_the_name(book: Codebook, name: str, key: str) -> None:
    code = book.add(name, parent="sopimusneuvottelut")
    assert (code.key, code.path) == (key, f"sopimusneuvottelut/{key}")
    assert code.name == name.strip()
    assert book.resolve("sopimusneuvottelut").children[-1] is code


def test_add_with_key_and_fields(book: Codebook) -> None:
    code = book.add(
        "Mallisopimus",
        key="malli",
        definition="Valmis pohja.",
        color="#F00",
        keywords=["mallisopimus", "pohja"],
    )
    assert (code.path, code.definition, code.color, code.keywords) == (
        "malli",
        "Valmis pohja.",
        "#ff0000",
        ("mallisopimus", "pohja"),
    )
    assert book.codes[-1] is code and code.parent is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Resursointi"}, "'resursointi' is already used"),
        ({"name": "Uusi", "key": "valmistelu"}, "'valmistelu' is already used"),
        ({"name": "Uusi", "defintion": "x"}, "unknown field.*defintion"),
        ({"name": "Uusi", "color": "punainen"}, "'color'.*punainen"),
        ({"name": "Uusi", "keywords": "sana"}, "'keywords' must be a list"),
        ({"name": "Uusi", "key": "a/b"}, "may not contain '/'"),
        ({"name": "   "}, "no 'name'"),
        ({"name": "???"}, "no key can be made"),
        ({"name": "Uusi", "parent": "ei_ole"}, "No code 'ei_ole'"),
    ],
)
def test_add_refuses(book: Codebook, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(CodebookError, match=message):
        book.add(**kwargs)
    assert len(book) == 5


def test_rename_keeps_key_and_path(book: Codebook) -> None:
    code = book.rename("verkostojohtaminen/resursointi", "Resurssit ja rahoitus")
    assert (code.name, code.key, code.path) == (
        "Resurssit ja rahoitus",
        "resursointi",
        "verkostojohtaminen/resursointi",
    )
    assert book.resolve("resurssit ja rahoitus") is code
    with pytest.raises(CodebookError, match="no 'name'"):
        book.rename(code, "  ")


@pytest.mark.parametrize(
    ("ref", "new_parent", "path"),
    [
        ("resursointi", "sopimusneuvottelut", "sopimusneuvottelut/resursointi"),
        ("resursointi", None, "resursointi"),
        ("sopimusneuvottelut", "johtoryhma", "verkostojohtaminen/johtoryhma/sopimusneuvottelut"),
    ],
)
def test_move(book: Codebook, ref: str, new_parent: str | None, path: str) -> None:
    moved = book.move(ref, new_parent)
    assert moved.path == path
    siblings = book.codes if moved.parent is None else moved.parent.children
    assert siblings[-1] is moved
    assert len(book) == 5 and [c.key for c in book].count(moved.key) == 1
    assert all(child.parent is moved for child in moved.children)
    frame = book.to_frame().set_index("key")
    assert frame.loc[moved.key, "path"] == path
    for child in moved.children:  # a parent is named by its whole path, not its key
        assert frame.loc[child.key, "parent"] == path


@pytest.mark.parametrize(
    ("ref", "new_parent"),
    [("verkostojohtaminen", "verkostojohtaminen"), ("verkostojohtaminen", "johtoryhma")],
)
def test_move_refuses_its_own_branch(book: Codebook, ref: str, new_parent: str) -> None:
    before = book.to_dict()
    with pytest.raises(CodebookError, match="Cannot move"):
        book.move(ref, new_parent)
    assert book.to_dict() == before


def test_move_to_the_same_parent_keeps_the_order(book: Codebook) -> None:
    book.move("resursointi", "verkostojohtaminen")
    assert [c.key for c in book][:3] == ["verkostojohtaminen", "resursointi", "johtoryhma"]


def test_merge_moves_children_and_keywords_and_returns_the_recoding(book: Codebook) -> None:
    book.add("Aikataulu", parent="johtoryhma")
    recode = book.merge("johtoryhma", "sopimusneuvottelut")
    assert recode == {"johtoryhma": "sopimusneuvottelut"}
    assert "johtoryhma" not in book
    target = book.resolve("sopimusneuvottelut")
    assert [c.path for c in target.children] == [
        "sopimusneuvottelut/valmistelu",
        "sopimusneuvottelut/aikataulu",
    ]
    assert target.keywords == ("ohjaus",)
    assert len(book) == 5


def test_merge_a_child_into_its_parent(book: Codebook) -> None:
    assert book.merge("resursointi", "verkostojohtaminen") == {"resursointi": "verkostojohtaminen"}
    assert [c.key for c in book.resolve("verkostojohtaminen").children] == ["johtoryhma"]


@pytest.mark.parametrize(
    ("ref", "into"),
    [("valmistelu", "valmistelu"), ("sopimusneuvottelut", "sopimusneuvottelut/valmistelu")],
)
def test_merge_refuses_itself_and_its_descendants(book: Codebook, ref: str, into: str) -> None:
    before = book.to_dict()
    with pytest.raises(CodebookError, match="Cannot merge"):
        book.merge(ref, into)
    assert book.to_dict() == before


def test_remove_a_leaf_only(book: Codebook) -> None:
    removed = book.remove("valmistelu")
    assert (removed.key, removed.parent, "valmistelu" in book, len(book)) == (
        "valmistelu",
        None,
        False,
        4,
    )
    with pytest.raises(CodebookError, match="has children.*resursointi"):
        book.remove("verkostojohtaminen")
    assert len(book) == 4


def test_to_yaml_refuses_a_tree_broken_by_hand(tmp_path: Path, book: Codebook) -> None:
    book.resolve("valmistelu").key = "sopimus/valmistelu"
    with pytest.raises(CodebookError, match="may not contain '/'"):
        book.to_yaml(tmp_path / "cb.yaml")
    assert not (tmp_path / "cb.yaml").exists()


def test_constructor_links_parents_and_checks_keys() -> None:
    child = Code("lapsi", "Lapsi")
    cb = Codebook("K", codes=[Code("juuri", "Juuri", children=[child])])
    assert child.parent is cb.codes[0] and child.path == "juuri/lapsi"
    with pytest.raises(CodebookError, match="also used"):
        Codebook("K", codes=[Code("a", "A"), Code("a", "B")])


# -- default colours -----------------------------------------------------------------------


def test_default_colours_follow_the_palette_by_position() -> None:
    data: dict[str, Any] = {"name": "V", "codes": [{"name": f"K{i}"} for i in range(12)]}
    data["codes"][3]["color"] = "#000"
    first, second = Codebook.from_dict(data), Codebook.from_dict(data)
    expected = [*PALETTE, *PALETTE[:2]]
    expected[3] = "#000000"
    assert [c.color for c in first] == expected
    assert [c.color for c in second] == expected


def test_added_code_gets_the_colour_of_its_position(book: Codebook) -> None:
    assert book.add("Uusi", parent="verkostojohtaminen").color == PALETTE[3]
    assert book.add("Toinen").color == PALETTE[6]


@pytest.mark.parametrize(
    ("given", "stored"),
    [("#abc", "#aabbcc"), ("#ABCDEF", "#abcdef"), ("#AbC", "#aabbcc"), (" #123456 ", "#123456")],
)
def test_colours_accepted_and_normalised(given: str, stored: str) -> None:
    cb = Codebook.from_dict({"name": "V", "codes": [{"name": "K", "color": given}]})
    assert cb.codes[0].color == stored


# -- validation ----------------------------------------------------------------------------

# Lines 1-3 of every case below; what follows starts on line 4.
HEAD = "name: K\ncodes:\n  - name: A\n"

BAD = {
    "top level is a list": ("- name: x\n", 1, ["must be a mapping"]),
    "code is a word": (HEAD + "  - Resursointi\n", 4, ["a code must be a mapping"]),
    "code without name": (HEAD + "  - key: b\n    color: '#fff'\n", 4, ["'name'"]),
    "empty name": ("name: K\ncodes:\n  - key: a\n    name: ''\n", 4, ["'name'"]),
    "empty key": (HEAD + "    key: ''\n", 4, ["'key'", "empty"]),
    "null key": (HEAD + "    key:\n", 4, ["'key'", "empty"]),
    "slash in key": (HEAD + "    key: a/b\n", 4, ["'key'", "'a/b'", "'/'"]),
    "space in key": (HEAD + "    key: a b\n", 4, ["'key'", "'a b'"]),
    "bad colour": (HEAD + "    color: blue\n", 4, ["'color'", "'blue'", "#rrggbb"]),
    "five-digit colour": (HEAD + "    color: '#12345'\n", 4, ["'color'", "'#12345'"]),
    "unquoted colour": (HEAD + "    color: #123456\n", 4, ["'color'", "quotes"]),
    "unknown field": (
        HEAD + "    defintion: x\n",
        4,
        ["'defintion'", "allowed fields are name, key, definition", "Did you mean 'definition'"],
    ),
    "unknown top field": ("name: K\nversoin: 1\n", 2, ["'versoin'", "Did you mean 'version'"]),
    "keywords a word": (HEAD + "    keywords: kela\n", 4, ["'keywords'", "list"]),
    "keyword a mapping": (
        HEAD + "    keywords:\n      - kela\n      - {a: 1}\n",
        6,
        ["'keywords'", "item 2"],
    ),
    "children a mapping": (HEAD + "    children:\n      name: B\n", 4, ["'children'", "list"]),
    "codes a mapping": ("name: K\ncodes:\n  name: A\n", 2, ["'codes'", "list"]),
    "field twice": (
        HEAD + "    definition: x\n    definition: y\n",
        5,
        ["'definition'", "twice", "lines 4 and 5"],
    ),
    "name a list": ("name: K\ncodes:\n  - name: [A, B]\n", 3, ["'name'", "must be text"]),
    "bad indentation": (HEAD + "   key: a\n", 4, ["cannot be read"]),
    "unclosed quote": ("name: K\ncodes:\n  - name: 'A\n  - name: B\n", 5, ["cannot be read"]),
    "tab indentation": ("name: K\ncodes:\n\t- name: A\n", 3, ["cannot be read"]),
}


@pytest.mark.parametrize(("text", "line", "fragments"), BAD.values(), ids=BAD.keys())
def test_validation_errors_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, fragments: list[str]
) -> None:
    with pytest.raises(CodebookError) as info:
        load(tmp_path, text, name="koodikirja.yaml")
    message = str(info.value)
    assert f"koodikirja.yaml, line {line}:" in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("name: K\ncodes:\n  - name: A\n    key: a\n  - name: B\n    key: a\n", (6, 4)),
        (  # derived from equal names, deep in the tree
            "name: K\ncodes:\n  - name: Kela\n    children:\n      - name: X\n"
            "        children:\n          - name: kela\n",
            (7, 3),
        ),
    ],
    ids=["explicit", "derived"],
)
def test_duplicate_keys_name_both_lines(tmp_path: Path, text: str, lines: tuple[int, int]) -> None:
    with pytest.raises(CodebookError) as info:
        load(tmp_path, text)
    message = str(info.value)
    assert f"codebook.yaml, line {lines[0]}:" in message
    assert f"(line {lines[1]})" in message
    assert "unique" in message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"name: K\n\xff\n", "not UTF-8"),
        (b"name: !!python/name:os.system\n", "line 1"),
    ],
)
def test_unreadable_files(tmp_path: Path, raw: bytes, message: str) -> None:
    (tmp_path / "codebook.yaml").write_bytes(raw)
    with pytest.raises(CodebookError, match=message):
        Codebook.from_yaml(tmp_path / "codebook.yaml")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match="no such file"):
        Codebook.from_yaml(tmp_path / "ei.yaml")


def test_from_dict_errors_name_the_position(book: Codebook) -> None:
    data = book.to_dict()
    data["codes"][1]["children"][0]["color"] = "vihreä"
    with pytest.raises(CodebookError, match=r"^koodit, codes\[1\] > children\[0\]: .*'color'"):
        Codebook.from_dict(data, where="koodit")


@pytest.mark.parametrize(
    ("text", "attribute", "value"),
    [
        ("name: K\nversion: 2\ncodes: []\n", "version", "2"),
        ("name: K\nversion: '1.0'\ncodes: []\n", "version", "1.0"),
        ("name: K\ncodes:\n", "codes", []),
        ("name: 2025\n", "name", "2025"),
        ("name: K\nlanguage: en\n", "language", "en"),
    ],
)
def test_top_level_values(tmp_path: Path, text: str, attribute: str, value: object) -> None:
    assert getattr(load(tmp_path, text), attribute) == value


def test_flat_codebook_and_yes_no_words_stay_text(tmp_path: Path) -> None:
    cb = load(tmp_path, "name: K\ncodes:\n  - name: 'no'\n    key: on\n    example: yes\n")
    code = cb.codes[0]
    assert (code.name, code.key, code.example, code.children) == ("no", "on", "yes", [])


# -- display -------------------------------------------------------------------------------


def test_repr_html_escapes_and_shows_swatches(book: Codebook) -> None:
    book.add("<b>Kela & TE</b>", key="kela", definition="Määritelmä <script>")
    page = book._repr_html_()
    assert "&lt;b&gt;Kela &amp; TE&lt;/b&gt;" in page
    assert "Määritelmä &lt;script&gt;" in page
    assert "<script>" not in page
    assert page.count("background:#") == len(book)
    assert "verkostojohtaminen/resursointi" in page


# -- renamed_from: old keys whose codings follow a code ------------------------------------

RENAMED = """\
name: K
codes:
  - name: Johtaminen
    key: johtaminen
    renamed_from: johto
    children:
      - name: Resurssit
        key: resurssit_uusi
        renamed_from: [resurssit, resursointi]
  - name: Neuvottelut
    key: neuvottelut
"""


def test_renamed_from_one_key_or_a_list_and_resolve_key(tmp_path: Path) -> None:
    book = load(tmp_path, RENAMED)
    assert book.resolve("johtaminen").renamed_from == ("johto",)
    assert book.resolve("resurssit_uusi").renamed_from == ("resurssit", "resursointi")
    for old, new in [("johto", "johtaminen"), ("resurssit", "resurssit_uusi"),
                     ("resursointi", "resurssit_uusi"), ("neuvottelut", "neuvottelut")]:
        code = book.resolve_key(old)
        assert code is not None and code.key == new
        assert book.key_map()[old] is code
    assert book.resolve_key("poistettu") is None
    assert book.resolve_key("johtaminen/resurssit_uusi") is None  # the ledger holds keys
    # A notebook written before the rename still finds the code by its old key.
    assert book.resolve("resurssit").path == "johtaminen/resurssit_uusi"


def test_renamed_from_round_trips_and_is_written_only_when_given(tmp_path: Path) -> None:
    book = load(tmp_path, RENAMED)
    book.to_yaml(tmp_path / "again.yaml")
    text = (tmp_path / "again.yaml").read_text(encoding="utf-8")
    assert "renamed_from: [resurssit, resursointi]" in text
    assert text.count("renamed_from") == 2  # not on Neuvottelut
    assert Codebook.from_yaml(tmp_path / "again.yaml") == book


RENAME_BAD = {
    "claimed twice": (
        "name: K\ncodes:\n  - name: A\n    renamed_from: vanha\n  - name: B\n"
        "    renamed_from: [x, vanha]\n", 6, ["'vanha'", "code 'A' (line 4)", "only one"],
    ),
    "old key is live later": (
        "name: K\ncodes:\n  - name: A\n    renamed_from: b\n  - name: B\n    key: b\n",
        4, ["'b'", "key of code 'B' (line 6)"],
    ),
    "old key is live earlier": (
        "name: K\ncodes:\n  - name: B\n    key: b\n  - name: A\n    renamed_from: [b]\n",
        6, ["'b'", "key of code 'B' (line 4)"],
    ),
    "own key": ("name: K\ncodes:\n  - name: A\n    key: a\n    renamed_from: a\n", 5,
                ["own key"]),
    "slash in old key": ("name: K\ncodes:\n  - name: A\n    renamed_from: x/y\n", 4, ["'/'"]),
    "a mapping": ("name: K\ncodes:\n  - name: A\n    renamed_from:\n      - {a: 1}\n", 5,
                  ["renamed_from must be"]),
}


@pytest.mark.parametrize(("text", "line", "fragments"), RENAME_BAD.values(), ids=RENAME_BAD.keys())
def test_renamed_from_errors_name_the_line(
    tmp_path: Path, text: str, line: int, fragments: list[str]
) -> None:
    with pytest.raises(CodebookError) as info:
        load(tmp_path, text)
    message = str(info.value)
    assert f"codebook.yaml, line {line}:" in message
    for fragment in fragments:
        assert fragment in message


def test_rekey_records_the_old_key_and_going_back_undoes_it(book: Codebook) -> None:
    code = book.rekey("resursointi", "resurssit")
    assert (code.key, code.renamed_from) == ("resurssit", ("resursointi",))
    assert book.resolve_key("resursointi") is code
    book.rekey("resurssit", "rahoitus")
    assert code.renamed_from == ("resursointi", "resurssit")
    book.rekey("rahoitus", "resursointi")
    assert (code.key, code.renamed_from) == ("resursointi", ("resurssit", "rahoitus"))


@pytest.mark.parametrize("taken", ["sopimusneuvottelut", "vanha"])
def test_rekey_and_add_refuse_a_key_in_use(book: Codebook, taken: str) -> None:
    book.resolve("verkostojohtaminen").renamed_from = ("vanha",)
    before = book.to_dict()
    with pytest.raises(CodebookError, match=f"'{taken}' is already used"):
        book.rekey("resursointi", taken)
    with pytest.raises(CodebookError, match=f"'{taken}' is already used"):
        book.add("Uusi", key=taken)
    assert book.to_dict() == before


def test_merge_recodes_the_old_keys_too(book: Codebook) -> None:
    book.rekey("resursointi", "resurssit")
    assert book.merge("resurssit", "verkostojohtaminen") == {
        "resurssit": "verkostojohtaminen", "resursointi": "verkostojohtaminen",
    }


def test_a_tree_built_in_code_is_checked_for_renames() -> None:
    with pytest.raises(CodebookError, match="only one code"):
        Codebook("K", codes=[Code("a", "A", renamed_from=("x",)), Code("b", "B", renamed_from="x")])
    with pytest.raises(CodebookError, match="key of code|the key"):
        Codebook("K", codes=[Code("a", "A", renamed_from=("b",)), Code("b", "B")])
