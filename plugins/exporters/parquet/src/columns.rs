//! The columns of a file, and documents to and from Arrow record batches: the one
//! definition the exporter writes by and an embedder reads and writes Arrow data by (the
//! Python package's `process_arrow`).

use arrow_array::builder::{Float32Builder, ListBuilder, StringBuilder, StructBuilder, UInt64Builder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt64Type};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use moulin_plugin::{Document, Error, Span};
use std::sync::Arc;

/// The fields of a span struct.
fn span_fields() -> Fields {
    Fields::from(vec![
        Field::new("start", DataType::UInt64, false),
        Field::new("end", DataType::UInt64, false),
        Field::new("layer", DataType::Utf8, false),
        Field::new("label", DataType::Utf8, false),
        Field::new("score", DataType::Float32, true),
        Field::new("source", DataType::Utf8, false),
        Field::new("attrs", DataType::Utf8, false),
    ])
}

/// The item field of the `spans` list.
fn span_item() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Struct(span_fields()), false))
}

/// The schema of the files written.
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
        Field::new("lang", DataType::Utf8, false),
        Field::new("lang_score", DataType::Float32, true),
        Field::new("meta", DataType::Utf8, false),
        Field::new("spans", DataType::List(span_item()), false),
    ]))
}

/// Column builders for one batch of rows.
pub(crate) struct Columns {
    id: StringBuilder,
    text: StringBuilder,
    lang: StringBuilder,
    lang_score: Float32Builder,
    meta: StringBuilder,
    spans: ListBuilder<StructBuilder>,
    pub(crate) rows: usize,
}

impl Columns {
    pub(crate) fn new() -> Columns {
        let spans = StructBuilder::from_fields(span_fields(), 0);
        Columns {
            id: StringBuilder::new(),
            text: StringBuilder::new(),
            lang: StringBuilder::new(),
            lang_score: Float32Builder::new(),
            meta: StringBuilder::new(),
            spans: ListBuilder::new(spans).with_field(span_item()),
            rows: 0,
        }
    }

    pub(crate) fn push(&mut self, doc: &Document) {
        self.id.append_value(doc.id());
        self.text.append_value(doc.text());
        self.lang.append_value(doc.lang());
        self.lang_score.append_option(finite(doc.lang_score()));
        self.meta.append_value(doc.meta_json());
        let spans = self.spans.values();
        for s in doc.spans() {
            field::<UInt64Builder>(spans, 0).append_value(s.start);
            field::<UInt64Builder>(spans, 1).append_value(s.end);
            field::<StringBuilder>(spans, 2).append_value(&s.layer);
            field::<StringBuilder>(spans, 3).append_value(&s.label);
            field::<Float32Builder>(spans, 4).append_option(finite(s.score));
            field::<StringBuilder>(spans, 5).append_value(&s.source);
            field::<StringBuilder>(spans, 6).append_value(&s.attrs_json);
            spans.append(true);
        }
        self.spans.append(true);
        self.rows += 1;
    }

    /// The rows gathered, as a batch; the builders start again empty.
    pub(crate) fn finish(&mut self) -> Result<RecordBatch, Error> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.lang.finish()),
            Arc::new(self.lang_score.finish()),
            Arc::new(self.meta.finish()),
            Arc::new(self.spans.finish()),
        ];
        self.rows = 0;
        RecordBatch::try_new(schema(), columns).map_err(|e| Error::other(format!("parquet: building a batch: {e}")))
    }
}

/// A span struct's field builder, by position in [`span_fields`].
fn field<T: arrow_array::builder::ArrayBuilder>(spans: &mut StructBuilder, i: usize) -> &mut T {
    spans.field_builder::<T>(i).expect("the span fields are built from span_fields()")
}

fn finite(x: f32) -> Option<f32> {
    x.is_finite().then_some(x)
}

