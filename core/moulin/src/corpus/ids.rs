//! Document ids: the rule that makes them unique within a run.
//!
//! - A file's id is its path relative to its input path, with `/` between folders (and the
//!   input path's name first when a project lists several). Bytes of a name that are not
//!   UTF-8 are written `%XX`, so `bad\xff` and `bad\xfe` stay two ids. A folder whose name
//!   ends in `!` has that `!` written `%21`: `!/` appears only between an archive and its
//!   member.
//! - A member's id is `archive!/member`; a zip member name without the UTF-8 flag that is
//!   not UTF-8 is read as CP437, as the zip format says.
//! - When a name is taken already (two files whose names differ only by the bytes above, two
//!   members of one name in a tar or a zip), the later one gets `~2`, `~3`, ... after its
//!   name, in the order of the walk or of the archive, so the ids are the same on every run.
//! - A record's id is `file#n` or `archive!/member#n`, `n` its 1-based number; with `[input]
//!   id_field`, a JSONL record's id is that field, and a record whose id an earlier one of
//!   the run has is an error of its record ([`SeenIds`]).

use std::collections::HashSet;

/// `raw` as text: its UTF-8 runs as they are, every other byte as `%XX`.
pub(crate) fn name_text(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A relative file path as an id: [`name_text`], and a folder name's trailing `!` as `%21`.
pub(crate) fn file_id(raw: &[u8]) -> String {
    let text = name_text(raw).replace('\\', "/");
    let mut parts: Vec<&str> = text.split('/').collect();
    let last = parts.pop();
    let mut out: Vec<String> =
        parts.iter().map(|p| p.strip_suffix('!').map_or_else(|| p.to_string(), |s| format!("{s}%21"))).collect();
    out.extend(last.map(str::to_string));
    out.join("/")
}

/// The names already given within one scope (the walk, one archive): [`UniqueNames::claim`]
/// hands out each name once.
#[derive(Debug, Default)]
pub(crate) struct UniqueNames {
    taken: HashSet<String>,
}

impl UniqueNames {
    /// `name` if it is free, else the first free `name~k` (k = 2, 3, ...).
    pub(crate) fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let free = (2u64..).map(|k| format!("{name}~{k}")).find(|n| !self.taken.contains(n)).expect("a free name");
        self.taken.insert(free.clone());
        free
    }
}

/// The ids records brought themselves (`[input] id_field`) so far in a run, so that a
/// repeated one is an error of its record. 16 bytes a record (the start of the id's SHA-256),
/// so a run of 10 million such records keeps about 200 MB.
#[derive(Debug, Default)]
pub struct SeenIds {
    seen: HashSet<[u8; 16]>,
}

impl SeenIds {
    /// Whether `id` is new to the run (and now taken).
    pub(crate) fn take(&mut self, id: &str) -> bool {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(id.as_bytes());
        self.seen.insert(digest[..16].try_into().expect("16 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_utf8_stay_apart() {
        assert_eq!(name_text(b"bad\xffname"), "bad%FFname");
        assert_ne!(name_text(b"bad\xff"), name_text(b"bad\xfe"));
        assert_eq!(name_text("été".as_bytes()), "été");
    }

    #[test]
    fn a_folder_ending_in_a_bang_is_not_an_archive() {
        assert_eq!(file_id(b"x.tar!/a.txt"), "x.tar%21/a.txt");
        assert_eq!(file_id(b"dir/wow!"), "dir/wow!");
    }

    #[test]
    fn names_are_given_once() {
        let mut names = UniqueNames::default();
        assert_eq!(names.claim("a.txt".into()), "a.txt");
        assert_eq!(names.claim("a.txt~2".into()), "a.txt~2");
        assert_eq!(names.claim("a.txt".into()), "a.txt~3");
        assert_eq!(names.claim("a.txt".into()), "a.txt~4");
    }
}
