// The npm package as a Node 20 user meets it: `import "pdxedge"`, every input type, the
// errors, streaming in bounded memory, and the TypeScript types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { info, recompress, toJson, version, wasmMemoryBytes } from "pdxedge";
import { collect, repo } from "./lib.mjs";

const text = (s) => new TextEncoder().encode(s);
const EXPECTED = '{"core":"AAA","core":"BBB","color":{"rgb":[1,2,3]}}';
const INPUT = "core=AAA core=BBB color = rgb { 1 2 3 }";

test("import resolves to the Node entry point and reports the crate's version", () => {
  assert.match(import.meta.resolve("pdxedge"), /\/node\.js$/);
  const cargo = readFileSync(join(repo, "Cargo.toml"), "utf8");
  assert.equal(version(), cargo.match(/^version = "(.*)"$/m)[1]);
  const pkg = JSON.parse(readFileSync(join(repo, "crates/wasm/pkg/package.json"), "utf8"));
  assert.equal(pkg.version, version());
});

test("every input type gives the same JSON", async () => {
  const bytes = text(INPUT);
  const inputs = {
    Uint8Array: bytes,
    ArrayBuffer: bytes.buffer,
    Blob: new Blob([bytes]),
    ReadableStream: new Blob([bytes]).stream(),
  };
  for (const [name, input] of Object.entries(inputs)) {
    assert.equal((await collect(toJson(input))).toString(), EXPECTED, name);
  }
  assert.equal(await new Response(toJson(bytes, { mode: "group" })).text(), '{"core":["AAA","BBB"],"color":{"rgb":[1,2,3]}}');
});

test("each conversion seeds group mode's key fingerprints from crypto.getRandomValues", async () => {
  // A secret seed per conversion keeps crafted colliding keys from being made in
  // advance (a Node server converting uploads); the output does not depend on it.
  const real = crypto.getRandomValues;
  let calls = 0;
  crypto.getRandomValues = (array) => {
    calls += 1;
    return real.call(crypto, array);
  };
  try {
    for (const n of [1, 2]) {
      const json = await new Response(toJson(text(INPUT), { mode: "group" })).text();
      assert.equal(json, '{"core":["AAA","BBB"],"color":{"rgb":[1,2,3]}}');
      assert.equal(calls, n);
    }
  } finally {
    crypto.getRandomValues = real;
  }
});

test("bad options throw at the call; bad input errors the stream with a position", async () => {
  assert.throws(() => toJson(text("a=1"), { narrow: "some" }), {
    name: "PdxedgeError",
    kind: "usage",
    message: 'invalid narrow "some": expected one of all, unquoted, none',
  });
  assert.throws(() => toJson("a=1"), { kind: "usage" });
  await assert.rejects(collect(toJson(text("a = 1\nb = }\n"))), (e) => {
    assert.equal(e.name, "PdxedgeError");
    assert.equal(e.kind, "syntax");
    assert.equal(e.line, 2);
    assert.equal(typeof e.column, "number");
    assert.equal(typeof e.offset, "number");
    assert.match(e.message, /^syntax error: .* at line 2, column \d+ \(byte offset \d+\)$/);
    return true;
  });
});

test("info describes, recompress refuses a single document, entry picks nothing in text", async () => {
  const described = await info(text("EU4txt\ndate=1444.11.11\n"));
  assert.equal(described.container, "text");
  assert.equal(described.date, "1444.11.11");
  assert.throws(() => recompress(text("a=1"), { format: "rar" }), { kind: "usage" });
  await assert.rejects(collect(recompress(text("a=1"))), { kind: "unsupported" });
});

test("50 MB streamed through keeps Wasm memory small and honours backpressure", async () => {
  const target = 50e6;
  let produced = 0;
  let i = 0;
  const input = new ReadableStream({
    pull(controller) {
      if (produced >= target) return controller.close();
      let chunk = "";
      while (chunk.length < 1 << 16) chunk += `country={ tag=T${i} treasury=${i++}.5 core=${i} flags={ a=yes } }\n`;
      produced += chunk.length;
      controller.enqueue(text(chunk));
    },
  });
  const reader = toJson(input).getReader();
  const { value: first } = await reader.read();
  // With nobody reading, the engine must not run ahead through the input.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(produced < 4 << 20, `read ${produced} bytes of input ahead of a stalled consumer`);
  let out = first.length;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out += value.length;
  }
  assert.ok(produced >= target && out > target, `${produced} in, ${out} out`);
  const memory = wasmMemoryBytes();
  assert.ok(memory < 8 << 20, `Wasm memory grew to ${memory} bytes`);
});

test("the TypeScript types accept the documented uses and reject wrong ones", () => {
  const tsc = join(repo, "tests/js/node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(repo, "tests/js/types/tsconfig.json")], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