/// The documents as one record batch of [`schema`]'s columns.
pub fn to_record_batch(docs: &[Document]) -> Result<RecordBatch, Error> {
    let mut columns = Columns::new();
    // Room for every text at once: growing the builder by doubling would copy them again.
    let text_bytes = docs.iter().map(|d| d.text().len()).sum();
    columns.text = StringBuilder::with_capacity(docs.len(), text_bytes);
    for doc in docs {
        columns.push(doc);
    }
    columns.finish()
}

/// The documents of a record batch, one per row, or for a row that cannot be one what is
/// wrong with it. `text` is required; `id` (default: the row's number in `first_row +
/// row`), `lang` (`und`), `lang_score` (none), `meta` (`{}`: a JSON object as a string) and
/// `spans` ([`schema`]'s list of structs; `score`, `source` and `attrs` may be left out)
/// are taken when the batch has them. Other columns are ignored.
pub fn from_record_batch(batch: &RecordBatch, first_row: u64) -> Result<Vec<Result<Document, String>>, Error> {
    let strings = |name: &str| -> Result<Option<&StringArray>, Error> {
        match batch.column_by_name(name) {
            None => Ok(None),
            Some(c) => c.as_string_opt::<i32>().map(Some).ok_or_else(|| {
                Error::other(format!("column `{name}`: expected strings (utf8), found {}", c.data_type()))
            }),
        }
    };
    let text = strings("text")?.ok_or_else(|| Error::other("no `text` column"))?;
    let (id, lang, meta) = (strings("id")?, strings("lang")?, strings("meta")?);
    let lang_score =
        match batch.column_by_name("lang_score") {
            None => None,
            Some(c) => Some(c.as_primitive_opt::<Float32Type>().ok_or_else(|| {
                Error::other(format!("column `lang_score`: expected float32, found {}", c.data_type()))
            })?),
        };
    let spans = batch.column_by_name("spans").map(SpanColumn::of).transpose()?;
    let mut docs = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let value = |c| valid(c, row);
        let doc_id = value(id).map(str::to_string).unwrap_or_else(|| (first_row + row as u64).to_string());
        let Some(body) = value(Some(text)) else {
            docs.push(Err(format!("row {} (id `{doc_id}`): `text` is null", first_row + row as u64)));
            continue;
        };
        let mut doc = Document::new(&doc_id, body);
        let score = lang_score.filter(|c| c.is_valid(row)).map_or(f32::NAN, |c| c.value(row));
        if let Some(l) = value(lang) {
            doc.set_lang(l, score);
        }
        if let Some(m) = value(meta) {
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(m) {
                Ok(map) => doc.set_meta(map),
                Err(e) => {
                    docs.push(Err(format!(
                        "row {} (id `{doc_id}`): `meta` is not a JSON object: {e}",
                        first_row + row as u64
                    )));
                    continue;
                }
            }
        }
        if let Some(spans) = &spans {
            if let Err(e) = spans.add_to(row, &mut doc) {
                docs.push(Err(format!("row {} (id `{doc_id}`): {e}", first_row + row as u64)));
                continue;
            }
        }
        docs.push(Ok(doc));
    }
    Ok(docs)
}

/// Row `row` of a string column, unless the column is missing or the value null.
fn valid(column: Option<&StringArray>, row: usize) -> Option<&str> {
    column.filter(|c| c.is_valid(row)).map(|c| c.value(row))
}

/// The `spans` column, read by row.
struct SpanColumn<'a> {
    list: &'a arrow_array::ListArray,
    start: &'a arrow_array::PrimitiveArray<UInt64Type>,
    end: &'a arrow_array::PrimitiveArray<UInt64Type>,
    layer: &'a StringArray,
    label: &'a StringArray,
    score: Option<&'a arrow_array::PrimitiveArray<Float32Type>>,
    source: Option<&'a StringArray>,
    attrs: Option<&'a StringArray>,
}

