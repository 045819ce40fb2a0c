// history.js: reads the history data `causal view` writes for an operation history (README.md,
// "History data") into typed-array columns, and the pure layout of the history page: which
// lanes a partition shows, which operations of a lane are on screen, where each operation of
// a linearization takes effect, and dense runs of bars. No drawing, no DOM.

const Hist = (() => {
  const { lowerBound, upperBound } = Util;
  const OK = 0, FAIL = 1, INFO = 2, OPEN = 3;
  const KEY = 1 << 2;

  /** Decodes the history page's data (the header is parsed, sections located). */
  function decode(header, bytes, sections) {
    const h = header.history;
    if (!h || h.version !== 1) throw new Error(`history data version ${h && h.version}: this page reads version 1`);
    const M = header.operations;
    const P = header.processes.length;
    const several = header.files.length > 1;
    const d = {
      mode: "history", header, lin: h, M, P,
      processes: header.processes, files: header.files, keyNames: header.keys,
      positions: header.positions,
      proc: new Uint32Array(M), status: new Uint8Array(M), key: new Int32Array(M).fill(-1),
      call: new Float64Array(M), ret: new Float64Array(M).fill(NaN),
      callFile: new Uint32Array(M), retFile: new Uint32Array(M),
      callLine: new Uint32Array(M), retLine: new Uint32Array(M),
      label: new Int32Array(M), f: new Int32Array(M), invoked: new Int32Array(M),
      completed: new Int32Array(M).fill(-1),
      strings: null, orders: [], states: [],
    };
    {
      const [s0, s1] = sections.string_lengths;
      const r = new Data.Reader(bytes, s0, s1);
      const off = new Float64Array(header.strings + 1);
      for (let k = 0; k < header.strings; k++) off[k + 1] = off[k] + r.u();
      const [t0, t1] = sections.string_text;
      d.strings = { text: new TextDecoder().decode(bytes.subarray(t0, t1)), off };
    }
    let next = 0;
    const ref = (r) => {
      const v = r.u();
      return v === 0 ? next++ : v - 1;
    };
    {
      const r = new Data.Reader(bytes, ...sections.ops);
      let call = 0;
      let line = 0;
      for (let i = 0; i < M; i++) {
        d.proc[i] = r.u();
        const flags = r.u();
        const status = flags & 3;
        d.status[i] = status;
        call += r.u();
        d.call[i] = call;
        const done = status !== OPEN;
        if (done) d.ret[i] = call + r.u();
        if (several) {
          d.callFile[i] = r.u();
          d.retFile[i] = done ? r.u() : d.callFile[i];
        }
        line += r.i();
        d.callLine[i] = line;
        if (done) d.retLine[i] = line + r.i();
        if (flags & KEY) d.key[i] = r.u();
        d.label[i] = ref(r);
        d.f[i] = ref(r);
        d.invoked[i] = ref(r);
        if (done) d.completed[i] = ref(r);
      }
    }
    assignLanes(d);
    {
      const r = new Data.Reader(bytes, ...sections.orders);
      const lists = h.violations.length + h.linearizations.length;
      for (let k = 0; k < lists; k++) {
        const n = r.u();
        const order = new Uint32Array(n);
        let last = 0;
        for (let j = 0; j < n; j++) {
          last += r.i();
          order[j] = last;
        }
        d.orders.push(order);
      }
    }
    {
      const r = new Data.Reader(bytes, ...sections.states);
      for (let k = 0; k < h.violations.length; k++) {
        const n = d.orders[k].length;
        const st = new Int32Array(n);
        for (let j = 0; j < n; j++) st[j] = ref(r);
        d.states.push(st);
      }
    }
    return d;
  }

  /** Lanes for the clients: a process that crashed (its last operation is `:info`; Jepsen
   *  starts a new one for the same client: `P~2` in causal's names, or a new number) frees
   *  its lane for a process that starts later; any other keeps its lane. Processes are laid out by their first invocation, each
   *  on the lane of the process it continues (`P` for `P~2`) when that is free, else on the
   *  first free lane: as many lanes as processes ever run at once. Sets `laneOf`,
   *  `laneNames` (the lane's processes, in order) and `L`. */
  function assignLanes(d) {
    const first = new Float64Array(d.P).fill(Infinity);
    const last = new Float64Array(d.P).fill(-Infinity);
    const crashed = new Uint8Array(d.P);
    for (let i = 0; i < d.M; i++) {
      const p = d.proc[i];
      if (d.call[i] < first[p]) first[p] = d.call[i];
      const e = end(d, i);
      if (e > last[p]) last[p] = e;
      crashed[p] = d.status[i] === INFO ? 1 : 0;
    }
    // A crashed process's lane waits for the process that continues it (`P~2` after `P`).
    const baseOf = (name) => {
      const m = /^(.*)~\d+$/.exec(name);
      return m ? m[1] : name;
    };
    const lastStart = new Map();
    d.processes.forEach((name, p) => {
      const b = baseOf(name);
      lastStart.set(b, Math.max(lastStart.get(b) ?? -Infinity, first[p]));
    });
    const laneBase = [];
    const byBase = new Map();
    d.laneOf = new Uint32Array(d.P);
    const members = [];
    // Where each lane's process ends; Infinity while it may still run (it did not crash).
    const laneEnd = [];
    const byStart = Array.from({ length: d.P }, (_, p) => p).sort((a, b) => first[a] - first[b] || a - b);
    for (const p of byStart) {
      const name = d.processes[p];
      let lane = name === baseOf(name) ? undefined : byBase.get(baseOf(name));
      if (lane === undefined || !(laneEnd[lane] < first[p])) {
        lane = laneEnd.findIndex((e, l) => e < first[p] && !(lastStart.get(laneBase[l]) > first[p]));
        if (lane < 0) {
          lane = laneEnd.length;
          laneEnd.push(-Infinity);
          members.push([]);
        }
      }
      d.laneOf[p] = lane;
      laneEnd[lane] = crashed[p] ? last[p] : Infinity;
      laneBase[lane] = baseOf(name);
      members[lane].push(name);
      byBase.set(baseOf(name), lane);
    }
    d.laneNames = members.map((names) => names.join(", "));
    d.L = members.length;
  }

  /** String k of the table. */
  const str = (d, k) => (k < 0 ? "" : d.strings.text.slice(d.strings.off[k], d.strings.off[k + 1]));

  /** Where an operation's bar ends: its completion (for `:info`, when the client gave up
   *  on it, though it may take effect later), or the end of the history when it has none. */
  const end = (d, i) => (d.status[i] === OPEN ? d.positions : d.ret[i]);

  /** The lanes shown for partition `key` (-1: every operation): the lanes with an
   *  operation in it, in lane order, and each one's operations by invocation. */
  function partitionLanes(d, key) {
    const per = Array.from({ length: d.L }, () => []);
    for (let i = 0; i < d.M; i++) if (key < 0 || d.key[i] === key) per[d.laneOf[d.proc[i]]].push(i);
    const lanes = [];
    const ops = [];
    for (let p = 0; p < d.L; p++) {
      if (key >= 0 && per[p].length === 0) continue;
      lanes.push(p);
      ops.push(Uint32Array.from(per[p]));
    }
    return { lanes, ops, calls: ops.map((list) => Float64Array.from(list, (i) => d.call[i])) };
  }

  /** The operations of one lane (indices into `list`, [lo, hi)) whose bars meet [x0, x1]:
   *  a client runs one operation at a time, so its bars are ordered and disjoint. */
  function visible(d, list, calls, x0, x1) {
    let lo = lowerBound(calls, x0);
    if (lo > 0 && end(d, list[lo - 1]) >= x0) lo--;
    const hi = upperBound(calls, x1, lo);
    return [lo, hi];
  }

  /** Where each operation of `order` takes effect: a point inside its interval, in order,
   *  never before the previous one. The earliest such point is the later of the previous
   *  point and the invocation; points that fall on the same position are spread over the
   *  gap after it (every one of those operations completes later: real time is respected). */
  function points(d, order) {
    const n = order.length;
    const x = new Float64Array(n);
    let prev = -Infinity;
    for (let k = 0; k < n; k++) {
      prev = Math.max(prev, d.call[order[k]]);
      x[k] = prev;
    }
    for (let k = 0; k < n; ) {
      let j = k;
      while (j < n && x[j] === x[k]) j++;
      const g = j - k;
      const v = x[k];
      for (let m = 0; m < g; m++) x[k + m] = v + (m + 1) / (g + 1);
      k = j;
    }
    return x;
  }

  /** Bars closer than `gap` (in positions) merged into runs, for drawing more bars than
   *  pixels: [from, to] pairs of positions. */
  function runs(d, list, lo, hi, gap) {
    const out = [];
    let from = NaN;
    let to = NaN;
    for (let k = lo; k < hi; k++) {
      const i = list[k];
      const a = d.call[i];
      const b = end(d, i);
      if (a - to <= gap) {
        if (b > to) to = b;
      } else {
        if (from === from) out.push(from, to);
        from = a;
        to = b;
      }
    }
    if (from === from) out.push(from, to);
    return out;
  }

  /** The order list of violation `v` (its longest linearizable prefix) or of the
   *  linearizable partition `key`; null when there is none. */
  function orderOf(d, key) {
    const vs = d.lin.violations;
    for (let v = 0; v < vs.length; v++) if ((vs[v].key ?? -1) === key) return { order: d.orders[v], violation: v };
    const ls = d.lin.linearizations;
    for (let l = 0; l < ls.length; l++) if ((ls[l] ?? -1) === key) return { order: d.orders[vs.length + l], violation: -1 };
    return null;
  }

  /** Completion types by status number (an operation never completed has none). */
  const STATUS_NAMES = ["ok", "fail", "info", ""];

  return { OK, FAIL, INFO, OPEN, STATUS_NAMES, decode, assignLanes, str, end, partitionLanes, visible, points, runs, orderOf };
})();
