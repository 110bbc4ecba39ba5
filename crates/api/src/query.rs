//! The endpoints' query strings, read by hand with `form_urlencoded` (splitting and
//! percent-decoding) instead of axum's `Query` extractor: serde_urlencoded, its path
//! tracking and the derived `Deserialize` code cost ~4-6 KB of gzipped Worker Wasm for
//! five parameters. Same rules as before: unknown and repeated parameters are refused,
//! `+` is a space, empty pairs (`&&`) are skipped, a name without `=` has an empty value.

use crate::problem::ApiError;
use pdxedge_core::json::Choice;

/// Call `set(index into names, value)` for each parameter, refusing unknown and repeated
/// names; `set` answers what is wrong with a value.
pub(crate) fn each(
    query: Option<&str>,
    names: &[&str],
    mut set: impl FnMut(usize, &str) -> Result<(), String>,
) -> Result<(), ApiError> {
    let mut seen = 0u32;
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let Some(i) = names.iter().position(|n| *n == name) else {
            return Err(ApiError::BadRequest(format!(
                "unknown query parameter `{name}`; expected one of {}",
                listed(names)
            )));
        };
        if seen & (1 << i) != 0 {
            return Err(ApiError::BadRequest(format!(
                "query parameter `{name}` given more than once"
            )));
        }
        seen |= 1 << i;
        set(i, &value)
            .map_err(|what| ApiError::BadRequest(format!("query parameter `{name}`: {what}")))?;
    }
    Ok(())
}

/// The engine's choice named `value`: the names (exact, lowercase) are the core's, the
/// same the CLI takes.
pub(crate) fn choice<C: Choice>(value: &str) -> Result<C, String> {
    C::parse(value).map_err(|e| {
        format!(
            "unknown value `{value}`; expected one of {}",
            listed(&e.expected)
        )
    })
}

/// `pretty`, `pretty=true` and `pretty=1` are true; `false` and `0` false.
pub(crate) fn flag(value: &str) -> Result<bool, String> {
    match value {
        "" | "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format!("expected true, false, 1 or 0, not `{value}`")),
    }
}

/// A whole number that fits a `u32` (no sign: `+` is a space in a query).
#[cfg(feature = "full")]
pub(crate) fn number(value: &str) -> Result<u32, String> {
    value.parse().map_err(|_| {
        format!(
            "expected a whole number from 0 to {}, not `{value}`",
            u32::MAX
        )
    })
}

fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["a", "b"];

    fn run(query: Option<&str>) -> Result<Vec<(usize, String)>, String> {
        let mut got = Vec::new();
        each(query, NAMES, |i, v| {
            if v == "bad" {
                return Err("not that".into());
            }
            got.push((i, v.to_owned()));
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        Ok(got)
    }

    #[test]
    fn splits_and_decodes_like_a_form() {
        assert_eq!(run(None).unwrap(), []);
        assert_eq!(run(Some("")).unwrap(), []);
        assert_eq!(
            run(Some("&&b=x+y%20z&%61")).unwrap(),
            [(1, "x y z".to_owned()), (0, String::new())]
        );
    }

    #[test]
    fn refuses_unknown_repeated_and_bad_parameters() {
        let unknown = run(Some("a=1&c=2")).unwrap_err();
        assert!(unknown.contains("unknown query parameter `c`"), "{unknown}");
        assert!(unknown.contains("`a`, `b`"), "{unknown}");
        assert!(run(Some("=1")).unwrap_err().contains("parameter ``"));
        let twice = run(Some("b=1&a=2&b=1")).unwrap_err();
        assert!(twice.contains("`b` given more than once"), "{twice}");
        // The first problem in query order is the one reported.
        let bad = run(Some("b=bad&c=1")).unwrap_err();
        assert!(bad.contains("query parameter `b`: not that"), "{bad}");
    }

    #[test]
    fn values() {
        use pdxedge_core::Encoding;
        assert_eq!(choice("utf-8"), Ok(Encoding::Utf8));
        let e = choice::<Encoding>("UTF-8").unwrap_err();
        assert!(
            e.contains("`UTF-8`") && e.contains("`auto`, `utf-8`, `windows-1252`"),
            "{e}"
        );
        assert_eq!(flag(""), Ok(true));
        assert_eq!(flag("0"), Ok(false));
        assert!(flag("yes").unwrap_err().contains("`yes`"));
    }

    #[cfg(feature = "full")]
    #[test]
    fn numbers() {
        assert_eq!(number("05"), Ok(5));
        for bad in ["", " 5", "-1", "4294967296", "1.5"] {
            assert!(
                number(bad).unwrap_err().contains("0 to 4294967295"),
                "{bad}"
            );
        }
    }
}
