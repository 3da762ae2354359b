//! tar and zip archives, read in place: each member the include patterns select is
//! decompressed as it is read and goes through its own reader.
//!
//! Member names are ids only: a name with `..` or an absolute path is never a path moulin
//! writes to. A damaged archive keeps every member read before the damage: a member that
//! cannot be read is a bad record naming it, and the archive goes on when its own structure
//! allows (zip always can, through its central directory; a tar stream cannot go past a
//! broken header or a truncation). Two members of one name are both read, the later one
//! under `name~2` (the `ids` module has the rule).

use super::{io_text, read_member, Ctx, Exact, Origin, ReadError};
use crate::corpus::ids::{name_text, UniqueNames};
use std::io::{Read, Seek, SeekFrom};
use tar::EntryType;

/// The longest GNU long name or PAX header moulin reads (64 KiB; a Linux path is at most 4
/// KiB). A longer one is a bad record and the member after it keeps its header's name.
pub(crate) const MAX_TAR_HEADER_BYTES: u64 = 64 * 1024;

/// The name a tar member's extension headers give it, read as the archive goes.
#[derive(Default)]
struct Pending {
    /// From a GNU long-name member or a PAX `path` record.
    name: Option<Vec<u8>>,
    /// From a PAX `size` record.
    size: Option<u64>,
}

/// Read an extension header's data (GNU long name, PAX) if it is within
/// [`MAX_TAR_HEADER_BYTES`]; a longer one is left unread (the archive skips it).
fn header_data(entry: &mut impl Read, size: u64) -> Result<Option<Vec<u8>>, std::io::Error> {
    if size > MAX_TAR_HEADER_BYTES {
        return Ok(None);
    }
    let mut data = Vec::with_capacity(size as usize);
    entry.read_to_end(&mut data)?;
    Ok(Some(data))
}

/// A tar stream, read raw so that extension headers are read within a bound: GNU long
/// names and PAX headers here, not by the tar crate (which reads them whole, however long).
/// A member over `max_member_bytes` is a bad record and the archive goes on past it (in a
/// compressed tar that means decompressing it, not keeping it).
pub(super) fn read_tar(origin: &Origin, input: &mut dyn Read, ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    let mut archive = tar::Archive::new(input);
    let entries = archive.entries().map_err(|e| origin.error(format!("not a tar archive: {e}")))?.raw(true);
    let mut last: Option<String> = None;
    let mut names = UniqueNames::default();
    let mut pending = Pending::default();
    let after = |last: &Option<String>| {
        last.as_ref().map_or_else(|| "at its start".to_string(), |m| format!("after member {m}"))
    };
    for entry in entries {
        let damaged = |e: &std::io::Error, last: &Option<String>| {
            origin.error(format!("the archive is damaged {}: {}", after(last), io_text(e)))
        };
        let mut entry = entry.map_err(|e| damaged(&e, &last))?;
        let kind = entry.header().entry_type();
        let size = entry.size();
        let header_name = name_text(&entry.path_bytes());
        if matches!(kind, EntryType::GNULongName | EntryType::XHeader) {
            let what = if kind == EntryType::XHeader { "a PAX header" } else { "a GNU long name" };
            match header_data(&mut entry, size).map_err(|e| damaged(&e, &last))? {
                Some(data) if kind == EntryType::XHeader => pending = pax(&data, pending),
                Some(mut data) => {
                    data.truncate(data.iter().position(|&b| b == 0).unwrap_or(data.len()));
                    pending.name = Some(data);
                }
                None => ctx.emit(origin.bad(None, format!("{what} of {size} bytes {}, over {MAX_TAR_HEADER_BYTES}: not read, and the member after it keeps the name in its own header", after(&last)))),
            }
            continue;
        }
        if matches!(kind, EntryType::XGlobalHeader | EntryType::GNULongLink) {
            continue;
        }
        let taken = std::mem::take(&mut pending);
        if let Some(pax_size) = taken.size.filter(|&s| s != size) {
            // The tar crate skips by the header's size; a PAX size (members over 8 GiB) would
            // put it out of step.
            return Err(origin.error(format!("member {header_name}: a PAX size of {pax_size} bytes where its header says {size}; members whose size only PAX gives (over 8 GiB) are not read, and the archive stops here")));
        }
        let name = taken.name.map_or(header_name, |n| name_text(&n));
        last = Some(name.clone());
        match kind {
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {}
            // Folders hold no content.
            EntryType::Directory => continue,
            _ => {
                ctx.skip("archive member not a regular file");
                continue;
            }
        }
        let unique = names.claim(name.clone());
        if size > ctx.options.max_member_bytes {
            let limit = ctx.options.max_member_bytes;
            ctx.emit(origin.member(&unique).bad(None, format!("{size} bytes, over max_member_bytes ({limit})")));
            continue;
        }
        read_member(origin, &name, &unique, Exact::new(entry, size), ctx);
    }
    Ok(())
}

