"""Sources and speaker turns: one transcript or document file in, normalised text and turns out.

A loader per format (.txt, .md, .docx, .odt, .vtt, .srt, .pdf) turns a file into tymqual's
normalised text (:func:`tymqual.text.normalize_text`); :func:`parse_turns` finds the speaker turns
in it, so a coding can be tied to who said it. Speaker labels are those configured in
``tymqual.yaml`` and those a transcript is found to use (see :func:`parse_turns`); captions
(.vtt, .srt) name their speakers in voice tags or ``Name:`` prefixes. Offsets follow
ARCHITECTURE.md: code points, end-exclusive, and a turn covers the speech, not its ``H:`` label.
Anything unreadable raises :class:`~tymqual.errors.SourceError` naming the file and the remedy;
the project layer turns that into a warning and skips the file.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import itertools
import os
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple
from xml.sax import SAXParseException

import docx
import pypdf
import webvtt
from docx.table import Table
from lxml import etree
from odf.element import Node
from odf.namespaces import OFFICENS, TABLENS, TEXTNS
from odf.opendocument import load as load_odf
from webvtt.errors import MalformedFileError

from tymqual.errors import ProjectError, SourceError, TymqualError, TymqualWarning
from tymqual.storage import check_zip_sizes, decode_bytes
from tymqual.text import count_words, normalize_text

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".txt", ".md", ".docx", ".odt", ".vtt", ".srt", ".pdf"}
)
KINDS: tuple[str, ...] = ("interview", "document", "survey_answer")
MAX_SOURCE_ID = 100
#: Largest plain-text source (.txt .md .vtt .srt) read, in bytes. A ten-hour interview is under
#: 1 MB; anything this large is a log, a dump or a mistake, and would take minutes and gigabytes.
MAX_TEXT_BYTES = 50 * 1024**2
_PLAIN_SUFFIXES = frozenset({".txt", ".md", ".vtt", ".srt"})

_ROLES = ("interviewer", "interviewee")
_SPEAKER_KEYS = ("interviewer", "interviewee", "initials", "detect", "ignore")
_OTHER_ROLE = {"interviewer": "interviewee", "interviewee": "interviewer"}


@dataclass(frozen=True)
class SpeakerConfig:
    """Which speaker labels mark interviewer and interviewee (``speakers:`` in tymqual.yaml).

    Labels match case-insensitively. With ``initials`` a label may also be 1–3 capital letters
    and an optional digit (``MK:``, ``H2:``); its role is then inferred when it can be
    (see :func:`parse_turns`). With ``detect`` an interview's other labels are found from the
    text (names, roles, ``Researcher 1``; see :func:`parse_turns`); ``ignore`` lists words that
    are never taken as a speaker label (``Tavoite`` where an answer lists goals).
    """

    interviewer: tuple[str, ...] = ("H", "Haastattelija", "Haast", "I", "Interviewer", "Q")
    interviewee: tuple[str, ...] = ("V", "Vastaaja", "Haastateltava", "HV", "R", "Respondent", "A")
    initials: bool = True
    detect: bool = True
    ignore: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A list passed by hand would make the config unhashable, and it keys a regex cache.
        for name in ("interviewer", "interviewee", "ignore"):
            labels = getattr(self, name)
            object.__setattr__(self, name, (labels,) if isinstance(labels, str) else tuple(labels))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, *, where: str) -> SpeakerConfig:
        """Read the ``speakers:`` section; missing keys keep defaults, given lists replace them.

        Raises :class:`ProjectError` naming ``where`` when the section has the wrong shape.
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ProjectError(
                f"{where}: 'speakers' must be a mapping with the keys interviewer, interviewee, "
                f"initials, detect and ignore, not {type(data).__name__}."
            )
        unknown = sorted(str(key) for key in data if key not in _SPEAKER_KEYS)
        if unknown:
            raise ProjectError(
                f"{where}: unknown key(s) {', '.join(unknown)} under 'speakers'; the allowed keys "
                "are interviewer, interviewee, initials, detect and ignore."
            )
        default = cls()
        interviewer = _labels(data.get("interviewer", default.interviewer), "interviewer", where)
        interviewee = _labels(data.get("interviewee", default.interviewee), "interviewee", where)
        shared = {label.casefold() for label in interviewer} & {
            label.casefold() for label in interviewee
        }
        if shared:
            raise ProjectError(
                f"{where}: the speaker label(s) {', '.join(sorted(shared))} are listed both as "
                "interviewer and as interviewee; keep each label in one list."
            )
        switches = {}
        for key in ("initials", "detect"):
            value = data.get(key, getattr(default, key))
            if not isinstance(value, bool):
                raise ProjectError(
                    f"{where}: 'speakers.{key}' must be true or false, not {value!r}."
                )
            switches[key] = value
        return cls(
            interviewer=interviewer,
            interviewee=interviewee,
            ignore=_labels(data.get("ignore", ()), "ignore", where),
            **switches,
        )


def _labels(value: object, key: str, where: str) -> tuple[str, ...]:
    """One list of ``speakers:`` labels, checked; a single string is a list of one."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise ProjectError(
            f"{where}: 'speakers.{key}' must be a list of labels such as [H, Haastattelija], "
            f"not {type(value).__name__}."
        )
    labels = []
    for item in items:
        label = item.strip() if isinstance(item, str) else ""
        if not label or ":" in label or "\n" in label:
            raise ProjectError(
                f"{where}: 'speakers.{key}' has the label {item!r}; a label must be non-empty "
                "text on one line, written without its colon (H, not H:)."
            )
        labels.append(label)
    return tuple(labels)


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: ``text[start:end]`` is exactly what the speaker said."""

    turn: int
    speaker: str
    role: str | None
    start: int
    end: int
    time: str | None


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """A loaded source: its id, normalised text, turns and format details (``meta``)."""

    source_id: str
    path: Path
    kind: str
    text: str
    turns: tuple[Turn, ...]
    meta: Mapping[str, object] = field(hash=False)


