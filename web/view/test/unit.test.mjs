// Unit tests of the viewer's pure parts, under Node's test runner (`node --test test/`):
// decoding (against a small encoder written here from README.md, not from the Rust one),
// causal past and future (against brute-force reachability), relations and chains, search,
// layouts, and the formatting helpers. The scripts run in a VM context, as the page runs them.

import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const files = ["util.js", "data.js", "model.js", "layout.js", "draw.js"];
const context = vm.createContext({ TextDecoder, TextEncoder, atob, Blob, Response, DecompressionStream, console, Uint8Array });
for (const f of files) vm.runInContext(fs.readFileSync(path.join(here, "..", "src", f), "utf8"), context, { filename: f });
const { Util, Data, Model, Layout, Draw } = vm.runInContext("({ Util, Data, Model, Layout, Draw })", context);
// Values made in the VM have the VM's prototypes: compare them as plain JSON.
const same = (actual, expected, message) => assert.deepEqual(JSON.parse(JSON.stringify(actual)), expected, message);

// ---- a test encoder, written from the data description in README.md

function varint(out, v) {
  while (v >= 128) {
    out.push((v % 128) + 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
}
const zigzag = (v) => (v < 0 ? -2 * v - 1 : 2 * v);

/** events: [{node, kind: "local"|"send"|"recv", msg, label, id, time (ns), writes, reads,
 *  fields (object), outside}] in a causal order; messages matched by msg. */
function encode(events, nodes, options = {}) {
  const out = [];
  const strings = new Map();
  const lengths = [];
  let text = "";
  const ref = (s) => {
    if (strings.has(s)) return varint(out, strings.get(s) + 1);
    strings.set(s, strings.size);
    lengths.push(s.length);
    text += s;
    varint(out, 0);
  };
  const keys = [];
  const keyIndex = (k) => (keys.includes(k) ? keys.indexOf(k) : keys.push(k) - 1);
  const sendAt = new Map();
  const lastTime = new Map();
  const lastLine = new Map();
  let messages = 0;
  events.forEach((ev, i) => {
    const n = nodes.indexOf(ev.node);
    const kind = { local: 0, send: 1, recv: 2 }[ev.kind || "local"];
    const sends = ev.kind === "recv" && sendAt.has(ev.msg) ? [sendAt.get(ev.msg)] : [];
    messages += sends.length;
    let flags = kind;
    if (ev.label !== undefined) flags |= 1 << 2;
    if (ev.id !== undefined) flags |= 1 << 3;
    if (ev.fields) flags |= 1 << 4;
    if (ev.time !== undefined) flags |= 1 << 5;
    if (ev.writes || ev.reads) flags |= 1 << 6;
    if (ev.msg !== undefined) flags |= 1 << 7;
    if (sends.length) flags |= 1 << 8;
    if (ev.outside === "recv") flags |= 1 << 9;
    if (ev.outside === "send") flags |= 1 << 10;
    varint(out, n);
    varint(out, flags);
    const line = i + 1;
    varint(out, zigzag(line - (lastLine.get(n) || 0)));
    lastLine.set(n, line);
    if (ev.label !== undefined) ref(ev.label);
    if (ev.id !== undefined) ref(ev.id);
    if (ev.fields) ref(JSON.stringify(ev.fields));
    if (ev.time !== undefined) {
      varint(out, zigzag(ev.time - (lastTime.get(n) || 0)));
      lastTime.set(n, ev.time);
    }
    if (ev.writes || ev.reads) {
      const w = ev.writes || [];
      const r = ev.reads || [];
      varint(out, w.length);
      varint(out, r.length);
      for (const k of [...w, ...r]) varint(out, keyIndex(k));
    }
    if (ev.msg !== undefined) ref(ev.msg);
    if (sends.length) {
      varint(out, sends.length);
      for (const s of sends) varint(out, zigzag(i - s));
    }
    if (ev.kind === "send") sendAt.set(ev.msg, i);
  });
  const lenBytes = [];
  for (const l of lengths) varint(lenBytes, l);
  // Given clocks (stamped input): Lamport as differences, vector clocks as changes per node.
  const extra = [];
  if (options.given) {
    const lam = [];
    let last = 0;
    for (const l of options.given.lamport) {
      varint(lam, zigzag(l - last));
      last = l;
    }
    const vc = [];
    const prev = new Map();
    events.forEach((ev, i) => {
      const n = nodes.indexOf(ev.node);
      const before = prev.get(n) || new Map();
      const now = new Map(options.given.vc[i]);
      const changed = [...new Set([...before.keys(), ...now.keys()])].filter((m) => (before.get(m) || 0) !== (now.get(m) || 0)).sort((a, b) => a - b);
      varint(vc, changed.length);
      for (const m of changed) {
        varint(vc, m);
        varint(vc, zigzag((now.get(m) || 0) - (before.get(m) || 0)));
      }
      prev.set(n, now);
    });
    extra.push(["lamport", lam], ["vc", vc]);
  }
  const textBytes = [...new TextEncoder().encode(text)];
  const header = {
    version: 1, title: "t", nodes, files: ["t.jsonl"], keys, executions: [], events: events.length,
    messages, strings: strings.size, origin_s: 1795000000, origin_ns: 0,
    sections: [["events", out.length], ["string_lengths", lenBytes.length], ["string_text", textBytes.length], ...extra.map(([n, b]) => [n, b.length])],
    clocks: options.given ? "given" : "computed",
    offsets: { reference: 0, shift: nodes.map(() => 0), lo: nodes.map(() => 0), hi: nodes.map(() => 0) },
    conflicts: null, check: null, ...options.header,
  };
  const h = [...new TextEncoder().encode(JSON.stringify(header))];
  return Uint8Array.from([..."CVW1"].map((c) => c.charCodeAt(0)).concat([h.length & 255, (h.length >> 8) & 255, (h.length >> 16) & 255, 0], h, out, lenBytes, textBytes, ...extra.map(([, b]) => b)));
}

// a: local, send m1, local, recv m2 | b: recv m1, send m2, send m3 (lost) | c: local, send m4 | b: recv m4
const EVENTS = [
  { node: "a", label: "a one", time: 10 },
  { node: "a", kind: "send", msg: "m1", label: "a sends m1", time: 20, writes: ["x"] },
  { node: "c", label: "c alone", id: "c-first", time: 5 },
  { node: "b", kind: "recv", msg: "m1", label: "b gets m1", time: 30, reads: ["x"] },
  { node: "a", label: "a three", time: 31, fields: { level: "info", n: 3 } },
  { node: "b", kind: "send", msg: "m2", label: "b sends m2", time: 40 },
  { node: "c", kind: "send", msg: "m4", label: "c sends m4", time: 41 },
  { node: "a", kind: "recv", msg: "m2", label: "a gets m2", time: 50, writes: ["x"] },
  { node: "b", kind: "send", msg: "m3", label: "lost one ü😀", time: 60 },
  { node: "b", kind: "recv", msg: "m4", label: "b gets m4", time: 70 },
];
const NODES = ["a", "b", "c"];

function decoded() {
  return Data.decode(encode(EVENTS, NODES));
}

/** Brute force: e happened before f when f is reachable from e by program order and messages. */
function reach(t) {
  const next = Array.from({ length: t.N }, () => []);
  for (const lane of t.lanes) for (let j = 0; j + 1 < lane.length; j++) next[lane[j]].push(lane[j + 1]);
  for (let k = 0; k < t.msgS.length; k++) next[t.msgS[k]].push(t.msgR[k]);
  return (e) => {
    const seen = new Set([e]);
    const stack = [e];
    while (stack.length) for (const f of next[stack.pop()]) if (!seen.has(f)) { seen.add(f); stack.push(f); }
    return seen;
  };
}

test("decoding gives every column back", () => {
  const t = decoded();
  assert.equal(t.N, 10);
  same(Array.from(t.node), [0, 0, 2, 1, 0, 1, 2, 0, 1, 1]);
  same(Array.from(t.pos), [1, 2, 1, 1, 3, 2, 2, 4, 3, 4]);
  same(Array.from(t.time), [10, 20, 5, 30, 31, 40, 41, 50, 60, 70]);
  same(Array.from(t.line), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const m = new Model.Model(t);
  assert.equal(m.label(8), "lost one ü😀");
  assert.equal(m.id(2), "c-first");
  assert.equal(m.id(5), "b#2");
  same(m.fields(4), { level: "info", n: 3 });
  same(m.keysOf(1), { writes: ["x"], reads: [] });
  same(m.keysOf(3), { writes: [], reads: ["x"] });
  same(Array.from(t.msgS), [1, 5, 6]);
  same(Array.from(t.msgR), [3, 7, 9]);
  same(t.loose, [[8, "lost"]]);
  // Lamport: a:1,2 c:1 b:3 a:3 b:4 c:2 a:5 b:5 b:6
  same(Array.from(t.lamport), [1, 2, 1, 3, 3, 4, 2, 5, 5, 6]);
  assert.equal(m.byId("a#4"), 7);
  assert.equal(m.byId("c#1"), 2);
  assert.equal(m.byId("c-first"), 2);
  assert.equal(m.byId("nope"), -1);
});

test("the reader reads LEB128 varints and zigzag numbers beyond 32 bits", () => {
  const bytes = [];
  for (const v of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40 + 5]) varint(bytes, v);
  for (const v of [-1, 1, -(2 ** 35), 2 ** 35]) varint(bytes, zigzag(v));
  const r = new Data.Reader(Uint8Array.from(bytes), 0, bytes.length);
  same([0, 1, 2, 3, 4, 5, 6].map(() => r.u()), [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40 + 5]);
  same([0, 1, 2, 3].map(() => r.i()), [-1, 1, -(2 ** 35), 2 ** 35]);
});

test("past and future are exactly what is reachable", () => {
  const t = decoded();
  const m = new Model.Model(t);
  const from = reach(t);
  for (let x = 0; x < t.N; x++) {
    const up = m.pastOf(x);
    const fut = m.futureOf(x);
    const after = from(x);
    for (let e = 0; e < t.N; e++) {
      assert.equal(m.inFuture(fut, e), after.has(e), `future of ${x} holds ${e}`);
      assert.equal(m.inPast(up, e), from(e).has(x), `past of ${x} holds ${e}`);
    }
  }
});

test("past and future agree with reachability on random traces", () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let round = 0; round < 40; round++) {
    const K = 2 + Math.floor(rand() * 5);
    const nodes = Array.from({ length: K }, (_, i) => `n${i}`);
    const events = [];
    const inFlight = [];
    let msg = 0;
    for (let i = 0; i < 60; i++) {
      const node = nodes[Math.floor(rand() * K)];
      const roll = rand();
      if (roll < 0.3) {
        events.push({ node, kind: "send", msg: `m${msg}` });
        inFlight.push(`m${msg++}`);
      } else if (roll < 0.6 && inFlight.length) {
        const [got] = inFlight.splice(Math.floor(rand() * inFlight.length), 1);
        events.push({ node, kind: "recv", msg: got });
      } else {
        events.push({ node });
      }
    }
    const t = Data.decode(encode(events, nodes));
    const m = new Model.Model(t);
    const from = reach(t);
    for (let x = 0; x < t.N; x += 3) {
      const after = from(x);
      const up = m.pastOf(x);
      const fut = m.futureOf(x);
      for (let e = 0; e < t.N; e++) {
        assert.equal(m.inFuture(fut, e), after.has(e));
        assert.equal(m.inPast(up, e), from(e).has(x));
      }
      // The vector clock counts each lane's events in the past.
      for (const [n, c] of m.vcOf(x)) assert.equal(c, up[n]);
    }
  }
});

