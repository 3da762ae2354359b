//! `process_arrow`: Arrow data in and out through the Arrow C stream interface (the
//! PyCapsule protocol, `__arrow_c_stream__`), with the columns the Parquet exporter writes
//! (`moulin_parquet::columns`). No Python object is made per document.

use crate::errors::to_py;
use crate::pipeline::Pipeline;
use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchReader, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use moulin::{Doc, Outcome, Rejected};
use moulin_plugin::Document;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CString;
use std::sync::{Arc, Mutex};

/// A record batch of the result closes at this many rows,
const ROWS_PER_BATCH: usize = 65_536;
/// or this many bytes of text.
const TEXT_BYTES_PER_BATCH: usize = 64 << 20;

/// The result as an Arrow C stream for Python: `pyarrow.RecordBatchReader.from_stream(s)`
/// takes it (once). Its batches are made while they are read; what stopped the pipeline is
/// kept for `_raise_error`.
#[pyclass(module = "moulin")]
pub struct Stream {
    capsule: Option<Py<PyCapsule>>,
    error: Arc<Mutex<Option<moulin::Error>>>,
}

#[pymethods]
impl Stream {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__(&mut self, requested_schema: Option<Py<PyAny>>) -> PyResult<Py<PyCapsule>> {
        let _ = requested_schema;
        self.capsule.take().ok_or_else(|| PyValueError::new_err("the stream was already read"))
    }

    /// Raise what stopped the pipeline as moulin's exception for it (`RunStopped`, ...),
    /// when that is why reading the stream failed; else return.
    fn _raise_error(&self, py: Python<'_>) -> PyResult<()> {
        match self.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(e) => Err(to_py(py, e)),
            None => Ok(()),
        }
    }
}

/// Run `pipeline` over the stream `source` exports; the result is a stream read as the
/// pipeline goes.
pub fn process(
    py: Python<'_>,
    pipeline: &Bound<'_, Pipeline>,
    source: &Bound<'_, PyAny>,
    outcomes: bool,
) -> PyResult<Stream> {
    let reader = import(source)?;
    // A column of the wrong type is the caller's mistake, raised before anything runs.
    moulin_parquet::columns::from_record_batch(&RecordBatch::new_empty(reader.schema()), 0)
        .map_err(|e| PyTypeError::new_err(format!("the Arrow input: {e}")))?;
    let input_error: Arc<Mutex<Option<ArrowError>>> = Arc::default();
    let items = rows(reader, input_error.clone());
    let error = Arc::default();
    let results = Results {
        outputs: Some(pipeline.get().engine().process_items(items)),
        _pipeline: pipeline.clone().unbind(),
        outcomes,
        docs: Vec::new(),
        status: Vec::new(),
        text_bytes: 0,
        input_error,
        error: Arc::clone(&error),
        schema: output_schema(outcomes),
    };
    let stream = FFI_ArrowArrayStream::new(Box::new(results));
    let name = CString::new("arrow_array_stream").expect("no NUL");
    let capsule = PyCapsule::new(py, stream, Some(name))?;
    Ok(Stream { capsule: Some(capsule.unbind()), error })
}

