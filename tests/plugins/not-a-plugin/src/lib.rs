//! A shared library that is not a moulin plugin: it has no root module.

/// Something to export.
#[no_mangle]
pub extern "C" fn hello() -> u32 {
    42
}
