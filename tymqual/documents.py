"""Document analysis of agreements: sections against a frame, their coverage, document variables.

For a study that reads a set of agreements written to one model (the TYM cooperation
agreements and the Kuntaliitto 2024 model agreement), the first tables are: which of the
model's sections each agreement has (:func:`section_coverage`), and how the agreements
differ on attributes the analyst recorded in ``codes/cases.csv`` (:func:`document_variables`).
Both start from :func:`sections`, which finds each agreement's headings and matches them to
the model's sections by title.

**Frames.** A frame is a data file listing a model's sections (``number``, ``title``,
``aliases``): ``tymqual/data/frames/<name>.yaml`` ships with tymqual, and a project's own
``codes/frames/<name>.yaml`` takes precedence over it. See :func:`load_frame`.

**Headings.** A heading is one line. Numbered headings are ``4.``, ``4)``, ``4``, ``4 §``,
``§ 4`` or ``IV`` followed by a short capitalised title (at most 12 words, no closing
punctuation); ``4.1`` starts a subsection, which stays inside its section. Each numbered line
scores 0.5 plus its match confidence (below), less 1 when it is in a list a colon line
introduces (``Osapuolet ovat:`` / ``1. Kela`` / ``2. ...``) and less 0.5 beside a line
numbered one more or less (a run of list items); the headings are the best-scoring run of
strictly increasing numbers within one numbering family (arabic, roman or §), so a list in
the middle of a section cannot restart the numbering. A line followed by one that starts in
lower case is a wrapped sentence, not a heading. When a document has at least three numbered
headings its unnumbered lines are body text. Otherwise a short line (capitalised, at most
eight words, no digits or closing punctuation) is a heading when its title matches a frame
section with confidence 0.6 or more, when it is a Markdown heading (``# ...``), or when it is
in capitals as most of the document's matched headings are (after the first of them, so the
title block is skipped); an unnumbered line matching the same section as the heading just
before it is that heading's subheading.

**Matching.** Titles are compared, never numbers, so renumbered agreements match. Both titles
are lower-cased, stripped of numbering and punctuation and split into words (``ja``, ``sekä``
and other function words dropped). Two words match as inflected forms when they share a
prefix of at least five letters (or the whole shorter word), the shorter word lacks at most
three letters of it and the longer adds at most six (``tavoite`` ~ ``tavoitteet``,
``palvelun`` ~ ``palvelut``, but not ``sopimus`` ~ ``sopimusosapuolet``); and as a compound
and its head when the shorter one's stem appears inside the longer one (``osapuolet`` ~
``sopimusosapuolet``). Each word weighs 1/df, df being the number of frame sections whose
wording has a matching word, so ``yhteistoimintamallin`` (in many titles) counts little and
``johtoryhmä`` much. With *c* the weighted share of the frame title's words found in the
heading and *p* that of the heading's words found in the title, the score is
``0.75 * (0.6 c + 0.4 p) + 0.25 r``, *r* being :class:`difflib.SequenceMatcher`'s ratio of the
two normalised titles; a section's score is its best over its title and aliases. The best
section scoring at least 0.5 is the match, and its score is the ``confidence``. A heading
naming several sections (``Tavoitteet ja palvelut``) is split at ``ja``, ``sekä``, commas,
slashes and dashes; each part's best section counts (its score times 0.9), the best of all
(on a tie, the one named first) becomes ``frame_section`` and the others ``also_matches``.

**Known limits.** A heading run into its text on one line (``4. Johtoryhmä. Johtoryhmään
kuuluu ...``) or wrapped over two lines is not found whole; subsection titles are not
matched, so a chapter ``2. Hallinto`` with ``2.1 Johtoryhmä`` gives no section 4; the
word rules are heuristics for Finnish, not a morphological analysis. Check the
``confidence`` column and the headings left with no frame section, and add aliases to a
project's own frame where an agreement words a section differently.

The examples use the fictional example project in ``examples/tym-sopimukset``::

    >>> p = tymqual.open_project("examples/tym-sopimukset")  # doctest: +SKIP
    >>> section_coverage(p).iloc[3][["frame_title", "n_of_N"]]  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import yaml

from tymqual.errors import TymqualError
from tymqual.formatting import (
    Lang,
    check_lang,
    fmt_describe,
    fmt_fraction,
    fmt_percent,
)
from tymqual.labels import label
from tymqual.project import Project
from tymqual.tables import describe_numeric

__all__ = [
    "DEFAULT_FRAME",
    "SECTION_COLUMNS",
    "VARIABLE_COLUMNS",
    "Frame",
    "FrameSection",
    "HeadingMatch",
    "available_frames",
    "document_variables",
    "load_frame",
    "match_heading",
    "section_coverage",
    "sections",
    "split_text",
]

DEFAULT_FRAME = "kuntaliitto-2024"
PROJECT_FRAMES = "codes/frames"
SECTION_COLUMNS = [
    "source_id",
    "section_no",
    "heading",
    "start",
    "end",
    "frame_section",
    "frame_title",
    "also_matches",
    "confidence",
]

#: A heading matches a frame section from this score up.
MATCH_THRESHOLD = 0.5
#: An unnumbered line needs more, since any short line could be a title.
PLAIN_THRESHOLD = 0.6
#: A document with this many numbered headings has its unnumbered lines read as body text.
NUMBERED_MINIMUM = 3
#: A part of a heading that names several sections is a weaker match than a whole title.
_PART_DISCOUNT = 0.9
_STEM = 5
_LOOSE_LETTERS = 3
_MAX_ENDING = 6
_MAX_TITLE_WORDS = 12
_MAX_TITLE_CHARS = 100
_MAX_PLAIN_WORDS = 8
_MAX_PLAIN_CHARS = 80

_UNCLASSIFIED: dict[str, str] = {"fi": "Ei luokiteltu", "en": "Not classified"}
_FRAME_KEYS = {"name", "title", "source", "language", "description", "sections"}
_SECTION_KEYS = {"number", "title", "aliases", "description"}
_STOPWORDS = frozenset(
    {"ja", "sekä", "tai", "sen", "niiden", "eri", "muu", "muut", "osalta", "and", "of", "the"}
)
_WORD = re.compile(r"[^\W\d_]+")
_PART_SPLIT = re.compile(r"\s+(?:ja|sekä|and)\s+|\s*[,;/&+]\s*|\s+[–—-]\s+")
_CLOSING = tuple(".,;:!?")
_BULLETS = tuple("-–—•*·▪")


# --- frames ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameSection:
    """One section of a frame: its number in the model, title and other wordings (aliases)."""

    number: int
    title: str
    aliases: tuple[str, ...] = ()

    @property
    def wordings(self) -> tuple[str, ...]:
        """The title and then the aliases."""
        return (self.title, *self.aliases)


@dataclass(frozen=True)
class Frame:
    """A model document's sections, read from a frame file by :func:`load_frame`."""

    name: str
    title: str
    source: str
    sections: tuple[FrameSection, ...]
    path: str = ""

    def section(self, number: int) -> FrameSection:
        """The section numbered ``number`` in the model."""
        for section in self.sections:
            if section.number == number:
                return section
        known = ", ".join(str(s.number) for s in self.sections)
        raise TymqualError(
            f"frame {self.name!r} has no section {number}; its sections are {known}."
        )

    def to_frame(self) -> pd.DataFrame:
        """The sections as a table: ``frame_section``, ``frame_title``, ``aliases`` (``; ``)."""
        rows = [(s.number, s.title, "; ".join(s.aliases)) for s in self.sections]
        out = pd.DataFrame(rows, columns=["frame_section", "frame_title", "aliases"])
        return out.astype({"frame_section": "int64"})


