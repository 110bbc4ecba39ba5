//! The OpenAPI 3.1 document.
//!
//! The handlers' `utoipa` attributes are the source of truth, but the document is rendered
//! at development time into `openapi/*.json` (one per feature set) and compiled in as text:
//! building it at run time linked utoipa's document builder into every server and Worker
//! (about 44 KB of gzipped Wasm, see docs/benchmarks.md). The test
//! `committed_documents_match_the_handlers` fails when a file is stale;
//! `PDXEDGE_BLESS=1 cargo test -p pdxedge-api --lib openapi` rewrites them.
//!
//! The limits in force are only known at run time: the files hold [`LIMITS_PLACEHOLDER`] in
//! the description, replaced by the limits table when the router is built.

use crate::ApiConfig;

/// Stands for the limits table in the committed documents' description.
const LIMITS_PLACEHOLDER: &str = "{{limits}}";

#[cfg(feature = "full")]
const TEMPLATE: &str = include_str!("../openapi/full.json");
#[cfg(not(feature = "full"))]
const TEMPLATE: &str = include_str!("../openapi/json-only.json");

/// The document (JSON) for a router with this configuration.
pub fn document(config: &ApiConfig) -> String {
    let table = serde_json::to_string(&config.limits.markdown_table()).unwrap_or_default();
    // The placeholder sits inside a JSON string: splice in the escaped table without
    // its quotes.
    let escaped = table
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or_default();
    TEMPLATE.replacen(LIMITS_PLACEHOLDER, escaped, 1)
}

/// Rendering the committed documents from the handlers (tests only).
#[cfg(all(test, feature = "full"))]
mod render {
    use super::LIMITS_PLACEHOLDER;
    use crate::json::{Enc, Mode, Narrow};
    use crate::problem::Problem;
    use crate::routes::{self, AnyJson, Health, Upload};
    use utoipa::OpenApi;

    #[derive(OpenApi)]
    #[openapi(
        info(
            title = "pdxedge HTTP API",
            description = "Paradox (Clausewitz engine) save and game files over HTTP.",
            license(name = "MIT")
        ),
        paths(routes::json, routes::healthz, routes::openapi),
        components(schemas(Problem, Mode, Narrow, Enc, Health, AnyJson, Upload)),
        tags(
            (name = "convert", description = "Clausewitz text to JSON"),
            (name = "meta", description = "Health and this document")
        )
    )]
    struct ApiDoc;

    /// The routes of the `full` feature (zipped saves).
    #[derive(OpenApi)]
    #[openapi(
        paths(routes::recompress, routes::info),
        components(schemas(crate::routes::RecompressFormat)),
        tags((name = "containers", description = "Zipped saves"))
    )]
    struct ContainersDoc;

    /// The document of a build with (`full`) or without the container routes.
    pub fn template(full: bool) -> String {
        let mut doc = ApiDoc::openapi();
        if full {
            doc.merge(ContainersDoc::openapi());
        }
        doc.info.version = env!("CARGO_PKG_VERSION").to_string();
        doc.info.description = Some(format!(
            "Paradox (Clausewitz engine) save and game files over HTTP: text to JSON \
             (byte-compatible with the `jomini` crate's JSON).\n\n\
             Request bodies may be sent with `Content-Encoding: gzip`, `br` or `zstd` and are \
             decoded as they arrive; responses are streamed (chunked) and compressed when \
             `Accept-Encoding` allows. Errors are RFC 9457 `application/problem+json` objects \
             with `type`, `title`, `status`, `detail`, and for input errors `offset`, `line` and \
             `column`. An error found after a response has started aborts it (the connection \
             is closed before the final chunk): a body is complete only if it ended normally.\n\n\
             ## Limits of this server\n\n{LIMITS_PLACEHOLDER}"
        ));
        let mut json = doc.to_pretty_json().unwrap_or_default();
        json.push('\n');
        json
    }
}

#[cfg(all(test, feature = "full"))]
mod tests {
    use super::*;

    #[test]
    fn committed_documents_match_the_handlers() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi");
        let bless = std::env::var_os("PDXEDGE_BLESS").is_some();
        let mut stale = Vec::new();
        for (file, full) in [("full.json", true), ("json-only.json", false)] {
            let path = dir.join(file);
            let rendered = render::template(full);
            assert_eq!(rendered.matches(LIMITS_PLACEHOLDER).count(), 1, "{file}");
            if bless {
                std::fs::write(&path, &rendered).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(rendered.as_str()) {
                stale.push(file);
            }
        }
        assert!(
            stale.is_empty(),
            "crates/api/openapi/{stale:?} no longer match the handlers' attributes; \
             rewrite them with `PDXEDGE_BLESS=1 cargo test -p pdxedge-api --lib openapi`"
        );
    }

    #[test]
    fn the_limits_table_replaces_the_placeholder_as_json_text() {
        let mut config = ApiConfig::default();
        config.limits.max_body_bytes = 4242;
        let doc: serde_json::Value = serde_json::from_str(&document(&config)).unwrap();
        let desc = doc["info"]["description"].as_str().unwrap();
        assert!(!desc.contains(LIMITS_PLACEHOLDER), "{desc}");
        assert!(desc.ends_with(&config.limits.markdown_table()), "{desc}");
        assert!(desc.contains("| `max_body_bytes` | 4242 |"), "{desc}");
    }

    #[test]
    fn only_the_full_document_has_the_container_routes() {
        let full: serde_json::Value = serde_json::from_str(&render::template(true)).unwrap();
        let text: serde_json::Value = serde_json::from_str(&render::template(false)).unwrap();
        for route in ["/v1/recompress", "/v1/info"] {
            assert!(full["paths"][route].is_object(), "{route}");
            assert!(text["paths"][route].is_null(), "{route}");
        }
        assert_eq!(full["paths"]["/v1/json"], text["paths"]["/v1/json"]);
    }
}
