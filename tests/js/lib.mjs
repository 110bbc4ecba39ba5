// Shared helpers of the JavaScript tests: where things are, running the CLI, reading the
// package's output streams, and the corpus (read in place, never copied into the repo).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, openAsBlob, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The CLI binary: $PDXEDGE_BIN, else the release build (scripts build it first). */
export function cliPath() {
  const bin = process.env.PDXEDGE_BIN ?? join(repo, "target/release/pdxedge");
  if (!existsSync(bin)) {
    throw new Error(`no pdxedge binary at ${bin}: run cargo build --release -p pdxedge`);
  }
  return bin;
}

/** ../shared/corpus beside the repo, or null (an error when CI is set). */
export function corpusDir() {
  const dir = resolve(repo, "../shared/corpus");
  if (existsSync(join(dir, "manifest.json"))) return dir;
  if (process.env.CI) throw new Error(`CI is set but the corpus is missing at ${dir}`);
  return null;
}

/** A temporary folder, removed when the process exits. */
export function tempDir(prefix = "pdxedge-js-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Extract every entry of a zip into `outDir` (python3's zipfile: no zip code of our own
 *  in the tests). Returns [{ name, path }]. */
export function extractZip(zipPath, outDir) {
  const code = `
import json, os, sys, zipfile
out = []
with zipfile.ZipFile(sys.argv[1]) as z:
    for i, info in enumerate(z.infolist()):
        if info.is_dir():
            continue
        path = os.path.join(sys.argv[2], f"{i}-" + os.path.basename(info.filename))
        with z.open(info) as src, open(path, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        out.append({"name": info.filename, "path": path})
print(json.dumps(out))
`;
  const r = spawnSync("python3", ["-c", code, zipPath, outDir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`extracting ${zipPath}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** CLI flags for a JsonOptions object. */
export function cliFlags(options = {}) {
  const flags = [];
  if (options.mode) flags.push("--mode", options.mode);
  if (options.narrow) flags.push("--narrow", options.narrow);
  if (options.encoding) flags.push("--encoding", options.encoding);
  if (options.pretty) flags.push("--pretty");
  if (options.entry) flags.push("--entry", options.entry);
  return flags;
}

/** `pdxedge json` on a file: { bytes } or { error } (the message, without "pdxedge: "). */
export function cliJson(path, options = {}, outFile) {
  const args = ["json", path, ...cliFlags(options)];
  if (outFile) args.push("-o", outFile);
  const r = spawnSync(cliPath(), args, { maxBuffer: 1 << 30 });
  if (r.status === 2) return { error: r.stderr.toString().replace(/^pdxedge: /, "").trimEnd() };
  if (r.status !== 0) throw new Error(`pdxedge exited ${r.status}: ${r.stderr}`);
  return { bytes: outFile ? readFileSync(outFile) : r.stdout };
}

/** Drain a ReadableStream<Uint8Array> into one Buffer. */
export async function collect(stream) {
  const parts = [];
  for await (const chunk of stream) {
    if (!(chunk instanceof Uint8Array)) throw new Error("a chunk is not a Uint8Array");
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/** Drain a stream into a sha256 and a size, holding one chunk at a time. */
export async function digest(stream) {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}

export function digestBytes(bytes) {
  return { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
}

/** A file as a Blob that streams from disk. */
export const fileBlob = (path) => openAsBlob(path);
