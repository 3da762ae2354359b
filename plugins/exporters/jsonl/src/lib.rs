/*!
`jsonl`: an exporter that writes one JSON object per document.

Each line is `{"id", "text", "lang", "lang_score", "meta", "spans"}`, spans as
`{"start", "end", "layer", "label", "score", "source", "attrs"}` with byte offsets (a score
or language score that is not set is `null`). The file is compressed when its name ends in
`.gz` or `.zst`, is written under a temporary name (`<name>.partial`) and renamed when the
run finishes, so a crash never leaves a file that looks complete.

```
use moulin_jsonl::Jsonl;
use moulin_plugin::{testkit::{docs, Harness}, StageContext};

let dir = tempfile::tempdir()?;
let ctx = StageContext { stage_id: "export".into(), output_dir: dir.path().into(), ..Default::default() };
let mut stage = Harness::with_context::<Jsonl>(serde_json::json!({ "path": "docs.jsonl" }), ctx)?;
stage.export(&docs(&[("a", "Bonjour")]))?;
let summary = stage.finish()?;
assert_eq!(summary["rows"], 1);
let written = std::fs::read_to_string(dir.path().join("docs.jsonl"))?;
assert!(written.starts_with(r#"{"id":"a","text":"Bonjour","lang":"und","lang_score":null"#));
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

use moulin_plugin::output::{self, Compressed, Compression, FileLimits, Join, Outputs, PartWriter};
use moulin_plugin::{Document, Error, Export, Exports, Stage, StageContext};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::io::Write;
use std::path::PathBuf;

/// The `config` table of a `jsonl` stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonlConfig {
    /// The output file, relative to the run's output folder. `.gz` or `.zst` at the end
    /// compresses it.
    pub path: PathBuf,
    /// Compression level (gzip 0-9, default 6; zstd 1-22, default 3).
    #[serde(default)]
    pub level: Option<u32>,
    /// Leave spans out of the output. Default false.
    #[serde(default)]
    pub omit_spans: bool,
    /// Start a new part after this many documents. Default: one file.
    #[serde(default)]
    pub max_documents_per_file: Option<u64>,
    /// Start a new part once a file has this many bytes. Default: one file.
    #[serde(default)]
    pub max_bytes_per_file: Option<u64>,
}

impl JsonlConfig {
    fn limits(&self) -> FileLimits {
        FileLimits { max_documents: self.max_documents_per_file, max_bytes: self.max_bytes_per_file }
    }
}

/// The `jsonl` stage.
pub struct Jsonl {
    files: PartWriter<Compressed>,
    omit_spans: bool,
    line: Vec<u8>,
}

#[derive(Serialize)]
struct SpanOut<'a> {
    start: u64,
    end: u64,
    layer: &'a str,
    label: &'a str,
    score: Option<f32>,
    source: &'a str,
    attrs: &'a RawValue,
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    text: &'a str,
    lang: &'a str,
    lang_score: Option<f32>,
    meta: &'a RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    spans: Option<Vec<SpanOut<'a>>>,
}

fn finite(x: f32) -> Option<f32> {
    x.is_finite().then_some(x)
}

fn raw<'a>(json: &'a str, what: &str) -> Result<&'a RawValue, Error> {
    serde_json::from_str(json).map_err(|e| Error::document(format!("{what} is not valid JSON: {e}")))
}

impl Stage for Jsonl {
    type Config = JsonlConfig;
    type Role = Exports;
    const NAME: &'static str = "jsonl";
    const SUMMARY: &'static str = "Writes one JSON object per document (.jsonl, .jsonl.gz, .jsonl.zst).";
    const EXAMPLE_CONFIG: &'static str = "path = \"docs.jsonl.zst\"";

    fn validate(config: &JsonlConfig) -> Result<(), Error> {
        let p = &config.path;
        output::validate_path(p)?;
        config.limits().validate()?;
        Compression::of(p).check_level(config.level)
    }

    fn new(config: JsonlConfig, ctx: &StageContext) -> Result<Self, Error> {
        let (compression, level) = (Compression::of(&config.path), config.level);
        let outputs = Outputs::for_stage(ctx, &config.path, config.limits())?;
        let files = PartWriter::new(
            outputs,
            Box::new(move |file| Compressed::open(file, compression, level)),
            Box::new(Compressed::finish),
        )?
        .continuing(Box::new(move |file| Compressed::open(file, compression, level)));
        Ok(Jsonl { files, omit_spans: config.omit_spans, line: Vec::with_capacity(1 << 16) })
    }

    fn finish(&mut self) -> Result<serde_json::Value, Error> {
        // JSON lines join by bytes, and so do gzip members and zstd frames.
        self.files.finish(Some(Join::Bytes))
    }
}

impl Export for Jsonl {
    fn export(&mut self, doc: &Document) -> Result<(), Error> {
        let spans = if self.omit_spans {
            None
        } else {
            let mut out = Vec::with_capacity(doc.spans().len());
            for s in doc.spans() {
                out.push(SpanOut {
                    start: s.start,
                    end: s.end,
                    layer: &s.layer,
                    label: &s.label,
                    score: finite(s.score),
                    source: &s.source,
                    attrs: raw(&s.attrs_json, "span attrs")?,
                });
            }
            Some(out)
        };
        let line = Line {
            id: doc.id(),
            text: doc.text(),
            lang: doc.lang(),
            lang_score: finite(doc.lang_score()),
            meta: raw(doc.meta_json(), "meta")?,
            spans,
        };
        self.line.clear();
        serde_json::to_writer(&mut self.line, &line).map_err(|e| Error::document(e.to_string()))?;
        self.line.push(b'\n');
        let (writer, part) = self.files.writer()?;
        writer.write_all(&self.line).map_err(|e| Error::io(format!("{}: {e}", part.partial_path().display())))?;
        part.add(1, 0);
        part.set_bytes(writer.bytes());
        Ok(())
    }
    fn can_checkpoint(&self) -> bool {
        self.files.can_checkpoint()
    }
    fn checkpoint(&mut self) -> Result<Option<serde_json::Value>, Error> {
        self.files.checkpoint()
    }
}

moulin_plugin::export_plugin!(Jsonl);

#[cfg(test)]
mod tests {
    use super::*;
    use moulin_plugin::testkit::{check_config, docs, Harness};
    use moulin_plugin::Span;
    use serde_json::json;
    use std::fs::File;
    use std::io::Read;
    use std::path::Path;

    fn ctx(dir: &Path) -> StageContext {
        StageContext { stage_id: "export".into(), output_dir: dir.into(), ..Default::default() }
    }

    #[test]
    fn writes_every_field_and_renames_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let mut stage = Harness::with_context::<Jsonl>(json!({"path": "sub/out.jsonl"}), ctx(dir.path())).unwrap();
        let mut d = docs(&[("a#1", "Paris \"x\"\n")]);
        d[0].set_lang("fr", 0.5);
        d[0].set_meta_field("k", json!([1, 2]));
        let mut span = Span::new(0, 5, "entity", "LOC", "tag");
        span.score = 0.75;
        d[0].add_span(span);
        assert!(stage.export(&d).unwrap().is_empty());
        assert!(dir.path().join("sub/out.jsonl.partial").exists());
        assert!(!dir.path().join("sub/out.jsonl").exists());
        let summary = stage.finish().unwrap();
        assert_eq!(summary["rows"], 1);
        let text = std::fs::read_to_string(dir.path().join("sub/out.jsonl")).unwrap();
        assert_eq!(summary["bytes"], text.len() as u64);
        let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(
            v,
            json!({"id": "a#1", "text": "Paris \"x\"\n", "lang": "fr", "lang_score": 0.5, "meta": {"k": [1, 2]},
                   "spans": [{"start": 0, "end": 5, "layer": "entity", "label": "LOC", "score": 0.75, "source": "tag", "attrs": {}}]})
        );
        assert!(!dir.path().join("sub/out.jsonl.partial").exists());
    }

    #[test]
    fn compresses_by_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.jsonl.gz", "a.jsonl.zst"] {
            let mut stage = Harness::with_context::<Jsonl>(json!({"path": name}), ctx(dir.path())).unwrap();
            stage.export(&docs(&[("a", "x"), ("b", "y")])).unwrap();
            stage.finish().unwrap();
            let file = File::open(dir.path().join(name)).unwrap();
            let mut text = String::new();
            if name.ends_with(".gz") {
                flate2::read::GzDecoder::new(file).read_to_string(&mut text).unwrap();
            } else {
                zstd::stream::read::Decoder::new(file).unwrap().read_to_string(&mut text).unwrap();
            }
            assert_eq!(text.lines().count(), 2, "{name}");
        }
    }

    #[test]
    fn parts_by_documents_or_bytes_hold_the_same_lines_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let input: Vec<(String, String)> = (0..5).map(|i| (format!("d{i}"), format!("texte numéro {i}"))).collect();
        let input: Vec<(&str, &str)> = input.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let run = |config: serde_json::Value, sub: &str| {
            let out = dir.path().join(sub);
            let mut stage = Harness::with_context::<Jsonl>(config, ctx(&out)).unwrap();
            stage.export(&docs(&input)).unwrap();
            let summary = stage.finish().unwrap();
            let files: Vec<String> =
                summary["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
            let text: String = files.iter().map(|f| std::fs::read_to_string(out.join(f)).unwrap()).collect();
            (files, text, summary)
        };
        let (one, all, _) = run(json!({"path": "d.jsonl"}), "one");
        assert_eq!(one, ["d.jsonl"]);
        let (files, text, summary) = run(json!({"path": "d.jsonl", "max_documents_per_file": 2}), "docs");
        assert_eq!(files, ["d.part-00000.jsonl", "d.part-00001.jsonl", "d.part-00002.jsonl"]);
        assert_eq!((text.as_str(), summary["rows"].as_u64()), (all.as_str(), Some(5)));
        let line = all.lines().next().unwrap().len() as u64 + 1;
        let (files, text, _) = run(json!({"path": "d.jsonl", "max_bytes_per_file": line * 2}), "bytes");
        assert_eq!(files.len(), 3);
        assert_eq!(text, all);
        assert!(!std::fs::read_dir(dir.path().join("bytes")).unwrap().any(|e| e
            .unwrap()
            .path()
            .to_string_lossy()
            .ends_with(".partial")));
    }

    #[test]
    fn bad_meta_fails_that_document_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut stage = Harness::with_context::<Jsonl>(json!({"path": "o.jsonl"}), ctx(dir.path())).unwrap();
        let mut d = docs(&[("a", "x"), ("b", "y")]);
        d[0] = Document::from_abi({
            let mut raw = d[0].clone().into_abi();
            raw.meta_json = "{not json".into();
            raw
        });
        let errors = stage.export(&d).unwrap();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 0);
        assert_eq!(stage.finish().unwrap()["rows"], 1);
    }

    #[test]
    fn refuses_paths_outside_the_output_folder() {
        for bad in [json!({"path": "../x.jsonl"}), json!({"path": "/tmp/x.jsonl"}), json!({"path": ""})] {
            assert_eq!(check_config::<Jsonl>(bad).unwrap_err().key(), Some("path"));
        }
        assert_eq!(check_config::<Jsonl>(json!({"path": "a.jsonl", "level": 3})).unwrap_err().key(), Some("level"));
        assert_eq!(check_config::<Jsonl>(json!({"path": "a.jsonl.gz", "level": 12})).unwrap_err().key(), Some("level"));
        assert_eq!(check_config::<Jsonl>(json!({})).unwrap_err().key(), Some("path"));
        assert_eq!(
            check_config::<Jsonl>(json!({"path": "a.jsonl", "max_documents_per_file": 0})).unwrap_err().key(),
            Some("max_documents_per_file")
        );
    }
}