impl<'a> SpanColumn<'a> {
    fn of(column: &'a ArrayRef) -> Result<SpanColumn<'a>, Error> {
        let wrong = || {
            Error::other(format!(
                "column `spans`: expected a list of structs {{start: uint64, end: uint64, layer: utf8, label: utf8, score: float32, source: utf8, attrs: utf8}}, found {}",
                column.data_type()
            ))
        };
        let list = column.as_list_opt::<i32>().ok_or_else(wrong)?;
        let items = list.values().as_struct_opt().ok_or_else(wrong)?;
        let u64s = |name: &str| items.column_by_name(name).and_then(|c| c.as_primitive_opt::<UInt64Type>());
        let strings = |name: &str| items.column_by_name(name).and_then(|c| c.as_string_opt::<i32>());
        Ok(SpanColumn {
            list,
            start: u64s("start").ok_or_else(wrong)?,
            end: u64s("end").ok_or_else(wrong)?,
            layer: strings("layer").ok_or_else(wrong)?,
            label: strings("label").ok_or_else(wrong)?,
            score: items.column_by_name("score").and_then(|c| c.as_primitive_opt::<Float32Type>()),
            source: strings("source"),
            attrs: strings("attrs"),
        })
    }

    fn add_to(&self, row: usize, doc: &mut Document) -> Result<(), String> {
        if self.list.is_null(row) {
            return Ok(());
        }
        let offsets = self.list.value_offsets();
        for i in offsets[row] as usize..offsets[row + 1] as usize {
            let (start, end) = (self.start.value(i), self.end.value(i));
            if start > end || end as usize > doc.text().len() {
                return Err(format!("span {start}..{end} is not within the text's {} bytes", doc.text().len()));
            }
            if !doc.text().is_char_boundary(start as usize) || !doc.text().is_char_boundary(end as usize) {
                return Err(format!("span {start}..{end} does not fall on character boundaries of the text"));
            }
            let mut span = Span::at(start, end).layer(self.layer.value(i)).label(self.label.value(i));
            span = span.source(valid(self.source, i).unwrap_or(""));
            if let Some(score) = self.score.filter(|c| c.is_valid(i)) {
                span = span.score(score.value(i));
            }
            if let Some(attrs) = valid(self.attrs, i) {
                span.attrs_json = attrs.into();
            }
            doc.add_span(span);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_come_back_from_their_batch_as_they_went() {
        let mut a = Document::new("a", "Bonjour Paris");
        a.set_lang("fr", 0.9);
        a.set_meta_field("url", serde_json::json!("https://x.fr"));
        a.add_span(Span::at(8, 13).layer("entity").label("LOC").source("ner").score(0.5));
        let b = Document::new("b", "");
        let batch = to_record_batch(&[a.clone(), b.clone()]).unwrap();
        let back: Vec<Document> = from_record_batch(&batch, 0).unwrap().into_iter().map(Result::unwrap).collect();
        // Debug, since `b`'s score is NaN (not set), which is not equal to itself.
        assert_eq!(format!("{back:?}"), format!("{:?}", [a, b]));
    }

    #[test]
    fn a_batch_of_text_only_gets_ids_by_row_and_a_bad_row_says_what_is_wrong() {
        let text: ArrayRef = Arc::new(StringArray::from(vec![Some("un"), None, Some("trois")]));
        let meta: ArrayRef = Arc::new(StringArray::from(vec!["{}", "{}", "[1]"]));
        let batch = RecordBatch::try_from_iter([("text", text), ("meta", meta)]).unwrap();
        let docs = from_record_batch(&batch, 10).unwrap();
        assert_eq!(docs[0].as_ref().unwrap().id(), "10");
        assert_eq!(docs[1].as_ref().unwrap_err(), "row 11 (id `11`): `text` is null");
        assert!(docs[2].as_ref().unwrap_err().contains("`meta` is not a JSON object"), "{:?}", docs[2]);
        let numbers: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![1]));
        let batch = RecordBatch::try_from_iter([("text", numbers)]).unwrap();
        let err = from_record_batch(&batch, 0).unwrap_err();
        assert!(err.to_string().contains("column `text`: expected strings (utf8), found Int32"), "{err}");
    }
}
