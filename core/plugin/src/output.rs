//! Output files for exporters.
//!
//! An exporter writes one file, or numbered parts once a file reaches a limit of documents
//! or bytes (`docs.jsonl.gz` becomes `docs.part-00000.jsonl.gz`, `docs.part-00001.jsonl.gz`,
//! ...). Each file is written under `<name>.partial`, synced, and renamed when complete, so
//! a crash never leaves a file that looks finished. [`Outputs::summary`] is what the exporter
//! returns from `finish`: the files, documents, rows and bytes the run manifest shows.
//!
//! An exporter holds a [`PartWriter`] over its own writer type:
//!
//! ```
//! use moulin_plugin::output::{CountingFile, FileLimits, Outputs, PartWriter};
//! use std::io::Write;
//!
//! let dir = tempfile::tempdir()?;
//! let limits = FileLimits { max_documents: Some(2), max_bytes: None };
//! let outputs = Outputs::new(dir.path(), "rows.txt".as_ref(), limits)?;
//! let mut files = PartWriter::new(outputs, Box::new(|f| Ok(CountingFile::new(f))), Box::new(|w: CountingFile| w.into_file()))?;
//! for row in ["a", "b", "c"] {
//!     let (writer, part) = files.writer()?;
//!     writeln!(writer, "{row}")?;
//!     part.add(1, 0);
//!     part.set_bytes(writer.bytes());
//! }
//! let summary = files.finish(None)?;
//! assert_eq!(summary["files"], serde_json::json!(["rows.part-00000.txt", "rows.part-00001.txt"]));
//! assert_eq!(std::fs::read_to_string(dir.path().join("rows.part-00001.txt"))?, "c\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::Error;
pub use moulin_abi::contract::{ExportSummary, Join, OpenFile};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Component, Path, PathBuf};

/// A buffered file that counts the bytes written to it, so that an exporter can check
/// `max_bytes_per_file` while encoders sit on top of it.
#[derive(Debug)]
pub struct CountingFile {
    inner: BufWriter<File>,
    bytes: u64,
}

impl CountingFile {
    /// `file` behind a 1 MiB buffer. Counting starts at the file's length (0 for a new file;
    /// what is there already when a file is continued).
    pub fn new(file: File) -> CountingFile {
        let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        CountingFile { inner: BufWriter::with_capacity(1 << 20, file), bytes }
    }

    /// Bytes written so far (some may still be in the buffer).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Flush the buffer and give the file back, for [`Outputs::end`].
    pub fn into_file(self) -> std::io::Result<File> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

impl Write for CountingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// When an exporter starts a new file. With neither limit, it writes one file under the
/// name it was given; with either, numbered parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileLimits {
    /// A file is complete once it holds this many documents (rows for CSV and CoNLL
    /// exporters count documents too).
    pub max_documents: Option<u64>,
    /// A file is complete once this many bytes were written to it (checked between
    /// documents, so a file ends just past it). For a compressed file these are the bytes
    /// the compressor has emitted, which come in blocks (tens of KiB for gzip and zstd): a
    /// part can run past the limit by a block.
    pub max_bytes: Option<u64>,
}

impl FileLimits {
    /// Check the limits, naming the config keys `max_documents_per_file` and
    /// `max_bytes_per_file` (the names every exporter of this workspace uses).
    pub fn validate(&self) -> Result<(), Error> {
        for (key, v) in [("max_documents_per_file", self.max_documents), ("max_bytes_per_file", self.max_bytes)] {
            if v == Some(0) {
                return Err(Error::config(key, "expected a limit above 0 (leave it out for one file)"));
            }
        }
        Ok(())
    }

    fn parts(&self) -> bool {
        self.max_documents.is_some() || self.max_bytes.is_some()
    }
}

