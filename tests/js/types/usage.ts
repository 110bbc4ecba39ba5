// Compiled by package.test.mjs with `tsc --noEmit`: the package's types must accept the
// documented uses and reject the wrong ones (each @ts-expect-error must be an error).
import { info, recompress, toJson, version } from "pdxedge";
import type { JsonOptions, PdxedgeError, Progress, RecompressOptions, SaveInfo } from "pdxedge";

const options: JsonOptions = {
  mode: "group",
  narrow: "unquoted",
  pretty: true,
  encoding: "windows-1252",
  entry: "gamestate",
  onProgress: (p: Progress) => {
    const read: number = p.read;
    const total: number | null = p.total;
    const written: number = p.written;
    void [read, total, written];
  },
};
const out: ReadableStream<Uint8Array> = toJson(new Uint8Array([97, 61, 49]), options);
toJson(new ArrayBuffer(8));
toJson(new Blob(["a=1"]));
toJson(out);
toJson(new Uint8Array(), {});

const recompressed: ReadableStream<Uint8Array> = recompress(new Uint8Array(), {
  format: "tar.br",
  quality: 9,
  window: 20,
} satisfies RecompressOptions);
const described: Promise<SaveInfo> = info(new Blob([]));
void described.then((i) => i.entries.map((e) => `${e.name} ${e.size ?? "?"} ${i.game ?? ""}`));
const v: string = version();
void [recompressed, described, v];

function show(e: PdxedgeError): string {
  return `${e.kind} ${e.message} ${e.offset ?? ""} ${e.line ?? ""}:${e.column ?? ""}`;
}
void show;

// @ts-expect-error: not a mode
toJson(new Uint8Array(), { mode: "bogus" });
// @ts-expect-error: pretty is a boolean
toJson(new Uint8Array(), { pretty: "yes" });
// @ts-expect-error: a string is not input
toJson("a=1");
// @ts-expect-error: the output is a stream, not a string
const s: string = toJson(new Uint8Array());
void s;
