//! Case files: one request and what must come back. See `conformance/README.md`.

use std::path::Path;

#[derive(Debug)]
pub struct Case {
    pub name: String,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    body: Vec<BodyPart>,
    pub expect: Vec<Expect>,
}

#[derive(Debug)]
enum BodyPart {
    File(String),
    Text(Vec<u8>),
    /// Repeat everything before this `n` times.
    Repeat(usize),
}

#[derive(Debug)]
pub enum Expect {
    Status(u16),
    Header(String, String),
    NoHeader(String),
    /// The body equals this file, byte for byte.
    Body(String),
    /// The body, gunzipped, equals this file.
    GzipBody(String),
    /// The body is JSON containing these members.
    Json(serde_json::Value),
    /// The body stream was aborted (true) or ended normally (false).
    Aborted(bool),
    MinBodyLen(usize),
    /// The body has exactly this many bytes.
    BodyLen(usize),
    /// The body's CRC-32 (for large bodies not worth a file).
    BodyCrc32(u32),
}

impl Case {
    pub fn body(&self, dir: &Path) -> Result<Vec<u8>, String> {
        let mut body = Vec::new();
        for part in &self.body {
            match part {
                BodyPart::File(f) => body.extend(
                    std::fs::read(dir.join(f)).map_err(|e| format!("cannot read {f}: {e}"))?,
                ),
                BodyPart::Text(t) => body.extend_from_slice(t),
                BodyPart::Repeat(n) => body = body.repeat(*n),
            }
        }
        Ok(body)
    }
}

/// Unescape `\n`, `\t`, `\\` and `\xHH` (a raw byte) in inline text.
fn unescape(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let b = u8::from_str_radix(&hex, 16).map_err(|_| format!("bad escape \\x{hex}"))?;
                out.push(b);
            }
            other => return Err(format!("bad escape \\{other:?}")),
        }
    }
    Ok(out)
}

pub fn parse(name: &str, text: &str) -> Result<Case, String> {
    let mut case = Case {
        name: name.to_string(),
        method: String::new(),
        path: String::new(),
        headers: Vec::new(),
        body: Vec::new(),
        expect: Vec::new(),
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |m: &str| format!("{name}:{}: {m}", n + 1);
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| err("expected `key: value`"))?;
        let value = value.trim();
        let header = || -> Result<(String, String), String> {
            let (k, v) = value
                .split_once(':')
                .ok_or_else(|| err("expected `Name: value`"))?;
            Ok((k.trim().to_string(), v.trim().to_string()))
        };
        match key.trim() {
            "request" => {
                let (m, p) = value
                    .split_once(' ')
                    .ok_or_else(|| err("expected `METHOD /path`"))?;
                case.method = m.to_string();
                case.path = p.trim().to_string();
            }
            "header" => case.headers.push(header()?),
            "body" => case.body.push(BodyPart::File(value.to_string())),
            "body-text" => case
                .body
                .push(BodyPart::Text(unescape(value).map_err(|m| err(&m))?)),
            "body-repeat" => case.body.push(BodyPart::Repeat(
                value.parse().map_err(|_| err("expected a count"))?,
            )),
            "expect-status" => case.expect.push(Expect::Status(
                value.parse().map_err(|_| err("expected a status"))?,
            )),
            "expect-header" => {
                let (k, v) = header()?;
                case.expect.push(Expect::Header(k, v));
            }
            "expect-no-header" => case.expect.push(Expect::NoHeader(value.to_string())),
            "expect-body" => case.expect.push(Expect::Body(value.to_string())),
            "expect-gzip-body" => case.expect.push(Expect::GzipBody(value.to_string())),
            "expect-json" => case.expect.push(Expect::Json(
                serde_json::from_str(value).map_err(|e| err(&format!("bad JSON: {e}")))?,
            )),
            "expect-aborted" => case.expect.push(Expect::Aborted(value == "true")),
            "expect-min-body-bytes" => case.expect.push(Expect::MinBodyLen(
                value.parse().map_err(|_| err("expected a count"))?,
            )),
            "expect-body-bytes" => case.expect.push(Expect::BodyLen(
                value.parse().map_err(|_| err("expected a count"))?,
            )),
            "expect-body-crc32" => case.expect.push(Expect::BodyCrc32(
                u32::from_str_radix(value, 16).map_err(|_| err("expected 8 hex digits"))?,
            )),
            other => return Err(err(&format!("unknown key `{other}`"))),
        }
    }
    if case.method.is_empty() {
        return Err(format!("{name}: no `request:` line"));
    }
    if !case.expect.iter().any(|e| matches!(e, Expect::Status(_))) {
        return Err(format!("{name}: no `expect-status:` line"));
    }
    Ok(case)
}

/// Every `*.case` file in `dir`, by name.
pub fn load_all(dir: &Path) -> Result<Vec<Case>, String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "case"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            let name = p.file_stem().unwrap_or_default().to_string_lossy();
            parse(&name, &text)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_case() {
        let c = parse(
            "x",
            "# comment\nrequest: POST /v1/json?mode=group\nheader: Content-Encoding: gzip\nbody-text: a=1\\n\nbody-repeat: 3\nexpect-status: 200\nexpect-header: content-type: application/json\nexpect-json: {\"a\":1}\n",
        )
        .unwrap();
        assert_eq!(c.method, "POST");
        assert_eq!(c.path, "/v1/json?mode=group");
        assert_eq!(c.headers, vec![("Content-Encoding".into(), "gzip".into())]);
        assert_eq!(c.body(Path::new(".")).unwrap(), b"a=1\na=1\na=1\n");
        assert_eq!(c.expect.len(), 3);
        assert!(parse("y", "request: GET /\n").is_err());
        assert!(parse("z", "request: GET /\nexpect-status: 200\nbogus: 1\n").is_err());
    }

    #[test]
    fn the_shipped_cases_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cases = load_all(&dir.join("cases")).unwrap();
        assert!(cases.len() >= 20, "{} cases", cases.len());
        for c in &cases {
            c.body(dir).unwrap();
        }
    }
}
