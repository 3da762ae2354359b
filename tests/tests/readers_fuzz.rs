//! Arbitrary and damaged bytes into every reader: no panic, no hang, bounded memory.
//!
//! This binary holds one test only, so that the allocation counter below sees the reads
//! of that test and nothing else.

use moulin::config::InputConfig;
use moulin::corpus::{self, ReadOptions, EXTENSIONS};
use moulin_tests::root;
use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Counts the bytes allocated now and the most allocated at once since the last reset.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let now = CURRENT.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call goes to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grow(new_size - layout.size());
        } else {
            CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MAX_DOCUMENT: u64 = 1 << 20;
const MAX_MEMBER: u64 = 4 << 20;
/// What one read may hold at once: a few documents and members at their limits, the
/// decompressors' windows and buffers.
const MEMORY_BOUND: usize = 48 << 20;

/// Valid containers to damage.
const FIXTURES: &[&str] = &[
    "containers/docs.tar",
    "containers/docs.tar.gz",
    "containers/docs.tar.zst",
    "containers/docs.zip",
    "containers/docs-stored.zip",
    "containers/docs-zst-members.zip",
    "containers/nested.tar",
    "containers/docs.warc",
    "containers/docs.warc.gz",
    "containers/gz/c.jsonl.gz",
    "containers/damaged/bomb.zip",
    "warc/warcio-example.arc.gz",
    "warc/warcio-example-iana.org-chunked.warc",
];

/// Read `bytes` as a file called `name`, on its own thread so that a hang is caught; the
/// items' count and the peak of memory held during the read.
fn read_bytes(name: &str, bytes: &[u8]) -> Result<(usize, usize), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let mut input = InputConfig::new(vec![path.clone()]);
    input.max_document_bytes = MAX_DOCUMENT;
    input.max_member_bytes = MAX_MEMBER;
    input.warc.content_types = vec!["*".into()];
    let options = ReadOptions::new(&input).unwrap();
    let (files, _) = corpus::walk(&input.paths, &options.selector, &[], input.follow_outside_links);
    let (tx, rx) = std::sync::mpsc::channel();
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    std::thread::spawn(move || {
        let mut count = 0usize;
        for file in &files {
            // Items are counted and dropped, as the pipeline hands them on.
            let _ = corpus::read_file(file, &options, &mut Default::default(), Default::default(), |_| count += 1);
        }
        let _ = tx.send(count);
    });
    let count = rx
        .recv_timeout(Duration::from_secs(60))
        .map_err(|_| format!("{name}: no result within 60 s (a hang?) or a panic"))?;
    Ok((count, PEAK.load(Ordering::Relaxed).saturating_sub(before)))
}

fn fixture_and_damage() -> impl Strategy<Value = (String, Vec<u8>)> {
    (
        0..FIXTURES.len(),
        any::<u64>(),
        proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        any::<bool>(),
    )
        .prop_map(|(i, cut, flips, truncate)| {
            let path = root().join("tests/data").join(FIXTURES[i]);
            let mut bytes = std::fs::read(&path).unwrap();
            for (at, value) in flips {
                if !bytes.is_empty() {
                    let at = at.index(bytes.len());
                    bytes[at] = value;
                }
            }
            if truncate && !bytes.is_empty() {
                bytes.truncate((cut % bytes.len() as u64) as usize);
            }
            (path.file_name().unwrap().to_string_lossy().into_owned(), bytes)
        })
}

fn any_format() -> impl Strategy<Value = (String, Vec<u8>)> {
    (0..EXTENSIONS.len(), proptest::collection::vec(any::<u8>(), 0..4096))
        .prop_map(|(i, bytes)| (format!("x.{}", EXTENSIONS[i]), bytes))
}

#[test]
fn any_bytes_in_any_reader_give_items_or_errors_within_bounds() {
    // The counter sees what a reader holds: a gzip bomb member is read up to the document
    // limit (1 MiB) before it is refused.
    let bomb = std::fs::read(root().join("tests/data/containers/damaged/bomb-member.tar")).unwrap();
    let (items, peak) = read_bytes("bomb-member.tar", &bomb).unwrap();
    assert_eq!(items, 2);
    assert!(peak > MAX_DOCUMENT as usize && peak < MEMORY_BOUND, "{peak}");

    let config = ProptestConfig { cases: 400, ..ProptestConfig::default() };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(&prop_oneof![any_format(), fixture_and_damage()], |(name, bytes)| {
        let (_, peak) = read_bytes(&name, &bytes).map_err(TestCaseError::fail)?;
        prop_assert!(peak < MEMORY_BOUND, "{}: {} MiB held at once", name, peak >> 20);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
