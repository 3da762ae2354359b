//! Walking the input paths: which files are read, in a stable order, and by which reader.

use super::ids::{file_id, name_text, UniqueNames};
use super::{format_of, parse_format, Compression, Format, InputConfig, EXTENSIONS};
use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// Which files and archive members are read, and by which reader: the include and exclude
/// patterns and the `[[input.formats]]` rules of `[input]`.
#[derive(Debug, Clone)]
pub struct Selector {
    include: GlobSet,
    exclude: GlobSet,
    formats: Vec<(GlobMatcher, Format, Compression)>,
}

/// What [`Selector::select`] decides for a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Selection {
    /// Read it with this reader.
    Read(Format, Compression),
    /// The patterns leave it out.
    NotIncluded,
    /// The patterns take it but no reader handles its name.
    NoReader,
}

impl Selector {
    /// The selector of an `[input]` table.
    pub fn new(input: &InputConfig) -> Result<Selector, globset::Error> {
        // The default patterns (`**/*.jsonl`, ...) ignore the case of the ending, as the
        // readers do (`Backup.ZIP` is a zip); patterns a project writes are taken as written.
        let defaults = super::default_include();
        let set = |patterns: &[String]| -> Result<GlobSet, globset::Error> {
            let mut b = GlobSetBuilder::new();
            for p in patterns {
                b.add(GlobBuilder::new(p).case_insensitive(defaults.contains(p)).build()?);
            }
            b.build()
        };
        let mut formats = Vec::new();
        for rule in &input.formats {
            // The config check has named an unknown format already; such a rule selects nothing.
            if let Some((format, compression)) = parse_format(&rule.format) {
                formats.push((Glob::new(&rule.glob)?.compile_matcher(), format, compression));
            }
        }
        Ok(Selector { include: set(&input.include)?, exclude: set(&input.exclude)?, formats })
    }

    /// The reader for a file given by name (an input path that is a file): a format rule
    /// matching its name, or its ending.
    pub fn reader_for(&self, name: &str) -> Option<(Format, Compression)> {
        self.formats.iter().find(|(m, ..)| m.is_match(name)).map(|&(_, f, c)| (f, c)).or_else(|| format_of(name))
    }

    /// Whether `path` (relative to its input path, or a member's name in its archive) is
    /// read and how. A format rule that matches includes the path; otherwise it must match
    /// an include pattern. An exclude pattern always wins.
    pub fn select(&self, path: &str) -> Selection {
        let path = path.trim_start_matches("./").trim_start_matches('/');
        if self.exclude.is_match(path) {
            return Selection::NotIncluded;
        }
        if let Some(&(_, f, c)) = self.formats.iter().find(|(m, ..)| m.is_match(path)) {
            return Selection::Read(f, c);
        }
        if !self.include.is_match(path) {
            return Selection::NotIncluded;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        format_of(name).map_or(Selection::NoReader, |(f, c)| Selection::Read(f, c))
    }
}

/// One input file.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its id: the path relative to its input root (with `/`), the base of document ids,
    /// unique within the walk (the rule is in the `ids` module and docs/config.md).
    pub id: String,
    /// Its size on disk.
    pub size: u64,
    /// Its layout.
    pub format: Format,
    /// Its compression.
    pub compression: Compression,
}

