"""The coding widget: front-end messages through ipywidgets' own dispatch, then a real browser.

The Python tests hand the widget the message a browser would send (``Widget._handle_msg`` with
an anywidget custom message), so the whole path from the comm message to the ledger row runs.
The browser test starts JupyterLab on a copy of the demo project, selects a passage in the
rendered transcript with Chromium and checks the row it adds to ``codes/codings.csv``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import tymqual

pytest.importorskip("anywidget", reason="anywidget is not installed (pip install -e '.[test]')")

from tymqual.widget import CodingWidget, _bar_color, _blocks, snap_to_words  # noqa: E402

REPO = Path(__file__).parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

# An emoji is one code point but two UTF-16 units: offsets after it tell the two apart.
EMOJI_H2 = """\
H: Miten neuvottelut sujuivat? 🙂
V: Hyvin 👍🏽 kiitos. Neuvottelut venyivät. Henkilöstö vaihtui kesken kaiken.
H: Entä mallisopimus?
V: Mallisopimus auttoi. Kela on mukana.
"""


def _utf16_index(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def _send(widget: CodingWidget, content: dict[str, Any]) -> None:
    """Deliver ``content`` as the front end does: an anywidget custom message on the comm."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}},
                        "buffers": []})


@pytest.fixture(autouse=True)
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the widget remembers the coder: a fresh folder, never the user's own."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture
def project(make_project: Callable[..., tymqual.Project]) -> tymqual.Project:
    return make_project({"transcripts/H2.txt": EMOJI_H2})


@pytest.fixture
def replies() -> list[Any]:
    """What the widget sent back to the front end."""
    return []


@pytest.fixture
def widget(project: tymqual.Project, replies: list[Any],
           monkeypatch: pytest.MonkeyPatch) -> CodingWidget:
    w = CodingWidget(project, "H2", coder="T")
    monkeypatch.setattr(w, "send", replies.append)  # no front end here: keep the replies
    return w


# ---------------------------------------------------------------------------- python side


def test_code_message_saves_code_point_offsets_after_an_emoji(
    widget: CodingWidget, project: tymqual.Project, replies: list[Any]
) -> None:
    text = project.text("H2")
    passage = "Neuvottelut venyivät."
    start = text.index(passage)
    assert _utf16_index(text, start) == start + 3  # 🙂 and 👍 are two units, 🏽 too
    _send(widget, {"action": "code", "start": start, "end": start + len(passage),
                   "code": "johtaminen/resurssit", "memo": " muistiin ", "reduced": "Venyi",
                   "request": 7})
    row = project.codings.iloc[-1]
    assert (row["source_id"], row["start"], row["end"]) == ("H2", start, start + len(passage))
    assert (row["code"], row["coder"], row["memo"], row["reduced"], row["text"]) == (
        "resurssit", "T", "muistiin", "Venyi", passage)
    assert widget.status["kind"] == "ok" and "Resurssit" in widget.status["text"]
    assert replies == [{"request": 7, "ok": True}]
    shown = [c for c in widget.codings if c["coding_id"] == row["coding_id"]]
    assert shown and shown[0]["start"] == start and shown[0]["color"] == "#66c2a5"


def test_white_space_at_the_ends_of_a_selection_is_left_out(
    widget: CodingWidget, project: tymqual.Project
) -> None:
    text = project.text("H2")
    start = text.index("Mallisopimus auttoi.")
    _send(widget, {"action": "code", "start": start - 1, "end": start + 21,
                   "code": "neuvottelut"})
    row = project.codings.iloc[-1]
    assert (row["start"], row["end"], row["text"]) == (start, start + 20, "Mallisopimus auttoi.")


def test_uncode_and_recode(widget: CodingWidget, project: tymqual.Project) -> None:
    cid = project.code("H2", "neuvottelut", quote="Kela on mukana.")
    widget.refresh()
    assert cid in {c["coding_id"] for c in widget.codings}
    _send(widget, {"action": "recode", "coding_id": cid, "code": "johtoryhma"})
    assert project.codings.set_index("coding_id").loc[cid, "code"] == "johtoryhma"
    assert [c["name"] for c in widget.codings if c["coding_id"] == cid] == ["Johtoryhmä"]
    _send(widget, {"action": "uncode", "coding_ids": [cid]})
    assert cid not in set(project.codings["coding_id"])
    assert widget.codings == []
    assert widget.status["text"].startswith("Poistettu 1 koodaus.")


@pytest.mark.parametrize(("action", "status"), [("accept", "accepted"), ("reject", "rejected")])
def test_suggestions_are_accepted_or_rejected(
    widget: CodingWidget, project: tymqual.Project, action: str, status: str
) -> None:
    cid = project.code("H2", "neuvottelut", quote="Kela on mukana.", status="suggested",
                       coder="autocode")
    widget.refresh()
    assert [c["status"] for c in widget.codings] == ["suggested"]
    _send(widget, {"action": action, "coding_ids": [cid]})
    row = project.codings.set_index("coding_id").loc[cid]
    assert (row["status"], row["coder"]) == (status, "autocode")
    # A rejected suggestion leaves the view; an accepted one stays as a coding.
    assert [c["status"] for c in widget.codings] == (["accepted"] if action == "accept" else [])


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ({"action": "code", "start": 3, "end": 9, "code": "ei_ole"}, "No code 'ei_ole'"),
        ({"action": "code", "start": 9, "end": 3, "code": "neuvottelut"}, "does not fit"),
        ({"action": "code", "start": 0, "end": 10**6, "code": "neuvottelut"}, "does not fit"),
        ({"action": "code", "start": "3", "end": 9, "code": "neuvottelut"}, "start='3'"),
        ({"action": "code", "start": 2, "end": 3, "code": "neuvottelut"}, "white space"),
        ({"action": "uncode", "coding_ids": ["c000"]}, "no coding(s) 'c000'"),
        ({"action": "uncode", "coding_ids": "c000"}, "list of ids"),
        ({"action": "recode", "coding_id": "c000", "code": "neuvottelut"}, "no coding(s)"),
        ({"action": "accept", "coding_ids": ["c000"]}, "only suggested codings"),
        ({"action": "reject", "coding_ids": []}, "list of ids"),
        ({"action": "poista_kaikki"}, "unknown action 'poista_kaikki'"),
        ({}, "unknown action None"),
    ],
)
def test_errors_show_in_the_widget_and_change_nothing(
    widget: CodingWidget, project: tymqual.Project, replies: list[Any],
    content: dict[str, Any], says: str,
) -> None:
    before = project.codings
    _send(widget, {**content, "request": 3})
    assert widget.status["kind"] == "error"
    assert widget.status["text"].startswith("Ei tallennettu: ")
    assert says in widget.status["text"]
    assert replies == [{"request": 3, "ok": False}]
    assert project.codings.equals(before)


