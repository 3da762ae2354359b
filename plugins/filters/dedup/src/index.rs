//! A dedup index: the documents a run kept, for a later run to dedup against (`index =
//! "dir"` writes one, `against = ["dir", ...]` reads them, read-only).
//!
//! A folder of three files:
//!
//! - `index.json`: the settings signatures depend on ([`IndexParams`]) and the document
//!   count; a run against an index made with other settings is refused, naming the setting;
//! - `docs.bin`: a record file (the SDK's format), key = document number (u32 big-endian),
//!   value = the id's length (u32 little-endian), the id, the signature;
//! - `bands.bin`: key = a band key of the pass (`[BAND][band][hash]`), value = the numbers of
//!   the documents with that band (u32 little-endian each), sorted by key.
//!
//! The cluster step reads `bands.bin` beside the run's own band records, both sorted, so
//! only the index's bands that the run shares are held, then only the signatures of the
//! index documents they name: an index far larger than the run costs a read of it, not its
//! size in memory. Writing one holds 16 bytes per band of every document kept (bands are
//! sorted before they are written).

use crate::text::Normalize;
use moulin_plugin::{Error, RecordReader, RecordWriter};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What an index's signatures depend on: a run may dedup against it only with the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexParams {
    /// `minhash` or `exact`.
    pub method: String,
    /// The normalisation.
    pub normalize: Normalize,
    /// `word` or `char`.
    pub shingle: String,
    /// Shingle length.
    pub ngram: usize,
    /// LSH bands.
    pub bands: usize,
    /// Hashes a band.
    pub rows: usize,
    /// The permutations' seed.
    pub seed: u64,
}

#[derive(Serialize, Deserialize)]
struct IndexFile {
    params: IndexParams,
    documents: u64,
}

