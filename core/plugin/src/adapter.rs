//! The bridge from an author's [`Stage`] to the ABI's stage trait object, with the panic
//! guard around every call.

use crate::{Document, Error, Stage};
use moulin_abi::{
    abi_stable::{
        sabi_trait::TD_Opaque,
        std_types::{RResult, RSlice, RStr, RString, RVec},
    },
    BatchOut, Doc, DocError, ErrorKind, PluginError, StageBox, Stage_TO,
};
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    /// Where the last panic on this thread happened, recorded by the SDK's panic hook.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Install a panic hook that records the location of a panic for [`guard`] instead of
/// printing it (the host reports it). Called once when a plugin library is loaded, in the
/// library's own copy of std; never in a statically linked build, where the hook would be
/// the host's.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
        PANIC_LOCATION.with(|p| *p.borrow_mut() = location);
    }));
}

/// Run `f`, turning a panic into an [`ErrorKind::PANIC`] error with the panic's message.
/// Nothing may unwind across the ABI: abi_stable would end the process.
pub fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> RResult<T, PluginError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => RResult::ROk(v),
        Ok(Err(e)) => RResult::RErr(e.into_abi()),
        Err(payload) => {
            let text = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic with a non-string payload".to_string());
            let location = PANIC_LOCATION.with(|p| p.borrow_mut().take());
            let message = match location {
                Some(l) => format!("panicked at {l}: {text}"),
                None => format!("panicked: {text}"),
            };
            RResult::RErr(Error::with_kind(ErrorKind::PANIC, message).into_abi())
        }
    }
}

/// Wraps an author's stage as the ABI trait object.
pub struct Adapter<S: Stage> {
    stage: S,
    observes: bool,
}

impl<S: Stage> Adapter<S> {
    /// Make the trait object. `observes`: what [`Stage::observes`] said of its config.
    pub fn into_box(stage: S, observes: bool) -> StageBox {
        Stage_TO::from_value(Adapter { stage, observes }, TD_Opaque)
    }
}

fn doc_errors(errors: Vec<(usize, Error)>) -> RVec<DocError> {
    errors.into_iter().map(|(i, e)| DocError { index: i as u32, error: e.into_abi() }).collect()
}

impl<S: Stage> moulin_abi::Stage for Adapter<S> {
    fn process(&mut self, batch: RVec<Doc>) -> RResult<BatchOut, PluginError> {
        guard(|| {
            let mut docs: Vec<Document> = batch.into_iter().map(Document).collect();
            let mut errors = Vec::new();
            self.stage.process_batch(&mut docs, &mut errors);
            errors.sort_by_key(|(i, _)| *i);
            errors.dedup_by_key(|(i, _)| *i);
            let mut failed = errors.iter().map(|(i, _)| *i).peekable();
            let mut out = RVec::with_capacity(docs.len() - errors.len());
            for (i, doc) in docs.into_iter().enumerate() {
                if failed.peek() == Some(&i) {
                    failed.next();
                } else {
                    out.push(doc.0);
                }
            }
            Ok(BatchOut { docs: out, errors: doc_errors(errors) })
        })
    }

    fn export(&mut self, batch: RSlice<'_, Doc>) -> RResult<RVec<DocError>, PluginError> {
        guard(|| {
            let mut errors = Vec::new();
            self.stage.export_batch(Document::slice_from_abi(batch.as_slice()), &mut errors);
            Ok(doc_errors(errors))
        })
    }

    fn finish(&mut self) -> RResult<RString, PluginError> {
        guard(|| self.stage.finish().map(|v| RString::from(v.to_string())))
    }

    fn call_ext(&mut self, name: RStr<'_>, payload_json: RStr<'_>) -> RResult<RString, PluginError> {
        match name.as_str() {
            moulin_abi::ext::OBSERVES => RResult::ROk(RString::from(self.observes.to_string())),
            moulin_abi::ext::CHECKPOINT if payload_json.as_str() == "probe" => {
                guard(|| Ok(RString::from(self.stage.can_checkpoint().to_string())))
            }
            moulin_abi::ext::CHECKPOINT => guard(|| match self.stage.checkpoint()? {
                Some(state) => Ok(RString::from(state.to_string())),
                None => Err(Error::other(format!("stage `{}` cannot complete its output files mid-run", S::NAME))),
            }),
            _ => RResult::RErr(Error::other(format!("unknown extension call `{name}`")).into_abi()),
        }
    }
}