def test_each_message_is_a_new_status_even_with_the_same_text(widget: CodingWidget) -> None:
    _send(widget, {"action": "refresh"})
    first = widget.status
    _send(widget, {"action": "refresh"})
    assert widget.status["text"] == first["text"] and widget.status["seq"] > first["seq"]


def test_blocks_are_turns_with_their_offsets_and_the_context_between(
    make_project: Callable[..., tymqual.Project],
) -> None:
    p = make_project()
    text = p.text("H1")
    blocks = _blocks(text, p.document("H1").turns)
    assert blocks[0]["kind"] == "context" and blocks[0]["text"] == "FIKTIIVINEN TESTIAINEISTO"
    turns = [b for b in blocks if b["kind"] == "turn"]
    expected = p.turns("H1")
    assert [b["turn"] for b in turns] == list(expected["turn"])
    assert [b["speaker"] for b in turns] == list(expected["speaker"])
    assert [(b["start"], b["end"]) for b in turns] == list(zip(expected["start"], expected["end"],
                                                             strict=True))
    assert all(text[b["start"]:b["end"]] == b["text"] for b in blocks)
    assert "Toinen kappale" in turns[-1]["text"]


def test_survey_questions_show_as_context(demo_copy: Path) -> None:
    p = tymqual.open_project(demo_copy)
    blocks = _blocks(p.text("kysely_R1"), p.document("kysely_R1").turns)
    kinds = [b["kind"] for b in blocks]
    assert kinds[:2] == ["context", "turn"] and kinds.count("turn") == len(p.turns("kysely_R1"))
    assert blocks[0]["text"].startswith(blocks[1]["speaker"] + ": ")


def test_switching_source_and_an_unknown_source(widget: CodingWidget) -> None:
    widget.source_id = "H1"
    assert widget.blocks[0]["text"] == "FIKTIIVINEN TESTIAINEISTO"
    widget.source_id = "H9"
    assert widget.source_id == "H1" and widget.status["kind"] == "error"
    assert "no source 'H9'" in widget.status["text"]


def test_an_unknown_source_at_the_start_is_refused(project: tymqual.Project) -> None:
    with pytest.raises(tymqual.TymqualError, match="no source 'H9'.*H1, H2"):
        CodingWidget(project, "H9")


def test_front_end_files_are_loaded(widget: CodingWidget) -> None:
    # anywidget turns the class's file paths into the files' text on the instance
    assert "export default { render }" in str(widget._esm)
    assert ".tq-coder" in str(widget._css)


