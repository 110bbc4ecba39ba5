//! Errors as RFC 9457 problem details (`application/problem+json`).
//!
//! Every failure the API reports is an [`ApiError`]; its status, `type` and `title` are
//! fixed per variant, `detail` carries the engine's message, and engine errors add the
//! extension members `offset`, `line` and `column`.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use pdxedge_core::ErrorKind;
use serde::Serialize;
use std::fmt;
use utoipa::ToSchema;

/// The media type of error bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem details object, as sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`tag:pdxedge,2026:<slug>`).
    #[serde(rename = "type")]
    #[schema(example = "tag:pdxedge,2026:syntax")]
    pub kind: String,
    /// A short summary of the kind of problem; the same for every instance.
    #[schema(example = "Bad syntax")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 400)]
    pub status: u16,
    /// What went wrong here, in the engine's words.
    #[schema(
        example = "syntax error: expected a value after `=` at line 1, column 3 (byte offset 2)"
    )]
    pub detail: String,
    /// Byte offset in the (decoded) input where the problem was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// 1-based line of that offset (text input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column, in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// The limit that was exceeded, in its unit (bytes, seconds, conversions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// Which limit a request ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    Body,
    Inflated,
    Buffered,
}

/// Everything that can go wrong in a request.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The engine refused the input (syntax, depth, token length).
    Engine(pdxedge_core::Error),
    /// A binary (ironman) save: 422.
    Binary(pdxedge_core::Error),
    /// A bad query parameter.
    BadRequest(String),
    /// The body is not valid in its `Content-Encoding`.
    BadEncoding {
        coding: &'static str,
        detail: String,
        offset: u64,
    },
    /// A `Content-Encoding` this server does not decode.
    UnsupportedEncoding(String),
    TooLarge {
        which: LimitKind,
        limit: u64,
    },
    /// All conversion slots are busy.
    Overloaded {
        retry_after: u32,
        limit: u64,
    },
    /// The conversion ran past the time limit.
    TimedOut {
        limit_secs: u64,
    },
    /// The upload broke off (client gone, connection error).
    Upload(String),
    /// The core's container support refused the save (see `containers.rs`).
    Container {
        status: u16,
        slug: &'static str,
        title: &'static str,
        detail: String,
        offset: Option<u64>,
    },
    NotFound,
    MethodNotAllowed,
    /// A bug or a crash in the work thread; never caused by input alone.
    Internal(String),
}

