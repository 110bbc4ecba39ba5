// The page: pick a file, where it runs (this browser's Wasm engine in a worker, or the
// server's API), the job and its options; show progress, the result and its download.
import { duration, flatten, indentJson, mb, outputName, size } from "./format.js";
import { runOnServer } from "./remote.js";

const PREVIEW_BYTES = 64 * 1024;

const $ = (id) => document.getElementById(id);
const form = $("job");
const fields = form.elements;

let file = null;
let engine = null; // { worker, version } once the worker says it is ready
let pending = null; // the running browser job's { resolve, reject, onProgress }
let cancelJob = null;
let downloadUrl = null;

// ---- the in-browser engine, started at once so it is loaded before the network goes away
const worker = new Worker(new URL("./engine-worker.js", import.meta.url), { type: "module" });
worker.onmessage = ({ data }) => {
  if (data.type === "ready") {
    engine = { version: data.version };
    $("engine-status").textContent = `In-browser engine ready: pdxedge ${data.version} (WebAssembly, in a Web Worker).`;
    return;
  }
  const job = pending;
  if (!job) return;
  if (data.type === "progress") {
    job.onProgress(data);
    return;
  }
  pending = null;
  if (data.type === "done") job.resolve(data);
  else if (data.type === "cancelled") job.reject(Object.assign(new Error("Cancelled."), { kind: "cancelled" }));
  else job.reject(Object.assign(new Error(data.error.message), data.error));
};
worker.onerror = (e) => {
  e.preventDefault();
  $("engine-status").textContent =
    "The in-browser engine could not be loaded (web/pkg is built by scripts/build-wasm.sh); the server can still run jobs.";
  pending?.reject(new Error("The in-browser engine could not be loaded."));
  pending = null;
};

function runInBrowser(job, input, options, onProgress) {
  if (!engine) return { promise: Promise.reject(new Error("The in-browser engine is not loaded (yet).")), cancel() {} };
  const promise = new Promise((resolve, reject) => {
    pending = { resolve, reject, onProgress };
  });
  worker.postMessage({ type: "run", job, file: input, options });
  return { promise, cancel: () => worker.postMessage({ type: "cancel" }) };
}

// ---- choosing a file
function chooseFile(chosen) {
  file = chosen ?? null;
  $("file-summary").textContent = file ? `${file.name}, ${size(file.size)}` : "No file chosen.";
  $("run").disabled = !file;
}
fields.file.addEventListener("change", () => chooseFile(fields.file.files[0]));
const drop = $("drop");
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
}
for (const type of ["dragleave", "drop"]) {
  drop.addEventListener(type, (e) => {
    e.preventDefault();
    drop.classList.remove("over");
  });
}
drop.addEventListener("drop", (e) => chooseFile(e.dataTransfer.files[0]));
// A file dropped beside the zone must not make the browser navigate away to it.
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => e.preventDefault());

// ---- job and options
function selectedJob() {
  return fields.job.value;
}
function showOptions() {
  for (const el of form.querySelectorAll(".options")) el.hidden = el.dataset.job !== selectedJob();
}
for (const radio of fields.job) radio.addEventListener("change", showOptions);
showOptions();

function options(job) {
  const number = (s) => (s.trim() === "" ? undefined : Number(s));
  if (job === "json") {
    return {
      mode: fields.mode.value,
      narrow: fields.narrow.value,
      encoding: fields.encoding.value,
      pretty: fields.pretty.checked,
      entry: fields.entry.value.trim() || undefined,
    };
  }
  if (job === "recompress") {
    return { format: fields.format.value, quality: number(fields.quality.value), window: number(fields.window.value) };
  }
  return {};
}

// ---- running
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!file || cancelJob) return;
  const job = selectedJob();
  const where = fields.where.value;
  const opts = options(job);
  const input = file;
  setRunning(true);
  hide("error", "result");
  showProgress(where === "browser" ? "Starting the engine…" : "Starting the upload…", 0);
  const started = performance.now();
  const run =
    where === "browser"
      ? runInBrowser(job, input, opts, browserProgress)
      : runOnServer(job, input, opts, serverProgress);
  cancelJob = run.cancel;
  try {
    const outcome = await run.promise;
    const elapsed = performance.now() - started;
    const blob = outcome instanceof Blob ? outcome : outcome.blob;
    let infoResult = outcome.info;
    if (job === "info" && infoResult === undefined) infoResult = JSON.parse(await blob.text());
    await showResult({ job, where, input, opts, blob, elapsed, info: infoResult, wasmMemory: outcome.wasmMemory });
  } catch (err) {
    showError(err, where);
  } finally {
    cancelJob = null;
    setRunning(false);
  }
});
$("cancel").addEventListener("click", () => cancelJob?.());