def _shipped_frames() -> Any:
    return resources.files("tymqual").joinpath("data", "frames")


def available_frames(project: Project | None = None) -> list[str]:
    """Names of the frames :func:`load_frame` can find: the project's, then tymqual's own."""
    names: list[str] = []
    if project is not None and (project.root / PROJECT_FRAMES).is_dir():
        names += sorted(p.stem for p in (project.root / PROJECT_FRAMES).glob("*.yaml"))
    shipped = _shipped_frames()
    if shipped.is_dir():
        names += sorted(
            item.name.removesuffix(".yaml")
            for item in shipped.iterdir()
            if item.name.endswith(".yaml")
        )
    return list(dict.fromkeys(names))


def load_frame(
    frame: str | os.PathLike[str] | Frame = DEFAULT_FRAME, project: Project | None = None
) -> Frame:
    """Read a section frame by name, from a path, or pass a :class:`Frame` through.

    A name is looked up first in the project's ``codes/frames/<name>.yaml`` and then among the
    frames shipped with tymqual (``tymqual/data/frames``), so a project can adjust the model's
    aliases without touching the package. A path (or a name ending in ``.yaml``) is read as is.

    The file is YAML with ``name`` (optional; if given, the file name without ``.yaml``),
    ``title``, ``source`` (the model document, for the methods chapter), optional
    ``language`` and ``description``, and ``sections``: a list of ``number`` (a whole number,
    unique), ``title`` and optional ``aliases`` (other headings seen for the same section).
    Raises :class:`TymqualError` naming the file and the field at fault.
    """
    if isinstance(frame, Frame):
        return frame
    text = os.fspath(frame)
    if isinstance(frame, os.PathLike) or text.endswith((".yaml", ".yml")):
        path = Path(frame)
        if not path.is_file():
            raise TymqualError(f"{path}: no such frame file; check the path.")
        return _parse_frame(path.read_text(encoding="utf-8-sig"), str(path), path.stem)
    if not re.fullmatch(r"[\w.-]+", text):
        raise TymqualError(
            f"load_frame(): argument frame {text!r} is not a frame name; give a name such as "
            f"{DEFAULT_FRAME!r} or the path of a .yaml file."
        )
    if project is not None:
        own = project.root / PROJECT_FRAMES / f"{text}.yaml"
        if own.is_file():
            return _parse_frame(own.read_text(encoding="utf-8-sig"), str(own), text)
    shipped = _shipped_frames().joinpath(f"{text}.yaml")
    if shipped.is_file():
        return _parse_frame(shipped.read_text(encoding="utf-8"), str(shipped), text)
    where = "codes/frames/ of the project or " if project is not None else ""
    raise TymqualError(
        f"load_frame(): no frame {text!r} in {where}tymqual's own frames; the frames are "
        f"{', '.join(map(repr, available_frames(project))) or '(none)'}. A project's own frame "
        f"goes in codes/frames/{text}.yaml."
    )


