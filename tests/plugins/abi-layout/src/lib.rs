//! A plugin built against a moulin-abi whose `Span` has an extra field under the same
//! version: the host's layout check must refuse it.
use moulin_plugin::{Document, Error, Kind, Stage, StageContext};

/// No settings.
#[derive(serde::Deserialize)]
pub struct Config {}

/// Does nothing.
pub struct LayoutChanged;

impl Stage for LayoutChanged {
    type Config = Config;
    const NAME: &'static str = "layout_changed";
    const KIND: Kind = Kind::Transform;
    const SUMMARY: &'static str = "Built against a moulin-abi with another layout.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(LayoutChanged)
    }
    fn process(&mut self, _: &mut Document) -> Result<(), Error> {
        Ok(())
    }
}

moulin_plugin::export_plugin!(LayoutChanged);
