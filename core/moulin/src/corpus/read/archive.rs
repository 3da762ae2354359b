//! tar and zip archives, read in place: each member the include patterns select is
//! decompressed as it is read and goes through its own reader.
//!
//! Member names are ids only: a name with `..` or an absolute path is never a path moulin
//! writes to. A damaged archive keeps every member read before the damage: a member that
//! cannot be read is a bad record naming it, and the archive goes on when its own structure
//! allows (zip always can, through its central directory; a tar stream cannot go past a
//! broken header or a truncation).

use super::{io_text, read_member, Ctx, Exact, Origin, ReadError};
use std::io::{Read, Seek, SeekFrom};
use tar::EntryType;

/// A member's name as text (lossy for names that are not UTF-8).
fn member_name(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// A tar stream; `compressed` when it comes through a decompressor, so that skipping a
/// member costs decompressing it.
pub(super) fn read_tar(
    origin: &Origin,
    input: &mut dyn Read,
    compressed: bool,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReadError> {
    let mut archive = tar::Archive::new(input);
    let entries = archive.entries().map_err(|e| origin.error(format!("not a tar archive: {e}")))?;
    let mut last: Option<String> = None;
    let after = |last: &Option<String>| {
        last.as_ref().map_or_else(|| "at its start".to_string(), |m| format!("after member {m}"))
    };
    for entry in entries {
        let entry =
            entry.map_err(|e| origin.error(format!("the archive is damaged {}: {}", after(&last), io_text(&e))))?;
        let name = member_name(&entry.path_bytes());
        let kind = entry.header().entry_type();
        last = Some(name.clone());
        match kind {
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {}
            // Folders and the archive's own bookkeeping hold no content.
            EntryType::Directory
            | EntryType::XGlobalHeader
            | EntryType::XHeader
            | EntryType::GNULongName
            | EntryType::GNULongLink => continue,
            _ => {
                ctx.skip("archive member not a regular file");
                continue;
            }
        }
        let size = entry.size();
        if size > ctx.options.max_member_bytes {
            let limit = ctx.options.max_member_bytes;
            let member = origin.member(&name);
            if compressed {
                // Going past it means decompressing all of it: stop here.
                return Err(member.error(format!(
                    "{size} bytes, over max_member_bytes ({limit}); in a compressed tar the members after it cannot be reached without decompressing it, so the archive stops here"
                )));
            }
            ctx.emit(member.bad(None, format!("{size} bytes, over max_member_bytes ({limit})")));
            continue;
        }
        read_member(origin, &name, Exact::new(entry, size), ctx);
    }
    Ok(())
}

/// A zip file on disk: members listed by the central directory, each read on its own, so a
/// damaged member does not stop the others. When the central directory cannot be read (a
/// truncated download), the members are read from their local headers instead, in order,
/// up to the damage.
pub(super) fn read_zip_file<R: Read + Seek>(origin: &Origin, mut file: R, ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    let length = file.seek(SeekFrom::End(0)).and_then(|n| file.seek(SeekFrom::Start(0)).map(|_| n));
    if length.is_ok_and(|n| n == 0) {
        return Err(origin.error("an empty file (0 bytes), not a zip archive"));
    }
    let mut archive = match zip::ZipArchive::new(&mut file) {
        Ok(a) => a,
        Err(directory_error) => {
            file.seek(SeekFrom::Start(0)).map_err(|e| origin.error(format!("cannot go back to the start: {e}")))?;
            let read = read_zip_stream(origin, &mut file, ctx);
            let why = format!("the zip's central directory is unreadable ({directory_error}); members were read from their local headers");
            return Err(match read {
                Ok(()) => origin.error(why),
                Err(e) => ReadError { member: e.member, message: format!("{}; {why}", e.message) },
            });
        }
    };
    for index in 0..archive.len() {
        let limit = ctx.options.max_member_bytes;
        let listed = archive.name_for_index(index).map_or_else(|| format!("#{}", index + 1), str::to_string);
        let member = match archive.by_index(index) {
            Ok(m) => m,
            Err(e) => {
                ctx.emit(origin.member(&listed).bad(None, format!("cannot read this member: {e}")));
                continue;
            }
        };
        let name = member_name(member.name_raw());
        if member.is_dir() {
            continue;
        }
        if member.is_symlink() {
            ctx.skip("archive member not a regular file");
            continue;
        }
        if member.size() > limit {
            ctx.emit(
                origin.member(&name).bad(None, format!("{} bytes, over max_member_bytes ({limit})", member.size())),
            );
            continue;
        }
        read_member(origin, &name, member, ctx);
    }
    Ok(())
}

/// A zip read front to back from its local headers: how a zip inside another archive is
/// read (it cannot seek), and the fallback for a zip whose central directory is lost. A
/// member written with a data descriptor (sizes after the data, as streaming zip writers
/// do) cannot be read this way and stops the archive with an error saying so.
pub(super) fn read_zip_stream(origin: &Origin, mut input: &mut dyn Read, ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    let mut last: Option<String> = None;
    loop {
        let member = match zip::read::read_zipfile_from_stream(&mut input) {
            Ok(Some(m)) => m,
            Ok(None) => return Ok(()),
            Err(e) => {
                let at = last.as_ref().map_or_else(|| "at its start".to_string(), |m| format!("after member {m}"));
                return Err(origin.error(format!("the zip stream is damaged {at}: {e}")));
            }
        };
        let name = member_name(member.name_raw());
        last = Some(name.clone());
        if member.is_dir() {
            continue;
        }
        if member.size() > ctx.options.max_member_bytes {
            let limit = ctx.options.max_member_bytes;
            ctx.emit(
                origin.member(&name).bad(None, format!("{} bytes, over max_member_bytes ({limit})", member.size())),
            );
            continue;
        }
        read_member(origin, &name, member, ctx);
    }
}
