//! The OpenAPI 3.1 document, generated from the handlers' attributes, with the limits
//! in force written into its description.

use crate::ApiConfig;
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
#[cfg(feature = "full")]
#[derive(OpenApi)]
#[openapi(
    paths(routes::recompress, routes::info),
    components(schemas(crate::routes::RecompressFormat)),
    tags((name = "containers", description = "Zipped saves"))
)]
struct ContainersDoc;

/// The document for a router with this configuration.
pub fn document(config: &ApiConfig) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    #[cfg(feature = "full")]
    doc.merge(ContainersDoc::openapi());
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
         ## Limits of this server\n\n{}",
        config.limits.markdown_table()
    ));
    doc
}