class _RawTurn(NamedTuple):
    """A turn before numbering and role inference."""

    speaker: str
    start: int
    end: int
    time: str | None


class _Cue(NamedTuple):
    """A caption cue: its start time and its lines as written, tags and all."""

    time: str
    lines: list[str]


class _Loaded(NamedTuple):
    """What a format loader gives back: the text and meta, or a caption file's cues."""

    text: str
    turns: list[_RawTurn] | None
    meta: dict[str, object]
    cues: list[_Cue] | None = None


# --- public entry points ------------------------------------------------------------------


def validate_source_id(stem: str, path: str | os.PathLike[str]) -> str:
    """Return the source id for a file stem (NFC), or raise :class:`SourceError` naming ``path``.

    The id is the stem in NFC, so a file named on macOS (which stores names decomposed) gets the
    same id as on Windows or Linux. It must be non-empty, at most 100 characters, without ``/``,
    ``\\``, control characters or surrounding whitespace, since it is used in file names and
    exports.
    """
    source_id = unicodedata.normalize("NFC", stem)
    problem = None
    if not source_id:
        problem = "is empty"
    elif "/" in source_id or "\\" in source_id:
        problem = 'contains "/" or "\\"'
    elif any(unicodedata.category(ch) == "Cc" for ch in source_id):
        problem = "contains a control character"
    elif source_id != source_id.strip():
        problem = "starts or ends with whitespace"
    elif len(source_id) > MAX_SOURCE_ID:
        problem = f"is {len(source_id)} characters long, more than {MAX_SOURCE_ID}"
    if problem:
        raise SourceError(
            f"{path}: the file name {stem!r} cannot be a source id because it {problem}; "
            "rename the file."
        )
    return source_id


def read_text(path: str | os.PathLike[str]) -> str:
    """The normalised text of a source file, read by its suffix (see :data:`SUPPORTED_SUFFIXES`).

    A .vtt or .srt file gives one ``Name: speech`` line per turn, its speakers found with the
    default :class:`SpeakerConfig`.
    """
    return _load(Path(path), SpeakerConfig(), detect=True).text


def parse_turns(text: str, speakers: SpeakerConfig | None = None) -> list[Turn]:
    """The speaker turns of a transcript's normalised text.

    A turn starts at a line that begins with a speaker label and a colon followed by whitespace:
    ``H: ...``, ``**Vastaaja:** ...``, ``__MK__: ...``, optionally with a timestamp before or
    after the label (``[00:12:03] H:``, ``H (00:12:03):``, ``H: [00:12:03] ...``), which becomes
    :attr:`Turn.time`. A name with a time alone on a line opens a turn whose speech is below
    it: Otter's and Teams' ``Anna Virtanen  1:02``, Word's ``00:01:02 Speaker 1``, Teams'
    older ``0:1:2.0 --> 0:1:9.5`` line with the name on the next. Following lines without a
    label continue the turn; lines before the first label belong to no turn. ``THL:n`` is no
    label, as no whitespace follows its colon.

    A label counts when it is configured in ``speakers``, is initials (``MK``, when
    ``speakers.initials``), or, when ``speakers.detect``, is *found*: short capitalised words
    (``Ana``, ``Researcher 1``, ``[Interviewer]``, not ``Huom`` or ``Esimerkki``, see
    :data:`NOT_SPEAKERS`) that begin a turn again after another speaker, or a role word
    (:data:`ROLE_WORDS`) even once, in a text that then has two speakers or a role.

    Roles come from the label lists of ``speakers``, else from a role word the label begins
    with (:data:`WORD_ROLES`: ``Interviewer``, ``Tutkija 2``, ``[Haastateltava]``). An initials
    or unknown label gets the opposite role when the text has exactly two speakers and the
    other one's role is known; otherwise its role is None.
    """
    config = speakers or SpeakerConfig()
    return _with_roles(_label_turns(text, config, config.detect), config)


def check_source_size(path: Path) -> None:
    """Refuse, before reading it, a plain-text source larger than :data:`MAX_TEXT_BYTES`."""
    if path.suffix.lower() not in _PLAIN_SUFFIXES:
        return
    try:
        size = path.stat().st_size
    except OSError:
        return  # the loader says why it cannot be read
    if size > MAX_TEXT_BYTES:
        raise SourceError(
            f"{path}: is {size:,} bytes, more than the limit of {MAX_TEXT_BYTES:,} for a text "
            "source; no transcript is that large, so check that it is the right file, or split it."
        )


