//! A multi-member gzip stream read member by member, so that a damaged member costs only
//! itself: how `.warc.gz` and `.arc.gz` are read, where each record is its own member.
//!
//! When a member does not decode (a bad header, a corrupt deflate stream, a wrong checksum),
//! [`Members`] looks for the next member's magic bytes (`1f 8b 08`) after it, notes the
//! damage in its [`Damage`] handle, and returns one error. If it found a member, it reads on
//! from there: the reader above (the WARC one) takes the note, reports the record the member
//! held, and finds the next record. If it found none (a truncated file), the stream ends,
//! and the error names the member and the real damage. A member's checksum is checked at
//! its end, which the reader above reaches when it asks for the next record: so it hands a
//! record on only then.

use std::cell::{Cell, RefCell};
use std::io::{self, BufRead, Cursor, Read};
use std::rc::Rc;

/// The gzip magic bytes and deflate method: how a member starts.
const MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// A damaged member, and where reading went on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Damaged {
    /// The byte offset of the damaged member in the file.
    pub start: u64,
    /// The byte offset of the next member found after it, if there is one.
    pub next: Option<u64>,
    /// What the decoder said.
    pub message: String,
}

impl Damaged {
    /// The damage in words, for the record it cost.
    pub(crate) fn describe(&self) -> String {
        match self.next {
            Some(next) => format!(
                "the gzip member at byte {} is damaged ({}); reading went on at the next member, at byte {next}",
                self.start, self.message
            ),
            None => format!(
                "the gzip member at byte {} is damaged ({}), and no member follows it",
                self.start, self.message
            ),
        }
    }
}

/// What [`Members`] tells the reader above it: where the member it reads from starts, and
/// the damaged member it went past, if any.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    /// The byte offset of the member being read.
    pub member: u64,
    /// A damaged member not yet reported.
    pub damaged: Option<Damaged>,
}

/// [`Notes`], shared between [`Members`] and the reader above it.
pub(crate) type Damage = Rc<RefCell<Notes>>;

/// Counts the bytes consumed from the file.
struct Tracked<R> {
    inner: R,
    at: Rc<Cell<u64>>,
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.at.set(self.at.get() + n as u64);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.at.set(self.at.get() + amt as u64);
        self.inner.consume(amt)
    }
}

type Raw<'a> = Box<dyn BufRead + 'a>;

enum State<'a> {
    /// Between members (or at the start).
    Between(Raw<'a>),
    /// Inside a member.
    In(flate2::bufread::GzDecoder<Raw<'a>>),
    Done,
}

/// The decompressed bytes of a multi-member gzip stream, member by member; see the module.
pub(crate) struct Members<'a> {
    state: State<'a>,
    at: Rc<Cell<u64>>,
    /// Where the current member starts.
    start: u64,
    damage: Damage,
}

impl<'a> Members<'a> {
    /// The members of `input`, with damage noted in `damage`.
    pub(crate) fn new(input: impl Read + 'a, damage: Damage) -> Members<'a> {
        let at = Rc::new(Cell::new(0));
        let raw = Tracked { inner: io::BufReader::with_capacity(1 << 16, input), at: at.clone() };
        Members { state: State::Between(Box::new(raw)), at, start: 0, damage }
    }

    /// After a member that would not decode: the raw stream from the next member's start,
    /// and its offset, if there is one.
    fn next_member(&self, mut raw: Raw<'a>) -> io::Result<Option<(u64, Raw<'a>)>> {
        let mut matched = 0usize;
        loop {
            let buf = raw.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let mut used = 0;
            for &b in buf {
                used += 1;
                matched = if b == MAGIC[matched] {
                    matched + 1
                } else if b == MAGIC[0] {
                    1
                } else {
                    0
                };
                if matched == MAGIC.len() {
                    break;
                }
            }
            raw.consume(used);
            if matched == MAGIC.len() {
                let offset = self.at.get() - MAGIC.len() as u64;
                return Ok(Some((offset, Box::new(Cursor::new(MAGIC).chain(raw)))));
            }
        }
    }
}

impl Read for Members<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(0),
                State::Between(mut raw) => {
                    if raw.fill_buf()?.is_empty() {
                        return Ok(0);
                    }
                    self.start = self.at.get();
                    self.damage.borrow_mut().member = self.start;
                    self.state = State::In(flate2::bufread::GzDecoder::new(raw));
                }
                State::In(mut member) => match member.read(buf) {
                    Ok(0) => self.state = State::Between(member.into_inner()),
                    Ok(n) => {
                        self.state = State::In(member);
                        return Ok(n);
                    }
                    Err(e) => {
                        let found = self.next_member(member.into_inner())?;
                        let next = found.as_ref().map(|(offset, _)| *offset);
                        let damaged = Damaged { start: self.start, next, message: e.to_string() };
                        let error = io::Error::new(e.kind(), damaged.describe());
                        self.damage.borrow_mut().damaged = Some(damaged);
                        if let Some((_, raw)) = found {
                            self.state = State::Between(raw);
                        }
                        return Err(error);
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn member(text: &str) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn intact_members_read_as_one_stream() {
        let bytes = [member("un "), member("deux "), member("trois")].concat();
        let mut out = String::new();
        Members::new(&bytes[..], Damage::default()).read_to_string(&mut out).unwrap();
        assert_eq!(out, "un deux trois");
    }

    #[test]
    fn a_damaged_member_costs_only_itself() {
        let (a, mut b, c) = (member("un "), member(&"deux ".repeat(100)), member("trois"));
        let middle = b.len() / 2;
        b[middle] ^= 0xff;
        b[middle + 1] ^= 0xff;
        let bytes = [a.clone(), b.clone(), c].concat();
        let damage = Damage::default();
        let mut members = Members::new(&bytes[..], damage.clone());
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        let mut errors = 0;
        loop {
            match members.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => {
                    errors += 1;
                    assert!(e.to_string().contains("damaged"), "{e}");
                }
            }
        }
        assert_eq!(errors, 1);
        let out = String::from_utf8_lossy(&out);
        assert!(out.starts_with("un ") && out.ends_with("trois"), "{out}");
        let noted = damage.borrow_mut().damaged.take().unwrap();
        assert_eq!((noted.start, noted.next), (a.len() as u64, Some((a.len() + b.len()) as u64)));
    }

    #[test]
    fn damage_with_nothing_after_it_is_the_last_word() {
        let mut bytes = [member("un "), member("deux")].concat();
        let n = bytes.len();
        bytes[n - 3] ^= 0xff; // in the checksum's length field
        let mut out = String::new();
        let err = Members::new(&bytes[..], Damage::default()).read_to_string(&mut out).unwrap_err();
        assert!(err.to_string().contains("no member follows it"), "{err}");
    }
}
