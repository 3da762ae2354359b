//! Embedding moulin in a tool of your own.
//!
//! 1. Load the plugin libraries on the plugin path and run `normalize` over documents this
//!    program makes, on two threads, getting the processed documents back.
//! 2. With a project file as argument, run the whole project as `moulin run` would.
//!
//! `cargo build --workspace && cargo run -p moulin-embed-example -- examples/french-news/moulin.toml`
use moulin::{plugins, Doc, Outcome, PipelineBuilder, Project, Registry};
use std::process::ExitCode;

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    // Plugins are found on MOULIN_PLUGIN_PATH and in this executable's folder.
    let (registry, problems) = Registry::discover(&plugins::search_path(&[]));
    for p in &problems {
        eprintln!("{p}");
    }
    let pipeline =
        PipelineBuilder::new(registry).stage("clean", "normalize", serde_json::json!({})).threads(2).build()?;
    let docs = (0..1000)
        .map(|i| Doc::new(&format!("doc-{i}"), &format!("  Caf\u{65}\u{301}  n\u{B0}{i}\u{200B}  \r\n\r\n\r\n fin ")));
    let outputs = pipeline.process(docs);
    let mut kept = 0;
    let mut first = None;
    for outcome in outputs {
        match outcome {
            Outcome::Kept(doc) => {
                kept += 1;
                first.get_or_insert(doc);
            }
            Outcome::Dropped { doc, reason, .. } => println!("dropped {}: {reason}", doc.id),
            Outcome::Failed { id, message, .. } => println!("failed {id}: {message}"),
            // Outcomes a later moulin adds.
            _ => {}
        }
    }
    let first = first.ok_or("no document came back")?;
    println!("{kept} documents normalized; the first: {:?} -> {:?}", first.id.as_str(), first.text.as_str());
    if first.text.as_str() != "Café n°0\n\nfin" {
        return Err(format!("unexpected text {:?}", first.text.as_str()).into());
    }

    if let Some(path) = std::env::args().nth(1) {
        let report = Project::load(&path)?.run()?;
        println!(
            "{path}: {} documents read, {} exported, {} dropped, {} failed",
            report.totals.documents, report.totals.exported, report.totals.dropped, report.totals.failed
        );
        return Ok(if report.has_failures() { ExitCode::from(1) } else { ExitCode::SUCCESS });
    }
    Ok(ExitCode::SUCCESS)
}