def test_without_the_notebook_extra_the_error_says_what_to_install(tmp_path: Path) -> None:
    # A fresh interpreter where neither anywidget nor traitlets can be imported, as after
    # a plain "pip install tymqual": p.coder() must name the extra, not a missing module.
    script = (
        "import sys\n"
        "sys.modules['anywidget'] = None\nsys.modules['traitlets'] = None\n"
        "import tymqual\n"
        f"p = tymqual.open_project({str(REPO)!r})\n"
        "try:\n    p.coder('H1')\nexcept ImportError as exc:\n    print(exc)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=True)
    assert "pip install 'tymqual[notebook]'" in done.stdout
    assert "make install" in done.stdout


def test_the_coder_comes_from_the_argument_the_settings_or_memory(
    make_project: Callable[..., tymqual.Project], own_config: Path
) -> None:
    p = make_project()
    assert CodingWidget(p, "H1").coder == ""  # nothing known: the front end asks
    asked = CodingWidget(p, "H1")
    asked.coder = " Maija "  # what the front end sets once the user has answered
    assert (own_config / "tymqual" / "coder").read_text(encoding="utf-8") == "Maija\n"
    assert CodingWidget(p, "H2").coder == "Maija"  # remembered
    settings = p.root / "tymqual.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "coder: B\n", encoding="utf-8")
    p = tymqual.open_project(p.root)
    assert CodingWidget(p, "H1").coder == "B"
    assert CodingWidget(p, "H1", coder="C").coder == "C"
    # Names given by argument or settings are not taken for this computer's coder.
    assert (own_config / "tymqual" / "coder").read_text(encoding="utf-8") == "Maija\n"


def test_a_blank_coder_is_refused_by_the_widget_and_the_ledger(
    make_project: Callable[..., tymqual.Project], replies: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = make_project()
    w = CodingWidget(p, "H2")
    monkeypatch.setattr(w, "send", replies.append)
    text = p.text("H2")
    start = text.index("Kela on mukana.")
    _send(w, {"action": "code", "start": start, "end": start + 15, "code": "neuvottelut",
              "request": 1})
    assert replies == [{"request": 1, "ok": False}]
    assert "coder" in w.status["text"] and "tymqual.yaml" in w.status["text"]
    assert p.codings.empty
    with pytest.raises(tymqual.TymqualError, match="coder is empty.*Nothing was added"):
        p.code("H2", "neuvottelut", quote="Kela on mukana.", coder="  ")
    assert p.codings.empty


@pytest.mark.parametrize("text", [EMOJI_H2, "Hyvä TYM-palvelupäällikkö, Kela’n väki: 12,5 %."])
def test_a_selection_snaps_to_whole_words(text: str) -> None:
    # Every word of the text, cut anywhere inside, comes back whole; a cut at a word's
    # edge stays where it is. Words are found here by white space and punctuation alone.
    import re

    for word in re.finditer(r"[^\s,.:?!%]+", text):
        a, b = word.span()
        for lo in range(a, b):
            for hi in range(lo + 1, b + 1):
                assert snap_to_words(text, lo, hi) == (a, b), (word.group(), lo, hi)
    assert snap_to_words(text, 0, 0) == (0, 0)


def test_a_whole_turn_is_coded_exactly_as_turns_gives_it(
    widget: CodingWidget, project: tymqual.Project
) -> None:
    turns = project.turns("H2")
    for n in turns["turn"]:
        _send(widget, {"action": "code", "turn": int(n), "code": "neuvottelut"})
    rows = project.codings.sort_values("start")
    assert list(rows["text"]) == list(turns["text"])
    assert list(zip(rows["start"], rows["end"], strict=True)) == list(
        zip(turns["start"], turns["end"], strict=True))
    assert not any(label in t for t in rows["text"] for label in ("H:", "V:"))


def test_undo_and_redo_use_the_ledger_history(
    widget: CodingWidget, project: tymqual.Project
) -> None:
    text = project.text("H2")
    for passage in ("Neuvottelut venyivät.", "Mallisopimus auttoi.", "Kela on mukana."):
        start = text.index(passage)
        _send(widget, {"action": "code", "start": start, "end": start + len(passage),
                       "code": "neuvottelut"})
    cid = project.codings["coding_id"].iloc[0]
    _send(widget, {"action": "uncode", "coding_ids": [cid]})
    for _ in range(3):
        _send(widget, {"action": "undo"})
        assert widget.status["text"].startswith("Kumottu")
    assert list(project.codings["text"]) == ["Neuvottelut venyivät."]
    _send(widget, {"action": "redo"})
    assert widget.status["text"].startswith("Tehty uudelleen")
    assert list(project.codings["text"]) == ["Neuvottelut venyivät.", "Mallisopimus auttoi."]
    assert [c["text"] for c in widget.codings] == list(project.codings["text"])


def test_codes_are_made_renamed_recoloured_moved_and_merged_with_stable_keys(
    widget: CodingWidget, project: tymqual.Project
) -> None:
    cid = project.code("H2", "johtoryhma", quote="Kela on mukana.")
    _send(widget, {"action": "add_code", "name": "Uusi teema"})
    _send(widget, {"action": "add_code", "name": "Alateema", "parent": "uusi_teema"})
    _send(widget, {"action": "rename_code", "code": "uusi_teema", "name": "Parempi nimi"})
    _send(widget, {"action": "recolor_code", "code": "alateema", "color": "#123ABC"})
    _send(widget, {"action": "move_code", "code": "johtoryhma", "parent": "uusi_teema"})
    _send(widget, {"action": "merge_codes", "code": "johtoryhma", "into": "alateema"})
    assert widget.status["kind"] == "ok", widget.status
    import yaml

    written = yaml.safe_load((project.codes_dir / "codebook.yaml").read_text(encoding="utf-8"))
    top = {c["key"]: c for c in written["codes"]}
    assert top["uusi_teema"]["name"] == "Parempi nimi"
    [child] = top["uusi_teema"]["children"]
    assert (child["key"], child["name"], child["color"]) == ("alateema", "Alateema", "#123abc")
    assert "johtoryhma" not in {c["key"] for c in top["johtaminen"]["children"]}
    assert project.codings.set_index("coding_id").loc[cid, "code"] == "alateema"
    reread = tymqual.open_project(project.root).codebook
    assert reread.resolve("uusi_teema/alateema").name == "Alateema"
    _send(widget, {"action": "rename_code", "code": "alateema", "name": " "})
    assert widget.status["kind"] == "error"
    assert tymqual.open_project(project.root).codebook == reread  # nothing half-written


def test_the_tree_counts_codings_here_and_in_every_source(
    widget: CodingWidget, project: tymqual.Project
) -> None:
    project.code("H2", "neuvottelut", quote="Kela on mukana.")
    project.code("H1", "neuvottelut", quote="Kela on mukana.")
    project.code("H1", "resurssit", quote="Hänellä on resurssit kunnossa.")
    widget.refresh()
    ledger = project.codings
    for code in widget.codes:
        mine = ledger[ledger["code"] == code["key"]]
        assert code["n_all"] == len(mine)
        assert code["n_here"] == int((mine["source_id"] == "H2").sum())


def test_switching_source_says_what_is_shown(widget: CodingWidget,
                                             project: tymqual.Project) -> None:
    project.code("H1", "neuvottelut", quote="Kela on mukana.")
    widget.status = {}
    widget.source_id = "H1"
    assert widget.status["text"] == "Aineisto H1: 1 koodausta."


def test_a_code_s_passages_come_from_every_source(widget: CodingWidget,
                                                  project: tymqual.Project) -> None:
    a = project.code("H2", "resurssit", quote="Kela on mukana.")
    b = project.code("H1", "johtaminen", quote="Kela on mukana.")
    _send(widget, {"action": "passages", "code": "johtaminen"})
    rows = {r["coding_id"]: r for r in widget.passages["rows"]}
    assert set(rows) == {a, b}  # the subcode's passage comes too
    assert (rows[a]["source_id"], rows[a]["case_id"], rows[a]["text"]) == (
        "H2", "H2", "Kela on mukana.")
    assert rows[b]["speaker"] == "V"


def test_memos_on_a_code_and_on_a_source(widget: CodingWidget,
                                         project: tymqual.Project) -> None:
    import yaml

    _send(widget, {"action": "code_memo", "code": "resurssit", "text": " Tarkista rajaus. "})
    _send(widget, {"action": "source_memo", "text": "Haastattelu keskeytyi kerran."})
    assert widget.status["kind"] == "ok", widget.status
    book = yaml.safe_load((project.codes_dir / "codebook.yaml").read_text(encoding="utf-8"))
    [johtaminen] = [c for c in book["codes"] if c["key"] == "johtaminen"]
    [resurssit] = [c for c in johtaminen["children"] if c["key"] == "resurssit"]
    assert resurssit["memo"] == "Tarkista rajaus."
    assert "memo" not in johtaminen  # a code without a memo is written as before
    assert tymqual.open_project(project.root).codebook.resolve("resurssit").memo == (
        "Tarkista rajaus.")
    assert [c["memo"] for c in widget.codes if c["key"] == "resurssit"] == ["Tarkista rajaus."]
    memos = yaml.safe_load((project.codes_dir / "memos.yaml").read_text(encoding="utf-8"))
    assert memos == {"sources": {"H2": "Haastattelu keskeytyi kerran."}}
    widget.source_id = "H1"
    assert widget.source_memo == ""
    widget.source_id = "H2"
    assert widget.source_memo == "Haastattelu keskeytyi kerran."


@pytest.mark.parametrize("color", ["#ffffff", "#c7eadf", "#fbdcc4", "#1b9e77", "#000000"])
def test_bars_are_visible_on_white(color: str) -> None:
    import colorsys

    bar = _bar_color(color)
    r, g, b = (int(bar[i:i + 2], 16) / 255 for i in (1, 3, 5))
    assert 0.24 <= colorsys.rgb_to_hls(r, g, b)[1] <= 0.61


# ---------------------------------------------------------------------------- the browser

DEMO_PARTS = ("transcripts", "surveys", "codes", "tymqual.yaml")
# The emoji sits in the same turn, before the passage the browser selects.
EMOJI_AT = ("Joo. Eli mä olen", "Joo 🙂. Eli mä olen")
PASSAGE = "mä olen eteläisen vakuutuspiirin TYM-palvelupäällikkö Kelassa"
CODE = "verkostojohtaminen/verkoston_liima"
SUGGESTED = "vakuutuspiirin TYM-palvelupäällikkö Kelassa. Tässä nimenomaisessa tehtävässä"


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """The demo project copied, so nothing a test codes reaches the committed files."""
    root = tmp_path / "demo"
    root.mkdir()
    for part in DEMO_PARTS:
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, root / part)
        else:
            shutil.copy2(REPO / part, root / part)
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kernel_env(tmp: Path) -> dict[str, str]:
    """Environment whose only ``python3`` kernel is this interpreter, and no user settings."""
    spec = tmp / "kernel" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python",
    }), encoding="utf-8")
    env = dict(os.environ)
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython"),
                      ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                      ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces")):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(tmp / sub)
    env["JUPYTER_PATH"] = str(tmp / "kernel")
    # No "official Jupyter news?" prompt over the page.
    news = tmp / "lab-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    return env


