// tymqual coding widget: the front end of tymqual.widget.CodingWidget (an anywidget ES module).
//
// Offsets sent to Python are Unicode code points into the source's normalised text. The DOM
// counts UTF-16 units, so every position is turned into text with Range.toString() and
// counted with Array.from(), which iterates by code point (an emoji counts once).

const T = {
  source: "Aineisto",
  coder: "Koodaaja",
  onlyOwn: "Vain omat koodaukset",
  refresh: "Päivitä",
  selection: "Valittu kohta",
  noSelection: "Valitse tekstikohta litteroinnista hiirellä.",
  chars: "merkit",
  code: "Koodi",
  search: "Hae koodia…",
  noMatch: "Hakua vastaavaa koodia ei ole.",
  memo: "Muistiinpano (memo)",
  reduced: "Pelkistetty ilmaus",
  doCode: "Koodaa",
  saving: "Tallennetaan…",
  pickText: "Valitse ensin tekstikohta litteroinnista.",
  pickCode: "Valitse koodi koodipuusta.",
  noReply: "Python-ydin ei vastannut 20 sekunnissa. Tarkista, onko ydin käynnissä, ja paina Päivitä nähdäksesi, mitä tallentui.",
  details: "Kohdan koodaukset",
  remove: "Poista koodaus",
  recode: "Vaihda koodiksi",
  accept: "Hyväksy",
  reject: "Hylkää",
  reselect: "Valitse sama kohta",
  suggested: "ehdotus",
  by: "koodaaja",
  close: "Sulje",
  turn: "puheenvuoro",
};
const REPLY_TIMEOUT_MS = 20000;

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