def load_source(
    path: str | os.PathLike[str],
    *,
    kind: str = "interview",
    speakers: SpeakerConfig | None = None,
) -> SourceDoc:
    """Load one source file: normalised text, turns and meta, with the file stem as its id.

    ``kind`` is ``"interview"``, ``"document"`` or ``"survey_answer"``; labels are found
    (:func:`parse_turns`) in interviews only, so a document's ``Tavoite:`` lines stay text.
    Raises :class:`SourceError` naming the file when it cannot be used.
    """
    if kind not in KINDS:
        raise TymqualError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}.")
    path = Path(path)
    _suffix(path)
    check_source_size(path)
    source_id = validate_source_id(path.stem, path)
    config = speakers or SpeakerConfig()
    loaded = _load(path, config, detect=config.detect and kind == "interview")
    return SourceDoc(
        source_id=source_id,
        path=path,
        kind=kind,
        text=loaded.text,
        turns=tuple(_with_roles(loaded.turns or [], config)),
        meta=MappingProxyType(loaded.meta),
    )


def _load(path: Path, config: SpeakerConfig, *, detect: bool) -> _Loaded:
    """The text, raw turns and meta of a file; captions become ``Name: speech`` lines."""
    loaded = _LOADERS[_suffix(path)](path)
    if loaded.cues is not None:
        return _cue_transcript(loaded.cues, loaded.meta, config, detect, path)
    return loaded._replace(turns=_label_turns(loaded.text, config, detect))


def speaker_rows(
    doc: SourceDoc, speakers: SpeakerConfig
) -> list[tuple[str, str, str | None, int, int, str]]:
    """Per speaker label of ``doc`` as written: source id, label, role, turns, words, and how
    it was found (``configured`` in ``speakers``, a caption's ``voice tag``, or ``detected``)."""
    rows: dict[str, list[Any]] = {}
    for turn in doc.turns:
        row = rows.setdefault(turn.speaker, [doc.source_id, turn.speaker, turn.role, 0, 0, ""])
        row[3] += 1
        row[4] += count_words(doc.text[turn.start : turn.end])
    for label, row in rows.items():
        row[5] = _origin(label, doc, speakers)
    return [tuple(row) for row in rows.values()]


def unmapped_labels(doc: SourceDoc, speakers: SpeakerConfig) -> list[str]:
    """The labels of ``doc`` that were found (not configured) and got no role, in text order."""
    roles = {turn.speaker: turn.role for turn in doc.turns}
    return [
        label for label, role in roles.items()
        if role is None and _origin(label, doc, speakers) != "configured"
    ]


def _origin(label: str, doc: SourceDoc, speakers: SpeakerConfig) -> str:
    if _known_role(label, speakers) is not None:
        return "configured"
    voiced = str(doc.meta.get("voice_tags", "")).split("\n")
    return "voice tag" if label in voiced else "detected"


def label_candidates(text: str, speakers: SpeakerConfig) -> list[tuple[str, int]]:
    """Name-like ``Label:`` heads the text has but :func:`parse_turns` did not take, with
    their counts, most frequent first: what to add under ``speakers:`` if they are speakers."""
    config = SpeakerConfig(speakers.interviewer, speakers.interviewee, initials=False, detect=True)
    counts = Counter(h.label for h in _heads(text, config) if _speakerish(h.label, config))
    return counts.most_common()


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        what = f"'{path.suffix}' files" if path.suffix else "files without an extension"
        raise SourceError(
            f"{path}: tymqual cannot read {what}; the supported formats are "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))}. Save the file in one of them "
            "(e.g. .doc as .docx, .rtf as .txt)."
        )
    return suffix


# --- speaker labels and roles -------------------------------------------------------------

_TIME = r"\d{1,2}(?::[0-5]\d){1,2}(?:[.,]\d{1,3})?"
# Teams' older .docx transcripts write cue times without padding: "0:0:5.12 --> 0:0:9.4".
_LOOSE_TIME = r"\d{1,2}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
# A speaker's name or role as written: a word starting with a letter and up to three more
# (``Researcher 1``, ``Anna-Liisa Mäki``); _name_like decides whether it may be a label.
_NAME = r"[^\W\d_][\w'’-]*(?:[ \t]+[\w'’-]+){0,3}"
_INITIALS = re.compile(r"[^\W\d_]{1,3}\d?")
_SPEAKER_ID = re.compile(r"[^\W\d_][\w-]{0,15}\d[\w-]{0,3}")
_MAX_LABEL = 40
#: Turns of two or more speakers after which a name heading one turn is taken as a speaker.
DIALOGUE_TURNS = 4

#: First words of a role label, which counts as a speaker label even when it occurs once
#: (``Researcher``, ``Speaker 2``, ``Haastattelija 1``).
ROLE_WORDS: frozenset[str] = frozenset(
    {
        "interviewer", "interviewee", "researcher", "participant", "respondent", "moderator",
        "facilitator", "speaker", "informant", "host", "guest", "student", "teacher",
        "haastattelija", "haastateltava", "tutkija", "vastaaja", "osallistuja", "puhuja",
        "henkilö", "informantti", "fasilitaattori", "opiskelija", "opettaja", "kysyjä",
        "committee", "member", "panelist", "jäsen", "panelisti", "moderaattori", "ohjaaja",
    }
)
#: Words followed by a colon in notes, headers and prose, never taken as a found label.
NOT_SPEAKERS: frozenset[str] = frozenset(
    {
        "huom", "huomio", "huomautus", "esimerkki", "esim", "note", "notes", "nb", "example",
        "ps", "päivämäärä", "pvm", "päiväys", "date", "aika", "time", "paikka", "place",
        "location", "kesto", "duration", "teema", "theme", "topic", "aihe", "tiedosto", "file",
        "litteroija", "transcriber", "transcript", "transcription", "litterointi", "haastattelu",
        "interview", "otsikko", "title", "lähde", "source", "ks", "vrt", "see", "tausta",
        "background", "yhteenveto", "summary", "tavoite", "tavoitteet", "goal", "muistiinpano",
        "muistiinpanot", "kommentti", "comment", "määritelmä", "definition", "varoitus",
        "warning", "vinkki", "tip", "osallistujat", "participants", "tehtävä", "task", "kysymys",
        "kysymykset", "question", "questions", "vastaus", "answer", "sivu", "page", "liite",
        "appendix", "tunniste", "id", "koodi", "code", "kieli", "language", "nauhoite",
        "recording", "alue", "region", "ryhmä", "group", "taulukko", "table", "kuva", "figure",
        "abstract", "tiivistelmä", "keywords", "avainsanat", "introduction", "johdanto",
        "method", "methods", "menetelmä", "results", "tulokset", "discussion", "pohdinta",
        "conclusion", "conclusions", "johtopäätökset", "model", "malli", "level", "taso",
        "phase", "vaihe", "step", "stage", "study", "tutkimus", "episode", "jakso", "case",
        "tapaus", "article", "artikkeli", "chapter", "luku", "section", "osa", "hypothesis",
        "update", "edit", "correction", "korjaus", "lisäys", "quote", "lainaus", "sitaatti",
        "pps", "lähteet", "references", "viite", "reference", "tehtävät", "tasks", "huomiot",
    }
)
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "af"})