def _parse_frame(source: str, where: str, stem: str) -> Frame:
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise TymqualError(f"{where}: not valid YAML ({exc}); fix the file.") from exc
    if not isinstance(data, dict):
        raise TymqualError(
            f"{where}: a frame file must be a mapping with the fields name, title, source and "
            f"sections, not {type(data).__name__}."
        )
    unknown = sorted(map(str, set(data) - _FRAME_KEYS))
    if unknown:
        raise TymqualError(
            f"{where}: unknown field(s) {', '.join(unknown)}; the fields of a frame are "
            f"{', '.join(sorted(_FRAME_KEYS))}."
        )
    name = data.get("name", stem)
    if name != stem:
        raise TymqualError(
            f"{where}: field name is {name!r} but the file is {stem}.yaml; a frame's name is "
            "its file name, so rename one of them."
        )
    for key in ("title", "source"):
        _require_text(data.get(key, ""), key, where, optional=True)
    raw = data.get("sections")
    if not isinstance(raw, list) or not raw:
        raise TymqualError(
            f"{where}: field sections must be a non-empty list of sections, each with number "
            f"and title, not {raw!r}."
        )
    sections = tuple(_parse_section(item, i, where) for i, item in enumerate(raw))
    numbers = [s.number for s in sections]
    duplicate = next((n for n in numbers if numbers.count(n) > 1), None)
    if duplicate is not None:
        raise TymqualError(
            f"{where}: field sections has number {duplicate} more than once; each section "
            "needs its own number."
        )
    return Frame(
        name=str(name),
        title=str(data.get("title") or ""),
        source=str(data.get("source") or ""),
        sections=sections,
        path=where,
    )


def _parse_section(item: object, i: int, where: str) -> FrameSection:
    field = f"sections[{i}]"
    if not isinstance(item, dict):
        raise TymqualError(
            f"{where}: field {field} must be a mapping with number and title, not {item!r}."
        )
    unknown = sorted(map(str, set(item) - _SECTION_KEYS))
    if unknown:
        raise TymqualError(
            f"{where}: field {field} has unknown key(s) {', '.join(unknown)}; a section has "
            f"{', '.join(sorted(_SECTION_KEYS))}."
        )
    number = item.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise TymqualError(
            f"{where}: field {field}.number must be a whole number such as 4, not {number!r}."
        )
    title = _require_text(item.get("title"), f"{field}.title", where)
    aliases = item.get("aliases") or []
    if isinstance(aliases, str) or not isinstance(aliases, list):
        raise TymqualError(
            f"{where}: field {field}.aliases must be a list of headings, e.g. [Johtoryhmä], "
            f"not {aliases!r}."
        )
    checked = [_require_text(a, f"{field}.aliases[{j}]", where) for j, a in enumerate(aliases)]
    for wording in (title, *checked):
        if not _words(wording):
            raise TymqualError(
                f"{where}: field {field} has the wording {wording!r} with no words to match; "
                "write the heading as it appears in documents."
            )
    return FrameSection(number, title, tuple(checked))


def _require_text(value: object, field: str, where: str, *, optional: bool = False) -> str:
    if optional and value in ("", None):
        return ""
    if not isinstance(value, str) or not value.strip():
        raise TymqualError(f"{where}: field {field} must be non-empty text, not {value!r}.")
    return " ".join(value.split())


# --- matching a title -----------------------------------------------------------------------


class HeadingMatch(NamedTuple):
    """The frame section a heading matches (None below the threshold), its score, the others.

    ``best`` is the best-scoring section even when below the threshold, for inspection.
    """

    section: int | None
    confidence: float
    also: tuple[int, ...]
    best: int | None


def _words(title: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD.findall(title.casefold()) if len(w) >= 2 and w not in _STOPWORDS)


