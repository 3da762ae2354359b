//! Documents to and from Python dicts: `{"id", "text", "lang", "lang_score", "meta",
//! "spans"}`, span offsets in bytes of the UTF-8 text (as the exporters write them).

use moulin::{Doc, Span};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString};

/// Python's `json.loads` and `json.dumps`, imported once.
pub(crate) fn json(py: Python<'_>) -> PyResult<&(Py<PyAny>, Py<PyAny>)> {
    static JSON: PyOnceLock<(Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();
    JSON.get_or_try_init(py, || {
        let json = py.import("json")?;
        Ok((json.getattr("loads")?.unbind(), json.getattr("dumps")?.unbind()))
    })
}

/// The document as a dict.
pub fn to_dict<'py>(py: Python<'py>, doc: &Doc) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("id", doc.id.as_str())?;
    dict.set_item("text", doc.text.as_str())?;
    dict.set_item("lang", doc.lang.as_str())?;
    dict.set_item("lang_score", finite(doc.lang_score))?;
    dict.set_item("meta", object(py, &doc.meta_json)?)?;
    let spans = PyList::empty(py);
    for s in doc.spans.iter() {
        let span = PyDict::new(py);
        span.set_item("start", s.start)?;
        span.set_item("end", s.end)?;
        span.set_item("layer", s.layer.as_str())?;
        span.set_item("label", s.label.as_str())?;
        span.set_item("score", finite(s.score))?;
        span.set_item("source", s.source.as_str())?;
        span.set_item("attrs", object(py, &s.attrs_json)?)?;
        spans.append(span)?;
    }
    dict.set_item("spans", spans)?;
    Ok(dict)
}

/// A JSON object as a dict (the empty one, the most frequent, without parsing).
fn object<'py>(py: Python<'py>, json_text: &str) -> PyResult<Bound<'py, PyAny>> {
    if json_text == "{}" {
        Ok(PyDict::new(py).into_any())
    } else {
        json(py)?.0.bind(py).call1((json_text,))
    }
}

fn finite(x: f32) -> Option<f32> {
    x.is_finite().then_some(x)
}

/// A document from a dict (or a `str`, its text), the `index`-th item of its input: its id
/// defaults to the index. The error says what was expected and what was found.
pub fn from_item(item: &Bound<'_, PyAny>, index: u64) -> PyResult<Doc> {
    if let Ok(text) = item.cast::<PyString>() {
        return Ok(Doc::new(&index.to_string(), &text.to_cow()?));
    }
    let Ok(dict) = item.cast::<PyDict>() else {
        return Err(PyTypeError::new_err(format!(
            "expected a dict with a `text` (or a str), found {}",
            item.get_type().name()?
        )));
    };
    let id = match dict.get_item("id")? {
        Some(id) if !id.is_none() => field::<String>(&id, "id", "str")?,
        _ => index.to_string(),
    };
    if !dict.contains("text")? {
        return Err(PyTypeError::new_err(format!("document `{id}`: no `text`")));
    }
    let mut doc = Doc::new(&id, "");
    update(&mut doc, dict)?;
    Ok(doc)
}

/// Set what the dict holds besides `id` on the document: `text`, `lang`, `lang_score`,
/// `meta`, `spans` (each kept as it is when missing; spans are checked against the text).
pub fn update(doc: &mut Doc, dict: &Bound<'_, PyDict>) -> PyResult<()> {
    let id = doc.id.to_string();
    let within = |e: PyErr| PyTypeError::new_err(format!("document `{id}`: {e}"));
    if let Some(text) = dict.get_item("text")? {
        doc.text = field::<String>(&text, "text", "str").map_err(within)?.into();
    }
    if let Some(lang) = dict.get_item("lang")? {
        doc.lang = field::<String>(&lang, "lang", "str").map_err(within)?.into();
    }
    if let Some(score) = dict.get_item("lang_score")? {
        doc.lang_score =
            field::<Option<f32>>(&score, "lang_score", "float or None").map_err(within)?.unwrap_or(f32::NAN);
    }
    if let Some(meta) = dict.get_item("meta")? {
        if !meta.is_instance_of::<PyDict>() {
            return Err(within(PyTypeError::new_err(format!(
                "`meta`: expected a dict, found {}",
                meta.get_type().name()?
            ))));
        }
        doc.meta_json = dumps(&meta).map_err(|e| within(PyTypeError::new_err(format!("`meta`: {e}"))))?.into();
    }
    if let Some(spans) = dict.get_item("spans")? {
        let mut out = Vec::new();
        for span in spans.try_iter().map_err(within)? {
            out.push(span_of(&span?, &doc.text).map_err(within)?);
        }
        doc.spans = out.into();
    }
    Ok(())
}

/// A field's value, or an error naming the field and the type found.
fn field<'py, T: FromPyObjectOwned<'py>>(value: &Bound<'py, PyAny>, name: &str, expected: &str) -> PyResult<T> {
    value.extract::<T>().map_err(|_| {
        let found = value.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        PyTypeError::new_err(format!("`{name}`: expected {expected}, found {found}"))
    })
}

/// A value as JSON text, by Python's `json.dumps` (non-ASCII kept as it is).
pub(crate) fn dumps(value: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = value.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("ensure_ascii", false)?;
    json(py)?.1.bind(py).call((value,), Some(&kwargs))?.extract()
}

/// A span from its dict; its offsets must fall on character boundaries of `text`.
fn span_of(span: &Bound<'_, PyAny>, text: &str) -> PyResult<Span> {
    let dict = span.cast::<PyDict>().map_err(|_| PyTypeError::new_err("a span: expected a dict"))?;
    let get = |key: &str| dict.get_item(key);
    let (Some(start), Some(end)) = (get("start")?, get("end")?) else {
        return Err(PyTypeError::new_err("a span: expected `start` and `end`"));
    };
    let (start, end): (u64, u64) = (field(&start, "start", "int >= 0")?, field(&end, "end", "int >= 0")?);
    if start > end
        || end as usize > text.len()
        || !text.is_char_boundary(start as usize)
        || !text.is_char_boundary(end as usize)
    {
        return Err(PyTypeError::new_err(format!(
            "span {start}..{end}: not a range of character boundaries of the text's {} bytes (offsets are in bytes of UTF-8)",
            text.len()
        )));
    }
    let text_of = |key: &str| -> PyResult<String> {
        match get(key)? {
            Some(v) if !v.is_none() => field(&v, key, "str"),
            _ => Ok(String::new()),
        }
    };
    let mut out = Span::at(start, end).layer(&text_of("layer")?).label(&text_of("label")?).source(&text_of("source")?);
    if let Some(score) = get("score")? {
        if let Some(score) = field::<Option<f32>>(&score, "score", "float or None")? {
            out = out.score(score);
        }
    }
    if let Some(attrs) = get("attrs")? {
        if !attrs.is_none() {
            out.attrs_json = dumps(&attrs)?.into();
        }
    }
    Ok(out)
}