/// The `path` and `size` records of a PAX header, over what came before.
fn pax(data: &[u8], mut pending: Pending) -> Pending {
    for ext in tar::PaxExtensions::new(data).flatten() {
        match ext.key_bytes() {
            b"path" => pending.name = Some(ext.value_bytes().to_vec()),
            b"size" => pending.size = ext.value().ok().and_then(|v| v.parse().ok()),
            _ => {}
        }
    }
    pending
}

/// A zip member's name: UTF-8 when it is; otherwise CP437 when the member does not say it
/// is UTF-8 (what the zip format means then, `decoded` being the zip crate's reading);
/// otherwise its bytes as `%XX`.
fn zip_name(raw: &[u8], decoded: &str) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) if !decoded.contains('\u{FFFD}') => decoded.to_string(),
        Err(_) => name_text(raw),
    }
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
    let listed = listed_members(&mut file);
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
    let mut names = UniqueNames::default();
    if listed.is_some_and(|n| n > archive.len() as u64) {
        // The zip crate keeps one member a name: read the local headers, which have them all.
        drop(archive);
        file.seek(SeekFrom::Start(0)).map_err(|e| origin.error(format!("cannot go back to the start: {e}")))?;
        return read_zip_stream(origin, &mut file, ctx).map_err(|e| ReadError {
            member: e.member,
            message: format!(
                "{}; two members share a name, so the members were read from their local headers",
                e.message
            ),
        });
    }
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
        let name = zip_name(member.name_raw(), member.name());
        if member.is_dir() {
            continue;
        }
        let unique = names.claim(name.clone());
        if member.is_symlink() {
            ctx.skip("archive member not a regular file");
            continue;
        }
        if member.size() > limit {
            ctx.emit(
                origin.member(&unique).bad(None, format!("{} bytes, over max_member_bytes ({limit})", member.size())),
            );
            continue;
        }
        read_member(origin, &name, &unique, member, ctx);
    }
    Ok(())
}

/// How many members a zip's end-of-central-directory record lists (`None` for a zip64
/// count or when the record is not found).
fn listed_members<R: Read + Seek>(file: &mut R) -> Option<u64> {
    let length = file.seek(SeekFrom::End(0)).ok()?;
    let tail = length.min(22 + 65535);
    file.seek(SeekFrom::Start(length - tail)).ok()?;
    let mut bytes = Vec::with_capacity(tail as usize);
    file.take(tail).read_to_end(&mut bytes).ok()?;
    let at = bytes.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let count = u16::from_le_bytes(bytes.get(at + 10..at + 12)?.try_into().ok()?);
    (count != u16::MAX).then_some(u64::from(count))
}

/// A zip read front to back from its local headers: how a zip inside another archive is
/// read (it cannot seek), and the fallback for a zip whose central directory is lost. A
/// member written with a data descriptor (sizes after the data, as streaming zip writers
/// do) cannot be read this way and stops the archive with an error saying so.
pub(super) fn read_zip_stream(origin: &Origin, mut input: &mut dyn Read, ctx: &mut Ctx<'_>) -> Result<(), ReadError> {
    let mut last: Option<String> = None;
    let mut names = UniqueNames::default();
    loop {
        let member = match zip::read::read_zipfile_from_stream(&mut input) {
            Ok(Some(m)) => m,
            Ok(None) => return Ok(()),
            Err(e) => {
                let at = last.as_ref().map_or_else(|| "at its start".to_string(), |m| format!("after member {m}"));
                return Err(origin.error(format!("the zip stream is damaged {at}: {e}")));
            }
        };
        let name = zip_name(member.name_raw(), member.name());
        last = Some(name.clone());
        if member.is_dir() {
            continue;
        }
        let unique = names.claim(name.clone());
        if member.size() > ctx.options.max_member_bytes {
            let limit = ctx.options.max_member_bytes;
            ctx.emit(
                origin.member(&unique).bad(None, format!("{} bytes, over max_member_bytes ({limit})", member.size())),
            );
            continue;
        }
        read_member(origin, &name, &unique, member, ctx);
    }
}