/// Check that `dir` holds an index made with `params`.
pub fn check(dir: &Path, params: &IndexParams) -> Result<(), Error> {
    let path = dir.join("index.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::config("against", format!("{}: not a dedup index ({e})", dir.display())))?;
    let file: IndexFile = serde_json::from_str(&text)
        .map_err(|e| Error::config("against", format!("{}: a damaged index.json: {e}", path.display())))?;
    let (mine, theirs) =
        (serde_json::to_value(params).unwrap_or_default(), serde_json::to_value(&file.params).unwrap_or_default());
    if let (Some(m), Some(t)) = (mine.as_object(), theirs.as_object()) {
        if let Some((key, value)) = m.iter().find(|(k, v)| t.get(*k) != Some(*v)) {
            return Err(Error::config(
                "against",
                format!(
                    "{} was made with {key} = {}, this stage has {key} = {value}: signatures would not compare",
                    dir.display(),
                    t.get(key).cloned().unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// Writes an index as the cluster step goes.
pub struct IndexWriter {
    dir: PathBuf,
    params: IndexParams,
    docs: RecordWriter,
    bands: Vec<([u8; 10], u32)>,
    documents: u32,
    /// The files' temporary suffix: every shard of a sharded run writes the same index, each
    /// renaming its own files into place.
    suffix: String,
}

impl IndexWriter {
    /// Start an index in `dir` (made if missing).
    pub fn create(dir: &Path, params: IndexParams) -> Result<IndexWriter, Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
        let suffix = format!(".partial-{}", std::process::id());
        let docs = RecordWriter::create(&dir.join(format!("docs.bin{suffix}")))?;
        Ok(IndexWriter { dir: dir.to_path_buf(), params, docs, bands: Vec::new(), documents: 0, suffix })
    }

    /// Add a document that stays, with its band keys.
    pub fn add(&mut self, id: &str, signature: &[u32], bands: impl Iterator<Item = [u8; 10]>) -> Result<(), Error> {
        let n = self.documents;
        let mut value = (id.len() as u32).to_le_bytes().to_vec();
        value.extend_from_slice(id.as_bytes());
        value.extend(signature.iter().flat_map(|h| h.to_le_bytes()));
        self.docs.write(&n.to_be_bytes(), &value)?;
        self.bands.extend(bands.map(|b| (b, n)));
        self.documents += 1;
        Ok(())
    }

    /// Write the bands and `index.json`, and put the files in place.
    pub fn finish(mut self) -> Result<u32, Error> {
        self.docs.finish(true)?;
        self.bands.sort_unstable();
        let bands_tmp = self.dir.join(format!("bands.bin{}", self.suffix));
        let mut out = RecordWriter::create(&bands_tmp)?;
        let mut value = Vec::new();
        for group in self.bands.chunk_by(|a, b| a.0 == b.0) {
            value.clear();
            value.extend(group.iter().flat_map(|(_, n)| n.to_le_bytes()));
            out.write(&group[0].0, &value)?;
        }
        out.finish(true)?;
        let file = IndexFile { params: self.params.clone(), documents: u64::from(self.documents) };
        let json_tmp = self.dir.join(format!("index.json{}", self.suffix));
        std::fs::write(&json_tmp, serde_json::to_string_pretty(&file).unwrap_or_default())
            .map_err(|e| Error::io(format!("cannot write {}: {e}", json_tmp.display())))?;
        for name in ["docs.bin", "bands.bin", "index.json"] {
            let (from, to) = (self.dir.join(format!("{name}{}", self.suffix)), self.dir.join(name));
            std::fs::rename(&from, &to).map_err(|e| Error::io(format!("cannot rename {}: {e}", from.display())))?;
        }
        Ok(self.documents)
    }
}

/// An index document: which index, its number there.
pub type IndexDoc = (usize, u32);

/// The indexes a run dedups against, read beside its band records.
pub struct Against {
    dirs: Vec<PathBuf>,
    bands: Vec<RecordReader>,
    /// The next band record of each index.
    next: Vec<Option<(Vec<u8>, Vec<u8>)>>,
}

impl Against {
    /// Open the indexes in `dirs` (checked by [`check`] when the stage was made).
    pub fn open(dirs: &[PathBuf]) -> Result<Against, Error> {
        let mut bands = dirs.iter().map(|d| RecordReader::open(&d.join("bands.bin"))).collect::<Result<Vec<_>, _>>()?;
        let next = bands.iter_mut().map(|r| r.read()).collect::<Result<Vec<_>, _>>()?;
        Ok(Against { dirs: dirs.to_vec(), bands, next })
    }

    /// The index documents with band `key` (as index and number); keys are asked in order.
    pub fn documents_with(&mut self, key: &[u8]) -> Result<Vec<IndexDoc>, Error> {
        let mut found = Vec::new();
        for i in 0..self.bands.len() {
            while self.next[i].as_ref().is_some_and(|(k, _)| k.as_slice() < key) {
                self.next[i] = self.bands[i].read()?;
            }
            if let Some((k, v)) = &self.next[i] {
                if k.as_slice() == key {
                    found.extend(v.chunks_exact(4).map(|c| (i, u32::from_le_bytes(c.try_into().expect("4")))));
                }
            }
        }
        Ok(found)
    }

    /// The id and signature of each wanted document, by index and number.
    pub fn documents(&self, wanted: &FxHashSet<IndexDoc>) -> Result<FxHashMap<IndexDoc, (String, Vec<u32>)>, Error> {
        let mut out = FxHashMap::default();
        for (i, dir) in self.dirs.iter().enumerate() {
            if !wanted.iter().any(|(j, _)| *j == i) {
                continue;
            }
            let path = dir.join("docs.bin");
            let mut reader = RecordReader::open(&path)?;
            let bad = || Error::other(format!("{}: a damaged index record", path.display()));
            while let Some((key, value)) = reader.read()? {
                let n = u32::from_be_bytes(key.try_into().map_err(|_| bad())?);
                if !wanted.contains(&(i, n)) {
                    continue;
                }
                let len = u32::from_le_bytes(value.get(..4).ok_or_else(bad)?.try_into().expect("4")) as usize;
                let id = std::str::from_utf8(value.get(4..4 + len).ok_or_else(bad)?).map_err(|_| bad())?.to_string();
                out.insert((i, n), (id, crate::cluster::signature_of(&value[4 + len..])));
            }
        }
        Ok(out)
    }
}
