//! The run journal: `journal.jsonl` in a run's output folder, the record of which input
//! files are done, so that a run that was killed can be resumed (`moulin run --resume`)
//! without writing any document twice.
//!
//! One JSON object a line, appended and synced one at a time:
//!
//! - a **header** (`"journal": 1`): the moulin version, a fingerprint of the project's input
//!   settings, stages and plugin versions, the shard, and every input file of the run with
//!   its size. A resume checks them all: a run is only continued over the same work.
//! - an **attempt** line each time the run starts or is resumed.
//! - a **pass** line when a pass before the main pass is done and merged (`"pass_done"`).
//! - **commits**: at a resume point, between two input files, after the exporters have
//!   completed their open files. A commit lists the files done since the last one with
//!   their counts, and the state of the whole run at that point: totals, stage counts, each
//!   exporter's resume state, the length of `errors.jsonl`. The last commit of a finished
//!   run says `"done": true`.
//!
//! A crash can leave a torn last line: it is ignored (and cut off when the run resumes),
//! so the journal always ends at a complete commit. Everything written after that commit
//! (exporter files, error lines) is discarded on resume and written again.
//!
//! (A torn last line and the state read back: `tests::a_torn_last_line_is_ignored`.)

use crate::report::{FileReport, MergeSummary, StageReport, Totals};
use crate::shard::Shard;
use crate::{Error, LockError};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The journal's file name in a run's output folder.
pub const FILE_NAME: &str = "journal.jsonl";
/// The journal format's version.
pub const VERSION: u32 = 1;

/// A journal that cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// Reading or writing it failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The journal.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Its content is not a journal of this version.
    #[error("{}, line {line}: {message}", path.display())]
    Format {
        /// The journal.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

/// The first line: what the run is over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// [`VERSION`].
    pub journal: u32,
    /// The moulin that started it.
    pub moulin_version: String,
    /// A digest of the project's input settings, stages and plugin versions, and of `named`.
    pub fingerprint: String,
    /// The shard, for a sharded run.
    pub shard: Option<Shard>,
    /// Every input file of the run, in reading order: id and size.
    pub files: Vec<(String, u64)>,
    /// The plugin libraries and the files stage configs name, with their digests: what the
    /// message of a refused resume names (absent from journals before moulin 0.1's ids).
    #[serde(default)]
    pub named: Vec<(String, String)>,
}

impl Header {
    /// A header for this moulin.
    pub fn new(fingerprint: String, shard: Option<Shard>, files: Vec<(String, u64)>) -> Header {
        let moulin_version = env!("CARGO_PKG_VERSION").into();
        Header { journal: VERSION, moulin_version, fingerprint, shard, files, named: Vec::new() }
    }

    /// Why a run with header `now` cannot continue this journal, if it cannot.
    pub fn mismatch(&self, now: &Header) -> Option<String> {
        if self.shard != now.shard {
            let name = |s: &Option<Shard>| s.map_or("no shard".to_string(), |s| format!("shard {s}"));
            return Some(format!("the journal is of {}, this run is {}", name(&self.shard), name(&now.shard)));
        }
        let then: std::collections::BTreeMap<&str, &str> =
            self.named.iter().map(|(l, d)| (l.as_str(), d.as_str())).collect();
        let changed = now.named.iter().find(|(l, d)| then.get(l.as_str()).is_some_and(|t| t != d));
        if let Some((label, _)) = changed {
            return Some(format!("{label} changed since the journal was started"));
        }
        if self.fingerprint != now.fingerprint {
            return Some(
                "the project's input settings, stages or plugin versions changed since the journal was started".into(),
            );
        }
        if self.files != now.files {
            let then: std::collections::BTreeMap<&str, u64> =
                self.files.iter().map(|(id, n)| (id.as_str(), *n)).collect();
            let current: std::collections::BTreeMap<&str, u64> =
                now.files.iter().map(|(id, n)| (id.as_str(), *n)).collect();
            let what = then
                .iter()
                .find_map(|(id, n)| match current.get(id) {
                    None => Some(format!("{id} is gone")),
                    Some(m) if m != n => Some(format!("{id} was {n} bytes and is now {m}")),
                    _ => None,
                })
                .or_else(|| current.keys().find(|id| !then.contains_key(*id)).map(|id| format!("{id} is new")))
                .unwrap_or_else(|| "the files are read in another order".into());
            return Some(format!("the input changed since the journal was started: {what}"));
        }
        None
    }
}

