/*!
The SDK for writing moulin plugins.

A plugin author implements [`Stage`] on a plain Rust type, with a serde configuration, and
the trait of its role ([`Transform`], [`Annotate`] or [`Export`]; [`Passes`] too for a stage
that reads the input first), and calls [`export_plugin!`] once per library. The SDK does the rest: the ABI root module and
manifest, a panic guard around every call, configuration errors that name the key, a bridge
that sends the plugin's `tracing` events to the host, and a [`testkit`] that runs a stage
on documents in-process.

```
use moulin_plugin::{testkit::{docs, Harness}, Document, Error, Stage, StageContext, Transform, Transforms};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShoutConfig { #[serde(default)] min_len: usize }

struct Shout { min_len: usize }

impl Stage for Shout {
    type Config = ShoutConfig;
    type Role = Transforms; // so it implements Transform; `fn export` would not compile
    const NAME: &'static str = "shout";
    const SUMMARY: &'static str = "Upper-cases the text; drops short documents.";

    fn new(config: ShoutConfig, _ctx: &StageContext) -> Result<Self, Error> {
        Ok(Shout { min_len: config.min_len })
    }
}

impl Transform for Shout {
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        if doc.text().len() < self.min_len {
            doc.drop_with("shout: too short");
        } else {
            let upper = doc.text().to_uppercase();
            doc.set_text(upper);
        }
        Ok(())
    }
}

// In a plugin crate: `moulin_plugin::export_plugin!(Shout);` (with the `export` feature).

let mut stage = Harness::new::<Shout>(serde_json::json!({ "min_len": 3 }))?;
let out = stage.process(docs(&[("a", "salut"), ("b", "é")]))?;
assert_eq!(out.kept[0].text(), "SALUT");
assert_eq!(out.dropped[0].drop_reason(), Some("shout: too short"));

let err = Harness::new::<Shout>(serde_json::json!({ "min_lenn": 3 })).err().unwrap();
assert_eq!(err.key(), Some("min_lenn"));
# Ok::<(), Box<dyn std::error::Error>>(())
```

# Building a plugin library

The plugin crate is a `cdylib` (and an `rlib`, for tests and static linking) with a default
cargo feature `export`, under which `export_plugin!` emits the library's root module:

```toml
[lib]
crate-type = ["cdylib", "rlib"]

[features]
default = ["export"]
export = []
```

Without that feature, the crate exposes `moulin_plugin_module()` only, so that several
plugins can be linked into one test or benchmark binary (two exported root modules in one
binary would clash). See `docs/plugin-guide.md`.
*/
#![deny(missing_docs)]

mod adapter;
mod document;
mod error;
#[doc(hidden)]
pub mod export;
mod log;
pub mod output;
pub mod passes;
mod stage;
pub mod testkit;

pub use document::Document;
pub use error::Error;
pub use moulin_abi::{ErrorKind, Span, ABI_MAJOR, ABI_VERSION};
pub use passes::{MergeSummary, Merged, PassPlan, PassResult, Passes, Record, RecordReader, RecordWriter, Records};
pub use stage::{
    parse_config, Annotate, Annotates, Annotation, Export, Exports, Kind, NoConfig, Role, Stage, StageContext,
    Transform, Transforms,
};

/// Re-exports for `export_plugin!`; not for direct use.
#[doc(hidden)]
pub mod __private {
    pub use crate::export::{check, info, make, make_with_passes, module, PluginDef, StageInfo};
    pub use moulin_abi::{abi_stable, PluginModule_Ref, StageBox};
    pub use serde_json;
}

/// Export the stages of a plugin library.
///
/// `export_plugin!(StageA, StageB);` names every [`Stage`] type of the library; a stage
/// that also implements [`Passes`] is named with `[passes]` after it:
/// `export_plugin!(StageA, Dedup [passes]);`. It defines
/// `pub fn moulin_plugin_module()`, which returns the library's module (for linking the
/// plugin statically into a test or benchmark), and, when the calling crate's `export`
/// feature is on, the exported root module the host loads. The library's name and version
/// are the crate's.
#[macro_export]
macro_rules! export_plugin {
    ($($stage:ty $([$passes:ident])?),+ $(,)?) => {
        #[doc(hidden)]
        pub struct __MoulinPlugin;

        impl $crate::__private::PluginDef for __MoulinPlugin {
            const NAME: &'static str = env!("CARGO_PKG_NAME");
            const VERSION: &'static str = env!("CARGO_PKG_VERSION");
            const PANIC_UNWIND: bool = cfg!(panic = "unwind");

            fn stages() -> Vec<$crate::__private::StageInfo> {
                vec![$($crate::__private::info::<$stage>($crate::__with_passes!($($passes)?))),+]
            }

            fn check(stage: &str, config_json: &str) -> Option<Result<(), $crate::Error>> {
                $(
                    if stage == <$stage as $crate::Stage>::NAME {
                        return Some($crate::__private::check::<$stage>(config_json).map(|_| ()));
                    }
                )+
                None
            }

            fn make(
                stage: &str,
                config_json: &str,
                ctx: &$crate::StageContext,
            ) -> Option<Result<$crate::__private::StageBox, $crate::Error>> {
                $(
                    if stage == <$stage as $crate::Stage>::NAME {
                        return Some($crate::__make_stage!($stage, config_json, ctx $(, $passes)?));
                    }
                )+
                None
            }
        }

        /// This library's plugin module, for linking it statically into a host.
        pub fn moulin_plugin_module() -> $crate::__private::PluginModule_Ref {
            static MODULE: ::std::sync::OnceLock<$crate::__private::PluginModule_Ref> = ::std::sync::OnceLock::new();
            *MODULE.get_or_init(|| $crate::__private::module::<__MoulinPlugin>(false))
        }

        #[cfg(feature = "export")]
        const _: () = {
            use $crate::__private::abi_stable::library as __lib;

            extern "C" fn __moulin_root_module() -> __lib::RootModuleResult {
                __lib::__call_root_module_loader(|| $crate::__private::module::<__MoulinPlugin>(true))
            }

            // What abi_stable's `#[export_root_module]` expands to, written through `$crate`
            // so that plugin crates need not depend on abi_stable themselves. The symbol name
            // is abi_stable's `ROOT_MODULE_LOADER_NAME` (an SDK test checks it).
            #[no_mangle]
            pub static _1as_0lib_1header_0root_bmodule_bloader: __lib::LibHeader = unsafe {
                __lib::LibHeader::from_constructor::<$crate::__private::PluginModule_Ref>(
                    __moulin_root_module,
                    __lib::CheckTypeLayout::Yes,
                )
            };
        };
    };
}

/// For `export_plugin!`: whether a stage is exported with passes.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_passes {
    () => {
        false
    };
    (passes) => {
        true
    };
}

/// For `export_plugin!`: make a stage, with its passes when it is exported with them.
#[doc(hidden)]
#[macro_export]
macro_rules! __make_stage {
    ($stage:ty, $config:expr, $ctx:expr) => {
        $crate::__private::make::<$stage>($config, $ctx)
    };
    ($stage:ty, $config:expr, $ctx:expr, passes) => {
        $crate::__private::make_with_passes::<$stage>($config, $ctx)
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_symbol_name_is_abi_stables() {
        assert_eq!(moulin_abi::abi_stable::library::ROOT_MODULE_LOADER_NAME, "_1as_0lib_1header_0root_bmodule_bloader");
    }
}
