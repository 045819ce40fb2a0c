// model.js: questions about the decoded trace: event ids, causal past and future, the
// relation of two events and a shortest causal chain between them (as `causal hb` answers),
// vector clocks, and search. No drawing, no DOM.
//
// The causal past of x holds a prefix of every lane and its future a suffix (happens-before
// respects program order), so both are K numbers: `up[n]`, the last position of lane n in the
// past (0: none), and `from[n]`, the first position of lane n in the future (lane length + 1:
// none). Computed clocks: found by walking the message edges from x, visiting each lane
// position at most once, O(size of the past or future). Given clocks (stamped input): read off
// the vector clocks, which also know about events the input left out.

const Model = (() => {
  const { LOCAL, SEND, RECV } = Data;
  const KINDS = ["local", "send", "recv"];

  class Model {
    constructor(t) {
      this.t = t;
      this._ids = null;
      this._laneOwn = null;
      this._cache = new Map();
    }

    str(k) {
      const { text, off } = this.t.strings;
      return k < 0 ? "" : text.substring(off[k], off[k + 1]);
    }

    id(e) {
      const t = this.t;
      return t.uid[e] >= 0 ? this.str(t.uid[e]) : `${t.nodeNames[t.node[e]]}#${t.own[e]}`;
    }

    label(e) {
      return this.str(this.t.label[e]);
    }

    msg(e) {
      return this.str(this.t.msg[e]);
    }

    kindName(e) {
      return KINDS[this.t.kind[e]];
    }

    /** The intended receivers a send names (`to`). */
    toOf(e) {
      const t = this.t;
      const out = [];
      for (let k = t.toStart[e]; k < t.toStart[e + 1]; k++) out.push(this.str(t.toRefs[k]));
      return out;
    }

    /** Every message role: [kind name, msg]. */
    roles(e) {
      const t = this.t;
      const out = [];
      if (t.msg[e] >= 0 && t.kind[e] !== LOCAL) out.push([KINDS[t.kind[e]], this.msg(e)]);
      for (const r of t.roles.get(e) || []) out.push([KINDS[r.kind], this.str(r.msg)]);
      return out;
    }

    /** Every spelling of an event id to the event: `NODE#N` first, then user ids, which win
     *  (as `causal` resolves them). */
    byId(id) {
      if (!this._ids) {
        const t = this.t;
        const m = new Map();
        for (let e = 0; e < t.N; e++) m.set(`${t.nodeNames[t.node[e]]}#${t.own[e]}`, e);
        for (let e = 0; e < t.N; e++) if (t.uid[e] >= 0) m.set(this.str(t.uid[e]), e);
        this._ids = m;
      }
      const e = this._ids.get(id);
      return e === undefined ? -1 : e;
    }

    /** The pass-through fields as an object (empty when none). */
    fields(e) {
      const k = this.t.fields[e];
      if (k < 0) return {};
      try {
        return JSON.parse(this.str(k));
      } catch {
        return {};
      }
    }

    keysOf(e) {
      const t = this.t;
      const out = { writes: [], reads: [] };
      for (let j = t.keyStart[e]; j < t.keyStart[e + 1]; j++) {
        const name = t.keyNames[t.keys[j]];
        (j - t.keyStart[e] < t.writes[e] ? out.writes : out.reads).push(name);
      }
      return out;
    }

    timeText(e) {
      const t = this.t;
      const h = t.header;
      return isNaN(t.time[e]) ? "" : Util.formatTime(h.origin_s, h.origin_ns, t.time[e]);
    }

    location(e) {
      const t = this.t;
      return `${t.fileNames[t.file[e]]}:${t.line[e]}`;
    }

    /** Lane positions of the causal past of x (x included): up[n]. */
    pastOf(x) {
      const key = "p" + x;
      if (this._cache.has(key)) return this._cache.get(key);
      const t = this.t;
      const up = new Int32Array(t.K);
      if (t.vc) {
        const vc = this.vcOf(x);
        const laneOwn = this.laneOwn();
        for (const [n, c] of vc) up[n] = Util.upperBound(laneOwn[n], c);
      } else {
        const done = new Int32Array(t.K);
        const stack = [t.node[x]];
        up[t.node[x]] = t.pos[x];
        while (stack.length) {
          const n = stack.pop();
          const lane = t.lanes[n];
          for (let p = done[n] + 1; p <= up[n]; p++) {
            const e = lane[p - 1];
            for (let k = t.inStart[e]; k < t.inStart[e + 1]; k++) {
              const s = t.inSend[k];
              const m = t.node[s];
              if (t.pos[s] > up[m]) {
                up[m] = t.pos[s];
                stack.push(m);
              }
            }
          }
          if (up[n] > done[n]) done[n] = up[n];
        }
      }
      this.remember(key, up);
      return up;
    }

    /** Lane positions of the causal future of x (x included): from[n]. */
    futureOf(x) {
      const key = "f" + x;
      if (this._cache.has(key)) return this._cache.get(key);
      const t = this.t;
      const from = new Int32Array(t.K);
      for (let n = 0; n < t.K; n++) from[n] = t.lanes[n].length + 1;
      const nx = t.node[x];
      if (t.vc) {
        // The first event of each lane whose clock has seen x: vc(e)[node(x)] >= own(x).
        const need = t.own[x];
        const { start, node, val } = t.vc;
        for (let n = 0; n < t.K; n++) {
          const lane = t.lanes[n];
          for (let j = 0; j < lane.length; j++) {
            const e = lane[j];
            let seen = false;
            for (let k = start[e]; k < start[e + 1]; k++) {
              if (node[k] === nx && val[k] >= need) seen = true;
            }
            if (seen) {
              from[n] = j + 1;
              break;
            }
          }
        }
        from[nx] = Math.min(from[nx], t.pos[x]);
      } else {
        const done = new Int32Array(t.K);
        for (let n = 0; n < t.K; n++) done[n] = from[n];
        from[nx] = t.pos[x];
        const stack = [nx];
        while (stack.length) {
          const n = stack.pop();
          const lane = t.lanes[n];
          for (let p = from[n]; p < done[n]; p++) {
            const e = lane[p - 1];
            for (let k = t.outStart[e]; k < t.outStart[e + 1]; k++) {
              const r = t.outRecv[k];
              const m = t.node[r];
              if (t.pos[r] < from[m]) {
                from[m] = t.pos[r];
                stack.push(m);
              }
            }
          }
          if (from[n] < done[n]) done[n] = from[n];
        }
      }
      this.remember(key, from);
      return from;
    }

    remember(key, value) {
      if (this._cache.size > 64) this._cache.clear();
      this._cache.set(key, value);
    }

    laneOwn() {
      if (!this._laneOwn) {
        const t = this.t;
        this._laneOwn = t.lanes.map((lane) => Float64Array.from(lane, (e) => t.own[e]));
      }
      return this._laneOwn;
    }

    /** The vector clock of x: [node, count] pairs, nodes in order, zero components left out. */
    vcOf(x) {
      const t = this.t;
      if (!t.vc) {
        const up = this.pastOf(x);
        const out = [];
        for (let n = 0; n < t.K; n++) if (up[n] > 0) out.push([n, up[n]]);
        return out;
      }
      const row = new Map();
      const lane = t.lanes[t.node[x]];
      const { start, node, val } = t.vc;
      for (let j = 0; j < t.pos[x]; j++) {
        const e = lane[j];
        for (let k = start[e]; k < start[e + 1]; k++) row.set(node[k], val[k]);
      }
      return [...row.entries()].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
    }

    inPast(up, e) {
      return this.t.pos[e] <= up[this.t.node[e]];
    }

    inFuture(from, e) {
      return this.t.pos[e] >= from[this.t.node[e]];
    }

    /** "same", "before" (a happened before b), "after" or "concurrent". */
    relation(a, b) {
      if (a === b) return "same";
      if (this.inPast(this.pastOf(b), a)) return "before";
      if (this.inPast(this.pastOf(a), b)) return "after";
      return "concurrent";
    }

    /** A shortest chain of direct steps (program order or message) from `from` to `to`,
     *  both included, searching only events in the past of `to` as `causal hb` does; null
     *  when there is none inside the input (given clocks may order events through events
     *  the input left out). */
    chain(from, to) {
      const t = this.t;
      if (from === to) return [from];
      const up = this.pastOf(to);
      const parent = new Map([[from, -1]]);
      let frontier = [from];
      while (frontier.length) {
        const next = [];
        for (const e of frontier) {
          const lane = t.lanes[t.node[e]];
          const steps = [];
          if (t.pos[e] < lane.length) steps.push(lane[t.pos[e]]);
          for (let k = t.outStart[e]; k < t.outStart[e + 1]; k++) steps.push(t.outRecv[k]);
          for (const f of steps) {
            if (parent.has(f) || !this.inPast(up, f)) continue;
            parent.set(f, e);
            if (f === to) {
              const path = [to];
              for (let c = e; c !== -1; c = parent.get(c)) path.push(c);
              return path.reverse();
            }
            next.push(f);
          }
        }
        frontier = next;
      }
      return null;
    }

    /** The message id that carries `s` to `r` (the first receive role of r that s sends). */
    messageBetween(s, r) {
      const sent = new Set(this.roles(s).filter(([k]) => k === "send").map(([, m]) => m));
      const got = this.roles(r).filter(([k]) => k === "recv").map(([, m]) => m);
      return got.find((m) => sent.has(m)) ?? got[0] ?? "";
    }

    /** Events matching a query, in data (Lamport) order, an exact id first:
     *  `/regex/flags` over labels, ids, messages, nodes, keys and fields; `field=value` for a
     *  field (node, kind, msg, id, label, key, reads, writes, lamport, file, line, or any
     *  pass-through field); else text, case-insensitive. Returns {results, error}. */
    search(query) {
      const t = this.t;
      const q = query.trim();
      if (!q) return { results: new Int32Array(0), error: null };
      let test;
      const re = /^\/(.+)\/([a-z]*)$/s.exec(q);
      const fv = /^([A-Za-z_][\w.-]*)\s*=\s*(.*)$/s.exec(q);
      if (re) {
        let rx;
        try {
          rx = new RegExp(re[1], re[2].replace(/[gy]/g, ""));
        } catch (err) {
          return { results: new Int32Array(0), error: `bad regular expression: ${err.message}` };
        }
        test = (e) => this.haystacks(e).some((h) => rx.test(h));
      } else if (fv) {
        test = this.fieldTest(fv[1], fv[2]);
      } else {
        const needle = q.toLowerCase();
        test = (e) => this.haystacks(e).some((h) => h.toLowerCase().includes(needle));
      }
      const out = [];
      const exact = this.byId(q);
      if (exact >= 0) out.push(exact);
      for (let e = 0; e < t.N; e++) if (e !== exact && test(e)) out.push(e);
      return { results: Int32Array.from(out), error: null };
    }

    haystacks(e) {
      const t = this.t;
      const h = [this.label(e), this.id(e), t.nodeNames[t.node[e]]];
      if (t.msg[e] >= 0) h.push(this.msg(e));
      if (t.fields[e] >= 0) h.push(this.str(t.fields[e]));
      for (let j = t.keyStart[e]; j < t.keyStart[e + 1]; j++) h.push(t.keyNames[t.keys[j]]);
      for (const r of t.roles.get(e) || []) h.push(this.str(r.msg));
      return h;
    }

    fieldTest(name, value) {
      const t = this.t;
      const keyIs = (e, which) => {
        const k = this.keysOf(e);
        const list = which === "reads" ? k.reads : which === "writes" ? k.writes : k.reads.concat(k.writes);
        return list.includes(value);
      };
      switch (name) {
        case "node": return (e) => t.nodeNames[t.node[e]] === value;
        case "kind": return (e) => KINDS[t.kind[e]] === value.toLowerCase();
        case "msg": return (e) => this.roles(e).some(([, m]) => m === value);
        case "id": return (e) => this.id(e) === value;
        case "label": return (e) => this.label(e) === value;
        case "key": return (e) => keyIs(e, "key");
        case "reads": return (e) => keyIs(e, "reads");
        case "writes": return (e) => keyIs(e, "writes");
        case "lamport": return (e) => String(t.lamport[e]) === value;
        case "file": return (e) => t.fileNames[t.file[e]] === value;
        case "line": return (e) => String(t.line[e]) === value;
        default:
          return (e) => {
            if (t.fields[e] < 0) return false;
            const v = this.fields(e)[name];
            if (v === undefined) return false;
            return (typeof v === "string" ? v : JSON.stringify(v)) === value;
          };
      }
    }

    /** The lines `causal hb A B` prints, without color. */
    hbText(a, b) {
      const rel = this.relation(a, b);
      const lines = [];
      const A = this.id(a);
      const B = this.id(b);
      if (rel === "same") lines.push(`same: both name the event ${A}`);
      else if (rel === "before") lines.push(`before: ${A} happened before ${B}`);
      else if (rel === "after") lines.push(`after: ${A} happened after ${B}`);
      else lines.push(`concurrent: neither ${A} nor ${B} happened before the other`);
      let chain = null;
      if (rel === "before") chain = this.chain(a, b);
      else if (rel === "after") chain = this.chain(b, a);
      if (rel !== "same" && rel !== "concurrent" && !chain) {
        lines.push("(the chain passes through events outside the input)");
      }
      if (chain && chain.length >= 2) {
        const steps = [];
        for (let i = 0; i + 1 < chain.length; i++) {
          const [x, y] = [chain[i], chain[i + 1]];
          const t = this.t;
          const program = t.node[x] === t.node[y] && t.pos[y] === t.pos[x] + 1;
          steps.push(program ? null : this.messageBetween(x, y));
        }
        const messages = steps.filter((s) => s !== null).length;
        lines.push(`shortest causal chain: ${Util.plural(steps.length, "step")}, ${Util.plural(messages, "message")}`);
        const rows = chain.map((e) => [
          Util.oneLine(this.id(e)),
          `L${this.t.lamport[e]}`,
          this.roles(e).map(([k, m]) => `${k} ${Util.oneLine(m)}`).join(", "),
          Util.oneLine(this.label(e)),
        ]);
        const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
        rows.forEach((r, i) => {
          lines.push(`  ${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`.trimEnd());
          if (i < steps.length) lines.push(`    ↓ ${steps[i] === null ? "program order" : `message ${Util.oneLine(steps[i])}`}`);
        });
      }
      return { relation: rel, chain, text: lines.join("\n") };
    }
  }

  return { Model, KINDS, SEND, RECV };
})();
