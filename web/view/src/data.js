// data.js: reads the data `causal view` wrote into the page (README.md, "Data") into columns
// of typed arrays. Computes what the data leaves out: program-order positions, Lamport clocks
// (unless given), message edges in both directions and the loose message ends. No drawing.

const Data = (() => {
  const { Grow } = Util;

  // Bits of an event's flags word (src/render/view.rs, mod flag).
  const F = {
    KIND: 0b11, LABEL: 1 << 2, USER_ID: 1 << 3, FIELDS: 1 << 4, TIME: 1 << 5, KEYS: 1 << 6,
    MSG: 1 << 7, SENDS: 1 << 8, OUTSIDE_RECV: 1 << 9, OUTSIDE_SEND: 1 << 10, ROLES: 1 << 11,
    TO: 1 << 12, FILE: 1 << 13,
  };
  const LOCAL = 0, SEND = 1, RECV = 2;

  /** Base64 text to bytes. */
  function fromBase64(text) {
    if (typeof Uint8Array.fromBase64 === "function") {
      return Uint8Array.fromBase64(text.trim());
    }
    const bin = atob(text.trim());
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  /** Gunzips with the browser's own DecompressionStream (no library, no network). */
  async function gunzip(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  /** LEB128 varints, unsigned and zigzag-signed, as doubles (exact below 2^53). */
  class Reader {
    constructor(bytes, start, end) {
      this.b = bytes;
      this.p = start;
      this.end = end;
    }
    u() {
      let b = this.b[this.p++];
      if (b < 128) return b;
      let v = b & 127;
      let m = 128;
      do {
        b = this.b[this.p++];
        v += (b & 127) * m;
        m *= 128;
      } while (b >= 128);
      return v;
    }
    i() {
      const v = this.u();
      return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
    }
  }

  /** Decodes a whole page payload (base64 of gzip) into a Trace. */
  async function decodePage(base64, timing) {
    const bytes = fromBase64(base64);
    if (timing) timing.base64 = performance.now();
    const raw = await gunzip(bytes);
    if (timing) timing.gunzip = performance.now();
    return decode(raw);
  }

  /** Decodes the uncompressed data. */
  function decode(bytes) {
    const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
    if (magic !== "CVW1") throw new Error(`not causal view data (magic ${JSON.stringify(magic)})`);
    const headerLen = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] * 16777216);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen)));
    if (header.version !== 1) throw new Error(`data version ${header.version}: this page reads version 1`);
    const sections = {};
    let at = 8 + headerLen;
    for (const [name, len] of header.sections) {
      sections[name] = [at, at + len];
      at += len;
    }
    if (header.mode === "history") return Hist.decode(header, bytes, sections);
    return build(header, bytes, sections);
  }

  function build(header, bytes, sections) {
    const N = header.events;
    const K = header.nodes.length;
    const t = {
      header, N, K,
      nodeNames: header.nodes, fileNames: header.files, keyNames: header.keys,
      node: new Uint32Array(N), kind: new Uint8Array(N), flags: new Uint16Array(N),
      time: new Float64Array(N).fill(NaN), file: new Uint32Array(N), line: new Uint32Array(N),
      label: new Int32Array(N).fill(-1), uid: new Int32Array(N).fill(-1),
      fields: new Int32Array(N).fill(-1), msg: new Int32Array(N).fill(-1),
      keyStart: new Uint32Array(N + 1), keys: null, writes: new Uint32Array(N),
      inStart: new Uint32Array(N + 1), inSend: null,
      roles: new Map(), toStart: new Uint32Array(N + 1), toRefs: null,
      pos: new Uint32Array(N), lamport: new Float64Array(N), own: null,
      lanes: [], hasTime: false,
      strings: null,
    };
    // Strings: lengths, then one text; string k is text[off[k], off[k+1]).
    {
      const [s0, s1] = sections.string_lengths;
      const r = new Reader(bytes, s0, s1);
      const off = new Float64Array(header.strings + 1);
      for (let k = 0; k < header.strings; k++) off[k + 1] = off[k] + r.u();
      const [t0, t1] = sections.string_text;
      const text = new TextDecoder().decode(bytes.subarray(t0, t1));
      t.strings = { text, off };
    }
    let nextString = 0;
    const ref = (r) => {
      const v = r.u();
      return v === 0 ? nextString++ : v - 1;
    };
    const keys = new Grow(Uint32Array, N);
    const toRefs = new Grow(Uint32Array, N / 4);
    const inSend = new Grow(Int32Array, N / 2);
    const lastTime = new Float64Array(K);
    const lastLine = new Float64Array(K);
    const lastFile = new Uint32Array(K);
    const laneLen = new Uint32Array(K);
    const r = new Reader(bytes, sections.events[0], sections.events[1]);
    for (let e = 0; e < N; e++) {
      const n = r.u();
      const f = r.u();
      t.node[e] = n;
      t.flags[e] = f;
      t.kind[e] = f & F.KIND;
      t.pos[e] = ++laneLen[n];
      if (f & F.FILE) {
        lastFile[n] = r.u();
        lastLine[n] = 0;
      }
      t.file[e] = lastFile[n];
      lastLine[n] += r.i();
      t.line[e] = lastLine[n];
      if (f & F.LABEL) t.label[e] = ref(r);
      if (f & F.USER_ID) t.uid[e] = ref(r);
      if (f & F.FIELDS) t.fields[e] = ref(r);
      if (f & F.TIME) {
        lastTime[n] += r.i();
        t.time[e] = lastTime[n];
        t.hasTime = true;
      }
      t.keyStart[e] = keys.n;
      if (f & F.KEYS) {
        const w = r.u();
        const rd = r.u();
        t.writes[e] = w;
        for (let k = 0; k < w + rd; k++) keys.push(r.u());
      }
      if (f & F.MSG) t.msg[e] = ref(r);
      t.inStart[e] = inSend.n;
      if (f & F.SENDS) {
        const c = r.u();
        for (let k = 0; k < c; k++) inSend.push(e - r.i());
      }
      if (f & F.ROLES) {
        const c = r.u();
        const list = [];
        for (let k = 0; k < c; k++) {
          const kind = r.u();
          list.push({ kind, msg: ref(r) });
        }
        t.roles.set(e, list);
      }
      t.toStart[e] = toRefs.n;
      if (f & F.TO) {
        const c = r.u();
        for (let k = 0; k < c; k++) toRefs.push(ref(r));
      }
    }
    t.keyStart[N] = keys.n;
    t.toStart[N] = toRefs.n;
    t.toRefs = toRefs.done();
    t.inStart[N] = inSend.n;
    t.keys = keys.done();
    t.inSend = inSend.done();
    // Lanes: each node's events in program order (the data is in a causal order, which
    // keeps every node's own order).
    for (let n = 0; n < K; n++) t.lanes.push(new Uint32Array(laneLen[n]));
    for (let e = 0; e < N; e++) t.lanes[t.node[e]][t.pos[e] - 1] = e;
    buildEdges(t);
    if (header.clocks === "given") {
      readGivenClocks(t, bytes, sections);
    } else {
      computeLamport(t);
      t.own = t.pos;
    }
    return t;
  }

  /** Outgoing edges (CSR), the matched messages as pairs, and the loose ends. */
  function buildEdges(t) {
    const { N } = t;
    const outCount = new Uint32Array(N + 1);
    for (let k = 0; k < t.inSend.length; k++) outCount[t.inSend[k]]++;
    t.outStart = new Uint32Array(N + 1);
    for (let e = 0; e < N; e++) t.outStart[e + 1] = t.outStart[e] + outCount[e];
    t.outRecv = new Int32Array(t.inSend.length);
    const fill = t.outStart.slice(0, N);
    const M = t.inSend.length;
    t.msgS = new Int32Array(M);
    t.msgR = new Int32Array(M);
    for (let e = 0; e < N; e++) {
      for (let k = t.inStart[e]; k < t.inStart[e + 1]; k++) {
        const s = t.inSend[k];
        t.outRecv[fill[s]++] = e;
        t.msgS[k] = s;
        t.msgR[k] = e;
      }
    }
    // Loose ends: [event, type] with type "lost" (a send nobody receives), "unmatched" (a
    // receive of a message nobody sends), "to-outside", "from-outside" (slices).
    const loose = [];
    for (let e = 0; e < N; e++) {
      const f = t.flags[e];
      const roles = t.roles.get(e);
      const sends = t.kind[e] === SEND || (roles && roles.some((x) => x.kind === SEND));
      const recvs = t.kind[e] === RECV || (roles && roles.some((x) => x.kind === RECV));
      if (f & F.OUTSIDE_RECV) loose.push([e, "to-outside"]);
      else if (sends && t.outStart[e + 1] === t.outStart[e]) loose.push([e, "lost"]);
      if (f & F.OUTSIDE_SEND) loose.push([e, "from-outside"]);
      else if (recvs && t.inStart[e + 1] === t.inStart[e]) loose.push([e, "unmatched"]);
    }
    t.loose = loose;
  }

  /** Lamport clocks in one pass over the causal order of the data. */
  function computeLamport(t) {
    const { N, lamport } = t;
    const laneLast = new Float64Array(t.K);
    for (let e = 0; e < N; e++) {
      let l = laneLast[t.node[e]];
      for (let k = t.inStart[e]; k < t.inStart[e + 1]; k++) {
        const s = lamport[t.inSend[k]];
        if (s > l) l = s;
      }
      lamport[e] = l + 1;
      laneLast[t.node[e]] = l + 1;
    }
  }

  /** The input's own clocks: Lamport per event, vector clocks as changes along each lane. */
  function readGivenClocks(t, bytes, sections) {
    const { N, K } = t;
    let r = new Reader(bytes, sections.lamport[0], sections.lamport[1]);
    let l = 0;
    for (let e = 0; e < N; e++) {
      l += r.i();
      t.lamport[e] = l;
    }
    r = new Reader(bytes, sections.vc[0], sections.vc[1]);
    const vcStart = new Uint32Array(N + 1);
    const vcNode = new Grow(Uint32Array, N);
    const vcVal = new Grow(Float64Array, N);
    const own = new Float64Array(N);
    const laneOwn = new Float64Array(K);
    // Per node, the running value of each component is needed to turn deltas into values;
    // one row per node would be K * K, so the running values live in a map per node.
    const running = Array.from({ length: K }, () => new Map());
    for (let e = 0; e < N; e++) {
      const n = t.node[e];
      vcStart[e] = vcNode.n;
      const c = r.u();
      const cur = running[n];
      for (let k = 0; k < c; k++) {
        const m = r.u();
        const v = (cur.get(m) || 0) + r.i();
        cur.set(m, v);
        vcNode.push(m);
        vcVal.push(v);
      }
      laneOwn[n] = cur.get(n) || 0;
      own[e] = laneOwn[n];
    }
    vcStart[N] = vcNode.n;
    t.vc = { start: vcStart, node: vcNode.done(), val: vcVal.done() };
    t.own = own;
  }

  return { decodePage, decode, fromBase64, Reader, F, LOCAL, SEND, RECV };
})();
