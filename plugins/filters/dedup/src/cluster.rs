//! The pass's records and the cluster step that merges them.
//!
//! Each worker writes, per document it sees, one record per LSH band (`BAND`: the band's
//! hash, counted) and one with its signature under its rank (`DOC`); at the paragraph and
//! line levels, one per unit (`UNIT`: counted, with the first occurrence). The host sorts and
//! merges them over every worker and shard; [`cluster`] then reads them in key order:
//!
//! 1. the band records: a band hash seen twice or more is *hot* (a set of 8-byte hashes, as
//!    large as the number of candidate buckets, not of documents);
//! 2. the signatures, in rank order (the order in which copies stay): a document with no hot
//!    band is unique and costs nothing; another is compared with the kept documents that
//!    share a hot band with it, and is removed for the first whose estimated similarity
//!    reaches the threshold, or else kept. A chain of near pairs cannot glue unrelated
//!    documents: each removal is checked against the copy that stays. Of a kept candidate,
//!    only its id, its hot bands and where its signature is (a file of the result folder)
//!    stay in memory: about 100 bytes.
//!
//! The result folder holds `decisions.bin` (each removed document and each cluster's kept
//! copy) and `removed.jsonl` (one line per removal: id, kept id, similarity), in rank order.

use crate::order::Rank;
use moulin_plugin::{Error, MergeSummary, Merged, RecordReader, RecordWriter};
use rustc_hash::{FxHashMap, FxHashSet};
use std::any::Any;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use twox_hash::XxHash3_64;

/// Counters: `[COUNT][name]` → u64.
pub const COUNT: u8 = 0;
/// A band: `[BAND][band][hash, 8 bytes big-endian]` → u32 count.
pub const BAND: u8 = 1;
/// A document's signature: `[DOC][rank]` → its hashes, u32 little-endian each.
pub const DOC: u8 = 2;
/// A paragraph or line: `[UNIT][hash, 8 bytes]` → u64 count, then the rank and the unit's
/// index (u32 big-endian) of its first occurrence.
pub const UNIT: u8 = 3;

/// Kept documents in one band a new document is compared with, at most: a band shared by
/// more kept documents is a template's, not a duplicate's, and takes no more.
const BAND_KEPT_LIMIT: usize = 64;

/// The key of a counter.
pub fn count_key(name: &str) -> Vec<u8> {
    let mut key = vec![COUNT];
    key.extend_from_slice(name.as_bytes());
    key
}

/// The key of band `band` of hash `hash`.
pub fn band_key(band: usize, hash: u64) -> [u8; 10] {
    let mut key = [0u8; 10];
    key[0] = BAND;
    key[1] = band as u8;
    key[2..].copy_from_slice(&hash.to_be_bytes());
    key
}