impl From<pdxedge_core::Error> for ApiError {
    fn from(e: pdxedge_core::Error) -> Self {
        match e.kind() {
            ErrorKind::Binary { .. } => ApiError::Binary(e),
            // The engine's own bound on group mode's held input (the API's
            // `max_buffered_bytes`, also checked before the engine sees the bytes).
            &ErrorKind::GroupInputTooLarge { limit } => ApiError::TooLarge {
                which: LimitKind::Buffered,
                limit,
            },
            _ => ApiError::Engine(e),
        }
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Engine(_) | ApiError::BadRequest(_) | ApiError::BadEncoding { .. } => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Upload(_) => StatusCode::BAD_REQUEST,
            ApiError::Binary(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedEncoding(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Overloaded { .. } | ApiError::TimedOut { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Container { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST)
            }
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `type` slug and `title`.
    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::Engine(e) => match e.kind() {
                ErrorKind::TooDeep { .. }
                | ErrorKind::TokenTooLong { .. }
                | ErrorKind::RegroupLimit { .. }
                | ErrorKind::OutputTooLarge { .. } => {
                    ("engine-limit", "Input exceeds an engine limit")
                }
                _ => ("syntax", "Bad syntax"),
            },
            ApiError::Binary(_) => ("binary-save", "Binary saves are not supported"),
            ApiError::BadRequest(_) => ("bad-request", "Bad request"),
            ApiError::BadEncoding { .. } => ("bad-encoding", "Body does not decode"),
            ApiError::UnsupportedEncoding(_) => {
                ("unsupported-encoding", "Unsupported Content-Encoding")
            }
            ApiError::TooLarge { .. } => ("too-large", "Input too large"),
            ApiError::Overloaded { .. } => ("overloaded", "Server busy"),
            ApiError::TimedOut { .. } => ("timeout", "Time limit exceeded"),
            ApiError::Upload(_) => ("upload", "Upload failed"),
            ApiError::Container { slug, title, .. } => (slug, title),
            ApiError::NotFound => ("not-found", "Not found"),
            ApiError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            ApiError::Internal(_) => ("internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.kind();
        let mut p = Problem {
            kind: format!("tag:pdxedge,2026:{slug}"),
            title: title.to_string(),
            status: self.status().as_u16(),
            detail: self.to_string(),
            offset: None,
            line: None,
            column: None,
            limit: None,
        };
        match self {
            ApiError::Engine(e) | ApiError::Binary(e) => {
                let pos = e.position();
                p.offset = Some(pos.offset);
                if pos.line > 0 {
                    p.line = Some(pos.line);
                    p.column = Some(pos.column);
                }
            }
            ApiError::BadEncoding { offset, .. } => p.offset = Some(*offset),
            ApiError::Container { offset, .. } => p.offset = *offset,
            ApiError::TooLarge { limit, .. } => p.limit = Some(*limit),
            ApiError::Overloaded { limit, .. } => p.limit = Some(*limit),
            ApiError::TimedOut { limit_secs } => p.limit = Some(*limit_secs),
            _ => {}
        }
        p
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Engine(e) | ApiError::Binary(e) => write!(f, "{e}"),
            ApiError::BadRequest(m) => write!(f, "{m}"),
            ApiError::BadEncoding {
                coding,
                detail,
                offset,
            } => write!(
                f,
                "the body is not valid {coding}: {detail} (at byte {offset} of the encoded body)"
            ),
            ApiError::UnsupportedEncoding(c) => write!(
                f,
                "Content-Encoding `{c}` is not supported; send gzip, br, zstd or identity"
            ),
            ApiError::TooLarge { which, limit } => match which {
                LimitKind::Body => write!(f, "the request body is larger than {limit} bytes"),
                LimitKind::Inflated => {
                    write!(f, "the request body decodes to more than {limit} bytes")
                }
                LimitKind::Buffered => write!(
                    f,
                    "this conversion holds its input (a zip or SAV save) or its output (mode=group) in memory: at most {limit} bytes of input, and in mode=group twice that of JSON and key records; mode=preserve and mode=key-value-pairs stream text of any size"
                ),
            },
            ApiError::Overloaded { limit, .. } => write!(
                f,
                "all {limit} conversion slots are busy; retry after the Retry-After delay"
            ),
            ApiError::TimedOut { limit_secs } => {
                write!(f, "the conversion took longer than {limit_secs} s")
            }
            ApiError::Upload(m) => write!(f, "reading the request body failed: {m}"),
            ApiError::Container { detail, .. } => write!(f, "{detail}"),
            ApiError::NotFound => write!(f, "no such endpoint or file"),
            ApiError::MethodNotAllowed => write!(f, "this method is not allowed here"),
            ApiError::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (status, body).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            ApiError::UnsupportedEncoding(_) => {
                // RFC 7694: tell the client which codings it may use instead.
                headers.insert(
                    header::ACCEPT_ENCODING,
                    HeaderValue::from_static(crate::coding::ACCEPTED_CODINGS),
                );
            }
            ApiError::Overloaded { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        res
    }
}

/// The core's container error as a problem.
pub(crate) fn container_error(e: pdxedge_core::container::ContainerError) -> ApiError {
    use pdxedge_core::container::ContainerErrorKind as Kind;
    let detail = e.to_string();
    let (status, slug, title) = match e.kind() {
        Kind::Text(inner) => return ApiError::from(inner.clone()),
        Kind::Unsupported(_) | Kind::NestedArchive(_) | Kind::NotText { .. } => {
            (422, "unsupported-format", "Unsupported file format")
        }
        Kind::TooManyEntries { .. }
        | Kind::InputTooLarge { .. }
        | Kind::TooLarge { .. }
        | Kind::RatioTooHigh { .. } => (413, "too-large", "Input too large"),
        Kind::NoSuchEntry { .. } => (400, "no-such-entry", "No such entry"),
        Kind::VerifyFailed(_) | Kind::Output(_) => (500, "internal", "Internal error"),
        _ => (400, "bad-container", "Malformed save container"),
    };
    let offset = match e.kind() {
        Kind::Corrupt { offset, .. } => *offset,
        Kind::NotText { offset, .. } => Some(*offset),
        _ => None,
    };
    ApiError::Container {
        status,
        slug,
        title,
        detail,
        offset,
    }
}