test("two events: the relation and a shortest chain, as hb prints them", () => {
  const t = decoded();
  const m = new Model.Model(t);
  assert.equal(m.relation(0, 7), "before");
  assert.equal(m.relation(7, 0), "after");
  assert.equal(m.relation(2, 0), "concurrent");
  assert.equal(m.relation(4, 4), "same");
  // a#1 to a#4: program order is shortest (3 steps); c-first to b#4 goes through m4.
  same(m.chain(0, 7), [0, 1, 4, 7]);
  assert.equal(m.hbText(0, 7).text.split("\n")[1], "shortest causal chain: 3 steps, 0 messages");
  same(m.chain(2, 9), [2, 6, 9]);
  const hb = m.hbText(2, 9);
  assert.equal(hb.text, [
    "before: c-first happened before b#4",
    "shortest causal chain: 2 steps, 1 message",
    "  c-first  L1           c alone",
    "    ↓ program order",
    "  c#2      L2  send m4  c sends m4",
    "    ↓ message m4",
    "  b#4      L6  recv m4  b gets m4",
  ].join("\n"));
  assert.equal(m.hbText(2, 0).text, "concurrent: neither c-first nor a#1 happened before the other");
  assert.equal(m.hbText(7, 0).text.split("\n")[0], "after: a#4 happened after a#1");
});

