//! A plugin whose root module constructor returns an error (a model file that is missing,
//! say).
use abi_stable::{
    export_root_module,
    std_types::{RBoxError, RResult},
};
use moulin_abi::PluginModule_Ref;

#[export_root_module]
fn root_module() -> RResult<PluginModule_Ref, RBoxError> {
    RResult::RErr(RBoxError::from_fmt(&"cannot open model file /nonexistent/model.bin"))
}