/// An attempt line: the run started, or was resumed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attempt {
    /// 1 for the first start, then one more for each resume.
    pub attempt: u32,
    /// When, in seconds since 1970.
    pub started_unix: u64,
    /// With how many worker threads.
    pub threads: usize,
}

/// A pass line: a pass of a stage before the main pass is done and merged; a resumed run
/// does not run it again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassDone {
    /// The stage id.
    pub pass_done: String,
    /// The pass, from 0.
    pub pass: u32,
    /// The folder of its merged result (none from a plugin of an SDK before passes).
    pub result: Option<PathBuf>,
    /// What its instances' `finish` returned, in worker order (for a plugin of an SDK
    /// before passes, its observations).
    pub observations: Vec<serde_json::Value>,
    /// Its seconds.
    pub seconds: f64,
    /// What its merge found.
    #[serde(default)]
    pub summary: MergeSummary,
}

/// A resume point.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Commit {
    /// The commit's number, from 0 (written when the run starts, before any file is read).
    pub commit: u64,
    /// How many of the header's files are done (a prefix of the list).
    pub files_done: usize,
    /// The counts of the files done since the last commit.
    pub files: Vec<FileReport>,
    /// The run's totals at this point.
    pub totals: Totals,
    /// The stages' counts at this point.
    pub stages: Vec<StageReport>,
    /// Each exporter's resume state ([`moulin_abi::ext::CHECKPOINT`]), in stage order.
    pub exporters: Vec<serde_json::Value>,
    /// The length of `errors.jsonl` at this point.
    pub errors_bytes: u64,
    /// Seconds spent on the run so far, over every attempt.
    pub seconds: f64,
    /// The run is finished: its outputs and manifest are complete.
    pub done: bool,
    /// The estimate of the most frequent entities at this point.
    #[serde(default)]
    pub entities: crate::content::FrequentEntities,
}

/// What a journal says, read to its last complete commit.
#[derive(Debug, Clone)]
pub struct State {
    /// The header.
    pub header: Header,
    /// Starts of the run so far.
    pub attempts: u32,
    /// The last commit, if there is one.
    pub last: Option<Commit>,
    /// Files done (from the last commit).
    pub files_done: usize,
    /// The counts of every file done, in order.
    pub files: Vec<FileReport>,
    /// The byte length of the journal up to its last complete line.
    pub valid_bytes: u64,
    /// The passes done, in order.
    pub passes: Vec<PassDone>,
}

impl State {
    /// Whether the run finished.
    pub fn done(&self) -> bool {
        self.last.as_ref().is_some_and(|c| c.done)
    }
}