def _words_match(a: str, b: str) -> bool:
    """Same word up to inflection, or one the head of the other compound (module notes)."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    need = min(len(short), max(_STEM, len(short) - _LOOSE_LETTERS))
    common = len(os.path.commonprefix([short, long_]))
    # An inflected form differs at the end only: sopimus ~ sopimuksen, but not ~ sopimusosapuolet.
    if common >= need and len(long_) - common <= _MAX_ENDING:
        return True
    return len(short) >= _STEM and short[:need] in long_[_LOOSE_LETTERS:]


@functools.lru_cache(maxsize=16)
def _frame_words(frame: Frame) -> tuple[tuple[int, tuple[tuple[str, ...], ...]], ...]:
    """Per section, the words of each wording."""
    return tuple((s.number, tuple(_words(w) for w in s.wordings)) for s in frame.sections)


@functools.lru_cache(maxsize=4096)
def _weight(word: str, frame: Frame) -> float:
    """1/df: df = the number of sections with a word matching ``word`` (1 for other words)."""
    df = sum(
        any(_words_match(word, w) for wording in wordings for w in wording)
        for _, wordings in _frame_words(frame)
    )
    return 1.0 / df if df else 1.0


def _similarity(words: tuple[str, ...], wording: tuple[str, ...], frame: Frame) -> float:
    if not words or not wording:
        return 0.0
    found = sum(_weight(w, frame) for w in wording if any(_words_match(w, h) for h in words))
    used = sum(_weight(h, frame) for h in words if any(_words_match(h, w) for w in wording))
    coverage = found / sum(_weight(w, frame) for w in wording)
    precision = used / sum(_weight(h, frame) for h in words)
    ratio = _ratio(" ".join(words), " ".join(wording))
    return 0.75 * (0.6 * coverage + 0.4 * precision) + 0.25 * ratio


@functools.lru_cache(maxsize=65536)
def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _scores(words: tuple[str, ...], frame: Frame) -> dict[int, float]:
    return {
        number: max(_similarity(words, wording, frame) for wording in wordings)
        for number, wordings in _frame_words(frame)
    }


def _best(scores: dict[int, float]) -> tuple[int | None, float]:
    if not scores:
        return None, 0.0
    number = max(scores, key=lambda n: scores[n])
    return number, scores[number]


def match_heading(title: str, frame: Frame | str = DEFAULT_FRAME) -> HeadingMatch:
    """Match one heading's title (numbering may be included) to a frame section.

    >>> match_heading("5. Tavoitteet ja palvelut")
    HeadingMatch(section=5, confidence=0.9, also=(7,), best=5)
    """
    frame = load_frame(frame)
    whole = _scores(_words(_strip_number(title)), frame)
    parts = [p for p in _PART_SPLIT.split(_strip_number(title).casefold()) if _words(p)]
    candidates: list[tuple[float, int, int]] = []  # score, order in heading, section
    number, score = _best(whole)
    if number is not None:
        candidates.append((score, -1, number))
    part_best: list[tuple[int, float]] = []
    if len(parts) > 1:
        for i, part in enumerate(parts):
            n, s = _best(_scores(_words(part), frame))
            if n is not None:
                candidates.append((s * _PART_DISCOUNT, i, n))
                part_best.append((n, s * _PART_DISCOUNT))
    if not candidates:
        return HeadingMatch(None, 0.0, (), None)
    # Highest score first; on a tie the section named first in the heading.
    top_score, _, top = max(candidates, key=lambda c: (round(c[0], 9), -c[1]))
    confidence = round(top_score, 3)
    if top_score < MATCH_THRESHOLD:
        return HeadingMatch(None, confidence, (), top)
    also = tuple(dict.fromkeys(n for n, s in part_best if s >= MATCH_THRESHOLD and n != top))
    return HeadingMatch(top, confidence, also, top)


# --- finding headings -----------------------------------------------------------------------

_NUMBER = re.compile(
    r"""^[ \t]*(?P<mark>\#{1,6}[ \t]*)?
    (?P<no>
        §[ \t]*(?P<para1>\d{1,3})\.?
      | (?P<para2>\d{1,3})[ \t]*§
      | (?P<arabic>\d{1,2})(?P<sub>(?:\.\d{1,2})+)?(?P<punct>[.)]?)
      | (?P<roman>[IVXL]{1,7})(?P<rpunct>[.)]?)
    )
    [ \t]+(?P<title>\S.*?)[ \t]*$""",
    re.VERBOSE,
)
_MARKDOWN = re.compile(r"^[ \t]*#{1,6}[ \t]+(?P<title>\S.*?)[ \t]*$")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


class _Line(NamedTuple):
    lineno: int
    start: int
    text: str


@dataclass
class _Candidate:
    line: _Line
    section_no: str
    title: str
    number: int | None
    family: str
    punct: str
    match: HeadingMatch
    markdown: bool = False
    score: float = 0.0


def _strip_number(title: str) -> str:
    found = _NUMBER.match(title)
    if found and found["title"]:
        return found["title"]
    marked = _MARKDOWN.match(title)
    return marked["title"] if marked else title


def _roman_value(numeral: str) -> int | None:
    values = [_ROMAN[ch] for ch in numeral]
    total = sum(
        -v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values)
    )
    if total < 1 or total > 40 or _to_roman(total) != numeral:
        return None
    return total


def _to_roman(value: int) -> str:
    out = ""
    for symbol, amount in (("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1)):
        while value >= amount:
            out += symbol
            value -= amount
    return out


def _title_like(title: str, max_words: int, max_chars: int) -> bool:
    """Short, starts with a letter, no sentence-ending punctuation and not a bullet."""
    return (
        bool(title)
        and title[0].isalpha()
        and len(title) <= max_chars
        and len(title.split()) <= max_words
        and not title.endswith(_CLOSING)
    )


def _lines(text: str) -> list[_Line]:
    lines = []
    offset = 0
    for i, line in enumerate(text.split("\n")):
        lines.append(_Line(i, offset, line))
        offset += len(line) + 1
    return lines


def _numbered(line: _Line, frame: Frame) -> _Candidate | None:
    found = _NUMBER.match(line.text)
    if not found or found["sub"]:
        return None
    title = found["title"]
    # A heading is capitalised; "1. nopeus" is a list item.
    if not _title_like(title, _MAX_TITLE_WORDS, _MAX_TITLE_CHARS) or not title[0].isupper():
        return None
    if found["roman"]:
        number = _roman_value(found["roman"])
        if number is None:
            return None
        family, punct = "roman", found["rpunct"]
    elif found["arabic"]:
        number, family, punct = int(found["arabic"]), "arabic", found["punct"]
    else:
        number = int(found["para1"] or found["para2"])
        family, punct = "paragraph", ""
    return _Candidate(
        line=line,
        section_no=found["no"].strip(),
        title=title,
        number=number,
        family=family,
        punct=punct,
        match=match_heading(title, frame),
        markdown=bool(found["mark"]),
    )


def _plain(line: _Line, frame: Frame) -> _Candidate | None:
    marked = _MARKDOWN.match(line.text)
    title = marked["title"] if marked else line.text.strip()
    if title.startswith(_BULLETS) or any(ch.isdigit() for ch in title):
        return None
    if not marked and not (
        title[:1].isupper() and _title_like(title, _MAX_PLAIN_WORDS, _MAX_PLAIN_CHARS)
    ):
        return None
    return _Candidate(
        line=line,
        section_no="",
        title=title,
        number=None,
        family="plain",
        punct="",
        match=match_heading(title, frame),
        markdown=bool(marked),
    )


def _continues(lines: Sequence[_Line], index: int) -> bool:
    """Whether the next line carries on a sentence (starts in lower case): a wrapped line."""
    following = lines[index + 1].text.lstrip() if index + 1 < len(lines) else ""
    return following[:1].islower()


def _after_colon(lines: Sequence[_Line], index: int) -> bool:
    """Whether the last non-blank line before ``index`` ends with a colon (a list follows)."""
    for line in reversed(lines[:index]):
        if line.text.strip():
            return line.text.rstrip().endswith(":")
    return False


def _in_list(cand: _Candidate, lines: Sequence[_Line], by_line: dict[int, _Candidate]) -> bool:
    """Whether ``cand`` ends a run of items numbered 1, 2, 3 ... that a colon line introduces."""
    expected = (cand.number or 0) - 1
    for line in reversed(lines[: cand.line.lineno]):
        if not line.text.strip():
            continue
        item = by_line.get(line.lineno)
        if item is None or item.number != expected or item.punct != cand.punct:
            return line.text.rstrip().endswith(":")
        expected -= 1
    return False


def _chain(candidates: list[_Candidate]) -> tuple[float, list[_Candidate]]:
    """The best-scoring run of strictly increasing numbers (a weighted longest-increasing run)."""
    best: list[tuple[float, int]] = []  # (score of the best chain ending here, previous index)
    for i, cand in enumerate(candidates):
        score, previous = cand.score, -1
        for j in range(i):
            if (candidates[j].number or 0) < (cand.number or 0) and best[j][0] + cand.score > score:
                score, previous = best[j][0] + cand.score, j
        best.append((score, previous))
    if not best:
        return 0.0, []
    end = max(range(len(best)), key=lambda k: best[k][0])
    total = best[end][0]
    chosen = []
    while end >= 0:
        chosen.append(candidates[end])
        end = best[end][1]
    return total, chosen[::-1]


def _score_numbered(candidates: list[_Candidate], lines: Sequence[_Line]) -> None:
    """How heading-like each numbered line is: its title's match, less for list context."""
    by_line = {c.line.lineno: c for c in candidates}
    for cand in candidates:
        score = 0.5 + (cand.match.confidence if cand.match.section is not None else 0.0)
        if _in_list(cand, lines, by_line):
            score -= 1.0
        for other in (by_line.get(cand.line.lineno - 1), by_line.get(cand.line.lineno + 1)):
            consecutive = other is not None and abs((other.number or 0) - (cand.number or 0)) == 1
            if consecutive and other is not None and other.punct == cand.punct:
                score -= 0.5
                break
        cand.score = score


