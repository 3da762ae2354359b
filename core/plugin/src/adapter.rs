//! The bridge from an author's [`Stage`] to the ABI's stage trait object, with the panic
//! guard around every call.

use crate::passes::{self, InPass, PassHooks};
use crate::stage::{Role, RoleHooks};
use crate::{Document, Error, Stage, StageContext};
use moulin_abi::contract::{JoinRequest, MergeRequest};
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
    /// How its role is called.
    role: RoleHooks<S>,
    /// For a stage exported with passes.
    hooks: Option<PassHooks<S>>,
    /// For an instance made for a pass.
    pass: Option<InPass>,
    /// The output paths its `new` claimed ([`crate::output::Outputs::for_stage`]).
    writes: Vec<String>,
}

impl<S: Stage> Adapter<S> {
    /// Make the trait object. `hooks`: for a stage exported with passes, made for its config;
    /// `writes`: the output paths the stage claimed when it was made.
    pub fn into_box(stage: S, hooks: Option<PassHooks<S>>, ctx: &StageContext, writes: Vec<String>) -> StageBox {
        let pass = if hooks.is_some() { InPass::new(ctx) } else { None };
        let role = <S::Role as Role<S>>::hooks();
        Stage_TO::from_value(Adapter { stage, role, hooks, pass, writes }, TD_Opaque)
    }

    /// Spill the records of a pass instance (at the end of the pass, or when it is dropped).
    fn spill(&mut self) -> Result<(), Error> {
        let (Some(hooks), Some(pass)) = (&self.hooks, &mut self.pass) else { return Ok(()) };
        let (stage, index) = (&self.stage, pass.index);
        pass.records.spill(&|key: &[u8], values: &[Vec<u8>]| (hooks.combine)(stage, index, key, values))
    }

    /// A batch in a pass: every document observed, none changed.
    fn observe(&mut self, docs: &[Document]) -> Result<Vec<(usize, Error)>, Error> {
        let (Some(hooks), Some(pass)) = (&self.hooks, &mut self.pass) else { unreachable!("called in a pass") };
        let mut errors = Vec::new();
        for (i, doc) in docs.iter().enumerate() {
            if let Err(e) = (hooks.observe)(&mut self.stage, pass.index, doc, &mut pass.records) {
                errors.push((i, e));
            }
        }
        pass.records.commit();
        if pass.records.full() {
            self.spill()?;
        }
        Ok(errors)
    }

    fn merge(&self, payload: &str) -> Result<RString, Error> {
        let Some(hooks) = &self.hooks else {
            return Err(Error::other(format!("stage `{}` has no passes to merge", S::NAME)));
        };
        let request: MergeRequest =
            serde_json::from_str(payload).map_err(|e| Error::other(format!("bad merge request from the host: {e}")))?;
        let stage = &self.stage;
        let summary = passes::merge(
            &request,
            &|key: &[u8], values: &[Vec<u8>]| (hooks.combine)(stage, request.pass, key, values),
            |records, output| (hooks.merge)(stage, request.pass, records, output),
        )?;
        serde_json::to_string(&summary).map(RString::from).map_err(|e| Error::other(e.to_string()))
    }
}

impl<S: Stage> Drop for Adapter<S> {
    fn drop(&mut self) {
        // An instance remade after a panic keeps what its completed calls recorded.
        if let Err(e) = self.spill() {
            tracing::warn!("stage `{}` could not write what it recorded in its pass: {e}", S::NAME);
        }
    }
}

fn doc_errors(errors: Vec<(usize, Error)>) -> RVec<DocError> {
    errors.into_iter().map(|(i, e)| DocError { index: i as u32, error: e.into_abi() }).collect()
}

impl<S: Stage> moulin_abi::Stage for Adapter<S> {
    fn process(&mut self, batch: RVec<Doc>) -> RResult<BatchOut, PluginError> {
        if self.pass.is_some() {
            let docs: Vec<Document> = batch.into_iter().map(Document).collect();
            let result = guard(|| self.observe(&docs));
            if let (RResult::RErr(_), Some(pass)) = (&result, &mut self.pass) {
                // What a call that failed as a whole recorded is dropped: its documents run
                // again (a panic) or fail.
                pass.records.roll_back();
            }
            return result.map(|mut errors| {
                errors.sort_by_key(|(i, _)| *i);
                errors.dedup_by_key(|(i, _)| *i);
                let failed: Vec<usize> = errors.iter().map(|(i, _)| *i).collect();
                let docs = docs.into_iter().enumerate().filter(|(i, _)| failed.binary_search(i).is_err());
                BatchOut { docs: docs.map(|(_, d)| d.0).collect(), errors: doc_errors(errors) }
            });
        }
        let Some(process) = self.role.process else {
            return RResult::RErr(
                Error::other(format!("stage `{}` is an exporter: it does not process", S::NAME)).into_abi(),
            );
        };
        guard(|| {
            let mut docs: Vec<Document> = batch.into_iter().map(Document).collect();
            let mut errors = Vec::new();
            process(&mut self.stage, &mut docs, &mut errors);
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
        let Some(export) = self.role.export else {
            return RResult::RErr(Error::other(format!("stage `{}` is not an exporter", S::NAME)).into_abi());
        };
        guard(|| {
            let mut errors = Vec::new();
            export(&mut self.stage, Document::slice_from_abi(batch.as_slice()), &mut errors);
            Ok(doc_errors(errors))
        })
    }

    fn finish(&mut self) -> RResult<RString, PluginError> {
        if self.pass.is_some() {
            return guard(|| {
                self.spill()?;
                Ok(RString::from(self.pass.as_ref().map(|p| p.records.summary()).unwrap_or_default().to_string()))
            });
        }
        guard(|| self.stage.finish().map(|v| RString::from(v.to_string())))
    }

    fn call_ext(&mut self, name: RStr<'_>, payload_json: RStr<'_>) -> RResult<RString, PluginError> {
        match name.as_str() {
            moulin_abi::ext::OBSERVES => {
                let plan = self.hooks.as_ref().map(|h| h.plan).unwrap_or_default();
                RResult::ROk(RString::from(serde_json::to_string(&plan).unwrap_or_default()))
            }
            moulin_abi::ext::MERGE => guard(|| self.merge(payload_json.as_str())),
            moulin_abi::ext::JOIN => guard(|| {
                let request: JoinRequest = serde_json::from_str(payload_json.as_str())
                    .map_err(|e| Error::other(format!("bad join request from the host: {e}")))?;
                let bytes = (self.role.join)(&self.stage, &request.sources, &request.target)?;
                Ok(RString::from(bytes.to_string()))
            }),
            moulin_abi::ext::CHECKPOINT if payload_json.as_str() == moulin_abi::ext::CHECKPOINT_PROBE => {
                guard(|| Ok(RString::from((self.role.can_checkpoint)(&self.stage).to_string())))
            }
            moulin_abi::ext::CHECKPOINT => guard(|| match (self.role.checkpoint)(&mut self.stage)? {
                Some(state) => Ok(RString::from(state.to_string())),
                None => Err(Error::other(format!("stage `{}` cannot complete its output files mid-run", S::NAME))),
            }),
            moulin_abi::ext::WRITES => guard(|| {
                let writes = moulin_abi::contract::Writes { paths: self.writes.clone() };
                serde_json::to_string(&writes).map(RString::from).map_err(|e| Error::other(e.to_string()))
            }),
            _ => RResult::RErr(Error::other(format!("unknown extension call `{name}`")).into_abi()),
        }
    }
}
