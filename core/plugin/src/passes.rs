//! Stages with passes: a stage that must see the whole input before it changes anything
//! (lines repeated across a site's pages, near-duplicate documents) implements [`Passes`]
//! besides [`Stage`], and is exported as `export_plugin!(MyStage [passes])`.
//!
//! The host then runs, before the main pass, [`PassPlan::passes`] passes over the input:
//! the stages before this one, and this one observing ([`Passes::observe`]), which writes
//! what it learns as key/value [`Records`]. Records are sorted, folded by key
//! ([`Passes::combine`]) and spilled to files in the instance's own folder under the run's
//! output, so they may be far larger than memory. After the pass one instance merges every
//! worker's files (every shard's, for a [`PassPlan::global`] pass) into the pass's result,
//! key by key, in key order; the main pass (and later passes) read it with
//! [`PassResult::open`]. Because records are merged by key with their values sorted, the
//! result does not depend on the number of threads or shards, nor on the order documents
//! were seen.
//!
//! A stage whose result is more than a value per key (deduplication's clusters) merges the
//! pass itself ([`Passes::merge`]): it is handed every key in order with its values combined
//! ([`Merged`]) and writes what it likes into the result folder, with [`RecordWriter`] or
//! files of its own, which the main pass finds in [`PassResult::dir`].
//!
//! Files hold records as `[u32 key length][key][u32 value length][value]`, little-endian,
//! sorted by key, after an 8-byte magic: small, and read with nothing but `std`.

use crate::{Document, Error, Stage, StageContext};
use moulin_abi::contract::{MergeRequest, PassContext};
pub use moulin_abi::contract::{MergeSummary, PassPlan};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A record of a pass: its key and value.
pub type Record = (Vec<u8>, Vec<u8>);

/// How the values of one key are folded into one ([`Passes::combine`] of one pass).
type Combine<'a> = &'a dyn Fn(&[u8], &[Vec<u8>]) -> Vec<u8>;

/// A stage that reads the input before the main pass.
pub trait Passes: Stage {
    /// What this configuration needs: how many passes, and whether they span shards. Called
    /// once before the run; `PassPlan::default()` (no pass) when, say, the feature that
    /// needs them is off.
    fn plan(config: &Self::Config) -> PassPlan;

    /// See one document in pass `pass` (the stages before this one have run on it) and write
    /// what it teaches into `records`. The document goes on unchanged.
    fn observe(&mut self, pass: u32, doc: &Document, records: &mut Records) -> Result<(), Error>;

    /// Fold the values of one key into one (a sum, a union, a minimum). Called on a worker's
    /// records before they are spilled and on everyone's when the pass is merged, with the
    /// values sorted, so it must give the same whatever the grouping: associative and
    /// commutative.
    fn combine(&self, pass: u32, key: &[u8], values: &[Vec<u8>]) -> Vec<u8>;

    /// The pass's result for one key, from its value combined over the whole input, or
    /// `None` to leave the key out (a count under a threshold). The default keeps it.
    fn result(&self, _pass: u32, _key: &[u8], value: Vec<u8>) -> Option<Vec<u8>> {
        Some(value)
    }

    /// Merge pass `pass`: `records` holds every key of every worker (and shard) in key
    /// order, each with its values combined; write the result into `output` (empty, made by
    /// the host). The default keeps what [`Passes::result`] keeps, read back with
    /// [`PassResult::records`]. A stage that needs more (clusters over all the keys) does its
    /// own and says what it found in the summary, which the run's manifest and report show.
    fn merge(&self, pass: u32, records: Merged<'_>, output: &Path) -> Result<MergeSummary, Error> {
        let mut out = RecordWriter::create(&output.join(RESULT_FILE))?;
        let mut keys = 0u64;
        for record in records {
            let (key, value) = record?;
            keys += 1;
            if let Some(value) = self.result(pass, &key, value) {
                out.write(&key, &value)?;
            }
        }
        let kept = out.records;
        out.finish(true)?;
        let mut summary = MergeSummary::default();
        summary.counts.extend([("keys".to_string(), keys), ("keys kept".to_string(), kept)]);
        Ok(summary)
    }
}