def _bracketed_time(square: str, round_: str) -> str:
    """``[00:12:03]`` or ``(00:12:03)``, captured in the named groups ``square`` or ``round_``."""
    return rf"(?:\[(?P<{square}>{_TIME})\]|\((?P<{round_}>{_TIME})\))"


@functools.lru_cache(maxsize=32)
def _label_pattern(config: SpeakerConfig) -> re.Pattern[str]:
    """The regex of a labelled line's head: [time] **[label] (time):** [time], colon + space."""
    labels = sorted({*config.interviewer, *config.interviewee}, key=len, reverse=True)
    choices = []
    if labels:
        choices.append("(?i:" + "|".join(re.escape(label) for label in labels) + ")")
    if config.initials or config.detect:
        choices.append(_NAME)  # capitals, recurrence and roles are checked in _kept
    if not choices:
        return re.compile(r"(?!)")
    return re.compile(
        r"[ \t]*"
        rf"(?:{_bracketed_time('time1', 'time2')}[ \t]*|(?P<time3>{_TIME})[ \t]+)?"
        r"(?P<open>\*\*|__)?"
        r"(?P<bracket>\[)??"  # lazy: a configured "[Henkilö 3]" keeps its brackets
        rf"(?P<label>{'|'.join(choices)})"
        r"(?(bracket)\])"
        rf"(?:[ \t]*{_bracketed_time('time4', 'time5')})?"
        r"(?(open)(?:(?P=open):|:(?P=open))|:)"
        rf"(?:[ \t]+{_bracketed_time('time6', 'time7')})?"
        r"(?=\s|$)"
    )


# A name and a time alone on a line, the speech below: Otter ("Speaker 1  0:05"), Teams .docx
# ("Anna Virtanen   1:02" or with "--> 1:09"), Word's Transcribe ("00:00:05 Speaker 1").
_OWN_LINE = re.compile(
    rf"[ \t]*(?:(?P<name>{_NAME})[ \t]+(?:\[(?P<time1>{_TIME})\]|\((?P<time2>{_TIME})\)|"
    rf"(?P<time3>{_TIME}))(?:[ \t]*-->[ \t]*{_TIME})?"
    rf"|(?:\[(?P<time4>{_TIME})\]|(?P<time5>{_TIME}))[ \t]+(?P<name2>{_NAME}))[ \t]*$"
)
# Teams' older .docx: a cue time line, then the name alone, then the speech.
_TIMING_LINE = re.compile(rf"[ \t]*(?P<time1>{_LOOSE_TIME})[ \t]*-->[ \t]*{_LOOSE_TIME}[ \t]*$")
_NAME_LINE = re.compile(rf"[ \t]*(?P<name>{_NAME})[ \t]*$")
# Otter's footer and Teams' closing line end the last turn: the program's words, not speech.
_END_LINE = re.compile(
    r"[ \t]*(?:Transcribed by https?://otter\.ai|.{1,80} (?:stopped transcription|lopetti "
    r"transkription))[ \t]*$",
    re.IGNORECASE,
)


class _Head(NamedTuple):
    """A line that may open a turn: the turn before ends at ``start``, speech follows ``body``."""

    start: int
    body: int
    label: str
    time: str | None
    colon: bool  # a ``Label:`` head; bare initials count only there
    # An empty label marks where speech ends without a new turn (Otter's footer, Teams' end).


def _time_of(match: re.Match[str]) -> str | None:
    return next((v for k, v in match.groupdict().items() if k.startswith("time") and v), None)


def _known_role(label: str, config: SpeakerConfig) -> str | None:
    folded = label.casefold()
    for role, labels in zip(_ROLES, (config.interviewer, config.interviewee), strict=True):
        if any(folded == known.casefold() for known in labels):
            return role
    return None


def _is_initials(label: str, config: SpeakerConfig) -> bool:
    letters = label.rstrip("0123456789")
    return config.initials and bool(_INITIALS.fullmatch(label)) and letters.isupper()


