//! A plugin built against moulin-abi 2.0.0 (a copy of this ABI under the next major), with
//! its root module written by hand.
use abi_stable::{
    export_root_module,
    prefix_type::PrefixTypeTrait,
    std_types::{RResult, RStr, RString},
};
use moulin_abi::{AbiInfo, ErrorKind, HostCtxBox, PluginError, PluginModule, PluginModule_Ref, StageBox};

extern "C" fn manifest_json() -> RString {
    RString::from(r#"{"name":"test-abi-next","version":"0.1.0","abi_version":"2.0.0","stages":[]}"#)
}

extern "C" fn check_config(_: RStr<'_>, _: RStr<'_>) -> RResult<(), PluginError> {
    RResult::ROk(())
}

extern "C" fn new_stage(_: RStr<'_>, _: RStr<'_>, _: RStr<'_>, _: HostCtxBox) -> RResult<StageBox, PluginError> {
    RResult::RErr(PluginError::new(ErrorKind::OTHER, "no stages"))
}

#[export_root_module]
fn root_module() -> PluginModule_Ref {
    PluginModule {
        abi: AbiInfo {
            abi_major: 2,
            panic_unwind: true,
            rustc: RStr::from_str("test"),
            sdk_version: RStr::from_str("none"),
        },
        manifest_json,
        check_config,
        new_stage,
    }
    .leak_into_prefix()
}