/// The key/value records an instance writes during a pass. Kept in memory up to a bound,
/// then sorted, folded and spilled to a file of the instance's folder. Keys and values are
/// held one after the other in one buffer (no allocation a record), so the bound is the
/// memory they take.
pub struct Records {
    /// Every key and value, one after the other.
    data: Vec<u8>,
    /// Each record: where it starts in `data`, its key's length, its value's.
    index: Vec<(usize, u32, u32)>,
    /// Where the records of the call now running start (they are dropped if it panics).
    mark: usize,
    mark_data: usize,
    dir: PathBuf,
    instance: u64,
    runs: u32,
    spilled: u64,
    limit: usize,
}

/// Records held in memory before a spill, in bytes of keys, values and their index.
const SPILL_BYTES: usize = 64 << 20;
const MAGIC: &[u8; 8] = b"MOULINR1";
/// The merged result's file in a pass's result folder.
const RESULT_FILE: &str = "result.bin";

/// A number per instance of this process, so that an instance remade after a panic does
/// not overwrite the files of the one before.
static INSTANCES: AtomicU64 = AtomicU64::new(0);

impl Records {
    fn new(pass: &PassContext) -> Records {
        Records {
            data: Vec::new(),
            index: Vec::new(),
            mark: 0,
            mark_data: 0,
            dir: pass.dir.clone(),
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
            runs: 0,
            spilled: 0,
            limit: SPILL_BYTES,
        }
    }

    /// Write one record. Several records may have the same key: they are combined. A key
    /// or value over 4 GiB cannot be written to a record file: the spill says so.
    pub fn push(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        let (key, value) = (key.as_ref(), value.as_ref());
        let at = self.data.len();
        self.data.extend_from_slice(key);
        self.data.extend_from_slice(value);
        let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.index.push((at, len(key.len()), len(value.len())));
    }

    fn bytes(&self) -> usize {
        self.data.len() + self.index.len() * std::mem::size_of::<(usize, u32, u32)>()
    }

    /// The records of a call that completed are kept.
    pub(crate) fn commit(&mut self) {
        (self.mark, self.mark_data) = (self.index.len(), self.data.len());
    }

    /// The records of a call that panicked are dropped: its documents run again.
    pub(crate) fn roll_back(&mut self) {
        self.index.truncate(self.mark);
        self.data.truncate(self.mark_data);
    }

    /// Whether the buffer is over its bound (checked between calls).
    pub(crate) fn full(&self) -> bool {
        self.bytes() >= self.limit
    }

    /// Sort, fold and write the kept records to a new file; nothing when there are none. The
    /// buffer's memory is given back.
    pub(crate) fn spill(&mut self, combine: Combine<'_>) -> Result<(), Error> {
        self.roll_back();
        if self.index.is_empty() {
            return Ok(());
        }
        let (data, mut index) = (std::mem::take(&mut self.data), std::mem::take(&mut self.index));
        (self.mark, self.mark_data) = (0, 0);
        let part = |&(at, k, v): &(usize, u32, u32)| {
            let (k, v) = (k as usize, v as usize);
            (&data[at..at + k], &data[at + k..at + k + v])
        };
        if let Some(&(_, k, v)) = index.iter().find(|(_, k, v)| *k == u32::MAX || *v == u32::MAX) {
            return Err(Error::other(format!("a pass record of {} bytes is over 4 GiB", u64::from(k) + u64::from(v))));
        }
        index.sort_unstable_by(|a, b| part(a).cmp(&part(b)));
        let path = self.dir.join(format!("run-{:06}-{:06}.bin", self.instance, self.runs));
        let mut out = RecordWriter::create(&path)?;
        let mut records = index.iter().map(part).peekable();
        while let Some((key, value)) = records.next() {
            if records.peek().is_some_and(|(k, _)| *k == key) {
                let mut values = vec![value.to_vec()];
                while records.peek().is_some_and(|(k, _)| *k == key) {
                    values.push(records.next().expect("peeked").1.to_vec());
                }
                out.write(key, &combine(key, &values))?;
            } else {
                out.write(key, value)?;
            }
        }
        self.spilled += out.records;
        out.finish(false)?;
        self.runs += 1;
        Ok(())
    }

