/*!
The cost of the plugin boundary: the same stages run through the same [`moulin::Pipeline`],
once from plugin libraries loaded with libloading ([`dynamic`]) and once linked into the
binary ([`linked`]). Both go through the stable ABI's trait objects; what differs is the
library boundary itself (no inlining across it, calls through the loaded module's table).

```
let docs = vec![moulin::Doc::new("a", "Bonjour  le   monde")];
let pipeline = moulin_bench_boundary::linked(moulin_normalize::moulin_plugin_module(), "normalize").unwrap();
assert_eq!(pipeline.process(docs).count(), 1);
```
*/
#![deny(missing_docs)]

use moulin::{Pipeline, PipelineBuilder, Registry};
use moulin_abi::PluginModule_Ref;
use std::path::{Path, PathBuf};

/// The folder of the built plugin libraries: `target/<profile>` beside the running binary
/// (benchmarks run from `target/<profile>/deps`).
pub fn library_folder() -> PathBuf {
    let exe = std::env::current_exe().expect("the benchmark has a path");
    exe.parent().and_then(Path::parent).expect("binaries live in target/<profile>/deps").to_path_buf()
}

fn pipeline(registry: Registry, stage: &str) -> Result<Pipeline, String> {
    PipelineBuilder::new(registry)
        .threads(1)
        .stage(stage, stage, serde_json::json!({}))
        .build()
        .map_err(|e| e.to_string())
}

/// Stage `stage` (default config, one worker) from its plugin library in
/// [`library_folder`] (built by `cargo build --release --workspace`).
pub fn dynamic(stage: &str) -> Result<Pipeline, String> {
    let library = library_folder().join(format!(
        "{}moulin_{stage}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    if !library.exists() {
        return Err(format!("{} is missing: run `cargo build --release --workspace` first", library.display()));
    }
    let (registry, errors) = Registry::discover(&[library]);
    if !errors.is_empty() {
        return Err(format!("{errors:?}"));
    }
    pipeline(registry, stage)
}

/// Stage `stage` (default config, one worker) from `module`, linked into this binary.
pub fn linked(module: PluginModule_Ref, stage: &str) -> Result<Pipeline, String> {
    let mut registry = Registry::new();
    registry.add_module(module).map_err(|e| e.to_string())?;
    pipeline(registry, stage)
}

/// Time `stage` linked and loaded over the benchmark documents (criterion group
/// `boundary/<stage>`, throughput in bytes of text).
pub fn compare(c: &mut criterion::Criterion, module: PluginModule_Ref, stage: &str) {
    let docs: Vec<moulin::Doc> =
        moulin_bench_corpus::documents(4_000_000).iter().map(|(id, text)| moulin::Doc::new(id, text)).collect();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    eprintln!("boundary/{stage}: {} documents, {bytes} bytes, from {}", docs.len(), moulin_bench_corpus::source());
    let mut group = c.benchmark_group(format!("boundary/{stage}"));
    group.throughput(criterion::Throughput::Bytes(bytes as u64)).sample_size(10);
    let pipelines = [
        ("linked", linked(module, stage).expect("linked stage")),
        ("dynamic", dynamic(stage).expect("plugin library")),
    ];
    for (name, pipeline) in &pipelines {
        group.bench_function(*name, |b| {
            b.iter_batched(|| docs.clone(), |docs| pipeline.process(docs).count(), criterion::BatchSize::LargeInput)
        });
    }
    group.finish();
}