def _name_like(label: str, config: SpeakerConfig, *, numbered: bool = False) -> bool:
    """Short, capitalised words (name particles allowed), not a note word; a number only
    after a role word (``Speaker 2``) unless ``numbered`` (``Com 7`` in a plain dialogue)."""
    words = label.split()
    if not words or len(label) > _MAX_LABEL or not words[0][0].isupper():
        return False
    ignored = {word.casefold() for word in config.ignore}
    if words[0].casefold() in NOT_SPEAKERS or label.casefold() in ignored:
        return False
    if not numbered and any(w.isdigit() for w in words) and not _is_role(label):
        return False  # "Model 1", "Teema 2" number things; only roles number people
    return all(w[0].isupper() or w.isdigit() or w in _PARTICLES for w in words[1:])


def _speakerish(label: str, config: SpeakerConfig) -> bool:
    """Name-like, or one token with a digit as transcribers anonymise (``admin-1``, ``P07``)."""
    if _name_like(label, config):
        return True
    ignored = {word.casefold() for word in config.ignore}
    return bool(_SPEAKER_ID.fullmatch(label)) and label.casefold() not in ignored


def _is_role(label: str) -> bool:
    """A role word with at most a number or a letter after it: ``Speaker 2``, ``Tutkija B``."""
    first, *rest = label.split()
    return first.casefold() in ROLE_WORDS and all(w.isdigit() or len(w) == 1 for w in rest)


def _kept(heads: Sequence[_Head], config: SpeakerConfig, detect: bool) -> list[_Head]:
    """The heads whose label is a speaker's: configured, initials, or found (``_found``)."""
    fixed = {
        h.label.casefold()
        for h in heads
        if _known_role(h.label, config) or (h.colon and _is_initials(h.label, config))
    }
    keep = fixed | (_found(heads, fixed, config) if detect else set())
    return [h for h in heads if not h.label or h.label.casefold() in keep]


def _found(heads: Sequence[_Head], fixed: set[str], config: SpeakerConfig) -> set[str]:
    """Labels the text itself shows to be speakers'.

    A name-like label (or an anonymised id such as ``admin-1``) counts when it is a role word
    or opens at least two separate runs of turns (another speaker between), and the transcript
    then has two speakers or a role: a list of ``Kohta:`` lines inside one answer, or a lone
    ``Ana:``, is not a dialogue. Once the dialogue is plain (two speakers and
    :data:`DIALOGUE_TURNS` turns), a name-like label that heads a turn only once counts too:
    it is someone who spoke once, and leaving it out would give their words to the speaker
    before them, where a wrong new speaker at least shows in :meth:`Project.speakers`.
    """
    plausible = [
        h.label.casefold() for h in heads
        if h.label.casefold() in fixed or _speakerish(h.label, config)
    ]
    runs = Counter(label for label, _ in itertools.groupby(plausible))
    found = {
        label for label, n in runs.items()
        if label not in fixed and (n >= 2 or _is_role(label))
    }
    if len(found | fixed) < 2 and not any(_is_role(label) for label in found):
        return set()
    speakers = found | fixed
    if len(speakers) >= 2 and sum(label in speakers for label in plausible) >= DIALOGUE_TURNS:
        found |= {
            h.label.casefold() for h in heads
            if h.label.casefold() not in fixed and _name_like(h.label, config, numbered=True)
        }
    return found


def _heads(text: str, config: SpeakerConfig) -> list[_Head]:
    """Every line that may open a turn, in text order (see :func:`parse_turns`)."""
    pattern = _label_pattern(config)
    lines = text.split("\n")
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    heads: list[_Head] = []
    i = 0
    while i < len(lines):
        head, used = _head_at(lines, i, starts[i], pattern)
        if head is not None:
            heads.append(head)
        i += used
    return heads


def _head_at(
    lines: Sequence[str], i: int, start: int, pattern: re.Pattern[str]
) -> tuple[_Head | None, int]:
    """The head on line ``i`` (or on it and the next), and how many lines it takes."""
    line = lines[i]
    if _END_LINE.match(line):
        return _Head(start, start, "", None, False), 1
    if match := pattern.match(line):
        return _Head(start, start + match.end(), match["label"], _time_of(match), True), 1
    if match := _OWN_LINE.match(line):
        name = match["name"] or match["name2"]
        return _Head(start, start + len(line), name, _time_of(match), False), 1
    timing = _TIMING_LINE.match(line)
    named = _NAME_LINE.match(lines[i + 1]) if timing and i + 1 < len(lines) else None
    if timing and named:
        body = start + len(line) + 1 + len(lines[i + 1])
        return _Head(start, body, named["name"], _time_of(timing), False), 2
    return None, 1


def _label_turns(text: str, config: SpeakerConfig, detect: bool) -> list[_RawTurn]:
    """Turns of a labelled transcript, before roles: each from its label line to the next."""
    heads = _kept(_heads(text, config), config, detect)
    turns = []
    for i, head in enumerate(heads):
        if not head.label:
            continue
        limit = heads[i + 1].start if i + 1 < len(heads) else len(text)
        chunk = text[head.body : limit]
        speech = chunk.strip()
        start = head.body + (len(chunk) - len(chunk.lstrip())) if speech else head.body
        time = head.time and _clock(head.time)
        turns.append(_RawTurn(head.label, start, start + len(speech), time))
    return turns


def _clock(value: str) -> str:
    """A transcript timestamp as ``HH:MM:SS.mmm``; ``"12:03"`` is minutes and seconds."""
    clock, _, fraction = value.replace(",", ".").partition(".")
    parts = [int(p) for p in clock.split(":")]
    hours, minutes, seconds = ([0] * (3 - len(parts)) + parts)[-3:]
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{fraction.ljust(3, '0')}"