    /// What was spilled, for the instance's summary.
    pub(crate) fn summary(&self) -> serde_json::Value {
        serde_json::json!({ "files": self.runs, "records": self.spilled })
    }
}

/// The merged result of one pass, for the stage in the main pass (or a later pass).
#[derive(Debug, Clone)]
pub struct PassResult {
    path: PathBuf,
}

impl PassResult {
    /// The result of pass `pass` of this stage, or `None` when the pipeline ran no such pass
    /// (an embedder's pipeline runs none; a test kit's [`crate::testkit::Harness`] does).
    pub fn open(ctx: &StageContext, pass: u32) -> Option<PassResult> {
        let dir = ctx.pass_results.get(pass as usize)?;
        Some(PassResult { path: dir.join(RESULT_FILE) })
    }

    /// Every key and its value, in key order (the result of the default [`Passes::merge`]).
    pub fn records(&self) -> Result<impl Iterator<Item = Result<Record, Error>>, Error> {
        let mut reader = RecordReader::open(&self.path)?;
        Ok(std::iter::from_fn(move || reader.read().transpose()))
    }

    /// The result's folder, for the files a stage's own [`Passes::merge`] wrote.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new(""))
    }
}

type CombineFn<S> = fn(&S, u32, &[u8], &[Vec<u8>]) -> Vec<u8>;
type MergeFn<S> = fn(&S, u32, Merged<'_>, &Path) -> Result<MergeSummary, Error>;

/// What the adapter keeps for a stage with passes.
pub(crate) struct PassHooks<S: Stage> {
    pub plan: PassPlan,
    pub observe: fn(&mut S, u32, &Document, &mut Records) -> Result<(), Error>,
    pub combine: CombineFn<S>,
    pub merge: MergeFn<S>,
}

impl<S: Passes> PassHooks<S> {
    pub(crate) fn of(config: &S::Config) -> PassHooks<S> {
        PassHooks { plan: S::plan(config), observe: S::observe, combine: S::combine, merge: S::merge }
    }
}

/// An instance made for a pass: which one, and its records.
pub(crate) struct InPass {
    pub index: u32,
    pub records: Records,
}

impl InPass {
    pub(crate) fn new(ctx: &StageContext) -> Option<InPass> {
        ctx.pass.as_ref().map(|p| InPass { index: p.index, records: Records::new(p) })
    }
}

/// The next record of one run file: key, value, the file's index.
type Head = (Vec<u8>, Vec<u8>, usize);

/// Every key of a pass's run files, in key order, each with its values combined: what
/// [`Passes::merge`] is handed. Reads one record of each file at a time.
pub struct Merged<'a> {
    readers: Vec<RecordReader>,
    heap: BinaryHeap<Reverse<Head>>,
    combine: Combine<'a>,
    /// Run files read.
    pub files: usize,
    /// A read error, given once in place of the next record.
    failed: bool,
}

