/*!
The moulin engine, and the API for embedding it.

A **project** ([`Project`]) is a TOML file naming the input, the plugin stages and their
settings. [`Project::load`] parses it, loads the plugin libraries and checks every stage's
configuration, reporting all problems at once; [`Project::run`] walks the corpus, streams
documents through the stages on worker threads and writes the outputs, `errors.jsonl`,
`manifest.json`, `report.html` (one page, [`report_page`]) and, while it runs, `stats.json`
(its counts so far, [`LiveStats`]).

To run stages over documents you already have, build a [`Pipeline`] from a [`Registry`] of
plugin libraries (loaded from folders, or linked in statically) and give it an iterator.
[`Pipeline::process_items`] takes items of the caller's that may not be documents: one it
rejects fails in its place. With the cargo feature `terminal-progress`, the module
`terminal` draws the progress bar the `moulin` command shows.

The modules follow a document's way (docs/architecture.md names each): [`config`] ->
[`plugins`] (load, registry) -> the project -> [`corpus`] (walk, then readers) -> batches ->
stages on the workers -> reorder -> the export thread -> the run's ledger and manifest
([`report`] holds what they count, [`content`] what the exported documents hold). The engine's hops and the run's parts (resume, the
journal, passes before the main pass) are internal; [`shard`] splits a run over tasks and
[`cluster`] follows and merges them.

```
use moulin::{Doc, Outcome, PipelineBuilder, Registry};

// Plugin libraries come from folders (`Registry::discover`) or are linked in statically
// (`Registry::add_module`). With no stage at all, documents pass through unchanged.
let pipeline = PipelineBuilder::new(Registry::new()).threads(2).build()?;
let outputs = pipeline.process(vec![Doc::new("a", "Bonjour"), Doc::new("b", "Salut")]);
let ids: Vec<String> = outputs
    .map(|o| match o {
        Outcome::Kept(doc) => doc.id.to_string(),
        other => panic!("unexpected {other:?}"),
    })
    .collect();
assert_eq!(ids, ["a", "b"]);
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

mod batch;
pub mod cluster;
pub mod config;
pub mod content;
pub mod corpus;
mod embed;
mod engine;
mod error;
mod export;
mod hostlog;
pub mod plugins;
mod project;
mod reorder;
pub mod report;
pub mod report_page;
mod run;
pub mod shard;
mod stages;
#[cfg(feature = "terminal-progress")]
pub mod terminal;

pub use config::{ConfigError, ProjectConfig};
pub use embed::{Outcome, Outputs, Pipeline, PipelineBuilder, Rejected};
pub use error::{Error, LockError, Problem, StageError};
pub use moulin_abi::{Doc, Span, ABI_VERSION};
pub use plugins::{Library, LoadError, LoadProblem, Registry, StageKind};
pub use project::{Check, CheckLine, Project};
pub use report::{
    ConcatenatedFile, ErrorRecord, FileReport, LiveStats, MergedManifest, PluginEntry, ProjectEntry, RunEntry,
    RunManifest, RunReport, RunStatus, StageReport, Totals,
};
pub use run::{Progress, RunOptions, RunResult};
