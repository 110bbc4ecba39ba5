// The server side: the same jobs through this site's HTTP API (`pdxedge serve` or the
// Cloudflare worker). XMLHttpRequest rather than fetch, because only it reports upload
// progress.

/** The API path and query for a job; only options that are set are sent. */
export function apiUrl(job, options) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === "" || value === false) continue;
    query.set(key, String(value));
  }
  const q = query.toString();
  return `v1/${job}${q ? `?${q}` : ""}`;
}

/**
 * POST `file` for `job`. `onProgress({ phase, loaded, total })` reports the upload, then
 * the download. Resolves with the response body as a Blob; rejects with an Error carrying
 * the problem details (detail, offset, line, column) the API sends.
 */
export function runOnServer(job, file, options, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open("POST", apiUrl(job, options));
    xhr.responseType = "blob";
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) =>
      onProgress({ phase: "upload", loaded: e.loaded, total: e.lengthComputable ? e.total : null });
    xhr.upload.onload = () => onProgress({ phase: "server", loaded: file.size, total: file.size });
    xhr.onprogress = (e) =>
      onProgress({ phase: "download", loaded: e.loaded, total: e.lengthComputable ? e.total : null });
    xhr.onload = async () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.response);
      } else {
        reject(await problem(xhr));
      }
    };
    xhr.onerror = () =>
      reject(Object.assign(new Error("Could not reach the server (is this page served by pdxedge serve?)."), { kind: "network" }));
    xhr.onabort = () => reject(Object.assign(new Error("Cancelled."), { kind: "cancelled" }));
    xhr.send(file);
  });
  return { promise, cancel: () => xhr.abort() };
}

/** An Error from an RFC 9457 problem+json body, or from the bare status otherwise. */
async function problem(xhr) {
  const type = xhr.getResponseHeader("Content-Type") ?? "";
  if (type.startsWith("application/problem+json")) {
    try {
      const p = JSON.parse(await xhr.response.text());
      return Object.assign(new Error(p.detail ?? p.title ?? `HTTP ${xhr.status}`), {
        kind: p.type,
        title: p.title,
        status: p.status ?? xhr.status,
        offset: p.offset,
        line: p.line,
        column: p.column,
        limit: p.limit,
      });
    } catch {
      // fall through: a malformed problem body is reported by its status
    }
  }
  return Object.assign(
    new Error(`The server answered HTTP ${xhr.status} ${xhr.statusText} without a pdxedge problem report: is this page served by pdxedge serve?`),
    { status: xhr.status },
  );
}
