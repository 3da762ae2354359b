//! Passes before the main pass: a stage that must see the whole input first (lines
//! repeated across a site's pages) gets an observation pass over the input.

use crate::batch::Reader;
use crate::engine::{Checkpoints, Engine};
use crate::stages::StageSpec;
use crate::Error;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

/// Whether a stage wants an observation pass: its manifest says it may, and an instance
/// made with the run's configuration says yes.
fn observation_wanted(spec: &StageSpec, output: &Path, threads: usize) -> Result<bool, Error> {
    let may = spec.library.manifest.stages.iter().any(|s| s.name == spec.name && s.observes);
    if !may {
        return Ok(false);
    }
    // Made as an observer: it only answers, and an observer expects no observations.
    let probe_spec = StageSpec { observing: true, ..spec.clone() };
    let mut probe = probe_spec.instantiate(output, 0, threads).map_err(Error::Setup)?;
    Ok(match probe.call_ext(moulin_abi::ext::OBSERVES.into(), "".into()) {
        moulin_abi::abi_stable::std_types::RResult::ROk(answer) => answer.as_str() == "true",
        moulin_abi::abi_stable::std_types::RResult::RErr(_) => false,
    })
}

/// Run the observation pass of every stage that wants one: the stages before it and it
/// (observing) over every document, nothing exported and nothing counted; what its
/// instances return from `finish` goes to the main pass. Returns each observed stage's
/// index and the pass's seconds.
pub(crate) fn observe(
    stages: &mut [StageSpec],
    reader: &Reader<'_>,
    output: &Path,
    threads: usize,
    max_stage_restarts: usize,
) -> Result<Vec<(usize, f64)>, Error> {
    let mut observed = Vec::new();
    for i in 0..stages.len() {
        if !observation_wanted(&stages[i], output, threads)? {
            continue;
        }
        tracing::info!(stage = %stages[i].id, "Observation pass: reading the input once before the run.");
        let mut prefix = stages[..=i].to_vec();
        prefix[i].observing = true;
        let engine = Engine {
            stages: prefix,
            exporters: Vec::new(),
            threads,
            output_dir: output.to_path_buf(),
            max_stage_restarts,
            checkpoint: Checkpoints::Off,
        };
        let started = Instant::now();
        let source =
            |emit: &mut dyn FnMut(crate::batch::Batch) -> bool| reader.read(0, Arc::new(AtomicU64::new(0)), None, emit);
        let outcome = engine.run(source, |_, _| {}).map_err(Error::Setup)?;
        if let Some(fatal) = outcome.fatal {
            return Err(Error::Setup(format!("the observation pass of stage `{}` stopped: {fatal}", stages[i].id)));
        }
        stages[i].observations = outcome.finished[i].clone();
        observed.push((i, started.elapsed().as_secs_f64()));
    }
    Ok(observed)
}
