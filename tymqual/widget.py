"""The coding widget: code a transcript with the mouse in JupyterLab.

For the thesis author who would rather select a passage than type a quote. The widget shows
one source turn by turn (speaker label, then the speech) with its codings highlighted in their
code colours; the user selects text, picks a code from the codebook tree, optionally writes a
memo and a reduced expression (*pelkistetty ilmaus*) and clicks *Koodaa*. The coding goes to
the ledger at once through :meth:`Project.code`, exactly as if it had been typed in a cell.

The front end (``static/widget.js``, an ES module for anywidget) sends one custom message per
user action; :meth:`CodingWidget.handle` calls the library and refreshes the synced state from
the ledger, so what the widget shows is always what ``codes/codings.csv`` holds. Offsets in
the messages are code points into the normalised text (ARCHITECTURE.md); the front end
converts from the browser's UTF-16 positions before sending.

Messages (``content`` of an anywidget custom message), each with an optional ``request``
number that the reply ``{"request": n, "ok": bool}`` carries back:

* ``{"action": "code", "start": int, "end": int, "code": path, "memo": str, "reduced": str}``
* ``{"action": "uncode", "coding_ids": [id, ...]}``
* ``{"action": "recode", "coding_id": id, "code": path}``
* ``{"action": "accept" | "reject", "coding_ids": [id, ...]}``: decide autocoding
  suggestions (:func:`tymqual.autocode.accept` / :func:`~tymqual.autocode.reject`)
* ``{"action": "refresh"}``

>>> from tymqual.widget import CodingWidget     # doctest: +SKIP
>>> CodingWidget(tymqual.open_project("."), "H2")  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import traitlets

from tymqual import autocode
from tymqual.errors import CodingError, TymqualError

try:
    import anywidget
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "tymqual.widget needs anywidget; install the notebook extras: "
        "pip install 'tymqual[notebook]'."
    ) from exc

if TYPE_CHECKING:
    from tymqual.project import Project

__all__ = ["CodingWidget"]

_STATIC = Path(__file__).parent / "static"
_UNKNOWN_COLOR = "#999999"


def _hex6(color: str) -> str:
    """``#abc`` → ``#aabbcc``, so the front end can append an alpha byte to any colour."""
    if len(color) == 4 and color.startswith("#"):
        return "#" + "".join(ch * 2 for ch in color[1:])
    return color or _UNKNOWN_COLOR


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the white space a mouse selection often takes at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


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
    """Code one source with the mouse; every action is saved to the ledger at once.

    ``project`` is an open :class:`~tymqual.project.Project`, ``source_id`` the source to show
    first (the widget's source menu switches to any other), ``coder`` the name recorded with
    each coding (default: ``tymqual.yaml``'s ``coder``). Errors from the library appear in the
    widget as a message; nothing fails silently.
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    source_id = traitlets.Unicode("").tag(sync=True)
    sources = traitlets.List(traitlets.Unicode()).tag(sync=True)
    coder = traitlets.Unicode("").tag(sync=True)
    blocks = traitlets.List(traitlets.Dict()).tag(sync=True)
    codes = traitlets.List(traitlets.Dict()).tag(sync=True)
    codings = traitlets.List(traitlets.Dict()).tag(sync=True)
    status = traitlets.Dict().tag(sync=True)

    def __init__(self, project: Project, source_id: str, *, coder: str | None = None) -> None:
        project.document(source_id)  # an unknown id fails here, naming the known ones
        self._project = project
        self._seq = itertools.count(1)
        super().__init__(
            sources=list(project.source_ids),
            coder=coder if coder is not None else project.config.coder,
        )
        self.on_msg(self._on_msg)
        self.source_id = source_id  # the observer fills blocks and codings

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
                self.source_id = change["old"]
            return
        self.blocks = _blocks(doc.text, doc.turns)
        self._refresh_or_say()

    def refresh(self) -> None:
        """Read the codebook and the ledger again and show what they hold now."""
        book = self._project.codebook
        self.codes = [
            {"key": c.key, "path": c.path, "name": c.name, "depth": c.depth,
             "color": _hex6(c.color), "definition": c.definition, "use_when": c.use_when,
             "do_not_use_when": c.do_not_use_when, "keywords": list(c.keywords)}
            for c in book
        ]
        by_key = {c.key: c for c in book}
        ledger = self._project.codings
        lost = set(self._project.unanchored.get("coding_id", []))
        mine = ledger[(ledger["source_id"] == self.source_id) & (ledger["status"] != "rejected")
                      & ~ledger["coding_id"].isin(lost)]
        columns = ["coding_id", "start", "end", "code", "status", "coder", "memo", "reduced"]
        ordered = mine.sort_values(["start", "end"], kind="stable")[columns]
        rows = [dict(zip(columns, values, strict=True)) for values in ordered.to_numpy().tolist()]
        for row in rows:
            row["start"], row["end"] = int(row["start"]), int(row["end"])
            code = by_key.get(str(row["code"]))
            row["path"] = code.path if code else row["code"]
            row["name"] = code.name if code else row["code"]
            row["color"] = _hex6(code.color) if code else _UNKNOWN_COLOR
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
                "accept": self._accept, "reject": self._reject, "refresh": self._refresh}

    def _code(self, content: Mapping[str, Any]) -> str:
        start, end = _int_field(content, "start"), _int_field(content, "end")
        text = self._project.text(self.source_id)
        if 0 <= start < end <= len(text):
            start, end = _trimmed(text, start, end)
        if start == end:
            raise CodingError("the selection holds only white space; select the words to code.")
        code = self._project.codebook.resolve(_text_field(content, "code"))
        self._project.code(
            self.source_id, code, start=start, end=end, coder=self.coder.strip() or None,
            memo=_text_field(content, "memo"), reduced=_text_field(content, "reduced"),
        )
        return f"Koodattu: {code.name} (merkit {start}–{end})."

    def _uncode(self, content: Mapping[str, Any]) -> str:
        n = self._project.uncode(_ids_field(content))
        return f"Poistettu {n} koodaus." if n == 1 else f"Poistettu {n} koodausta."

    def _recode(self, content: Mapping[str, Any]) -> str:
        coding_id = _text_field(content, "coding_id")
        code = self._project.codebook.resolve(_text_field(content, "code"))
        self._project.ledger.update([coding_id], action="recode", code=code.key)
        return f"Koodi vaihdettu: {code.name}."

    def _accept(self, content: Mapping[str, Any]) -> str:
        n = autocode.accept(self._project, _ids_field(content))
        return f"Hyväksytty ehdotuksia: {n}."

    def _reject(self, content: Mapping[str, Any]) -> str:
        n = autocode.reject(self._project, _ids_field(content))
        return f"Hylätty ehdotuksia: {n}."

    def _refresh(self, _content: Mapping[str, Any]) -> str:
        return "Päivitetty."