fn u64_of(v: &[u8]) -> u64 {
    v.get(..8).map_or(0, |b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
}

/// Fold the values of one key (see the module's record kinds).
pub fn combine(key: &[u8], values: &[Vec<u8>]) -> Vec<u8> {
    match key.first() {
        Some(&COUNT) => values.iter().map(|v| u64_of(v)).sum::<u64>().to_le_bytes().to_vec(),
        Some(&BAND) => {
            let n = values.iter().map(|v| u32::from_le_bytes(v[..4].try_into().unwrap_or_default())).sum::<u32>();
            n.to_le_bytes().to_vec()
        }
        Some(&UNIT) => {
            let count: u64 = values.iter().map(|v| u64_of(v)).sum();
            let first = values.iter().map(|v| &v[8.min(v.len())..]).min().unwrap_or_default();
            let mut out = count.to_le_bytes().to_vec();
            out.extend_from_slice(first);
            out
        }
        // A document is seen once; values are sorted, so any choice is the same everywhere.
        _ => values[0].clone(),
    }
}

/// A signature from its record value.
pub fn signature_of(value: &[u8]) -> Vec<u32> {
    value.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect()
}

/// A signature as a record value.
pub fn signature_bytes(signature: &[u32]) -> Vec<u8> {
    signature.iter().flat_map(|h| h.to_le_bytes()).collect()
}

/// The 8-byte hash documents are looked up by in the main pass.
pub fn id_hash(id: &str) -> u64 {
    XxHash3_64::oneshot(id.as_bytes())
}

/// What the cluster step needs of the configuration.
pub struct ClusterSettings {
    /// Rows per band.
    pub rows: usize,
    /// MinHash hashes in a signature (bands × rows), before its verification sketch.
    pub hashes: usize,
    /// The similarity a removal needs.
    pub threshold: f64,
    /// A cluster over this size is a warning.
    pub warn_over: u64,
    /// Exact: the reason's words.
    pub exact: bool,
    /// Write the documents that stay as an index here.
    pub index: Option<(PathBuf, crate::index::IndexParams)>,
    /// The indexes to dedup against (checked).
    pub against: Vec<PathBuf>,
}

struct Kept {
    id: String,
    /// Where its signature is in the [`Sketches`] file.
    at: u64,
    len: u32,
    size: u32,
    /// A document of an index the run dedups against, not of this run.
    in_index: bool,
}
/// The signatures of the kept candidates, in a file of the result folder while the cluster
/// step runs (removed after): only an offset a document stays in memory, so the step's
/// memory does not grow with the corpus by 2.5 KB a kept candidate.
struct Sketches {
    file: std::fs::File,
    path: PathBuf,
    /// Written, not yet in the file.
    pending: Vec<u8>,
    /// The file's length.
    flushed: u64,
}

impl Sketches {
    fn create(path: PathBuf) -> Result<Sketches, Error> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| Error::io(format!("cannot create {}: {e}", path.display())))?;
        Ok(Sketches { file, path, pending: Vec::new(), flushed: 0 })
    }

    fn io(&self, e: std::io::Error) -> Error {
        Error::io(format!("{}: {e}", self.path.display()))
    }

    /// Keep a signature: where it is.
    fn put(&mut self, signature: &[u32]) -> Result<(u64, u32), Error> {
        let at = self.flushed + self.pending.len() as u64;
        self.pending.extend(signature.iter().flat_map(|h| h.to_le_bytes()));
        if self.pending.len() >= 1 << 20 {
            self.flush()?;
        }
        Ok((at, signature.len() as u32))
    }

    fn flush(&mut self) -> Result<(), Error> {
        use std::io::{Seek, SeekFrom};
        (&self.file).seek(SeekFrom::Start(self.flushed)).map_err(|e| self.io(e))?;
        (&self.file).write_all(&self.pending).map_err(|e| self.io(e))?;
        self.flushed += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// A signature kept before, into `out`.
    fn get(&mut self, at: u64, len: u32, out: &mut Vec<u32>) -> Result<(), Error> {
        use std::io::{Read, Seek, SeekFrom};
        if at + u64::from(len) * 4 > self.flushed {
            self.flush()?;
        }
        let mut bytes = vec![0u8; len as usize * 4];
        (&self.file).seek(SeekFrom::Start(at)).map_err(|e| self.io(e))?;
        (&self.file).read_exact(&mut bytes).map_err(|e| self.io(e))?;
        out.clear();
        out.extend(bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4"))));
        Ok(())
    }
}

/// A band, and the index documents that have it.
type BandDocs = ([u8; 10], Vec<crate::index::IndexDoc>);

/// The cluster step's state.
struct Step<'a> {
    settings: &'a ClusterSettings,
    /// Hot bands: seen twice or more in the run, or also in an index.
    hot: FxHashSet<[u8; 10]>,
    kept: Vec<Kept>,
    sketches: Sketches,
    in_band: FxHashMap<[u8; 10], Vec<u32>>,
    removed: Vec<(u64, u32, f32)>,
    candidates: u64,
    /// Reused for each document: the kept copies compared with it, one's signature.
    seen: FxHashSet<u32>,
    other: Vec<u32>,
}

