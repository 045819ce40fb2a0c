// Drives pages written by `causal view` in headless Chromium and reports what they show, as
// JSON on standard output: the Rust test tests/cli/view.rs writes the pages, runs this script
// and compares the report with what `causal past`, `future`, `hb` and `check` print.
//
//   node e2e/browser.mjs SPEC.json
//
// SPEC: {"chromium": path, "pages": [{"name", "file", "screenshot", "click": [ids],
//        "pairs": [[a, b]], "hide": [nodes], "search": [queries], "findings": bool,
//        "checks": {"hostile": text}}]}
// Each page is opened from file:// in a fresh profile; any request that is not the page's
// own file, any console error and any uncaught exception is reported.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "causal-view-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: spec.chromium,
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
  ],
  viewport: { width: 1400, height: 800 },
});

const report = [];
try {
  for (const p of spec.pages) report.push(await check(p));
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report) + "\n");

async function check(p) {
  const page = await context.newPage();
  const out = { name: p.name, requests: [], consoleErrors: [], pageErrors: [], dialogs: [] };
  const url = "file://" + path.resolve(p.file);
  page.on("request", (r) => {
    if (r.url().split("#")[0] !== url) out.requests.push(r.url());
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") out.consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => out.pageErrors.push(String(e)));
  page.on("dialog", async (d) => {
    out.dialogs.push(d.message());
    await d.dismiss();
  });
  await page.goto(url);
  out.info = await page.evaluate(() => window.causalView.ready);
  if (p.history) return checkHistory(page, p, out);
  out.fit = await page.evaluate(() => window.causalView.fit());
  if (p.screenshot) await page.screenshot({ path: p.screenshot });
  if (p.screenshot && p.click && p.click.length) {
    // The same with the first clicked event selected: its past and future highlighted.
    await page.evaluate((id) => { window.causalView.select(id); window.causalView.redraw(); }, p.click[0]);
    await page.screenshot({ path: p.screenshot.replace(/\.png$/, "-selected.png") });
    await page.evaluate(() => window.causalView.clear());
  }

  // Clicking an event (a real mouse click on its mark) selects it and highlights its past
  // and future.
  out.clicks = {};
  for (const id of p.click || []) {
    await page.evaluate(() => window.causalView.fit());
    const at = await page.evaluate((id) => window.causalView.screenOf(id), id);
    await page.mouse.click(at.x, at.y);
    const selected = await page.evaluate(() => window.causalView.selected());
    const highlighted = await page.evaluate(() => window.causalView.highlighted());
    out.clicks[id] = { selected, ...highlighted };
    await page.keyboard.press("Escape");
  }

  // Two events: click the first, shift-click the second.
  out.pairs = [];
  for (const [a, b] of p.pairs || []) {
    await page.evaluate(() => window.causalView.fit());
    const pa = await page.evaluate((id) => window.causalView.screenOf(id), a);
    const pb = await page.evaluate((id) => window.causalView.screenOf(id), b);
    await page.mouse.click(pa.x, pa.y);
    await page.keyboard.down("Shift");
    await page.mouse.click(pb.x, pb.y);
    await page.keyboard.up("Shift");
    const rel = await page.evaluate(() => window.causalView.relation());
    const selected = await page.evaluate(() => window.causalView.selected());
    const details = await page.evaluate(() => document.getElementById("tab-details").innerText);
    out.pairs.push({ a, b, selected, ...rel, details });
    await page.keyboard.press("Escape");
  }

  // Hiding a node: its lane goes, its messages become stubs.
  out.hide = {};
  for (const node of p.hide || []) {
    const drawn = await page.evaluate((n) => { window.causalView.hideNode(n, true); return window.causalView.fit(); }, node);
    const lanes = await page.evaluate(() => window.causalView.lanes());
    const fragment = await page.evaluate(() => window.causalView.fragment());
    out.hide[node] = { drawn, lanes, fragment };
    await page.evaluate((n) => window.causalView.hideNode(n, false), node);
  }

  // Search through the search box: typing and Enter jumps to the first result.
  out.search = {};
  for (const q of p.search || []) {
    await page.fill("#q", q);
    await page.press("#q", "Enter");
    const result = await page.evaluate((q) => window.causalView.search(q), q);
    const selected = await page.evaluate(() => window.causalView.selected());
    out.search[q] = { ...result, selected };
    await page.evaluate(() => window.causalView.clear());
  }
  await page.fill("#q", "");
  await page.evaluate(() => window.causalView.search(""));
  // Let the search box's debounced handler run before going on.
  await page.waitForTimeout(600);

  // Findings: the list, and following each (up to five) through the findings panel.
  if (p.findings) {
    out.findings = await page.evaluate(() => window.causalView.findings());
    out.conflicts = await page.evaluate(() => window.causalView.conflicts());
    out.followed = [];
    await page.click('#tabs button[data-tab="findings"]');
    const items = await page.$$("#tab-findings ul.list li");
    const followable = [];
    for (const li of items) {
      if (await li.evaluate((x) => !!x.querySelector(".kind.bad"))) followable.push(li);
    }
    for (const li of followable.slice(0, 5)) {
      await li.click();
      out.followed.push(await page.evaluate(() => window.causalView.selected()));
    }
    await page.evaluate(() => window.causalView.clear());
  }

  if (p.checks && p.checks.hostile) {
    // The hostile label must show as text: select its event and read the details panel.
    const e = p.checks.hostile;
    await page.evaluate((id) => window.causalView.select(id), e);
    out.hostile = {
      details: await page.evaluate(() => document.getElementById("tab-details").innerText),
      images: await page.evaluate(() => document.querySelectorAll("img").length),
      title: await page.title(),
    };
  }

  // The URL fragment reproduces a view: select, change layout, reload with the fragment.
  if (p.fragment) {
    await page.evaluate(([id, hide]) => {
      window.causalView.setLayout("time");
      window.causalView.hideNode(hide, true);
      window.causalView.select(id);
    }, p.fragment);
    const fragment = await page.evaluate(() => window.causalView.fragment());
    const again = await context.newPage();
    again.on("pageerror", (e) => out.pageErrors.push(String(e)));
    await again.goto(url + "#" + fragment);
    await again.evaluate(() => window.causalView.ready);
    out.fragment = {
      fragment,
      selected: await again.evaluate(() => window.causalView.selected()),
      lanes: await again.evaluate(() => window.causalView.lanes()),
      view: await again.evaluate(() => window.causalView.view()),
    };
    await again.close();
    await page.evaluate(([, hide]) => {
      window.causalView.hideNode(hide, false);
      window.causalView.clear();
    }, p.fragment);
  }

  // Zoom and pan with keyboard, wheel and drag; layouts by key; the help overlay.
  if (p.interact) {
    const view = () => page.evaluate(() => window.causalView.view());
    const steps = {};
    await page.evaluate(() => { window.causalView.setLayout("lamport"); window.causalView.fit(); });
    await page.focus("#canvas");
    steps.fit = await view();
    await page.keyboard.press("w");
    steps.keyZoomIn = await view();
    await page.keyboard.press("d");
    steps.keyPanRight = await view();
    const box = await page.locator("#canvas").boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.down("Control");
    await page.mouse.wheel(0, -300);
    await page.keyboard.up("Control");
    await page.waitForTimeout(50);
    steps.wheelZoomIn = await view();
    await page.mouse.wheel(400, 0);
    await page.waitForTimeout(50);
    steps.wheelPan = await view();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 200, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    steps.drag = await view();
    await page.keyboard.press("2");
    steps.key2 = await view();
    await page.keyboard.press("3");
    steps.key3 = await view();
    await page.keyboard.press("1");
    await page.keyboard.press("0");
    steps.key0 = await view();
    await page.keyboard.press("?");
    steps.help = await page.evaluate(() => !document.getElementById("help").hidden);
    await page.keyboard.press("Escape");
    steps.helpClosed = await page.evaluate(() => document.getElementById("help").hidden);
    out.interact = steps;
  }

  // Every layout and option draws every event at fit-all zoom, in both color schemes.
  out.layouts = {};
  for (const [mode, shift, collapse] of [["time", false, false], ["time", true, false], ["program", false, false], ["lamport", false, true]]) {
    out.layouts[`${mode}${shift ? "+shift" : ""}${collapse ? "+collapse" : ""}`] = await page.evaluate(([m, s, c]) => {
      window.causalView.setLayout(m);
      window.causalView.setShift(s);
      window.causalView.setCollapse(c);
      return window.causalView.fit();
    }, [mode, shift, collapse]);
  }
  await page.evaluate(() => { window.causalView.setCollapse(false); window.causalView.setLayout("lamport"); window.causalView.setTheme(true); });
  if (p.screenshot) await page.screenshot({ path: p.screenshot.replace(/\.png$/, "-dark.png") });
  out.errors = await page.evaluate(() => window.causalView.errors);
  await page.close();
  return out;
}

// A history page: the whole history, then the failing window (the screenshot), the order
// drawn, the Check panel, and a real click on the first operation that cannot go next.
async function checkHistory(page, p, out) {
  const api = (f, arg) => page.evaluate(f, arg);
  out.fit = await api(() => window.causalView.fit());
  if (p.screenshot) await page.screenshot({ path: p.screenshot.replace(/\.png$/, "-fit.png") });
  out.failure = await api(() => window.causalView.goFailure());
  if (p.screenshot) await page.screenshot({ path: p.screenshot });
  out.order = await api(() => window.causalView.order());
  out.check = await api(() => window.causalView.check());
  const failing = await api(() => window.causalView.failing());
  if (failing.length) {
    const at = await api((op) => window.causalView.screenOf(op), failing[0]);
    await page.mouse.click(at.x, at.y);
    out.clicked = await api(() => window.causalView.selected());
    out.details = await api(() => window.causalView.details());
    if (p.screenshot) await page.screenshot({ path: p.screenshot.replace(/\.png$/, "-selected.png") });
  }
  out.errors = await api(() => window.causalView.errors);
  await page.close();
  return out;
}