#: Role words that name the role itself (``Interviewer 2``, ``[Haastateltava]``): such a found
#: label gets that role unless ``speakers:`` maps it. Words for people in other roles (speaker,
#: student, member) say nothing of who interviewed whom and are left out.
WORD_ROLES: dict[str, str] = {
    **dict.fromkeys(("interviewer", "haastattelija", "researcher", "tutkija", "moderator",
                     "moderaattori", "facilitator", "fasilitaattori", "kysyjä"), "interviewer"),
    **dict.fromkeys(("interviewee", "haastateltava", "respondent", "vastaaja", "participant",
                     "osallistuja", "informant", "informantti"), "interviewee"),
}


def _word_role(label: str) -> str | None:
    """The role a found label names by its first word (``Researcher 1`` → interviewer)."""
    words = re.findall(r"[^\W\d_]+", label)
    return WORD_ROLES.get(words[0].casefold()) if words else None


def _with_roles(raw: Sequence[_RawTurn], config: SpeakerConfig) -> list[Turn]:
    """Number the turns and give each its role (see :func:`parse_turns` for the rule)."""
    names = {turn.speaker.casefold(): turn.speaker for turn in raw if turn.speaker}
    roles = {name: _known_role(speaker, config) or _word_role(speaker)
             for name, speaker in names.items()}
    if len(roles) == 2:
        (a, role_a), (b, role_b) = roles.items()
        if role_a is None and role_b is not None:
            roles[a] = _OTHER_ROLE[role_b]
        elif role_b is None and role_a is not None:
            roles[b] = _OTHER_ROLE[role_a]
    return [
        Turn(i, t.speaker, roles.get(t.speaker.casefold()), t.start, t.end, t.time)
        for i, t in enumerate(raw, start=1)
    ]


# --- reading bytes and decoding plain text ------------------------------------------------

def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: no such file; check the path.") from exc
    except OSError as exc:
        raise SourceError(
            f"{path}: cannot be read ({exc.strerror or exc}); check that it is a file you may read."
        ) from exc
    if not data:
        raise SourceError(f"{path}: the file is empty (0 bytes); add its text or remove it.")
    return data


def _require_text(text: str, path: Path) -> None:
    if not text.strip():
        raise SourceError(
            f"{path}: has no text, only whitespace; add the transcript or remove the file."
        )


def _load_plain(path: Path) -> _Loaded:
    """.txt and .md: decoded text; markdown is kept as written (``**H:**`` is parsed as a label)."""
    raw, encoding = decode_bytes(_read_bytes(path), str(path), error=SourceError)
    text = normalize_text(raw)
    _require_text(text, path)
    return _Loaded(text, None, {"format": path.suffix.lower()[1:], "encoding": encoding})


# --- .docx and .odt -----------------------------------------------------------------------

# What zipfile, zlib, lxml, xml.sax and the two libraries raise on a damaged or foreign file,
# found by truncating and corrupting real documents: not a zip, a missing part, bad deflate
# data, an unsupported zip feature or encryption, malformed XML, a wrong content type
# (ValueError from python-docx), a non-UTF-8 member name.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    etree.XMLSyntaxError,
    SAXParseException,
)


def _damaged(path: Path, app: str, detail: object) -> SourceError:
    return SourceError(
        f"{path}: is not a readable {path.suffix.lower()} document ({detail}); it may be "
        f"damaged, password-protected or another format renamed. Open it in {app} and save it "
        f"again as {path.suffix.lower()}."
    )


def _row_line(cells: Sequence[str]) -> str:
    """A table row as text: two cells are ``speaker: speech``, other rows tab-separated."""
    if len(cells) != 2:
        return "\t".join(cell.strip() for cell in cells)
    speaker = " ".join(cells[0].split()).removesuffix(":").rstrip()
    speech = cells[1].strip()
    if not speaker:
        return speech
    return f"{speaker}: {speech}" if speech else f"{speaker}:"


