//! Forwards the plugin's `tracing` events to the host.
//!
//! A plugin library has its own copy of `tracing` and so its own global dispatcher, which
//! the host's subscriber never sees. The SDK installs, in the library, a subscriber that
//! hands each event to the host's log callback; the host shows it under `plugin::<name>`.

use moulin_abi::{abi_stable::std_types::RStr, HostCtxBox};
use std::fmt::Write;
use tracing::{
    field::{Field, Visit},
    span, Event, Level, Metadata, Subscriber,
};

/// Level numbers as the ABI has them (1 error ... 5 trace).
pub fn level_number(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

struct Forward {
    host: HostCtxBox,
    max: u8,
}

#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            if self.0.is_empty() {
                let _ = write!(self.0, "{value:?}");
            } else {
                self.0 = format!("{value:?} {}", self.0);
            }
        } else {
            let sep = if self.0.is_empty() { "" } else { " " };
            let _ = write!(self.0, "{sep}{}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }
}

impl Subscriber for Forward {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        level_number(metadata.level()) <= self.max
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = Text::default();
        event.record(&mut text);
        let meta = event.metadata();
        self.host.log(level_number(meta.level()), RStr::from(meta.target()), RStr::from(text.0.as_str()));
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

/// Make the host's logger this library's global `tracing` subscriber (first call wins).
pub fn install(host: HostCtxBox) {
    let max = host.max_level();
    let _ = tracing::subscriber::set_global_default(Forward { host, max });
}
