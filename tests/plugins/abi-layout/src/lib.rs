//! A plugin built against a moulin-abi whose `Span` has an extra field under the same
//! version: the host's layout check must refuse it.
use moulin_plugin::{Document, Error, Stage, StageContext, Transform, Transforms};

/// No settings.
#[derive(serde::Deserialize)]
pub struct Config {}

/// Does nothing.
pub struct LayoutChanged;

impl Stage for LayoutChanged {
    type Config = Config;
    type Role = Transforms;
    const NAME: &'static str = "layout_changed";
    const SUMMARY: &'static str = "Built against a moulin-abi with another layout.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(LayoutChanged)
    }
}

impl Transform for LayoutChanged {
    fn process(&mut self, _: &mut Document) -> Result<(), Error> {
        Ok(())
    }
}

moulin_plugin::export_plugin!(LayoutChanged);
