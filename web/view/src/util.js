// util.js: small helpers shared by the other modules: growable typed arrays, binary search,
// time formatting, node colors, DOM building. No state, no drawing.

const Util = (() => {
  /** A Uint32Array/Int32Array/Float64Array that grows by doubling. */
  class Grow {
    constructor(Type, capacity) {
      this.Type = Type;
      this.a = new Type(Math.max(16, capacity | 0));
      this.n = 0;
    }
    push(v) {
      if (this.n === this.a.length) {
        const b = new this.Type(this.a.length * 2);
        b.set(this.a);
        this.a = b;
      }
      this.a[this.n++] = v;
    }
    done() {
      return this.a.slice(0, this.n);
    }
  }

  /** The first index i in [lo, hi) with a[i] >= x (hi if none); a is sorted ascending. */
  function lowerBound(a, x, lo = 0, hi = a.length) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index i in [lo, hi) with a[i] > x. */
  function upperBound(a, x, lo = 0, hi = a.length) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  const clamp = (v, lo, hi) => (v < lo ? lo : v > hi ? hi : v);

  /** RFC 3339 in UTC with the fraction digits the value needs: origin seconds and
   *  nanoseconds, plus a relative time in nanoseconds (a double, exact below 104 days). */
  function formatTime(originS, originNs, rel) {
    const total = originNs + rel;
    const carry = Math.floor(total / 1e9);
    let ns = Math.round(total - carry * 1e9);
    let s = originS + carry;
    if (ns >= 1e9) {
      ns -= 1e9;
      s += 1;
    }
    const d = new Date(s * 1000);
    if (isNaN(d.getTime())) return `${s}s`;
    const base = d.toISOString().slice(0, 19);
    if (ns === 0) return base + "Z";
    return base + "." + String(ns).padStart(9, "0").replace(/0+$/, "") + "Z";
  }

  /** A duration in nanoseconds for people: "1.234 s", "12.5 ms", "800 µs", "40 ns". */
  function formatDuration(ns) {
    const a = Math.abs(ns);
    const sign = ns < 0 ? "-" : "";
    const fix = (v) => String(+v.toPrecision(4));
    if (a >= 1e9) return sign + fix(a / 1e9) + " s";
    if (a >= 1e6) return sign + fix(a / 1e6) + " ms";
    if (a >= 1e3) return sign + fix(a / 1e3) + " µs";
    return sign + fix(a) + " ns";
  }

  /** One color per node: hues a golden angle apart, so neighbours differ, never the red
   *  that marks lost messages; lightness alternates for many nodes. */
  function nodeColor(i, dark) {
    let hue = (i * 137.508 + 200) % 360;
    // Keep clear of the lost-message red (about 345 to 15 degrees).
    if (hue > 340 || hue < 20) hue = (hue + 40) % 360;
    const band = Math.floor(i / 12) % 3;
    const light = dark ? [62, 72, 54][band] : [42, 32, 52][band];
    const sat = [68, 55, 80][band];
    return `hsl(${hue.toFixed(1)} ${sat}% ${light}%)`;
  }

  /** A DOM element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "class") e.className = v;
        else if (k === "style") e.style.cssText = v;
        else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
        else if (k === "text") e.textContent = v;
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      e.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  /** Control characters of a log line shown as visible escapes in one line. */
  function oneLine(s) {
    // eslint-disable-next-line no-control-regex
    return s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === "\n" ? "⏎" : c === "\t" ? " " : "�"));
  }

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  return { Grow, lowerBound, upperBound, clamp, formatTime, formatDuration, nodeColor, el, oneLine, plural };
})();