/// The cluster step of the document level (see the module's documentation).
pub fn cluster(records: Merged<'_>, output: &Path, settings: &ClusterSettings) -> Result<MergeSummary, Error> {
    let mut summary = MergeSummary::default();
    let mut step = Step {
        settings,
        hot: FxHashSet::default(),
        kept: Vec::new(),
        sketches: Sketches::create(output.join("kept-signatures.tmp"))?,
        in_band: FxHashMap::default(),
        removed: Vec::new(),
        candidates: 0,
        seen: FxHashSet::default(),
        other: Vec::new(),
    };
    let mut records = records.peekable();
    let mut against = crate::index::Against::open(&settings.against)?;
    let mut from_index: Vec<BandDocs> = Vec::new();
    while let Some(record) = records.next_if(|r| r.as_ref().is_ok_and(|(k, _)| k[0] == COUNT || k[0] == BAND)) {
        let (key, value) = record?;
        if key[0] == COUNT {
            summary.counts.insert(String::from_utf8_lossy(&key[1..]).into_owned(), u64_of(&value));
            continue;
        }
        let band: [u8; 10] = key.try_into().map_err(|_| Error::other("a band record of the wrong size"))?;
        let theirs = against.documents_with(&band)?;
        if value.len() >= 4 && u32::from_le_bytes(value[..4].try_into().expect("4")) >= 2 || !theirs.is_empty() {
            step.hot.insert(band);
        }
        if !theirs.is_empty() {
            from_index.push((band, theirs));
        }
    }
    step.seed_with_index(&against, from_index)?;
    let removed_path = output.join("removed.jsonl");
    let file = std::fs::File::create(&removed_path)
        .map_err(|e| Error::io(format!("cannot create {}: {e}", removed_path.display())))?;
    let mut log = std::io::BufWriter::new(file);
    let mut index = match &settings.index {
        Some((dir, params)) => Some(crate::index::IndexWriter::create(dir, params.clone())?),
        None => None,
    };
    for record in records {
        let (key, value) = record?;
        if key[0] != DOC {
            return Err(Error::other(format!("an unexpected dedup pass record (kind {})", key[0])));
        }
        let id = Rank::id(&key[1..])?;
        let signature = signature_of(&value);
        match step.place(id, &signature)? {
            Some((k, s)) => {
                let line = serde_json::json!({ "id": id, "kept": step.kept[k as usize].id, "similarity": round(s) });
                writeln!(log, "{line}")
                    .map_err(|e| Error::io(format!("cannot write {}: {e}", removed_path.display())))?;
            }
            None => {
                if let Some(index) = &mut index {
                    index.add(id, &signature, step.bands(&signature))?;
                }
            }
        }
    }
    log.flush().map_err(|e| Error::io(format!("cannot write {}: {e}", removed_path.display())))?;
    let _ = std::fs::remove_file(&step.sketches.path);
    if let Some(index) = index {
        summary.counts.insert("documents in the index written".into(), u64::from(index.finish()?));
    }
    write_decisions(output, &step.kept, &step.removed, settings)?;
    summarise(&mut summary, &step, settings);
    Ok(summary)
}

impl Step<'_> {
    /// The band keys of a signature.
    fn bands<'s>(&self, signature: &'s [u32]) -> impl Iterator<Item = [u8; 10]> + 's {
        let settings = self.settings;
        signature[..settings.hashes.min(signature.len())]
            .chunks(settings.rows)
            .enumerate()
            .map(|(b, rows)| band_key(b, crate::minhash::band_hash(rows)))
    }

    /// The index documents that share a band with the run, kept before any of the run's.
    fn seed_with_index(&mut self, against: &crate::index::Against, from_index: Vec<BandDocs>) -> Result<(), Error> {
        let wanted: FxHashSet<crate::index::IndexDoc> =
            from_index.iter().flat_map(|(_, d)| d.iter().copied()).collect();
        let mut documents: Vec<_> = against.documents(&wanted)?.into_iter().collect();
        documents.sort_by_key(|(at, _)| *at);
        let mut number = FxHashMap::default();
        for (at, (id, signature)) in documents {
            let (offset, len) = self.sketches.put(&signature)?;
            number.insert(at, self.kept.len() as u32);
            self.kept.push(Kept { id, at: offset, len, size: 1, in_index: true });
        }
        for (band, docs) in from_index {
            let list = self.in_band.entry(band).or_default();
            list.extend(docs.iter().filter_map(|d| number.get(d)).take(BAND_KEPT_LIMIT));
        }
        Ok(())
    }

    /// Place one of the run's documents, in rank order: removed for a kept copy (which, and
    /// the similarity), or kept.
    fn place(&mut self, id: &str, signature: &[u32]) -> Result<Option<(u32, f64)>, Error> {
        let hot_bands: Vec<[u8; 10]> = self.bands(signature).filter(|k| self.hot.contains(k)).collect();
        if hot_bands.is_empty() {
            return Ok(None);
        }
        self.candidates += 1;
        self.seen.clear();
        let mut best: Option<(u32, f64)> = None;
        for band in &hot_bands {
            for &k in self.in_band.get(band).into_iter().flatten() {
                if !self.seen.insert(k) || best.is_some_and(|(b, _)| b < k) {
                    continue;
                }
                let Kept { at, len, .. } = self.kept[k as usize];
                self.sketches.get(at, len, &mut self.other)?;
                let s = crate::minhash::similarity(signature, &self.other, self.settings.hashes);
                if s >= self.settings.threshold {
                    best = Some((k, s));
                }
            }
        }
        match best {
            Some((k, s)) => {
                self.kept[k as usize].size += 1;
                self.removed.push((id_hash(id), k, s as f32));
            }
            None => {
                let k = self.kept.len() as u32;
                let (at, len) = self.sketches.put(signature)?;
                self.kept.push(Kept { id: id.to_string(), at, len, size: 1, in_index: false });
                for band in hot_bands {
                    let list = self.in_band.entry(band).or_default();
                    if list.len() < BAND_KEPT_LIMIT {
                        list.push(k);
                    }
                }
            }
        }
        Ok(best)
    }
}

