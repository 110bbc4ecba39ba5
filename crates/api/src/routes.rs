//! The handlers. Each is small: check the request, take a slot, build a pipeline, hand
//! it to the driver. Their `#[utoipa::path]` attributes are the OpenAPI document.

use crate::coding::{Coding, ResponseCoding};
#[cfg(feature = "full")]
use crate::containers::{InfoJob, RecompressJob};
use crate::json::{JsonJob, JsonQuery};
use crate::pipeline::Pipeline;
use crate::problem::{ApiError, LimitKind, Problem};
use crate::shed::{Gate, Permit};
use crate::stream::{Conversion, HOLD, problem_draining};
use crate::{ApiConfig, Runtime};
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
#[cfg(feature = "full")]
use pdxedge_core::recompress::{Format, RecompressOptions};
#[cfg(feature = "full")]
use serde::Deserialize;
use serde::Serialize;
use std::sync::Arc;
#[cfg(feature = "full")]
use utoipa::IntoParams;
use utoipa::ToSchema;

/// State shared by the handlers.
pub(crate) struct App {
    pub config: ApiConfig,
    pub rt: Runtime,
    pub conversions: Arc<Gate>,
    pub buffered: Arc<Gate>,
    pub openapi: Bytes,
}

impl App {
    /// Take a conversion slot (and a buffered one if the job holds its input), or 503.
    fn permits(&self, buffers: bool) -> Result<Vec<Permit>, ApiError> {
        let retry_after = self.config.limits.retry_after_secs;
        let all = self.conversions.try_acquire().ok_or(ApiError::Overloaded {
            retry_after,
            limit: self.conversions.max() as u64,
        })?;
        let mut permits = vec![all];
        if buffers {
            permits.push(self.buffered.try_acquire().ok_or(ApiError::Overloaded {
                retry_after,
                limit: self.buffered.max() as u64,
            })?);
        }
        Ok(permits)
    }

    /// 413 at once when the declared length is over the limit; else that length.
    fn check_length(&self, headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
        let limit = self.config.limits.max_body_bytes;
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(n) if n > limit => Err(ApiError::TooLarge {
                which: LimitKind::Body,
                limit,
            }),
            _ => Ok(declared),
        }
    }
}

/// Any JSON value (the converted file). Like [`Upload`], only named in the OpenAPI
/// attributes, which are rendered in tests (see `openapi.rs`).
#[allow(dead_code)]
pub(crate) struct AnyJson;

impl utoipa::PartialSchema for AnyJson {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
            .description(Some("Any JSON value: the converted file."))
            .into()
    }
}
impl ToSchema for AnyJson {}

/// Raw file bytes.
#[allow(dead_code)]
pub(crate) struct Upload;

impl utoipa::PartialSchema for Upload {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .content_media_type("application/octet-stream")
            .description(Some("The file's bytes."))
            .into()
    }
}
impl ToSchema for Upload {}

/// Convert a Clausewitz text file or save to JSON.
///
/// The body is the file's bytes (optionally with `Content-Encoding: gzip`, `br` or
/// `zstd`). It is converted as it arrives and the JSON is streamed back, chunked;
/// `mode=group` holds the whole input first. If an error is found after the response
/// has started, the response is aborted (the connection is closed before the final
/// chunk), never ended as if complete.
#[utoipa::path(
    post,
    path = "/v1/json",
    tag = "convert",
    params(JsonQuery),
    request_body(content = Upload, content_type = "application/octet-stream",
        description = "A Clausewitz text file or save (UTF-8 or Windows-1252, optional BOM and header line such as `EU4txt`)."),
    responses(
        (status = 200, description = "The JSON, streamed (chunked). Compressed with gzip or br when `Accept-Encoding` allows.", body = AnyJson, content_type = "application/json"),
        (status = 400, description = "Bad syntax (with `offset`, `line`, `column`), bad query parameter, or a body that does not decode in its Content-Encoding.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over `max_body_bytes`, `max_inflated_bytes` or (mode=group) `max_buffered_bytes`; `limit` says which value.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Unsupported Content-Encoding.", body = Problem, content_type = "application/problem+json",
            headers(("Accept-Encoding" = String, description = "The codings accepted: gzip, br, zstd, identity (RFC 7694)."))),
        (status = 422, description = "A binary (ironman) save.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "All conversion slots busy (`max_conversions`, `max_buffered_conversions`), or the time limit (`max_duration`) passed before the response started.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait (when shedding load)."))),
    )
)]
pub(crate) async fn json(
    State(app): State<Arc<App>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (conv, coding) = match check_json(&app, uri.query(), &headers) {
        Ok(start) => start(body),
        Err(e) => return problem_draining(e, body, app.rt.clone()),
    };
    respond(conv, "application/json", coding, app.rt.clone()).await
}

