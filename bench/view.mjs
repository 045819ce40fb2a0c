// Measures pages written by `causal view` in headless Chromium (bench/view.sh runs it):
// load to the first complete drawing, highlighting an event's past and future, zoom and pan
// frame times, at fit-all and zoomed in. Prints one JSON object per page on stdout.
//
//   node bench/view.mjs CHROMIUM PAGE.html...
//
// Times are milliseconds of wall time in the page (performance.now()); every drawing is
// followed by a one-pixel readback, which makes the canvas finish rasterizing, so a frame's
// time includes its pixels. The machine is shared: each figure is the median (or p95) of
// several runs, and the CPU time of the browser is not separated from other load.

import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "web", "view", "package.json"));
const { chromium } = require("playwright-core");

const [chromiumPath, ...pages] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "causal-view-bench-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
  ],
  viewport: { width: 1400, height: 800 },
});

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : null;
};
const round = (v) => (v === null ? null : Math.round(v * 10) / 10);

try {
  for (const file of pages) {
    const url = "file://" + path.resolve(file);
    const loads = [];
    const decode = [];
    let page;
    for (let run = 0; run < 3; run++) {
      if (page) await page.close();
      page = await context.newPage();
      const t0 = Date.now();
      await page.goto(url, { timeout: 600000 });
      await page.evaluate(() => window.causalView.ready, undefined);
      // The first complete drawing: the frame drawn at start-up, rasterized.
      const t = await page.evaluate(() => {
        window.causalView.app.renderer.ctx.getImageData(0, 0, 1, 1);
        return { now: performance.now(), ...window.causalView.timing };
      });
      loads.push(t.now);
      decode.push(t.decoded - t.start);
      void t0;
    }
    const result = await page.evaluate(() => {
      const v = window.causalView;
      const app = v.app;
      const ctx = app.renderer.ctx;
      const flush = () => ctx.getImageData(0, 0, 1, 1);
      const t = app.t;
      const frame = (f) => {
        const t0 = performance.now();
        f();
        app.draw();
        flush();
        return performance.now() - t0;
      };
      v.fit();
      // Highlight: select an event (past and future computed afresh) and draw, at fit-all.
      const highlight = [];
      for (let i = 0; i < 12; i++) {
        const e = Math.floor(((i + 0.5) * t.N) / 12);
        app.model._cache.clear();
        highlight.push(frame(() => app.select(e)));
      }
      const pastFuture = [];
      for (let i = 0; i < 12; i++) {
        const e = Math.floor(((i + 0.5) * t.N) / 12);
        app.model._cache.clear();
        const t0 = performance.now();
        app.model.pastOf(e);
        app.model.futureOf(e);
        pastFuture.push(performance.now() - t0);
      }
      app.select(-1);
      v.fit();
      const fitFrames = [];
      for (let i = 0; i < 10; i++) fitFrames.push(frame(() => {}));
      // Zoom in step by step at the center, then pan, then zoom back out.
      const P = app.plot();
      const mid = (P.left + P.right) / 2;
      const zoomPan = [];
      for (let i = 0; i < 12; i++) zoomPan.push(frame(() => app.zoomAt(1.5, mid)));
      for (let i = 0; i < 12; i++) zoomPan.push(frame(() => app.pan(-120, 0)));
      for (let i = 0; i < 12; i++) zoomPan.push(frame(() => app.pan(0, -40)));
      for (let i = 0; i < 12; i++) zoomPan.push(frame(() => app.zoomAt(1 / 1.5, mid)));
      return { N: t.N, K: t.K, messages: t.msgS.length, highlight, pastFuture, fitFrames, zoomPan };
    });
    const bytes = fs.statSync(file).size;
    process.stdout.write(JSON.stringify({
      page: path.basename(file),
      events: result.N,
      nodes: result.K,
      messages: result.messages,
      bytes,
      load_ms: round(quantile(loads, 0.5)),
      decode_ms: round(quantile(decode, 0.5)),
      highlight_p50: round(quantile(result.highlight, 0.5)),
      highlight_p95: round(quantile(result.highlight, 0.95)),
      past_future_p50: round(quantile(result.pastFuture, 0.5)),
      fit_frame_p50: round(quantile(result.fitFrames, 0.5)),
      frame_p50: round(quantile(result.zoomPan, 0.5)),
      frame_p95: round(quantile(result.zoomPan, 0.95)),
    }) + "\n");
    await page.close();
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