/// The stream an object exports (`__arrow_c_stream__`), as a reader.
fn import(source: &Bound<'_, PyAny>) -> PyResult<ArrowArrayStreamReader> {
    let capsule = source.call_method0("__arrow_c_stream__").map_err(|_| {
        PyTypeError::new_err(format!(
            "expected Arrow data (an object with __arrow_c_stream__: a pyarrow Table or RecordBatchReader), found {}",
            source.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let capsule =
        capsule.cast::<PyCapsule>().map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a capsule"))?;
    let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?.as_ptr() as *mut FFI_ArrowArrayStream;
    // SAFETY: an `arrow_array_stream` capsule holds an ArrowArrayStream; from_raw moves it
    // out and leaves a released one behind, which the capsule's destructor skips.
    unsafe { ArrowArrayStreamReader::from_raw(pointer) }
        .map_err(|e| PyValueError::new_err(format!("reading the Arrow input: {e}")))
}

/// The rows of the stream as documents, or what is wrong with a row; a stream that breaks
/// ends the input, and the error is kept in `error`.
fn rows(
    reader: ArrowArrayStreamReader,
    error: Arc<Mutex<Option<ArrowError>>>,
) -> impl Iterator<Item = Result<Doc, Rejected>> + Send + 'static {
    let mut first_row = 0u64;
    reader
        .map_while(move |batch| match batch {
            Ok(batch) => Some(batch),
            Err(e) => {
                *error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                None
            }
        })
        .flat_map(move |batch| {
            let rows = moulin_parquet::columns::from_record_batch(&batch, first_row);
            first_row += batch.num_rows() as u64;
            match rows {
                Ok(rows) => rows
                    .into_iter()
                    .map(|r| r.map(Document::into_abi).map_err(|message| Rejected { id: None, message }))
                    .collect::<Vec<_>>(),
                // The schema was checked before the run; each row still has its outcome.
                Err(e) => (0..batch.num_rows() as u64)
                    .map(|r| {
                        Err(Rejected {
                            id: None,
                            message: format!("row {}: {e}", first_row - batch.num_rows() as u64 + r),
                        })
                    })
                    .collect(),
            }
        })
}

/// What became of a document: `kept`, `dropped` or `failed`, the stage, the reason.
type Status = (&'static str, Option<String>, Option<String>);

/// The pipeline's outcomes as record batches, made as they are read.
struct Results {
    /// Kept alive while it runs: its Python stages' callables are forgotten when it goes.
    _pipeline: Py<Pipeline>,
    /// None once the pipeline has ended.
    outputs: Option<moulin::Outputs>,
    outcomes: bool,
    docs: Vec<Document>,
    status: Vec<Status>,
    text_bytes: usize,
    input_error: Arc<Mutex<Option<ArrowError>>>,
    error: Arc<Mutex<Option<moulin::Error>>>,
    schema: SchemaRef,
}

impl Results {
    /// Take an outcome in; whether the batch is full.
    fn push(&mut self, outcome: Outcome) -> bool {
        let (doc, status) = match outcome {
            Outcome::Kept(doc) => (doc, ("kept", None, None)),
            Outcome::Dropped { doc, stage, reason } if self.outcomes => (doc, ("dropped", Some(stage), Some(reason))),
            Outcome::Failed { id, stage, message } if self.outcomes => {
                (Doc::new(&id, ""), ("failed", stage, Some(message)))
            }
            _ => return false,
        };
        self.text_bytes += doc.text.len();
        self.docs.push(Document::from_abi(doc));
        self.status.push(status);
        self.docs.len() >= ROWS_PER_BATCH || self.text_bytes >= TEXT_BYTES_PER_BATCH
    }

    /// The documents taken in so far, as a batch.
    fn batch(&mut self) -> Result<RecordBatch, ArrowError> {
        let batch = moulin_parquet::columns::to_record_batch(&self.docs)
            .map_err(|e| ArrowError::ExternalError(e.message().into()))?;
        self.docs.clear();
        self.text_bytes = 0;
        let status = std::mem::take(&mut self.status);
        if self.outcomes {
            with_outcomes(batch, status)
        } else {
            Ok(batch)
        }
    }

    /// The pipeline has ended: what stopped it, or what broke the input, as an error.
    fn end(&mut self, outputs: moulin::Outputs) -> Option<ArrowError> {
        if let Err(e) = outputs.finish() {
            let message = e.to_string();
            *self.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
            return Some(ArrowError::ExternalError(message.into()));
        }
        let input = self.input_error.lock().unwrap_or_else(|e| e.into_inner()).take();
        input.map(|e| ArrowError::ExternalError(format!("reading the Arrow input: {e}").into()))
    }
}

impl Iterator for Results {
    type Item = Result<RecordBatch, ArrowError>;
    fn next(&mut self) -> Option<Self::Item> {
        while let Some(outcome) = self.outputs.as_mut()?.next() {
            if self.push(outcome) {
                return Some(self.batch());
            }
        }
        let outputs = self.outputs.take().expect("checked above");
        if let Some(e) = self.end(outputs) {
            return Some(Err(e));
        }
        (!self.docs.is_empty()).then(|| self.batch())
    }
}

impl RecordBatchReader for Results {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

/// `outcome`, `stage` and `reason` columns after the documents'.
fn with_outcomes(batch: RecordBatch, status: Vec<Status>) -> Result<RecordBatch, ArrowError> {
    let schema = output_schema(true);
    let mut columns = batch.columns().to_vec();
    let outcome: ArrayRef = Arc::new(StringArray::from_iter_values(status.iter().map(|s| s.0)));
    let stage: ArrayRef = Arc::new(StringArray::from_iter(status.iter().map(|s| s.1.as_deref())));
    let reason: ArrayRef = Arc::new(StringArray::from_iter(status.iter().map(|s| s.2.as_deref())));
    columns.extend([outcome, stage, reason]);
    RecordBatch::try_new(schema, columns)
}

fn output_schema(outcomes: bool) -> Arc<Schema> {
    let mut fields: Vec<Field> = moulin_parquet::schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    if outcomes {
        fields.push(Field::new("outcome", DataType::Utf8, false));
        fields.push(Field::new("stage", DataType::Utf8, true));
        fields.push(Field::new("reason", DataType::Utf8, true));
    }
    Arc::new(Schema::new(fields))
}
