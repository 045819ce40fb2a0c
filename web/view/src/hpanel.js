// hpanel.js: the history page's panels and input: the check's verdict, violations, the
// linearization in order, the legend and `causal lin`'s report in the side panel; an
// operation's details; the partition selector; pointer and keys; the test interface. Adds
// these to HView.HistoryApp; `open` starts the page (ui.js calls it for a history).

const HPanel = (() => {
  const { el, clamp, plural, oneLine } = Util;
  const { OK, FAIL, INFO, OPEN } = Hist;
  const $ = (id) => document.getElementById(id);
  /** Operations of a linearization listed in the panel; the drawing has them all. */
  const LISTED = 200;

  const methods = {
    /** `process 3: read → 2` */
    named(op) {
      const d = this.d;
      return `process ${oneLine(d.processes[d.proc[op]])}: ${oneLine(Hist.str(d, d.label[op]))}`;
    },

    /** A clickable line naming an operation: selects it and brings it on screen. */
    opLink(op, text) {
      return el("a", { href: "#", class: "op", onclick: (ev) => { ev.preventDefault(); this.focusOp(op); } }, text ?? this.named(op));
    },

    focusOp(op) {
      const d = this.d;
      if (this.key >= 0 && d.key[op] !== this.key) this.setPartition(d.key[op]);
      const P = this.plot();
      const a = d.call[op];
      const b = Math.min(Hist.end(d, op), a + 50);
      const w = (P.right - P.left) / this.view.scale;
      if (a < this.view.x0 || b > this.view.x0 + w) this.view.x0 = (a + b) / 2 - w / 2;
      const row = this.rowOf[d.laneOf[d.proc[op]]];
      const h = P.bottom - P.top - HView.LANES;
      const y = row * this.view.laneH;
      if (y < this.view.y0 || y + this.view.laneH > this.view.y0 + h) this.view.y0 = y - h / 2;
      this.select(op);
    },

    /** The Check tab: verdict, facts, violations, linearization, legend, the text report. */
    renderCheck() {
      const d = this.d;
      const lin = d.lin;
      const box = $("tab-findings");
      box.replaceChildren();
      const verdict = {
        "not-linearizable": ["Not linearizable", "verdict bad"],
        linearizable: ["Linearizable", "verdict good"],
        unknown: ["Unknown: the --timeout stopped the search before a verdict", "verdict"],
      }[lin.verdict];
      box.append(el("div", { class: verdict[1] }, verdict[0]));
      const dl = el("dl", { class: "kv" });
      const row = (k, v) => dl.append(el("dt", null, k), el("dd", null, v));
      row("model", lin.model);
      row("checked", `${plural(lin.checked, "operation")} of ${d.M}`);
      if (d.keyNames.length) row("partitions", `${plural(lin.partitions, "key")}, each checked on its own`);
      if (lin.dropped.failed) row("left out", `${plural(lin.dropped.failed, ":fail operation")} (they did not happen)`);
      if (lin.dropped.unknown_reads) row("left out", `${plural(lin.dropped.unknown_reads, "read")} of unknown outcome (they change nothing)`);
      box.append(dl);
      if (lin.violations.length) {
        box.append(el("h3", null, `Failing ${d.keyNames.length ? "keys" : "window"}`));
        const ul = el("ul", { class: "violations" });
        lin.violations.slice(0, 100).forEach((v) => ul.append(this.violationItem(v)));
        if (lin.violations.length > 100) ul.append(el("li", { class: "muted" }, `and ${lin.violations.length - 100} more (see the report below)`));
        box.append(ul);
      }
      if (lin.undecided.length) {
        box.append(el("h3", null, "Undecided"), el("p", null,
          lin.undecided.map((k) => (k === null ? "the history" : `key ${d.keyNames[k]}`)).slice(0, 20).join(", ")));
      }
      if (this.order && !this.violation) {
        box.append(el("h3", null, `Linearization${this.key >= 0 ? ` of key ${oneLine(d.keyNames[this.key])}` : ""}`));
        box.append(this.orderList(this.order));
      } else if (this.order && this.violation) {
        box.append(el("h3", null, `Longest linearizable prefix found: ${plural(this.order.length, "operation")}`));
        box.append(this.orderList(this.order, this.violationIndex));
      }
      box.append(el("h3", null, "Legend"), this.legend());
      box.append(el("h3", null, "Report (as causal lin prints it)"), el("pre", { id: "lin-report" }, lin.text));
    },

    violationItem(v) {
      const d = this.d;
      const li = el("li", { onclick: () => { this.setPartition(v.key ?? -1); this.goFailure(); } });
      if (v.key !== null) li.append(el("div", null, el("strong", null, `key ${oneLine(d.keyNames[v.key])}`)));
      for (const c of v.candidates) {
        li.append(el("div", null, this.named(c.op)));
        li.append(el("div", { class: "muted" }, c.kind === "rejected"
          ? `model state ${oneLine(v.state)}, but it ${d.f[c.op] >= 0 && Hist.str(d, d.f[c.op]) === "cas" ? "expected" : "returned"} ${oneLine(c.observed)}`
          : `model state ${oneLine(v.state)}: it would go to ${oneLine(c.state)}, and nothing fits after`));
      }
      li.append(el("div", { class: "muted" },
        `window: ${plural(v.window.ops.length, "concurrent operation")}, after a prefix of ${plural(v.prefix, "operation")}`));
      return li;
    },

    /** The first operations of an order, numbered as on the canvas, each followed by the
     *  state after it when the data has it. */
    orderList(order, violation = -1) {
      const d = this.d;
      const ol = el("ol", { class: "mono" });
      const states = violation >= 0 ? d.states[violation] : null;
      const from = Math.max(0, states ? order.length - LISTED : 0);
      if (from > 0) ol.setAttribute("start", String(from + 1));
      for (let k = from; k < Math.min(order.length, from + LISTED); k++) {
        const li = el("li", null, this.opLink(order[k]));
        if (states) li.append(el("span", { class: "muted" }, ` then ${oneLine(Hist.str(d, states[k]))}`));
        ol.append(li);
      }
      const wrap = el("div", null, ol);
      if (order.length > LISTED) wrap.append(el("p", { class: "muted" }, states ? `the last ${LISTED} shown` : `the first ${LISTED} shown`));
      return wrap;
    },

    legend() {
      const c = this.renderer.colors;
      const box = el("div", { class: "legend" });
      const sample = (paint, text) => {
        const cv = el("canvas", { width: 88, height: 28 });
        const ctx = cv.getContext("2d");
        ctx.scale(2, 2);
        paint(ctx);
        box.append(cv, el("span", null, text));
      };
      const color = c.nodes[0] || "#36c";
      sample((x) => { x.globalAlpha = 0.28; x.fillStyle = color; x.fillRect(2, 2, 40, 10); x.globalAlpha = 1; x.strokeStyle = color; x.strokeRect(2.5, 2.5, 39, 9); },
        "an operation, from its invocation to its completion, on its client's lane (a process that comes back after an :info shares it)");
      sample((x) => { x.globalAlpha = 0.14; x.fillStyle = color; x.fillRect(2, 2, 42, 10); x.globalAlpha = 0.8; x.strokeStyle = color; x.setLineDash([4, 3]); x.strokeRect(2.5, 2.5, 42, 9); x.globalAlpha = 1; x.fillStyle = color; x.fillRect(2, 2, 2, 10); },
        ":info (to where the client gave up; dotted on to where it took effect, if it did) or never completed (to the end): it may take effect at any time after its invocation, or never");
      sample((x) => { x.setLineDash([3, 3]); x.strokeStyle = c.muted; x.strokeRect(2.5, 2.5, 39, 9); },
        ":fail: it did not happen, and the check leaves it out");
      sample((x) => { x.globalAlpha = 0.22; x.fillStyle = c.match; x.fillRect(0, 0, 44, 14); x.globalAlpha = 1; x.strokeStyle = c.match; x.lineWidth = 1.5; x.strokeRect(8, 3, 28, 8); },
        "the failing window: operations concurrent with those that must go next");
      sample((x) => { x.strokeStyle = c.lost; x.lineWidth = 2.5; x.strokeRect(4, 3, 36, 8); },
        "an operation that could go next, and that no order can place there");
      sample((x) => { x.strokeStyle = c.chain; x.lineWidth = 1.5; x.beginPath(); x.moveTo(6, 10); x.lineTo(36, 4); x.stroke(); x.fillStyle = c.chain; x.beginPath(); x.arc(6, 10, 4, 0, 7); x.arc(36, 4, 4, 0, 7); x.fill(); },
        "the linearization found (or its longest linearizable prefix), in order: where each operation takes effect");
      return box;
    },

    /** The Operation tab: the selected operation. */
    renderDetails() {
      const d = this.d;
      const box = $("tab-details");
      box.replaceChildren();
      const op = this.sel;
      if (op < 0) {
        box.append(el("p", { class: "muted" }, "Click an operation for its details."));
        return;
      }
      box.append(el("h3", null, this.named(op)));
      const dl = el("dl", { class: "kv" });
      const row = (k, v) => dl.append(el("dt", null, k), el("dd", null, v));
      const s = d.status[op];
      row("process", d.processes[d.proc[op]]);
      row("function", Hist.str(d, d.f[op]));
      if (d.key[op] >= 0) row("key", d.keyNames[d.key[op]]);
      row("invoked with", Hist.str(d, d.invoked[op]));
      if (d.completed[op] >= 0) row("completed with", Hist.str(d, d.completed[op]));
      const unknown = " (unknown: it may take effect at any time after its invocation, or never)";
      row("outcome", s === OPEN ? `never completed${unknown}` : `:${Hist.STATUS_NAMES[s]}${s === FAIL ? " (it did not happen)" : s === INFO ? unknown : ""}`);
      const file = (f) => d.files[f] ?? "";
      row("lines", s === OPEN ? `${file(d.callFile[op])}:${d.callLine[op]}, never completed`
        : `${file(d.callFile[op])}:${d.callLine[op]} to ${d.retFile[op] === d.callFile[op] ? "line " : file(d.retFile[op]) + ":"}${d.retLine[op]}`);
      row("positions", s === OPEN ? `${d.call[op]} to the end` : `${d.call[op]} to ${d.ret[op]} (in real-time order)`);
      const k = this.rank.get(op);
      if (k !== undefined) {
        const state = this.violation ? ` (then ${oneLine(Hist.str(d, d.states[this.violationIndex][k]))})` : "";
        row(this.violation ? "in the prefix" : "linearized", `number ${k + 1} of ${this.order.length}${state}`);
      } else if (this.order && s !== FAIL) {
        row(this.violation ? "in the prefix" : "linearized", this.violation ? "no" : "no: it never took effect");
      }
      const v = this.violation;
      const cand = v && v.candidates.find((c) => c.op === op);
      if (cand) {
        row("model state", oneLine(v.state));
        if (cand.kind === "rejected") row(Hist.str(d, d.f[op]) === "cas" ? "expected" : "returned", oneLine(cand.observed));
        else row("would go to", `${oneLine(cand.state)}, and nothing fits after`);
      }
      box.append(dl);
    },

    wire() {
      const d = this.d;
      const canvas = $("canvas");
      document.body.classList.add("history");
      $("title").textContent = d.header.title;
      $("title").title = d.header.title;
      for (const b of document.querySelectorAll("#tabs button")) {
        const keep = { details: "Operation", findings: "Check" }[b.dataset.tab];
        if (keep) b.textContent = keep;
        else b.hidden = true;
        b.addEventListener("click", () => this.showTab(b.dataset.tab));
      }
      $("tab-results").hidden = $("tab-nodes").hidden = true;
      const part = $("part");
      if (d.keyNames.length) {
        const failing = new Set(d.lin.violations.map((v) => v.key));
        part.append(el("option", { value: "-1" }, `every key (${d.keyNames.length})`));
        d.keyNames.forEach((k, i) => part.append(el("option", { value: String(i) }, `${failing.has(i) ? "✕ " : ""}${oneLine(k)}`)));
        part.value = String(this.key);
        part.addEventListener("change", () => this.setPartition(Number(part.value)));
      } else {
        $("part-label").hidden = true;
      }
      $("gofail").disabled = d.lin.violations.length === 0;
      $("gofail").addEventListener("click", () => this.toFailure());
      $("fit").addEventListener("click", () => this.fit());
      $("theme").addEventListener("click", () => this.setTheme(!this.dark));
      window.addEventListener("resize", () => this.requestDraw());
      let drag = null;
      canvas.addEventListener("pointerdown", (ev) => {
        canvas.focus();
        canvas.setPointerCapture(ev.pointerId);
        const P = this.plot();
        const r = canvas.getBoundingClientRect();
        const py = ev.clientY - r.top;
        drag = { x: ev.clientX, y: ev.clientY, moved: false, scrub: py > P.bottom };
        if (drag.scrub) this.scrub(ev.clientX - r.left);
      });
      canvas.addEventListener("pointermove", (ev) => {
        if (!drag) return;
        const dx = ev.clientX - drag.x;
        const dy = ev.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.scrub) {
          this.scrub(ev.clientX - canvas.getBoundingClientRect().left);
        } else if (drag.moved) {
          this.view.x0 -= dx / this.view.scale;
          this.view.y0 -= dy;
          drag.x = ev.clientX;
          drag.y = ev.clientY;
          canvas.classList.add("grab");
          this.requestDraw();
        }
      });
      canvas.addEventListener("pointerup", (ev) => {
        canvas.classList.remove("grab");
        if (drag && !drag.moved && !drag.scrub) {
          const r = canvas.getBoundingClientRect();
          this.select(this.opAt(ev.clientX - r.left, ev.clientY - r.top));
        }
        drag = null;
      });
      canvas.addEventListener("wheel", (ev) => {
        ev.preventDefault();
        const r = canvas.getBoundingClientRect();
        if (ev.ctrlKey || ev.metaKey) {
          this.zoom(Math.exp(-ev.deltaY * 0.002), ev.clientX - r.left);
        } else if (ev.altKey) {
          this.view.laneH = clamp(this.view.laneH * Math.exp(-ev.deltaY * 0.002), 6, 80);
          this.requestDraw();
        } else {
          this.view.x0 += (ev.shiftKey ? ev.deltaY : ev.deltaX) / this.view.scale;
          if (!ev.shiftKey) this.view.y0 += ev.deltaY;
          this.requestDraw();
        }
      }, { passive: false });
      window.addEventListener("keydown", (ev) => {
        if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement || ev.ctrlKey || ev.metaKey) return;
        const P = this.plot();
        const step = (P.right - P.left) / 4;
        const keys = {
          "0": () => this.fit(), f: () => this.fit(), g: () => this.toFailure(),
          w: () => this.zoom(1.5), "+": () => this.zoom(1.5), s: () => this.zoom(1 / 1.5), "-": () => this.zoom(1 / 1.5),
          a: () => this.pan(step, 0), ArrowLeft: () => this.pan(step, 0), d: () => this.pan(-step, 0), ArrowRight: () => this.pan(-step, 0),
          ArrowUp: () => this.pan(0, -this.view.laneH * 3), ArrowDown: () => this.pan(0, this.view.laneH * 3),
          "[": () => { this.view.laneH = Math.max(6, this.view.laneH - 4); this.draw(); },
          "]": () => { this.view.laneH = Math.min(80, this.view.laneH + 4); this.draw(); },
          t: () => this.setTheme(!this.dark), Escape: () => this.select(-1),
        };
        const fn = keys[ev.key];
        if (fn) {
          ev.preventDefault();
          fn();
        }
      });
    },

    /** The failing window of this partition, or of the first failing one. */
    toFailure() {
      const vs = this.d.lin.violations;
      if (!this.violation && vs.length) this.setPartition(vs[0].key ?? -1);
      return this.goFailure();
    },

    /** Centers the view on the overview's point at `px`. */
    scrub(px) {
      const P = this.plot();
      const pos = ((px - P.left) / (P.right - P.left)) * this.d.positions;
      this.view.x0 = pos - (P.right - P.left) / this.view.scale / 2;
      this.requestDraw();
    },

    /** The test interface (README.md, "Test interface"). */
    api() {
      const app = this;
      const d = this.d;
      return {
        info() {
          return {
            mode: "history", processes: d.processes, operations: d.M, positions: d.positions,
            model: d.lin.model, verdict: d.lin.verdict, keys: d.keyNames,
            partition: app.key >= 0 ? d.keyNames[app.key] : null,
          };
        },
        fit: () => app.fit(),
        redraw: () => app.draw(),
        goFailure: () => app.toFailure(),
        setPartition(name) {
          app.setPartition(name === null ? -1 : d.keyNames.indexOf(name));
          return app.stats;
        },
        lanes: () => app.lanes.lanes.map((l) => d.laneNames[l]),
        order: () => (app.order ? Array.from(app.order) : null),
        failing: () => (app.violation ? app.violation.candidates.map((c) => c.op) : []),
        points: () => (app.points ? Array.from(app.points) : null),
        select: (op) => app.select(op),
        selected: () => app.sel,
        screenOf: (op) => app.screenOf(op),
        opAt: (x, y) => app.opAt(x, y),
        check: () => $("tab-findings").innerText,
        details: () => $("tab-details").innerText,
        setTheme: (dark) => app.setTheme(dark),
        zoom: (f) => app.zoom(f),
        pan: (dx, dy) => app.pan(dx, dy),
        view: () => ({ ...app.view }),
      };
    },
  };

  /** Starts the history page on decoded data `d`; returns the application. */
  function open(d) {
    Object.assign(HView.HistoryApp.prototype, methods);
    const app = new HView.HistoryApp(d);
    app.wire();
    app.renderer.resize();
    app.setTheme(app.dark);
    app.renderDetails();
    app.showTab("findings");
    app.fit();
    if (app.violation) app.goFailure();
    return app;
  }

  return { open };
})();