function setRunning(running) {
  for (const el of form.querySelectorAll("input, select")) el.disabled = running;
  $("run").disabled = running || !file;
  $("cancel").hidden = !running;
  form.setAttribute("aria-busy", String(running));
}

function browserProgress({ read, total, written }) {
  const of = total == null ? "" : ` of ${mb(total)}`;
  showProgress(`Working in this browser: ${mb(read)}${of} MB read, ${mb(written)} MB written.`, total ? read / total : null);
}

function serverProgress({ phase, loaded, total }) {
  if (phase === "upload") showProgress(`Uploading: ${mb(loaded)}${total ? ` of ${mb(total)}` : ""} MB.`, total ? loaded / total : null);
  else if (phase === "server") showProgress("Uploaded; the server is working…", null);
  else showProgress(`Downloading the result: ${mb(loaded)}${total ? ` of ${mb(total)}` : ""} MB.`, total ? loaded / total : null);
}

/** A fraction in [0, 1], or null for "busy, amount unknown". */
function showProgress(text, fraction) {
  $("status").hidden = false;
  const bar = $("progress");
  if (fraction == null) bar.removeAttribute("value");
  else bar.value = Math.min(1, fraction);
  $("progress-text").textContent = text;
}

function hide(...ids) {
  for (const id of ids) $(id).hidden = true;
}

// ---- results
async function showResult({ job, where, input, opts, blob, elapsed, info, wasmMemory }) {
  $("progress").value = 1;
  $("progress-text").textContent = `Done in ${duration(elapsed)}.`;
  const facts = [
    ["Ran", where === "browser" ? `in this browser (WebAssembly, pdxedge ${engine?.version ?? ""})` : `on the server (${location.host})`],
    ["Time taken", duration(elapsed)],
    ["Input", `${input.name}, ${size(input.size)}`],
    ["Output", size(blob.size)],
  ];
  if (wasmMemory) facts.push(["Wasm memory", size(wasmMemory)]);
  fillFacts($("facts"), facts);

  const name = outputName(input.name, job, opts);
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(blob);
  const link = $("download");
  link.href = downloadUrl;
  link.download = name;
  link.textContent = `Download ${name}`;

  const table = $("info-table");
  table.hidden = job !== "info";
  if (job === "info") {
    const body = table.tBodies[0];
    body.replaceChildren(
      ...flatten(info).map(([k, v]) => {
        const tr = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = k;
        const td = document.createElement("td");
        td.textContent = v;
        tr.append(th, td);
        return tr;
      }),
    );
  }

  const preview = $("preview");
  preview.hidden = job !== "json";
  if (job === "json") {
    const head = new TextDecoder().decode(await blob.slice(0, PREVIEW_BYTES).arrayBuffer());
    $("preview-text").textContent = indentJson(head) + (blob.size > PREVIEW_BYTES ? "\n…" : "");
    $("preview-note").textContent =
      blob.size > PREVIEW_BYTES ? `(the first ${size(PREVIEW_BYTES)} of ${size(blob.size)}, indented)` : "(indented)";
  }
  $("result").hidden = false;
  $("result-heading").focus();
}

function showError(err, where) {
  if (err.kind === "cancelled") {
    showProgress("Cancelled.", 0);
    return;
  }
  $("status").hidden = true;
  const lead = where === "server" && err.status ? `The server refused it (HTTP ${err.status}${err.title ? `, ${err.title}` : ""}): ` : "";
  $("error-message").textContent = lead + err.message;
  const position = [];
  if (typeof err.line === "number") position.push(["Line", String(err.line)]);
  if (typeof err.column === "number") position.push(["Column", String(err.column)]);
  if (typeof err.offset === "number") position.push(["Byte offset", String(err.offset)]);
  fillFacts($("error-position"), position);
  $("error").hidden = false;
  $("error").focus();
}

function fillFacts(dl, facts) {
  dl.replaceChildren(
    ...facts.flatMap(([k, v]) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      return [dt, dd];
    }),
  );
}
