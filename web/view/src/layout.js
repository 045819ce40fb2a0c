// layout.js: where each event goes along its lane, in each layout: causal (Lamport clock),
// wall time (optionally shifted by each node's estimated clock offset) and program order;
// runs of local events folded into one mark; an index of the messages by position. No drawing.

const Layout = (() => {
  const { LOCAL, F } = Data;
  const BLOCK = 32;

  /** Whether e is a local event that takes part in no message (the only kind folding joins). */
  function plainLocal(t, e) {
    return t.kind[e] === LOCAL && !t.roles.has(e) && (t.flags[e] & (F.OUTSIDE_RECV | F.OUTSIDE_SEND)) === 0;
  }

  /** Runs of two or more consecutive plain local events of a lane: for each member its run's
   *  first event (`head`, -1 outside runs), for each first event the run's last and size. */
  function computeFolds(t) {
    const head = new Int32Array(t.N).fill(-1);
    const last = new Int32Array(t.N).fill(-1);
    const size = new Uint32Array(t.N);
    for (const lane of t.lanes) {
      let k = 0;
      while (k < lane.length) {
        const start = k;
        while (k < lane.length && plainLocal(t, lane[k])) k++;
        if (k - start >= 2) {
          for (let j = start; j < k; j++) head[lane[j]] = lane[start];
          last[lane[start]] = lane[k - 1];
          size[lane[start]] = k - start;
        }
        k = Math.max(k, start + 1);
      }
    }
    return { head, last, size };
  }

  /** Lamport clocks where a folded run counts as one event: every member takes its first
   *  event's clock. The data is in a causal order, so one pass suffices. */
  function compactLamport(t, folds) {
    const x = new Float64Array(t.N);
    const laneLast = new Float64Array(t.K);
    for (let e = 0; e < t.N; e++) {
      const n = t.node[e];
      const h = folds.head[e];
      if (h >= 0 && h !== e) {
        x[e] = x[h];
        continue;
      }
      let l = laneLast[n];
      for (let k = t.inStart[e]; k < t.inStart[e + 1]; k++) {
        const s = x[t.inSend[k]];
        if (s > l) l = s;
      }
      x[e] = l + 1;
      laneLast[n] = l + 1;
    }
    return x;
  }

  /** The position of every event along its lane, in layout units.
   *  mode: "lamport" | "time" | "program"; opts: {collapse, shift (ns per node or null)}. */
  function computeX(t, mode, opts) {
    const folds = opts.collapse ? opts.folds || computeFolds(t) : null;
    if (mode === "lamport") {
      return folds ? compactLamport(t, folds) : t.lamport;
    }
    const x = new Float64Array(t.N);
    if (mode === "program") {
      for (const lane of t.lanes) {
        let p = 0;
        for (let j = 0; j < lane.length; j++) {
          const e = lane[j];
          const h = folds ? folds.head[e] : -1;
          if (h < 0 || h === e) p++;
          x[e] = p;
        }
      }
      return x;
    }
    // Wall time: untimed events sit at their predecessor's time (the next one's for a lane's
    // first events), and no event is drawn before the one preceding it on its lane.
    const shift = opts.shift;
    for (let n = 0; n < t.K; n++) {
      const lane = t.lanes[n];
      const d = shift && Number.isFinite(shift[n]) ? shift[n] : 0;
      let first = NaN;
      for (let j = 0; j < lane.length && isNaN(first); j++) first = t.time[lane[j]];
      let prev = isNaN(first) ? 0 : first - d;
      for (let j = 0; j < lane.length; j++) {
        const e = lane[j];
        const tm = t.time[e];
        const v = isNaN(tm) ? prev : tm - d;
        prev = v > prev ? v : prev;
        x[e] = prev;
      }
    }
    return x;
  }

  /** Per-lane positions (monotone along each lane, for binary search), the extent, and the
   *  messages grouped in blocks of BLOCK with the x-range each block covers. */
  class Geometry {
    constructor(t, x) {
      this.x = x;
      this.laneX = t.lanes.map((lane) => {
        const a = new Float64Array(lane.length);
        for (let j = 0; j < lane.length; j++) a[j] = x[lane[j]];
        return a;
      });
      let lo = Infinity;
      let hi = -Infinity;
      for (const a of this.laneX) {
        if (a.length) {
          if (a[0] < lo) lo = a[0];
          if (a[a.length - 1] > hi) hi = a[a.length - 1];
        }
      }
      this.min = Number.isFinite(lo) ? lo : 0;
      this.max = Number.isFinite(hi) ? hi : 1;
      const M = t.msgS.length;
      const B = Math.ceil(M / BLOCK);
      this.bmin = new Float64Array(B);
      this.bmax = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        let bl = Infinity;
        let bh = -Infinity;
        const end = Math.min(M, (b + 1) * BLOCK);
        for (let k = b * BLOCK; k < end; k++) {
          const xs = x[t.msgS[k]];
          const xr = x[t.msgR[k]];
          const l = xs < xr ? xs : xr;
          const h = xs < xr ? xr : xs;
          if (l < bl) bl = l;
          if (h > bh) bh = h;
        }
        this.bmin[b] = bl;
        this.bmax[b] = bh;
      }
    }

    /** Calls f(k) for every message whose x-range meets [lo, hi]. */
    messagesIn(t, lo, hi, f) {
      const x = this.x;
      const M = t.msgS.length;
      for (let b = 0; b < this.bmin.length; b++) {
        if (this.bmin[b] > hi || this.bmax[b] < lo) continue;
        const end = Math.min(M, (b + 1) * BLOCK);
        for (let k = b * BLOCK; k < end; k++) {
          const xs = x[t.msgS[k]];
          const xr = x[t.msgR[k]];
          if ((xs < xr ? xs : xr) <= hi && (xs < xr ? xr : xs) >= lo) f(k);
        }
      }
    }
  }

  /** Event counts over the whole extent in `buckets` equal slices, for the overview. */
  function histogram(t, geo, buckets, visible) {
    const h = new Float64Array(buckets);
    const span = geo.max - geo.min || 1;
    for (let e = 0; e < t.N; e++) {
      if (visible && !visible(e)) continue;
      let b = Math.floor(((geo.x[e] - geo.min) / span) * buckets);
      if (b >= buckets) b = buckets - 1;
      if (b < 0) b = 0;
      h[b]++;
    }
    return h;
  }

  return { computeX, computeFolds, plainLocal, Geometry, histogram };
})();
