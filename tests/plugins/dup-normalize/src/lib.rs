//! A second library offering a stage called `normalize`.
use moulin_plugin::{Document, Error, Stage, StageContext, Transform, Transforms};

/// Does nothing, under a name already taken.
pub struct Impostor;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
/// No settings.
pub struct Config {}

impl Stage for Impostor {
    type Config = Config;
    type Role = Transforms;
    const NAME: &'static str = "normalize";
    const SUMMARY: &'static str = "Claims a stage name another library has.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(Impostor)
    }
}

impl Transform for Impostor {
    fn process(&mut self, _: &mut Document) -> Result<(), Error> {
        Ok(())
    }
}

moulin_plugin::export_plugin!(Impostor);