impl<'a> Merged<'a> {
    /// Every run file (`*.bin`) of the folders `inputs` (a missing folder has none).
    pub(crate) fn open(inputs: &[PathBuf], combine: Combine<'a>) -> Result<Merged<'a>, Error> {
        let mut files = Vec::new();
        for dir in inputs {
            let entries = match std::fs::read_dir(dir) {
                Ok(e) => e,
                // A worker that saw no document may have left no folder behind.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(format!("cannot list {}: {e}", dir.display()))),
            };
            for entry in entries {
                let path = entry.map_err(|e| Error::io(format!("cannot list {}: {e}", dir.display())))?.path();
                if path.extension().is_some_and(|x| x == "bin") {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut readers = files.iter().map(|p| RecordReader::open(p)).collect::<Result<Vec<_>, _>>()?;
        let mut heap = BinaryHeap::new();
        for (i, r) in readers.iter_mut().enumerate() {
            if let Some((k, v)) = r.read()? {
                heap.push(Reverse((k, v, i)));
            }
        }
        Ok(Merged { readers, heap, combine, files: files.len(), failed: false })
    }

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        let Some(Reverse((key, value, i))) = self.heap.pop() else { return Ok(None) };
        let mut values = vec![value];
        let mut refill = vec![i];
        while self.heap.peek().is_some_and(|Reverse((k, ..))| *k == key) {
            let Reverse((_, v, j)) = self.heap.pop().expect("peeked");
            values.push(v);
            refill.push(j);
        }
        for j in refill {
            if let Some((k, v)) = self.readers[j].read()? {
                self.heap.push(Reverse((k, v, j)));
            }
        }
        values.sort_unstable();
        let value = if values.len() == 1 { values.pop().expect("one") } else { (self.combine)(&key, &values) };
        Ok(Some((key, value)))
    }
}

impl Iterator for Merged<'_> {
    type Item = Result<Record, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.next_record().transpose();
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}

/// Merge every run file of `request.inputs` into `request.output` with the stage's
/// [`Passes::merge`].
pub(crate) fn merge(
    request: &MergeRequest,
    combine: Combine<'_>,
    merge: impl FnOnce(Merged<'_>, &Path) -> Result<MergeSummary, Error>,
) -> Result<MergeSummary, Error> {
    let merged = Merged::open(&request.inputs, combine)?;
    merge(merged, &request.output)
}

/// Writes a file of records (the format of the module's documentation), for a stage's own
/// [`Passes::merge`]: keys in the order they are written.
pub struct RecordWriter {
    out: BufWriter<File>,
    path: PathBuf,
    /// Records written.
    pub records: u64,
}

impl RecordWriter {
    /// Create (or replace) `path`.
    pub fn create(path: &Path) -> Result<RecordWriter, Error> {
        let file = File::create(path).map_err(|e| Error::io(format!("cannot create {}: {e}", path.display())))?;
        let mut w = RecordWriter { out: BufWriter::with_capacity(1 << 20, file), path: path.to_path_buf(), records: 0 };
        w.put(MAGIC)?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out.write_all(bytes).map_err(|e| Error::io(format!("cannot write {}: {e}", self.path.display())))
    }

    /// Write one record.
    pub fn write(&mut self, key: &[u8], value: &[u8]) -> Result<(), Error> {
        for part in [key, value] {
            let len = u32::try_from(part.len())
                .map_err(|_| Error::other(format!("a pass record of {} bytes is over 4 GiB", part.len())))?;
            self.put(&len.to_le_bytes())?;
            self.put(part)?;
        }
        self.records += 1;
        Ok(())
    }

    /// Flush the file, and with `sync` make it durable.
    pub fn finish(self, sync: bool) -> Result<(), Error> {
        let path = self.path.clone();
        let file = self.out.into_inner().map_err(|e| Error::io(format!("cannot write {}: {e}", path.display())))?;
        if sync {
            file.sync_all().map_err(|e| Error::io(format!("cannot sync {}: {e}", path.display())))?;
        }
        Ok(())
    }
}

/// Reads a file of records written by [`RecordWriter`] (or a pass's run files).
pub struct RecordReader {
    input: BufReader<File>,
    path: PathBuf,
}

impl RecordReader {
    /// Open `path`; an error when it is not a record file.
    pub fn open(path: &Path) -> Result<RecordReader, Error> {
        let file = File::open(path).map_err(|e| Error::io(format!("cannot open {}: {e}", path.display())))?;
        let mut r = RecordReader { input: BufReader::with_capacity(1 << 20, file), path: path.to_path_buf() };
        let mut magic = [0u8; 8];
        r.input.read_exact(&mut magic).map_err(|e| r.damaged(&e.to_string()))?;
        if &magic != MAGIC {
            return Err(r.damaged("expected a pass record file"));
        }
        Ok(r)
    }

    fn damaged(&self, what: &str) -> Error {
        Error::io(format!("{}: {what}", self.path.display()))
    }

    fn part(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let mut len = [0u8; 4];
        match self.input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(self.damaged(&e.to_string())),
        }
        let mut part = vec![0u8; u32::from_le_bytes(len) as usize];
        self.input.read_exact(&mut part).map_err(|e| self.damaged(&format!("a record is cut short: {e}")))?;
        Ok(Some(part))
    }

    /// The next record, `None` at the end of the file.
    pub fn read(&mut self) -> Result<Option<Record>, Error> {
        let Some(key) = self.part()? else { return Ok(None) };
        let value = self.part()?.ok_or_else(|| self.damaged("a record has a key and no value"))?;
        Ok(Some((key, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(_: &[u8], values: &[Vec<u8>]) -> Vec<u8> {
        values.iter().map(|v| u64::from_le_bytes(v[..].try_into().unwrap())).sum::<u64>().to_le_bytes().to_vec()
    }

    fn read_all(path: &Path) -> Vec<(Vec<u8>, u64)> {
        let result = PassResult { path: path.to_path_buf() };
        result
            .records()
            .unwrap()
            .map(|r| r.unwrap())
            .map(|(k, v)| (k, u64::from_le_bytes(v[..].try_into().unwrap())))
            .collect()
    }

    #[test]
    fn records_spill_in_sorted_runs_and_merge_by_key_whatever_the_split() {
        let root = std::env::temp_dir().join(format!("moulin-passes-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let words: Vec<String> = (0..500).map(|i| format!("w{}", (i * 7919) % 97)).collect();
        let mut results = Vec::new();
        for workers in [1usize, 2, 5] {
            let mut inputs = Vec::new();
            for (w, chunk) in words.chunks(words.len().div_ceil(workers)).enumerate() {
                let dir = root.join(format!("{workers}/worker-{w}"));
                std::fs::create_dir_all(&dir).unwrap();
                let mut records = Records::new(&PassContext { index: 0, dir: dir.clone() });
                records.limit = 200; // a spill every few records
                for word in chunk {
                    records.push(word.as_bytes(), 1u64.to_le_bytes());
                    records.commit();
                    if records.full() {
                        records.spill(&sum).unwrap();
                    }
                }
                // What a call that panicked recorded is not kept.
                records.push(b"lost", 1u64.to_le_bytes());
                records.roll_back();
                records.spill(&sum).unwrap();
                assert!(records.runs > 1, "{} runs", records.runs);
                inputs.push(dir);
            }
            let output = root.join(format!("{workers}/merged"));
            std::fs::create_dir_all(&output).unwrap();
            let keep_common = |records: Merged<'_>, out: &Path| {
                let mut w = RecordWriter::create(&out.join(RESULT_FILE))?;
                for record in records {
                    let (k, v) = record?;
                    if u64::from_le_bytes(v[..].try_into().unwrap()) > 5 {
                        w.write(&k, &v)?;
                    }
                }
                w.finish(true).map(|_| MergeSummary::default())
            };
            merge(&MergeRequest { pass: 0, inputs, output: output.clone() }, &sum, keep_common).unwrap();
            results.push(read_all(&output.join(RESULT_FILE)));
        }
        let _ = std::fs::remove_dir_all(&root);
        assert!(results.windows(2).all(|w| w[0] == w[1]));
        let mut expected = std::collections::BTreeMap::new();
        for w in &words {
            *expected.entry(w.as_bytes().to_vec()).or_insert(0u64) += 1;
        }
        expected.retain(|_, n| *n > 5);
        assert_eq!(results[0], expected.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_it() {
        let path = std::env::temp_dir().join(format!("moulin-passes-damaged-{}.bin", std::process::id()));
        std::fs::write(&path, b"MOULINR1\x05\x00\x00\x00ab").unwrap();
        let result = PassResult { path: path.clone() };
        let e = result.records().unwrap().find_map(Result::err).unwrap();
        assert!(e.to_string().contains("cut short") && e.to_string().contains(&path.display().to_string()), "{e}");
        std::fs::write(&path, b"not a pass file").unwrap();
        assert!(PassResult { path: path.clone() }.records().is_err());
        let _ = std::fs::remove_file(&path);
    }
}
