//! What `export_plugin!` expands to: the manifest, the extern functions of the root module,
//! and the module itself. Not for direct use.

use crate::passes::PassHooks;
use crate::{adapter, parse_config, Error, Passes, Stage, StageContext};
use moulin_abi::{
    abi_stable::{
        prefix_type::PrefixTypeTrait,
        std_types::{RResult, RStr, RString},
    },
    AbiInfo, ErrorKind, HostCtxBox, PluginError, PluginModule, PluginModule_Ref, StageBox, ABI_MAJOR, ABI_VERSION,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

/// The SDK's version, reported in every plugin's [`AbiInfo`].
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The rustc that built the SDK (and so the plugin).
pub const RUSTC_VERSION: &str = env!("MOULIN_RUSTC_VERSION");

/// One stage of a library, as the manifest lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StageInfo {
    /// The stage name.
    pub name: &'static str,
    /// What it does.
    pub kind: moulin_abi::contract::StageKind,
    /// One line.
    pub summary: &'static str,
    /// An example config table, TOML.
    pub example_config: &'static str,
    /// Whether the stage may ask for passes before the main pass ([`crate::Passes`]).
    pub observes: bool,
}

/// The manifest entry of a stage type; `passes`: exported with [`crate::Passes`].
pub fn info<S: Stage>(passes: bool) -> StageInfo {
    StageInfo {
        name: S::NAME,
        kind: crate::stage::kind_of::<S>().contract(),
        summary: S::SUMMARY,
        example_config: S::EXAMPLE_CONFIG,
        observes: passes,
    }
}

/// Parse and validate a config for `S`.
pub fn check<S: Stage>(config_json: &str) -> Result<S::Config, Error> {
    let config: S::Config = parse_config(config_json)?;
    S::validate(&config)?;
    Ok(config)
}

/// Make an `S` as a stage trait object.
pub fn make<S: Stage>(config_json: &str, ctx: &StageContext) -> Result<StageBox, Error> {
    let config = check::<S>(config_json)?;
    let (stage, writes) = crate::output::claims(|| S::new(config, ctx));
    Ok(adapter::Adapter::into_box(stage?, None, ctx, writes))
}

/// Make an `S` with passes as a stage trait object.
pub fn make_with_passes<S: Passes>(config_json: &str, ctx: &StageContext) -> Result<StageBox, Error> {
    let config = check::<S>(config_json)?;
    let hooks = PassHooks::of(&config);
    let (stage, writes) = crate::output::claims(|| S::new(config, ctx));
    Ok(adapter::Adapter::into_box(stage?, Some(hooks), ctx, writes))
}

/// A plugin library, as `export_plugin!` describes it.
pub trait PluginDef: 'static {
    /// The library name (the plugin crate's name).
    const NAME: &'static str;
    /// The library version.
    const VERSION: &'static str;
    /// `cfg!(panic = "unwind")`, evaluated in the plugin crate.
    const PANIC_UNWIND: bool;
    /// Every stage the library offers.
    fn stages() -> Vec<StageInfo>;
    /// Check a stage's config; `None` when the library has no such stage.
    fn check(stage: &str, config_json: &str) -> Option<Result<(), Error>>;
    /// Make a stage; `None` when the library has no such stage.
    fn make(stage: &str, config_json: &str, ctx: &StageContext) -> Option<Result<StageBox, Error>>;
}

fn unknown_stage<P: PluginDef>(stage: &str) -> Error {
    let names: Vec<_> = P::stages().iter().map(|s| s.name).collect();
    Error::with_kind(
        ErrorKind::UNKNOWN_STAGE,
        format!("library `{}` has no stage `{stage}`; it offers: {}", P::NAME, names.join(", ")),
    )
}

/// The manifest JSON of a library (`moulin_abi::contract::LibraryManifest`).
pub fn manifest<P: PluginDef>() -> String {
    let manifest = moulin_abi::contract::LibraryManifest {
        name: P::NAME.to_string(),
        version: P::VERSION.to_string(),
        abi_version: ABI_VERSION.to_string(),
        sdk_version: SDK_VERSION.to_string(),
        rustc: RUSTC_VERSION.to_string(),
        stages: P::stages()
            .into_iter()
            .map(|s| moulin_abi::contract::StageManifest {
                name: s.name.to_string(),
                kind: s.kind,
                summary: s.summary.to_string(),
                example_config: s.example_config.to_string(),
                observes: s.observes,
            })
            .collect(),
    };
    serde_json::to_string(&manifest).unwrap_or_default()
}

extern "C" fn manifest_json<P: PluginDef>() -> RString {
    match adapter::guard(|| Ok(manifest::<P>())) {
        RResult::ROk(s) => RString::from(s),
        RResult::RErr(_) => RString::from("{}"),
    }
}

extern "C" fn check_config<P: PluginDef>(stage: RStr<'_>, config_json: RStr<'_>) -> RResult<(), PluginError> {
    adapter::guard(|| {
        P::check(stage.as_str(), config_json.as_str()).unwrap_or_else(|| Err(unknown_stage::<P>(stage.as_str())))
    })
}

/// Set when this copy of the SDK serves a dynamically loaded library (each cdylib has its
/// own copy of this static). Then, and only then, the SDK owns the library's panic hook and
/// tracing dispatcher; a statically linked plugin shares the host's.
static DYNAMIC: AtomicBool = AtomicBool::new(false);
static LOG_ONCE: Once = Once::new();

extern "C" fn new_stage<P: PluginDef>(
    stage: RStr<'_>,
    config_json: RStr<'_>,
    context_json: RStr<'_>,
    host: HostCtxBox,
) -> RResult<StageBox, PluginError> {
    adapter::guard(|| {
        if DYNAMIC.load(Ordering::Relaxed) {
            LOG_ONCE.call_once(|| crate::log::install(host));
        }
        let ctx: StageContext = serde_json::from_str(context_json.as_str())
            .map_err(|e| Error::other(format!("bad stage context from the host: {e}")))?;
        P::make(stage.as_str(), config_json.as_str(), &ctx).unwrap_or_else(|| Err(unknown_stage::<P>(stage.as_str())))
    })
}

/// Build the root module of a library. `dynamic` is true in the exported (cdylib) build
/// only: it installs the panic hook and the log bridge in the library's own std and tracing.
pub fn module<P: PluginDef>(dynamic: bool) -> PluginModule_Ref {
    if dynamic {
        DYNAMIC.store(true, Ordering::Relaxed);
        adapter::install_panic_hook();
    }
    PluginModule {
        abi: AbiInfo {
            abi_major: ABI_MAJOR,
            panic_unwind: P::PANIC_UNWIND,
            rustc: RStr::from_str(RUSTC_VERSION),
            sdk_version: RStr::from_str(SDK_VERSION),
        },
        manifest_json: manifest_json::<P>,
        check_config: check_config::<P>,
        new_stage: new_stage::<P>,
    }
    .leak_into_prefix()
}