def _notebook(path: Path, source: str) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)


def _wait_for_server(proc: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer {url} in {timeout:g} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def jupyterlab(demo_copy: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving the demo copy on 127.0.0.1: yields (base URL with token, root)."""
    lab = Path(sys.executable).parent / "jupyter-lab"
    if not lab.exists():
        pytest.skip(f"no JupyterLab at {lab} (pip install jupyterlab)")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed")
    port, token = _free_port(), uuid.uuid4().hex
    log = tmp_path / "jupyterlab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(lab), "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={demo_copy}", "--LabApp.extension_manager=readonly",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            cwd=demo_copy, env=_kernel_env(tmp_path / "jupyter"), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(proc, f"{base}/api/status?token={token}", log, timeout=60)
        yield f"{base}/lab/tree/koodaus.ipynb?token={token}", demo_copy
    finally:
        # The server and the kernels it started share the session begun above.
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        except ProcessLookupError:
            pass


SELECT_JS = """([turn, needle]) => {
  const box = document.querySelector(`.tq-block[data-turn="${turn}"] .tq-text`);
  const whole = box.textContent;
  const at = whole.indexOf(needle);
  if (at < 0) return null;
  // The turn's text is split into text nodes at every highlight: find the node and offset
  // of a UTF-16 index, as a user's selection would give them.
  const point = (index) => {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (index <= node.data.length) return [node, index];
      index -= node.data.length;
    }
    throw new Error("index beyond the text");
  };
  const range = document.createRange();
  range.setStart(...point(at));
  range.setEnd(...point(at + needle.length));
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  box.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
  return at;
}"""



def _browser_page(pw: Any, *, height: int) -> tuple[Any, Any, list[str]]:
    """Chromium at 1366 px wide, a page that waits up to a minute, and the page's console
    lines (messages and uncaught errors) collected for the failure message."""
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1366, "height": height})
    page.set_default_timeout(60_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    return browser, page, console

def _start_kernel(url: str) -> None:
    """Start the notebook's kernel through the server's REST API before the page opens.

    JupyterLab then joins the running session; left to itself on a busy machine, it may
    ask "Select Kernel" (kernel specs loaded after the notebook) or start two kernels.
    """
    base, _, rest = url.partition("/lab/tree/")
    path, _, token = rest.partition("?token=")
    body = {"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}}
    request = urllib.request.Request(
        f"{base}/api/sessions", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status in (200, 201)


def _run_first_cell(page: Any) -> None:
    """Run the notebook's first code cell once the kernel is idle; a run sent earlier is lost.

    On a busy machine JupyterLab may ask "Select Kernel" although the session runs (the
    kernel specs arrive after the notebook): the preselected Python 3 is accepted, as a
    user would.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    cell = page.locator(".jp-Notebook .jp-CodeCell").first
    cell.locator(".cm-content").wait_for(state="visible", timeout=90_000)
    prompt = cell.locator(".jp-InputPrompt")
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    for _ in range(4):
        if accept.count():
            accept.first.click()
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(
            state="attached", timeout=90_000)
        try:
            cell.locator(".cm-content").click(timeout=10_000)
            page.keyboard.press("Control+Enter")
            page.wait_for_function("(el) => /\\[(\\*|\\d+)\\]/.test(el.textContent)",
                                   arg=prompt.element_handle(), timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    pytest.fail("JupyterLab did not start running the cell in four tries")


def _poll(check: Callable[[], Any], timeout: float = 20) -> Any:
    """``check()`` once it is truthy, or its last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(0.2)
        value = check()
    return value


def _status(ledger: Path, coding_id: str) -> str | None:
    rows = [r for r in _new_rows(ledger, set()) if r["coding_id"] == coding_id]
    return rows[0]["status"] if rows else None


def _new_rows(ledger: Path, known: set[str]) -> list[dict[str, str]]:
    with ledger.open(encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.DictReader(f) if r["coding_id"] not in known]


def test_coding_in_jupyterlab_with_chromium(jupyterlab: tuple[str, Path]) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    url, root = jupyterlab
    h2 = root / "transcripts" / "H2.txt"
    h2.write_text(h2.read_text(encoding="utf-8").replace(*EMOJI_AT), encoding="utf-8")
    with pytest.warns(tymqual.TymqualWarning, match="moved"):
        p = tymqual.open_project(root)  # re-anchors the H2 codings now, before the kernel does
    text = p.text("H2")
    start = text.index(PASSAGE)
    turns = p.turns("H2")
    inside = turns[(turns["start"] <= start) & (start < turns["end"])]
    turn, turn_start = int(inside["turn"].iloc[0]), int(inside["start"].iloc[0])
    assert "🙂" in text[turn_start:start]  # the emoji really is before the passage
    # A suggestion overlapping the passage: the picture shows overlap and suggestion styles.
    suggested = p.code("H2", "valtakunnallinen_alueellinen/kelan_yhdistava_rooli",
                       quote=SUGGESTED, status="suggested", coder="autocode")
    ledger = root / "codes" / "codings.csv"
    known = {r["coding_id"] for r in _new_rows(ledger, set())}
    _notebook(root / "koodaus.ipynb",
              "import tymqual\nfrom tymqual.widget import CodingWidget\n\n"
              "p = tymqual.open_project('.')\nCodingWidget(p, 'H2', coder='selain')")

    with sync_api.sync_playwright() as pw:
        browser, page, console = _browser_page(pw, height=1000)
        try:
            _start_kernel(url)
            page.goto(url, wait_until="domcontentloaded")
            _run_first_cell(page)
            widget = page.locator(".tq-coder")
            widget.locator(f'.tq-block[data-turn="{turn}"] .tq-text').wait_for(timeout=30_000)

            at = page.evaluate(SELECT_JS, [turn, PASSAGE])
            assert at is not None, "the passage is not in the rendered turn"
            shown = widget.locator(".tq-selection .tq-offsets").inner_text()
            assert shown == f"merkit {start}–{start + len(PASSAGE)}"

            widget.locator(".tq-search").fill("liima")
            widget.locator(f'.tq-code[data-path="{CODE}"]').click()
            widget.locator(".tq-memo").fill("Selaintesti")
            widget.locator(".tq-reduced").fill("Haastateltava on TYM-palvelupäällikkö")
            widget.locator(".tq-code-btn").click()
            widget.locator(".tq-status.tq-ok").wait_for(timeout=30_000)

            rows = _poll(lambda: _new_rows(ledger, known))
            assert len(rows) == 1, rows
            row = rows[0]
            assert (row["source_id"], int(row["start"]), int(row["end"])) == (
                "H2", start, start + len(PASSAGE))
            assert (row["code"], row["coder"], row["memo"], row["text"]) == (
                "verkoston_liima", "selain", "Selaintesti", PASSAGE)
            assert row["reduced"] == "Haastateltava on TYM-palvelupäällikkö"

            # The code search filters the marks too: with it empty, every code shows again.
            assert widget.locator(f'.tq-mark[data-ids~="{suggested}"]').count() == 0
            widget.locator(".tq-search").fill("")
            # The highlight covers exactly the passage, though the suggestion splits it.
            cid = row["coding_id"]
            marks = widget.locator(f'.tq-mark[data-ids~="{cid}"]')
            marks.first.wait_for(timeout=20_000)
            assert "".join(marks.all_inner_texts()) == PASSAGE
            both = widget.locator(f'.tq-mark.tq-overlap[data-ids~="{cid}"]'
                                  f'[data-ids~="{suggested}"]').first
            both.scroll_into_view_if_needed()
            both.click()
            details = widget.locator(".tq-details")
            details.locator(f'.tq-detail[data-id="{cid}"]').wait_for(timeout=10_000)
            # Each overlapping coding is listed with its own text.
            assert PASSAGE in details.locator(f'.tq-detail[data-id="{cid}"] .tq-detail-text'
                                              ).inner_text()
            assert SUGGESTED in details.locator(
                f'.tq-detail[data-id="{suggested}"] .tq-detail-text').inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            widget.screenshot(path=str(ARTIFACTS / "widget.png"), timeout=30_000)

            # Accept the suggestion, then remove the new coding, from the details panel.
            details.locator(f'.tq-detail[data-id="{suggested}"] .tq-accept').click()
            assert _poll(lambda: _status(ledger, suggested) == "accepted")
            both.click()
            details.locator(f'.tq-detail[data-id="{cid}"] .tq-uncode').click()
            confirm = details.locator(f'.tq-detail[data-id="{cid}"] .tq-confirm')
            assert PASSAGE in confirm.inner_text() and "Selaintesti" in confirm.inner_text()
            assert _status(ledger, cid) == "accepted"  # nothing removed before the answer
            confirm.locator(".tq-confirm-yes").click()
            assert _poll(lambda: _status(ledger, cid) is None)
            marks.first.wait_for(state="detached", timeout=20_000)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "widget-failure.png"))
            print("Browser console:", *console[-40:], sep="\n")
            raise
        finally:
            browser.close()


# ---------------------------------------------------------------------------- a coding day

DRAG_JS = """([turn, from, to]) => {
  // Screen points of the left edge of character `from` and the right edge of `to - 1`
  // (UTF-16 indexes into the turn's text), for a real mouse drag.
  const box = document.querySelector(`.tq-block[data-turn="${turn}"] .tq-text`);
  box.scrollIntoView({block: "center"});
  const point = (index) => {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (index < node.data.length) return [node, index];
      index -= node.data.length;
    }
    throw new Error("index beyond the text");
  };
  const rect = (i) => {
    const r = document.createRange();
    r.setStart(...point(i));
    r.setEnd(point(i)[0], point(i)[1] + 1);
    return r.getBoundingClientRect();
  };
  const a = rect(from), b = rect(to - 1);
  return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
}"""

WAIT_STATUS_JS = """([el, seq, prefix]) =>
  Number(el.dataset.seq || 0) > seq && el.textContent.startsWith(prefix)"""

# Words as a reader sees them: runs without white space and sentence punctuation.
READER_WORD = r"[^\s.,:;!?…()”\"]+"


def _codebook_paths(codes: list[dict[str, Any]], parent: str = "") -> list[str]:
    """Every code's path in the order of codebook.yaml, parents before children."""
    paths: list[str] = []
    for code in codes:
        path = f"{parent}/{code['key']}" if parent else code["key"]
        paths += [path, *_codebook_paths(code.get("children") or [], path)]
    return paths


def _words_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole reader words that ``[start, end)`` touches."""
    import re

    spans = [m.span() for m in re.finditer(READER_WORD, text) if m.end() > start
             and m.start() < end]
    return spans[0][0], spans[-1][1]


class _Day:
    """One coder's session in the widget: real mouse and keyboard, waits on the widget's
    own signals (the status sequence number, the pending count), never on the clock."""

    def __init__(self, page: Any, text: str, turns: Any) -> None:
        self.page, self.text = page, text
        self.widget = page.locator(".tq-coder")
        self.status = self.widget.locator(".tq-status")
        self.turns = {int(r.turn): (int(r.start), int(r.end)) for r in turns.itertuples()}

    def seq(self) -> int:
        return int(self.status.get_attribute("data-seq") or 0)

    def expect(self, prefix: str, seq: int) -> None:
        self.page.wait_for_function(WAIT_STATUS_JS, arg=[self.status.element_handle(), seq,
                                                          prefix], timeout=30_000)

    def settle(self) -> None:
        self.page.wait_for_function("(el) => (el.dataset.pending || '0') === '0'",
                                    arg=self.widget.element_handle(), timeout=30_000)

    def points(self, turn: int, start: int, end: int) -> list[float]:
        base = self.turns[turn][0]
        return list(self.page.evaluate(DRAG_JS, [turn, start - base, end - base]))

    def drag(self, turn: int, start: int, end: int) -> None:
        x1, y1, x2, y2 = self.points(turn, start, end)
        self.page.mouse.move(x1, y1)
        self.page.mouse.down()
        self.page.mouse.move(x2, y2, steps=4)
        self.page.mouse.up()

    def click_at(self, turn: int, offset: int, clicks: int = 1) -> None:
        x, y, _, _ = self.points(turn, offset, offset + 1)
        self.page.mouse.click(x, y, click_count=clicks)

    def keys(self, *presses: str) -> None:
        for key in presses:
            self.page.keyboard.press(key)

    def tree_item(self, path: str) -> Any:
        return self.widget.locator(f'.tq-code[data-path="{path}"]')

    def code_with(self, act: Callable[[], None]) -> None:
        seq = self.seq()
        act()
        self.expect("Koodattu", seq)
        self.settle()


def _notebook_cells(path: Path, cells: list[tuple[str, str]]) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    nb.cells = [make[kind](source) for kind, source in cells]
    nbformat.write(nb, path)


def _ledger_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


DAY_CELLS = [
    ("markdown", "# Koodaus selaimessa"),
    ("code", "import tymqual\n\np = tymqual.open_project('.')\np.coder('H1')"),
    ("code", "p.codings.tail()"),
]


def test_a_coding_day_in_jupyterlab_by_mouse_and_keyboard(
    jupyterlab: tuple[str, Path], tmp_path: Path, own_config: Path
) -> None:
    """Ten codings by mouse and keyboard (whole turns too), three undone and one redone, a
    code made and renamed, and JupyterLab's d d b pressed inside the widget: afterwards the
    ledger and the codebook on disk are exactly as expected and the notebook keeps its cells.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    import re

    import yaml

    url, root = jupyterlab
    p = tymqual.open_project(root)
    text, turns = p.text("H1"), p.turns("H1")
    assert all(ord(ch) < 0x10000 for ch in text)  # UTF-16 indexes are code points here
    speech = {int(r.turn): r.text for r in turns.itertuples()}
    bounds = {int(r.turn): (int(r.start), int(r.end)) for r in turns.itertuples()}
    book_file = root / "codes" / "codebook.yaml"
    book_before = yaml.safe_load(book_file.read_text(encoding="utf-8"))
    paths = _codebook_paths(book_before["codes"])
    ledger = root / "codes" / "codings.csv"
    rows_before = _ledger_rows(ledger)
    _notebook_cells(root / "koodaus.ipynb", DAY_CELLS)
    screens = tmp_path / "screens"
    screens.mkdir()

    def inside(turn: int, word: str, cut_left: int, cut_right: int) -> tuple[int, int]:
        """A span starting ``cut_left`` into ``word`` and ending ``cut_right`` before its
        end, inside turn ``turn``: a careless mouse selection."""
        at = text.index(word, *bounds[turn])
        return at + cut_left, at + len(word) - cut_right

    expected: list[tuple[int, int, str]] = []  # (start, end, code path) in coding order

    with sync_api.sync_playwright() as pw:
        browser, page, console = _browser_page(pw, height=900)
        try:
            _start_kernel(url)
            page.goto(url, wait_until="domcontentloaded")
            _run_first_cell(page)
            day = _Day(page, text, turns)
            day.widget.locator('.tq-block[data-turn="2"] .tq-text').wait_for(timeout=60_000)

            # Nobody told the widget who codes: it asks once and remembers.
            ask = day.widget.locator(".tq-ask")
            assert ask.is_visible()
            ask.locator(".tq-ask-input").fill("selain")
            ask.locator(".tq-ask-input").press("Enter")
            ask.wait_for(state="hidden")
            assert _poll(lambda: (own_config / "tymqual" / "coder").exists())
            assert (own_config / "tymqual" / "coder").read_text(encoding="utf-8") == "selain\n"

            # From the code search, two Tabs reach Koodaa (the tree is one stop).
            day.widget.locator(".tq-search").focus()
            day.keys("Tab", "Tab")
            assert day.widget.locator(".tq-code-btn").evaluate(
                "(el) => el === document.activeElement")

            # 1. A mouse drag from inside one word to inside another; a code from the tree.
            s, e = inside(2, "läntisen vakuutuspiirin", 3, 4)
            day.drag(2, s, e)
            expected.append((*_words_around(text, s, e), paths[1]))
            day.tree_item(paths[1]).click()
            day.widget.locator(".tq-memo").fill("Selaintesti")
            day.widget.locator(".tq-reduced").fill("Läntinen piiri")
            day.code_with(lambda: day.widget.locator(".tq-code-btn").click())
            page.screenshot(path=str(screens / "01-drag.png"))

            # 2. A drag, then the number key 2 and Enter, Enter, Enter: no mouse on the panel.
            s, e = inside(4, "viisi sopimusaluetta", 2, 3)
            day.drag(4, s, e)
            expected.append((*_words_around(text, s, e), paths[1]))
            day.code_with(lambda: day.keys("2", "Enter", "Enter", "Enter"))

            # 3. and 4. Triple clicks: the turn's speech exactly, never the next label.
            day.click_at(6, bounds[6][0] + 10, clicks=3)
            expected.append((*bounds[6], paths[0]))
            day.code_with(lambda: (day.keys("1"), day.widget.locator(".tq-code-btn").click()))
            day.click_at(8, bounds[8][0] + 30, clicks=3)
            expected.append((*bounds[8], paths[2]))
            day.code_with(lambda: day.keys("3", "Enter", "Enter", "Enter"))
            page.screenshot(path=str(screens / "02-turns.png"))

            # 5. and 6. A click in a turn, then the whole-turn button.
            for turn, key in ((10, "5"), (12, "6")):
                day.click_at(turn, bounds[turn][0] + 40)
                day.widget.locator(".tq-turn-btn").click()
                expected.append((*bounds[turn], paths[int(key) - 1]))
                day.code_with(lambda key=key: (day.keys(key),
                                               day.widget.locator(".tq-code-btn").click()))

            # 7. The keyboard: a caret at the turn's start, two words with Ctrl+Shift+Right,
            # the code found by typing its first letters in the tree.
            kunta = next(q for q in paths if q.endswith("/mallisopimus"))
            day.click_at(14, bounds[14][0])
            day.keys("Control+Shift+ArrowRight", "Control+Shift+ArrowRight")
            second = list(re.finditer(READER_WORD, speech[14]))[1]
            expected.append((bounds[14][0], bounds[14][0] + second.end(), kunta))
            day.code_with(lambda: day.keys("Enter", "k", "u", "n", "Enter", "Enter"))

            # 8. Home, then five characters with Shift+Right: whole words are coded.
            kela = next(q for q in paths if q.endswith("kelan_yhdistava_rooli"))
            day.click_at(16, bounds[16][0] + 50)
            day.keys("Home", *["Shift+ArrowRight"] * 5)
            expected.append((*_words_around(text, bounds[16][0], bounds[16][0] + 5), kela))
            day.code_with(lambda: day.keys("Enter", "k", "e", "l", "Enter", "Enter"))

            # 9. Home and Shift+End: the turn from the keyboard.
            day.click_at(18, bounds[18][0] + 20)
            day.keys("Home", "Shift+End")
            expected.append((*bounds[18], paths[8]))
            day.code_with(lambda: day.keys("9", "Enter", "Enter", "Enter"))

            # 10. A drag inside a hyphenated word takes the whole of it.
            s, e = inside(20, "TYM-asiantuntija", 5, 3)
            day.drag(20, s, e)
            expected.append((*_words_around(text, s, e), paths[4]))
            day.tree_item(paths[4]).click()
            day.code_with(lambda: day.widget.locator(".tq-code-btn").click())
            assert len(_ledger_rows(ledger)) == len(rows_before) + 10

            # Three undone with Ctrl+Z, one redone with Ctrl+Shift+Z, all inside the widget.
            day.widget.locator(".tq-transcript").focus()
            for _ in range(3):
                seq = day.seq()
                day.keys("Control+z")
                day.expect("Kumottu", seq)
            seq = day.seq()
            day.keys("Control+Shift+Z")
            day.expect("Tehty uudelleen", seq)
            expected = expected[:8]

            # A new code, renamed and recoloured from the tree's codebook panel.
            day.widget.locator(".tq-book summary").click()
            day.widget.locator(".tq-edit-name").fill("Selaimen uusi koodi")
            seq = day.seq()
            day.widget.locator(".tq-add-code").click()
            day.expect("Uusi koodi", seq)
            day.tree_item("selaimen_uusi_koodi").click()
            day.widget.locator(".tq-edit-name").fill("Selaimessa nimetty")
            seq = day.seq()
            day.widget.locator(".tq-rename-code").click()
            day.expect("Koodi nimetty", seq)
            seq = day.seq()
            day.widget.locator(".tq-color").evaluate(
                "(el) => { el.value = '#123abc'; el.dispatchEvent(new Event('change')); }")
            day.expect("Koodin Selaimessa nimetty väri", seq)
            day.settle()

            # Memos on the picked code and on the source.
            day.widget.locator(".tq-memos summary").click()
            day.widget.locator(".tq-code-memo").fill("Selaimen muistio")
            seq = day.seq()
            day.widget.locator(".tq-save-code-memo").click()
            day.expect("Koodin Selaimessa nimetty muistiinpano", seq)
            day.widget.locator(".tq-source-memo").fill("Lähteen muistio")
            seq = day.seq()
            day.widget.locator(".tq-save-source-memo").click()
            day.expect("Aineiston H1 muistiinpano", seq)

            # The new code moved under the first theme from the tree's codebook panel.
            top = str(book_before["codes"][0]["key"])
            day.tree_item("selaimen_uusi_koodi").click()
            day.widget.locator(".tq-move-to").select_option(top)
            seq = day.seq()
            day.widget.locator(".tq-move-code").click()
            day.expect("Koodi siirretty", seq)
            moved = f"{top}/selaimen_uusi_koodi"
            day.tree_item(moved).wait_for()

            # A second code, given a whole turn, then merged into the moved one: the coding
            # follows it into the ledger, the second code leaves the codebook.
            day.widget.locator(".tq-edit-name").fill("Yhdistettävä koodi")
            seq = day.seq()
            day.widget.locator(".tq-add-code").click()
            day.expect("Uusi koodi", seq)
            free = min(t for t in bounds if t > 20 and t % 2 == 0)
            day.click_at(free, bounds[free][0] + 10, clicks=3)
            expected.append((*bounds[free], moved))
            day.code_with(lambda: (day.tree_item("yhdistettävä_koodi").click(),
                                   day.widget.locator(".tq-code-btn").click()))
            day.tree_item("yhdistettävä_koodi").click()
            day.widget.locator(".tq-merge-into").select_option(moved)
            seq = day.seq()
            day.widget.locator(".tq-merge-code").click()
            day.expect("Koodi yhdistetty koodiin Selaimessa nimetty; 1 koodausta", seq)
            day.tree_item("yhdistettävä_koodi").wait_for(state="detached")
            day.settle()

            # Two coders side by side: the demo's A on the left, this session on the right.
            day.widget.locator(".tq-filter").select_option("pair:A\tselain")
            left = day.widget.locator(".tq-text .tq-mark")
            right = day.widget.locator(".tq-other-text .tq-mark")
            assert left.count() and right.count()
            assert all("(A)" in t for t in left.evaluate_all("(m) => m.map((x) => x.title)"))
            assert all("(selain)" in t
                       for t in right.evaluate_all("(m) => m.map((x) => x.title)"))
            page.screenshot(path=str(screens / "03-side-by-side.png"))
            day.widget.locator(".tq-filter").select_option("all")

            # JupyterLab's "delete cell" (d d) and "insert cell below" (b) stay in the widget.
            cells = page.locator(".jp-Notebook .jp-Cell")
            assert cells.count() == len(DAY_CELLS)
            day.tree_item(paths[0]).click()
            day.widget.locator(".tq-tree").focus()
            day.keys("Escape", "d", "d", "b")
            day.widget.locator(".tq-transcript").focus()
            day.keys("d", "d", "b", "Enter")
            assert cells.count() == len(DAY_CELLS)
            assert day.widget.is_visible()
            page.screenshot(path=str(screens / "04-day.png"))
            day.widget.screenshot(path=str(screens / "05-widget.png"))

            # A code's passages in every source: one in H2 is a click away, and the status
            # line then speaks of H2.
            there = [r for r in _ledger_rows(ledger) if r["source_id"] == "H2"
                     and r["code"] == paths[1].rsplit("/", 1)[-1]]
            assert there, "the demo has no H2 coding of that code to jump to"
            day.tree_item(paths[1]).click()
            seq = day.seq()
            day.widget.locator(f'.tq-passage[data-id="{there[0]["coding_id"]}"]').click()
            n_h2 = sum(r["source_id"] == "H2" and r["status"] not in ("suggested", "rejected")
                       for r in _ledger_rows(ledger))
            day.expect(f"Aineisto H2: {n_h2} koodausta.", seq)
            offsets = day.widget.locator(".tq-selection .tq-offsets")
            offsets.filter(has_text=f'merkit {there[0]["start"]}–{there[0]["end"]}').wait_for()
            assert day.widget.locator(".tq-source").input_value() == "H2"

            # Saved from outside the widget, the notebook on disk has every cell.
            page.locator(".jp-Notebook .jp-Cell").first.click()
            day.keys("Control+s")
            nbformat = pytest.importorskip("nbformat")
            saved = _poll(lambda: nbformat.read(root / "koodaus.ipynb", as_version=4)
                          .cells[1].get("outputs"))
            assert saved
            notebook = nbformat.read(root / "koodaus.ipynb", as_version=4)
            assert [(c.cell_type, c.source) for c in notebook.cells] == DAY_CELLS
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "widget-day-failure.png"))
            print("Browser console:", *console[-40:], sep="\n")
            raise
        finally:
            browser.close()
    print(f"screenshots (1366 px wide) in {screens}")

    # The ledger: every earlier row untouched, and exactly the eight codings left standing.
    after = _ledger_rows(ledger)
    assert after[:len(rows_before)] == rows_before
    new = [(r["source_id"], int(r["start"]), int(r["end"]), r["code"], r["coder"], r["status"],
            r["memo"], r["reduced"], r["text"]) for r in after[len(rows_before):]]
    wanted = [("H1", s, e, path.rsplit("/", 1)[-1], "selain", "accepted",
               "Selaintesti" if n == 0 else "", "Läntinen piiri" if n == 0 else "", text[s:e])
              for n, (s, e, path) in enumerate(expected)]
    assert new == wanted
    for turn in (6, 8, 10, 12):  # whole turns; the one from Shift+End (18) was undone
        assert speech[turn] in {row[-1] for row in new}

    # The codebook: as before, with the one new code at the end, its key from its first name.
    book_after = yaml.safe_load(book_file.read_text(encoding="utf-8"))
    added = {"name": "Selaimessa nimetty", "key": "selaimen_uusi_koodi", "definition": "",
             "use_when": "", "do_not_use_when": "", "example": "", "color": "#123abc",
             "keywords": [], "memo": "Selaimen muistio"}
    first = book_before["codes"][0]
    moved_under = {**first, "children": [*first.get("children", []), added]}
    assert book_after == {**book_before, "codes": [moved_under, *book_before["codes"][1:]]}
    memos = yaml.safe_load((root / "codes" / "memos.yaml").read_text(encoding="utf-8"))
    assert memos == {"sources": {"H1": "Lähteen muistio"}}
