// The web page in real headless Chromium (playwright-core driving /usr/bin/chromium; no
// downloaded browser), loaded from the server that scripts/stages/90-e2e.sh started at
// $E2E_BASE_URL. A real save goes through "in this browser" (with the network off) and
// "on the server"; the two downloads must be byte-identical, and equal to the CLI's output.
// Screenshots go to test-output/e2e/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { chromium } from "playwright-core";
import { spawnSync } from "node:child_process";
import { cliJson, cliPath, corpusDir, digestBytes, repo, tempDir } from "./lib.mjs";

const base = process.env.E2E_BASE_URL;
if (!base) throw new Error("E2E_BASE_URL is not set (scripts/stages/90-e2e.sh sets it)");
const out = join(repo, "test-output/e2e");
mkdirSync(out, { recursive: true });
const tmp = tempDir();

const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Does this origin answer the pdxedge API (pdxedge serve), or only serve files? */
async function hasApi() {
  try {
    const r = await fetch(new URL("v1/json", base), { method: "POST", body: "a=1" });
    return r.ok && (await r.text()) === '{"a":1}';
  } catch {
    return false;
  }
}

function korea() {
  const corpus = corpusDir();
  return corpus && join(corpus, "saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4");
}

let browser;
let context;
let page;
let api;
const input = korea();

before(async () => {
  api = await hasApi();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1000, height: 900 } });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("page error:", e));
  await page.goto(base);
  await page.getByText("In-browser engine ready").waitFor({ timeout: 30_000 });
});

after(async () => {
  await browser?.close();
});

/** Choose where and the job, pick the file, run; returns after the result or error shows. */
async function run(where, path, { job = "json" } = {}) {
  await page.getByRole("radio", { name: where === "browser" ? /In this browser/ : /On the server/ }).check();
  await page.getByRole("radio", { name: new RegExp(`^${job}`, "i") }).check();
  if (job === "recompress") await page.getByLabel("Format").selectOption("tar.br");
  await page.locator("#file").setInputFiles(path);
  await page.getByRole("button", { name: "Run" }).click();
  await page.locator("#result:not([hidden]), #error:not([hidden])").waitFor({ timeout: 300_000 });
}

async function download(name) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.locator("#download").click()]);
  const path = join(out, name);
  await file.saveAs(path);
  return { path, suggested: file.suggestedFilename() };
}

async function facts(selector) {
  return page.locator(`${selector} dt`).evaluateAll((dts) =>
    Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
  );
}

test("the controls have accessible names and the radios work from the keyboard", async () => {
  for (const name of [/In this browser/, /On the server/, /^JSON/, /^Recompress/, /^Info/]) {
    assert.equal(await page.getByRole("radio", { name }).count(), 1, String(name));
  }
  for (const name of ["Repeated keys", "Numbers and booleans", "Text encoding", "Indent (pretty)"]) {
    assert.equal(await page.getByLabel(name).count(), 1, name);
  }
  await page.locator("#file").focus();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.value), "browser");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.getByRole("radio", { name: /On the server/ }).isChecked(), true);
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.getByRole("radio", { name: /In this browser/ }).isChecked(), true);
});

