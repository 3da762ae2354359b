//! A second library offering a stage called `normalize`.
use moulin_plugin::{Document, Error, Kind, Stage, StageContext};

/// Does nothing, under a name already taken.
pub struct Impostor;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
/// No settings.
pub struct Config {}

impl Stage for Impostor {
    type Config = Config;
    const NAME: &'static str = "normalize";
    const KIND: Kind = Kind::Transform;
    const SUMMARY: &'static str = "Claims a stage name another library has.";
    fn new(_: Config, _: &StageContext) -> Result<Self, Error> {
        Ok(Impostor)
    }
    fn process(&mut self, _: &mut Document) -> Result<(), Error> {
        Ok(())
    }
}

moulin_plugin::export_plugin!(Impostor);
