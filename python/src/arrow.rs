//! `process_arrow`: Arrow data in and out through the Arrow C stream interface (the
//! PyCapsule protocol, `__arrow_c_stream__`), with the columns the Parquet exporter writes
//! (`moulin_parquet::columns`). No Python object is made per document.

use crate::errors::to_py;
use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use moulin::{Doc, Outcome, Rejected};
use moulin_plugin::Document;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CString;
use std::sync::{Arc, Mutex};

/// Rows per record batch of the result.
const ROWS_PER_BATCH: usize = 65_536;

/// An Arrow C stream for Python: `pyarrow.RecordBatchReader.from_stream(s)` or
/// `pyarrow.table(s)` take it (once).
#[pyclass(module = "moulin")]
pub struct Stream {
    capsule: Option<Py<PyCapsule>>,
}

#[pymethods]
impl Stream {
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__(&mut self, requested_schema: Option<Py<PyAny>>) -> PyResult<Py<PyCapsule>> {
        let _ = requested_schema;
        self.capsule.take().ok_or_else(|| PyValueError::new_err("the stream was already read"))
    }
}

/// Run `pipeline` over the stream `source` exports, and the result as a stream.
pub fn process(
    py: Python<'_>,
    pipeline: &moulin::Pipeline,
    source: &Bound<'_, PyAny>,
    outcomes: bool,
) -> PyResult<Stream> {
    let reader = import(source)?;
    // A column of the wrong type is the caller's mistake, raised before anything runs.
    moulin_parquet::columns::from_record_batch(&RecordBatch::new_empty(reader.schema()), 0)
        .map_err(|e| PyTypeError::new_err(format!("the Arrow input: {e}")))?;
    let error: Arc<Mutex<Option<ArrowError>>> = Arc::default();
    let items = rows(reader, error.clone());
    let batches = py.detach(|| -> Result<Vec<RecordBatch>, moulin::Error> {
        let mut out = Output::new(outcomes);
        let mut outputs = pipeline.process_items(items);
        for outcome in outputs.by_ref() {
            out.push(outcome);
        }
        outputs.finish()?;
        out.flush();
        Ok(out.batches)
    });
    let batches = batches.map_err(|e| to_py(py, e))?;
    if let Some(e) = error.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(PyValueError::new_err(format!("reading the Arrow input: {e}")));
    }
    export(py, batches, outcomes)
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

/// The result, gathered into record batches.
struct Output {
    outcomes: bool,
    docs: Vec<Document>,
    status: Vec<(&'static str, Option<String>, Option<String>)>,
    batches: Vec<RecordBatch>,
}

impl Output {
    fn new(outcomes: bool) -> Output {
        Output { outcomes, docs: Vec::new(), status: Vec::new(), batches: Vec::new() }
    }

    fn push(&mut self, outcome: Outcome) {
        let (doc, status) = match outcome {
            Outcome::Kept(doc) => (doc, ("kept", None, None)),
            Outcome::Dropped { doc, stage, reason } if self.outcomes => (doc, ("dropped", Some(stage), Some(reason))),
            Outcome::Failed { id, stage, message } if self.outcomes => {
                (Doc::new(&id, ""), ("failed", stage, Some(message)))
            }
            _ => return,
        };
        self.docs.push(Document::from_abi(doc));
        self.status.push(status);
        if self.docs.len() == ROWS_PER_BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.docs.is_empty() && !self.batches.is_empty() {
            return;
        }
        let batch =
            moulin_parquet::columns::to_record_batch(&self.docs).expect("the columns are built from the schema");
        self.docs.clear();
        let status = std::mem::take(&mut self.status);
        let batch = if self.outcomes { with_outcomes(batch, status) } else { batch };
        self.batches.push(batch);
    }
}

/// `outcome`, `stage` and `reason` columns after the documents'.
fn with_outcomes(batch: RecordBatch, status: Vec<(&'static str, Option<String>, Option<String>)>) -> RecordBatch {
    let schema = output_schema(true);
    let mut columns = batch.columns().to_vec();
    let outcome: ArrayRef = Arc::new(StringArray::from_iter_values(status.iter().map(|s| s.0)));
    let stage: ArrayRef = Arc::new(StringArray::from_iter(status.iter().map(|s| s.1.as_deref())));
    let reason: ArrayRef = Arc::new(StringArray::from_iter(status.iter().map(|s| s.2.as_deref())));
    columns.extend([outcome, stage, reason]);
    RecordBatch::try_new(schema, columns).expect("the columns match the schema")
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

/// Record batches as a stream Python can import.
fn export(py: Python<'_>, batches: Vec<RecordBatch>, outcomes: bool) -> PyResult<Stream> {
    let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), output_schema(outcomes));
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    let name = CString::new("arrow_array_stream").expect("no NUL");
    let capsule = PyCapsule::new(py, stream, Some(name))?;
    Ok(Stream { capsule: Some(capsule.unbind()) })
}
