// draw.js: paints the space-time diagram on a canvas: lanes, event marks, message arrows,
// loose message ends, highlights, labels, off-screen indicators, the sticky lane headers and
// axis, and the overview strip. Only what is visible is drawn; when marks or arrows would be
// denser than the pixels, they are drawn per pixel column instead (level of detail). Reports
// what it drew, for the tests. Holds no state of its own beyond the canvas.

const Draw = (() => {
  const { lowerBound, upperBound, clamp } = Util;
  const { SEND, RECV } = Data;
  const HEADER_W = 160;
  const AXIS_H = 24;
  const OVERVIEW_H = 44;
  const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const SMALL = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

  class Renderer {
    constructor(canvas) {
      this.canvas = canvas;
      this.ctx = canvas.getContext("2d");
      this.W = 0;
      this.H = 0;
      this.colors = {};
      this.stats = {};
    }

    /** The plot area, in CSS pixels. */
    plot() {
      return { left: HEADER_W, top: AXIS_H, right: this.W, bottom: this.H - OVERVIEW_H };
    }

    resize() {
      const dpr = window.devicePixelRatio || 1;
      const w = this.canvas.clientWidth;
      const h = this.canvas.clientHeight;
      if (w === this.W && h === this.H && this.dpr === dpr) return false;
      this.W = w;
      this.H = h;
      this.dpr = dpr;
      this.canvas.width = Math.max(1, Math.round(w * dpr));
      this.canvas.height = Math.max(1, Math.round(h * dpr));
      return true;
    }

    /** The pixel buffer of the plot area, cleared. */
    layer(P) {
      const dpr = this.dpr;
      const w = Math.max(1, Math.ceil((P.right - P.left) * dpr));
      const h = Math.max(1, Math.ceil((P.bottom - P.top) * dpr));
      if (!this._layer || this._layer.w !== w || this._layer.h !== h) this._layer = new Layer(w, h, dpr);
      this._layer.clear();
      return this._layer;
    }

    /** [r, g, b] of a CSS color, resolved by the canvas itself (cached). */
    rgb(css) {
      if (!this._rgb) this._rgb = new Map();
      let v = this._rgb.get(css);
      if (!v) {
        if (!this._probe) {
          const probe = document.createElement("canvas");
          probe.width = probe.height = 1;
          this._probe = probe.getContext("2d", { willReadFrequently: true });
        }
        const p = this._probe;
        p.clearRect(0, 0, 1, 1);
        p.fillStyle = css;
        p.fillRect(0, 0, 1, 1);
        const d = p.getImageData(0, 0, 1, 1).data;
        v = [d[0], d[1], d[2]];
        this._rgb.set(css, v);
      }
      return v;
    }

    readColors(dark, K) {
      const s = getComputedStyle(document.documentElement);
      const v = (name) => s.getPropertyValue(name).trim();
      this.colors = {
        bg: v("--bg"), fg: v("--fg"), muted: v("--muted"), panel: v("--panel"), line: v("--line"),
        laneA: v("--lane-a"), laneB: v("--lane-b"), axis: v("--axis"), arrow: v("--arrow"),
        past: v("--past"), future: v("--future"), sel: v("--sel"), dim: parseFloat(v("--dim")) || 0.2,
        lost: v("--lost"), outside: v("--outside"), match: v("--match"), conflict: v("--conflict"),
        chain: v("--chain"), focus: v("--focus"),
        nodes: Array.from({ length: K }, (_, i) => Util.nodeColor(i, dark)),
      };
    }

    /** Draws one frame of state `s` (see App.frameState in ui.js); returns what it drew. */
    frame(s) {
      const ctx = this.ctx;
      const c = this.colors;
      const { t, model, geo, view, rows, rowOf } = s;
      const P = this.plot();
      const stats = { events: 0, arrows: 0, stubs: 0, lanes: 0, dense: false, labels: 0, ms: {} };
      let clock = performance.now();
      const lap = (name) => {
        // Profiling: make the canvas finish its drawing so that each lap counts its own.
        if (this.profile) ctx.getImageData(0, 0, 1, 1);
        const now = performance.now();
        stats.ms[name] = +(now - clock).toFixed(2);
        clock = now;
      };
      ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      ctx.fillStyle = c.bg;
      ctx.fillRect(0, 0, this.W, this.H);
      const plotW = P.right - P.left;
      const plotH = P.bottom - P.top;
      const k = view.k;
      const xL = view.x0;
      const xR = view.x0 + plotW / k;
      const sx = (x) => P.left + (x - view.x0) * k;
      const rowH = view.rowH;
      const r0 = Math.max(0, Math.floor(view.y0 / rowH));
      const r1 = Math.min(rows.length - 1, Math.floor((view.y0 + plotH) / rowH));
      const rowY = (r) => P.top + r * rowH - view.y0 + rowH / 2;
      const sel = s.sel;
      const up = sel ? sel.up : null;
      const from = sel ? sel.from : null;
      const win = s.win;
      const folds = s.folds;
      const x = geo.x;
      const visible = (e) => {
        if (rowOf[t.node[e]] < 0) return false;
        if (folds && folds.head[e] >= 0 && folds.head[e] !== e) return false;
        if (win && (x[e] < win[0] || x[e] > win[1])) return false;
        return true;
      };
      // What to call an event for coloring: 3 selected, 2 past, 1 future, 0 concurrent, -1 none.
      const klass = (e) => {
        if (!sel) return -1;
        if (e === sel.a || e === sel.b) return 3;
        const p = t.pos[e];
        const n = t.node[e];
        if (p <= up[n]) return 2;
        if (p >= from[n]) return 1;
        return 0;
      };

      ctx.save();
      ctx.beginPath();
      ctx.rect(P.left, P.top, plotW, plotH);
      ctx.clip();
      // Lanes.
      for (let r = r0; r <= r1; r++) {
        ctx.fillStyle = r % 2 ? c.laneB : c.laneA;
        ctx.fillRect(P.left, rowY(r) - rowH / 2, plotW, rowH);
      }
      if (rowH >= 10) {
        ctx.strokeStyle = c.line;
        ctx.lineWidth = 1;
        ctx.beginPath();
        for (let r = r0; r <= r1; r++) {
          const y = Math.round(rowY(r)) + 0.5;
          ctx.moveTo(P.left, y);
          ctx.lineTo(P.right, y);
        }
        ctx.globalAlpha = 0.6;
        ctx.stroke();
        ctx.globalAlpha = 1;
      }
      if (win) {
        ctx.fillStyle = c.muted;
        ctx.globalAlpha = 0.08;
        if (sx(win[0]) > P.left) ctx.fillRect(P.left, P.top, sx(win[0]) - P.left, plotH);
        if (sx(win[1]) < P.right) ctx.fillRect(sx(win[1]), P.top, P.right - sx(win[1]), plotH);
        ctx.globalAlpha = 1;
      }

      // Mark size: fits the lanes and the closest average spacing of events on any lane, so
      // that marks are the same size everywhere.
      let spacingMin = Infinity;
      for (let r = r0; r <= r1; r++) {
        const lx = geo.laneX[rows[r]];
        const i0 = lowerBound(lx, xL);
        const i1 = upperBound(lx, xR);
        if (i1 - i0 >= 2) spacingMin = Math.min(spacingMin, ((lx[i1 - 1] - lx[i0]) * k) / (i1 - i0 - 1));
      }
      const radius = clamp(Math.min(rowH * 0.24, 6, spacingMin * 0.45), 1.2, 6);

      // Arrows, under the marks: the candidates go to a reused buffer with a color group each
      // (0 plain, 1 clock violation, 2 past, 3 future, 4 dimmed), then one path per group.
      const M = t.msgS.length;
      if (!this.arrowBuf || this.arrowBuf.length < M) {
        this.arrowBuf = new Int32Array(M);
        this.arrowGroup = new Uint8Array(M);
      }
      const buf = this.arrowBuf;
      const group = this.arrowGroup;
      let nArrows = 0;
      const stubs = [];
      const margin = 2 / k;
      const lo = xL - margin;
      const hi = xR + margin;
      const violations = s.violations && s.violations.size ? s.violations : null;
      for (let b = 0; b < geo.bmin.length; b++) {
        if (geo.bmin[b] > hi || geo.bmax[b] < lo) continue;
        const end = Math.min(M, (b + 1) * 32);
        for (let m = b * 32; m < end; m++) {
          const s_ = t.msgS[m];
          const r_ = t.msgR[m];
          const xs = x[s_];
          const xr = x[r_];
          if ((xs < xr ? xs : xr) > hi || (xs < xr ? xr : xs) < lo) continue;
          const vs = visible(s_);
          const vr = visible(r_);
          if (vs && vr) {
            const ys = rowY(rowOf[t.node[s_]]);
            const yr = rowY(rowOf[t.node[r_]]);
            if ((ys > yr ? ys : yr) < P.top - 2 || (ys < yr ? ys : yr) > P.bottom + 2) continue;
            let g = 0;
            if (violations && violations.has(m)) g = 1;
            else if (sel) {
              if (t.pos[r_] <= up[t.node[r_]]) g = 2;
              else if (t.pos[s_] >= from[t.node[s_]]) g = 3;
              else g = 4;
            }
            buf[nArrows] = m;
            group[nArrows++] = g;
          } else if (vs || vr) {
            stubs.push([m, vs]);
          }
        }
      }
      stats.arrows = nArrows;
      // Antialiased paths cost per pixel they cover: past a thousand arrows the pixel buffer
      // is cheaper (and the arrows too many to tell apart anyway).
      const dense = nArrows > 1000;
      stats.dense = dense;
      const groupColor = [c.arrow, c.lost, c.past, c.future, c.arrow];
      // Rings around marks (drawn after them): findings, conflicts, search results, selection.
      const ringsFinding = [];
      const ringsConflict = [];
      const ringsMatch = [];
      const ringsCurrent = [];
      const ringsSel = [];
      // Lanes whose visible events are denser than the pixels: drawn per pixel column.
      const laneRange = [];
      let anyDenseLane = false;
      for (let r = r0; r <= r1; r++) {
        const lx = geo.laneX[rows[r]];
        const i0 = lowerBound(lx, Math.max(xL - 8 / k, win ? win[0] : -Infinity));
        const i1 = upperBound(lx, Math.min(xR + 8 / k, win ? win[1] : Infinity));
        // Denser than one mark every 3 pixels, or marks too small to have a shape: drawn per
        // pixel column.
        const denseLane = i1 - i0 > plotW / 3 || (radius < 2 && i1 > i0);
        anyDenseLane = anyDenseLane || denseLane;
        laneRange.push(i0, i1, denseLane ? 1 : 0);
      }
      if (dense || anyDenseLane) {
        // Level of detail: many arrows and marks are drawn into a pixel buffer (counts per
        // pixel, the strongest class wins), which costs a few operations per pixel instead of
        // an antialiased path per arrow.
        const layer = this.layer(P);
        const pal = (css) => this.rgb(css);
        if (dense) {
          const rgbs = groupColor.map(pal);
          const alphas = [150, 230, 230, 230, Math.round(255 * c.dim)];
          const stride = nArrows > 10000 ? 2 : 1;
          for (let i = 0; i < nArrows; i++) {
            const m = buf[i];
            const s_ = t.msgS[m];
            const r_ = t.msgR[m];
            layer.line(sx(x[s_]) - P.left, rowY(rowOf[t.node[s_]]) - P.top, sx(x[r_]) - P.left, rowY(rowOf[t.node[r_]]) - P.top, group[i] === 4 ? 0 : group[i] + 1, stride);
          }
          // Class 0 is dimmed, 1 plain, 2 violation, 3 past, 4 future.
          layer.paint([rgbs[4], rgbs[0], rgbs[1], rgbs[2], rgbs[3]], [alphas[4], alphas[0], alphas[1], alphas[2], alphas[3]], 40);
        }
        for (let r = r0; r <= r1; r++) {
          const j = (r - r0) * 3;
          if (!laneRange[j + 2]) continue;
          const n = rows[r];
          const lane = t.lanes[n];
          const lx = geo.laneX[n];
          const y = rowY(r) - P.top;
          const h = Math.max(2, Math.min(rowH * 0.7, 14));
          const rgbNode = pal(c.nodes[n]);
          const rgbOf = [rgbNode, rgbNode, pal(c.future), pal(c.past), pal(c.sel)];
          layer.bars(lane, lx, laneRange[j], laneRange[j + 1], view.x0, k, y, h, folds, sel ? klass : null, rgbOf, c.dim);
          // The selection and the current search result keep their rings in dense lanes.
          if (sel || s.current >= 0) {
            for (const e of [sel ? sel.a : -1, sel ? sel.b : -1, s.current]) {
              if (e < 0 || t.node[e] !== n || !visible(e)) continue;
              (e === s.current ? ringsCurrent : ringsSel).push(sx(x[e]), rowY(r));
            }
          }
          stats.lanes++;
          stats.dense = true;
          let drawn = laneRange[j + 1] - laneRange[j];
          if (folds) {
            for (let i = laneRange[j]; i < laneRange[j + 1]; i++) {
              const e = lane[i];
              if (folds.head[e] >= 0 && folds.head[e] !== e) drawn--;
            }
          }
          stats.events += drawn;
        }
        layer.blit(ctx, P);
      }
      if (!dense) {
        for (let g = 0; g < 5; g++) {
          ctx.strokeStyle = groupColor[g];
          ctx.globalAlpha = g === 4 ? c.dim : 0.85;
          ctx.lineWidth = g === 0 || g === 4 ? 1 : 1.6;
          ctx.beginPath();
          let any = false;
          for (let i = 0; i < nArrows; i++) {
            if (group[i] !== g) continue;
            const m = buf[i];
            const s_ = t.msgS[m];
            const r_ = t.msgR[m];
            ctx.moveTo(sx(x[s_]), rowY(rowOf[t.node[s_]]));
            ctx.lineTo(sx(x[r_]), rowY(rowOf[t.node[r_]]));
            any = true;
          }
          if (!any) continue;
          ctx.stroke();
          ctx.fillStyle = groupColor[g];
          ctx.beginPath();
          for (let i = 0; i < nArrows; i++) {
            if (group[i] !== g) continue;
            const m = buf[i];
            const s_ = t.msgS[m];
            const r_ = t.msgR[m];
            arrowHead(ctx, sx(x[s_]), rowY(rowOf[t.node[s_]]), sx(x[r_]), rowY(rowOf[t.node[r_]]), radius);
          }
          ctx.fill();
        }
      }
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1;

      lap("arrows");
      // Messages to hidden lanes or outside the window: a short stub that names the other end.
      const offNames = [];
      for (const [m, sendVisible] of stubs) {
        const here = sendVisible ? t.msgS[m] : t.msgR[m];
        const there = sendVisible ? t.msgR[m] : t.msgS[m];
        const y = rowY(rowOf[t.node[here]]);
        if (y < P.top - rowH || y > P.bottom + rowH) continue;
        const px = sx(x[here]);
        const len = Math.min(28, Math.max(10, rowH * 0.9));
        const dir = sendVisible ? 1 : -1;
        ctx.strokeStyle = c.arrow;
        ctx.globalAlpha = 0.7;
        ctx.setLineDash([3, 3]);
        ctx.beginPath();
        ctx.moveTo(px, y);
        ctx.lineTo(px + dir * len, y + (sendVisible ? len * 0.5 : -len * 0.5));
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
        stats.stubs++;
        if (rowH >= 14) offNames.push([px + dir * len, y + (sendVisible ? len * 0.5 : -len * 0.5), t.nodeNames[t.node[there]] + (rowOf[t.node[there]] < 0 ? " (hidden)" : "")]);
      }

      lap("stubs");
      // Loose ends: lost sends, receives of messages never sent, messages from or to outside.
      for (const [e, type] of t.loose) {
        if (!visible(e)) continue;
        const r = rowOf[t.node[e]];
        if (r < r0 - 1 || r > r1 + 1) continue;
        const px = sx(x[e]);
        if (px < P.left - 40 || px > P.right + 40) continue;
        const y = rowY(r);
        const len = Math.min(26, Math.max(9, rowH * 0.8));
        const dimmed = sel && klass(e) === 0;
        ctx.globalAlpha = dimmed ? c.dim : 1;
        stats.stubs++;
        if (type === "lost") {
          const ex = px + len;
          const ey = y + len * 0.55;
          ctx.strokeStyle = c.lost;
          ctx.lineWidth = 1.4;
          ctx.beginPath();
          ctx.moveTo(px, y);
          ctx.lineTo(ex, ey);
          const d = 3.5;
          ctx.moveTo(ex - d, ey - d);
          ctx.lineTo(ex + d, ey + d);
          ctx.moveTo(ex - d, ey + d);
          ctx.lineTo(ex + d, ey - d);
          ctx.stroke();
        } else if (type === "unmatched") {
          const bx = px - len;
          const by = y - len * 0.55;
          ctx.strokeStyle = c.lost;
          ctx.lineWidth = 1.4;
          ctx.setLineDash([2, 2]);
          ctx.beginPath();
          ctx.moveTo(bx, by);
          ctx.lineTo(px, y);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = c.lost;
          ctx.font = "bold " + SMALL;
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          ctx.fillText("?", bx - 3, by - 3);
        } else {
          const out = type === "to-outside";
          const ox = px + (out ? len : -len);
          const oy = y + (out ? len * 0.55 : -len * 0.55);
          ctx.strokeStyle = c.outside;
          ctx.lineWidth = 1.4;
          ctx.setLineDash([4, 2]);
          ctx.beginPath();
          ctx.moveTo(out ? px : ox, out ? y : oy);
          ctx.lineTo(out ? ox : px, out ? oy : y);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = c.outside;
          ctx.beginPath();
          ctx.arc(ox, oy, 2.5, 0, Math.PI * 2);
          ctx.fill();
          if (rowH >= 14 && k * 1 > 0) {
            ctx.font = SMALL;
            ctx.textAlign = out ? "left" : "right";
            ctx.textBaseline = "middle";
            ctx.fillText("outside", ox + (out ? 4 : -4), oy);
          }
        }
        ctx.lineWidth = 1;
        ctx.globalAlpha = 1;
      }

      lap("loose");
      // Event marks, lane by lane (the dense lanes are drawn already).
      const labelsWanted = [];
      for (let r = r0; r <= r1; r++) {
        const n = rows[r];
        const lx = geo.laneX[n];
        const lane = t.lanes[n];
        const y = rowY(r);
        const j = (r - r0) * 3;
        const i0 = laneRange[j];
        const i1 = laneRange[j + 1];
        if (i1 <= i0 || laneRange[j + 2]) continue;
        stats.lanes++;
        const col = c.nodes[n];
        const rad = radius;
        // Marks go into buckets by shape and class, one path and one fill per bucket.
        const bucket = this.buckets || (this.buckets = Array.from({ length: 15 }, () => []));
        for (const b of bucket) b.length = 0;
        for (let i = i0; i < i1; i++) {
          const e = lane[i];
          if (folds && folds.head[e] >= 0 && folds.head[e] !== e) continue;
          stats.events++;
          const px = sx(lx[i]);
          const kl = klass(e);
          if (folds && folds.head[e] === e) {
            // A folded run: a pill from its first to its last event, with its size.
            const fill = kl === 3 ? c.sel : kl === 2 ? c.past : kl === 1 ? c.future : col;
            ctx.globalAlpha = kl === 0 ? c.dim : 1;
            const last = folds.last[e];
            const w = Math.max(sx(x[last]) - px, 0);
            ctx.fillStyle = fill;
            roundRect(ctx, px - rad - 2, y - rad - 1, w + 2 * rad + 4, 2 * rad + 2, rad + 1);
            ctx.fill();
            if (rowH >= 12) {
              ctx.fillStyle = c.bg;
              ctx.font = "bold 10px system-ui, sans-serif";
              ctx.textAlign = "center";
              ctx.textBaseline = "middle";
              ctx.fillText(String(folds.size[e]), px + w / 2, y + 0.5);
            }
            ctx.globalAlpha = 1;
          } else {
            const multi = t.roles.has(e);
            const shape = t.kind[e] === RECV && !multi ? 2 : t.kind[e] === SEND || multi ? 1 : 0;
            bucket[shape * 5 + kl + 1].push(px);
          }
          if (s.marks && s.marks[e]) (s.marks[e] === 2 ? ringsConflict : ringsFinding).push(px, y);
          if (s.matches && s.matches[e]) (e === s.current ? ringsCurrent : ringsMatch).push(px, y);
          if (kl === 3) ringsSel.push(px, y);
          if (rowH >= 16 && t.label[e] >= 0) {
            // Room up to the next event of the lane (or the edge).
            const nextPx = i + 1 < lane.length ? sx(lx[i + 1]) : P.right + 400;
            const room = Math.min(nextPx, P.right + 400) - px - 6;
            if (room >= 40) labelsWanted.push([e, px, y, room, kl]);
          }
        }
        for (let b = 0; b < 15; b++) {
          const xs = bucket[b];
          if (!xs.length) continue;
          const shape = Math.floor(b / 5);
          const kl = (b % 5) - 1;
          const fill = kl === 3 ? c.sel : kl === 2 ? c.past : kl === 1 ? c.future : col;
          const r = kl === 3 ? rad + 1.5 : rad;
          ctx.globalAlpha = kl === 0 ? c.dim : 1;
          ctx.beginPath();
          // Marks a few pixels wide are squares: as good to the eye, far cheaper than arcs.
          const tiny = r < 2.5;
          for (const px of xs) {
            if (tiny) {
              ctx.rect(px - r, y - r, 2 * r, 2 * r);
            } else if (shape === 2) {
              ctx.moveTo(px, y - r * 1.25);
              ctx.lineTo(px + r * 1.25, y);
              ctx.lineTo(px, y + r * 1.25);
              ctx.lineTo(px - r * 1.25, y);
              ctx.closePath();
            } else {
              ctx.moveTo(px + r, y);
              ctx.arc(px, y, r, 0, Math.PI * 2);
            }
          }
          if (shape === 0) {
            // Local events: rings.
            ctx.fillStyle = c.bg;
            ctx.fill();
            ctx.lineWidth = Math.max(1, r * 0.45);
            ctx.strokeStyle = fill;
            ctx.stroke();
            ctx.lineWidth = 1;
          } else {
            ctx.fillStyle = fill;
            ctx.fill();
          }
        }
        ctx.globalAlpha = 1;
      }
      // Rings around marks: findings, conflicts, search results, the selection.
      for (const [list, color, width, grow] of [
        [ringsFinding, c.lost, 1.5, 3.5], [ringsConflict, c.conflict, 1.5, 3.5],
        [ringsMatch, c.match, 2, 4.5], [ringsCurrent, c.match, 3, 6], [ringsSel, c.sel, 2, 4],
      ]) {
        if (!list.length) continue;
        ctx.strokeStyle = color;
        ctx.lineWidth = width;
        ctx.beginPath();
        for (let i = 0; i < list.length; i += 2) {
          ctx.moveTo(list[i] + radius + grow, list[i + 1]);
          ctx.arc(list[i], list[i + 1], radius + grow, 0, Math.PI * 2);
        }
        ctx.stroke();
      }
      ctx.lineWidth = 1;

      lap("marks");
      // Conflicting pairs (overlay): a dashed line between the two events of each pair.
      if (s.pairs && s.pairs.length) {
        ctx.strokeStyle = c.conflict;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        for (const [a, b] of s.pairs) {
          if (!visible(a) || !visible(b)) continue;
          const ya = rowY(rowOf[t.node[a]]);
          const yb = rowY(rowOf[t.node[b]]);
          if (Math.max(ya, yb) < P.top || Math.min(ya, yb) > P.bottom) continue;
          ctx.moveTo(sx(x[a]), ya);
          ctx.lineTo(sx(x[b]), yb);
        }
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.lineWidth = 1;
      }

      // The causal chain between two selected events.
      if (sel && sel.chain && sel.chain.length > 1) {
        ctx.strokeStyle = c.chain;
        ctx.lineWidth = 3;
        ctx.globalAlpha = 0.9;
        ctx.beginPath();
        sel.chain.forEach((e, i) => {
          const px = sx(x[e]);
          const py = rowOf[t.node[e]] >= 0 ? rowY(rowOf[t.node[e]]) : P.top;
          if (i === 0) ctx.moveTo(px, py);
          else ctx.lineTo(px, py);
        });
        ctx.stroke();
        ctx.globalAlpha = 1;
        ctx.lineWidth = 1;
      }

      // Labels, when there is room for them.
      if (labelsWanted.length && labelsWanted.length < 1500) {
        ctx.font = SMALL;
        ctx.textBaseline = "bottom";
        ctx.textAlign = "left";
        for (const [e, px, y, space, kl] of labelsWanted) {
          const room = Math.min(space, 360);
          const text = fit(ctx, Util.oneLine(model.label(e)), room);
          if (!text) continue;
          ctx.fillStyle = c.fg;
          ctx.globalAlpha = kl === 0 ? c.dim : 0.85;
          ctx.fillText(text, px + 2, y - radius - 2);
          stats.labels++;
        }
        ctx.globalAlpha = 1;
      }
      if (offNames.length && offNames.length < 200) {
        ctx.font = SMALL;
        ctx.fillStyle = c.muted;
        ctx.textBaseline = "middle";
        for (const [px, py, name] of offNames) {
          ctx.textAlign = "left";
          ctx.fillText(fit(ctx, name, 140), px + 3, py);
        }
      }

      lap("labels");
      // Off-screen indicators: arrows with one end on screen and the other beyond an edge.
      const inside = (px, py) => px >= P.left && px <= P.right && py >= P.top && py <= P.bottom;
      const marks = new Map();
      for (let i = 0; i < nArrows && marks.size < 4000; i++) {
        const m = buf[i];
        const s_ = t.msgS[m];
        const r_ = t.msgR[m];
        const ax = sx(x[s_]);
        const ay = rowY(rowOf[t.node[s_]]);
        const bx = sx(x[r_]);
        const by = rowY(rowOf[t.node[r_]]);
        const ia = inside(ax, ay);
        if (ia === inside(bx, by)) continue;
        const hit = ia ? edgeHit([ax, ay], [bx, by], P) : edgeHit([bx, by], [ax, ay], P);
        if (!hit) continue;
        const key = Math.round(hit[0] / 6) * 100000 + Math.round(hit[1] / 6);
        if (!marks.has(key)) marks.set(key, [hit[0], hit[1], hit[2], ia ? r_ : s_]);
      }
      if (marks.size && marks.size < 4000) {
        ctx.fillStyle = c.focus;
        ctx.globalAlpha = 0.85;
        ctx.beginPath();
        for (const [hx, hy, side] of marks.values()) chevron(ctx, hx, hy, side);
        ctx.fill();
        ctx.globalAlpha = 1;
        if (marks.size < 60 && rowH >= 12) {
          ctx.font = SMALL;
          ctx.fillStyle = c.muted;
          for (const [hx, hy, side, other] of marks.values()) {
            if (side !== "top" && side !== "bottom") continue;
            ctx.textAlign = "left";
            ctx.textBaseline = side === "top" ? "top" : "bottom";
            ctx.fillText(fit(ctx, t.nodeNames[t.node[other]], 100), hx + 6, side === "top" ? hy + 1 : hy - 1);
          }
        }
      }
      ctx.restore();

      lap("offscreen");
      this.drawHeaders(s, P, r0, r1, rowY);
      this.drawAxis(s, P);
      this.drawOverview(s, P);
      lap("chrome");
      this.stats = stats;
      return stats;
    }

    drawHeaders(s, P, r0, r1, rowY) {
      const ctx = this.ctx;
      const c = this.colors;
      const { t, rows, view } = s;
      ctx.fillStyle = c.panel;
      ctx.fillRect(0, P.top, P.left, P.bottom - P.top);
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, P.top, P.left, P.bottom - P.top);
      ctx.clip();
      const rowH = view.rowH;
      ctx.font = rowH >= 14 ? FONT : SMALL;
      ctx.textBaseline = "middle";
      for (let r = r0; r <= r1; r++) {
        const n = rows[r];
        const y = rowY(r);
        const sw = Math.min(10, Math.max(3, rowH - 4));
        ctx.fillStyle = c.nodes[n];
        ctx.fillRect(8, y - sw / 2, 4, sw);
        if (rowH >= 9) {
          ctx.fillStyle = s.dragLane === n ? c.focus : c.fg;
          ctx.textAlign = "left";
          const count = String(t.lanes[n].length);
          ctx.font = SMALL;
          const cw = ctx.measureText(count).width;
          ctx.fillStyle = c.muted;
          ctx.textAlign = "right";
          ctx.fillText(count, P.left - 8, y);
          ctx.font = rowH >= 14 ? FONT : SMALL;
          ctx.fillStyle = s.dragLane === n ? c.focus : c.fg;
          ctx.textAlign = "left";
          ctx.fillText(fit(ctx, t.nodeNames[n], P.left - 30 - cw), 17, y);
        }
      }
      if (s.dropRow !== undefined && s.dropRow !== null) {
        const y = P.top + s.dropRow * rowH - view.y0;
        ctx.fillStyle = c.focus;
        ctx.fillRect(0, y - 1, this.W, 2);
      }
      ctx.restore();
      ctx.strokeStyle = c.line;
      ctx.beginPath();
      ctx.moveTo(P.left + 0.5, P.top);
      ctx.lineTo(P.left + 0.5, P.bottom);
      ctx.stroke();
    }

    drawAxis(s, P) {
      const ctx = this.ctx;
      const c = this.colors;
      const { view } = s;
      ctx.fillStyle = c.panel;
      ctx.fillRect(0, 0, this.W, P.top);
      ctx.strokeStyle = c.line;
      ctx.beginPath();
      ctx.moveTo(0, P.top - 0.5);
      ctx.lineTo(this.W, P.top - 0.5);
      ctx.stroke();
      ctx.font = SMALL;
      ctx.fillStyle = c.muted;
      ctx.textBaseline = "middle";
      ctx.textAlign = "left";
      const unit = s.mode === "time" ? "time" : s.mode === "lamport" ? "Lamport clock" : "position";
      ctx.fillText(s.mode === "time" && s.shifted ? "time, shifted" : unit, 8, P.top / 2);
      const plotW = P.right - P.left;
      const span = plotW / view.k;
      const step = niceStep(span / Math.max(1, plotW / 110), s.mode !== "time");
      const first = Math.ceil(view.x0 / step) * step;
      ctx.save();
      ctx.beginPath();
      ctx.rect(P.left, 0, plotW, P.top);
      ctx.clip();
      ctx.strokeStyle = c.axis;
      ctx.beginPath();
      for (let v = first; v <= view.x0 + span; v += step) {
        const px = Math.round(P.left + (v - view.x0) * view.k) + 0.5;
        ctx.moveTo(px, P.top - 6);
        ctx.lineTo(px, P.top);
        const text = s.mode === "time" ? "+" + Util.formatDuration(v) : String(Math.round(v));
        ctx.fillText(text, px + 3, P.top / 2);
      }
      ctx.stroke();
      ctx.restore();
    }

    drawOverview(s, P) {
      const ctx = this.ctx;
      const c = this.colors;
      const { geo, view, hist } = s;
      const top = P.bottom;
      const h = this.H - top;
      ctx.fillStyle = c.panel;
      ctx.fillRect(0, top, this.W, h);
      ctx.strokeStyle = c.line;
      ctx.beginPath();
      ctx.moveTo(0, top + 0.5);
      ctx.lineTo(this.W, top + 0.5);
      ctx.stroke();
      ctx.font = SMALL;
      ctx.fillStyle = c.muted;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText("overview", 8, top + h / 2);
      const W = P.right - P.left;
      const span = geo.max - geo.min || 1;
      const ox = (v) => P.left + ((v - geo.min) / span) * W;
      if (hist) {
        let max = 1;
        for (const v of hist) if (v > max) max = v;
        ctx.fillStyle = c.arrow;
        ctx.globalAlpha = 0.55;
        const bw = W / hist.length;
        for (let i = 0; i < hist.length; i++) {
          if (!hist[i]) continue;
          const bh = Math.max(1, (Math.sqrt(hist[i]) / Math.sqrt(max)) * (h - 10));
          ctx.fillRect(P.left + i * bw, top + h - 4 - bh, Math.max(1, bw), bh);
        }
        ctx.globalAlpha = 1;
      }
      if (s.win) {
        ctx.fillStyle = c.muted;
        ctx.globalAlpha = 0.25;
        ctx.fillRect(P.left, top + 1, Math.max(0, ox(s.win[0]) - P.left), h);
        ctx.fillRect(ox(s.win[1]), top + 1, Math.max(0, P.right - ox(s.win[1])), h);
        ctx.globalAlpha = 1;
      }
      if (s.overviewTicks) {
        ctx.fillStyle = c.match;
        for (const v of s.overviewTicks) ctx.fillRect(Math.round(ox(v)), top + 2, 1, 6);
      }
      if (s.sel) {
        ctx.fillStyle = c.sel;
        ctx.fillRect(Math.round(ox(geo.x[s.sel.a])) - 1, top + 1, 2, h);
      }
      const a = clamp(ox(view.x0), P.left, P.right);
      const b = clamp(ox(view.x0 + W / view.k), P.left, P.right);
      ctx.strokeStyle = c.focus;
      ctx.lineWidth = 2;
      ctx.fillStyle = c.focus;
      ctx.globalAlpha = 0.12;
      ctx.fillRect(a, top + 2, Math.max(2, b - a), h - 4);
      ctx.globalAlpha = 1;
      ctx.strokeRect(a, top + 2, Math.max(2, b - a), h - 4);
      ctx.lineWidth = 1;
    }
  }

  /** A pixel buffer for dense drawing: per pixel a count and a class (the highest drawn
   *  there wins), turned into colors by `paint`, or written as colors directly by `bars`. */
  class Layer {
    constructor(w, h, dpr) {
      this.w = w;
      this.h = h;
      this.dpr = dpr;
      this.count = new Uint16Array(w * h);
      this.cls = new Int8Array(w * h);
      this.image = new ImageData(w, h);
      this.px = new Uint32Array(this.image.data.buffer);
      this.canvas = document.createElement("canvas");
      this.canvas.width = w;
      this.canvas.height = h;
      this.ctx = this.canvas.getContext("2d");
    }

    clear() {
      this.count.fill(0);
      this.px.fill(0);
      this.dirty = false;
    }

    /** A line in CSS pixels relative to the layer, clipped to it (Liang-Barsky), stepped one
     *  pixel at a time along its longer axis. */
    line(x0, y0, x1, y1, cls, stride = 1) {
      const d = this.dpr;
      x0 *= d; y0 *= d; x1 *= d; y1 *= d;
      const W = this.w - 1;
      const H = this.h - 1;
      const dx = x1 - x0;
      const dy = y1 - y0;
      let t0 = 0;
      let t1 = 1;
      // Clip against x >= 0, x <= W, y >= 0, y <= H.
      if (dx === 0) {
        if (x0 < 0 || x0 > W) return;
      } else {
        let a = -x0 / dx;
        let b = (W - x0) / dx;
        if (a > b) { const tmp = a; a = b; b = tmp; }
        if (a > t0) t0 = a;
        if (b < t1) t1 = b;
      }
      if (dy === 0) {
        if (y0 < 0 || y0 > H) return;
      } else {
        let a = -y0 / dy;
        let b = (H - y0) / dy;
        if (a > b) { const tmp = a; a = b; b = tmp; }
        if (a > t0) t0 = a;
        if (b < t1) t1 = b;
      }
      if (t0 > t1) return;
      const ax = x0 + t0 * dx;
      const ay = y0 + t0 * dy;
      const lx = (t1 - t0) * dx;
      const ly = (t1 - t0) * dy;
      const alx = lx < 0 ? -lx : lx;
      const aly = ly < 0 ? -ly : ly;
      // `stride` pixels between samples: every other one when lines are so many that they
      // overlap anyway.
      const steps = ((alx > aly ? alx : aly) / stride + 1) | 0;
      const sx = lx / steps;
      const sy = ly / steps;
      let px = ax + 0.5;
      let py = ay + 0.5;
      const count = this.count;
      const k = this.cls;
      const w = this.w;
      for (let i = 0; i <= steps; i++) {
        const idx = (py | 0) * w + (px | 0);
        const c = count[idx];
        if (c === 0 || cls > k[idx]) k[idx] = cls;
        count[idx] = c + 1;
        px += sx;
        py += sy;
      }
      this.dirty = true;
    }

    /** Colors from counts: class c gets rgbs[c], at alphas[c], stronger where lines pile up. */
    paint(rgbs, alphas, step) {
      const n = this.w * this.h;
      const count = this.count;
      const cls = this.cls;
      const px = this.px;
      const packed = rgbs.map(([r, g, b]) => (b << 16) | (g << 8) | r);
      for (let i = 0; i < n; i++) {
        const c = count[i];
        if (c === 0) continue;
        const k = cls[i];
        const a = Math.min(255, alphas[k] + (c > 6 ? 6 : c - 1) * step);
        px[i] = ((a << 24) | packed[k]) >>> 0;
      }
    }

    /** One lane of dense marks: per pixel column, a bar whose height and strength grow with
     *  the number of events there, colored by the strongest class (klass(e) + 1). */
    bars(lane, lx, i0, i1, x0, k, y, h, folds, klass, rgbOf, dim) {
      const d = this.dpr;
      const W = this.w;
      const H = this.h;
      const cols = Math.ceil(W / d) + 1;
      if (!this.colCount || this.colCount.length < cols) {
        this.colCount = new Uint32Array(cols);
        this.colClass = new Int8Array(cols);
      }
      const cnt = this.colCount;
      const cls = this.colClass;
      cnt.fill(0, 0, cols);
      cls.fill(0, 0, cols);
      for (let i = i0; i < i1; i++) {
        const e = lane[i];
        if (folds && folds.head[e] >= 0 && folds.head[e] !== e) continue;
        let c = Math.floor((lx[i] - x0) * k);
        if (c < 0 || c >= cols) continue;
        cnt[c]++;
        const kl = klass ? klass(e) + 1 : 0;
        if (kl > cls[c]) cls[c] = kl;
      }
      const px = this.px;
      for (let c = 0; c < cols; c++) {
        const n = cnt[c];
        if (!n) continue;
        const kl = cls[c];
        const [r, g, b] = rgbOf[kl];
        const hh = Math.min(h, 2 + Math.log2(n + 1) * 2);
        const a = kl === 1 ? Math.round(255 * dim) : Math.min(255, 140 + n * 12);
        const color = ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
        const yTop = Math.max(0, Math.round((y - hh / 2) * d));
        const yEnd = Math.min(H, Math.round((y + hh / 2) * d));
        for (let xx = Math.round(c * d); xx < Math.min(W, Math.round((c + 1) * d)); xx++) {
          for (let yy = yTop; yy < yEnd; yy++) px[yy * W + xx] = color;
        }
      }
      this.dirty = true;
    }

    blit(ctx, P) {
      if (!this.dirty) return;
      this.ctx.putImageData(this.image, 0, 0);
      ctx.drawImage(this.canvas, P.left, P.top, P.right - P.left, P.bottom - P.top);
    }
  }

  function arrowHead(ctx, x1, y1, x2, y2, r) {
    const dx = x2 - x1;
    const dy = y2 - y1;
    const len = Math.hypot(dx, dy);
    if (len < 8) return;
    const ux = dx / len;
    const uy = dy / len;
    const tipX = x2 - ux * (r + 1.5);
    const tipY = y2 - uy * (r + 1.5);
    const s = 6;
    ctx.moveTo(tipX, tipY);
    ctx.lineTo(tipX - ux * s - uy * s * 0.45, tipY - uy * s + ux * s * 0.45);
    ctx.lineTo(tipX - ux * s + uy * s * 0.45, tipY - uy * s - ux * s * 0.45);
    ctx.closePath();
  }

  function chevron(ctx, x, y, side) {
    const s = 5;
    if (side === "top") {
      ctx.moveTo(x, y);
      ctx.lineTo(x - s, y + s * 1.4);
      ctx.lineTo(x + s, y + s * 1.4);
    } else if (side === "bottom") {
      ctx.moveTo(x, y);
      ctx.lineTo(x - s, y - s * 1.4);
      ctx.lineTo(x + s, y - s * 1.4);
    } else if (side === "left") {
      ctx.moveTo(x, y);
      ctx.lineTo(x + s * 1.4, y - s);
      ctx.lineTo(x + s * 1.4, y + s);
    } else {
      ctx.moveTo(x, y);
      ctx.lineTo(x - s * 1.4, y - s);
      ctx.lineTo(x - s * 1.4, y + s);
    }
    ctx.closePath();
  }

  /** Where the segment from p (inside P) to q (outside) leaves P: [x, y, side]. */
  function edgeHit(p, q, P) {
    let best = null;
    const dx = q[0] - p[0];
    const dy = q[1] - p[1];
    const tryT = (tt, side) => {
      if (tt >= 0 && tt <= 1 && (!best || tt < best[3])) {
        const hx = p[0] + dx * tt;
        const hy = p[1] + dy * tt;
        if (hx >= P.left - 0.5 && hx <= P.right + 0.5 && hy >= P.top - 0.5 && hy <= P.bottom + 0.5) best = [hx, hy, side, tt];
      }
    };
    if (dy < 0) tryT((P.top - p[1]) / dy, "top");
    if (dy > 0) tryT((P.bottom - p[1]) / dy, "bottom");
    if (dx < 0) tryT((P.left - p[0]) / dx, "left");
    if (dx > 0) tryT((P.right - p[0]) / dx, "right");
    return best;
  }

  function roundRect(ctx, x, y, w, h, r) {
    ctx.beginPath();
    r = Math.min(r, w / 2, h / 2);
    ctx.moveTo(x + r, y);
    ctx.arcTo(x + w, y, x + w, y + h, r);
    ctx.arcTo(x + w, y + h, x, y + h, r);
    ctx.arcTo(x, y + h, x, y, r);
    ctx.arcTo(x, y, x + w, y, r);
    ctx.closePath();
  }

  /** `text` cut to `width` pixels with an ellipsis ("" when not even that fits). */
  function fit(ctx, text, width) {
    if (width < 12) return "";
    if (ctx.measureText(text).width <= width) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(text.slice(0, mid) + "…").width <= width) lo = mid;
      else hi = mid - 1;
    }
    return lo ? text.slice(0, lo) + "…" : "";
  }

  /** A round step near `raw`: 1, 2 or 5 times a power of ten (integers only if asked). */
  function niceStep(raw, integer) {
    if (!(raw > 0)) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / p;
    const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    return integer ? Math.max(1, Math.round(step)) : step;
  }

  return { Renderer, HEADER_W, AXIS_H, OVERVIEW_H, niceStep, edgeHit, fit };
})();
