//! The error type plugin authors return.

use moulin_abi::{abi_stable::std_types::RString, ErrorKind, PluginError};
use std::fmt;

/// An error from a plugin stage: a kind, a message, and for configuration errors the key at
/// fault.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    key: Option<String>,
}

impl Error {
    /// One document could not be processed; the others go on.
    pub fn document(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::DOCUMENT, message: message.into(), key: None }
    }

    /// The configuration is wrong at `key` (a dotted path such as `lists.0`).
    pub fn config(key: impl Into<String>, message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::CONFIG, message: message.into(), key: Some(key.into()) }
    }

    /// Reading or writing a file failed.
    pub fn io(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::IO, message: message.into(), key: None }
    }

    /// Anything else.
    pub fn other(message: impl Into<String>) -> Self {
        Error { kind: ErrorKind::OTHER, message: message.into(), key: None }
    }

    pub(crate) fn with_kind(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), key: None }
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The configuration key at fault, for configuration errors.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// Convert to the ABI error.
    pub fn into_abi(self) -> PluginError {
        let details = match &self.key {
            Some(key) => serde_json::json!({ "key": key }).to_string(),
            None => "{}".to_string(),
        };
        PluginError { kind: self.kind, message: self.message.into(), details_json: RString::from(details) }
    }

    /// Convert from the ABI error.
    pub fn from_abi(e: &PluginError) -> Self {
        let key = serde_json::from_str::<serde_json::Value>(&e.details_json)
            .ok()
            .and_then(|v| v.get("key").and_then(|k| k.as_str()).map(String::from));
        Error { kind: e.kind, message: e.message.to_string(), key }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) if !key.is_empty() => write!(f, "{key}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::io(e.to_string())
    }
}
