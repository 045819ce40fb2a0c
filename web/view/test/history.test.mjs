// Unit tests of the history page's pure parts (history.js), under Node's test runner:
// decoding (against a small encoder written here from README.md's "History data"), lanes,
// the points of a linearization (against the definition: inside each interval, in order),
// visible ranges and dense runs (against brute force).

import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const context = vm.createContext({ TextDecoder, TextEncoder, console, Uint8Array });
for (const f of ["util.js", "data.js", "history.js"]) {
  vm.runInContext(fs.readFileSync(path.join(here, "..", "src", f), "utf8"), context, { filename: f });
}
const { Hist } = vm.runInContext("({ Hist })", context);
const same = (actual, expected, message) => assert.deepEqual(JSON.parse(JSON.stringify(actual)), expected, message);

// ---- a test encoder, from README.md

function varint(out, v) {
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}
const zigzag = (v) => (v < 0 ? -2 * v - 1 : 2 * v);
const STATUS = { ok: 0, fail: 1, info: 2, open: 3 };

/** ops: [{p, status, call, ret, line, retLine, key, label, f, invoked, completed}];
 *  lin: the header's "history" object; orders: lists; states: per violation, texts. */
function encode({ processes, keys = [], positions, ops, lin, orders = [], states = [] }) {
  const strings = new Map();
  const lengths = [];
  let text = "";
  const ref = (out, s) => {
    if (strings.has(s)) return varint(out, strings.get(s) + 1);
    strings.set(s, strings.size);
    lengths.push(s.length);
    text += s;
    varint(out, 0);
  };
  const opsOut = [];
  let call = 0;
  let line = 0;
  for (const o of ops) {
    varint(opsOut, o.p);
    varint(opsOut, STATUS[o.status] | (o.key !== undefined ? 4 : 0));
    varint(opsOut, o.call - call);
    call = o.call;
    if (o.status !== "open") varint(opsOut, o.ret - o.call);
    varint(opsOut, zigzag(o.line - line));
    line = o.line;
    if (o.status !== "open") varint(opsOut, zigzag(o.retLine - o.line));
    if (o.key !== undefined) varint(opsOut, o.key);
    ref(opsOut, o.label);
    ref(opsOut, o.f);
    ref(opsOut, o.invoked);
    if (o.status !== "open") ref(opsOut, o.completed);
  }
  const ordersOut = [];
  for (const list of orders) {
    varint(ordersOut, list.length);
    let last = 0;
    for (const op of list) {
      varint(ordersOut, zigzag(op - last));
      last = op;
    }
  }
  const statesOut = [];
  for (const list of states) for (const s of list) ref(statesOut, s);
  const lengthsOut = [];
  for (const n of lengths) varint(lengthsOut, n);
  const textOut = [...new TextEncoder().encode(text)];
  const sections = [["ops", opsOut], ["string_lengths", lengthsOut], ["string_text", textOut], ["orders", ordersOut], ["states", statesOut]];
  const header = {
    version: 1, mode: "history", title: "t", files: ["h.edn"], processes, keys, positions,
    operations: ops.length, strings: strings.size,
    sections: sections.map(([n, b]) => [n, b.length]), history: { version: 1, ...lin },
  };
  const h = [...new TextEncoder().encode(JSON.stringify(header))];
  const bytes = [..."CVW1"].map((c) => c.charCodeAt(0));
  bytes.push(h.length & 255, (h.length >> 8) & 255, (h.length >> 16) & 255, h.length >>> 24, ...h);
  const at = {};
  let p = 8 + h.length;
  for (const [n, b] of sections) {
    at[n] = [p, p + b.length];
    p += b.length;
    bytes.push(...b);
  }
  return Hist.decode(header, new Uint8Array(bytes), at);
}

const op = (p, status, call, ret, more = {}) => ({
  p, status, call, ret, line: call + 1, retLine: ret + 1, label: `op${call}`, f: "write", invoked: "1", completed: "1", ...more,
});

test("decoding reads every operation, order and state", () => {
  const d = encode({
    processes: ["0", "1"], keys: ['"x"'], positions: 6,
    ops: [op(0, "ok", 0, 2, { key: 0, label: "write 1" }), op(1, "info", 1, 3, { label: "read → ?" }), op(0, "open", 4, 0, { label: "write 1" })],
    lin: { verdict: "not-linearizable", violations: [{ key: 0 }], linearizations: [null] },
    orders: [[0, 2], [1]], states: [["1", "é😀"]],
  });
  same(Array.from(d.proc), [0, 1, 0]);
  same(Array.from(d.status), [Hist.OK, Hist.INFO, Hist.OPEN]);
  same(Array.from(d.call), [0, 1, 4]);
  same([d.ret[0], d.ret[1], Number.isNaN(d.ret[2])], [2, 3, true]);
  same(Array.from(d.key), [0, -1, -1]);
  same(Array.from(d.callLine), [1, 2, 5]);
  same([Hist.str(d, d.label[0]), Hist.str(d, d.label[1]), Hist.str(d, d.label[2])], ["write 1", "read → ?", "write 1"]);
  same(d.orders.map((o) => Array.from(o)), [[0, 2], [1]]);
  same(Array.from(d.states[0], (k) => Hist.str(d, k)), ["1", "é😀"]);
  same([Hist.end(d, 0), Hist.end(d, 1), Hist.end(d, 2)], [2, 3, 6]);
});

