// tymqual coding widget: the front end of tymqual.widget.CodingWidget (an anywidget ES module).
//
// Offsets sent to Python are Unicode code points into the source's normalised text. The DOM
// counts UTF-16 units, so every position is turned into text with Range.toString() and
// counted with Array.from(), which iterates by code point (an emoji counts once).
//
// The widget keeps its keys: every key pressed inside it stops at its root, and the root
// carries Lumino's data-lm-suppress-shortcuts, so no JupyterLab shortcut (d d, b, Enter, …)
// acts on the notebook while focus is in the widget.

const T = {
  source: "Aineisto",
  coder: "Koodaaja",
  askCoder: "Kuka koodaa? Kirjoita nimesi tai nimikirjaimesi; widget muistaa sen.",
  askOk: "Tallenna nimi",
  needCoder: "Kirjoita ensin koodaajan nimi tai nimikirjaimet.",
  show: "Näytä",
  showAll: "kaikki koodaukset",
  showMine: "vain omat",
  showCode: "vain valittu koodi",
  showCoder: "koodaaja",
  sideBySide: "rinnakkain",
  undo: "Kumoa",
  redo: "Tee uudelleen",
  refresh: "Päivitä",
  selection: "Valittu kohta",
  noSelection: "Valitse tekstikohta hiirellä tai näppäimistöllä (Shift+nuolet litteroinnissa).",
  wholeTurn: "Koko puheenvuoro",
  chars: "merkit",
  code: "Koodi",
  search: "Hae koodia…",
  noMatch: "Hakua vastaavaa koodia ei ole.",
  counts: "koodauksia tässä aineistossa / kaikissa",
  memo: "Muistiinpano (memo)",
  reduced: "Pelkistetty ilmaus",
  doCode: "Koodaa",
  saving: "Tallennetaan…",
  pickText: "Valitse ensin tekstikohta litteroinnista.",
  pickCode: "Valitse koodi koodipuusta.",
  noReply: "Python-ydin ei vastannut 20 sekunnissa. Tarkista, onko ydin käynnissä, ja paina Päivitä nähdäksesi, mitä tallentui.",
  book: "Koodikirja",
  newName: "Koodin nimi",
  addCode: "Lisää koodi",
  asChild: "valitun alakoodiksi",
  rename: "Nimeä valittu",
  color: "Väri",
  moveTo: "Siirrä valittu kohtaan",
  top: "(päätaso)",
  move: "Siirrä",
  mergeInto: "Yhdistä valittu koodiin",
  merge: "Yhdistä",
  passages: "Koodin kohdat kaikissa aineistoissa",
  memos: "Muistiinpanot",
  sourceMemo: "Aineiston muistiinpano",
  codeMemo: "Valitun koodin muistiinpano",
  save: "Tallenna",
  details: "Kohdan koodaukset",
  remove: "Poista koodaus…",
  confirm: "Poistetaanko tämä koodaus? Kumoa onnistuu (Ctrl+Z).",
  confirmYes: "Poista",
  confirmNo: "Peruuta",
  recode: "Vaihda koodiksi",
  accept: "Hyväksy",
  reject: "Hylkää",
  reselect: "Valitse sama kohta",
  suggested: "ehdotus",
  by: "koodaaja",
  close: "Sulje",
  turn: "puheenvuoro",
  keys: "Näppäimet: Shift+nuolet valitsevat (Ctrl: sanoittain), 1–9 valitsee koodin, Enter koodaa, Ctrl+Z kumoaa, Ctrl+Shift+Z tekee uudelleen.",
};
const REPLY_TIMEOUT_MS = 20000;
const WORD = /[^\s\p{P}\p{Z}]|['’-]/u; // as tymqual.widget._in_word
const TYPING = "input, textarea, select";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function codePoints(s) {
  return Array.from(s).length;
}

function short(s, n = 160) {
  const t = (s || "").replace(/\s+/g, " ").trim();
  return t.length > n ? t.slice(0, n) + " …" : t;
}

function render({ model, el: host }) {
  const uid = Math.random().toString(36).slice(2); // option ids unique among widgets on a page
  const state = {
    selection: null, // {start, end, text, turn?}
    caret: null, // {anchor, focus}: keyboard selection in code points
    picked: null, // code path
    active: null, // code path the tree's keyboard focus is on
    details: null, // coding ids shown in the details panel
    confirming: null, // coding id whose removal waits for confirmation
    jump: null, // {start, end} to select once the source's blocks arrive
    pending: new Map(), // request number -> {timer, action}
    nextRequest: 1,
    typed: "",
    typedAt: 0,
  };

  // ------------------------------------------------------------------ layout
  const sourceSelect = el("select", { class: "tq-source" });
  const coderInput = el("input", { class: "tq-coder-name", type: "text", size: "10" });
  const filter = el("select", { class: "tq-filter" });
  const undoBtn = el("button", { class: "tq-undo", type: "button", text: T.undo, title: "Ctrl+Z" });
  const redoBtn = el("button", { class: "tq-redo", type: "button", text: T.redo, title: "Ctrl+Shift+Z" });
  const refreshBtn = el("button", { class: "tq-refresh", type: "button", text: T.refresh });
  const bar = el("div", { class: "tq-bar" },
    el("label", {}, T.source + " ", sourceSelect),
    el("label", {}, T.coder + " ", coderInput),
    el("label", {}, T.show + " ", filter),
    undoBtn, redoBtn, refreshBtn);
  const askInput = el("input", { class: "tq-ask-input", type: "text", size: "12" });
  const askOk = el("button", { class: "tq-ask-ok", type: "button", text: T.askOk });
  const ask = el("div", { class: "tq-ask", hidden: "" }, el("span", { text: T.askCoder }), askInput, askOk);
  const transcript = el("div", { class: "tq-transcript", tabindex: "0", role: "document", "aria-label": T.keys, title: T.keys });
  const status = el("div", { class: "tq-status", role: "status", "aria-live": "polite" });
  const selectionView = el("div", { class: "tq-selection", text: T.noSelection });
  const turnBtn = el("button", { class: "tq-turn-btn", type: "button", text: T.wholeTurn });
  const search = el("input", { class: "tq-search", type: "search", placeholder: T.search });
  const tree = el("ul", { class: "tq-tree", role: "listbox", tabindex: "0", "aria-label": T.code });
  const codeBtn = el("button", { class: "tq-code-btn", type: "button", text: T.doCode });
  const memo = el("textarea", { class: "tq-memo", rows: "2" });
  const reduced = el("input", { class: "tq-reduced", type: "text" });
  const editName = el("input", { class: "tq-edit-name", type: "text", placeholder: T.newName });
  const asChild = el("input", { class: "tq-as-child", type: "checkbox" });
  const addBtn = el("button", { class: "tq-add-code", type: "button", text: T.addCode });
  const renameBtn = el("button", { class: "tq-rename-code", type: "button", text: T.rename });
  const colorInput = el("input", { class: "tq-color", type: "color" });
  const moveSelect = el("select", { class: "tq-move-to" });
  const moveBtn = el("button", { class: "tq-move-code", type: "button", text: T.move });
  const mergeSelect = el("select", { class: "tq-merge-into" });
  const mergeBtn = el("button", { class: "tq-merge-code", type: "button", text: T.merge });
  const book = el("details", { class: "tq-book" }, el("summary", { text: T.book }),
    el("div", { class: "tq-row" }, editName, addBtn, el("label", {}, asChild, " " + T.asChild)),
    el("div", { class: "tq-row" }, renameBtn, el("label", {}, T.color + " ", colorInput)),
    el("div", { class: "tq-row" }, el("label", {}, T.moveTo + " ", moveSelect), moveBtn),
    el("div", { class: "tq-row" }, el("label", {}, T.mergeInto + " ", mergeSelect), mergeBtn));
  const sourceMemo = el("textarea", { class: "tq-source-memo", rows: "3" });
  const saveSourceMemo = el("button", { class: "tq-save-source-memo", type: "button", text: T.save });
  const codeMemo = el("textarea", { class: "tq-code-memo", rows: "3" });
  const saveCodeMemo = el("button", { class: "tq-save-code-memo", type: "button", text: T.save });
  const memos = el("details", { class: "tq-memos" }, el("summary", { text: T.memos }),
    el("label", { class: "tq-field" }, T.sourceMemo, sourceMemo), saveSourceMemo,
    el("label", { class: "tq-field" }, T.codeMemo, codeMemo), saveCodeMemo);
  const passages = el("section", { class: "tq-passages", hidden: "" });
  const details = el("section", { class: "tq-details", hidden: "" });
  const panel = el("div", { class: "tq-panel" },
    status,
    el("section", {}, el("h4", { text: T.selection }), selectionView, turnBtn),
    el("section", {}, el("h4", { text: T.code }), search, tree),
    codeBtn,
    el("label", { class: "tq-field" }, T.memo, memo),
    el("label", { class: "tq-field" }, T.reduced, reduced),
    details,
    passages,
    book,
    memos);
  const root = el("div", { class: "tq-coder", "data-lm-suppress-shortcuts": "true" },
    bar, ask, el("div", { class: "tq-main" }, transcript, panel));
  host.append(root);

  // ------------------------------------------------------------------ messages
  function showStatus(kind, text) {
    status.className = "tq-status tq-" + kind;
    status.textContent = text;
  }

  function send(content, quiet = false) {
    const request = state.nextRequest++;
    const timer = setTimeout(() => {
      state.pending.delete(request);
      setBusy(state.pending.size > 0);
      showStatus("error", T.noReply);
    }, REPLY_TIMEOUT_MS);
    state.pending.set(request, { timer, action: content.action, quiet });
    setBusy(true);
    if (!quiet) showStatus("info", T.saving);
    model.send({ ...content, request });
  }

  // data-pending and data-replies let a test (or a screen reader user's script) wait for
  // the kernel's answer instead of guessing how long it takes.
  function setBusy(busy) {
    root.classList.toggle("tq-busy", busy);
    root.dataset.pending = String(state.pending.size);
    // A look-up (a code's passages) must not block coding, nor take the button's focus.
    codeBtn.disabled = Array.from(state.pending.values()).some((p) => !p.quiet);
  }

  function onCustom(msg) {
    if (!msg || !state.pending.has(msg.request)) return;
    const { timer, action } = state.pending.get(msg.request);
    clearTimeout(timer);
    state.pending.delete(msg.request);
    setBusy(state.pending.size > 0);
    root.dataset.replies = String(Number(root.dataset.replies || 0) + 1);
    if (msg.ok && action === "code") {
      clearSelection();
      memo.value = "";
      reduced.value = "";
    }
    if (msg.ok && action === "add_code") editName.value = "";
    if (msg.ok && action === "uncode") state.confirming = null;
  }

  // ------------------------------------------------------------------ texts and offsets
  function blocks() {
    return model.get("blocks") || [];
  }

  function blockAt(offset) {
    return blocks().find((b) => b.start <= offset && offset <= b.end) || null;
  }

  // The code point at an offset, "" between blocks (labels, line ends).
  function charAt(offset) {
    const b = blocks().find((x) => x.start <= offset && offset < x.end);
    return b ? Array.from(b.text)[offset - b.start] : "";
  }

  function textOf(start, end) {
    return blocks()
      .filter((b) => b.end > start && b.start < end)
      .map((b) => Array.from(b.text).slice(Math.max(0, start - b.start), end - b.start).join(""))
      .join(" … ");
  }

  // Mirrors tymqual.widget.snap_to_words, so what is shown is what will be saved.
  function snap(start, end) {
    const isSpace = (ch) => ch === "" || /\s/u.test(ch);
    while (start < end && isSpace(charAt(start))) start++;
    while (end > start && isSpace(charAt(end - 1))) end--;
    if (start === end) return [start, end];
    while (start > 0 && WORD.test(charAt(start - 1)) && WORD.test(charAt(start))) start--;
    while (WORD.test(charAt(end)) && WORD.test(charAt(end - 1))) end++;
    return [start, end];
  }

  // ------------------------------------------------------------------ transcript
  function codeFilter() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const mode = filter.value || "all";
    const picked = state.picked;
    return (c) => {
      if (mode === "mine" && c.coder !== (model.get("coder") || "").trim()) return false;
      if (mode.startsWith("coder:") && c.coder !== mode.slice(6)) return false;
      if (mode.startsWith("pair:") && !mode.slice(5).split("\t").includes(c.coder)) return false;
      if (mode === "code" && !(picked && (c.path === picked || c.path.startsWith(picked + "/")))) return false;
      if (words.length) {
        const code = (model.get("codes") || []).find((x) => x.path === c.path);
        if (!code || !matches(code, words)) return false;
      }
      return true;
    };
  }

  function visibleCodings() {
    return (model.get("codings") || []).filter(codeFilter());
  }

  function fillText(container, block, codings) {
    const chars = Array.from(block.text);
    const n = chars.length;
    const inside = codings.filter((c) => c.end > block.start && c.start < block.end);
    const clamp = (x) => Math.max(0, Math.min(n, x - block.start));
    const cuts = new Set([0, n]);
    for (const c of inside) {
      cuts.add(clamp(c.start));
      cuts.add(clamp(c.end));
    }
    const bounds = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < bounds.length; i++) {
      const a = bounds[i];
      const b = bounds[i + 1];
      const piece = chars.slice(a, b).join("");
      const cover = inside.filter((c) => clamp(c.start) <= a && clamp(c.end) >= b);
      if (!cover.length) {
        container.append(document.createTextNode(piece));
        continue;
      }
      const span = el("span", { class: "tq-mark", text: piece });
      span.dataset.ids = cover.map((c) => c.coding_id).join(" ");
      span.title = cover.map((c) => `${c.name} (${c.coder || "–"})` + (c.status === "suggested" ? ` ${T.suggested}` : "")).join(", ");
      const first = cover.find((c) => c.status !== "suggested") || cover[0];
      span.style.background = first.color + (first.status === "suggested" ? "22" : "44");
      // One bar per coding, stacked, in a colour dark enough to see even for pale subcodes.
      span.style.boxShadow = cover.map((c, k) => `inset 0 -${3 * (k + 1)}px 0 ${c.bar || c.color}`).join(", ");
      span.style.paddingBottom = `${3 * cover.length - 1}px`;
      if (cover.some((c) => c.status === "suggested")) span.classList.add("tq-suggested");
      if (cover.length > 1) span.classList.add("tq-overlap");
      container.append(span);
    }
  }

  // "pair:A\tB": two coders side by side for the consensus meeting; the left column is
  // the one to select in, the right one only shows.
  function comparedCoders() {
    const mode = filter.value || "";
    return mode.startsWith("pair:") ? mode.slice(5).split("\t") : null;
  }

  function renderTranscript() {
    const pair = comparedCoders();
    const codings = visibleCodings();
    const scroll = transcript.scrollTop;
    transcript.replaceChildren();
    transcript.classList.toggle("tq-compare", Boolean(pair));
    if (pair) {
      transcript.append(el("div", { class: "tq-pair-head" },
        el("div", { text: `${T.showCoder} ${pair[0]}` }), el("div", { text: `${T.showCoder} ${pair[1]}` })));
    }
    for (const b of blocks()) {
      const block = el("div", { class: `tq-block tq-${b.kind}` + (b.role ? ` tq-role-${b.role}` : "") });
      if (b.turn !== null && b.turn !== undefined) block.dataset.turn = String(b.turn);
      if (b.kind === "turn") {
        const label = b.speaker + (b.time ? ` · ${b.time}` : "");
        block.append(el("div", { class: "tq-speaker", title: `${T.turn} ${b.turn}`, text: label }));
      }
      const text = el("div", { class: "tq-text" });
      text.dataset.start = String(b.start);
      text.dataset.end = String(b.end);
      fillText(text, b, pair ? codings.filter((c) => c.coder === pair[0]) : codings);
      block.append(text);
      if (pair) {
        const other = el("div", { class: "tq-other-text", "aria-hidden": "true" });
        fillText(other, b, codings.filter((c) => c.coder === pair[1]));
        block.append(other);
      }
      transcript.append(block);
    }
    transcript.scrollTop = scroll;
    showPendingHighlight();
    if (state.details) renderDetails();
  }

  // ------------------------------------------------------------------ selection
  function textElements() {
    return Array.from(transcript.querySelectorAll(".tq-text"));
  }

  function offsetIn(textEl, node, offset) {
    const r = document.createRange();
    r.selectNodeContents(textEl);
    r.setEnd(node, offset);
    return Number(textEl.dataset.start) + codePoints(r.toString());
  }

  // A boundary on a speaker label or between blocks snaps to the nearest speech: a start
  // to the next block's beginning, an end to the previous block's end.
  function boundary(node, offset, isEnd) {
    const texts = textElements();
    const order = isEnd ? texts.slice().reverse() : texts;
    for (const t of order) {
      const r = document.createRange();
      r.selectNodeContents(t);
      let where;
      try {
        where = r.comparePoint(node, offset);
      } catch (e) {
        return null;
      }
      if (where === 0) return offsetIn(t, node, offset);
      if (!isEnd && where < 0) return Number(t.dataset.start);
      if (isEnd && where > 0) return Number(t.dataset.end);
    }
    return null;
  }

  function readSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    if (!range.intersectsNode(transcript)) return null;
    const a = boundary(range.startContainer, range.startOffset, false);
    const b = boundary(range.endContainer, range.endOffset, true);
    if (a === null || b === null || a >= b) return null;
    const [start, end] = snap(a, b);
    if (start >= end) return null;
    return { start, end, text: textOf(start, end) };
  }

  // The DOM position of a code-point offset: inside the text block that holds it.
  function pointAt(offset, isEnd) {
    for (const t of textElements()) {
      const lo = Number(t.dataset.start);
      const hi = Number(t.dataset.end);
      if (offset < lo || offset > hi || (offset === hi && !isEnd)) continue;
      let left = offset - lo;
      const walker = document.createTreeWalker(t, NodeFilter.SHOW_TEXT);
      let last = null;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const units = Array.from(node.data);
        if (left < units.length || (isEnd && left === units.length)) {
          return [node, units.slice(0, left).join("").length];
        }
        left -= units.length;
        last = node;
      }
      if (last) return [last, last.data.length];
    }
    return null;
  }

  function rangeOf(start, end) {
    const a = pointAt(start, false);
    const b = pointAt(end, true);
    if (!a || !b) return null;
    const range = document.createRange();
    range.setStart(a[0], a[1]);
    range.setEnd(b[0], b[1]);
    return range;
  }

  function showPendingHighlight() {
    clearPendingHighlight();
    if (!(globalThis.Highlight && globalThis.CSS && CSS.highlights)) return;
    const sel = state.selection;
    const range = sel ? rangeOf(sel.start, sel.end) : null;
    // Keeps the passage visibly marked after focus moves to the panel.
    if (range) CSS.highlights.set("tq-pending", new Highlight(range));
    const caret = state.caret;
    if (caret && caret.anchor === caret.focus) {
      const at = rangeOf(caret.focus, caret.focus + 1);
      if (at) CSS.highlights.set("tq-caret", new Highlight(at));
    }
  }

  function clearPendingHighlight() {
    if (globalThis.CSS && CSS.highlights) {
      CSS.highlights.delete("tq-pending");
      CSS.highlights.delete("tq-caret");
    }
  }

  function clearSelection() {
    state.selection = null;
    state.caret = null;
    clearPendingHighlight();
    selectionView.textContent = T.noSelection;
    selectionView.classList.remove("tq-has-selection");
  }

  function setSelection(sel) {
    state.selection = { start: sel.start, end: sel.end, text: sel.text, turn: sel.turn ?? null };
    const shown = sel.text.length > 300 ? sel.text.slice(0, 300) + " …" : sel.text;
    const where = sel.turn ? `${T.turn} ${sel.turn} · ` : "";
    selectionView.replaceChildren(
      el("div", { class: "tq-quote", text: "”" + shown.trim() + "”" }),
      el("div", { class: "tq-offsets", text: `${where}${T.chars} ${sel.start}–${sel.end}` }));
    selectionView.classList.add("tq-has-selection");
    showPendingHighlight();
    const range = rangeOf(sel.start, sel.end);
    if (range && range.startContainer.parentElement) {
      range.startContainer.parentElement.scrollIntoView({ block: "nearest" });
    }
  }

  function selectTurn(block) {
    const start = block.start;
    const end = block.end;
    state.caret = { anchor: start, focus: end };
    setSelection({ start, end, text: block.text, turn: block.turn });
  }

  function onMouseUp(event) {
    const sel = readSelection();
    if (sel) {
      state.caret = { anchor: sel.start, focus: sel.end };
      setSelection(sel);
      return;
    }
    const mark = event.target instanceof Element ? event.target.closest(".tq-mark") : null;
    const here = window.getSelection();
    if (!mark && here && here.rangeCount && here.isCollapsed && transcript.contains(here.anchorNode)) {
      // A click puts the keyboard caret there; the whole-turn button takes its turn.
      const at = boundary(here.anchorNode, here.anchorOffset, false);
      if (at !== null) {
        clearSelection();
        state.caret = { anchor: at, focus: at };
        showPendingHighlight();
      }
    }
    if (mark && transcript.contains(mark)) {
      state.details = mark.dataset.ids.split(" ");
      state.confirming = null;
      renderDetails();
    }
  }

  // A triple click takes the turn's speech exactly (p.turns()), never the next label.
  function onClick(event) {
    if (event.detail !== 3 || !(event.target instanceof Element)) return;
    const box = event.target.closest(".tq-text");
    if (!box) return;
    const b = blocks().find((x) => x.start === Number(box.dataset.start));
    if (!b) return;
    const range = document.createRange();
    range.selectNodeContents(box);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    selectTurn(b);
  }

  function onWholeTurn() {
    const at = state.selection ? state.selection.start : state.caret ? state.caret.focus : null;
    const b = at === null ? null : blockAt(at);
    if (!b) return showStatus("error", T.pickText);
    selectTurn(b);
    codeBtn.focus();
  }

  // Keyboard selection: a caret of our own, since the transcript is not editable text.
  function wordStep(offset, dir) {
    const isWord = (o) => WORD.test(charAt(o));
    if (dir > 0) {
      while (offset < lastOffset() && !isWord(offset)) offset++;
      while (offset < lastOffset() && isWord(offset)) offset++;
    } else {
      while (offset > 0 && !isWord(offset - 1)) offset--;
      while (offset > 0 && isWord(offset - 1)) offset--;
    }
    return offset;
  }

  function lastOffset() {
    const all = blocks();
    return all.length ? all[all.length - 1].end : 0;
  }

  function inText(offset, dir) {
    // Offsets between blocks (labels) are skipped in the direction of travel.
    const all = blocks();
    if (all.some((b) => b.start <= offset && offset <= b.end)) return offset;
    if (dir > 0) {
      const next = all.find((b) => b.start > offset);
      return next ? next.start : lastOffset();
    }
    const prev = all.slice().reverse().find((b) => b.end < offset);
    return prev ? prev.end : 0;
  }

  function moveCaret(e) {
    const all = blocks();
    if (!all.length) return false;
    const caret = state.caret || { anchor: all[0].start, focus: all[0].start };
    let f = caret.focus;
    const here = blockAt(f) || all[0];
    const k = all.indexOf(here);
    if (e.key === "ArrowRight") f = e.ctrlKey || e.altKey ? wordStep(f, 1) : inText(f + 1, 1);
    else if (e.key === "ArrowLeft") f = e.ctrlKey || e.altKey ? wordStep(f, -1) : inText(f - 1, -1);
    else if (e.key === "ArrowDown") f = e.shiftKey && f < here.end ? here.end : (all[k + 1] || here)[e.shiftKey ? "end" : "start"];
    else if (e.key === "ArrowUp") f = (all[k - 1] || here).start;
    else if (e.key === "Home") f = here.start;
    else if (e.key === "End") f = here.end;
    else return false;
    f = Math.max(0, Math.min(lastOffset(), f));
    state.caret = { anchor: e.shiftKey ? caret.anchor : f, focus: f };
    const lo = Math.min(state.caret.anchor, f);
    const hi = Math.max(state.caret.anchor, f);
    if (lo < hi) {
      const [start, end] = snap(lo, hi);
      if (start < end) {
        setSelection({ start, end, text: textOf(start, end) });
        return true;
      }
    }
    state.selection = null;
    selectionView.textContent = T.noSelection;
    selectionView.classList.remove("tq-has-selection");
    showPendingHighlight();
    return true;
  }

  function onTranscriptKey(e) {
    if (moveCaret(e)) {
      e.preventDefault();
      return;
    }
    if (e.key === "Enter" && state.selection) {
      e.preventDefault();
      tree.focus();
    }
  }

  // ------------------------------------------------------------------ code tree
  function matches(code, words) {
    const hay = [code.name, code.path, code.definition || "", ...(code.keywords || [])].join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  }

  function hits() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    return (model.get("codes") || []).filter((c) => matches(c, words));
  }

  function renderTree() {
    const codes = model.get("codes") || [];
    const found = hits();
    const hit = new Set(found.map((c) => c.path));
    const number = new Map(found.slice(0, 9).map((c, i) => [c.path, i + 1]));
    // Ancestors of a hit stay visible, greyed, so the tree keeps its shape.
    const shown = new Set();
    for (const path of hit) {
      const parts = path.split("/");
      for (let i = 1; i <= parts.length; i++) shown.add(parts.slice(0, i).join("/"));
    }
    tree.replaceChildren();
    for (const c of codes) {
      if (!shown.has(c.path)) continue;
      const count = el("span", { class: "tq-count", title: T.counts, text: `${c.n_here} / ${c.n_all}` });
      const num = el("span", { class: "tq-num", text: number.has(c.path) ? String(number.get(c.path)) : "" });
      const item = el("li", { class: "tq-code", role: "option", id: `tq-${uid}-${c.key}` },
        num, el("span", { class: "tq-swatch" }), el("span", { class: "tq-code-name", text: c.name }), count);
      item.dataset.path = c.path;
      item.dataset.key = c.key;
      item.style.paddingLeft = `${4 + 16 * c.depth}px`;
      item.children[1].style.background = c.color;
      item.children[1].style.borderColor = c.bar;
      item.title = [c.definition, c.use_when ? "Käytä, kun: " + c.use_when : ""].filter(Boolean).join("\n\n");
      if (!hit.has(c.path)) item.classList.add("tq-ancestor");
      if (state.picked === c.path) {
        item.classList.add("tq-picked");
        item.setAttribute("aria-selected", "true");
      }
      if (state.active === c.path) {
        item.classList.add("tq-active");
        tree.setAttribute("aria-activedescendant", item.id);
      }
      tree.append(item);
    }
    if (!hit.size) tree.append(el("li", { class: "tq-empty", text: T.noMatch }));
    renderBookTools();
  }

  function pick(path) {
    state.picked = path;
    state.active = path;
    state.typed = ""; // the next letters start a new type-ahead search
    renderTree();
    if (filter.value === "code") renderTranscript();
    if (state.details) renderDetails();
    const code = pickedCode();
    renderMemos();
    if (code) {
      colorInput.value = code.color;
      send({ action: "passages", code: path }, true);
    }
  }

  function pickedCode() {
    return (model.get("codes") || []).find((c) => c.path === state.picked) || null;
  }

  function onTreeKey(e) {
    const items = Array.from(tree.querySelectorAll(".tq-code"));
    const at = items.findIndex((i) => i.dataset.path === state.active);
    const go = (k) => {
      const item = items[Math.max(0, Math.min(items.length - 1, k))];
      if (!item) return;
      state.active = item.dataset.path;
      renderTree();
      const shown = tree.querySelector(".tq-active");
      if (shown) shown.scrollIntoView({ block: "nearest" });
    };
    if (e.key === "ArrowDown") go(at + 1);
    else if (e.key === "ArrowUp") go(at - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(items.length - 1);
    else if ((e.key === "Enter" || e.key === " ") && state.active) {
      pick(state.active);
      codeBtn.focus();
    } else if (e.key.length === 1 && /\p{L}/u.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      // Type-ahead: letters typed within a second find the next code whose name starts so.
      const now = Date.now();
      state.typed = (now - state.typedAt < 1000 ? state.typed : "") + e.key.toLowerCase();
      state.typedAt = now;
      const order = items.slice(at + (state.typed.length > 1 ? 0 : 1)).concat(items.slice(0, at + 1));
      const found = order.find((i) => i.querySelector(".tq-code-name").textContent.toLowerCase().startsWith(state.typed));
      if (found) go(items.indexOf(found));
    } else return;
    e.preventDefault();
  }

  // ------------------------------------------------------------------ codebook tools
  function renderBookTools() {
    const codes = model.get("codes") || [];
    const keepMove = moveSelect.value;
    const keepMerge = mergeSelect.value;
    const option = (c) => el("option", { value: c.path, text: "  ".repeat(c.depth) + c.name });
    moveSelect.replaceChildren(el("option", { value: "", text: T.top }), ...codes.map(option));
    mergeSelect.replaceChildren(...codes.map(option));
    moveSelect.value = keepMove;
    if (keepMerge) mergeSelect.value = keepMerge;
  }

  function renderMemos() {
    sourceMemo.value = model.get("source_memo") || "";
    const code = pickedCode();
    codeMemo.value = code ? code.memo || "" : "";
    codeMemo.disabled = !code;
    saveCodeMemo.disabled = !code;
  }

  function needPicked() {
    if (!state.picked) showStatus("error", T.pickCode);
    return state.picked;
  }

  // ------------------------------------------------------------------ retrieval
  function renderPassages() {
    const found = model.get("passages") || {};
    if (!found.code) {
      passages.hidden = true;
      return;
    }
    const items = (found.rows || []).map((r) => {
      const where = [r.source_id, r.case_id, r.speaker, r.turn !== "" ? `${T.turn} ${r.turn}` : "", r.coder]
        .filter((x) => x !== "" && x !== null && x !== undefined).join(" · ");
      const item = el("li", { class: "tq-passage", tabindex: "0" },
        el("div", { class: "tq-detail-meta", text: where }), el("div", { text: "”" + short(r.text) + "”" }));
      item.dataset.id = r.coding_id;
      const go = () => jumpTo(r.source_id, r.start, r.end);
      item.addEventListener("click", go);
      item.addEventListener("keydown", (e) => {
        if (e.key === "Enter") go();
      });
      return item;
    });
    passages.replaceChildren(el("h4", { text: `${T.passages}: ${found.name} (${items.length})` }), el("ul", {}, ...items));
    passages.hidden = false;
  }

  function jumpTo(source, start, end) {
    if (source !== model.get("source_id")) {
      state.jump = { start, end };
      model.set("source_id", source);
      model.save_changes();
      return;
    }
    setSelection({ start, end, text: textOf(start, end) });
  }

  // ------------------------------------------------------------------ details of a highlight
  function renderDetails() {
    const byId = new Map((model.get("codings") || []).map((c) => [c.coding_id, c]));
    const rows = (state.details || []).map((id) => byId.get(id)).filter(Boolean);
    if (!rows.length) {
      state.details = null;
      details.hidden = true;
      details.replaceChildren();
      return;
    }
    const target = pickedCode();
    const items = rows.map((c) => {
      const actions = el("div", { class: "tq-actions" });
      const button = (cls, text, onClick) => {
        const b = el("button", { class: cls, type: "button", text });
        b.addEventListener("click", onClick);
        actions.append(b);
        return b;
      };
      if (c.status === "suggested") {
        button("tq-accept", T.accept, () => send({ action: "accept", coding_ids: [c.coding_id] }));
        button("tq-reject", T.reject, () => send({ action: "reject", coding_ids: [c.coding_id] }));
      }
      button("tq-uncode", T.remove, () => {
        state.confirming = c.coding_id;
        renderDetails();
        const yes = details.querySelector(".tq-confirm-yes");
        if (yes) yes.focus();
      });
      const re = button("tq-recode", target ? `${T.recode}: ${target.name}` : T.recode,
        () => send({ action: "recode", coding_id: c.coding_id, code: target ? target.path : "" }));
      if (!target || target.path === c.path) {
        re.disabled = true;
        re.title = T.pickCode;
      }
      button("tq-reselect", T.reselect, () => setSelection({ start: c.start, end: c.end, text: textOf(c.start, c.end) }));
      const meta = [
        `${T.by} ${c.coder || "–"}`,
        c.status === "suggested" ? T.suggested : "",
        `${T.chars} ${c.start}–${c.end}`,
      ].filter(Boolean).join(" · ");
      const item = el("li", { class: "tq-detail" },
        el("div", { class: "tq-detail-head" }, el("span", { class: "tq-swatch" }), el("strong", { text: c.name })),
        el("div", { class: "tq-detail-text", text: "”" + short(c.text) + "”" }),
        el("div", { class: "tq-detail-meta", text: meta }));
      item.dataset.id = c.coding_id;
      item.querySelector(".tq-swatch").style.background = c.color;
      if (c.reduced) item.append(el("div", { class: "tq-detail-reduced", text: `${T.reduced}: ${c.reduced}` }));
      if (c.memo) item.append(el("div", { class: "tq-detail-memo", text: `${T.memo}: ${c.memo}` }));
      item.append(actions);
      if (state.confirming === c.coding_id) item.append(confirmBox(c));
      return item;
    });
    const close = el("button", { class: "tq-close", type: "button", text: T.close });
    close.addEventListener("click", () => {
      state.details = null;
      renderDetails();
    });
    details.replaceChildren(el("h4", { text: T.details }), el("ul", {}, ...items), close);
    details.hidden = false;
  }

  function confirmBox(c) {
    const yes = el("button", { class: "tq-confirm-yes", type: "button", text: T.confirmYes });
    const no = el("button", { class: "tq-confirm-no", type: "button", text: T.confirmNo });
    yes.addEventListener("click", () => send({ action: "uncode", coding_ids: [c.coding_id] }));
    no.addEventListener("click", () => {
      state.confirming = null;
      renderDetails();
    });
    return el("div", { class: "tq-confirm", role: "alertdialog" },
      el("div", { text: T.confirm }),
      el("div", { class: "tq-detail-text", text: "”" + short(c.text, 300) + "”" }),
      el("div", { text: `${T.code}: ${c.name}` }),
      el("div", { text: `${T.memo}: ${c.memo || "–"}` }),
      el("div", { class: "tq-actions" }, yes, no));
  }

  // ------------------------------------------------------------------ wiring
  function renderSources() {
    sourceSelect.replaceChildren(...(model.get("sources") || []).map((s) => el("option", { value: s, text: s })));
    sourceSelect.value = model.get("source_id");
  }

  function renderFilter() {
    const keep = filter.value || "all";
    const coders = model.get("coders") || [];
    const others = coders.map((c) => el("option", { value: "coder:" + c, text: `${T.showCoder} ${c}` }));
    const pairs = coders.flatMap((a, i) => coders.slice(i + 1).map((b) =>
      el("option", { value: `pair:${a}\t${b}`, text: `${T.sideBySide}: ${a} | ${b}` })));
    filter.replaceChildren(
      el("option", { value: "all", text: T.showAll }),
      el("option", { value: "mine", text: T.showMine }),
      el("option", { value: "code", text: T.showCode }),
      ...others, ...pairs);
    filter.value = Array.from(filter.options).some((o) => o.value === keep) ? keep : "all";
  }

  function onStatus() {
    const s = model.get("status") || {};
    status.dataset.seq = String(s.seq || 0);
    if (s.text) showStatus(s.kind || "info", s.text);
  }

  function onCode() {
    if (!(model.get("coder") || "").trim()) {
      showStatus("error", T.needCoder);
      askInput.focus();
      return;
    }
    if (!state.selection) return showStatus("error", T.pickText);
    if (!state.picked) return showStatus("error", T.pickCode);
    const where = state.selection.turn
      ? { turn: state.selection.turn }
      : { start: state.selection.start, end: state.selection.end };
    send({ action: "code", ...where, code: state.picked, memo: memo.value, reduced: reduced.value });
  }

  function setCoder(name) {
    model.set("coder", name.trim());
    model.save_changes();
  }

  function onRootKey(e) {
    e.stopPropagation();
    const typing = e.target instanceof Element && e.target.closest(TYPING);
    const mod = e.ctrlKey || e.metaKey;
    if (mod && !typing && (e.key === "z" || e.key === "Z" || e.key === "y")) {
      e.preventDefault();
      send({ action: e.shiftKey || e.key === "y" ? "redo" : "undo" });
      return;
    }
    if (typing) {
      if (e.key === "Enter" && e.target === search) {
        e.preventDefault();
        const first = hits()[0];
        if (first) pick(first.path);
        tree.focus();
      } else if (e.key === "Enter" && e.target === askInput) {
        e.preventDefault();
        setCoder(askInput.value);
      } else if (e.key === "Enter" && e.target === editName) {
        e.preventDefault();
        addBtn.click();
      }
      return;
    }
    if (/^[1-9]$/.test(e.key) && !mod && !e.altKey) {
      const code = hits()[Number(e.key) - 1];
      if (code) pick(code.path);
      e.preventDefault();
      return;
    }
    if (e.target === transcript) onTranscriptKey(e);
    else if (e.target === tree) onTreeKey(e);
  }

  const onDocMouseUp = (event) => {
    if (transcript.contains(event.target) || readSelection()) onMouseUp(event);
  };
  root.addEventListener("keydown", onRootKey);
  // The notebook reacts to keyup and keypress too (command mode); they stay here as well.
  root.addEventListener("keyup", (e) => e.stopPropagation());
  root.addEventListener("keypress", (e) => e.stopPropagation());
  transcript.addEventListener("click", onClick);
  transcript.addEventListener("focus", () => {
    if (!state.caret && blocks().length) {
      state.caret = { anchor: blocks()[0].start, focus: blocks()[0].start };
      showPendingHighlight();
    }
  });
  document.addEventListener("mouseup", onDocMouseUp);
  // Clicks on the tree and buttons must not wipe the text selection before it is read.
  panel.addEventListener("mousedown", (e) => {
    if (e.target instanceof Element && e.target.closest(".tq-code, button")) e.preventDefault();
  });
  tree.addEventListener("click", (e) => {
    const item = e.target instanceof Element ? e.target.closest(".tq-code") : null;
    if (item) pick(item.dataset.path);
  });
  search.addEventListener("input", () => {
    renderTree();
    renderTranscript();
  });
  codeBtn.addEventListener("click", onCode);
  turnBtn.addEventListener("click", onWholeTurn);
  undoBtn.addEventListener("click", () => send({ action: "undo" }));
  redoBtn.addEventListener("click", () => send({ action: "redo" }));
  refreshBtn.addEventListener("click", () => send({ action: "refresh" }));
  addBtn.addEventListener("click", () => {
    const parent = asChild.checked ? needPicked() : "";
    if (asChild.checked && !parent) return;
    send({ action: "add_code", name: editName.value, parent: parent || "" });
  });
  renameBtn.addEventListener("click", () => {
    if (needPicked()) send({ action: "rename_code", code: state.picked, name: editName.value });
  });
  colorInput.addEventListener("change", () => {
    if (needPicked()) send({ action: "recolor_code", code: state.picked, color: colorInput.value });
  });
  moveBtn.addEventListener("click", () => {
    if (needPicked()) send({ action: "move_code", code: state.picked, parent: moveSelect.value });
  });
  mergeBtn.addEventListener("click", () => {
    if (needPicked()) send({ action: "merge_codes", code: state.picked, into: mergeSelect.value });
  });
  saveSourceMemo.addEventListener("click", () => send({ action: "source_memo", text: sourceMemo.value }));
  saveCodeMemo.addEventListener("click", () => {
    if (needPicked()) send({ action: "code_memo", code: state.picked, text: codeMemo.value });
  });
  sourceSelect.addEventListener("change", () => {
    clearSelection();
    state.details = null;
    renderDetails();
    model.set("source_id", sourceSelect.value);
    model.save_changes();
  });
  coderInput.addEventListener("change", () => setCoder(coderInput.value));
  askOk.addEventListener("click", () => setCoder(askInput.value));
  filter.addEventListener("change", renderTranscript);

  const onCoderChange = () => {
    const name = (model.get("coder") || "").trim();
    coderInput.value = name;
    ask.hidden = Boolean(name);
    if (filter.value === "mine") renderTranscript();
  };
  const onSourceChange = () => {
    renderSources();
    clearSelection();
  };
  const onBlocks = () => {
    renderTranscript();
    if (state.jump) {
      const { start, end } = state.jump;
      state.jump = null;
      setSelection({ start, end, text: textOf(start, end) });
    }
  };
  const onCodes = () => {
    if (state.picked && !(model.get("codes") || []).some((c) => c.path === state.picked)) {
      state.picked = null; // renamed keys keep paths; a moved or merged code is picked again
    }
    renderTree();
    const shown = model.get("passages") || {};
    const code = (model.get("codes") || []).find((c) => c.path === shown.code);
    // A renamed code, or one coded again, lists its passages under its name as it is now.
    if (code && (code.name !== shown.name || code.n_all !== (shown.rows || []).length)) {
      send({ action: "passages", code: code.path }, true);
    }
  };
  const handlers = [
    ["change:blocks", onBlocks],
    ["change:codings", renderTranscript],
    ["change:codes", onCodes],
    ["change:coders", renderFilter],
    ["change:passages", renderPassages],
    ["change:source_memo", renderMemos],
    ["change:sources", renderSources],
    ["change:source_id", onSourceChange],
    ["change:coder", onCoderChange],
    ["change:status", onStatus],
    ["msg:custom", onCustom],
  ];
  for (const [name, fn] of handlers) model.on(name, fn);

  renderSources();
  renderFilter();
  onCoderChange();
  renderTree();
  renderTranscript();
  renderPassages();
  renderMemos();
  onStatus();

  return () => {
    document.removeEventListener("mouseup", onDocMouseUp);
    for (const { timer } of state.pending.values()) clearTimeout(timer);
    clearPendingHighlight();
    for (const [name, fn] of handlers) model.off(name, fn);
  };
}

export default { render };
