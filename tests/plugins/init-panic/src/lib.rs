//! A plugin whose root module constructor panics.
use abi_stable::export_root_module;
use moulin_abi::PluginModule_Ref;

#[export_root_module]
fn root_module() -> PluginModule_Ref {
    panic!("the constructor of init-panic panicked")
}
