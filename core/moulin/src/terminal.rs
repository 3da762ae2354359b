//! The progress bar a run draws on a terminal (cargo feature `terminal-progress`): the one
//! the `moulin` command and the Python package show.

use crate::report::StageReport;
use crate::run::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};

/// A [`Progress`] drawn on standard error: bytes read against the input's size, the
/// documents done and every stage's counts, a prefix naming a pass before the main pass.
pub struct TerminalProgress {
    bar: ProgressBar,
    documents: AtomicU64,
}

impl TerminalProgress {
    /// A bar on standard error (draw it only where standard error is a terminal).
    pub fn stderr() -> TerminalProgress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix}[{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
            )
            .expect("the template is valid"),
        );
        TerminalProgress { bar, documents: AtomicU64::new(0) }
    }
}

/// Every stage's counts in a line: `normalize 1200 | boilerplate 1180 (20 dropped) | ...`.
pub fn stage_counts(stages: &[StageReport]) -> String {
    let one = |s: &StageReport| {
        let dropped: u64 = s.dropped.values().sum();
        let mut text = format!("{} {}", s.id, s.documents_out);
        match (dropped, s.failed) {
            (0, 0) => {}
            (d, 0) => text.push_str(&format!(" ({d} dropped)")),
            (0, f) => text.push_str(&format!(" ({f} failed)")),
            (d, f) => text.push_str(&format!(" ({d} dropped, {f} failed)")),
        }
        text
    };
    stages.iter().map(one).collect::<Vec<_>>().join(" | ")
}

impl Progress for TerminalProgress {
    fn pass(&self, stage: &str, pass: u32, passes: u32) {
        self.bar.set_prefix(format!("pass {} of {passes} of `{stage}` ", pass + 1));
    }
    fn merging(&self, stage: &str, pass: u32) {
        self.bar.reset();
        self.bar.set_prefix(format!("merging pass {} of `{stage}` ", pass + 1));
        self.bar.set_message("");
        self.bar.enable_steady_tick(std::time::Duration::from_millis(250));
    }
    fn start(&self, total_bytes: u64, files: u64) {
        // A pass ends with `finish`; the main pass follows on the same bar.
        self.bar.reset();
        self.bar.set_length(total_bytes);
        self.bar.set_message(format!("{files} files"));
    }
    fn advance(&self, bytes_read: u64, documents: u64) {
        self.bar.set_position(bytes_read);
        self.documents.store(documents, Ordering::Relaxed);
        self.bar.set_message(format!("{documents} documents"));
    }
    fn stages(&self, stages: &[StageReport]) {
        let documents = self.documents.load(Ordering::Relaxed);
        self.bar.set_message(format!("{documents} documents: {}", stage_counts(stages)));
    }
    fn finish(&self) {
        self.bar.disable_steady_tick();
        self.bar.finish_and_clear();
        self.bar.set_prefix("");
    }
}
