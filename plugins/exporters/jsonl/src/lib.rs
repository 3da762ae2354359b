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

use moulin_plugin::{Document, Error, Kind, Stage, StageContext};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};

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
}

#[derive(Clone, Copy, PartialEq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn of(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// Counts the bytes that reach the file.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

type Sink = Counted<BufWriter<File>>;

enum Writer {
    Plain(Sink),
    Gzip(flate2::write::GzEncoder<Sink>),
    Zstd(zstd::stream::write::Encoder<'static, Sink>),
}

impl Writer {
    fn get(&mut self) -> &mut dyn Write {
        match self {
            Writer::Plain(w) => w,
            Writer::Gzip(w) => w,
            Writer::Zstd(w) => w,
        }
    }

    fn finish(self) -> std::io::Result<u64> {
        let mut sink = match self {
            Writer::Plain(w) => w,
            Writer::Gzip(w) => w.finish()?,
            Writer::Zstd(w) => w.finish()?,
        };
        sink.flush()?;
        sink.inner.get_ref().sync_all()?;
        Ok(sink.bytes)
    }
}

/// The `jsonl` stage.
pub struct Jsonl {
    writer: Option<Writer>,
    path: PathBuf,
    partial: PathBuf,
    display: String,
    omit_spans: bool,
    rows: u64,
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
    const NAME: &'static str = "jsonl";
    const KIND: Kind = Kind::Export;
    const SUMMARY: &'static str = "Writes one JSON object per document (.jsonl, .jsonl.gz, .jsonl.zst).";
    const EXAMPLE_CONFIG: &'static str = "path = \"docs.jsonl.zst\"";

    fn validate(config: &JsonlConfig) -> Result<(), Error> {
        let p = &config.path;
        if p.as_os_str().is_empty() || p.is_absolute() || p.components().any(|c| matches!(c, Component::ParentDir)) {
            return Err(Error::config(
                "path",
                format!("expected a file name inside the output folder, found {:?}", p.display().to_string()),
            ));
        }
        let max = match Compression::of(p) {
            Compression::Gzip => 9,
            Compression::Zstd => 22,
            Compression::None => u32::MAX,
        };
        match config.level {
            Some(_) if Compression::of(p) == Compression::None => {
                Err(Error::config("level", "a level needs a compressed file (.gz or .zst)"))
            }
            Some(l) if l > max => Err(Error::config("level", format!("expected at most {max}, found {l}"))),
            _ => Ok(()),
        }
    }

    fn new(config: JsonlConfig, ctx: &StageContext) -> Result<Self, Error> {
        let path = ctx.output_dir.join(&config.path);
        let mut partial = path.clone().into_os_string();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("{}: {e}", parent.display())))?;
        }
        let file = File::create(&partial).map_err(|e| Error::io(format!("{}: {e}", partial.display())))?;
        let sink = Counted { inner: BufWriter::with_capacity(1 << 20, file), bytes: 0 };
        let writer = match Compression::of(&path) {
            Compression::None => Writer::Plain(sink),
            Compression::Gzip => Writer::Gzip(flate2::write::GzEncoder::new(
                sink,
                flate2::Compression::new(config.level.unwrap_or(6)),
            )),
            Compression::Zstd => Writer::Zstd(
                zstd::stream::write::Encoder::new(sink, config.level.unwrap_or(3) as i32)
                    .map_err(|e| Error::io(format!("{}: {e}", path.display())))?,
            ),
        };
        Ok(Jsonl {
            writer: Some(writer),
            display: config.path.display().to_string(),
            path,
            partial,
            omit_spans: config.omit_spans,
            rows: 0,
            line: Vec::with_capacity(1 << 16),
        })
    }

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
        let writer = self.writer.as_mut().ok_or_else(|| Error::other("export after finish"))?;
        writer.get().write_all(&self.line).map_err(|e| Error::io(format!("{}: {e}", self.partial.display())))?;
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<serde_json::Value, Error> {
        let writer = self.writer.take().ok_or_else(|| Error::other("finish called twice"))?;
        let bytes = writer.finish().map_err(|e| Error::io(format!("{}: {e}", self.partial.display())))?;
        std::fs::rename(&self.partial, &self.path)
            .map_err(|e| Error::io(format!("renaming {} to {}: {e}", self.partial.display(), self.path.display())))?;
        Ok(serde_json::json!({ "files": [self.display], "rows": self.rows, "bytes": bytes }))
    }
}

moulin_plugin::export_plugin!(Jsonl);

#[cfg(test)]
mod tests {
    use super::*;
    use moulin_plugin::testkit::{check_config, docs, Harness};
    use moulin_plugin::Span;
    use serde_json::json;
    use std::io::Read;

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
    }
}