function render({ model, el: host }) {
  const state = {
    selection: null, // {start, end, text}
    picked: null, // code path
    details: null, // coding ids shown in the details panel
    pending: new Map(), // request number -> timer
    nextRequest: 1,
  };

  // ------------------------------------------------------------------ layout
  const sourceSelect = el("select", { class: "tq-source" });
  const coderInput = el("input", { class: "tq-coder-name", type: "text", size: "10" });
  const onlyOwn = el("input", { class: "tq-only-own", type: "checkbox" });
  const refreshBtn = el("button", { class: "tq-refresh", type: "button", text: T.refresh });
  const bar = el("div", { class: "tq-bar" },
    el("label", {}, T.source + " ", sourceSelect),
    el("label", {}, T.coder + " ", coderInput),
    el("label", {}, onlyOwn, " " + T.onlyOwn),
    refreshBtn);
  const transcript = el("div", { class: "tq-transcript" });
  const status = el("div", { class: "tq-status", role: "status", "aria-live": "polite" });
  const selectionView = el("div", { class: "tq-selection", text: T.noSelection });
  const search = el("input", { class: "tq-search", type: "search", placeholder: T.search });
  const tree = el("ul", { class: "tq-tree", role: "listbox" });
  const memo = el("textarea", { class: "tq-memo", rows: "2" });
  const reduced = el("input", { class: "tq-reduced", type: "text" });
  const codeBtn = el("button", { class: "tq-code-btn", type: "button", text: T.doCode });
  const details = el("section", { class: "tq-details", hidden: "" });
  const panel = el("div", { class: "tq-panel" },
    status,
    el("section", {}, el("h4", { text: T.selection }), selectionView),
    el("section", {}, el("h4", { text: T.code }), search, tree),
    el("label", { class: "tq-field" }, T.memo, memo),
    el("label", { class: "tq-field" }, T.reduced, reduced),
    codeBtn,
    details);
  const root = el("div", { class: "tq-coder" }, bar, el("div", { class: "tq-main" }, transcript, panel));
  host.append(root);

  // ------------------------------------------------------------------ messages
  function showStatus(kind, text) {
    status.className = "tq-status tq-" + kind;
    status.textContent = text;
  }

  function send(content) {
    const request = state.nextRequest++;
    const timer = setTimeout(() => {
      state.pending.delete(request);
      setBusy(false);
      showStatus("error", T.noReply);
    }, REPLY_TIMEOUT_MS);
    state.pending.set(request, timer);
    setBusy(true);
    showStatus("info", T.saving);
    model.send({ ...content, request });
  }

  function setBusy(busy) {
    root.classList.toggle("tq-busy", busy);
    codeBtn.disabled = busy;
  }

  function onCustom(msg) {
    if (!msg || !state.pending.has(msg.request)) return;
    clearTimeout(state.pending.get(msg.request));
    state.pending.delete(msg.request);
    setBusy(state.pending.size > 0);
    if (msg.ok) {
      clearSelection();
      memo.value = "";
      reduced.value = "";
    }
  }

  // ------------------------------------------------------------------ transcript
  function visibleCodings() {
    const all = model.get("codings") || [];
    if (!onlyOwn.checked) return all;
    const me = (model.get("coder") || "").trim();
    return all.filter((c) => c.coder === me);
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
      span.title = cover.map((c) => c.name + (c.status === "suggested" ? ` (${T.suggested})` : "")).join(", ");
      const first = cover.find((c) => c.status !== "suggested") || cover[0];
      span.style.background = first.color + (first.status === "suggested" ? "22" : "44");
      // One bar per code, stacked, so overlapping codings stay visible.
      span.style.boxShadow = cover.map((c, k) => `inset 0 -${3 * (k + 1)}px 0 ${c.color}`).join(", ");
      span.style.paddingBottom = `${3 * cover.length - 1}px`;
      if (cover.some((c) => c.status === "suggested")) span.classList.add("tq-suggested");
      if (cover.length > 1) span.classList.add("tq-overlap");
      container.append(span);
    }
  }

  function renderTranscript() {
    const codings = visibleCodings();
    const blocks = model.get("blocks") || [];
    const scroll = transcript.scrollTop;
    transcript.replaceChildren();
    for (const b of blocks) {
      const block = el("div", { class: `tq-block tq-${b.kind}` + (b.role ? ` tq-role-${b.role}` : "") });
      if (b.turn !== null && b.turn !== undefined) block.dataset.turn = String(b.turn);
      if (b.kind === "turn") {
        const label = b.speaker + (b.time ? ` · ${b.time}` : "");
        block.append(el("div", { class: "tq-speaker", title: `${T.turn} ${b.turn}`, text: label }));
      }
      const text = el("div", { class: "tq-text" });
      text.dataset.start = String(b.start);
      text.dataset.end = String(b.end);
      fillText(text, b, codings);
      block.append(text);
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
    const start = boundary(range.startContainer, range.startOffset, false);
    const end = boundary(range.endContainer, range.endOffset, true);
    if (start === null || end === null || start >= end) return null;
    return { start, end, text: range.toString() };
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

  function showPendingHighlight() {
    clearPendingHighlight();
    const sel = state.selection;
    if (!sel || !(globalThis.Highlight && globalThis.CSS && CSS.highlights)) return;
    const a = pointAt(sel.start, false);
    const b = pointAt(sel.end, true);
    if (!a || !b) return;
    const range = document.createRange();
    range.setStart(a[0], a[1]);
    range.setEnd(b[0], b[1]);
    // Keeps the passage visibly marked after focus moves to the panel.
    CSS.highlights.set("tq-pending", new Highlight(range));
  }

  function clearPendingHighlight() {
    if (globalThis.CSS && CSS.highlights) CSS.highlights.delete("tq-pending");
  }

  function clearSelection() {
    state.selection = null;
    clearPendingHighlight();
    selectionView.textContent = T.noSelection;
    selectionView.classList.remove("tq-has-selection");
  }

  function setSelection(sel) {
    state.selection = { start: sel.start, end: sel.end, text: sel.text };
    const shown = sel.text.length > 300 ? sel.text.slice(0, 300) + " …" : sel.text;
    selectionView.replaceChildren(
      el("div", { class: "tq-quote", text: "”" + shown.trim() + "”" }),
      el("div", { class: "tq-offsets", text: `${T.chars} ${sel.start}–${sel.end}` }));
    selectionView.classList.add("tq-has-selection");
    showPendingHighlight();
  }

  function onMouseUp(event) {
    const sel = readSelection();
    if (sel) {
      setSelection(sel);
      return;
    }
    const mark = event.target instanceof Element ? event.target.closest(".tq-mark") : null;
    if (mark && transcript.contains(mark)) {
      state.details = mark.dataset.ids.split(" ");
      renderDetails();
    }
  }

  // ------------------------------------------------------------------ code tree
  function matches(code, words) {
    const hay = [code.name, code.path, code.definition || "", ...(code.keywords || [])].join(" ").toLowerCase();
    return words.every((w) => hay.includes(w));
  }

  function renderTree() {
    const codes = model.get("codes") || [];
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const hit = new Set(codes.filter((c) => matches(c, words)).map((c) => c.path));
    // Ancestors of a hit stay visible, greyed, so the tree keeps its shape.
    const shown = new Set();
    for (const path of hit) {
      const parts = path.split("/");
      for (let i = 1; i <= parts.length; i++) shown.add(parts.slice(0, i).join("/"));
    }
    tree.replaceChildren();
    for (const c of codes) {
      if (!shown.has(c.path)) continue;
      const item = el("li", { class: "tq-code", role: "option", tabindex: "0" },
        el("span", { class: "tq-swatch" }), el("span", { class: "tq-code-name", text: c.name }));
      item.dataset.path = c.path;
      item.dataset.key = c.key;
      item.style.paddingLeft = `${4 + 16 * c.depth}px`;
      item.firstChild.style.background = c.color;
      item.title = [c.definition, c.use_when ? "Käytä, kun: " + c.use_when : ""].filter(Boolean).join("\n\n");
      if (!hit.has(c.path)) item.classList.add("tq-ancestor");
      if (state.picked === c.path) {
        item.classList.add("tq-picked");
        item.setAttribute("aria-selected", "true");
      }
      tree.append(item);
    }
    if (!hit.size) tree.append(el("li", { class: "tq-empty", text: T.noMatch }));
  }

  function pick(path) {
    state.picked = path;
    renderTree();
    if (state.details) renderDetails();
  }

  function pickedCode() {
    return (model.get("codes") || []).find((c) => c.path === state.picked) || null;
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
      const button = (cls, text, content) => {
        const b = el("button", { class: cls, type: "button", text });
        b.addEventListener("click", () => send(content));
        actions.append(b);
        return b;
      };
      if (c.status === "suggested") {
        button("tq-accept", T.accept, { action: "accept", coding_ids: [c.coding_id] });
        button("tq-reject", T.reject, { action: "reject", coding_ids: [c.coding_id] });
      }
      button("tq-uncode", T.remove, { action: "uncode", coding_ids: [c.coding_id] });
      const re = button("tq-recode", target ? `${T.recode}: ${target.name}` : T.recode,
        { action: "recode", coding_id: c.coding_id, code: target ? target.path : "" });
      if (!target || target.path === c.path) {
        re.disabled = true;
        re.title = T.pickCode;
      }
      const again = el("button", { class: "tq-reselect", type: "button", text: T.reselect });
      again.addEventListener("click", () => {
        const blocks = model.get("blocks") || [];
        const text = blocks
          .filter((b) => b.end > c.start && b.start < c.end)
          .map((b) => Array.from(b.text).slice(Math.max(0, c.start - b.start), c.end - b.start).join(""))
          .join(" … ");
        setSelection({ start: c.start, end: c.end, text });
      });
      actions.append(again);
      const meta = [
        `${T.by} ${c.coder || "–"}`,
        c.status === "suggested" ? T.suggested : "",
        `${T.chars} ${c.start}–${c.end}`,
      ].filter(Boolean).join(" · ");
      const item = el("li", { class: "tq-detail" },
        el("div", { class: "tq-detail-head" }, el("span", { class: "tq-swatch" }), el("strong", { text: c.name })),
        el("div", { class: "tq-detail-meta", text: meta }));
      item.dataset.id = c.coding_id;
      item.querySelector(".tq-swatch").style.background = c.color;
      if (c.reduced) item.append(el("div", { class: "tq-detail-reduced", text: `${T.reduced}: ${c.reduced}` }));
      if (c.memo) item.append(el("div", { class: "tq-detail-memo", text: `${T.memo}: ${c.memo}` }));
      item.append(actions);
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

  // ------------------------------------------------------------------ wiring
  function renderSources() {
    sourceSelect.replaceChildren(...(model.get("sources") || []).map((s) => el("option", { value: s, text: s })));
    sourceSelect.value = model.get("source_id");
  }

  function onStatus() {
    const s = model.get("status") || {};
    if (s.text) showStatus(s.kind || "info", s.text);
  }

  function onCode() {
    if (!state.selection) return showStatus("error", T.pickText);
    if (!state.picked) return showStatus("error", T.pickCode);
    send({
      action: "code",
      start: state.selection.start,
      end: state.selection.end,
      code: state.picked,
      memo: memo.value,
      reduced: reduced.value,
    });
  }

  const onDocMouseUp = (event) => {
    if (transcript.contains(event.target) || readSelection()) onMouseUp(event);
  };
  transcript.addEventListener("keyup", onMouseUp);
  document.addEventListener("mouseup", onDocMouseUp);
  // Clicks on the tree and buttons must not wipe the text selection before it is read.
  panel.addEventListener("mousedown", (e) => {
    if (e.target instanceof Element && e.target.closest(".tq-code, button")) e.preventDefault();
  });
  tree.addEventListener("click", (e) => {
    const item = e.target instanceof Element ? e.target.closest(".tq-code") : null;
    if (item) pick(item.dataset.path);
  });
  tree.addEventListener("keydown", (e) => {
    const item = e.target instanceof Element ? e.target.closest(".tq-code") : null;
    if (item && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      pick(item.dataset.path);
    }
  });
  search.addEventListener("input", renderTree);
  search.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const first = tree.querySelector(".tq-code:not(.tq-ancestor)");
    if (first) pick(first.dataset.path);
  });
  codeBtn.addEventListener("click", onCode);
  refreshBtn.addEventListener("click", () => send({ action: "refresh" }));
  sourceSelect.addEventListener("change", () => {
    clearSelection();
    state.details = null;
    renderDetails();
    model.set("source_id", sourceSelect.value);
    model.save_changes();
  });
  coderInput.addEventListener("change", () => {
    model.set("coder", coderInput.value.trim());
    model.save_changes();
  });
  onlyOwn.addEventListener("change", renderTranscript);

  const onCoderChange = () => {
    coderInput.value = model.get("coder") || "";
    if (onlyOwn.checked) renderTranscript();
  };
  const onSourceChange = () => {
    renderSources();
    clearSelection();
  };
  model.on("change:blocks", renderTranscript);
  model.on("change:codings", renderTranscript);
  model.on("change:codes", renderTree);
  model.on("change:sources", renderSources);
  model.on("change:source_id", onSourceChange);
  model.on("change:coder", onCoderChange);
  model.on("change:status", onStatus);
  model.on("msg:custom", onCustom);

  renderSources();
  onCoderChange();
  renderTree();
  renderTranscript();
  onStatus();

  return () => {
    document.removeEventListener("mouseup", onDocMouseUp);
    for (const timer of state.pending.values()) clearTimeout(timer);
    clearPendingHighlight();
    model.off("change:blocks", renderTranscript);
    model.off("change:codings", renderTranscript);
    model.off("change:codes", renderTree);
    model.off("change:sources", renderSources);
    model.off("change:source_id", onSourceChange);
    model.off("change:coder", onCoderChange);
    model.off("change:status", onStatus);
    model.off("msg:custom", onCustom);
  };
}

export default { render };
