"""The coding workbench: code a transcript by mouse or keyboard in JupyterLab.

For the thesis author who would rather select a passage than type a quote. The widget shows
one source turn by turn (speaker label, then the speech) with its codings highlighted in their
code colours; the user selects text (snapped to whole words) or a whole turn, picks a code from
the codebook tree (click, number key or type-ahead), optionally writes a memo and a reduced
expression (*pelkistetty ilmaus*) and presses *Koodaa*. The coding goes to the ledger at once
through :meth:`Project.code`, exactly as if it had been typed in a cell; Ctrl+Z and
Ctrl+Shift+Z undo and redo through the ledger's history. The tree shows counts and edits the
codebook through :class:`Project`'s codebook methods (keys stay, so codings follow).

The front end (``static/widget.js``, an ES module for anywidget) sends one custom message per
user action; :meth:`CodingWidget.handle` calls the library and refreshes the synced state from
the ledger, so what the widget shows is always what ``codes/codings.csv`` holds. Offsets in
the messages are code points into the normalised text (ARCHITECTURE.md); the front end
converts from the browser's UTF-16 positions before sending. Keys pressed inside the widget
stop at its root (and the root carries Lumino's ``data-lm-suppress-shortcuts``), so
JupyterLab's command shortcuts never act on the notebook while focus is in the widget.

Messages (``content`` of an anywidget custom message), each with an optional ``request``
number that the reply ``{"request": n, "ok": bool}`` carries back:

* ``{"action": "code", "start": int, "end": int, "code": path, "memo": str, "reduced": str}``
  (the span is widened to whole words), or with ``"turn": int`` instead of start and end
* ``{"action": "uncode", "coding_ids": [id, ...]}``
* ``{"action": "recode", "coding_id": id, "code": path}``
* ``{"action": "accept" | "reject", "coding_ids": [id, ...]}``: decide autocoding
  suggestions (:func:`tymqual.autocode.accept` / :func:`~tymqual.autocode.reject`)
* ``{"action": "undo" | "redo" | "refresh"}``
* ``{"action": "add_code", "name": str, "parent": path}``, ``rename_code`` (``code``,
  ``name``), ``recolor_code`` (``code``, ``color``), ``move_code`` (``code``, ``parent``),
  ``merge_codes`` (``code``, ``into``), ``code_memo`` (``code``, ``text``)
* ``{"action": "source_memo", "text": str}``: the shown source's memo (:mod:`tymqual.memos`;
  the text it replaces is kept in the memo history, ``Project.restore_memo`` brings it back)
* ``{"action": "passages", "code": path}``: fills ``passages`` with the code's passages in
  every source (case, speaker, turn, coder)

>>> from tymqual.widget import CodingWidget     # doctest: +SKIP
>>> CodingWidget(tymqual.open_project("."), "H2")  # doctest: +SKIP
"""

from __future__ import annotations

import colorsys
import itertools
import os
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The notebook extra is checked before anything from it is imported: without it the user
# must read what to install, not "No module named 'traitlets'".
try:
    import anywidget
    import traitlets
except ImportError as exc:  # pragma: no cover - exercised with the module hidden
    raise ImportError(
        f"The coding widget (p.coder(), tymqual.widget) needs the notebook extra, and "
        f"{exc.name or 'anywidget'} is not installed. Install it in this environment with: "
        "pip install 'tymqual[notebook]'  (in a clone of tymqual: make install), then "
        "restart the kernel."
    ) from exc

from tymqual import autocode
from tymqual.errors import CodingError, TymqualError
from tymqual.storage import atomic_write_text

if TYPE_CHECKING:
    from tymqual.project import Project

__all__ = ["CodingWidget", "remembered_coder", "snap_to_words"]

_STATIC = Path(__file__).parent / "static"
_UNKNOWN_COLOR = "#999999"
# A word is a run of anything but white space and punctuation, with the hyphen and
# apostrophes inside it ("TYM-palvelupäällikkö", "Kela’n", "👍🏽").
_INSIDE_WORDS = frozenset("-'’")