test("search: text, regular expressions, ids and field=value", () => {
  const m = new Model.Model(decoded());
  const ids = (q) => Array.from(m.search(q).results, (e) => m.id(e));
  same(ids("GETS M"), ["b#1", "a#4", "b#4"]);
  same(ids("/^a (one|three)$/"), ["a#1", "a#3"]);
  same(ids("b#2"), ["b#2"]);
  same(ids("c-first"), ["c-first"]);
  same(ids("writes=x"), ["a#2", "a#4"]);
  same(ids("key=x"), ["a#2", "b#1", "a#4"]);
  same(ids("kind=send"), ["a#2", "b#2", "c#2", "b#3"]);
  same(ids("msg=m4"), ["c#2", "b#4"]);
  same(ids("level=info"), ["a#3"]);
  same(ids("n=3"), ["a#3"]);
  same(ids("lamport=5"), ["a#4", "b#3"]);
  same(ids("node=c"), ["c-first", "c#2"]);
  same(ids("😀"), ["b#3"]);
  same(ids(""), []);
  assert.match(m.search("/(/").error, /^bad regular expression/);
});

test("layouts keep every lane in order and folding joins runs of local events", () => {
  const t = decoded();
  for (const mode of ["lamport", "time", "program"]) {
    for (const collapse of [false, true]) {
      const x = Layout.computeX(t, mode, { collapse, shift: [5, 0, 0] });
      const geo = new Layout.Geometry(t, x);
      for (const lx of geo.laneX) for (let j = 1; j < lx.length; j++) assert.ok(lx[j] >= lx[j - 1], `${mode} ${collapse}`);
      const seen = [];
      geo.messagesIn(t, -Infinity, Infinity, (k) => seen.push(k));
      same(seen, [0, 1, 2]);
    }
  }
  // Wall time, shifted: a's times move 5 ns earlier.
  assert.equal(Layout.computeX(t, "time", { shift: [5, 0, 0] })[0], 5);
  same(Array.from(Layout.computeX(t, "program", {})), Array.from(t.pos));
  // Three local events in a row fold into one.
  const t2 = Data.decode(encode([{ node: "a" }, { node: "a" }, { node: "a" }, { node: "a", kind: "send", msg: "m" }, { node: "b", kind: "recv", msg: "m" }], ["a", "b"]));
  const folds = Layout.computeFolds(t2);
  same(Array.from(folds.head), [0, 0, 0, -1, -1]);
  assert.equal(folds.size[0], 3);
  same(Array.from(Layout.computeX(t2, "lamport", { collapse: true })), [1, 1, 1, 2, 3]);
  same(Array.from(Layout.computeX(t2, "program", { collapse: true })), [1, 1, 1, 2, 1]);
});