type Start = Box<dyn FnOnce(Body) -> (Conversion, ResponseCoding) + Send>;

/// Everything that can be refused before the body is read.
fn check_json(app: &App, query: Option<&str>, headers: &HeaderMap) -> Result<Start, ApiError> {
    let query = JsonQuery::parse(query)?;
    let coding = Coding::from_headers(headers)?;
    let declared = app.check_length(headers)?;
    let permits = app.permits(query.buffers())?;
    let limits = &app.config.limits;
    let response_coding = ResponseCoding::negotiate(headers);
    let mut job = JsonJob::new(&query, limits);
    if coding == Coding::Identity
        && let Some(len) = declared
    {
        job.input_len_hint(len);
    }
    let pipeline = Pipeline::new(
        coding.decoder(),
        Box::new(job),
        response_coding.encoder(),
        limits.max_inflated_bytes,
    );
    let rt = app.rt.clone();
    let limits = *limits;
    Ok(Box::new(move |body| {
        let conv = Conversion::new(body, pipeline, rt, &limits, permits);
        (conv, response_coding)
    }))
}

/// Hold the first output (so early errors get a real status), then stream the rest.
async fn respond(
    mut conv: Conversion,
    content_type: &'static str,
    coding: ResponseCoding,
    rt: Runtime,
) -> Response {
    let mut held: Vec<Bytes> = Vec::new();
    let mut size = 0;
    let mut complete = false;
    while size < HOLD {
        match conv.next_chunk().await {
            None => {
                complete = true;
                break;
            }
            Some(Ok(b)) => {
                size += b.len();
                held.push(b);
            }
            Some(Err(e)) if conv.body_done() => return e.into_response(),
            Some(Err(e)) => return problem_draining(e, conv.into_body(), rt),
        }
    }
    let body = if complete {
        Body::from(held.concat())
    } else {
        let rest = futures_util::stream::unfold(conv, |mut conv| async move {
            let next = conv.next_chunk().await?;
            if let Err(e) = &next {
                tracing::warn!(error = %e, "aborting a response stream");
            }
            Some((next, conv))
        });
        Body::from_stream(futures_util::stream::iter(held.into_iter().map(Ok)).chain(rest))
    };
    let mut res = Response::new(body);
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(c) = coding.header() {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
    }
    res
}

/// The OpenAPI schema of `/v1/recompress`'s `format`: the core's canonical names (the
/// parser, [`Format::from_str`](std::str::FromStr), also takes `tar-br` and `tar-zst`).
#[cfg(feature = "full")]
pub struct RecompressFormat;

#[cfg(feature = "full")]
impl utoipa::PartialSchema for RecompressFormat {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(Format::ALL.map(Format::name)))
            .default(Some(Format::default().name().into()))
            .description(Some(
                "Output format. `tar.br`: a tar of the entries, brotli-compressed; \
                 `zip-zstd`: a zip with zstd-compressed entries; `tar.zst`: a tar, \
                 zstd-compressed; `tar`: a plain tar. `tar-br` and `tar-zst` are accepted \
                 as well.",
            ))
            .into()
    }
}

#[cfg(feature = "full")]
impl utoipa::ToSchema for RecompressFormat {}

/// Query parameters of `POST /v1/recompress`, read by [`RecompressQuery::parse`]; the
/// derived `Deserialize` only feeds the OpenAPI attributes (never called).
#[cfg(feature = "full")]
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecompressQuery {
    /// Output format (default `tar.br`).
    #[serde(default, deserialize_with = "format_name")]
    #[param(value_type = Option<RecompressFormat>)]
    pub format: Option<Format>,
    /// Compression quality (brotli 0-11, zstd levels); default: the format's.
    pub quality: Option<u32>,
    /// Window size as a base-2 logarithm; default: the format's.
    pub window: Option<u32>,
}

#[cfg(feature = "full")]
/// For the derived `Deserialize` only (never called: [`RecompressQuery::parse`] reads
/// the query).
fn format_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Format>, D::Error> {
    let name = String::deserialize(d)?;
    name.parse().map(Some).map_err(serde::de::Error::custom)
}