def _check_unpacked(data: bytes, path: Path, app: str) -> None:
    """Refuse a zip bomb before the document library unpacks and parses every part of it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED as exc:
        raise _damaged(path, app, exc) from exc
    with archive:
        check_zip_sizes(archive, str(path), error=SourceError)


def _load_docx(path: Path) -> _Loaded:
    """Word: paragraph texts and table rows in document order, one per line."""
    data = _read_bytes(path)
    _check_unpacked(data, path, "Word or LibreOffice")
    try:
        document = docx.Document(io.BytesIO(data))
    except _DAMAGED as exc:
        raise _damaged(path, "Word or LibreOffice", exc) from exc
    if document.element.body.xpath(".//w:ins | .//w:del"):
        warnings.warn(
            f"{path}: has tracked changes, which tymqual reads without the insertions; "
            "accept or reject all changes in Word and save to read the text as shown.",
            TymqualWarning,
            stacklevel=3,
        )
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[Any] = []
                for cell in row.cells:  # a merged cell comes back once per grid column it spans
                    if not any(cell is seen for seen in cells):
                        cells.append(cell)
                lines.append(_row_line([cell.text for cell in cells]))
        else:
            lines.append(block.text)
    text = normalize_text("\n".join(lines))
    _require_text(text, path)
    return _Loaded(text, None, {"format": "docx"})


_ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
_ODT_BLOCKS = {(TEXTNS, "p"), (TEXTNS, "h")}
_ODT_CELL = (TABLENS, "table-cell")
# Comments, footnotes and the deleted text of tracked changes are not what was said; the .docx
# reader leaves them out too.
_ODT_SKIP = {
    (OFFICENS, "annotation"),
    (OFFICENS, "annotation-end"),
    (TEXTNS, "note"),
    (TEXTNS, "tracked-changes"),
}


def _load_odt(path: Path) -> _Loaded:
    """OpenDocument text: paragraphs, headings and table rows in document order, one per line."""
    data = _read_bytes(path)
    # odfpy prints an XML part it cannot parse (the whole interview) to stdout and carries on
    # with an empty document: capture it, so nothing leaks and the damage is reported.
    printed = io.StringIO()
    _check_unpacked(data, path, "LibreOffice Writer")
    try:
        with contextlib.redirect_stdout(printed):
            document = load_odf(io.BytesIO(data))
    except _DAMAGED as exc:
        raise _damaged(path, "LibreOffice Writer", exc) from exc
    if printed.getvalue():
        raise _damaged(path, "LibreOffice Writer", "an XML part is malformed")
    if not str(document.mimetype).startswith(_ODT_MIMETYPE):
        raise SourceError(
            f"{path}: is an OpenDocument file of type {document.mimetype}, not a text document; "
            "save the text from LibreOffice Writer as .odt."
        )
    if document.text is None:
        raise _damaged(path, "LibreOffice Writer", "it has no body")
    text = normalize_text("\n".join(_odt_lines(document.text)))
    _require_text(text, path)
    return _Loaded(text, None, {"format": "odt"})


def _odt_lines(node: Any) -> Iterator[str]:
    """Paragraphs and headings under ``node``, depth first; a table row becomes one line."""
    for child in node.childNodes:
        if child.nodeType != Node.ELEMENT_NODE or child.qname in _ODT_SKIP:
            continue
        if child.qname in _ODT_BLOCKS:
            yield _odt_inline(child)
        elif child.qname == (TABLENS, "table-row"):
            cells = [c for c in child.childNodes if getattr(c, "qname", None) == _ODT_CELL]
            yield _row_line(["\n".join(_odt_lines(cell)) for cell in cells])
        else:
            yield from _odt_lines(child)


def _odt_inline(node: Any) -> str:
    """The text of a paragraph, as ``odf.teletype.extractText`` but without comments or notes."""
    parts = []
    for child in node.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            parts.append(child.data)
        elif child.nodeType != Node.ELEMENT_NODE or child.qname in _ODT_SKIP:
            continue
        elif child.qname == (TEXTNS, "s"):
            count = str(child.getAttribute("c") or "1")
            parts.append(" " * (int(count) if count.isdigit() else 1))
        elif child.qname == (TEXTNS, "tab"):
            parts.append("\t")
        elif child.qname == (TEXTNS, "line-break"):
            parts.append("\n")
        else:
            parts.append(_odt_inline(child))
    return "".join(parts)


# --- .vtt and .srt ------------------------------------------------------------------------

_VOICE = re.compile(r"<v(?:\.[^\s>]*)*[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>]*>")
#: Share of cues (without voice tags) that open with ``Name:`` from which a caption file is
#: read as Zoom writes it: every such prefix a speaker's display name.
ZOOM_SHARE = 0.8
_ZOOM_WORDS = 6
_ZOOM_PREFIX = re.compile(r"(?P<label>[^\s:<>][^:]{0,58}?)[ \t]*:[ \t]+(?=\S)")
_CAPTION_FORMATS = {
    ".vtt": ("WebVTT", "its first line must be WEBVTT", "vtt"),
    ".srt": ("SubRip", "numbered cues, each with a time line such as 00:00:01,000 --> ...", "srt"),
}


def _load_captions(path: Path) -> _Loaded:
    """WebVTT (Teams, Zoom) and SubRip (.srt): the cues, turned into turns by _cue_transcript."""
    name, shape, fmt = _CAPTION_FORMATS[path.suffix.lower()]
    raw, encoding = decode_bytes(_read_bytes(path), str(path), error=SourceError)
    source = normalize_text(raw)
    try:
        if fmt == "vtt":
            captions = webvtt.WebVTT.from_string(source).captions
        else:
            captions = webvtt.WebVTT.from_buffer(io.StringIO(source), format="srt").captions
    except MalformedFileError as exc:
        raise SourceError(
            f"{path}: is not a {name} file ({shape}); export the transcript again as "
            f".{fmt}, or save a plain transcript as .txt."
        ) from exc
    # webvtt-py skips a cue it cannot read; every "-->" line is a cue, so count them to notice.
    timings = sum("-->" in line for line in source.split("\n"))
    if timings != len(captions):
        raise SourceError(
            f"{path}: {timings - len(captions)} of {timings} cues could not be read (a bad "
            "time such as 00:61:00.000, or no blank line between cues); fix them and load again."
        )
    cues = [_Cue(caption.start, caption.raw_text.split("\n")) for caption in captions]
    duration = max((c.end_time.in_milliseconds() for c in captions), default=0) / 1000
    meta: dict[str, object] = {"format": fmt, "encoding": encoding, "duration_seconds": duration}
    return _Loaded("", None, meta, cues)


class _CueLine(NamedTuple):
    voice: str | None  # the voice tag's name
    time: str  # the cue's start
    speech: str  # without tags
    first: bool  # the cue's first line


def _cue_lines(cues: Sequence[_Cue]) -> list[_CueLine]:
    """Each line of each cue, its tags read and removed."""
    lines = []
    for cue in cues:
        for n, line in enumerate(cue.lines):
            voice = _VOICE.search(line)
            name = normalize_text(" ".join(voice.group(1).split())) if voice else None
            speech = " ".join(html.unescape(_TAG.sub("", line)).split())
            lines.append(_CueLine(name, cue.time, speech, n == 0))
    return lines


def _cue_speakers(
    lines: Sequence[_CueLine], config: SpeakerConfig, detect: bool
) -> dict[int, tuple[str, int]]:
    """The ``Name:`` prefixes of lines without a voice tag that are speakers' labels, as
    (label, where the speech begins) by line number.

    When nearly every cue opens with one (:data:`ZOOM_SHARE`), as Zoom writes them, each is
    taken as written, since Zoom shows display names such as ``Maria (she/her)`` or ``iPad``;
    otherwise a prefix counts as a label counts in a text (see :func:`parse_turns`).
    """
    firsts = [i for i, line in enumerate(lines) if line.voice is None and line.first]
    loose = {
        i: (match["label"], match.end())
        for i in firsts
        if (match := _ZOOM_PREFIX.match(lines[i].speech)) and _display_name(match["label"], config)
    }
    if detect and firsts and len(loose) >= ZOOM_SHARE * len(firsts):
        return loose
    pattern = _label_pattern(config)
    prefixes = {
        i: match
        for i, line in enumerate(lines)
        if line.voice is None and (match := pattern.match(line.speech))
    }
    heads = [_Head(i, match.end(), match["label"], None, True) for i, match in prefixes.items()]
    kept = _kept(heads, config, detect)
    return {h.start: (prefixes[h.start]["label"], prefixes[h.start].end()) for h in kept}


def _display_name(label: str, config: SpeakerConfig) -> bool:
    """A Zoom display name: a few words, not a sentence, not a note word or an ignored one."""
    words = label.split()
    ignored = {word.casefold() for word in config.ignore} | NOT_SPEAKERS
    return (
        len(words) <= _ZOOM_WORDS
        and not label.endswith((".", ",", "?", "!", ";"))
        and label.casefold() not in ignored
        and words[0].casefold() not in NOT_SPEAKERS
    )


def _cue_transcript(
    cues: Sequence[_Cue], meta: dict[str, object], config: SpeakerConfig, detect: bool, path: Path
) -> _Loaded:
    """One ``Name: speech`` line per turn; a cue without a name continues the last speaker's."""
    lines = _cue_lines(cues)
    prefixed = _cue_speakers(lines, config, detect)
    turns: list[tuple[str, str, list[str]]] = []  # speaker, start time, pieces of speech
    voices: set[str] = set()
    speaker = ""
    for i, (voice, time, speech, _) in enumerate(lines):
        if voice is not None:
            speaker = voice
            voices.add(voice)
        elif i in prefixed:
            speaker, speech = prefixed[i][0], speech[prefixed[i][1] :].strip()
        if not speech:
            continue
        if turns and turns[-1][0] == speaker:
            turns[-1][2].append(speech)
        else:
            turns.append((speaker, time, [speech]))
    if not turns:
        raise SourceError(f"{path}: has no cues with text; export the transcript again.")
    text_lines: list[str] = []
    raw_turns: list[_RawTurn] = []
    offset = 0
    for name, time, pieces in turns:
        prefix = f"{name}: " if name else ""
        speech = normalize_text(" ".join(pieces))  # a removed tag may have split a character
        start = offset + len(prefix)
        raw_turns.append(_RawTurn(name, start, start + len(speech), time))
        text_lines.append(prefix + speech)
        offset += len(text_lines[-1]) + 1
    if voices:
        meta = {**meta, "voice_tags": "\n".join(sorted(voices))}
    return _Loaded("\n".join(text_lines), raw_turns, meta)


