//! Batching: input files read in order into numbered batches of documents, each document
//! tied to its origin (the input file it came from), with what could not be read.

use crate::corpus::{self, InputFile, Item, ReadOptions};
use crate::report::ErrorRecord;
use moulin_abi::Doc;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

/// A failure inside a batch, tied to its origin (input file index).
#[derive(Debug, Clone)]
pub struct Failure {
    /// The input file index (0 for documents an embedder supplies).
    pub origin: u32,
    /// Whether it is a record or document (counted in `failed`), or a file-level problem.
    pub counts_as_document: bool,
    /// The record for `errors.jsonl` (its `path` is filled in from the origin).
    pub record: ErrorRecord,
}

/// What the source hands to the pipeline.
#[derive(Debug, Default)]
pub struct Batch {
    /// Documents.
    pub docs: Vec<Doc>,
    /// The origin of each document.
    pub origins: Vec<u32>,
    /// Read failures so far.
    pub failures: Vec<Failure>,
    /// How many records each origin contributed (documents and bad records).
    pub read: Vec<(u32, u64)>,
    /// Records and members skipped (not documents), by origin and reason.
    pub skipped: Vec<(u32, String, u64)>,
    /// Bytes of text in the batch.
    pub text_bytes: u64,
    /// The input files whose reading ended in this batch, with the seconds it took (from
    /// the first byte to the last item): for the report's slowest files, not for the counts.
    pub file_seconds: Vec<(u32, f64)>,
    /// Set on a batch that ends at an input-file boundary where a resume point is due: how
    /// many input files are done with it. After exporting it, the engine asks every
    /// exporter to complete its open file.
    pub checkpoint: Option<u32>,
}

impl Batch {
    /// Count one record of `origin` as read.
    pub fn count_read(&mut self, origin: u32) {
        match self.read.last_mut() {
            Some((o, n)) if *o == origin => *n += 1,
            _ => self.read.push((origin, 1)),
        }
    }

    /// Count one record or member of `origin` skipped for `reason`.
    pub fn count_skipped(&mut self, origin: u32, reason: String) {
        match self.skipped.iter_mut().find(|(o, r, _)| *o == origin && *r == reason) {
            Some((.., n)) => *n += 1,
            None => self.skipped.push((origin, reason, 1)),
        }
    }

    /// Whether the batch holds nothing at all.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
            && self.failures.is_empty()
            && self.read.is_empty()
            && self.skipped.is_empty()
            && self.checkpoint.is_none()
            && self.file_seconds.is_empty()
    }
}

impl Failure {
    /// A document that failed in a stage.
    pub fn document(origin: u32, id: &str, stage: &str, kind: &str, message: String) -> Failure {
        let record =
            ErrorRecord { id: Some(id.to_string()), stage: Some(stage.to_string()), ..ErrorRecord::new(kind, message) };
        Failure { origin, counts_as_document: true, record }
    }

    /// A record or member the reader could not read (counted as a failed document).
    pub fn record(origin: u32, member: Option<String>, record: Option<u64>, message: String) -> Failure {
        let record = ErrorRecord { member, record, ..ErrorRecord::new("read", message) };
        Failure { origin, counts_as_document: true, record }
    }

    /// A file whose stream broke (a file-level problem, not a document).
    pub fn file(origin: u32, member: Option<String>, message: String) -> Failure {
        Failure {
            origin,
            counts_as_document: false,
            record: ErrorRecord { member, ..ErrorRecord::new("file", message) },
        }
    }
}

/// Reads input files in order into batches.
pub(crate) struct Reader<'a> {
    /// The run's input files.
    pub files: &'a [InputFile],
    /// How to read them.
    pub options: &'a ReadOptions,
    /// A batch is closed at this many documents,
    pub batch_documents: usize,
    /// or this many bytes of text.
    pub batch_bytes: u64,
}

