// Measures pages written by `causal view` in headless Chromium (bench/view.sh runs it):
// load to the first complete drawing, highlighting an event's past and future, zoom and pan
// frame times, at fit-all and zoomed in. Prints one JSON object per page on stdout.
//
//   node bench/view.mjs CHROMIUM PAGE.html...
//
// Times are milliseconds: wall time in the page (performance.now()), and CPU time of the
// page's main thread (Chrome's Performance.getMetrics ThreadTime), which other load on a shared
// machine does not inflate. Every drawing is followed by a one-pixel readback, which makes the
// canvas finish rasterizing (on the main thread without a GPU), so a frame's time includes its
// pixels. Wall figures are medians (p50) and p95 over several runs; CPU figures are means.

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

const cpuOf = async (cdp) => {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return metrics.find((m) => m.name === "ThreadTime").value * 1000;
};

try {
  for (const file of pages) {
    const url = "file://" + path.resolve(file);
    const loads = [];
    const loadCpu = [];
    const decode = [];
    let page;
    let cdp;
    for (let run = 0; run < 3; run++) {
      if (page) await page.close();
      page = await context.newPage();
      cdp = await context.newCDPSession(page);
      await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
      const c0 = await cpuOf(cdp);
      await page.goto(url, { timeout: 600000 });
      await page.evaluate(() => window.causalView.ready, undefined);
      // The first complete drawing: the frame drawn at start-up, rasterized.
      const t = await page.evaluate(() => {
        window.causalView.app.renderer.ctx.getImageData(0, 0, 1, 1);
        return { now: performance.now(), ...window.causalView.timing };
      });
      loadCpu.push((await cpuOf(cdp)) - c0);
      loads.push(t.now);
      decode.push(t.decoded - t.start);
    }
    // Each batch runs in the page; its CPU time is read around it.
    const batch = async (name) => {
      const c0 = await cpuOf(cdp);
      const walls = await page.evaluate((name) => window.__bench[name](), name);
      return { walls, cpu: ((await cpuOf(cdp)) - c0) / walls.length };
    };
    await page.evaluate(() => {
      const v = window.causalView;
      const app = v.app;
      const ctx = app.renderer.ctx;
      const t = app.t;
      const frame = (f) => {
        const t0 = performance.now();
        f();
        app.draw();
        ctx.getImageData(0, 0, 1, 1);
        return performance.now() - t0;
      };
      const events = Array.from({ length: 12 }, (_, i) => Math.floor(((i + 0.5) * t.N) / 12));
      const P = app.plot();
      const mid = (P.left + P.right) / 2;
      window.__bench = {
        // Select an event (its past and future computed afresh) and draw, at fit-all.
        highlight() {
          v.fit();
          const w = events.map((e) => {
            app.model._cache.clear();
            return frame(() => app.select(e));
          });
          app.select(-1);
          return w;
        },
        pastFuture() {
          return events.map((e) => {
            app.model._cache.clear();
            const t0 = performance.now();
            app.model.pastOf(e);
            app.model.futureOf(e);
            return performance.now() - t0;
          });
        },
        fitFrames() {
          v.fit();
          return Array.from({ length: 10 }, () => frame(() => {}));
        },
        // Zoom in step by step at the center, pan sideways and down, zoom back out.
        zoomPan() {
          v.fit();
          const w = [];
          for (let i = 0; i < 12; i++) w.push(frame(() => app.zoomAt(1.5, mid)));
          for (let i = 0; i < 12; i++) w.push(frame(() => app.pan(-120, 0)));
          for (let i = 0; i < 12; i++) w.push(frame(() => app.pan(0, -40)));
          for (let i = 0; i < 12; i++) w.push(frame(() => app.zoomAt(1 / 1.5, mid)));
          return w;
        },
      };
    });
    const highlight = await batch("highlight");
    const pastFuture = await batch("pastFuture");
    const fitFrames = await batch("fitFrames");
    const zoomPan = await batch("zoomPan");
    const info = await page.evaluate(() => window.causalView.info());
    const bytes = fs.statSync(file).size;
    process.stdout.write(JSON.stringify({
      page: path.basename(file),
      events: info.events,
      nodes: info.nodes.length,
      messages: info.messages,
      bytes,
      load_ms: round(quantile(loads, 0.5)),
      load_cpu_ms: round(quantile(loadCpu, 0.5)),
      decode_ms: round(quantile(decode, 0.5)),
      highlight_p50: round(quantile(highlight.walls, 0.5)),
      highlight_p95: round(quantile(highlight.walls, 0.95)),
      highlight_cpu: round(highlight.cpu),
      past_future_p50: round(quantile(pastFuture.walls, 0.5)),
      fit_frame_p50: round(quantile(fitFrames.walls, 0.5)),
      fit_frame_cpu: round(fitFrames.cpu),
      frame_p50: round(quantile(zoomPan.walls, 0.5)),
      frame_p95: round(quantile(zoomPan.walls, 0.95)),
      frame_cpu: round(zoomPan.cpu),
    }) + "\n");
    await page.close();
  }
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