#[cfg(feature = "full")]
impl RecompressQuery {
    /// The parameters from a request's query string; 400 like [`JsonQuery::parse`].
    pub fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        use crate::query::number;
        let mut q = RecompressQuery {
            format: None,
            quality: None,
            window: None,
        };
        crate::query::each(query, &["format", "quality", "window"], |i, v| {
            match i {
                0 => {
                    q.format = Some(
                        v.parse()
                            .map_err(|e: pdxedge_core::recompress::UnknownFormat| e.to_string())?,
                    )
                }
                1 => q.quality = Some(number(v)?),
                _ => q.window = Some(number(v)?),
            }
            Ok(())
        })?;
        Ok(q)
    }

    fn options(&self) -> RecompressOptions {
        RecompressOptions {
            quality: self.quality,
            window: self.window,
            ..RecompressOptions::new(self.format.unwrap_or_default())
        }
    }
}

/// Recompress a zipped save into a smaller archive.
///
/// The body is a zip save (or a `SAV` save holding one), held whole (up to
/// `max_buffered_bytes`); the archive is streamed back. Entries are verified against
/// their CRC-32 and declared sizes on the way.
#[cfg(feature = "full")]
#[utoipa::path(
    post,
    path = "/v1/recompress",
    tag = "containers",
    params(RecompressQuery),
    request_body(content = Upload, content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "The archive (`Content-Disposition` names it).", body = Upload, content_type = "application/octet-stream"),
        (status = 400, description = "Bad query parameter or malformed archive.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over `max_buffered_bytes` or `max_inflated_bytes`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an archive, or one this build cannot read.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "All slots busy.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
    )
)]
pub(crate) async fn recompress(
    State(app): State<Arc<App>>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = (|| {
        let query = RecompressQuery::parse(uri.query())?;
        let options = query.options();
        options
            .settings()
            .map_err(crate::problem::container_error)?;
        let job = RecompressJob::new(options, &app.config.limits);
        start_job(&app, &headers, Box::new(job), ResponseCoding::Identity)
            .map(|start| (start, options.format))
    })();
    match started {
        Ok((start, format)) => {
            let (conv, coding) = start(body);
            let mut res = respond(conv, "application/octet-stream", coding, app.rt.clone()).await;
            if res.status() == StatusCode::OK {
                let name = format!("attachment; filename=\"save.{}\"", format.extension());
                if let Ok(v) = HeaderValue::from_str(&name) {
                    res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
                }
            }
            res
        }
        Err(e) => problem_draining(e, body, app.rt.clone()),
    }
}

/// Describe a save: game, container, version, date, player, entries.
///
/// The body is held whole (up to `max_buffered_bytes`).
#[cfg(feature = "full")]
#[utoipa::path(
    post,
    path = "/v1/info",
    tag = "containers",
    request_body(content = Upload, content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "What the save is; `null` for what it does not say.", body = AnyJson, content_type = "application/json"),
        (status = 400, description = "Malformed container.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over `max_buffered_bytes`.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "All slots busy.", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait."))),
    )
)]
pub(crate) async fn info(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let coding = ResponseCoding::negotiate(&headers);
    let job = InfoJob::new(&app.config.limits);
    match start_job(&app, &headers, Box::new(job), coding) {
        Ok(start) => {
            let (conv, coding) = start(body);
            respond(conv, "application/json", coding, app.rt.clone()).await
        }
        Err(e) => problem_draining(e, body, app.rt.clone()),
    }
}

/// The common start of a job that holds its input: coding, length, slots.
#[cfg(feature = "full")]
fn start_job(
    app: &App,
    headers: &HeaderMap,
    job: Box<dyn crate::pipeline::Job>,
    response_coding: ResponseCoding,
) -> Result<Start, ApiError> {
    let coding = Coding::from_headers(headers)?;
    app.check_length(headers)?;
    let permits = app.permits(true)?;
    let limits = app.config.limits;
    let pipeline = Pipeline::new(
        coding.decoder(),
        job,
        response_coding.encoder(),
        limits.max_inflated_bytes,
    );
    let rt = app.rt.clone();
    Ok(Box::new(move |body| {
        let conv = Conversion::new(body, pipeline, rt, &limits, permits);
        (conv, response_coding)
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    #[schema(example = "ok")]
    status: &'static str,
    #[schema(example = "0.1.0")]
    version: &'static str,
}

/// Liveness check.
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "The service is up.", body = Health)))]
pub(crate) async fn healthz() -> Response {
    let body = serde_json::to_vec(&Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
    .unwrap_or_default();
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// This document (OpenAPI 3.1), with the limits in force.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI document.", body = AnyJson)))]
pub(crate) async fn openapi(State(app): State<Arc<App>>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        app.openapi.clone(),
    )
        .into_response()
}

pub(crate) async fn not_found() -> Response {
    ApiError::NotFound.into_response()
}

pub(crate) async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}