impl Reader<'_> {
    /// Read `files[first..]`, counting the bytes read from disk in `progress`; batch origins
    /// are indexes into `files`. A batch ends at the end of the file that brings the bytes
    /// read since the last resume point to `checkpoint_every`, and marks a resume point.
    pub(crate) fn read(
        &self,
        first: usize,
        progress: Arc<AtomicU64>,
        checkpoint_every: Option<u64>,
        emit: &mut dyn FnMut(Batch) -> bool,
    ) {
        let (files, options, batch_documents, batch_bytes) =
            (self.files, self.options, self.batch_documents, self.batch_bytes);
        let progress = &progress;
        let mut since_checkpoint = 0u64;
        let mut batch = Batch::default();
        let mut ids = corpus::SeenIds::default();
        if options.id_field.is_some() {
            // Resumed past `first` files: the ids their records brought are taken already.
            for file in &files[..first] {
                let _ = corpus::read_file(file, options, &mut ids, Arc::default(), |_| {});
            }
        }
        for (index, file) in files.iter().enumerate().skip(first) {
            let origin = index as u32;
            let mut stopped = false;
            let started = std::time::Instant::now();
            let result = corpus::read_file(file, options, &mut ids, progress.clone(), |item| {
                if stopped {
                    return;
                }
                if !matches!(item, Item::Skipped { .. }) {
                    batch.count_read(origin);
                }
                match item {
                    Item::Doc(doc) => {
                        batch.text_bytes += doc.text.len() as u64;
                        batch.docs.push(doc);
                        batch.origins.push(origin);
                    }
                    Item::BadRecord { member, record, message } => {
                        batch.failures.push(Failure::record(origin, member, record, message))
                    }
                    Item::Skipped { reason } => batch.count_skipped(origin, reason),
                }
                // Bad and skipped records count too, so that a file of nothing else does not
                // hold them all until a document closes the batch.
                let items = batch.docs.len() + batch.failures.len() + batch.skipped.len();
                if items >= batch_documents || batch.text_bytes >= batch_bytes {
                    stopped = !emit(std::mem::take(&mut batch));
                }
            });
            if stopped {
                return;
            }
            if let Err(e) = result {
                batch.failures.push(Failure::file(origin, e.member, format!("reading stopped: {}", e.message)));
            }
            batch.file_seconds.push((origin, started.elapsed().as_secs_f64()));
            // A resume point ends the batch at this file's end, so that no file is split by it.
            since_checkpoint += file.size;
            if checkpoint_every.is_some_and(|every| since_checkpoint >= every) && index + 1 < files.len() {
                batch.checkpoint = Some((index + 1) as u32);
                if !emit(std::mem::take(&mut batch)) {
                    return;
                }
                since_checkpoint = 0;
            }
        }
        if !batch.is_empty() {
            emit(batch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_read_groups_runs_of_an_origin() {
        let mut b = Batch::default();
        for o in [0, 0, 1, 1, 1, 0] {
            b.count_read(o);
        }
        assert_eq!(b.read, vec![(0, 2), (1, 3), (0, 1)]);
        assert!(!b.is_empty());
    }

    /// A resumed read knows the ids the records of the files before it brought.
    #[test]
    fn a_resumed_read_knows_the_ids_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let input = crate::corpus::InputConfig {
            id_field: Some("id".into()),
            ..crate::corpus::InputConfig::new(vec![dir.path().to_path_buf()])
        };
        let options = ReadOptions::new(&input).unwrap();
        let files: Vec<InputFile> = ["a", "b"]
            .iter()
            .map(|name| {
                let path = dir.path().join(format!("{name}.jsonl"));
                std::fs::write(&path, format!("{{\"id\": \"same\", \"text\": \"{name}\"}}\n")).unwrap();
                InputFile {
                    path,
                    id: format!("{name}.jsonl"),
                    size: 1,
                    format: crate::corpus::Format::Jsonl,
                    compression: crate::corpus::Compression::None,
                }
            })
            .collect();
        let reader = Reader { files: &files, options: &options, batch_documents: 10, batch_bytes: 1 << 20 };
        let mut batches = Vec::new();
        reader.read(1, Arc::default(), None, &mut |b| {
            batches.push(b);
            true
        });
        assert_eq!(batches.len(), 1);
        assert!(batches[0].docs.is_empty());
        assert!(batches[0].failures[0].record.message.contains("an earlier record's"), "{:?}", batches[0].failures);
    }
}