fn round(s: f64) -> f64 {
    (s * 10_000.0).round() / 10_000.0
}

fn write_decisions(
    output: &Path,
    kept: &[Kept],
    removed: &[(u64, u32, f32)],
    settings: &ClusterSettings,
) -> Result<(), Error> {
    let mut out = RecordWriter::create(&output.join(DECISIONS))?;
    let mut value = Vec::new();
    let mut put = |out: &mut RecordWriter, id: u64, removed: bool, s: f32, kept: &Kept| {
        value.clear();
        value.push(u8::from(removed) | (u8::from(settings.exact) << 1) | (u8::from(kept.in_index) << 2));
        value.extend_from_slice(&s.to_le_bytes());
        value.extend_from_slice(&kept.size.to_le_bytes());
        value.extend_from_slice(kept.id.as_bytes());
        out.write(&id.to_be_bytes(), &value)
    };
    for k in kept.iter().filter(|k| k.size > 1 && !k.in_index) {
        put(&mut out, id_hash(&k.id), false, 1.0, k)?;
    }
    for &(id, k, s) in removed {
        put(&mut out, id, true, s, &kept[k as usize])?;
    }
    out.finish(true)
}

fn summarise(summary: &mut MergeSummary, step: &Step<'_>, settings: &ClusterSettings) {
    let (kept, removed, candidates) = (&step.kept, step.removed.len() as u64, step.candidates);
    let clusters: Vec<&Kept> = kept.iter().filter(|k| k.size > 1).collect();
    if !settings.against.is_empty() {
        let for_index = step.removed.iter().filter(|(_, k, _)| kept[*k as usize].in_index).count();
        summary.counts.insert("documents removed for an index".into(), for_index as u64);
    }
    let sizes = summary.histograms.entry("cluster size".into()).or_default();
    for k in &clusters {
        *sizes.entry(u64::from(k.size)).or_default() += 1;
    }
    summary.counts.insert("candidates".into(), candidates);
    summary.counts.insert("clusters".into(), clusters.len() as u64);
    summary.counts.insert("documents removed".into(), removed);
    summary.counts.insert("largest cluster".into(), clusters.iter().map(|k| u64::from(k.size)).max().unwrap_or(0));
    let mut big: Vec<&&Kept> = clusters.iter().filter(|k| u64::from(k.size) > settings.warn_over).collect();
    big.sort_by_key(|k| std::cmp::Reverse(k.size));
    for k in big.iter().take(10) {
        summary.warnings.push(format!(
            "a cluster of {} documents keeps only {}: check it is not a false cluster (removed.jsonl lists its members; `cluster_warning` sets the limit, {})",
            k.size, k.id, settings.warn_over
        ));
    }
    if big.len() > 10 {
        summary.warnings.push(format!("{} more clusters over {} documents", big.len() - 10, settings.warn_over));
    }
}

/// The decisions file in a document-level result folder.
pub const DECISIONS: &str = "decisions.bin";

/// What the cluster step decided for one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Removed (or, for a cluster's kept copy, not).
    pub removed: bool,
    /// By the exact method.
    pub exact: bool,
    /// Its estimated similarity with the kept copy (1 for the kept copy).
    pub similarity: f32,
    /// Its cluster's size.
    pub size: u32,
    /// The kept copy's id (the cluster's id).
    pub kept: String,
    /// The kept copy is in an index the run dedups against (`against`).
    pub in_index: bool,
}

/// The decisions of a document-level result, by id hash.
pub struct Decisions(FxHashMap<u64, Decision>);