/// A problem met while walking: a folder that cannot be read, a symlink loop, a file with
/// no reader.
#[derive(Debug, Clone)]
pub struct WalkError {
    /// The path concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// List the input files under `paths` in a stable order: input paths in the order given, each
/// walked sorted by name, following symlinks (a loop is reported). A file is kept when the
/// [`Selector`] selects it (patterns relative to its input path); a file given directly as
/// an input path is always kept. The folders of `skip` (a run's output folder) and what is in
/// them are never walked, however they are reached, so that a run's output never becomes
/// input (its journal and errors, another shard's outputs). A symlink below an input path
/// that leads outside it is not followed unless `outside_links`, and is reported; so is
/// what is neither a file nor a folder (a FIFO, a socket, a device).
pub fn walk(
    paths: &[PathBuf],
    selector: &Selector,
    skip: &[PathBuf],
    outside_links: bool,
) -> (Vec<InputFile>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut ids = UniqueNames::default();
    let errors = std::cell::RefCell::new(Vec::new());
    let skip: Vec<PathBuf> = skip.iter().filter_map(|p| std::fs::canonicalize(p).ok()).collect();
    for root in paths {
        let root_real = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        let walked = |entry: &walkdir::DirEntry| {
            let real = || std::fs::canonicalize(entry.path());
            if entry.file_type().is_dir() && !skip.is_empty() && real().is_ok_and(|p| skip.contains(&p)) {
                return false;
            }
            if entry.depth() > 0 && entry.path_is_symlink() && !outside_links {
                if let Some(target) = real().ok().filter(|p| !p.starts_with(&root_real)) {
                    let message = format!(
                        "a symlink to {}, outside the input path: not read ([input] follow_outside_links = true reads it)",
                        target.display()
                    );
                    errors.borrow_mut().push(WalkError { path: entry.path().to_path_buf(), message });
                    return false;
                }
            }
            true
        };
        for entry in walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(walked)
        {
            match entry.map_err(|e| walk_error(root, &e)).and_then(|e| input_file(root, &e, selector, paths.len() > 1))
            {
                Ok(Some(file)) => files.push(InputFile { id: ids.claim(file.id), ..file }),
                Ok(None) => {}
                Err(e) => errors.borrow_mut().push(e),
            }
        }
    }
    (files, errors.into_inner())
}

fn walk_error(root: &Path, e: &walkdir::Error) -> WalkError {
    let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf());
    let message = match (e.loop_ancestor(), e.io_error()) {
        (Some(ancestor), _) => format!("symlink loop back to {}", ancestor.display()),
        (None, Some(io)) => format!("cannot read: {io}"),
        (None, None) => e.to_string(),
    };
    WalkError { path, message }
}

/// The input file an entry of the walk is, if it is read.
fn input_file(
    root: &Path,
    entry: &walkdir::DirEntry,
    selector: &Selector,
    several_roots: bool,
) -> Result<Option<InputFile>, WalkError> {
    let kind = entry.file_type();
    if kind.is_dir() {
        return Ok(None);
    }
    if !kind.is_file() {
        let message = "neither a file nor a folder (a FIFO, a socket or a device): not read".to_string();
        return Err(WalkError { path: entry.path().to_path_buf(), message });
    }
    let root_name = root.file_name().map(|n| name_text(n.as_encoded_bytes())).unwrap_or_default();
    let given = entry.depth() == 0;
    let rel = entry.path().strip_prefix(root).unwrap_or(entry.path()).as_os_str().as_encoded_bytes();
    let rel_str = if given { root_name.clone() } else { name_text(rel).replace('\\', "/") };
    let selection = if given {
        selector.reader_for(&root_name).map_or(Selection::NoReader, |(f, c)| Selection::Read(f, c))
    } else {
        selector.select(&rel_str)
    };
    let (format, compression) = match selection {
        Selection::Read(f, c) => (f, c),
        Selection::NotIncluded => return Ok(None),
        Selection::NoReader => {
            let message = format!(
                "no reader for this file name (expected an ending among {}, or an [[input.formats]] rule)",
                EXTENSIONS.join(", ")
            );
            return Err(WalkError { path: entry.path().to_path_buf(), message });
        }
    };
    let rel_id = if given { root_name.clone() } else { file_id(rel) };
    let id = if several_roots && !given { format!("{root_name}/{rel_id}") } else { rel_id };
    let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
    Ok(Some(InputFile { path: entry.path().to_path_buf(), id, size, format, compression }))
}
