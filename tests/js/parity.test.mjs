// The npm package must write exactly the bytes of `pdxedge json` (the CLI), with the same
// options, and fail with the same message where the CLI fails. Inputs: the bundled
// example, generated files, and at run time every file and zip entry of ../shared/corpus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { info, recompress, toJson } from "pdxedge";
import {
  cliJson,
  cliPath,
  corpusDir,
  digest,
  digestBytes,
  extractZip,
  fileBlob,
  repo,
  tempDir,
} from "./lib.mjs";

const tmp = tempDir();

/** The file as a browser would hand it over: a File with its name (the CLI gets the path). */
async function namedFile(path) {
  return new File([await fileBlob(path)], basename(path));
}

const MODES = ["preserve", "group", "key-value-pairs"];
const EVERY_OPTION = MODES.flatMap((mode) =>
  ["all", "unquoted", "none"].flatMap((narrow) =>
    [false, true].map((pretty) => ({ mode, narrow, pretty })),
  ),
).concat(["auto", "utf-8", "windows-1252"].map((encoding) => ({ encoding })));

/** Run both on a file; assert same bytes or same error. Returns what happened. */
async function compare(path, options, label = path) {
  const cli = cliJson(path, options, join(tmp, "cli.json"));
  let wasm;
  try {
    wasm = await digest(toJson(await namedFile(path), options));
  } catch (e) {
    wasm = { error: e.message, kind: e.kind };
  }
  const what = `${label} ${JSON.stringify(options)}`;
  if (cli.error !== undefined) {
    assert.equal(wasm.error, cli.error, `${what}: the CLI failed, the package must fail alike`);
    assert.notEqual(wasm.kind, "usage", what);
    return "error";
  }
  assert.equal(wasm.error, undefined, `${what}: the package failed where the CLI did not`);
  assert.deepEqual(wasm, digestBytes(cli.bytes), `${what}: output differs`);
  return "same";
}

test("the bundled example matches the CLI with every option", async () => {
  const sample = join(repo, "examples/sample.eu4");
  for (const options of EVERY_OPTION) assert.equal(await compare(sample, options), "same");
});

function generatedSave(countries) {
  const lines = ["EU4txt", "date=1444.11.11", 'player="KOR"'];
  for (let i = 0; i < countries; i++) {
    const tag = `T${String(i).padStart(3, "0")}`;
    lines.push(
      `countries={ ${tag}={ treasury=${i * 7}.125 core=${i} core=${i + 1} ` +
        `name="Ch\xe2teau ${i}" color=rgb { ${i % 256} 12 7 } flags={ f_${i}=1444.1.${1 + (i % 28)} } ` +
        `history={ 1444.1.1={ owner=${tag} } 1450.2.3={ controller=${tag} } } } }`,
    );
  }
  // Windows-1252 bytes (EU4 saves are not UTF-8): write as latin1.
  return Buffer.from(lines.join("\n") + "\n", "latin1");
}

const EDGE_CASES = {
  "crlf-bom-ck3.txt": Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('CK3txt\r\nname = "Ærø \\"quoted\\""\r\nval = -1.500\r\nempty = {}\r\n', "utf8"),
  ]),
  "script.txt": Buffer.from(
    "# a comment\nfocus = { id = X cost = 10 available = { NOT = { has_war = yes } } }\n" +
      "color = hsv { 0.5 0.2 1 } date = 1936.1.1 limit >= 50 @var = 3 x = @var\n" +
      "list = { 1 2 3 } mixed = { a = 1 2 3 } [[param] inner = 1 ]\n",
  ),
  "unicode.txt": Buffer.from('name="日本語" other="naïve" k=v\n', "utf8"),
  "unclosed.txt": Buffer.from("a = { b = { c = 1 }\n"),
  "stray-close.txt": Buffer.from("a = 1\nb = }\nc = 2\n"),
  "open-quote.txt": Buffer.from('a = "never closed\n'),
  "binary.txt": Buffer.from("EU4binM(\x01\x00\x03\x00", "latin1"),
  "empty.txt": Buffer.alloc(0),
};

test("generated inputs match the CLI (bigger than every buffer)", async () => {
  const path = join(tmp, "generated.eu4");
  writeFileSync(path, generatedSave(20000));
  for (const options of EVERY_OPTION) assert.equal(await compare(path, options), "same");
});

test("edge cases and errors match the CLI", async () => {
  const outcomes = {};
  for (const [name, bytes] of Object.entries(EDGE_CASES)) {
    const path = join(tmp, name);
    writeFileSync(path, bytes);
    for (const options of EVERY_OPTION) outcomes[name] = await compare(path, options, name);
  }
  // The error cases must really be errors, or this test proves less than it says.
  // (An unclosed `{` at the end is accepted, as jomini does.)
  for (const name of ["stray-close.txt", "open-quote.txt", "binary.txt"]) {
    assert.equal(outcomes[name], "error", name);
  }
});

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

function isZip(path) {
  const head = Buffer.alloc(4);
  const fd = openSync(path, "r");
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  return head.toString("latin1") === "PK\x03\x04";
}

const corpus = corpusDir();

test("every corpus file (zips whole and entry by entry) matches the CLI", { skip: !corpus && "no corpus" }, async (t) => {
  let same = 0;
  let errors = 0;
  let bytes = 0;
  let zips = 0;
  for (const path of walk(corpus)) {
    if (path.endsWith(".md") || path.endsWith(".json")) continue;
    const name = path.slice(corpus.length + 1);
    const docs = [{ name, path }];
    if (isZip(path)) {
      zips++;
      const dir = join(tmp, `zip-${zips}`);
      mkdirSync(dir);
      for (const entry of extractZip(path, dir)) docs.push({ name: `${name}!${entry.name}`, path: entry.path });
    }
    for (const doc of docs) {
      const outcome = await compare(doc.path, {}, doc.name);
      if (outcome === "same") same++;
      else errors++;
      bytes += statSync(doc.path).size;
    }
    if (name.endsWith("Korea1444_11_11.eu4")) {
      for (const options of [{ mode: "group" }, { mode: "key-value-pairs", pretty: true }, { entry: "meta" }]) {
        assert.equal(await compare(path, options, name), "same");
      }
    }
  }
  t.diagnostic(`${same} same output, ${errors} same error, ${zips} zips, ${(bytes / 1e6).toFixed(1)} MB`);
  assert.ok(same > 100, `only ${same} corpus documents converted`);
});

test("info matches pdxedge info --json on the example and every corpus zip", async () => {
  const files = [join(repo, "examples/sample.eu4")].concat(corpus ? walk(corpus).filter(isZip) : []);
  for (const path of files) {
    const r = spawnSync(cliPath(), ["info", "--json", path], { encoding: "utf8" });
    const described = await info(await namedFile(path)).catch((e) => ({ error: e.message }));
    if (r.status !== 0) {
      assert.equal(described.error, r.stderr.replace(/^pdxedge: /, "").trimEnd(), path);
    } else {
      assert.deepEqual(described, JSON.parse(r.stdout), path);
    }
  }
});

test("recompress (tar.br) gives the CLI's bytes on the Korea save", { skip: !corpus && "no corpus" }, async () => {
  const save = join(corpus, "saves/eu4/atvrager__eu4rs/Korea1444_11_11.eu4");
  const out = join(tmp, "korea.tar.br");
  const r = spawnSync(cliPath(), ["recompress", save, "--format", "tar.br", "-o", out], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const wasm = await digest(recompress(await namedFile(save), { format: "tar-br" }));
  assert.deepEqual(wasm, digestBytes(readFileSync(out)));
});