/// Read a journal. `Ok(None)` when there is none.
pub fn read(path: &Path) -> Result<Option<State>, JournalError> {
    let io = |source| JournalError::Io { path: path.to_path_buf(), source };
    let mut text = Vec::new();
    match File::open(path) {
        Ok(mut f) => f.read_to_end(&mut text).map_err(io)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let format = |line: usize, message: String| JournalError::Format { path: path.to_path_buf(), line, message };
    let mut state: Option<State> = None;
    let mut offset = 0u64;
    let mut lines = text.split_inclusive(|&b| b == b'\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let last = lines.peek().is_none();
        let value: serde_json::Value = match serde_json::from_slice(line) {
            Ok(v) if line.ends_with(b"\n") => v,
            // A torn last line: the crash came while it was written.
            _ if last => break,
            Ok(_) | Err(_) => return Err(format(i + 1, "expected a JSON object a line".into())),
        };
        offset += line.len() as u64;
        match &mut state {
            None => {
                let header: Header = serde_json::from_value(value)
                    .map_err(|e| format(i + 1, format!("expected the journal header: {e}")))?;
                if header.journal != VERSION {
                    return Err(format(
                        i + 1,
                        format!("journal version {} (this moulin writes {VERSION})", header.journal),
                    ));
                }
                state = Some(State {
                    header,
                    attempts: 0,
                    last: None,
                    files_done: 0,
                    files: Vec::new(),
                    valid_bytes: 0,
                    passes: Vec::new(),
                });
            }
            Some(s) if value.get("pass_done").is_some() => s
                .passes
                .push(serde_json::from_value(value).map_err(|e| format(i + 1, format!("expected a pass line: {e}")))?),
            Some(s) if value.get("attempt").is_some() => {
                serde_json::from_value::<Attempt>(value)
                    .map_err(|e| format(i + 1, format!("expected an attempt line: {e}")))?;
                s.attempts += 1
            }
            Some(s) => {
                let commit: Commit =
                    serde_json::from_value(value).map_err(|e| format(i + 1, format!("expected a commit: {e}")))?;
                if commit.files_done != s.files_done + commit.files.len() || commit.files_done > s.header.files.len() {
                    return Err(format(
                        i + 1,
                        format!(
                            "the commit says {} files done, after {} and {} more",
                            commit.files_done,
                            s.files_done,
                            commit.files.len()
                        ),
                    ));
                }
                s.files_done = commit.files_done;
                s.files.extend(commit.files.iter().cloned());
                s.last = Some(Commit { files: Vec::new(), ..commit });
            }
        }
        if let Some(s) = &mut state {
            s.valid_bytes = offset;
        }
    }
    Ok(state)
}

/// A journal open for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Start a new journal (replacing any) with its header.
    pub fn create(path: &Path, header: &Header) -> Result<Journal, JournalError> {
        let io = |source| JournalError::Io { path: path.to_path_buf(), source };
        let file = File::create(path).map_err(io)?;
        let mut journal = Journal { path: path.to_path_buf(), file };
        journal.append(header)?;
        if let Some(parent) = path.parent() {
            File::open(parent).and_then(|d| d.sync_all()).map_err(io)?;
        }
        Ok(journal)
    }

    /// Continue a journal that [`read`] gave `state` of: a torn last line is cut off.
    pub fn resume(path: &Path, state: &State) -> Result<Journal, JournalError> {
        let io = |source| JournalError::Io { path: path.to_path_buf(), source };
        let file = OpenOptions::new().append(true).open(path).map_err(io)?;
        file.set_len(state.valid_bytes).map_err(io)?;
        Ok(Journal { path: path.to_path_buf(), file })
    }

    /// Append one line and sync it.
    pub fn append(&mut self, entry: &impl Serialize) -> Result<(), JournalError> {
        let io = |source| JournalError::Io { path: self.path.clone(), source };
        let mut line = serde_json::to_vec(entry).map_err(|e| io(std::io::Error::other(e)))?;
        line.push(b'\n');
        if let Some(("torn-commit", n)) = crash_wanted() {
            if serde_json::to_value(entry).ok().and_then(|v| v.get("commit")?.as_u64()) == Some(n) {
                let _ = self.file.write_all(&line[..line.len() / 2]);
                let _ = self.file.sync_data();
                std::process::abort();
            }
        }
        // One write: a crash leaves the line whole or torn at its end, never interleaved.
        self.file.write_all(&line).map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

/// The lock file a run holds in its output folder, so that two runs never write one folder
/// (a task submitted twice, a run started while another resumes).
pub const LOCK_FILE: &str = "run.lock";

/// The output folder's lock, held until dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: Option<File>,
}

/// Take the lock of the run folder `dir`. Waits up to 2 s for it (`moulin status` takes it
/// shared for an instant), then fails with [`LockError::Busy`]. On a file system without
/// locks the run goes on, with a warning.
pub fn lock(dir: &Path) -> Result<RunLock, LockError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| LockError::Io { path: path.clone(), source })?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => return Ok(RunLock { _file: Some(file) }),
            Err(fs4::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            Err(fs4::TryLockError::WouldBlock) => return Err(LockError::Busy(path)),
            Err(fs4::TryLockError::Error(e)) => {
                tracing::warn!(path = %path.display(), error = %e, "Cannot lock the output folder; nothing keeps another run from writing to it.");
                return Ok(RunLock { _file: None });
            }
        }
    }
}

/// Whether a run holds the lock of the run folder `dir` now.
pub fn is_locked(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(LOCK_FILE)) else { return false };
    matches!(fs4::FileExt::try_lock_shared(&file), Err(fs4::TryLockError::WouldBlock))
}

/// A test hook: whether the run is to crash at this point, as the environment variable
/// `MOULIN_CRASH_AT=<point>:<commit>` asks. Points: `after-errors` (commit N's errors are
/// synced, its journal line is not written), `torn-commit` (half of commit N's line is
/// written) and `pass` (every worker of pass N of a stage is done, the pass is not merged). The process then aborts, which leaves the files as a SIGKILL would.
pub(crate) fn crash_point(point: &str, commit: u64) -> bool {
    crash_wanted() == Some((point, commit))
}

fn crash_wanted() -> Option<(&'static str, u64)> {
    static WANTED: std::sync::OnceLock<Option<(String, u64)>> = std::sync::OnceLock::new();
    let wanted = WANTED.get_or_init(|| {
        let value = std::env::var("MOULIN_CRASH_AT").ok()?;
        let (p, n) = value.split_once(':')?;
        Some((p.to_string(), n.parse().ok()?))
    });
    wanted.as_ref().map(|(p, n)| (p.as_str(), *n))
}