test("outside marks and unmatched receives are loose ends", () => {
  const t = Data.decode(encode([
    { node: "a", kind: "send", msg: "x", outside: "recv" },
    { node: "b", kind: "recv", msg: "y", outside: "send" },
    { node: "b", kind: "recv", msg: "ghost" },
  ], ["a", "b"]));
  same(t.loose, [[0, "to-outside"], [1, "from-outside"], [2, "unmatched"]]);
});

test("times, durations and round steps read right", () => {
  assert.equal(Util.formatTime(1795000000, 0, 502000000), "2026-11-18T11:06:40.502Z");
  assert.equal(Util.formatTime(1795000000, 999999999, 1), "2026-11-18T11:06:41Z");
  assert.equal(Util.formatTime(1795000000, 0, 1), "2026-11-18T11:06:40.000000001Z");
  assert.equal(Util.formatDuration(2511000000), "2.511 s");
  assert.equal(Util.formatDuration(-1500), "-1.5 µs");
  assert.equal(Draw.niceStep(37, true), 50);
  assert.equal(Draw.niceStep(0.3, true), 1);
  assert.equal(Draw.niceStep(1.7e6, false), 2e6);
  same(Draw.edgeHit([10, 10], [30, 10], { left: 0, top: 0, right: 20, bottom: 20 }).slice(0, 3), [20, 10, "right"]);
  assert.equal(Util.lowerBound(Float64Array.from([1, 2, 2, 3]), 2), 1);
  assert.equal(Util.upperBound(Float64Array.from([1, 2, 2, 3]), 2), 3);
  assert.equal(Util.oneLine("a\nb\u0007"), "a⏎b�");
});