test("the Korea save in this browser (network off) and on the server give identical downloads", { skip: !input && "no corpus" }, async (t) => {
  // In this browser, with the network off: the engine was loaded with the page.
  await context.setOffline(true);
  const lag = [];
  const probing = (async () => {
    // The page must stay responsive while the worker converts.
    while (!(await page.locator("#result:not([hidden]), #error:not([hidden])").count())) {
      const t0 = Date.now();
      await page.evaluate(() => 1);
      lag.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await run("browser", input);
  await probing;
  await context.setOffline(false);
  assert.equal(await page.locator("#error").isHidden(), true, await page.locator("#error").textContent());
  const inBrowser = await facts("#facts");
  const local = await download("browser.json");
  assert.equal(local.suggested, `${basename(input).replace(/\.[^.]*$/, "")}.json`);
  const preview = await page.locator("#preview-text").textContent();
  assert.match(preview, /^\{\n {2}"gamestate": \{\n {4}"players_countries": \[\n/);
  await page.screenshot({ path: join(out, "page-browser.png"), fullPage: true });
  t.diagnostic(`in this browser: ${inBrowser["Time taken"]}, output ${inBrowser.Output}; slowest page response ${Math.max(...lag)} ms`);
  assert.ok(Math.max(...lag) < 1000, `the page stopped answering for ${Math.max(...lag)} ms`);

  const cli = digestBytes(cliJson(input, {}, join(tmp, "cli.json")).bytes);
  assert.deepEqual(digestBytes(readFileSync(local.path)), cli, "browser download differs from the CLI");

  if (!api) {
    t.diagnostic("SKIPPED the server half: this origin has no pdxedge API (not served by pdxedge serve)");
    return;
  }
  await run("server", input);
  assert.equal(await page.locator("#error").isHidden(), true, await page.locator("#error").textContent());
  const onServer = await facts("#facts");
  const remote = await download("server.json");
  await page.screenshot({ path: join(out, "page-server.png"), fullPage: true });
  t.diagnostic(`on the server: ${onServer["Time taken"]}, output ${onServer.Output}`);
  assert.deepEqual(digestBytes(readFileSync(remote.path)), digestBytes(readFileSync(local.path)), "the two downloads differ");
});

test("an error shows the engine's message and position, on both sides", async (t) => {
  const bad = join(tmp, "broken.txt");
  writeFileSync(bad, "a = 1\nb = }\n");
  const expected = cliJson(bad).error;
  assert.match(expected, /^syntax error: .* at line 2, column 5 \(byte offset 10\)$/);
  for (const where of api ? ["browser", "server"] : ["browser"]) {
    await run(where, bad);
    const error = page.locator("#error");
    assert.equal(await error.isVisible(), true, `${where}: no error shown`);
    assert.ok((await page.locator("#error-message").textContent()).endsWith(expected), where);
    assert.deepEqual(await facts("#error-position"), { Line: "2", Column: "5", "Byte offset": "10" }, where);
    await page.screenshot({ path: join(out, `error-${where}.png`), fullPage: true });
  }
  if (!api) t.diagnostic("SKIPPED the server half: this origin has no pdxedge API");
});

test("the page is readable on a phone", async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  await small.goto(base);
  await small.getByText("In-browser engine ready").waitFor({ timeout: 30_000 });
  await small.locator("#file").setInputFiles(join(repo, "examples/sample.eu4"));
  await small.getByRole("button", { name: "Run" }).click();
  await small.locator("#result:not([hidden])").waitFor({ timeout: 60_000 });
  const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await small.screenshot({ path: join(out, "phone.png"), fullPage: true });
  await phone.close();
});

test("info and recompress of the Korea save in this browser match the CLI", { skip: !input && "no corpus" }, async () => {
  await run("browser", input, { job: "info" });
  assert.equal(await page.locator("#error").isHidden(), true, await page.locator("#error").textContent());
  const rows = await page.locator("#info-table tr").evaluateAll((trs) =>
    Object.fromEntries(trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])),
  );
  assert.equal(rows.container, "zip");
  assert.equal(rows["entries.0.name"], "gamestate");
  await page.screenshot({ path: join(out, "page-info.png"), fullPage: true });

  await run("browser", input, { job: "recompress" });
  assert.equal(await page.locator("#error").isHidden(), true, await page.locator("#error").textContent());
  const got = await download("browser.tar.br");
  assert.equal(got.suggested, "Korea1444_11_11.tar.br");
  const cli = join(tmp, "cli.tar.br");
  const r = spawnSync(cliPath(), ["recompress", input, "--format", "tar.br", "-o", cli], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(digestBytes(readFileSync(got.path)), digestBytes(readFileSync(cli)));
});
