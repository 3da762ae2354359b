//! A correct plugin, built with `panic = "abort"`: the host must refuse it, since any panic
//! in it would end the host.
use moulin_plugin::{Document, Error, Stage, StageContext, Transform, Transforms};

/// No settings.
#[derive(serde::Deserialize)]
pub struct Config {}

/// Does nothing.
pub struct Aborty;

impl Stage for Aborty {
    type Config = Config;
    type Role = Transforms;
    const NAME: &'static str = "aborty";
    const SUMMARY: &'static str = "Built with panic = abort.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(Aborty)
    }
}

impl Transform for Aborty {
    fn process(&mut self, _: &mut Document) -> Result<(), Error> {
        Ok(())
    }
}

moulin_plugin::export_plugin!(Aborty);