def _numbered_headings(lines: Sequence[_Line], frame: Frame) -> list[_Candidate]:
    candidates = [
        c
        for c in (_numbered(line, frame) for line in lines)
        if c is not None and not _continues(lines, c.line.lineno)
    ]
    _score_numbered(candidates, lines)
    usable = [c for c in candidates if c.score > 0]
    best: tuple[float, list[_Candidate]] = (0.0, [])
    for family in ("arabic", "roman", "paragraph"):
        found = _chain([c for c in usable if c.family == family])
        if found[0] > best[0]:
            best = found
    return best[1]


def _plain_headings(lines: Sequence[_Line], frame: Frame, taken: set[int]) -> list[_Candidate]:
    candidates = [
        c
        for c in (_plain(line, frame) for line in lines if line.lineno not in taken)
        if c is not None
        and not _after_colon(lines, c.line.lineno)
        and not _continues(lines, c.line.lineno)
    ]
    matched = [
        c
        for c in candidates
        if c.match.section is not None and c.match.confidence >= PLAIN_THRESHOLD
    ]
    if not matched:
        return [c for c in candidates if c.markdown]
    upper = [c for c in matched if c.title.isupper()]
    house_upper = len(upper) >= 2 and len(upper) * 3 >= len(matched) * 2
    house_other = (
        len(matched) - len(upper) >= 2 and (len(matched) - len(upper)) * 3 >= len(matched) * 2
    )
    first = min(c.line.lineno for c in matched)
    matched_lines = {c.line.lineno for c in matched}
    kept = []
    for cand in candidates:
        is_match = cand.line.lineno in matched_lines
        if house_upper and not cand.title.isupper() and not cand.markdown:
            continue
        if house_other and cand.title.isupper() and not cand.markdown:
            continue
        styled = house_upper and cand.title.isupper() and cand.line.lineno > first
        if is_match or cand.markdown or styled:
            kept.append(cand)
    # A line naming the section the heading just before it names is its subheading.
    out: list[_Candidate] = []
    for cand in kept:
        if out and cand.match.section is not None and out[-1].match.section == cand.match.section:
            continue
        out.append(cand)
    return out


