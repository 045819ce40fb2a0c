// hview.js: the history page: one lane per process, each operation a bar from its invocation
// to its completion, the linearizability check's failing window, the linearization (or the
// longest linearizable prefix) found drawn in order, a partition (key) selector, the check's
// facts and report in the side panel, and the test interface. Draws on the canvas only what
// is on screen; bars denser than the pixels are merged into runs. Started by ui.js when the
// page holds a history (README.md, "History data").

const HView = (() => {
  const { el, clamp, lowerBound, upperBound, plural, oneLine } = Util;
  const { HEADER_W, niceStep } = Draw;
  const { OK, FAIL, INFO, OPEN } = Hist;
  const $ = (id) => document.getElementById(id);
  const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const SMALL = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  /** Height of the strip under the axis that shows how far the linearization reaches. */
  const STRIP = 12;
  /** Where the first lane starts below the axis: the strip, and room for the numbers of the
   *  linearization drawn above the first lane's bars. */
  const LANES = STRIP + 10;
  const STATUS = ["ok", "fail", "info", "no completion"];

  class HistoryApp {
    constructor(d) {
      this.d = d;
      this.renderer = new Draw.Renderer($("canvas"));
      this.dark = !!(window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches);
      this.view = { x0: 0, scale: 1, y0: 0, laneH: 28 };
      this.sel = -1;
      this.stats = {};
      const lin = d.lin;
      const firstKey = (list) => (list.length ? (list[0] ?? -1) : null);
      const keyOfViolation = lin.violations.length ? lin.violations[0].key ?? -1 : null;
      this.key = keyOfViolation ?? firstKey(lin.undecided) ?? (d.keyNames.length ? 0 : -1);
      this.setPartition(this.key, false);
    }

    /** Shows partition `key` (index into the keys, or -1 for every operation). */
    setPartition(key, draw = true) {
      const d = this.d;
      this.key = key;
      this.lanes = Hist.partitionLanes(d, key);
      this.rowOf = new Int32Array(d.L).fill(-1);
      this.lanes.lanes.forEach((p, r) => (this.rowOf[p] = r));
      const found = Hist.orderOf(d, key);
      this.order = found ? found.order : null;
      this.violation = found && found.violation >= 0 ? d.lin.violations[found.violation] : null;
      this.violationIndex = found ? found.violation : -1;
      this.points = this.order ? Hist.points(d, this.order) : null;
      this.rank = new Map();
      if (this.order) this.order.forEach((op, k) => this.rank.set(op, k));
      this.marked = new Map();
      const v = this.violation;
      if (v) {
        for (const op of v.window.ops) this.marked.set(op, "window");
        for (const c of v.candidates) this.marked.set(c.op, "candidate");
      }
      this._overview = null;
      if ($("part") && $("part").value !== String(key)) $("part").value = String(key);
      if (draw) {
        this.fit();
        this.renderCheck();
      }
    }

    plot() {
      return this.renderer.plot();
    }

    /** The whole history across the width. */
    fitX() {
      const P = this.plot();
      const n = Math.max(1, this.d.positions);
      const w = Math.max(1, P.right - P.left - 16);
      this.view.scale = w / n;
      this.view.x0 = -8 / this.view.scale;
      return this;
    }

    fit() {
      const P = this.plot();
      this.fitX();
      const rows = Math.max(1, this.lanes.lanes.length);
      this.view.laneH = clamp(Math.floor((P.bottom - P.top - LANES) / rows), 12, 34);
      this.view.y0 = 0;
      return this.draw();
    }

    /** Zooms to the failing window with the operations around it, its lanes in sight. */
    goFailure() {
      const v = this.violation;
      if (!v) return this.draw();
      const P = this.plot();
      let from = v.window.from;
      let to = v.window.to;
      for (const op of v.window.ops) {
        from = Math.min(from, this.d.call[op]);
        to = Math.max(to, Math.min(Hist.end(this.d, op), v.window.to + 4));
      }
      // Context: the last operations of the prefix, and a few dozen positions at least.
      const pts = this.points;
      if (pts && pts.length) from = Math.min(from, pts[Math.max(0, pts.length - 6)]);
      const span = Math.max(to - from, 24);
      const w = P.right - P.left;
      if (span * 2.2 >= this.d.positions) return this.fitX().draw();
      this.view.scale = w / (span * 2.2);
      this.view.x0 = from - span * 0.6;
      const rows = v.candidates.map((c) => this.rowOf[this.d.laneOf[this.d.proc[c.op]]]).filter((r) => r >= 0);
      if (rows.length) {
        const h = P.bottom - P.top - LANES;
        const mid = (Math.min(...rows) + Math.max(...rows) + 1) / 2 * this.view.laneH;
        this.view.y0 = clamp(mid - h / 2, 0, Math.max(0, this.lanes.lanes.length * this.view.laneH - h));
      }
      return this.draw();
    }

    xOf(pos) {
      return this.plot().left + (pos - this.view.x0) * this.view.scale;
    }

    rowY(r) {
      return this.plot().top + LANES + r * this.view.laneH - this.view.y0;
    }

    clampView() {
      const P = this.plot();
      const h = P.bottom - P.top - LANES;
      this.view.y0 = clamp(this.view.y0, 0, Math.max(0, this.lanes.lanes.length * this.view.laneH - h));
      const n = this.d.positions;
      const w = (P.right - P.left) / this.view.scale;
      this.view.x0 = clamp(this.view.x0, -w * 0.9, n - w * 0.1);
    }

    zoom(factor, px) {
      const P = this.plot();
      const at = px ?? (P.left + P.right) / 2;
      const pos = this.view.x0 + (at - P.left) / this.view.scale;
      const max = 200;
      this.view.scale = clamp(this.view.scale * factor, (P.right - P.left) / (this.d.positions * 4 + 10), max);
      this.view.x0 = pos - (at - P.left) / this.view.scale;
      return this.draw();
    }

    pan(dx, dy) {
      this.view.x0 -= dx / this.view.scale;
      this.view.y0 += dy;
      return this.draw();
    }

    requestDraw() {
      if (this._pending) return;
      this._pending = requestAnimationFrame(() => {
        this._pending = 0;
        this.draw();
      });
    }

    setTheme(dark) {
      this.dark = dark;
      document.documentElement.dataset.theme = dark ? "dark" : "light";
      this.renderer.readColors(dark, this.d.L);
      this.renderCheck();
      this.draw();
    }

    /** Draws one frame; returns what it drew. */
    draw() {
      const t0 = performance.now();
      const r = this.renderer;
      if (r.resize()) r.readColors(this.dark, this.d.L);
      this.clampView();
      const ctx = r.ctx;
      const c = r.colors;
      const d = this.d;
      const P = this.plot();
      const V = this.view;
      const st = { lanes: 0, bars: 0, runs: 0, labels: 0, window: false, points: 0, numbers: 0, dense: false };
      ctx.setTransform(r.dpr, 0, 0, r.dpr, 0, 0);
      ctx.fillStyle = c.bg;
      ctx.fillRect(0, 0, r.W, r.H);
      const x0 = V.x0;
      const x1 = V.x0 + (P.right - P.left) / V.scale;
      const xOf = (pos) => P.left + (pos - V.x0) * V.scale;
      const rows = this.lanes.lanes.length;
      const top = P.top + STRIP;
      const firstRow = Math.max(0, Math.floor(V.y0 / V.laneH));
      const lastRow = Math.min(rows - 1, Math.floor((V.y0 + P.bottom - P.top - LANES) / V.laneH));
      ctx.save();
      ctx.beginPath();
      ctx.rect(P.left, top, P.right - P.left, P.bottom - top);
      ctx.clip();
      for (let row = firstRow; row <= lastRow; row++) {
        ctx.fillStyle = row % 2 ? c.laneB : c.laneA;
        ctx.fillRect(P.left, this.rowY(row), P.right - P.left, V.laneH);
      }
      // The failing window: a band over every lane, never thinner than a few pixels.
      const bands = this.key >= 0 || d.keyNames.length === 0
        ? (this.violation ? [this.violation] : [])
        : d.lin.violations;
      for (const v of bands) {
        let a = xOf(v.window.from - 0.5);
        let b = xOf(v.window.to + 0.5);
        if (b - a < 6) {
          const m = (a + b) / 2;
          a = m - 3;
          b = m + 3;
        }
        if (b < P.left || a > P.right) continue;
        ctx.globalAlpha = 0.22;
        ctx.fillStyle = c.match;
        ctx.fillRect(a, top, b - a, P.bottom - top);
        ctx.globalAlpha = 1;
        st.window = true;
      }
      const barH = Math.max(2, Math.round(V.laneH * 0.56));
      const dense = [];
      for (let row = firstRow; row <= lastRow; row++) {
        const list = this.lanes.ops[row];
        const [lo, hi] = Hist.visible(d, list, this.lanes.calls[row], x0, x1);
        const y = this.rowY(row) + (V.laneH - barH) / 2;
        const color = c.nodes[this.lanes.lanes[row]];
        st.lanes++;
        if (hi - lo > (P.right - P.left) / 3) {
          // More bars than pixels: runs of bars, then only the marked ones on top.
          st.dense = true;
          const runs = Hist.runs(d, list, lo, hi, 1.5 / V.scale);
          ctx.fillStyle = color;
          ctx.globalAlpha = 0.55;
          for (let k = 0; k < runs.length; k += 2) {
            const a = xOf(runs[k]);
            ctx.fillRect(a, y, Math.max(1, xOf(runs[k + 1]) - a), barH);
          }
          ctx.globalAlpha = 1;
          st.runs += runs.length / 2;
          for (let k = lo; k < hi; k++) if (this.marked.has(list[k]) || list[k] === this.sel) dense.push([list[k], y]);
          continue;
        }
        for (let k = lo; k < hi; k++) this.bar(ctx, list[k], y, barH, color, st);
      }
      for (const [op, y] of dense) this.bar(ctx, op, y, barH, c.nodes[d.laneOf[d.proc[op]]], st);
      this.drawOrder(ctx, P, x0, x1, st);
      ctx.restore();
      this.drawStrip(ctx, P, st);
      this.drawHeaders(ctx, P, firstRow, lastRow);
      this.drawAxis(ctx, P, x0, x1);
      this.drawOverview(ctx, P, x0, x1);
      st.ms = performance.now() - t0;
      this.stats = st;
      $("status").textContent = this.statusLine();
      return st;
    }

    /** One operation's bar, its text inside when it fits, and its highlight. */
    bar(ctx, op, y, h, color, st) {
      const d = this.d;
      const c = this.renderer.colors;
      const s = d.status[op];
      const a = this.xOf(d.call[op]);
      const open = s === INFO || s === OPEN;
      const b = s === OPEN ? this.plot().right + 2 : Math.max(a + 2, this.xOf(d.ret[op]));
      const w = b - a;
      const mark = this.marked.get(op);
      st.bars++;
      if (s === FAIL) {
        // Did not happen: an outline only, faint.
        ctx.globalAlpha = 0.5;
        ctx.setLineDash([3, 3]);
        ctx.strokeStyle = c.muted;
        ctx.lineWidth = 1;
        ctx.strokeRect(a + 0.5, y + 0.5, w - 1, h - 1);
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
      } else if (open) {
        // Unknown outcome: it may take effect any time from its invocation on, so the bar
        // runs to the end, lighter, its outline dashed.
        ctx.globalAlpha = 0.14;
        ctx.fillStyle = color;
        ctx.fillRect(a, y, w, h);
        ctx.globalAlpha = 0.8;
        ctx.strokeStyle = color;
        ctx.setLineDash([4, 3]);
        ctx.strokeRect(a + 0.5, y + 0.5, w - 1, h - 1);
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
        ctx.fillStyle = color;
        ctx.fillRect(a, y, 2, h);
        this.tail(ctx, op, b, y + h / 2, color);
      } else {
        ctx.globalAlpha = 0.28;
        ctx.fillStyle = color;
        ctx.fillRect(a, y, w, h);
        ctx.globalAlpha = 1;
        ctx.strokeStyle = color;
        ctx.lineWidth = 1;
        ctx.strokeRect(a + 0.5, y + 0.5, w - 1, h - 1);
      }
      if (mark || op === this.sel) {
        ctx.lineWidth = mark === "candidate" || op === this.sel ? 2.5 : 1.5;
        ctx.strokeStyle = op === this.sel ? c.sel : mark === "candidate" ? c.lost : c.match;
        ctx.strokeRect(a - 1, y - 1, Math.min(w, this.plot().right - a + 4) + 2, h + 2);
      }
      if (h >= 11 && w > 18) {
        const from = Math.max(a, this.plot().left) + 4;
        const room = Math.min(b, this.plot().right) - from - 3;
        ctx.font = h >= 14 ? FONT : SMALL;
        const text = Draw.fit(ctx, oneLine(Hist.str(d, d.label[op])), room);
        if (text) {
          ctx.fillStyle = s === FAIL ? c.muted : mark === "candidate" ? c.lost : c.fg;
          ctx.textBaseline = "middle";
          ctx.fillText(text, from, y + h / 2 + 0.5);
          st.labels++;
        }
      }
    }

    /** After an `:info` completion the operation may still take effect: a dashed line on to
     *  where the linearization places it, or to the end when it is selected or in the
     *  failing window (drawn for every `:info` operation, they would hide the lanes). */
    tail(ctx, op, x, y, color) {
      if (this.d.status[op] !== INFO) return;
      const k = this.rank.get(op);
      let to = -1;
      if (k !== undefined) to = this.xOf(this.points[k]);
      else if (op === this.sel || this.marked.has(op)) to = this.plot().right;
      ctx.strokeStyle = color;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(Math.max(x + 6, to), y);
      ctx.stroke();
      ctx.setLineDash([]);
    }

    /** The linearization (or prefix) found: a line through the points where the operations
     *  take effect, numbered when there is room; too dense, only the strip shows it. */
    drawOrder(ctx, P, x0, x1, st) {
      const pts = this.points;
      if (!pts || !pts.length) return;
      const d = this.d;
      const c = this.renderer.colors;
      const k0 = Math.max(0, lowerBound(pts, x0) - 1);
      const k1 = Math.min(pts.length, upperBound(pts, x1) + 1);
      if (k1 - k0 > (P.right - P.left) / 4) return;
      // On the bars' top edge, so that their text stays readable.
      const barH = Math.max(2, Math.round(this.view.laneH * 0.56));
      const yOf = (op) => this.rowY(this.rowOf[d.laneOf[d.proc[op]]]) + (this.view.laneH - barH) / 2;
      ctx.strokeStyle = c.chain;
      ctx.lineWidth = 1.5;
      ctx.globalAlpha = 0.85;
      ctx.beginPath();
      for (let k = k0; k < k1; k++) {
        const x = this.xOf(pts[k]);
        const y = yOf(this.order[k]);
        if (k === k0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.font = SMALL;
      ctx.textBaseline = "middle";
      ctx.textAlign = "center";
      let lastX = -Infinity;
      for (let k = k0; k < k1; k++) {
        const x = this.xOf(pts[k]);
        const y = yOf(this.order[k]);
        st.points++;
        ctx.fillStyle = c.chain;
        ctx.beginPath();
        ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
        ctx.fill();
        // Its number above the point, on a halo, when the previous number leaves room.
        const label = String(k + 1);
        const w = ctx.measureText(label).width;
        if (x - w / 2 - lastX >= 4 && this.view.laneH >= 14) {
          ctx.lineWidth = 3;
          ctx.strokeStyle = c.bg;
          ctx.strokeText(label, x, y - 9);
          ctx.fillText(label, x, y - 9);
          lastX = x + w / 2;
          st.numbers++;
        }
      }
      ctx.textAlign = "left";
      // Where the prefix stops: the operations that could go next, and none can.
      const v = this.violation;
      if (v && pts.length) {
        const x = this.xOf(pts[pts.length - 1]);
        for (const cand of v.candidates) {
          const y = yOf(cand.op);
          const cx = this.xOf(d.call[cand.op]) - 9;
          ctx.strokeStyle = c.lost;
          ctx.setLineDash([4, 3]);
          ctx.beginPath();
          ctx.moveTo(x, yOf(this.order[pts.length - 1]));
          ctx.lineTo(cx, y);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.font = FONT;
          ctx.fillStyle = c.lost;
          ctx.textBaseline = "middle";
          ctx.textAlign = "center";
          ctx.fillText("✕", cx, y + 0.5);
          ctx.textAlign = "left";
          // What it returned against what the model holds, beside its bar.
          const text = cand.kind === "rejected"
            ? `${oneLine(Hist.str(d, d.label[cand.op]))}: the model holds ${oneLine(v.state)}`
            : `${oneLine(Hist.str(d, d.label[cand.op]))}: it would leave ${oneLine(cand.state)}, and nothing fits after`;
          ctx.font = FONT;
          const tw = ctx.measureText(text).width;
          let bx = Math.max(this.xOf(Hist.end(d, cand.op)), this.xOf(d.call[cand.op]) + 2) + 6;
          let by = y + barH / 2;
          // Where it fits: after the bar, else before the ✕, else under the bar.
          if (bx + tw > P.right - 4) {
            if (cx - 10 - tw > P.left + 4) bx = cx - 10 - tw;
            else {
              bx = Math.max(P.left + 4, Math.min(cx, P.right - 4 - tw));
              by = y + barH + 9;
            }
          }
          ctx.lineWidth = 3;
          ctx.strokeStyle = c.bg;
          ctx.strokeText(text, bx, by);
          ctx.fillStyle = c.lost;
          ctx.fillText(text, bx, by);
        }
      }
    }

    /** The strip under the axis: how far the linearization reaches, and the window. */
    drawStrip(ctx, P, st) {
      const c = this.renderer.colors;
      const y = P.top + 2;
      ctx.fillStyle = c.panel;
      ctx.fillRect(P.left, P.top, P.right - P.left, STRIP);
      if (this.points && this.points.length) {
        const a = Math.max(P.left, this.xOf(this.points[0]));
        const b = Math.min(P.right, this.xOf(this.points[this.points.length - 1]));
        if (b >= a) {
          ctx.fillStyle = c.chain;
          ctx.globalAlpha = 0.7;
          ctx.fillRect(a, y + 2, Math.max(2, b - a), STRIP - 6);
          ctx.globalAlpha = 1;
        }
      }
      const v = this.violation;
      if (v) {
        const m = (this.xOf(v.window.from) + this.xOf(v.window.to)) / 2;
        if (m >= P.left - 6 && m <= P.right + 6) {
          ctx.fillStyle = c.lost;
          ctx.beginPath();
          ctx.moveTo(m - 5, P.top);
          ctx.lineTo(m + 5, P.top);
          ctx.lineTo(m, P.top + STRIP - 1);
          ctx.fill();
        }
      }
    }

    drawHeaders(ctx, P, firstRow, lastRow) {
      const c = this.renderer.colors;
      ctx.fillStyle = c.panel;
      ctx.fillRect(0, 0, HEADER_W, this.renderer.H);
      ctx.strokeStyle = c.line;
      ctx.beginPath();
      ctx.moveTo(HEADER_W - 0.5, 0);
      ctx.lineTo(HEADER_W - 0.5, this.renderer.H);
      ctx.stroke();
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, P.top + STRIP, HEADER_W, P.bottom - P.top - STRIP);
      ctx.clip();
      ctx.font = this.view.laneH >= 14 ? FONT : SMALL;
      ctx.textBaseline = "middle";
      for (let row = firstRow; row <= lastRow; row++) {
        const p = this.lanes.lanes[row];
        const y = this.rowY(row) + this.view.laneH / 2;
        ctx.fillStyle = c.nodes[p];
        ctx.fillRect(6, y - 4, 8, 8);
        ctx.fillStyle = c.fg;
        const names = this.d.laneNames[p];
        ctx.fillText(Draw.fit(ctx, `${names.includes(",") ? "processes" : "process"} ${oneLine(names)}`, HEADER_W - 28), 20, y + 0.5);
      }
      ctx.restore();
      ctx.font = SMALL;
      ctx.fillStyle = c.muted;
      ctx.textBaseline = "middle";
      const part = this.key >= 0 ? `key ${oneLine(this.d.keyNames[this.key])}` : this.d.keyNames.length ? "every key" : "";
      ctx.fillText(Draw.fit(ctx, part, HEADER_W - 12), 8, P.top / 2);
      ctx.fillText("linearized", 8, P.top + STRIP / 2);
    }

    drawAxis(ctx, P, x0, x1) {
      const c = this.renderer.colors;
      ctx.fillStyle = c.panel;
      ctx.fillRect(P.left, 0, P.right - P.left, P.top);
      ctx.strokeStyle = c.line;
      ctx.beginPath();
      ctx.moveTo(P.left, P.top - 0.5);
      ctx.lineTo(P.right, P.top - 0.5);
      ctx.stroke();
      const step = niceStep(80 / this.view.scale, true);
      ctx.font = SMALL;
      ctx.fillStyle = c.axis;
      ctx.textBaseline = "middle";
      for (let v = Math.ceil(Math.max(0, x0) / step) * step; v <= Math.min(x1, this.d.positions); v += step) {
        const x = this.xOf(v);
        ctx.fillRect(x, P.top - 5, 1, 5);
        ctx.fillText(String(v), x + 3, P.top / 2);
      }
    }

    /** The strip at the bottom: where the operations are over the whole history, what is on
     *  screen, and the failing windows; click or drag it to go there. */
    drawOverview(ctx, P, x0, x1) {
      const c = this.renderer.colors;
      const r = this.renderer;
      const y = P.bottom;
      const h = r.H - P.bottom;
      const w = P.right - P.left;
      const n = Math.max(1, this.d.positions);
      ctx.fillStyle = c.panel;
      ctx.fillRect(0, y, r.W, h);
      ctx.strokeStyle = c.line;
      ctx.beginPath();
      ctx.moveTo(0, y + 0.5);
      ctx.lineTo(r.W, y + 0.5);
      ctx.stroke();
      const cols = Math.max(1, Math.floor(w));
      if (!this._overview || this._overview.length !== cols) {
        const bins = new Float64Array(cols);
        for (const list of this.lanes.ops) {
          for (const op of list) bins[Math.min(cols - 1, Math.floor((this.d.call[op] / n) * cols))]++;
        }
        this._overview = bins;
      }
      const bins = this._overview;
      let max = 1;
      for (const b of bins) if (b > max) max = b;
      ctx.fillStyle = c.axis;
      for (let i = 0; i < cols; i++) {
        if (!bins[i]) continue;
        const bh = Math.max(1, (bins[i] / max) * (h - 10));
        ctx.fillRect(P.left + i, y + h - 4 - bh, 1, bh);
      }
      ctx.fillStyle = c.lost;
      for (const v of this.d.lin.violations) {
        if (this.key >= 0 && (v.key ?? -1) !== this.key) continue;
        ctx.fillRect(P.left + (v.window.from / n) * w - 1, y + 2, 3, h - 4);
      }
      const a = P.left + (Math.max(0, x0) / n) * w;
      const b = P.left + (Math.min(n, x1) / n) * w;
      ctx.strokeStyle = c.focus;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(a, y + 2, Math.max(3, b - a), h - 4);
      ctx.font = SMALL;
      ctx.fillStyle = c.muted;
      ctx.textBaseline = "middle";
      ctx.fillText("overview", 8, y + h / 2);
    }

    statusLine() {
      const d = this.d;
      const shown = this.lanes.ops.reduce((s, l) => s + l.length, 0);
      const part = this.key >= 0 ? `key ${oneLine(d.keyNames[this.key])}: ` : "";
      return `${part}${plural(shown, "operation")} on ${plural(this.lanes.lanes.length, "lane")} · ` +
        `${d.lin.model} · ${d.lin.verdict} · drag or wheel to pan, ctrl-wheel to zoom, g: failing window, 0: fit`;
    }

    /** The operation under a point of the canvas, or -1. */
    opAt(px, py) {
      const P = this.plot();
      if (px < P.left || py < P.top + STRIP || py > P.bottom) return -1;
      const row = Math.floor((py - P.top - LANES + this.view.y0) / this.view.laneH);
      if (row < 0 || row >= this.lanes.lanes.length) return -1;
      const pos = this.view.x0 + (px - P.left) / this.view.scale;
      const slack = 3 / this.view.scale;
      const list = this.lanes.ops[row];
      const [lo, hi] = Hist.visible(this.d, list, this.lanes.calls[row], pos - slack, pos + slack);
      let best = -1;
      let dist = Infinity;
      for (let k = lo; k < hi; k++) {
        const op = list[k];
        const a = this.d.call[op];
        const b = Hist.end(this.d, op);
        const dd = pos < a ? a - pos : pos > b ? pos - b : 0;
        if (dd < dist) {
          dist = dd;
          best = op;
        }
      }
      return dist <= slack ? best : -1;
    }

    select(op) {
      this.sel = op;
      this.renderDetails();
      if (op >= 0) this.showTab("details");
      return this.draw();
    }

    /** Where an operation's bar is on screen (its middle, or its start when open). */
    screenOf(op) {
      const row = this.rowOf[this.d.laneOf[this.d.proc[op]]];
      const P = this.plot();
      const a = Math.max(P.left + 2, this.xOf(this.d.call[op]));
      const b = Math.min(P.right - 2, this.xOf(Hist.end(this.d, op)));
      const rect = $("canvas").getBoundingClientRect();
      return { x: rect.left + (a + b) / 2, y: rect.top + this.rowY(row) + this.view.laneH / 2 };
    }

    showTab(name) {
      for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("on", b.dataset.tab === name);
      $("tab-details").hidden = name !== "details";
      $("tab-findings").hidden = name !== "findings";
    }
  }

  return { HistoryApp, STRIP, LANES, STATUS };
})();
