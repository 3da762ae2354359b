//! The host's end of the plugin log bridge.
//!
//! `tracing` macros need a `'static` target known at compile time, but plugin names are
//! known at run time. So for each plugin and level the host makes one callsite, leaked once
//! (there are at most five per library, and libraries are never unloaded), whose target is
//! `plugin::<name>`. Events then go through the host's subscriber like its own: filters
//! such as `RUST_LOG=plugin::normalize=debug` work.

use moulin_abi::abi_stable::std_types::RStr;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use tracing::callsite::{Callsite, Identifier};
use tracing::field::{FieldSet, Value};
use tracing::metadata::Kind;
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata};

struct PluginCallsite {
    metadata: OnceLock<Metadata<'static>>,
}

impl Callsite for PluginCallsite {
    fn set_interest(&self, _: Interest) {}
    fn metadata(&self) -> &Metadata<'_> {
        self.metadata.get().expect("callsite metadata is set before registration")
    }
}

const FIELDS: &[&str] = &["message", "module"];

fn callsite(plugin: &str, level: Level) -> &'static PluginCallsite {
    static CALLSITES: OnceLock<Mutex<HashMap<(String, Level), &'static PluginCallsite>>> = OnceLock::new();
    let mut map = CALLSITES.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    map.entry((plugin.to_string(), level)).or_insert_with(|| {
        let target: &'static str = Box::leak(format!("plugin::{plugin}").into_boxed_str());
        let cs: &'static PluginCallsite = Box::leak(Box::new(PluginCallsite { metadata: OnceLock::new() }));
        let fields = FieldSet::new(FIELDS, Identifier(cs));
        let _ = cs.metadata.set(Metadata::new("plugin event", target, level, None, None, None, fields, Kind::EVENT));
        tracing::callsite::register(cs);
        cs
    })
}

fn level_of(n: u8) -> Level {
    match n {
        0 | 1 => Level::ERROR,
        2 => Level::WARN,
        3 => Level::INFO,
        4 => Level::DEBUG,
        _ => Level::TRACE,
    }
}

/// Emit a plugin's event under `plugin::<plugin>`.
pub fn emit(plugin: &str, level: u8, module: &str, message: &str) {
    let cs = callsite(plugin, level_of(level));
    let meta: &'static Metadata<'static> = cs.metadata.get().expect("set at creation");
    if !tracing::dispatcher::get_default(|d| d.enabled(meta)) {
        return;
    }
    let fields = meta.fields();
    let mut names = fields.iter();
    let (Some(message_field), Some(module_field)) = (names.next(), names.next()) else { return };
    let values: [(&tracing::field::Field, Option<&dyn Value>); 2] =
        [(&message_field, Some(&message as &dyn Value)), (&module_field, Some(&module as &dyn Value))];
    Event::dispatch(meta, &fields.value_set(&values));
}

/// The services handed to one plugin library.
pub struct HostLogger {
    plugin: String,
}

impl HostLogger {
    /// For the library called `plugin`.
    pub fn new(plugin: &str) -> Self {
        HostLogger { plugin: plugin.to_string() }
    }
}

impl moulin_abi::HostCtx for HostLogger {
    fn log(&self, level: u8, target: RStr<'_>, message: RStr<'_>) {
        emit(&self.plugin, level, target.as_str(), message.as_str());
    }

    fn max_level(&self) -> u8 {
        use tracing::level_filters::LevelFilter;
        match LevelFilter::current() {
            LevelFilter::OFF => 0,
            LevelFilter::ERROR => 1,
            LevelFilter::WARN => 2,
            LevelFilter::INFO => 3,
            LevelFilter::DEBUG => 4,
            _ => 5,
        }
    }
}
