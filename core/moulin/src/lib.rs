//! placeholder
#![allow(missing_docs)]
pub mod config;
pub mod corpus;
pub mod hostlog;
pub mod plugins;