/// Check an exporter's `path`: a relative name inside the output folder.
pub fn validate_path(path: &Path) -> Result<(), Error> {
    if path.as_os_str().is_empty()
        || path.is_absolute()
        || path.components().any(|c| matches!(c, Component::ParentDir))
        || path.file_name().is_none()
    {
        return Err(Error::config(
            "path",
            format!("expected a file name inside the output folder, found {:?}", path.display().to_string()),
        ));
    }
    let text = path.to_string_lossy();
    if text.contains('\0') {
        return Err(Error::config("path", format!("expected a file name without a NUL byte, found {text:?}")));
    }
    // The run's own files and folders are the host's: a file of an exporter there would be
    // overwritten by them, or overwrite them.
    let first = path.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
    if moulin_abi::contract::RUN_FILES.contains(&first.as_str()) {
        return Err(Error::config(
            "path",
            format!(
                "`{first}` is one of the run's own files ({}): name the exporter's file otherwise",
                moulin_abi::contract::RUN_FILES.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The file being written.
#[derive(Debug)]
pub struct Part {
    partial: PathBuf,
    path: PathBuf,
    name: String,
    documents: u64,
    rows: u64,
    bytes: u64,
}

impl Part {
    /// Count one document written to it as `rows` rows (a JSONL line, a CSV record, a
    /// CoNLL token line) and `bytes` bytes.
    pub fn add(&mut self, rows: u64, bytes: u64) {
        self.documents += 1;
        self.rows += rows;
        self.bytes += bytes;
    }

    /// Set the bytes written so far (for writers that know their own size).
    pub fn set_bytes(&mut self, bytes: u64) {
        self.bytes = bytes;
    }

    /// Documents written to it.
    pub fn documents(&self) -> u64 {
        self.documents
    }

    /// The temporary path it is written under.
    pub fn partial_path(&self) -> &Path {
        &self.partial
    }

    /// Its name relative to the output folder, once complete.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The files of one exporter.
#[derive(Debug)]
pub struct Outputs {
    dir: PathBuf,
    path: PathBuf,
    limits: FileLimits,
    next: usize,
    files: Vec<String>,
    /// The length of each of `files` when it was completed.
    file_bytes: Vec<u64>,
    documents: u64,
    rows: u64,
    bytes: u64,
    /// Set by [`Outputs::resume`] when the resume point had a file open: it is continued.
    reopen: Option<OpenFile>,
}

impl Outputs {
    /// Files named after `path` (relative, checked by [`validate_path`]) in `dir`.
    pub fn new(dir: &Path, path: &Path, limits: FileLimits) -> Result<Outputs, Error> {
        validate_path(path)?;
        limits.validate()?;
        Ok(Outputs {
            dir: dir.to_path_buf(),
            path: path.to_path_buf(),
            limits,
            next: 0,
            files: Vec::new(),
            file_bytes: Vec::new(),
            documents: 0,
            rows: 0,
            bytes: 0,
            reopen: None,
        })
    }

    /// The files of the exporter `ctx` is made for: `path` in the run's output folder, and,
    /// when the run is resumed, continuing from the state of [`StageContext::resume`]
    /// ([`Outputs::resume`]). What every exporter of the workspace calls.
    ///
    /// [`StageContext::resume`]: crate::StageContext::resume
    pub fn for_stage(ctx: &crate::StageContext, path: &Path, limits: FileLimits) -> Result<Outputs, Error> {
        let mut outputs = Outputs::new(&ctx.output_dir, path, limits)?;
        CLAIMS.with(|c| {
            if let Some(claims) = c.borrow_mut().as_mut() {
                claims.push(path.to_string_lossy().replace('\\', "/"));
            }
        });
        if let Some(state) = &ctx.resume {
            outputs.resume(state)?;
        }
        Ok(outputs)
    }

    /// Continue from a resume point: `state` is what [`PartWriter::checkpoint`] returned
    /// then (`{}` for a run that starts afresh). The files it lists are kept and counted
    /// (each must still exist); the files written after it (complete or `.partial`, left by
    /// an earlier attempt or run) are deleted, and numbering goes on after the kept ones.
    /// A file the state has open (one file, no parts) is cut back to the length it had then
    /// and continued.
    pub fn resume(&mut self, state: &serde_json::Value) -> Result<(), Error> {
        let bad =
            |what: &str| Error::other(format!("bad resume state for {}: {what}, in {state}", self.path.display()));
        let summary: ExportSummary = serde_json::from_value(state.clone())
            .map_err(|e| bad(&format!("expected an exporter's summary (files, documents, rows, bytes, open): {e}")))?;
        let ExportSummary { files, file_bytes, documents, rows, bytes, open, .. } = summary;
        if !files.is_empty() && !self.limits.parts() {
            return Err(Error::other(format!(
                "{} was completed by an earlier attempt and one file cannot be continued",
                self.path.display()
            )));
        }
        for (i, name) in files.iter().enumerate() {
            let expected = self.name_of(i).to_string_lossy().replace('\\', "/");
            if *name != expected {
                return Err(bad(&format!("file {i} is {name:?}, expected {expected:?}")));
            }
            let path = self.dir.join(name);
            let Some(length) = std::fs::metadata(&path).ok().filter(|m| m.is_file()).map(|m| m.len()) else {
                return Err(Error::io(format!(
                    "{}: missing, although the journal counts it as complete",
                    path.display()
                )));
            };
            let committed = file_bytes.get(i).filter(|_| file_bytes.len() == files.len());
            if let Some(&committed) = committed.filter(|&&b| b != length) {
                return Err(Error::io(format!(
                    "{}: {length} bytes, although the journal counts it complete at {committed} bytes: it was cut or changed since; run without --resume to start over",
                    path.display()
                )));
            }
        }
        if let Some(open) = open {
            self.prepare_reopen(&open, files.len())
                .map_err(|e| Error::io(format!("continuing {}: {e}", self.dir.join(&open.name).display())))?;
            self.next = files.len();
            self.files = files;
            self.file_bytes = file_bytes;
            (self.documents, self.rows, self.bytes) = (documents, rows, bytes);
            self.reopen = Some(open);
            return Ok(());
        }
        // Files after the resume point: parts numbered on from it, each complete or partial.
        for i in files.len().. {
            let path = self.dir.join(self.name_of(i));
            let partial = partial_path(&path);
            let mut found = false;
            for p in [&path, &partial] {
                match std::fs::remove_file(p) {
                    Ok(()) => found = true,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(Error::io(format!("removing {}, written after the resume point: {e}", p.display())))
                    }
                }
            }
            if !found || !self.limits.parts() {
                break;
            }
        }
        self.next = files.len();
        self.files = files;
        self.file_bytes = file_bytes;
        (self.documents, self.rows, self.bytes) = (documents, rows, bytes);
        Ok(())
    }

    /// Check that the open file of a resume point can be continued: it is still `.partial`
    /// with at least the bytes counted then, or complete (the run ended after the resume
    /// point and before recording its end), in which case it becomes `.partial` again.
    fn prepare_reopen(&self, open: &OpenFile, index: usize) -> std::io::Result<()> {
        let expected = self.name_of(index).to_string_lossy().replace('\\', "/");
        if open.name != expected {
            return Err(std::io::Error::other(format!(
                "the resume state's open file is {:?}, expected {expected:?}",
                open.name
            )));
        }
        let path = self.dir.join(&open.name);
        let partial = partial_path(&path);
        if !partial.exists() && path.exists() {
            std::fs::rename(&path, &partial)?;
        }
        let length = std::fs::metadata(&partial)?.len();
        if length < open.bytes {
            return Err(std::io::Error::other(format!(
                "{} holds {length} bytes, less than the {} written at the resume point",
                partial.display(),
                open.bytes
            )));
        }
        Ok(())
    }

    /// The file a resume point had open, cut back to its length then, with its counts.
    fn reopen(&mut self) -> Result<Option<(File, Part)>, Error> {
        let Some(open) = self.reopen.take() else { return Ok(None) };
        let path = self.dir.join(&open.name);
        let partial = partial_path(&path);
        let io = |e: std::io::Error| Error::io(format!("{}: {e}", partial.display()));
        let mut file = std::fs::OpenOptions::new().write(true).open(&partial).map_err(io)?;
        file.set_len(open.bytes).map_err(io)?;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(io)?;
        self.next += 1;
        Ok(Some((
            file,
            Part { partial, path, name: open.name, documents: open.documents, rows: open.rows, bytes: open.bytes },
        )))
    }

    /// The name of file number `index`: the configured name, or with `.part-NNNNN` before
    /// its first extension when limits are set.
    pub fn name_of(&self, index: usize) -> PathBuf {
        if !self.limits.parts() {
            return self.path.clone();
        }
        let file_name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let numbered = match file_name.split_once('.') {
            Some((stem, ext)) => format!("{stem}.part-{index:05}.{ext}"),
            None => format!("{file_name}.part-{index:05}"),
        };
        self.path.with_file_name(numbered)
    }

    /// Start the next file, under its temporary name.
    pub fn begin(&mut self) -> Result<(File, Part), Error> {
        let name = self.name_of(self.next);
        self.next += 1;
        let path = self.dir.join(&name);
        let partial = partial_path(&path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("{}: {e}", parent.display())))?;
        }
        let file = File::create(&partial).map_err(|e| Error::io(format!("{}: {e}", partial.display())))?;
        let name = name.to_string_lossy().replace('\\', "/");
        Ok((file, Part { partial, path, name, documents: 0, rows: 0, bytes: 0 }))
    }

    /// Whether the file has reached a limit (so the next document goes to a new one).
    pub fn is_full(&self, part: &Part) -> bool {
        self.limits.max_documents.is_some_and(|m| part.documents >= m)
            || self.limits.max_bytes.is_some_and(|m| part.bytes >= m)
    }

    /// Complete a file: sync it, rename it to its final name, count it. `file` is the file
    /// [`Outputs::begin`] gave, with everything written and flushed.
    pub fn end(&mut self, part: Part, file: File) -> Result<(), Error> {
        let io = |what: &Path| {
            let what = what.display().to_string();
            move |e: std::io::Error| Error::io(format!("{what}: {e}"))
        };
        file.sync_all().map_err(io(&part.partial))?;
        let bytes = file.metadata().map_err(io(&part.partial))?.len();
        drop(file);
        std::fs::rename(&part.partial, &part.path)
            .map_err(|e| Error::io(format!("renaming {} to {}: {e}", part.partial.display(), part.path.display())))?;
        // The rename is durable once the folder is synced (a journal may record the file as
        // complete right after).
        if let Some(parent) = part.path.parent() {
            File::open(parent).and_then(|d| d.sync_all()).map_err(io(parent))?;
        }
        // Lengths are kept while they match the files (a state from an older SDK has none).
        if self.file_bytes.len() == self.files.len() {
            self.file_bytes.push(bytes);
        }
        self.files.push(part.name);
        self.documents += part.documents;
        self.rows += part.rows;
        self.bytes += bytes;
        Ok(())
    }

    /// The files completed, and their counts.
    pub fn summary(&self) -> ExportSummary {
        ExportSummary {
            files: self.files.clone(),
            file_bytes: self.file_bytes.clone(),
            documents: self.documents,
            rows: self.rows,
            bytes: self.bytes,
            ..Default::default()
        }
    }
}

thread_local! {
    /// The output paths claimed by the stage being made on this thread ([`claims`]).
    static CLAIMS: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Run `make` (a stage's `new`) and collect the paths it gave [`Outputs::for_stage`]: what
/// the stage answers to [`moulin_abi::ext::WRITES`].
pub(crate) fn claims<T>(make: impl FnOnce() -> T) -> (T, Vec<String>) {
    let outer = CLAIMS.with(|c| c.borrow_mut().replace(Vec::new()));
    let made = make();
    let claimed = CLAIMS.with(|c| std::mem::replace(&mut *c.borrow_mut(), outer)).unwrap_or_default();
    (made, claimed)
}

fn partial_path(path: &Path) -> PathBuf {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    PathBuf::from(partial)
}

/// Makes the writer of a new file.
pub type OpenFn<W> = Box<dyn FnMut(File) -> std::io::Result<W> + Send>;
/// Ends a writer (footer, compression trailer) and gives its file back, flushed.
pub type FinishFn<W> = Box<dyn FnMut(W) -> std::io::Result<File> + Send>;

/// An exporter's files with the writer of the open one: what every exporter of the
/// workspace holds. [`PartWriter::writer`] gives the writer documents go to, starting a new
/// part when the open one is full; [`PartWriter::finish`] completes the last file and gives
/// the summary.
pub struct PartWriter<W> {
    outputs: Outputs,
    current: Option<(W, Part)>,
    open: OpenFn<W>,
    finish: FinishFn<W>,
    /// Makes the writer that continues a file after its stream was ended (no header).
    resume: Option<OpenFn<W>>,
}

impl<W> PartWriter<W> {
    /// Files as `outputs` names them, written through `open`'s writers. The first file is
    /// opened at once, so a run without documents still leaves an (empty) file; a resumed
    /// run that already has files opens the next one when a document comes.
    pub fn new(outputs: Outputs, open: OpenFn<W>, finish: FinishFn<W>) -> Result<PartWriter<W>, Error> {
        let mut files = PartWriter { outputs, current: None, open, finish, resume: None };
        if files.outputs.files.is_empty() && files.outputs.reopen.is_none() {
            files.current = Some(files.begin()?);
        }
        Ok(files)
    }

    /// How to go on writing a file whose stream was ended at a resume point: a writer over
    /// the file as it is (a new gzip member or zstd frame; no header). With it, an exporter
    /// that writes one file can take checkpoints: its stream is ended and started again in
    /// the same file ([`PartWriter::checkpoint`]). Formats that cannot be continued
    /// (Parquet: its footer ends the file) leave it out.
    pub fn continuing(mut self, resume: OpenFn<W>) -> PartWriter<W> {
        self.resume = Some(resume);
        self
    }

    fn begin(&mut self) -> Result<(W, Part), Error> {
        if let Some((file, part)) = self.outputs.reopen()? {
            let resume = self.resume.as_mut().ok_or_else(|| {
                Error::other(format!(
                    "{} cannot be continued: this exporter writes no file it can continue",
                    part.partial_path().display()
                ))
            })?;
            let writer = resume(file).map_err(|e| Error::io(format!("{}: {e}", part.partial_path().display())))?;
            return Ok((writer, part));
        }
        let (file, part) = self.outputs.begin()?;
        let writer = (self.open)(file).map_err(|e| Error::io(format!("{}: {e}", part.partial_path().display())))?;
        Ok((writer, part))
    }

    /// Whether the open file has reached a limit: the next [`PartWriter::writer`] starts a
    /// new one. (An exporter that holds rows back, such as Parquet's batches, writes them
    /// out first.)
    pub fn is_full(&self) -> bool {
        self.current.as_ref().is_some_and(|(_, part)| self.outputs.is_full(part))
    }

    /// The writer for the next document and its file's [`Part`] (to count what is written).
    pub fn writer(&mut self) -> Result<(&mut W, &mut Part), Error> {
        if self.is_full() {
            self.close()?;
        }
        if self.current.is_none() {
            self.current = Some(self.begin()?);
        }
        let (writer, part) = self.current.as_mut().expect("a file was just opened");
        Ok((writer, part))
    }

    /// The open file's writer, if a file is open (to write out rows held back).
    pub fn open_writer(&mut self) -> Option<(&mut W, &mut Part)> {
        self.current.as_mut().map(|(w, p)| (w, p))
    }

    fn close(&mut self) -> Result<(), Error> {
        if self.current.is_none() && self.outputs.reopen.is_some() {
            // A resumed run that wrote nothing more still completes the file it continues.
            self.current = Some(self.begin()?);
        }
        if let Some((writer, part)) = self.current.take() {
            let file =
                (self.finish)(writer).map_err(|e| Error::io(format!("{}: {e}", part.partial_path().display())))?;
            self.outputs.end(part, file)?;
        }
        Ok(())
    }

    /// Whether [`PartWriter::checkpoint`] can work: with numbered parts, or with one file
    /// that can be continued ([`PartWriter::continuing`]).
    pub fn can_checkpoint(&self) -> bool {
        self.outputs.limits.parts() || self.resume.is_some()
    }

    /// Make everything written so far durable, and give the state a resumed run continues
    /// from ([`Outputs::resume`]). With parts, the open part is completed if it holds any
    /// document; the state is the summary of the complete files. With one file, its stream
    /// is ended (compression trailer), the file synced and the stream started again in it;
    /// the state also has `open`, the file's name, length and counts. `None` when neither
    /// works ([`PartWriter::can_checkpoint`]). An exporter that holds rows back writes them
    /// out first.
    pub fn checkpoint(&mut self) -> Result<Option<serde_json::Value>, Error> {
        if !self.can_checkpoint() {
            return Ok(None);
        }
        if self.outputs.limits.parts() {
            if self.current.as_ref().is_some_and(|(_, part)| part.documents > 0) {
                self.close()?;
            }
            return Ok(Some(to_json(&self.outputs.summary())));
        }
        let (writer, mut part) = match self.current.take() {
            Some(open) => open,
            None => self.begin()?,
        };
        let shown = part.partial_path().display().to_string();
        let io = |e: std::io::Error| Error::io(format!("{shown}: {e}"));
        let file = (self.finish)(writer).map_err(io)?;
        file.sync_data().map_err(io)?;
        part.bytes = file.metadata().map_err(io)?.len();
        let resume = self.resume.as_mut().expect("can_checkpoint: parts or a way to continue");
        let writer = resume(file).map_err(io)?;
        let open = OpenFile { name: part.name.clone(), bytes: part.bytes, documents: part.documents, rows: part.rows };
        self.current = Some((writer, part));
        Ok(Some(to_json(&ExportSummary { open: Some(open), ..self.outputs.summary() })))
    }

    /// Complete the open file and give the summary of all of them ([`Outputs::summary`]),
    /// with the rule by which `moulin merge --concat` joins every shard's files (`None`:
    /// they cannot be joined). What an exporter's [`crate::Stage::finish`] returns.
    pub fn finish(&mut self, join: Option<Join>) -> Result<serde_json::Value, Error> {
        self.close()?;
        Ok(to_json(&ExportSummary { concatenate: join, ..self.outputs.summary() }))
    }
}

fn to_json(summary: &ExportSummary) -> serde_json::Value {
    serde_json::to_value(summary).expect("plain fields")
}

/// How an exporter's file is compressed, by the ending of its name: `.gz` gzip (members
/// join as one stream), `.zst` zstd (frames join), anything else none.
#[cfg(feature = "compression")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// Plain.
    None,
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
}

#[cfg(feature = "compression")]
impl Compression {
    /// The compression a file name asks for.
    pub fn of(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// Check a `level` setting for it (gzip 0-9, zstd 1-22; none for a plain file), naming
    /// the key `level`.
    pub fn check_level(self, level: Option<u32>) -> Result<(), Error> {
        let max = match self {
            Compression::Gzip => 9,
            Compression::Zstd => 22,
            Compression::None if level.is_some() => {
                return Err(Error::config("level", "a level needs a compressed file (.gz or .zst)"))
            }
            Compression::None => return Ok(()),
        };
        match level {
            Some(l) if l > max => Err(Error::config("level", format!("expected at most {max}, found {l}"))),
            _ => Ok(()),
        }
    }
}

/// An exporter's open file, compressed as its name asks ([`Compression`]), counting the
/// bytes that reach the file: what [`PartWriter`]'s open and continue functions give a
/// text exporter (`Box::new(move |file| Compressed::open(file, compression, level))`).
#[cfg(feature = "compression")]
pub enum Compressed {
    /// Plain.
    Plain(CountingFile),
    /// gzip.
    Gzip(flate2::write::GzEncoder<CountingFile>),
    /// zstd.
    Zstd(zstd::stream::write::Encoder<'static, CountingFile>),
}

#[cfg(feature = "compression")]
impl Compressed {
    /// Start a stream in `file` (a new one, or one continued after a resume point: gzip
    /// members and zstd frames follow one another); `level` or the format's default (gzip
    /// 6, zstd 3).
    pub fn open(file: File, compression: Compression, level: Option<u32>) -> std::io::Result<Compressed> {
        let sink = CountingFile::new(file);
        Ok(match compression {
            Compression::None => Compressed::Plain(sink),
            Compression::Gzip => {
                Compressed::Gzip(flate2::write::GzEncoder::new(sink, flate2::Compression::new(level.unwrap_or(6))))
            }
            Compression::Zstd => Compressed::Zstd(zstd::stream::write::Encoder::new(sink, level.unwrap_or(3) as i32)?),
        })
    }

    /// Bytes that have reached the file (or its buffer) so far: what a part's byte limit
    /// counts.
    pub fn bytes(&self) -> u64 {
        match self {
            Compressed::Plain(w) => w.bytes(),
            Compressed::Gzip(w) => w.get_ref().bytes(),
            Compressed::Zstd(w) => w.get_ref().bytes(),
        }
    }

    /// End the stream and give the file back, flushed.
    pub fn finish(self) -> std::io::Result<File> {
        let sink = match self {
            Compressed::Plain(w) => w,
            Compressed::Gzip(w) => w.finish()?,
            Compressed::Zstd(w) => w.finish()?,
        };
        sink.into_file()
    }
}

#[cfg(feature = "compression")]
impl Write for Compressed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Compressed::Plain(w) => w.write(buf),
            Compressed::Gzip(w) => w.write(buf),
            Compressed::Zstd(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Compressed::Plain(w) => w.flush(),
            Compressed::Gzip(w) => w.flush(),
            Compressed::Zstd(w) => w.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_keep_every_extension() {
        let limits = FileLimits { max_documents: Some(1), max_bytes: None };
        let o = Outputs::new(Path::new("/out"), Path::new("sub/docs.jsonl.gz"), limits).unwrap();
        assert_eq!(o.name_of(3), Path::new("sub/docs.part-00003.jsonl.gz"));
        let o = Outputs::new(Path::new("/out"), Path::new("docs"), limits).unwrap();
        assert_eq!(o.name_of(0), Path::new("docs.part-00000"));
        let o = Outputs::new(Path::new("/out"), Path::new("docs.csv"), FileLimits::default()).unwrap();
        assert_eq!(o.name_of(0), Path::new("docs.csv"));
    }

    #[test]
    fn bad_paths_and_limits_name_their_key() {
        for bad in ["../x", "/tmp/x", ""] {
            assert_eq!(validate_path(Path::new(bad)).unwrap_err().key(), Some("path"), "{bad}");
        }
        let zero = FileLimits { max_documents: None, max_bytes: Some(0) };
        assert_eq!(zero.validate().unwrap_err().key(), Some("max_bytes_per_file"));
    }

    #[test]
    fn a_resumed_exporter_keeps_what_was_committed_and_removes_what_came_after() {
        let dir = tempfile::tempdir().unwrap();
        let limits = FileLimits { max_documents: Some(1), max_bytes: None };
        let mut files = PartWriter::new(
            Outputs::new(dir.path(), Path::new("d.txt"), limits).unwrap(),
            Box::new(|f| Ok(CountingFile::new(f))),
            Box::new(CountingFile::into_file),
        )
        .unwrap();
        let write = |files: &mut PartWriter<CountingFile>, row: &str| {
            let (w, part) = files.writer().unwrap();
            std::io::Write::write_all(w, row.as_bytes()).unwrap();
            part.add(1, 0);
        };
        write(&mut files, "a");
        write(&mut files, "b");
        let state = files.checkpoint().unwrap().unwrap();
        assert_eq!(state["files"], serde_json::json!(["d.part-00000.txt", "d.part-00001.txt"]));
        // After the resume point: one more complete part and one partial, then a crash.
        write(&mut files, "c");
        write(&mut files, "d");
        drop(files);
        let names = |dir: &Path| {
            let mut n: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            n.sort();
            n
        };
        assert_eq!(
            names(dir.path()),
            ["d.part-00000.txt", "d.part-00001.txt", "d.part-00002.txt", "d.part-00003.txt.partial"]
        );
        let ctx = crate::StageContext {
            output_dir: dir.path().to_path_buf(),
            resume: Some(state.clone()),
            ..Default::default()
        };
        let outputs = Outputs::for_stage(&ctx, Path::new("d.txt"), limits).unwrap();
        assert_eq!(names(dir.path()), ["d.part-00000.txt", "d.part-00001.txt"]);
        let mut files =
            PartWriter::new(outputs, Box::new(|f| Ok(CountingFile::new(f))), Box::new(CountingFile::into_file))
                .unwrap();
        write(&mut files, "c");
        let summary = files.finish(None).unwrap();
        assert_eq!(summary["files"], serde_json::json!(["d.part-00000.txt", "d.part-00001.txt", "d.part-00002.txt"]));
        assert_eq!(summary["documents"], 3);
        // A file the state counts must still be there.
        std::fs::remove_file(dir.path().join("d.part-00001.txt")).unwrap();
        let e = Outputs::for_stage(&ctx, Path::new("d.txt"), limits).unwrap_err();
        assert!(e.to_string().contains("d.part-00001.txt: missing"), "{e}");
        // One file (no limits) cannot take a checkpoint.
        let one = PartWriter::new(
            Outputs::new(dir.path(), Path::new("one.txt"), FileLimits::default()).unwrap(),
            Box::new(|f| Ok(CountingFile::new(f))),
            Box::new(CountingFile::into_file),
        )
        .unwrap();
        assert!(!one.can_checkpoint());
    }

    #[test]
    fn one_file_is_continued_after_its_resume_point() {
        let dir = tempfile::tempdir().unwrap();
        let gzip = |dir: &Path, ctx: Option<serde_json::Value>| {
            let ctx = crate::StageContext { output_dir: dir.to_path_buf(), resume: ctx, ..Default::default() };
            let outputs = Outputs::for_stage(&ctx, Path::new("d.txt.gz"), FileLimits::default()).unwrap();
            let open = |f| Ok(flate2::write::GzEncoder::new(CountingFile::new(f), flate2::Compression::default()));
            let finish = |w: flate2::write::GzEncoder<CountingFile>| w.finish()?.into_file();
            PartWriter::new(outputs, Box::new(open), Box::new(finish)).unwrap().continuing(Box::new(open))
        };
        let write = |files: &mut PartWriter<flate2::write::GzEncoder<CountingFile>>, row: &str| {
            let (w, part) = files.writer().unwrap();
            std::io::Write::write_all(w, row.as_bytes()).unwrap();
            part.add(1, 0);
        };
        let mut files = gzip(dir.path(), Some(serde_json::json!({})));
        assert!(files.can_checkpoint());
        write(&mut files, "a\n");
        let state = files.checkpoint().unwrap().unwrap();
        assert_eq!(state["open"]["documents"], 1);
        write(&mut files, "b\n");
        // What a crash leaves: b may be on disk, after the resume point.
        let _ = files.current.as_mut().map(|(w, _)| std::io::Write::flush(w));
        drop(files);
        let mut files = gzip(dir.path(), Some(state));
        write(&mut files, "c\n");
        let summary = files.finish(None).unwrap();
        assert_eq!(
            (summary["files"].clone(), summary["documents"].clone()),
            (serde_json::json!(["d.txt.gz"]), serde_json::json!(2))
        );
        // Two gzip members, read as one stream: a, then c.
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::MultiGzDecoder::new(File::open(dir.path().join("d.txt.gz")).unwrap()),
            &mut text,
        )
        .unwrap();
        assert_eq!(text, "a\nc\n");
        assert!(!dir.path().join("d.txt.gz.partial").exists());
    }

    #[test]
    fn a_file_is_renamed_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let mut o = Outputs::new(dir.path(), Path::new("a.txt"), FileLimits::default()).unwrap();
        let (file, mut part) = o.begin().unwrap();
        std::io::Write::write_all(&mut &file, b"abc").unwrap();
        part.add(1, 3);
        assert!(dir.path().join("a.txt.partial").exists() && !dir.path().join("a.txt").exists());
        o.end(part, file).unwrap();
        assert!(!dir.path().join("a.txt.partial").exists());
        assert_eq!(
            to_json(&o.summary()),
            serde_json::json!({"files": ["a.txt"], "file_bytes": [3], "documents": 1, "rows": 1, "bytes": 3})
        );
    }

    /// Issue 17 item 13: a part cut after the resume point that counts it is not kept.
    #[test]
    fn a_resume_checks_the_length_of_the_parts_it_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let limits = FileLimits { max_documents: Some(1), ..FileLimits::default() };
        let mut o = Outputs::new(dir.path(), Path::new("a.txt"), limits).unwrap();
        let (file, mut part) = o.begin().unwrap();
        std::io::Write::write_all(&mut &file, b"abcdef").unwrap();
        part.add(1, 6);
        o.end(part, file).unwrap();
        let state = to_json(&o.summary());
        let mut again = Outputs::new(dir.path(), Path::new("a.txt"), limits).unwrap();
        again.resume(&state).unwrap();
        let first = dir.path().join(o.name_of(0));
        std::fs::write(&first, b"abc").unwrap();
        let mut cut = Outputs::new(dir.path(), Path::new("a.txt"), limits).unwrap();
        let err = cut.resume(&state).unwrap_err().to_string();
        assert!(err.contains("3 bytes, although the journal counts it complete at 6 bytes"), "{err}");
    }
}