def split_text(
    text: str, frame: Frame | str = DEFAULT_FRAME, *, source_id: str = ""
) -> pd.DataFrame:
    """The sections of one document's text, matched to ``frame`` (columns of :func:`sections`).

    For trying the splitter on a text that is not in a project:

    >>> split_text("1. Tarkoitus\\nTeksti.\\n2. Osapuolet\\nKela.\\n3. Toimialue\\nAlue.")[
    ...     ["section_no", "frame_section"]].values.tolist()
    [['1.', 1], ['2.', 2], ['3.', 3]]
    """
    frame = load_frame(frame)
    lines = _lines(text)
    headings = _numbered_headings(lines, frame)
    if len(headings) < NUMBERED_MINIMUM:
        taken = {c.line.lineno for c in headings}
        headings = sorted(
            headings + _plain_headings(lines, frame, taken), key=lambda c: c.line.lineno
        )
    titles = {s.number: s.title for s in frame.sections}
    rows = []
    for i, cand in enumerate(headings):
        start = cand.line.start + len(cand.line.text) - len(cand.line.text.lstrip())
        limit = headings[i + 1].line.start if i + 1 < len(headings) else len(text)
        section = cand.match.section
        rows.append(
            {
                "source_id": source_id,
                "section_no": cand.section_no,
                "heading": cand.line.text.strip(),
                "start": start,
                "end": start + len(text[start:limit].rstrip()),
                "frame_section": section if section is not None else pd.NA,
                "frame_title": titles[section] if section is not None else pd.NA,
                "also_matches": "; ".join(map(str, cand.match.also)) or pd.NA,
                "confidence": cand.match.confidence,
            }
        )
    return _typed(pd.DataFrame(rows, columns=SECTION_COLUMNS))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("frame_title", "also_matches"):
        # pandas turns pd.NA into NaN when a column mixes it with text; keep one missing value.
        frame[column] = [v if isinstance(v, str) else pd.NA for v in frame[column]]
    return frame.astype(
        {
            "source_id": object,
            "section_no": object,
            "heading": object,
            "start": "int64",
            "end": "int64",
            "frame_section": "Int64",
            "frame_title": object,
            "also_matches": object,
            "confidence": "float64",
        }
    )


# --- the project-level tables -----------------------------------------------------------------


def _document_ids(project: Project, sources: Iterable[str] | None, func: str) -> list[str]:
    documents = [sid for sid in project.source_ids if project.document(sid).kind == "document"]
    if sources is None:
        return documents
    chosen = [sources] if isinstance(sources, str) else list(sources)
    wrong = [sid for sid in chosen if sid not in documents]
    if wrong:
        raise TymqualError(
            f"{func}(): argument sources names {', '.join(map(repr, wrong))}, which "
            f"{'is not a document' if len(wrong) == 1 else 'are not documents'} of the project; "
            f"the documents (files in documents/) are {', '.join(documents) or '(none)'}."
        )
    return list(dict.fromkeys(chosen))


