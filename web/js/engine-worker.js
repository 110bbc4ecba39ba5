// The in-browser engine: the pdxedge Wasm package, run in a Web Worker so a long job never
// blocks the page. Messages in: {type:"run", job, file, options} and {type:"cancel"}.
// Messages out: ready, progress, done (with the result as a Blob), cancelled, error.
import { info, recompress, toJson, version, wasmMemoryBytes } from "../pkg/index.js";

let reader = null;
let cancelled = false;

postMessage({ type: "ready", version: version() });

onmessage = ({ data }) => {
  if (data.type === "cancel") {
    cancelled = true;
    reader?.cancel(new Error("cancelled by the user")).catch(() => {});
  } else if (data.type === "run") {
    run(data).catch((e) => postMessage({ type: "error", error: plainError(e) }));
  }
};

async function run({ job, file, options }) {
  cancelled = false;
  const started = performance.now();
  let last = 0;
  // At most ten progress messages a second: the page repaints, it does not need more.
  const onProgress = (p) => {
    const now = performance.now();
    if (now - last >= 100 || p.read === p.total) {
      last = now;
      postMessage({ type: "progress", ...p });
    }
  };
  if (job === "info") {
    const result = await info(file);
    const blob = new Blob([JSON.stringify(result, null, 2)], { type: "application/json" });
    postMessage({ type: "done", job, blob, info: result, ms: performance.now() - started, wasmMemory: wasmMemoryBytes() });
    return;
  }
  const stream =
    job === "json" ? toJson(file, { ...options, onProgress }) : recompress(file, { ...options, onProgress });
  reader = stream.getReader();
  // The download needs the whole result; a Blob made from the chunks lets the browser
  // keep it outside the JavaScript heap.
  const chunks = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } finally {
    reader = null;
  }
  if (cancelled) {
    postMessage({ type: "cancelled" });
    return;
  }
  const type = job === "json" ? "application/json" : "application/octet-stream";
  const blob = new Blob(chunks, { type });
  postMessage({ type: "done", job, blob, ms: performance.now() - started, wasmMemory: wasmMemoryBytes() });
}

/** Errors cross to the page as plain objects: message, kind and position. */
function plainError(e) {
  return {
    message: e?.message ?? String(e),
    kind: e?.kind,
    offset: e?.offset,
    line: e?.line,
    column: e?.column,
  };
}