impl Decisions {
    /// Read `decisions.bin` of `dir`, once per process for as long as an instance holds it.
    pub fn load(dir: &Path) -> Result<Arc<Decisions>, Error> {
        shared(&dir.join(DECISIONS), |path| {
            read_map(path, |value| {
                let flags = *value.first()?;
                Some(Decision {
                    removed: flags & 1 == 1,
                    exact: flags & 2 == 2,
                    in_index: flags & 4 == 4,
                    similarity: f32::from_le_bytes(value.get(1..5)?.try_into().ok()?),
                    size: u32::from_le_bytes(value.get(5..9)?.try_into().ok()?),
                    kept: String::from_utf8(value.get(9..)?.to_vec()).ok()?,
                })
            })
            .map(Decisions)
        })
    }

    /// The decision for document `id`, if it is in a cluster.
    pub fn get(&self, id: &str) -> Option<&Decision> {
        self.0.get(&id_hash(id))
    }
}

/// The result of the paragraph and line levels: each repeated unit's hash and its first
/// occurrence (the document's id hash, the unit's index).
pub struct Repeated(FxHashMap<u64, (u64, u32)>);

/// The result file of the paragraph and line levels.
pub const REPEATED: &str = "repeated.bin";

/// The merge of the paragraph and line levels: the units seen twice or more, and where they
/// are first.
pub fn repeated(records: Merged<'_>, output: &Path) -> Result<MergeSummary, Error> {
    let mut out = RecordWriter::create(&output.join(REPEATED))?;
    let mut summary = MergeSummary::default();
    let (mut units, mut removed) = (0u64, 0u64);
    for record in records {
        let (key, value) = record?;
        match key[0] {
            COUNT => {
                summary.counts.insert(String::from_utf8_lossy(&key[1..]).into_owned(), u64_of(&value));
            }
            UNIT if u64_of(&value) >= 2 => {
                let position = &value[8..];
                let (rank, index) = position.split_at(position.len().saturating_sub(4));
                let mut v = id_hash(Rank::id(rank)?).to_le_bytes().to_vec();
                v.extend_from_slice(index);
                out.write(&key[1..], &v)?;
                units += 1;
                removed += u64_of(&value) - 1;
            }
            _ => {}
        }
    }
    out.finish(true)?;
    summary.counts.insert("repeated units".into(), units);
    summary.counts.insert("units removed".into(), removed);
    Ok(summary)
}

impl Repeated {
    /// Read `repeated.bin` of `dir`, once per process for as long as an instance holds it.
    pub fn load(dir: &Path) -> Result<Arc<Repeated>, Error> {
        shared(&dir.join(REPEATED), |path| {
            read_map(path, |value| {
                let first = u64::from_le_bytes(value.get(..8)?.try_into().ok()?);
                Some((first, u32::from_be_bytes(value.get(8..12)?.try_into().ok()?)))
            })
            .map(Repeated)
        })
    }

    /// Where unit `hash` first occurs, if it is repeated.
    pub fn first(&self, hash: u64) -> Option<(u64, u32)> {
        self.0.get(&hash).copied()
    }
}

/// A result file whose keys are 8-byte hashes (big-endian) as a map, each value read by
/// `parse` (`None`: the record is damaged, an error naming the file).
fn read_map<V>(path: &Path, parse: impl Fn(&[u8]) -> Option<V>) -> Result<FxHashMap<u64, V>, Error> {
    let mut reader = RecordReader::open(path)?;
    let mut map = FxHashMap::default();
    while let Some((key, value)) = reader.read()? {
        let bad = || Error::other(format!("{}: a record is damaged", path.display()));
        let hash = u64::from_be_bytes(key.try_into().map_err(|_| bad())?);
        map.insert(hash, parse(&value).ok_or_else(bad)?);
    }
    Ok(map)
}

type Cache = Mutex<Vec<(PathBuf, Weak<dyn Any + Send + Sync>)>>;

/// One copy per process of what `load` reads from `path`, shared by the instances (each
/// worker has its own) while any holds it.
fn shared<T: Any + Send + Sync>(path: &Path, load: impl FnOnce(&Path) -> Result<T, Error>) -> Result<Arc<T>, Error> {
    static CACHE: Cache = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.retain(|(_, w)| w.strong_count() > 0);
    if let Some(found) = cache.iter().find(|(p, _)| p == path).and_then(|(_, w)| w.upgrade()) {
        if let Ok(found) = found.downcast::<T>() {
            return Ok(found);
        }
    }
    let value: Arc<T> = Arc::new(load(path)?);
    let erased: Arc<dyn Any + Send + Sync> = value.clone();
    cache.push((path.to_path_buf(), Arc::downgrade(&erased)));
    Ok(value)
}