impl From<JournalError> for Error {
    fn from(e: JournalError) -> Error {
        match e {
            JournalError::Io { path, source } => Error::Io { path, source },
            JournalError::Format { path, line, message } => {
                Error::Resume { path, message: format!("line {line}: {message}") }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_ignored() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("journal.jsonl");
        let header = Header::new("fingerprint".into(), None, vec![("a.txt".into(), 5)]);
        let mut journal = Journal::create(&path, &header)?;
        journal.append(&Attempt { attempt: 1, ..Default::default() })?;
        // A crash in the middle of a line:
        std::fs::OpenOptions::new().append(true).open(&path)?.write_all(b"{\"commit\": 1, \"fi")?;
        let state = read(&path)?.expect("a journal");
        assert_eq!(state.attempts, 1);
        assert_eq!(state.files_done, 0);
        Ok(())
    }

    fn commit(n: u64, files: &[&str], done: bool) -> Commit {
        let files: Vec<FileReport> = files
            .iter()
            .map(|f| FileReport { path: f.to_string(), documents: 1, exported: 1, ..Default::default() })
            .collect();
        Commit { commit: n, files_done: 0, files, done, ..Default::default() }
    }

    #[test]
    fn a_journal_reads_back_to_its_last_whole_commit_at_every_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let header = Header::new(
            "f".into(),
            Some(Shard { index: 1, count: 2 }),
            vec![("a".into(), 1), ("b".into(), 2), ("c".into(), 3)],
        );
        let mut j = Journal::create(&path, &header).unwrap();
        j.append(&Attempt { attempt: 1, ..Default::default() }).unwrap();
        let mut c = commit(0, &[], false);
        j.append(&c).unwrap();
        c = commit(1, &["a", "b"], false);
        c.files_done = 2;
        j.append(&c).unwrap();
        c = commit(2, &["c"], true);
        c.files_done = 3;
        j.append(&c).unwrap();
        let whole = std::fs::read(&path).unwrap();
        let line_ends: Vec<usize> = whole.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1).collect();
        // Cut the file at every byte: what is read is always the last whole line's state.
        for cut in line_ends[0]..=whole.len() {
            std::fs::write(&path, &whole[..cut]).unwrap();
            let s = read(&path).unwrap().unwrap();
            let whole_lines = line_ends.iter().filter(|&&e| e <= cut).count();
            assert_eq!(s.valid_bytes as usize, line_ends[whole_lines - 1], "cut {cut}");
            let (files_done, done) = match whole_lines {
                1..=3 => (0, false),
                4 => (2, false),
                _ => (3, true),
            };
            assert_eq!((s.files_done, s.done(), s.files.len()), (files_done, done, files_done), "cut {cut}");
            assert_eq!(s.attempts, u32::from(whole_lines >= 2));
            // Resuming cuts the torn tail off.
            let mut j = Journal::resume(&path, &s).unwrap();
            j.append(&Attempt { attempt: 2, ..Default::default() }).unwrap();
            assert_eq!(read(&path).unwrap().unwrap().attempts, s.attempts + 1);
        }
        std::fs::write(&path, b"").unwrap();
        assert!(read(&path).unwrap().is_none());
        assert!(read(&dir.path().join("none")).unwrap().is_none());
    }

    #[test]
    fn damage_before_the_last_line_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let header = Header::new("f".into(), None, vec![("a".into(), 1)]);
        let mut text = serde_json::to_string(&header).unwrap() + "\nnot json\n";
        text += &serde_json::to_string(&commit(0, &[], false)).unwrap();
        text += "\n";
        std::fs::write(&path, text).unwrap();
        let e = read(&path).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn mismatches_say_what_changed() {
        let h = Header::new("f".into(), None, vec![("a".into(), 1), ("b".into(), 2)]);
        assert_eq!(h.mismatch(&h.clone()), None);
        let mut other = h.clone();
        other.files[1].1 = 3;
        assert!(h.mismatch(&other).unwrap().contains("b was 2 bytes and is now 3"));
        other = h.clone();
        other.files.push(("c".into(), 0));
        assert!(h.mismatch(&other).unwrap().contains("c is new"));
        other = h.clone();
        other.fingerprint = "g".into();
        assert!(h.mismatch(&other).unwrap().contains("stages"));
        other = h.clone();
        other.shard = Some(Shard { index: 0, count: 2 });
        assert!(h.mismatch(&other).unwrap().contains("shard 0/2"));
    }
}