def _hex6(color: str) -> str:
    """``#abc`` → ``#aabbcc``, so the front end can append an alpha byte to any colour."""
    if len(color) == 4 and color.startswith("#"):
        return "#" + "".join(ch * 2 for ch in color[1:])
    return color or _UNKNOWN_COLOR


def _bar_color(color: str) -> str:
    """The colour of a code's underline bar: the code's hue, its lightness squeezed into
    0.25–0.60 (HLS), so a pale subcode shade stays visible on white while siblings keep
    their order of lightness and so stay apart."""
    digits = _hex6(color)[1:]
    try:
        r, g, b = (int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return _UNKNOWN_COLOR
    h, light, sat = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb(h, 0.25 + 0.35 * light, sat)
    return "#" + "".join(f"{round(v * 255):02x}" for v in (r, g, b))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the white space a mouse selection often takes at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to whole words and trimmed of white space at its ends.

    A selection that starts or ends inside a word takes the whole word, as QDA programs do:
    "ikkö Kelassa" becomes "TYM-palvelupäällikkö Kelassa". Offsets are code points.
    """
    start, end = _trimmed(text, start, end)
    if start == end:
        return start, end
    while start > 0 and _in_word(text[start - 1]) and _in_word(text[start]):
        start -= 1
    while end < len(text) and _in_word(text[end]) and _in_word(text[end - 1]):
        end += 1
    return start, end


def _in_word(ch: str) -> bool:
    return ch in _INSIDE_WORDS or not (ch.isspace() or unicodedata.category(ch)[0] in "PZ")


def _coder_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "tymqual" / "coder"


def remembered_coder() -> str:
    """The coder name the widget last asked for on this computer (``""`` if none)."""
    try:
        return _coder_file().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _remember_coder(name: str) -> None:
    path = _coder_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, name + "\n")


def _blocks(text: str, turns: Sequence[Any]) -> list[dict[str, Any]]:
    """The text as display blocks: each speaker turn, and the context lines between turns.

    Context is what lies outside every turn except the speaker label that opens a turn: a
    title before the first turn, an open question before its answer. Each block carries its
    offsets, so the front end needs no offsets of its own beyond the block's start.
    """
    blocks: list[dict[str, Any]] = []

    def context(lo: int, hi: int) -> None:
        lo, hi = _trimmed(text, lo, hi)
        if lo < hi:
            blocks.append({"kind": "context", "turn": None, "speaker": "", "role": "",
                           "time": "", "start": lo, "end": hi, "text": text[lo:hi]})

    pos = 0
    for turn in turns:
        # The label ("Vastaaja: ") is the last line before the speech; keep only what precedes.
        context(pos, text.rfind("\n", pos, turn.start) + 1)
        blocks.append({"kind": "turn", "turn": turn.turn, "speaker": turn.speaker,
                       "role": turn.role or "", "time": turn.time or "", "start": turn.start,
                       "end": turn.end, "text": text[turn.start:turn.end]})
        pos = turn.end
    context(pos, len(text))
    return blocks


def _int_field(content: Mapping[str, Any], name: str) -> int:
    value = content.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CodingError(f"the widget sent {name}={value!r}; it must be a whole number.")
    return value


def _ids_field(content: Mapping[str, Any]) -> list[str]:
    ids = content.get("coding_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise CodingError(f"the widget sent coding_ids={ids!r}; it must be a list of ids.")
    return ids


def _text_field(content: Mapping[str, Any], name: str) -> str:
    value = content.get(name) or ""
    if not isinstance(value, str):
        raise CodingError(f"the widget sent {name}={value!r}; it must be text.")
    return value.strip()


class CodingWidget(anywidget.AnyWidget):
    """Code one source with mouse or keyboard; every action is saved to the ledger at once.

    ``project`` is an open :class:`~tymqual.project.Project`, ``source_id`` the source to show
    first (the widget's source menu switches to any other), ``coder`` the name recorded with
    each coding: the argument, else ``tymqual.yaml``'s ``coder``, else the name the widget
    asked for last time on this computer (:func:`remembered_coder`). With none of them the
    widget asks before the first coding and remembers the answer; a blank coder is never
    saved. Errors from the library appear in the widget as a message; nothing fails silently.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    source_id = traitlets.Unicode("").tag(sync=True)
    sources = traitlets.List(traitlets.Unicode()).tag(sync=True)
    coder = traitlets.Unicode("").tag(sync=True)
    coders = traitlets.List(traitlets.Unicode()).tag(sync=True)
    blocks = traitlets.List(traitlets.Dict()).tag(sync=True)
    codes = traitlets.List(traitlets.Dict()).tag(sync=True)
    codings = traitlets.List(traitlets.Dict()).tag(sync=True)
    passages = traitlets.Dict().tag(sync=True)
    source_memo = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Dict().tag(sync=True)

    def __init__(self, project: Project, source_id: str, *, coder: str | None = None) -> None:
        project.document(source_id)  # an unknown id fails here, naming the known ones
        self._project = project
        self._seq = itertools.count(1)
        given = coder if coder is not None else project.config.coder
        super().__init__(
            sources=list(project.source_ids),
            coder=(given or "").strip() or remembered_coder(),
        )
        self.on_msg(self._on_msg)
        self._going_back = False  # set while an unknown source id is being taken back
        self.source_id = source_id  # the observer fills blocks and codings
        # From here on a coder name set is the user's answer, remembered for next time; a
        # name given as an argument or in tymqual.yaml is not (it may be another person's).
        self._answers = True

    @property
    def project(self) -> Project:
        """The project the widget codes."""
        return self._project

    # ------------------------------------------------------------------ synced state
    @traitlets.observe("source_id")
    def _source_changed(self, change: Mapping[str, Any]) -> None:
        try:
            doc = self._project.document(change["new"])
        except TymqualError as exc:
            self._say("error", str(exc))
            if change["old"]:
                self._going_back = True
                self.source_id = change["old"]
            return
        self.blocks = _blocks(doc.text, doc.turns)
        self._refresh_or_say()
        if self._going_back:
            self._going_back = False
            return
        if change["old"]:
            n = sum(c["status"] != "suggested" for c in self.codings)
            self._say("info", f"Aineisto {change['new']}: {n} koodausta.")

    @traitlets.observe("coder")
    def _coder_changed(self, change: Mapping[str, Any]) -> None:
        name = str(change["new"]).strip()
        if getattr(self, "_answers", False) and name and name != remembered_coder():
            try:
                _remember_coder(name)
            except (OSError, TymqualError) as exc:
                self._say("error", f"Koodaajan nimeä ei voitu muistaa: {exc}")

    def refresh(self) -> None:
        """Read the codebook and the ledger again and show what they hold now."""
        book = self._project.codebook
        ledger = self._project.codings
        lost = set(self._project.unanchored.get("coding_id", []))
        live = ledger[(ledger["status"] != "rejected") & ~ledger["coding_id"].isin(lost)]
        self.codes = _code_rows(book, live, self.source_id)
        self.coders = sorted({str(c) for c in live["coder"] if str(c).strip()})
        self.source_memo = self._project.source_memos.get(self.source_id, "")
        by_key = book.key_map()
        mine = live[live["source_id"] == self.source_id]
        columns = ["coding_id", "start", "end", "code", "status", "coder", "memo", "reduced",
                   "text"]
        ordered = mine.sort_values(["start", "end"], kind="stable")[columns]
        rows = [dict(zip(columns, values, strict=True)) for values in ordered.to_numpy().tolist()]
        for row in rows:
            row["start"], row["end"] = int(row["start"]), int(row["end"])
            code = by_key.get(str(row["code"]))
            row["path"] = code.path if code else row["code"]
            row["name"] = code.name if code else row["code"]
            row["color"] = _hex6(code.color) if code else _UNKNOWN_COLOR
            row["bar"] = _bar_color(row["color"])
        self.codings = rows

    def _refresh_or_say(self) -> None:
        try:
            self.refresh()
        except TymqualError as exc:
            self._say("error", f"Koodauksia ei voitu lukea: {exc}")

    def _say(self, kind: str, text: str) -> None:
        # A fresh sequence number makes every message a change, so the front end shows it
        # even when the same text comes twice.
        self.status = {"kind": kind, "text": text, "seq": next(self._seq)}

    # ------------------------------------------------------------------ messages
    def _on_msg(self, _widget: object, content: Any, _buffers: object) -> None:
        self.handle(content)

    def handle(self, content: Mapping[str, Any]) -> bool:
        """Carry out one front-end message; returns whether it succeeded.

        A library error (:class:`~tymqual.errors.TymqualError`) becomes the widget's error
        message. Any other exception is shown too and then raised again, so that it also
        reaches the kernel's log.
        """
        request = content.get("request") if isinstance(content, Mapping) else None
        ok = False
        try:
            if not isinstance(content, Mapping):
                raise CodingError(f"the widget sent {content!r}; expected a message object.")
            action = content.get("action")
            handler = self._actions().get(str(action))
            if handler is None:
                raise CodingError(
                    f"the widget sent an unknown action {action!r}; known are "
                    f"{', '.join(self._actions())}."
                )
            text = handler(content)
            if text:  # a look-up (passages) leaves the last message standing
                self._say("ok", text)
            ok = True
        except TymqualError as exc:
            self._say("error", f"Ei tallennettu: {exc}")
        except Exception as exc:
            self._say("error", f"Odottamaton virhe ({type(exc).__name__}): {exc}")
            raise
        finally:
            self._refresh_or_say()
            self.send({"request": request, "ok": ok})
        return ok

    def _actions(self) -> dict[str, Callable[[Mapping[str, Any]], str]]:
        return {"code": self._code, "uncode": self._uncode, "recode": self._recode,
                "accept": self._accept, "reject": self._reject, "refresh": self._refresh,
                "undo": self._undo, "redo": self._redo, "add_code": self._add_code,
                "rename_code": self._rename_code, "recolor_code": self._recolor_code,
                "move_code": self._move_code, "merge_codes": self._merge_codes,
                "passages": self._passages, "source_memo": self._source_memo,
                "code_memo": self._code_memo}

    def _code(self, content: Mapping[str, Any]) -> str:
        code = self._project.codebook.resolve(_text_field(content, "code"))
        if content.get("turn") is not None:
            turn = _int_field(content, "turn")
            where: dict[str, Any] = {"turns": [turn]}
            shown = f"puheenvuoro {turn}"
        else:
            start, end = self._snapped(content)
            where, shown = {"start": start, "end": end}, f"merkit {start}–{end}"
        self._project.code(
            self.source_id, code, coder=self.coder.strip(), memo=_text_field(content, "memo"),
            reduced=_text_field(content, "reduced"), **where,
        )
        return f"Koodattu: {code.name} ({shown})."

    def _snapped(self, content: Mapping[str, Any]) -> tuple[int, int]:
        start, end = _int_field(content, "start"), _int_field(content, "end")
        text = self._project.text(self.source_id)
        if 0 <= start < end <= len(text):
            start, end = snap_to_words(text, start, end)
            if start == end:
                raise CodingError(
                    "the selection holds only white space; select the words to code."
                )
        return start, end

    def _uncode(self, content: Mapping[str, Any]) -> str:
        n = self._project.uncode(_ids_field(content))
        done = "Poistettu 1 koodaus." if n == 1 else f"Poistettu {n} koodausta."
        return done + " Kumoa: Ctrl+Z."

    def _recode(self, content: Mapping[str, Any]) -> str:
        coding_id = _text_field(content, "coding_id")
        code = self._project.codebook.resolve(_text_field(content, "code"))
        self._project.ledger.update([coding_id], action="recode", code=code.key,
                                    who=self.coder.strip() or None)
        return f"Koodi vaihdettu: {code.name}."

    def _accept(self, content: Mapping[str, Any]) -> str:
        n = autocode.accept(self._project, _ids_field(content))
        return f"Hyväksytty ehdotuksia: {n}."

    def _reject(self, content: Mapping[str, Any]) -> str:
        n = autocode.reject(self._project, _ids_field(content))
        return f"Hylätty ehdotuksia: {n}."

    def _refresh(self, _content: Mapping[str, Any]) -> str:
        return "Päivitetty."

    def _undo(self, _content: Mapping[str, Any]) -> str:
        return _in_finnish(self._project.undo())

    def _redo(self, _content: Mapping[str, Any]) -> str:
        return _in_finnish(self._project.redo())

    # ------------------------------------------------------------------ the codebook
    def _add_code(self, content: Mapping[str, Any]) -> str:
        parent = _text_field(content, "parent") or None
        code = self._project.add_code(_text_field(content, "name"), parent=parent)
        return f"Uusi koodi: {code.name} ({code.path})."

    def _rename_code(self, content: Mapping[str, Any]) -> str:
        code = self._project.rename_code(_text_field(content, "code"),
                                         _text_field(content, "name"))
        return f"Koodi nimetty: {code.name}."

    def _recolor_code(self, content: Mapping[str, Any]) -> str:
        code = self._project.recolor_code(_text_field(content, "code"),
                                          _text_field(content, "color"))
        return f"Koodin {code.name} väri: {code.color}."

    def _move_code(self, content: Mapping[str, Any]) -> str:
        code = self._project.move_code(_text_field(content, "code"),
                                       _text_field(content, "parent") or None)
        return f"Koodi siirretty: {code.path}."

    def _merge_codes(self, content: Mapping[str, Any]) -> str:
        into = self._project.codebook.resolve(_text_field(content, "into"))
        n = self._project.merge_codes(_text_field(content, "code"), into.path)
        return f"Koodi yhdistetty koodiin {into.name}; {n} koodausta siirtyi."

    def _code_memo(self, content: Mapping[str, Any]) -> str:
        code = self._project.set_code_memo(_text_field(content, "code"),
                                           _text_field(content, "text"))
        return f"Koodin {code.name} muistiinpano tallennettu."

    def _source_memo(self, content: Mapping[str, Any]) -> str:
        self._project.set_source_memo(self.source_id, _text_field(content, "text"))
        return f"Aineiston {self.source_id} muistiinpano tallennettu."

    # ------------------------------------------------------------------ retrieval
    def _passages(self, content: Mapping[str, Any]) -> str:
        code = self._project.codebook.resolve(_text_field(content, "code"))
        seg = self._project.segments(code.path, status=None)
        seg = seg[seg["status"] != "rejected"]
        columns = ["coding_id", "source_id", "case_id", "speaker", "turn", "start", "end",
                   "coder", "text", "memo"]
        rows = [
            {name: _plain(value) for name, value in zip(columns, values, strict=True)}
            for values in seg[columns].to_numpy().tolist()
        ]
        self.passages = {"code": code.path, "name": code.name, "rows": rows}
        return ""


def _plain(value: Any) -> Any:
    """A value the front end can take as JSON: NaN and missing become ``""``."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return value


def _code_rows(book: Any, live: Any, source_id: str) -> list[dict[str, Any]]:
    """The code tree for the front end, each code with its codings here and in all sources
    (its own codings; codings under an old key in ``renamed_from`` count as the code)."""
    key_of = {key: code.key for key, code in book.key_map().items()}
    keys = live["code"].map(lambda k: key_of.get(str(k), str(k)))
    here = keys[live["source_id"] == source_id].value_counts().to_dict()
    everywhere = keys.value_counts().to_dict()
    return [
        {"key": c.key, "path": c.path, "name": c.name, "depth": c.depth,
         "color": _hex6(c.color), "bar": _bar_color(c.color), "definition": c.definition,
         "use_when": c.use_when, "do_not_use_when": c.do_not_use_when,
         "keywords": list(c.keywords), "memo": c.memo, "n_here": int(here.get(c.key, 0)),
         "n_all": int(everywhere.get(c.key, 0))}
        for c in book
    ]


def _in_finnish(done: str) -> str:
    """``p.undo()``'s English sentence for the widget's Finnish status line."""
    verb, _, rest = done.partition(" ")
    word = {"undid": "Kumottu", "redid": "Tehty uudelleen"}.get(verb, verb)
    return f"{word} {rest}."

