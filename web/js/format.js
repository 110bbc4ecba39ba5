// Small formatting helpers of the page: sizes, durations, file names, a JSON preview.

const numbers = new Intl.NumberFormat("en");

/** "34.1 MB (34,102,436 bytes)". */
export function size(bytes) {
  if (bytes == null) return "unknown";
  const units = ["bytes", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const short = unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
  return unit === 0 ? short : `${short} (${numbers.format(bytes)} bytes)`;
}

/** Megabytes with one decimal, for progress lines. */
export const mb = (bytes) => (bytes / 1e6).toFixed(1);

export function duration(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** The download's name: the input's name with the job's extension. */
export function outputName(inputName, job, options) {
  const base = inputName.replace(/\.[^./\\]*$/, "") || "output";
  if (job === "json") return `${base}${options.entry ? `.${options.entry}` : ""}.json`;
  if (job === "info") return `${base}.info.json`;
  const extension = { "tar.br": "tar.br", "zip-zstd": "zip", "tar.zst": "tar.zst", tar: "tar" };
  return `${base}.${extension[options.format] ?? "bin"}`;
}

/**
 * Indent the start of a JSON text for reading. It need not be complete JSON (the preview
 * is a prefix), so this only tracks strings and brackets instead of parsing.
 */
export function indentJson(text) {
  const out = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  const newline = () => out.push("\n", "  ".repeat(depth));
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      out.push(ch);
      if (escaped) escaped = false;
      else if (ch === "\\") escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out.push(ch);
    } else if (ch === "{" || ch === "[") {
      const close = ch === "{" ? "}" : "]";
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === close) {
        out.push(ch, close);
        i = j;
      } else {
        depth++;
        out.push(ch);
        newline();
      }
    } else if (ch === "}" || ch === "]") {
      depth = Math.max(0, depth - 1);
      newline();
      out.push(ch);
    } else if (ch === ",") {
      out.push(ch);
      newline();
    } else if (ch === ":") {
      out.push(": ");
    } else if (!/\s/.test(ch)) {
      out.push(ch);
    }
  }
  return out.join("");
}

/** Rows [key, value] for a table of an info result, nested keys joined with dots. */
export function flatten(value, prefix = "", rows = []) {
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    if (entries.length === 0) rows.push([prefix, Array.isArray(value) ? "(none)" : "{}"]);
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, rows);
  } else {
    rows.push([prefix, value === null ? "null" : String(value)]);
  }
  return rows;
}
