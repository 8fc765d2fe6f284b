"""The offset convention and quote finding on awkward Unicode."""

from __future__ import annotations

import pytest

from tymqual.errors import CodingError
from tymqual.text import check_span, count_words, find_quote, normalize_text, sha256_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufeffrivi\r\ntoinen\rkolmas", "rivi\ntoinen\nkolmas"),
        ("Kela\u2028uusi", "Kela\nuusi"),
        ("Jyva\u0308skyla\u0308", "Jyväskylä"),  # decomposed umlauts compose under NFC
        ("nul\x00tavu", "nultavu"),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_offsets_count_code_points_with_emoji_and_combining_marks() -> None:
    # q + COMBINING DOT BELOW has no precomposed form: two code points even after NFC.
    text = normalize_text("A 😀 sano q\u0323 ja Kela.\r\nLoppu")
    spans = find_quote(text, "Kela")
    assert spans == [(text.index("Kela"), text.index("Kela") + 4)]
    start, end = spans[0]
    assert text[start:end] == "Kela"
    assert start == len("A 😀 sano q\u0323 ja ")  # the emoji is one, the mark is one
    assert "\r" not in text


def test_find_quote_tolerates_case_and_white_space_only_when_no_exact_match() -> None:
    text = "Kela on mukana.\nkela  on\nmukana myös täällä."
    assert find_quote(text, "Kela on mukana") == [(0, 14)]
    tolerant = find_quote(text, "KELA ON MUKANA myös")
    assert [text[s:e] for s, e in tolerant] == ["kela  on\nmukana myös"]
    assert find_quote(text, "ei löydy") == []
    assert find_quote(text, "   ") == []


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, 99)])
def test_check_span_names_the_problem(start: int, end: int) -> None:
    with pytest.raises(CodingError, match=r"H1: the span"):
        check_span("lyhyt teksti", start, end, where="H1")


def test_words_keep_acronym_endings_and_hyphens_together() -> None:
    assert count_words("THL:n sote-alueen selvitys, 2024.") == 4


def test_sha256_is_of_the_utf8_bytes() -> None:
    assert sha256_text("a") == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    assert sha256_text("ä") != sha256_text("a\u0308")  # hash the normalised text, not raw input