def sections(
    project: Project,
    frame: str | os.PathLike[str] | Frame = DEFAULT_FRAME,
    *,
    sources: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The sections of every document (``documents/``), each matched to a section of ``frame``.

    For a document analysis that compares agreements written to one model. One row per
    heading found, in document order. Columns:

    * ``source_id``; ``section_no``, the numbering as written (``"4."``, ``"4 §"``,
      ``"IV"``, empty when unnumbered); ``heading``, the heading line as written;
    * ``start``, ``end``: the section's span, from its heading line to the next heading
      found (or the end of the text), trailing blank lines left out; ``text[start:end]`` is
      the section, ready for ``project.code(source_id, code, start=..., end=...)``;
    * ``frame_section``, ``frame_title``: the matching frame section, NA when none matches
      (the heading is kept: an agreement's own section is a finding too);
    * ``also_matches``: other frame sections a merged heading names (``"7"``, ``"7; 10"``),
      else NA; ``confidence``: the match score, 0–1 (module notes; also given when below the
      threshold, for checking).

    ``frame`` is a name (:func:`load_frame`; the project's own ``codes/frames`` first), a path
    or a :class:`Frame`; ``sources`` limits the documents.

    >>> sections(p)[["source_id", "heading", "frame_section"]].head(3)  # doctest: +SKIP
    """
    chosen = load_frame(frame, project)
    parts = [
        split_text(project.text(sid), chosen, source_id=sid)
        for sid in _document_ids(project, sources, "sections")
    ]
    if not parts:
        return _typed(pd.DataFrame(columns=SECTION_COLUMNS))
    return _typed(pd.concat(parts, ignore_index=True))


def section_coverage(
    project: Project,
    frame: str | os.PathLike[str] | Frame = DEFAULT_FRAME,
    *,
    sources: Iterable[str] | None = None,
    lang: Lang = "fi",
) -> pd.DataFrame:
    """How many documents have each section of the frame: one row per frame section, then a total.

    The first table of a comparison against a model agreement ("johtoryhmästä sovittiin
    22/30 sopimuksessa"). A document has a section when one of its headings matches it, as
    ``frame_section`` or in ``also_matches`` (a merged heading covers both sections).
    Columns: ``frame_section``, ``frame_title``, ``documents`` (n), ``n_of_N`` (``"22/30"``,
    N = the documents analysed, those without any heading found included) and ``percent``
    (``"73 %"``, :func:`tymqual.formatting.fmt_percent`). The last row, ``Yhteensä``/``Total``
    with ``frame_section`` NA, gives N.
    """
    lang = check_lang(lang, "section_coverage")
    chosen = load_frame(frame, project)
    ids = _document_ids(project, sources, "section_coverage")
    found = sections(project, chosen, sources=ids)
    has: dict[int, set[str]] = {s.number: set() for s in chosen.sections}
    for sid, primary, also in found[["source_id", "frame_section", "also_matches"]].itertuples(
        index=False
    ):
        numbers = [] if pd.isna(primary) else [int(primary)]
        numbers += [] if pd.isna(also) else [int(n) for n in str(also).split(";")]
        for number in numbers:
            has[number].add(sid)
    total = len(ids)
    rows = [(s.number, s.title, len(has[s.number])) for s in chosen.sections] + [
        (pd.NA, label("total", lang), total)
    ]
    out = pd.DataFrame(rows, columns=["frame_section", "frame_title", "documents"])
    out["n_of_N"] = [fmt_fraction(n, total, lang=lang) for n in out["documents"]]
    out["percent"] = [fmt_percent(n, of=total, lang=lang) for n in out["documents"]]
    return out.astype({"frame_section": "Int64", "documents": "int64"})


_NUMERIC = re.compile(r"^[-−]?\d+(?:[.,]\d+)?[ \u00a0]*%?$")
VARIABLE_COLUMNS = [
    "variable", "kind", "category", "n", "missing", "percent", "mean", "median", "min", "max",
    "text",
]  # fmt: skip


def _as_number(value: str) -> float:
    cleaned = value.replace("\u00a0", "").replace(" ", "").rstrip("%")
    return float(cleaned.replace("−", "-").replace(",", "."))


def document_variables(
    project: Project,
    columns: str | Sequence[str],
    *,
    by: str | None = None,
    categorical: Sequence[str] = (),
    lang: Lang = "fi",
) -> pd.DataFrame:
    """Summaries of document attributes from ``codes/cases.csv``: counts, or n, ka., Md, vv.

    For the description of the agreements (network types, leadership group sizes). Only the
    cases of the project's documents count: N is the number of cases that a document in
    ``documents/`` belongs to. A column whose every filled cell is a number (``12``, ``12,5``,
    ``12 %``) is numeric unless listed in ``categorical``; any other is categorical.

    Rows, in the order of ``columns``:

    * categorical: one row per value, most frequent first (ties in ``cases.csv`` order), then
      ``Ei luokiteltu``/``Not classified`` for empty cells (always shown, 0 when none), then
      ``Yhteensä``/``Total`` (N). ``n`` is the count, ``percent`` its share of N
      (``"17 %"``), ``text`` ``"5 (17 %)"``.
    * numeric: with ``by`` (another column of ``cases.csv``) one row per value of it, sorted,
      then ``Ei luokiteltu`` for the cases with ``by`` empty (when there are any), then the
      total; without ``by``, the total only (:func:`tymqual.tables.describe_numeric`). ``n``
      counts filled cells and ``missing`` the empty ones, so an unrecorded value stays
      visible; ``mean``, ``median``, ``min``, ``max``; ``text`` is
      ``"n = 24, ka. 8, Md 7, vv. 3–19"`` (English ``"n = 24, M = 8, Mdn = 7, range 3–19"``).

    Columns: ``variable``, ``kind`` (``categorical`` | ``numeric``), ``category`` (the value,
    the group or the total label), ``n``, ``missing`` (numeric only), ``percent``
    (categorical only), ``mean``, ``median``, ``min``, ``max`` (numeric only), ``text``.
    Agreements are public documents, not people, so this table has no disclosure check
    (``min_cell_size``); describe interviewees with :mod:`tymqual.tables` instead.

    >>> document_variables(p, "leadership_group_size")["text"].iloc[-1]  # doctest: +SKIP
    'n\xa0=\xa013, ka.\xa08,3, Md\xa08, vv.\xa03–19'
    """
    lang = check_lang(lang, "document_variables")
    wanted = [columns] if isinstance(columns, str) else list(columns)
    cases = _document_cases(project)
    attributes = [c for c in cases.columns if c not in ("case_id", "label", "sources")]
    for name, value in [
        *(("columns", c) for c in wanted),
        ("by", by),
        *(("categorical", c) for c in categorical),
    ]:
        if value is not None and value not in attributes:
            raise TymqualError(
                f"document_variables(): argument {name} names {value!r}, which is not a column "
                f"of codes/cases.csv; the attributes are "
                f"{', '.join(map(repr, attributes)) or '(none)'}."
            )
    frames = []
    for column in wanted:
        values = cases[column].astype(str).str.strip()
        filled = values[values != ""]
        numeric = (
            column not in categorical
            and not filled.empty
            and bool(filled.map(lambda v: bool(_NUMERIC.match(v))).all())
        )
        if numeric:
            frames.append(_numeric_rows(cases, column, by, lang))
        else:
            frames.append(_categorical_rows(values, column, lang))
    if not frames:
        return pd.DataFrame(columns=VARIABLE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[VARIABLE_COLUMNS]
    out["missing"] = out["missing"].astype("Int64")
    return out.astype(
        {"n": "int64", "mean": "float64", "median": "float64", "min": "float64", "max": "float64"}
    )


def _document_cases(project: Project) -> pd.DataFrame:
    documents = project.sources[project.sources["kind"] == "document"]
    ids = [c for c in documents["case_id"] if isinstance(c, str)]
    cases = project.cases
    chosen = cases[cases["case_id"].isin(ids)]
    if chosen.empty:
        raise TymqualError(
            f"document_variables(): no row of {project.root / 'codes' / 'cases.csv'} belongs to a "
            "document in documents/; give each document a row whose case_id is its file name "
            "without the extension."
        )
    return chosen.reset_index(drop=True)


def _categorical_rows(values: pd.Series, column: str, lang: Lang) -> pd.DataFrame:
    total = len(values)
    filled = values[values != ""]
    order = {v: i for i, v in enumerate(dict.fromkeys(filled))}
    counts = filled.value_counts()
    ranked = sorted(counts.index, key=lambda v: (-counts[v], order[v]))
    rows = [(str(v), int(counts[v])) for v in ranked]
    rows.append((_UNCLASSIFIED[lang], total - len(filled)))
    rows.append((label("total", lang), total))
    out = pd.DataFrame(rows, columns=["category", "n"])
    out["percent"] = [fmt_percent(n, of=total, lang=lang) for n in out["n"]]
    out["text"] = [f"{n} ({pct})" for n, pct in zip(out["n"], out["percent"], strict=True)]
    nan = math.nan
    out["missing"] = pd.Series([pd.NA] * len(out), dtype="Int64")
    return out.assign(variable=column, kind="categorical", mean=nan, median=nan, min=nan, max=nan)


def _numeric_rows(cases: pd.DataFrame, column: str, by: str | None, lang: Lang) -> pd.DataFrame:
    raw = cases[column].astype(str).str.strip()
    numbers = pd.DataFrame({column: [_as_number(v) if v else math.nan for v in raw]})
    numbers["_by"] = None
    if by is not None:
        groups = cases[by].astype(str).str.strip()
        numbers["_by"] = groups.where(groups != "", None)
    stats = describe_numeric(numbers, column, by="_by" if by is not None else None, lang=lang)
    empty = numbers[column].isna()
    missing = [int(empty[numbers["_by"] == group].sum()) for group in stats["group"].iloc[:-1]]
    parts = [stats.iloc[:-1].assign(missing=missing)]
    unclassified = numbers["_by"].isna() if by is not None else pd.Series(False, numbers.index)
    if unclassified.any():
        # Cases without a value of ``by``, shown like the categorical "Ei luokiteltu" row.
        rest = describe_numeric(numbers[unclassified], column, lang=lang)
        parts.append(rest.assign(group=_UNCLASSIFIED[lang], missing=int(empty[unclassified].sum())))
    parts.append(stats.iloc[-1:].assign(missing=int(empty.sum())))
    out = pd.concat(parts, ignore_index=True).rename(columns={"group": "category"})
    out["category"] = out["category"].astype(str)
    out["text"] = [
        fmt_describe({**row, "sd": math.nan}, parts=("n", "mean", "median", "range"), lang=lang)
        for row in out[["n", "mean", "median", "min", "max"]].to_dict("records")
    ]
    out["percent"] = pd.Series([pd.NA] * len(out), dtype=object)
    return out.assign(variable=column, kind="numeric")