test("a process that crashed gives its lane to the one that continues it", () => {
  // 0 crashes (:info at 2); 1 runs throughout; 2 starts after 0 crashed, but 0~2 is
  // coming back, so 2 takes a lane of its own; 0~2 takes 0's.
  const d = encode({
    processes: ["0", "1", "2", "0~2", "5"], positions: 20,
    ops: [op(0, "info", 0, 2), op(1, "ok", 1, 3), op(2, "ok", 4, 5), op(3, "info", 6, 7), op(1, "ok", 8, 9), op(4, "ok", 10, 11)],
    lin: { verdict: "linearizable", violations: [], linearizations: [] },
  });
  same(Array.from(d.laneOf), [0, 1, 2, 0, 0]);
  same(d.laneNames, ["0, 0~2, 5", "1", "2"]);
  same(d.L, 3);
});

test("the lanes of a partition hold its operations only", () => {
  const d = encode({
    processes: ["a", "b"], keys: ["x", "y"], positions: 8,
    ops: [op(0, "ok", 0, 1, { key: 0 }), op(1, "ok", 2, 3, { key: 1 }), op(0, "ok", 4, 5, { key: 1 })],
    lin: { verdict: "linearizable", violations: [], linearizations: [0, 1] }, orders: [[0], [1, 2]],
  });
  const x = Hist.partitionLanes(d, 0);
  same(x.lanes, [0]);
  same(x.ops.map((o) => Array.from(o)), [[0]]);
  const all = Hist.partitionLanes(d, -1);
  same(all.ops.map((o) => Array.from(o)), [[0, 2], [1]]);
  same(Array.from(Hist.orderOf(d, 1).order), [1, 2]);
  same(Hist.orderOf(d, 1).violation, -1);
});

/** A random history of `n` operations on `p` processes, each a valid real-time order. */
function randomHistory(seed, n, p) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const open = new Array(p).fill(-1);
  const ops = [];
  let pos = 0;
  while (ops.length < n || open.some((o) => o >= 0)) {
    const q = Math.floor(rnd() * p);
    if (open[q] >= 0) {
      ops[open[q]].ret = pos++;
      ops[open[q]].retLine = pos;
      open[q] = -1;
    } else if (ops.length < n) {
      open[q] = ops.length;
      ops.push(op(q, "ok", pos++, 0));
    }
  }
  return ops;
}

test("linearization points lie in their intervals and never go back", () => {
  for (let seed = 1; seed <= 30; seed++) {
    const ops = randomHistory(seed, 40, 4);
    const d = encode({
      processes: ["0", "1", "2", "3"], positions: 80, ops,
      lin: { verdict: "linearizable", violations: [], linearizations: [] },
    });
    // A real-time-respecting order: by completion (each op completes before any op invoked
    // after its completion does).
    const order = ops.map((_, i) => i).sort((a, b) => ops[a].ret - ops[b].ret);
    const x = Hist.points(d, order);
    for (let k = 0; k < order.length; k++) {
      const o = ops[order[k]];
      assert.ok(x[k] > o.call && x[k] < o.ret, `seed ${seed}: point ${x[k]} outside (${o.call}, ${o.ret})`);
      if (k) assert.ok(x[k] > x[k - 1], `seed ${seed}: points go back at ${k}`);
    }
  }
});

test("visible ranges and dense runs match brute force", () => {
  const ops = randomHistory(7, 200, 3);
  const d = encode({ processes: ["0", "1", "2"], positions: 400, ops, lin: { verdict: "linearizable", violations: [], linearizations: [] } });
  const { ops: lanes, calls } = Hist.partitionLanes(d, -1);
  for (const [x0, x1] of [[0, 400], [10.5, 30], [100, 100], [399, 500], [-5, 0]]) {
    for (let l = 0; l < lanes.length; l++) {
      const list = lanes[l];
      const [lo, hi] = Hist.visible(d, list, calls[l], x0, x1);
      const want = Array.from(list).filter((i) => Hist.end(d, i) >= x0 && d.call[i] <= x1);
      same(Array.from(list.slice(lo, hi)), want, `[${x0}, ${x1}] lane ${l}`);
      const runs = Hist.runs(d, list, lo, hi, 3);
      // Every bar lies in a run, runs are apart by more than the gap.
      for (const i of want) {
        let inside = false;
        for (let k = 0; k < runs.length; k += 2) if (runs[k] <= d.call[i] && Hist.end(d, i) <= runs[k + 1]) inside = true;
        assert.ok(inside, `bar ${i} in no run`);
      }
      for (let k = 2; k < runs.length; k += 2) assert.ok(runs[k] - runs[k - 1] > 3);
    }
  }
});