# --- .pdf ---------------------------------------------------------------------------------

# What pypdf raises on a damaged, truncated or foreign file, found by corrupting real PDFs:
# its own error family, plus the lower-level errors of a broken stream or object table.
_PDF_DAMAGED = (
    pypdf.errors.PyPdfError,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    NotImplementedError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
)


def _load_pdf(path: Path) -> _Loaded:
    """PDF with a text layer: the text of each page in order, pages separated by a blank line.

    A scanned PDF (pages that are images) has no text to read and must go through OCR first.
    """
    data = _read_bytes(path)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        # An owner password alone (printing allowed, editing not) opens with an empty one.
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = [] if locked else [page.extract_text() or "" for page in reader.pages]
    except _PDF_DAMAGED as exc:
        raise _damaged(path, "a PDF reader", exc) from exc
    if locked:
        raise SourceError(
            f"{path}: is password-protected; open it with the password and save or print it "
            "again as a PDF without one."
        )
    text = normalize_text("\n\n".join(page.strip("\n") for page in pages))
    if not text.strip():
        raise SourceError(
            f"{path}: has no text layer on any of its {len(pages)} page(s) (a scanned "
            "document's pages are images), so it needs OCR (text recognition) first; run it "
            "through OCR, e.g. `ocrmypdf`, or save the text as .txt or .docx."
        )
    return _Loaded(text, None, {"format": "pdf", "pages": len(pages)})


_LOADERS: dict[str, Callable[[Path], _Loaded]] = {
    ".txt": _load_plain,
    ".md": _load_plain,
    ".docx": _load_docx,
    ".odt": _load_odt,
    ".vtt": _load_captions,
    ".srt": _load_captions,
    ".pdf": _load_pdf,
}
