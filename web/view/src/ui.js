// ui.js: the application: state (layout, lanes, selection, search, window, view), the
// toolbar and side panels, mouse, trackpad and keyboard input, the URL fragment, and the test
// interface `window.causalView`. Starts everything once the page has loaded.

const App = (() => {
  const { el, clamp, plural, oneLine } = Util;
  const { HEADER_W, AXIS_H, OVERVIEW_H } = Draw;
  const $ = (id) => document.getElementById(id);
  const MAX_LIST = 500;

  class App {
    constructor(t, timing) {
      this.t = t;
      this.model = new Model.Model(t);
      this.timing = timing;
      this.renderer = new Draw.Renderer($("canvas"));
      this.mode = "lamport";
      this.shifted = false;
      this.collapse = false;
      this.folds = null;
      // Nodes with no event here (a slice's clocks name nodes it left out) start hidden.
      this.hidden = new Set(t.lanes.flatMap((lane, n) => (lane.length ? [] : [n])));
      this.order = Array.from({ length: t.K }, (_, n) => n);
      this.sel = null;
      this.query = "";
      this.results = new Int32Array(0);
      this.current = -1;
      this.matches = null;
      this.win = null;
      this.view = { x0: 0, k: 1, y0: 0, rowH: 28 };
      this.overlayFindings = true;
      this.overlayConflicts = true;
      this.dark = matchMedia && matchMedia("(prefers-color-scheme: dark)").matches;
      this.themeChosen = false;
      this.tab = "details";
      this.dirty = false;
      this.errors = [];
      this.frameTimes = [];
      this.analyses();
      this.relayout();
      this.rowsChanged();
    }

    // ---- derived state

    relayout() {
      const t = this.t;
      if (this.collapse && !this.folds) this.folds = Layout.computeFolds(t);
      const shift = this.mode === "time" && this.shifted ? t.header.offsets.shift : null;
      this.x = Layout.computeX(t, this.mode, { collapse: this.collapse, folds: this.folds, shift });
      this.geo = new Layout.Geometry(t, this.x);
      this.hist = null;
      this.histFor = null;
    }

    rowsChanged() {
      const t = this.t;
      this.rows = this.order.filter((n) => !this.hidden.has(n));
      this.rowOf = new Int32Array(t.K).fill(-1);
      this.rows.forEach((n, r) => (this.rowOf[n] = r));
      this.hist = null;
    }

    histogram() {
      const W = Math.max(50, Math.floor(this.renderer.W - HEADER_W));
      const key = `${W}:${this.rows.length}:${this.mode}:${this.shifted}:${this.collapse}`;
      if (!this.hist || this.histFor !== key) {
        const folds = this.collapse ? this.folds : null;
        const rowOf = this.rowOf;
        const t = this.t;
        this.hist = Layout.histogram(t, this.geo, Math.min(W, 2000), (e) => rowOf[t.node[e]] >= 0 && !(folds && folds.head[e] >= 0 && folds.head[e] !== e));
        this.histFor = key;
      }
      return this.hist;
    }

    /** Findings and conflicts as event lists, and the overlays' marks. */
    analyses() {
      const t = this.t;
      const h = t.header;
      this.findings = [];
      if (h.check) {
        for (const f of h.check.findings) {
          this.findings.push({ kind: f.kind, text: f.text, at: f.at, events: f.events, messages: f.messages });
        }
      }
      this.conflictKeys = h.conflicts ? h.conflicts.keys : [];
      this.marks = new Uint8Array(t.N);
      this.violations = new Set();
      for (const f of this.findings) {
        for (const e of f.events) this.marks[e] = 1;
        if (f.kind === "clock-violation" || f.kind === "skew-contradiction") {
          // Message k is the k-th received edge: look among the receive's edges.
          for (const [s, r] of f.messages) {
            for (let k = t.inStart[r]; k < t.inStart[r + 1]; k++) if (t.inSend[k] === s) this.violations.add(k);
          }
        }
      }
      this.pairs = [];
      for (const k of this.conflictKeys) {
        for (const [a, b] of k.pairs) {
          this.pairs.push([a, b]);
          this.marks[a] = 2;
          this.marks[b] = 2;
        }
      }
    }

    frameState() {
      return {
        t: this.t, model: this.model, geo: this.geo, view: this.view, rows: this.rows, rowOf: this.rowOf,
        sel: this.sel, win: this.win, folds: this.collapse ? this.folds : null, mode: this.mode,
        shifted: this.shifted && this.mode === "time",
        matches: this.matches, current: this.current >= 0 ? this.results[this.current] : -1,
        marks: this.overlayFindings || this.overlayConflicts ? this.overlayMarks() : null,
        pairs: this.overlayConflicts ? this.shownPairs() : null,
        violations: this.overlayFindings ? this.violations : null,
        hist: this.histogram(), dragLane: this.drag && this.drag.type === "lane" ? this.drag.node : null,
        dropRow: this.drag && this.drag.type === "lane" ? this.drag.dropRow : null,
        overviewTicks: this.results.length && this.results.length <= 2000 ? Array.from(this.results, (e) => this.x[e]) : null,
      };
    }

    /** The conflicting pairs drawn as dashed lines: those of the key picked in the findings
     *  panel, and those of the selected events (all of them would hide the diagram). */
    shownPairs() {
      const sel = this.sel;
      const out = [];
      for (const k of this.conflictKeys) {
        for (const [a, b] of k.pairs) {
          if (k.key === this.focusKey || (sel && (a === sel.a || b === sel.a || a === sel.b || b === sel.b))) out.push([a, b]);
        }
      }
      return out;
    }

    overlayMarks() {
      if (this.overlayFindings && this.overlayConflicts) return this.marks;
      if (!this._marksPart || this._marksFor !== `${this.overlayFindings}${this.overlayConflicts}`) {
        this._marksPart = this.marks.map((v) => (v === 1 && this.overlayFindings) || (v === 2 && this.overlayConflicts) ? v : 0);
        this._marksFor = `${this.overlayFindings}${this.overlayConflicts}`;
      }
      return this._marksPart;
    }

    // ---- drawing

    requestDraw() {
      if (this.dirty) return;
      this.dirty = true;
      requestAnimationFrame(() => this.draw());
    }

    draw() {
      this.dirty = false;
      if (this.renderer.resize()) this.renderer.readColors(this.dark, this.t.K);
      const t0 = performance.now();
      const stats = this.renderer.frame(this.frameState());
      this.lastFrameMs = performance.now() - t0;
      this.frameTimes.push(this.lastFrameMs);
      if (this.frameTimes.length > 2000) this.frameTimes.splice(0, 1000);
      this.stats = stats;
      this.status();
      this.saveFragment();
      return stats;
    }

    status() {
      const t = this.t;
      const shown = this.stats ? this.stats.events : 0;
      const parts = [
        `${plural(t.N, "event")} on ${plural(t.K, "node")}, ${plural(t.msgS.length, "message")}`,
        `${shown.toLocaleString()} on screen`,
      ];
      if (this.hidden.size) parts.push(`${this.hidden.size} hidden`);
      if (this.win) parts.push("windowed");
      if (t.header.clocks === "given") parts.push("clocks as given by the input");
      $("status").textContent = parts.join(" · ");
    }

    // ---- view

    plot() {
      return this.renderer.plot();
    }

    /** The extent of what is shown: the window, or everything. */
    extent() {
      if (this.win) return this.win;
      return [this.geo.min, this.geo.max];
    }

    fit() {
      this.renderer.resize();
      const P = this.plot();
      const [lo, hi] = this.extent();
      // Room on the left for stubs from outside, on the right for the last labels.
      const padL = 40;
      const padR = clamp((P.right - P.left) * 0.1, 40, 160);
      const w = Math.max(50, P.right - P.left - padL - padR);
      const span = Math.max(hi - lo, 1);
      this.view.k = Math.max(1e-12, w / span);
      this.view.x0 = lo - padL / this.view.k;
      const h = P.bottom - P.top;
      this.view.rowH = clamp(Math.floor(h / Math.max(1, this.rows.length)), 2, 56);
      this.view.y0 = 0;
      this.clampView();
      this.requestDraw();
    }

    clampView() {
      const P = this.plot();
      const v = this.view;
      const total = this.rows.length * v.rowH;
      v.y0 = clamp(v.y0, 0, Math.max(0, total - (P.bottom - P.top) + 4));
      const [lo, hi] = this.extent();
      const w = P.right - P.left;
      const span = hi - lo;
      // Keep some of the content on screen; zoom between a pixel for the whole and far in.
      v.k = clamp(v.k, (w * 0.2) / Math.max(span, 1e-9), this.mode === "time" ? 1e3 : 2000);
      v.x0 = clamp(v.x0, lo - (w * 0.8) / v.k, hi - (w * 0.2) / v.k);
    }

    zoomAt(factor, px) {
      const P = this.plot();
      const v = this.view;
      const at = v.x0 + (px - P.left) / v.k;
      v.k *= factor;
      this.clampView();
      v.x0 = at - (px - P.left) / v.k;
      this.clampView();
      this.requestDraw();
    }

    pan(dx, dy) {
      this.view.x0 -= dx / this.view.k;
      this.view.y0 -= dy;
      this.clampView();
      this.requestDraw();
    }

    setRowH(h) {
      const P = this.plot();
      const v = this.view;
      const mid = (v.y0 + (P.bottom - P.top) / 2) / v.rowH;
      v.rowH = clamp(h, 2, 80);
      v.y0 = mid * v.rowH - (P.bottom - P.top) / 2;
      this.clampView();
      this.requestDraw();
    }

    /** Scrolls so that event e is on screen (centered when it was not). */
    reveal(e, center) {
      const P = this.plot();
      const v = this.view;
      const t = this.t;
      if (this.rowOf[t.node[e]] < 0) {
        this.hidden.delete(t.node[e]);
        this.rowsChanged();
        this.renderNodes();
      }
      if (this.win && (this.x[e] < this.win[0] || this.x[e] > this.win[1])) this.win = null;
      const px = P.left + (this.x[e] - v.x0) * v.k;
      if (center || px < P.left + 30 || px > P.right - 30) v.x0 = this.x[e] - (P.right - P.left) / 2 / v.k;
      const y = this.rowOf[t.node[e]] * v.rowH - v.y0;
      if (center || y < 0 || y > P.bottom - P.top - v.rowH) v.y0 = this.rowOf[t.node[e]] * v.rowH - (P.bottom - P.top) / 2;
      this.clampView();
      this.requestDraw();
    }

    /** Client coordinates of an event's mark (for tests and the tooltip). */
    screenOf(e) {
      const P = this.plot();
      const r = this.rowOf[this.t.node[e]];
      const box = this.renderer.canvas.getBoundingClientRect();
      return {
        x: box.left + P.left + (this.x[e] - this.view.x0) * this.view.k,
        y: box.top + P.top + r * this.view.rowH - this.view.y0 + this.view.rowH / 2,
      };
    }

    /** The event under canvas point (px, py), within a few pixels, or -1. */
    hit(px, py) {
      const P = this.plot();
      const v = this.view;
      const t = this.t;
      if (px < P.left || py < P.top || py > P.bottom) return -1;
      const r = Math.floor((py - P.top + v.y0) / v.rowH);
      if (r < 0 || r >= this.rows.length) return -1;
      const n = this.rows[r];
      const lx = this.geo.laneX[n];
      const at = v.x0 + (px - P.left) / v.k;
      const tol = Math.max(6, v.rowH * 0.3) / v.k;
      const i0 = Util.lowerBound(lx, at - tol);
      const i1 = Util.upperBound(lx, at + tol);
      let best = -1;
      let bestD = Infinity;
      const folds = this.collapse ? this.folds : null;
      for (let i = i0; i < i1; i++) {
        let e = t.lanes[n][i];
        if (folds && folds.head[e] >= 0) e = folds.head[e];
        if (this.win && (this.x[e] < this.win[0] || this.x[e] > this.win[1])) continue;
        const d = Math.abs(lx[i] - at);
        if (d < bestD) {
          bestD = d;
          best = e;
        }
      }
      return best;
    }

    // ---- selection

    select(e, second) {
      if (e < 0) {
        this.sel = null;
      } else if (second && this.sel && this.sel.a !== e) {
        const a = this.sel.a;
        const hb = this.model.hbText(a, e);
        this.sel = { a, b: e, up: this.model.pastOf(a), from: this.model.futureOf(a), chain: hb.chain, hb };
      } else {
        this.sel = { a: e, b: -1, up: this.model.pastOf(e), from: this.model.futureOf(e), chain: null, hb: null };
      }
      this.renderDetails();
      this.requestDraw();
    }

    // ---- search

    search(q) {
      this.query = q;
      const { results, error } = this.model.search(q);
      this.results = results;
      this.current = -1;
      this.matches = null;
      if (results.length) {
        this.matches = new Uint8Array(this.t.N);
        for (const e of results) this.matches[e] = 1;
      }
      $("qcount").textContent = error ? "bad regex" : q.trim() ? `${results.length.toLocaleString()} found` : "";
      $("qcount").title = error || "";
      this.renderResults(error);
      this.requestDraw();
      return { results, error };
    }

    step(dir) {
      if (!this.results.length) return;
      this.current = (this.current + dir + this.results.length) % this.results.length;
      const e = this.results[this.current];
      $("qcount").textContent = `${this.current + 1} of ${this.results.length.toLocaleString()}`;
      this.select(e);
      this.reveal(e, false);
      const li = $("tab-results").querySelector(`li[data-i="${this.current}"]`);
      $("tab-results").querySelectorAll("li.on").forEach((x) => x.classList.remove("on"));
      if (li) li.classList.add("on");
    }

    // ---- lanes

    hideNode(n, hide) {
      if (hide) this.hidden.add(n);
      else this.hidden.delete(n);
      this.rowsChanged();
      this.clampView();
      this.renderNodes();
      this.requestDraw();
    }

    sortLanes(how) {
      const t = this.t;
      if (how === "name") this.order.sort((a, b) => (t.nodeNames[a] < t.nodeNames[b] ? -1 : t.nodeNames[a] > t.nodeNames[b] ? 1 : 0));
      else if (how === "activity") this.order.sort((a, b) => t.lanes[b].length - t.lanes[a].length || a - b);
      this.rowsChanged();
      this.renderNodes();
      this.requestDraw();
    }

    /** Moves node n to the place of visible row `row` (before the node now there). */
    moveLane(n, row) {
      const target = row < this.rows.length ? this.rows[row] : null;
      const order = this.order.filter((m) => m !== n);
      const at = target === null ? order.length : order.indexOf(target);
      order.splice(at < 0 ? order.length : at, 0, n);
      this.order = order;
      this.rowsChanged();
      this.renderNodes();
      this.requestDraw();
    }

    // ---- layout and window

    setMode(mode) {
      if (!["lamport", "time", "program"].includes(mode)) return;
      const anchor = this.middleEvent(this.plot());
      this.mode = mode;
      $("layout").value = mode;
      this.win = null;
      this.relayout();
      this.fit();
      // Keep the event that was in the middle on screen, at the fitted zoom.
      if (anchor >= 0) this.reveal(anchor, false);
      this.renderWindowInputs();
      this.requestDraw();
    }

    middleEvent(P) {
      if (!this.geo) return -1;
      const at = this.view.x0 + (P.right - P.left) / 2 / this.view.k;
      const r = Math.min(this.rows.length - 1, Math.max(0, Math.floor((this.view.y0 + (P.bottom - P.top) / 2) / this.view.rowH)));
      const n = this.rows[r];
      if (n === undefined) return -1;
      const lx = this.geo.laneX[n];
      const i = Math.min(lx.length - 1, Util.lowerBound(lx, at));
      return i >= 0 ? this.t.lanes[n][i] : -1;
    }

    setShift(on) {
      this.shifted = !!on;
      $("shift").checked = this.shifted;
      if (this.mode === "time") {
        this.relayout();
        this.clampView();
      }
      this.requestDraw();
    }

    setCollapse(on) {
      this.collapse = !!on;
      $("collapse").checked = this.collapse;
      const P = this.plot();
      const anchor = this.middleEvent(P);
      const frac = anchor >= 0 ? (this.x[anchor] - this.geo.min) / Math.max(1e-9, this.geo.max - this.geo.min) : 0.5;
      const scale = (this.geo.max - this.geo.min) * this.view.k;
      this.relayout();
      const span = Math.max(1e-9, this.geo.max - this.geo.min);
      this.view.k = scale / span;
      this.view.x0 = this.geo.min + frac * span - (P.right - P.left) / 2 / this.view.k;
      this.win = null;
      this.clampView();
      this.renderWindowInputs();
      this.requestDraw();
    }

    /** Restricts the drawing to positions [lo, hi] of the current layout (null: no window). */
    setWindow(lo, hi) {
      if (lo === null || hi === null || !(hi >= lo)) this.win = null;
      else this.win = [lo, hi];
      this.renderWindowInputs();
      this.fit();
    }

    windowText(v) {
      if (this.mode === "time") return String(+(v / 1e9).toFixed(9));
      return String(Math.round(v));
    }

    parseWindow(text) {
      const s = text.trim();
      if (!s) return null;
      if (this.mode === "time") {
        const d = Date.parse(s);
        if (/^\d{4}-\d\d-\d\d/.test(s) && !isNaN(d)) {
          const h = this.t.header;
          return (d / 1000 - h.origin_s) * 1e9 - h.origin_ns;
        }
        const secs = parseFloat(s);
        return isNaN(secs) ? null : secs * 1e9;
      }
      const v = parseFloat(s);
      return isNaN(v) ? null : v;
    }

    renderWindowInputs() {
      $("wfrom").value = this.win ? this.windowText(this.win[0]) : "";
      $("wto").value = this.win ? this.windowText(this.win[1]) : "";
      const unit = this.mode === "time" ? "seconds after the first event, or an RFC 3339 time" : this.mode === "lamport" ? "Lamport clock" : "position in program order";
      $("wfrom").title = $("wto").title = unit;
    }

    // ---- panels

    showTab(name) {
      this.tab = name;
      for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("on", b.dataset.tab === name);
      for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== `tab-${name}`;
    }

    eventLink(e, text) {
      return el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); this.select(e); this.reveal(e, false); } }, text || this.model.id(e));
    }

    renderDetails() {
      const box = $("tab-details");
      box.replaceChildren();
      const m = this.model;
      const t = this.t;
      if (!this.sel) {
        box.append(
          el("p", { class: "muted" }, "Click an event to see its details, its causal past (blue) and future (orange); everything concurrent with it is dimmed. Shift-click a second event for their relation and a shortest causal chain."),
          this.legend(),
          this.summary(),
        );
        return;
      }
      const { a, b } = this.sel;
      if (b >= 0) {
        box.append(el("h3", null, "Two events"), el("pre", { class: "mono" }, this.sel.hb.text));
        box.append(el("h3", null, "First"), this.eventInfo(a), el("h3", null, "Second"), this.eventInfo(b));
        return;
      }
      const up = this.sel.up;
      const from = this.sel.from;
      let past = 0;
      let future = 0;
      for (let n = 0; n < t.K; n++) {
        past += up[n];
        future += t.lanes[n].length + 1 - from[n];
      }
      box.append(this.eventInfo(a));
      box.append(el("p", { class: "muted" }, `causal past: ${plural(past - 1, "event")} · future: ${plural(future - 1, "event")} · concurrent: ${plural(t.N - past - future + 1, "event")}`));
      box.append(el("p", { class: "muted" }, "Shift-click another event for their relation."));
    }

    eventInfo(e) {
      const m = this.model;
      const t = this.t;
      const rows = [];
      const add = (k, v) => {
        if (v === "" || v === null || v === undefined) return;
        rows.push(el("dt", null, k), el("dd", null, v));
      };
      add("id", m.id(e));
      add("node", t.nodeNames[t.node[e]]);
      add("kind", m.kindName(e) + (t.roles.has(e) ? " (and more roles)" : ""));
      for (const [kind, msg] of m.roles(e)) add(kind === "send" ? "sends" : "receives", msg);
      add("to", m.toOf(e).join(", "));
      add("time", m.timeText(e));
      add("label", m.label(e));
      add("source", m.location(e));
      add("Lamport", String(t.lamport[e]));
      add("vector clock", "[" + m.vcOf(e).map(([n, c]) => `${t.nodeNames[n]}:${c}`).join(" ") + "]");
      const keys = m.keysOf(e);
      if (keys.writes.length) add("writes", keys.writes.join(", "));
      if (keys.reads.length) add("reads", keys.reads.join(", "));
      for (const [k, v] of Object.entries(m.fields(e))) add(k, typeof v === "string" ? v : JSON.stringify(v));
      const links = [];
      for (let k = t.inStart[e]; k < t.inStart[e + 1]; k++) {
        const s = t.inSend[k];
        links.push(el("li", null, "received from ", this.eventLink(s), ` (${m.messageBetween(s, e)})`));
      }
      for (let k = t.outStart[e]; k < t.outStart[e + 1]; k++) {
        const r = t.outRecv[k];
        links.push(el("li", null, "received by ", this.eventLink(r), ` (${m.messageBetween(e, r)})`));
      }
      for (const [x, type] of t.loose) {
        if (x !== e) continue;
        const says = { lost: "no event receives this message (lost)", unmatched: "no event sends this message", "to-outside": "its receive is outside this input", "from-outside": "its send is outside this input" }[type];
        links.push(el("li", { class: "kind bad" }, says));
      }
      const frag = document.createDocumentFragment();
      frag.append(el("dl", { class: "kv" }, rows));
      if (links.length) frag.append(el("ul", { class: "list" }, links));
      return frag;
    }

    legend() {
      const c = this.renderer.colors;
      const row = (color, text, shape) => [el("i", { style: `background:${color};${shape || ""}` }), el("span", null, text)];
      return el("div", { class: "legend" },
        row(c.arrow, "send (filled dot), receive (diamond), local (ring)"),
        row(c.past, "causal past of the selection"),
        row(c.future, "causal future of the selection"),
        row(c.lost, "lost message ✕, receive of a message never sent ?, finding"),
        row(c.outside, "message to or from outside the input"),
        row(c.conflict, "conflicting accesses (dashed pair)"),
        row(c.chain, "shortest causal chain between two selected events"),
      );
    }

    summary() {
      const t = this.t;
      const h = t.header;
      const counts = {};
      for (const [, type] of t.loose) counts[type] = (counts[type] || 0) + 1;
      const lines = [
        `${plural(t.N, "event")} on ${plural(t.K, "node")}, ${plural(t.msgS.length, "message")} delivered`,
      ];
      if (counts.lost) lines.push(`${plural(counts.lost, "lost message")} (✕)`);
      if (counts.unmatched) lines.push(`${plural(counts.unmatched, "receive")} of messages no event sends (?)`);
      if (counts["to-outside"] || counts["from-outside"]) lines.push(`${plural((counts["to-outside"] || 0) + (counts["from-outside"] || 0), "message")} to or from outside the input`);
      if (h.check) lines.push(`check: ${plural(h.check.findings.length, "finding")}`);
      if (h.conflicts) lines.push(`conflicts: ${h.conflicts.total.toLocaleString()} on ${plural(h.conflicts.keys.length, "key")}`);
      lines.push(`clocks: ${h.clocks === "given" ? "as the input gave them" : "computed from the messages"}`);
      return el("div", null, el("h3", null, "This execution"), el("ul", { class: "list" }, lines.map((l) => el("li", null, l))));
    }

    renderResults(error) {
      const box = $("tab-results");
      box.replaceChildren();
      if (error) {
        box.append(el("p", { class: "kind bad" }, error));
        return;
      }
      if (!this.query.trim()) {
        box.append(el("p", { class: "muted" }, "Search labels, ids, messages, nodes, keys and fields: plain text (any case), /regular expression/, an event id, or field=value (node=, kind=, msg=, key=, lamport=, or any field of the input)."));
        return;
      }
      box.append(el("p", { class: "muted" }, `${plural(this.results.length, "event")} match ${JSON.stringify(this.query)}`));
      const items = [];
      const shown = Math.min(this.results.length, MAX_LIST);
      for (let i = 0; i < shown; i++) {
        const e = this.results[i];
        items.push(el("li", { "data-i": i, onclick: () => { this.current = i - 1; this.step(1); } },
          el("strong", null, oneLine(this.model.id(e))), " ", el("span", { class: "muted" }, this.t.nodeNames[this.t.node[e]]), " ", oneLine(this.model.label(e))));
      }
      box.append(el("ul", { class: "list" }, items));
      if (this.results.length > shown) box.append(el("p", { class: "muted" }, `and ${(this.results.length - shown).toLocaleString()} more (next/previous reach them all)`));
    }

    renderNodes() {
      const box = $("tab-nodes");
      const t = this.t;
      const filter = this.nodeFilter || "";
      box.replaceChildren();
      const input = el("input", { type: "search", placeholder: "Filter nodes", value: filter, spellcheck: "false", "aria-label": "Filter nodes" });
      input.addEventListener("input", () => {
        this.nodeFilter = input.value;
        this.renderNodes();
        const again = $("tab-nodes").querySelector("input");
        again.focus();
        again.setSelectionRange(again.value.length, again.value.length);
      });
      box.append(
        el("div", { class: "row" }, input),
        el("div", { class: "row" },
          el("button", { onclick: () => { this.hidden.clear(); this.rowsChanged(); this.renderNodes(); this.requestDraw(); } }, "show all"),
          el("button", { onclick: () => { for (const n of this.shownNodeList(filter)) this.hidden.add(n); this.rowsChanged(); this.renderNodes(); this.requestDraw(); } }, filter ? "hide these" : "hide all"),
          el("button", { onclick: () => { for (let n = 0; n < t.K; n++) if (!this.shownNodeList(filter).includes(n)) this.hidden.add(n); this.rowsChanged(); this.renderNodes(); this.requestDraw(); } }, "only these"),
          el("button", { onclick: () => this.sortLanes("name") }, "by name"),
          el("button", { onclick: () => this.sortLanes("activity") }, "by activity"),
        ),
        el("p", { class: "muted" }, "Drag to reorder (or drag a lane's name on the diagram); double-click a lane's name there to hide it."),
      );
      const list = el("ul", { class: "list nodes" });
      const nodes = this.shownNodeList(filter);
      for (const n of nodes.slice(0, 2000)) {
        const cb = el("input", { type: "checkbox", "aria-label": `show ${t.nodeNames[n]}` });
        cb.checked = !this.hidden.has(n);
        cb.addEventListener("change", () => this.hideNode(n, !cb.checked));
        const li = el("li", { draggable: "true", "data-node": n },
          cb, el("span", { class: "swatch", style: `background:${this.renderer.colors.nodes ? this.renderer.colors.nodes[n] : "#888"}` }),
          el("span", { class: "name", title: t.nodeNames[n] }, t.nodeNames[n]), el("span", { class: "muted" }, String(t.lanes[n].length)));
        li.addEventListener("dragstart", (ev) => { ev.dataTransfer.setData("text/plain", String(n)); li.classList.add("dragging"); });
        li.addEventListener("dragend", () => li.classList.remove("dragging"));
        li.addEventListener("dragover", (ev) => ev.preventDefault());
        li.addEventListener("drop", (ev) => {
          ev.preventDefault();
          const moved = Number(ev.dataTransfer.getData("text/plain"));
          if (moved === n || isNaN(moved)) return;
          const order = this.order.filter((m) => m !== moved);
          order.splice(order.indexOf(n), 0, moved);
          this.order = order;
          this.rowsChanged();
          this.renderNodes();
          this.requestDraw();
        });
        list.append(li);
      }
      box.append(list);
      if (nodes.length > 2000) box.append(el("p", { class: "muted" }, `and ${nodes.length - 2000} more: filter to find them`));
    }

    shownNodeList(filter) {
      const f = (filter || "").toLowerCase();
      return this.order.filter((n) => !f || this.t.nodeNames[n].toLowerCase().includes(f));
    }

    renderFindings() {
      const box = $("tab-findings");
      const t = this.t;
      const h = t.header;
      const m = this.model;
      box.replaceChildren();
      const toggles = el("div", { class: "row" });
      const tog = (label, get, set) => {
        const cb = el("input", { type: "checkbox" });
        cb.checked = get();
        cb.addEventListener("change", () => { set(cb.checked); this.requestDraw(); });
        toggles.append(el("label", null, cb, " " + label));
      };
      tog("mark findings", () => this.overlayFindings, (v) => (this.overlayFindings = v));
      tog("show conflicts", () => this.overlayConflicts, (v) => (this.overlayConflicts = v));
      box.append(toggles);
      if (!h.check && !h.conflicts) {
        box.append(el("p", { class: "muted" }, "This page was written with --no-analyses: no findings."));
      }
      if (h.check) {
        box.append(el("h3", null, `check: ${plural(this.findings.length, "finding")}`));
        const list = el("ul", { class: "list" });
        this.findings.slice(0, MAX_LIST).forEach((f, i) => {
          list.append(el("li", { onclick: () => this.followFinding(i) }, el("span", { class: "kind bad" }, f.kind), " ", el("span", { class: "muted" }, f.at), el("div", null, oneLine(f.text))));
        });
        box.append(list);
        if (this.findings.length > MAX_LIST) box.append(el("p", { class: "muted" }, `and ${(this.findings.length - MAX_LIST).toLocaleString()} more (causal check lists them all)`));
      }
      if (h.conflicts) {
        box.append(el("h3", null, `conflicts: ${h.conflicts.total.toLocaleString()} on ${plural(h.conflicts.keys.length, "key")}`));
        const list = el("ul", { class: "list" });
        let shown = 0;
        for (const k of h.conflicts.keys) {
          if (shown++ > MAX_LIST) break;
          const keyItem = el("li", { title: "Draw this key's conflicting pairs", onclick: () => {
            this.focusKey = this.focusKey === k.key ? null : k.key;
            for (const li of list.querySelectorAll("li.on")) li.classList.remove("on");
            if (this.focusKey) keyItem.classList.add("on");
            this.requestDraw();
          } }, el("strong", null, oneLine(k.key)), `: ${(k.write_write + k.read_write).toLocaleString()} (${k.write_write.toLocaleString()} write-write, ${k.read_write.toLocaleString()} read-write)`);
          list.append(keyItem);
          for (const [a, b, kind] of k.pairs) {
            list.append(el("li", { onclick: () => { this.select(a); this.select(b, true); this.reveal(a, false); } },
              el("span", { class: "kind conf" }, kind), " ", oneLine(m.id(a)), " ∥ ", oneLine(m.id(b))));
          }
        }
        box.append(list);
      }
      const off = h.offsets;
      if (off && off.reference !== null) {
        box.append(el("h3", null, `clock offsets against ${t.nodeNames[off.reference]}`));
        box.append(el("p", { class: "muted" }, "The midpoint of each node's skew interval where both ends are finite; the shifted wall-time layout moves each node's times by it."));
        const rows = [];
        for (let n = 0; n < t.K && rows.length < 400; n++) {
          const lo = off.lo[n];
          const hi = off.hi[n];
          const est = off.shift[n];
          rows.push(el("dt", null, t.nodeNames[n]), el("dd", null,
            (est === null ? "no estimate" : Util.formatDuration(est)) + `  [${lo === null ? "-∞" : Util.formatDuration(lo)}, ${hi === null ? "+∞" : Util.formatDuration(hi)}]`));
        }
        box.append(el("dl", { class: "kv mono" }, rows));
      }
    }

    followFinding(i) {
      const f = this.findings[i];
      if (!f) return [];
      const [a, b] = f.events;
      this.select(a);
      if (b !== undefined && b !== a) this.select(b, true);
      this.reveal(a, false);
      return [a, b].filter((x) => x !== undefined);
    }

    // ---- URL fragment

    fragment() {
      const enc = encodeURIComponent;
      const t = this.t;
      const parts = [];
      if (this.mode !== "lamport") parts.push(`layout=${this.mode}`);
      if (this.shifted) parts.push("shift=1");
      if (this.collapse) parts.push("collapse=1");
      if (this.sel) parts.push(`sel=${[this.sel.a, this.sel.b].filter((e) => e >= 0).map((e) => enc(this.model.id(e))).join(",")}`);
      if (this.hidden.size) parts.push(`hide=${[...this.hidden].map((n) => enc(t.nodeNames[n])).join(",")}`);
      if (this.order.some((n, i) => n !== i)) parts.push(`order=${this.order.map((n) => enc(t.nodeNames[n])).join(",")}`);
      if (this.query) parts.push(`q=${enc(this.query)}`);
      if (this.win) parts.push(`window=${this.win.map((v) => +v.toPrecision(12)).join(",")}`);
      const v = this.view;
      parts.push(`view=${+v.x0.toPrecision(10)},${+v.k.toPrecision(6)},${Math.round(v.y0)},${v.rowH}`);
      if (this.themeChosen) parts.push(`theme=${this.dark ? "dark" : "light"}`);
      return parts.join("&");
    }

    saveFragment() {
      const f = this.fragment();
      if (f === this.lastFragment) return;
      this.lastFragment = f;
      clearTimeout(this.fragmentTimer);
      this.fragmentTimer = setTimeout(() => {
        try {
          history.replaceState(null, "", "#" + f);
        } catch {
          // Some file:// setups refuse; the state just stays out of the address.
        }
      }, 250);
    }

    loadFragment(hash) {
      const t = this.t;
      const params = new Map();
      for (const p of hash.replace(/^#/, "").split("&")) {
        const i = p.indexOf("=");
        if (i > 0) params.set(p.slice(0, i), p.slice(i + 1));
      }
      const list = (v) => v.split(",").map((s) => { try { return decodeURIComponent(s); } catch { return s; } });
      const nodeIndex = new Map(t.nodeNames.map((name, n) => [name, n]));
      if (params.has("theme")) this.setTheme(params.get("theme") === "dark", true);
      if (params.has("collapse")) this.setCollapse(params.get("collapse") === "1");
      if (params.has("layout")) this.setMode(params.get("layout"));
      if (params.has("shift")) this.setShift(params.get("shift") === "1");
      if (params.has("order")) {
        const named = list(params.get("order")).map((s) => nodeIndex.get(s)).filter((n) => n !== undefined);
        const rest = this.order.filter((n) => !named.includes(n));
        this.order = [...new Set(named), ...rest];
      }
      if (params.has("hide")) {
        for (const s of list(params.get("hide"))) if (nodeIndex.has(s)) this.hidden.add(nodeIndex.get(s));
      }
      this.rowsChanged();
      if (params.has("window")) {
        const [lo, hi] = params.get("window").split(",").map(Number);
        if (Number.isFinite(lo) && Number.isFinite(hi)) this.win = [lo, hi];
        this.renderWindowInputs();
      }
      this.fit();
      if (params.has("view")) {
        const [x0, k, y0, rowH] = params.get("view").split(",").map(Number);
        if ([x0, k, y0, rowH].every(Number.isFinite) && k > 0) Object.assign(this.view, { x0, k, y0, rowH: clamp(rowH, 2, 80) });
        this.clampView();
      }
      if (params.has("q")) {
        let q = params.get("q");
        try { q = decodeURIComponent(q); } catch { /* as written */ }
        $("q").value = q;
        this.search(q);
      }
      if (params.has("sel")) {
        const ids = list(params.get("sel")).map((s) => this.model.byId(s)).filter((e) => e >= 0);
        if (ids.length) this.select(ids[0]);
        if (ids.length > 1) this.select(ids[1], true);
      }
      this.renderNodes();
      this.requestDraw();
    }

    setTheme(dark, chosen) {
      this.dark = dark;
      if (chosen) this.themeChosen = true;
      document.documentElement.dataset.theme = dark ? "dark" : "light";
      this.renderer.readColors(this.dark, this.t.K);
      this.renderNodes();
      if (!this.sel) this.renderDetails();
      this.requestDraw();
    }

    // ---- input

    wire() {
      const canvas = $("canvas");
      const tip = $("tip");
      $("title").textContent = this.t.header.title;
      $("title").title = this.t.header.title;
      $("layout").addEventListener("change", () => this.setMode($("layout").value));
      $("shift").addEventListener("change", () => this.setShift($("shift").checked));
      $("collapse").addEventListener("change", () => this.setCollapse($("collapse").checked));
      $("shift-label").title += this.t.header.offsets.reference !== null ? ` (reference: ${this.t.nodeNames[this.t.header.offsets.reference]})` : " (no messages with times: no estimate)";
      let timer = null;
      $("q").addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.search($("q").value);
          if (this.query.trim()) this.showTab("results");
        }, this.t.N > 200000 ? 400 : 120);
      });
      $("q").addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") {
          ev.preventDefault();
          clearTimeout(timer);
          if ($("q").value !== this.query) this.search($("q").value);
          this.step(ev.shiftKey ? -1 : 1);
        } else if (ev.key === "Escape") {
          $("q").blur();
          canvas.focus();
        }
      });
      $("next").addEventListener("click", () => this.step(1));
      $("prev").addEventListener("click", () => this.step(-1));
      const applyWindow = () => this.setWindow(this.parseWindow($("wfrom").value), this.parseWindow($("wto").value));
      $("wfrom").addEventListener("change", applyWindow);
      $("wto").addEventListener("change", applyWindow);
      $("wview").addEventListener("click", () => this.windowToView());
      $("wclear").addEventListener("click", () => this.setWindow(null, null));
      $("fit").addEventListener("click", () => this.fit());
      $("theme").addEventListener("click", () => this.setTheme(!this.dark, true));
      $("helpbtn").addEventListener("click", () => this.toggleHelp());
      $("help").addEventListener("click", (ev) => { if (ev.target === $("help")) this.toggleHelp(false); });
      for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => this.showTab(b.dataset.tab));
      window.addEventListener("resize", () => { this.clampView(); this.requestDraw(); });
      if (matchMedia) {
        matchMedia("(prefers-color-scheme: dark)").addEventListener("change", (ev) => { if (!this.themeChosen) this.setTheme(ev.matches, false); });
      }

      // Pointer: drag pans (or moves a lane, or scrubs the overview); a click selects.
      canvas.addEventListener("pointerdown", (ev) => {
        canvas.focus();
        const { px, py } = this.local(ev);
        const P = this.plot();
        canvas.setPointerCapture(ev.pointerId);
        if (py > P.bottom) {
          this.drag = { type: "scrub" };
          this.scrub(px);
        } else if (px < HEADER_W && py > AXIS_H) {
          const r = Math.floor((py - P.top + this.view.y0) / this.view.rowH);
          if (r >= 0 && r < this.rows.length) this.drag = { type: "lane", node: this.rows[r], startY: py, moved: false, dropRow: null };
        } else {
          this.drag = { type: "pan", x: ev.clientX, y: ev.clientY, sx: ev.clientX, sy: ev.clientY, moved: false, shift: ev.shiftKey };
        }
      });
      canvas.addEventListener("pointermove", (ev) => {
        const { px, py } = this.local(ev);
        const d = this.drag;
        if (!d) {
          this.hover(px, py, ev);
          return;
        }
        tip.hidden = true;
        if (d.type === "pan") {
          if (Math.abs(ev.clientX - d.sx) + Math.abs(ev.clientY - d.sy) > 3) {
            d.moved = true;
            canvas.classList.add("grab");
          }
          if (d.moved) this.pan(ev.clientX - d.x, ev.clientY - d.y);
          d.x = ev.clientX;
          d.y = ev.clientY;
        } else if (d.type === "scrub") {
          this.scrub(px);
        } else if (d.type === "lane") {
          if (Math.abs(py - d.startY) > 3) d.moved = true;
          if (d.moved) {
            canvas.classList.add("move-lane");
            const P = this.plot();
            d.dropRow = clamp(Math.round((py - P.top + this.view.y0) / this.view.rowH), 0, this.rows.length);
            this.requestDraw();
          }
        }
      });
      const end = (ev) => {
        const d = this.drag;
        this.drag = null;
        canvas.classList.remove("grab", "move-lane");
        if (!d) return;
        if (d.type === "pan" && !d.moved && ev.type === "pointerup") {
          const { px, py } = this.local(ev);
          const e = this.hit(px, py);
          if (e >= 0) {
            this.select(e, ev.shiftKey);
            this.showTab("details");
          } else if (!ev.shiftKey) {
            this.select(-1);
          }
        } else if (d.type === "lane" && d.moved && d.dropRow !== null) {
          this.moveLane(d.node, d.dropRow > this.rowOf[d.node] ? d.dropRow : d.dropRow);
        }
        this.requestDraw();
      };
      canvas.addEventListener("pointerup", end);
      canvas.addEventListener("pointercancel", end);
      canvas.addEventListener("pointerleave", () => (tip.hidden = true));
      canvas.addEventListener("dblclick", (ev) => {
        const { px, py } = this.local(ev);
        const P = this.plot();
        if (px < HEADER_W && py > P.top && py < P.bottom) {
          const r = Math.floor((py - P.top + this.view.y0) / this.view.rowH);
          if (r >= 0 && r < this.rows.length) this.hideNode(this.rows[r], true);
        }
      });
      canvas.addEventListener("wheel", (ev) => {
        ev.preventDefault();
        const { px } = this.local(ev);
        const unit = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? 400 : 1;
        const dx = ev.deltaX * unit;
        const dy = ev.deltaY * unit;
        if (ev.ctrlKey || ev.metaKey) {
          this.zoomAt(Math.exp(-dy * 0.0025), Math.max(px, HEADER_W));
        } else if (ev.altKey) {
          this.setRowH(this.view.rowH * Math.exp(-dy * 0.002));
        } else if (ev.shiftKey) {
          this.pan(-(dy || dx), 0);
        } else {
          const P = this.plot();
          const overflow = this.rows.length * this.view.rowH > P.bottom - P.top;
          if (Math.abs(dx) > Math.abs(dy) || !overflow) this.pan(-(Math.abs(dx) > Math.abs(dy) ? dx : dy), 0);
          else this.pan(0, -dy);
        }
      }, { passive: false });

      document.addEventListener("keydown", (ev) => this.key(ev));
      window.addEventListener("error", (ev) => this.errors.push(String(ev.message)));
    }

    local(ev) {
      const box = this.renderer.canvas.getBoundingClientRect();
      return { px: ev.clientX - box.left, py: ev.clientY - box.top };
    }

    scrub(px) {
      const P = this.plot();
      const span = this.geo.max - this.geo.min || 1;
      const at = this.geo.min + ((px - P.left) / (P.right - P.left)) * span;
      this.view.x0 = at - (P.right - P.left) / 2 / this.view.k;
      this.clampView();
      this.requestDraw();
    }

    hover(px, py, ev) {
      const tip = $("tip");
      const canvas = this.renderer.canvas;
      const P = this.plot();
      canvas.classList.toggle("point", px < HEADER_W && py > P.top && py < P.bottom);
      if (py > P.bottom) {
        const span = this.geo.max - this.geo.min || 1;
        const at = this.geo.min + ((px - P.left) / (P.right - P.left)) * span;
        tip.textContent = this.mode === "time" ? Util.formatTime(this.t.header.origin_s, this.t.header.origin_ns, at) : `${this.mode === "lamport" ? "Lamport" : "position"} ${Math.round(at)}`;
      } else {
        const e = this.hit(px, py);
        if (e < 0) {
          tip.hidden = true;
          return;
        }
        const m = this.model;
        const t = this.t;
        const roles = m.roles(e).map(([k, msg]) => `${k} ${msg}`).join(", ");
        let text = `${m.id(e)}  L${t.lamport[e]}${roles ? "  " + roles : ""}\n${m.label(e)}`;
        if (this.collapse && this.folds.head[e] === e) text = `${this.folds.size[e]} local events from ${m.id(e)} to ${m.id(this.folds.last[e])}`;
        tip.textContent = text;
        canvas.classList.add("point");
      }
      tip.hidden = false;
      const box = this.renderer.canvas.getBoundingClientRect();
      const x = Math.min(px + 14, box.width - tip.offsetWidth - 4);
      const y = py + 16 + tip.offsetHeight > box.height ? py - tip.offsetHeight - 8 : py + 16;
      tip.style.left = `${Math.max(0, x)}px`;
      tip.style.top = `${Math.max(0, y)}px`;
    }

    windowToView() {
      const P = this.plot();
      this.setWindow(this.view.x0, this.view.x0 + (P.right - P.left) / this.view.k);
    }

    toggleHelp(show) {
      const help = $("help");
      help.hidden = show === undefined ? !help.hidden : !show;
    }

    key(ev) {
      const target = ev.target;
      if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const P = this.plot();
      const mid = (P.left + P.right) / 2;
      const stepX = (P.right - P.left) * 0.15;
      const t = this.t;
      const sel = this.sel;
      let handled = true;
      switch (ev.key) {
        case "?": this.toggleHelp(); break;
        case "Escape":
          if (!$("help").hidden) this.toggleHelp(false);
          else this.select(-1);
          break;
        case "0": case "f": this.fit(); break;
        case "w": case "+": case "=": this.zoomAt(1.5, mid); break;
        case "s": case "-": case "_": this.zoomAt(1 / 1.5, mid); break;
        case "a": case "ArrowLeft": this.pan(stepX, 0); break;
        case "d": case "ArrowRight": this.pan(-stepX, 0); break;
        case "ArrowUp": this.pan(0, this.view.rowH * 2); break;
        case "ArrowDown": this.pan(0, -this.view.rowH * 2); break;
        case "PageUp": this.pan(0, P.bottom - P.top - 20); break;
        case "PageDown": this.pan(0, -(P.bottom - P.top - 20)); break;
        case "[": this.setRowH(this.view.rowH / 1.25); break;
        case "]": this.setRowH(this.view.rowH * 1.25); break;
        case "1": this.setMode("lamport"); break;
        case "2": this.setMode("time"); break;
        case "3": this.setMode("program"); break;
        case "o": this.setShift(!this.shifted); break;
        case "c": this.setCollapse(!this.collapse); break;
        case "t": this.setTheme(!this.dark, true); break;
        case "/": ev.preventDefault(); $("q").focus(); $("q").select(); break;
        case "n": this.step(1); break;
        case "N": this.step(-1); break;
        case "x": this.showTab("findings"); break;
        case "v": this.windowToView(); break;
        case "V": this.setWindow(null, null); break;
        case "H": this.hidden.clear(); this.rowsChanged(); this.renderNodes(); this.requestDraw(); break;
        case "h": if (sel) this.hideNode(t.node[sel.a], true); break;
        case "g": if (sel) this.reveal(sel.a, true); break;
        case ",": case ".":
          if (sel) {
            const lane = t.lanes[t.node[sel.a]];
            const p = t.pos[sel.a] - 1 + (ev.key === "." ? 1 : -1);
            if (p >= 0 && p < lane.length) {
              this.select(lane[p]);
              this.reveal(lane[p], false);
            }
          }
          break;
        case "m":
          if (sel) {
            const e = sel.a;
            const other = t.inStart[e + 1] > t.inStart[e] ? t.inSend[t.inStart[e]] : t.outStart[e + 1] > t.outStart[e] ? t.outRecv[t.outStart[e]] : -1;
            if (other >= 0) {
              this.select(other);
              this.reveal(other, false);
            }
          }
          break;
        default: handled = false;
      }
      if (handled) ev.preventDefault();
    }

    // ---- the test interface

    api() {
      const app = this;
      const m = this.model;
      const t = this.t;
      const ids = (list) => Array.from(list, (e) => m.id(e));
      const need = (id) => {
        const e = m.byId(id);
        if (e < 0) throw new Error(`no event ${JSON.stringify(id)}`);
        return e;
      };
      return {
        timing: this.timing,
        errors: this.errors,
        info() {
          const loose = {};
          for (const [, type] of t.loose) loose[type] = (loose[type] || 0) + 1;
          return { events: t.N, nodes: t.nodeNames.slice(), messages: t.msgS.length, loose, clocks: t.header.clocks, title: t.header.title, findings: app.findings.length, conflicts: t.header.conflicts ? t.header.conflicts.total : null };
        },
        /** Draws now and returns what was drawn. */
        redraw() {
          return app.draw();
        },
        fit() {
          app.fit();
          return app.draw();
        },
        screenOf(id) {
          return app.screenOf(need(id));
        },
        select(id, second) {
          app.select(need(id), !!second);
          app.draw();
          return ids([app.sel.a, app.sel.b].filter((e) => e >= 0));
        },
        clear() {
          app.select(-1);
        },
        selected() {
          return app.sel ? ids([app.sel.a, app.sel.b].filter((e) => e >= 0)) : [];
        },
        /** The events drawn as the causal past and future of the (first) selected event,
         *  itself included in both, as `causal past` and `causal future` print them. */
        highlighted() {
          if (!app.sel) return { past: [], future: [] };
          const past = [];
          const future = [];
          for (let e = 0; e < t.N; e++) {
            if (m.inPast(app.sel.up, e)) past.push(e);
            if (m.inFuture(app.sel.from, e)) future.push(e);
          }
          return { past: ids(past), future: ids(future) };
        },
        relation() {
          if (!app.sel || app.sel.b < 0) return null;
          const hb = app.sel.hb;
          return { relation: hb.relation, chain: hb.chain ? ids(hb.chain) : null, text: hb.text };
        },
        hideNode(name, hide = true) {
          const n = t.nodeNames.indexOf(name);
          if (n < 0) throw new Error(`no node ${name}`);
          app.hideNode(n, hide);
          return app.draw();
        },
        lanes() {
          return app.rows.map((n) => t.nodeNames[n]);
        },
        moveLane(name, row) {
          app.moveLane(t.nodeNames.indexOf(name), row);
          return app.rows.map((n) => t.nodeNames[n]);
        },
        sortLanes(how) {
          app.sortLanes(how);
          return app.rows.map((n) => t.nodeNames[n]);
        },
        search(q) {
          $("q").value = q;
          const { results, error } = app.search(q);
          return { count: results.length, results: ids(results.slice(0, 1000)), error };
        },
        next() {
          app.step(1);
          return app.sel ? m.id(app.sel.a) : null;
        },
        prev() {
          app.step(-1);
          return app.sel ? m.id(app.sel.a) : null;
        },
        findings() {
          return app.findings.map((f) => ({ kind: f.kind, at: f.at, text: f.text, events: ids(f.events) }));
        },
        conflicts() {
          return app.conflictKeys.map((k) => ({ key: k.key, total: k.write_write + k.read_write, pairs: k.pairs.map(([a, b, kind]) => [m.id(a), m.id(b), kind]) }));
        },
        followFinding(i) {
          return ids(app.followFinding(i));
        },
        setLayout(mode) {
          app.setMode(mode);
          return app.draw();
        },
        setShift(on) {
          app.setShift(on);
          return app.draw();
        },
        setCollapse(on) {
          app.setCollapse(on);
          return app.draw();
        },
        setWindow(lo, hi) {
          app.setWindow(lo, hi);
          return app.draw();
        },
        setTheme(dark) {
          app.setTheme(dark, true);
          return app.draw();
        },
        zoom(factor) {
          const P = app.plot();
          app.zoomAt(factor, (P.left + P.right) / 2);
          return app.draw();
        },
        pan(dx, dy) {
          app.pan(dx, dy);
          return app.draw();
        },
        view() {
          return { ...app.view, mode: app.mode, shifted: app.shifted, collapse: app.collapse };
        },
        fragment() {
          return app.fragment();
        },
        frameTimes() {
          return app.frameTimes.slice();
        },
        /** Milliseconds to compute the past and future of an event and draw them. */
        timeHighlight(id) {
          const e = need(id);
          app.model._cache.clear();
          const t0 = performance.now();
          app.select(e);
          app.draw();
          return performance.now() - t0;
        },
      };
    }
  }

  /** Reads the page's data, builds the application and draws the first frame. */
  async function start() {
    const t0 = performance.now();
    const timing = { start: t0 };
    let resolveReady;
    let rejectReady;
    const api = { ready: new Promise((res, rej) => { resolveReady = res; rejectReady = rej; }) };
    window.causalView = api;
    try {
      const text = $("causal-data").textContent;
      const trace = await Data.decodePage(text, timing);
      timing.decoded = performance.now();
      if (trace.mode === "history") {
        // A history: operations on process lanes (hview.js, hpanel.js).
        const app = HPanel.open(trace);
        timing.firstFrame = performance.now();
        const errors = [];
        window.addEventListener("error", (ev) => errors.push(String(ev.message)));
        Object.assign(api, app.api(), { timing, errors });
        api.app = app;
        resolveReady(api.info());
        return;
      }
      const app = new App(trace, timing);
      app.wire();
      timing.built = performance.now();
      app.renderer.resize();
      app.setTheme(app.dark, false);
      app.renderDetails();
      app.renderResults(null);
      app.renderNodes();
      app.renderFindings();
      app.renderWindowInputs();
      app.fit();
      if (location.hash.length > 1) app.loadFragment(location.hash);
      app.draw();
      timing.firstFrame = performance.now();
      Object.assign(api, app.api());
      api.app = app;
      resolveReady(api.info());
    } catch (err) {
      $("status").textContent = `causal view: cannot show this page: ${err.message}`;
      console.error(err);
      rejectReady(err);
    }
  }

  if (typeof document !== "undefined" && document.getElementById("causal-data")) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }

  return { App, start };
})();