test("node colors differ and stay away from the lost-message red", () => {
  const colors = Array.from({ length: 40 }, (_, i) => Util.nodeColor(i, false));
  assert.equal(new Set(colors).size, 40);
  for (const c of colors) {
    const hue = parseFloat(c.slice(4));
    assert.ok(hue >= 20 && hue <= 340, c);
  }
});

test("given clocks order events through events the input left out", () => {
  // A slice of a -> z -> b: a#1 sent to z (left out), z sent on to b#1. No edge inside the
  // slice joins a#1 and b#1, but b#1's given clock has seen a#1 (a:1).
  const events = [
    { node: "a", kind: "send", msg: "x", outside: "recv", id: "a#1" },
    { node: "a", id: "a#2" },
    { node: "b", kind: "recv", msg: "y", outside: "send", id: "b#1" },
    { node: "b", id: "b#2" },
  ];
  const given = {
    lamport: [1, 2, 3, 4],
    // Nodes: a = 0, b = 1, z = 2 (no events here).
    vc: [[[0, 1]], [[0, 2]], [[0, 1], [1, 1], [2, 2]], [[0, 1], [1, 2], [2, 2]]],
  };
  const t = Data.decode(encode(events, ["a", "b", "z"], { given }));
  const m = new Model.Model(t);
  assert.equal(t.header.clocks, "given");
  same(Array.from(t.lamport), [1, 2, 3, 4]);
  same(m.vcOf(2), [[0, 1], [1, 1], [2, 2]]);
  assert.equal(m.relation(0, 2), "before");
  assert.equal(m.relation(1, 2), "concurrent");
  assert.equal(m.relation(3, 0), "after");
  same([0, 1, 2, 3].map((e) => m.inFuture(m.futureOf(0), e)), [true, true, true, true]);
  same([0, 1, 2, 3].map((e) => m.inPast(m.pastOf(3), e)), [true, false, true, true]);
  // No chain inside the slice: hb's text says so.
  assert.equal(m.chain(0, 2), null);
  assert.match(m.hbText(0, 2).text, /outside the input/);
  same(t.loose, [[0, "to-outside"], [2, "from-outside"]]);
});
