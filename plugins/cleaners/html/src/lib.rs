/*!
`html`: turns an HTML page into its main text.

The page's main content is found by dom_smoothie, a port of Mozilla's Readability (chosen
by measurement: docs/quality.md), after the page's chrome is taken out of it ([`chrome`]:
figures and captions, navigation, asides, forms, lists of links, and blocks whose `class`
or `id` name them: `related`, `share`, `newsletter`, `byline`...). The text keeps the
article's paragraphs, headings and list items, one block per paragraph. The title, author,
publication date, canonical URL, site name and language, when the page has them, go into
the document's meta under `html` (with `keep_title`, the title also starts the text).

Only HTML is extracted: a document whose meta `content_type` (set by the host's HTML and
WARC readers) is not `text/html` or `application/xhtml+xml`, or that has no content type
and does not start with a tag, passes through unchanged (or is dropped, with
`keep_non_html = false`). So a corpus that mixes pages and plain text can go through it.

A hostile page cannot stall a run: pages over `max_html_bytes`, nested deeper than
`max_depth` or with more than `max_elements` elements fail with an error naming the limit,
checked before the extractor runs. A page with no main content is dropped with a reason.

The document's text is already Unicode: bytes are decoded where the page is read. A byte
order mark is removed, and a charset the page declares (`<meta charset>`) is recorded in
meta as `declared_charset`.

```
use moulin_html::Html;
use moulin_plugin::testkit::{docs, Harness};

let page = r#"<html><head><title>Budget adopté</title></head><body>
  <nav><a href="/">Accueil</a> <a href="/politique">Politique</a></nav>
  <article><h1>Budget adopté</h1>
    <p>Le conseil municipal a adopté hier soir, après plus de trois heures de débats, le budget
       de la ville pour l'année prochaine, qui prévoit une hausse des investissements.</p>
    <p>Selon le maire, cette hausse sera financée par une meilleure maîtrise des dépenses.</p>
  </article>
  <footer>© 2024 Le Journal. Tous droits réservés.</footer></body></html>"#;
let mut stage = Harness::new::<Html>(serde_json::json!({ "char_threshold": 100 }))?;
let out = stage.process(docs(&[("a", page)]))?;
let text = out.kept[0].text();
assert!(text.starts_with("Le conseil municipal"));
assert!(!text.contains("Accueil") && !text.contains("droits réservés"));
assert_eq!(out.kept[0].meta()["html"]["title"], "Budget adopté");
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

pub mod chrome;

use dom_smoothie::{Config, Readability, ReadabilityError, TextMode};
use moulin_plugin::{Document, Error, Stage, StageContext, Transform, Transforms};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The `config` table of an `html` stage.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlConfig {
    /// Put the page title first, as its own paragraph, when the text does not start with
    /// it. Default false: the title is in meta (`html.title`), and the text is the article's
    /// body, as trafilatura gives it and as the article benchmark's gold has it (with the
    /// title, precision there is 2.4 points lower: docs/quality.md).
    pub keep_title: bool,
    /// The least text (characters) a block needs to be taken as the main content
    /// (Readability's `char_threshold`). Default 250 (Readability's is 500, which loses
    /// short news items).
    pub char_threshold: usize,
    /// Pages larger than this (bytes) fail. Default 8 MiB.
    pub max_html_bytes: usize,
    /// Pages whose elements nest deeper than this fail. Default 512.
    pub max_depth: usize,
    /// Pages with more elements than this fail. Default 100,000.
    pub max_elements: usize,
    /// Drop a page whose main text is shorter than this (characters). Default 1.
    pub min_chars: usize,
    /// Pass documents that are not HTML through unchanged (true, the default) or drop them.
    pub keep_non_html: bool,
}

impl Default for HtmlConfig {
    fn default() -> Self {
        HtmlConfig {
            keep_title: false,
            char_threshold: 250,
            max_html_bytes: 8 << 20,
            max_depth: 512,
            max_elements: 100_000,
            min_chars: 1,
            keep_non_html: true,
        }
    }
}

/// The `html` stage.
pub struct Html {
    config: HtmlConfig,
}

impl Stage for Html {
    type Config = HtmlConfig;
    type Role = Transforms;
    const NAME: &'static str = "html";
    const SUMMARY: &'static str =
        "The main text of an HTML page (Readability), with title, author, date and canonical URL in meta.";
    const EXAMPLE_CONFIG: &'static str = "char_threshold = 250\nmax_depth = 512";

    fn validate(config: &HtmlConfig) -> Result<(), Error> {
        for (key, v) in [
            ("max_html_bytes", config.max_html_bytes),
            ("max_depth", config.max_depth),
            ("max_elements", config.max_elements),
        ] {
            if v == 0 {
                return Err(Error::config(key, "expected a limit above 0"));
            }
        }
        Ok(())
    }

    fn new(config: HtmlConfig, _ctx: &StageContext) -> Result<Self, Error> {
        Ok(Html { config })
    }
}

impl Transform for Html {
    fn process(&mut self, doc: &mut Document) -> Result<(), Error> {
        if !is_html(doc) {
            if !self.config.keep_non_html {
                doc.drop_with("html: not an HTML document");
            }
            return Ok(());
        }
        let page = doc.text().strip_prefix('\u{feff}').unwrap_or(doc.text());
        let Some(extracted) = extract(page, &self.config)? else {
            doc.drop_with("html: no main content");
            return Ok(());
        };
        if extracted.text.chars().count() < self.config.min_chars {
            doc.drop_with(format!("html: main text shorter than min_chars ({})", self.config.min_chars));
            return Ok(());
        }
        doc.set_text(extracted.text);
        if !extracted.meta.is_empty() {
            doc.set_meta_field("html", Value::Object(extracted.meta));
        }
        Ok(())
    }
}

moulin_plugin::export_plugin!(Html);

/// Whether a document is a page to extract: its meta `content_type` says HTML, or it has
/// none and its text starts with a tag.
pub fn is_html(doc: &Document) -> bool {
    // Parse the meta only when it can hold a content type.
    if doc.meta_json().contains("\"content_type\"") {
        if let Some(Value::String(t)) = doc.meta().get("content_type") {
            return matches!(t.as_str(), "text/html" | "application/xhtml+xml");
        }
    }
    doc.text().trim_start_matches('\u{feff}').trim_start().starts_with('<')
}

/// What [`extract`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// The main text: blocks separated by a blank line.
    pub text: String,
    /// title, author, date, canonical_url, site_name, lang, declared_charset (those found).
    pub meta: Map<String, Value>,
}

/// The main text of `page`, `None` when it has none. Errors name the limit a page is over.
pub fn extract(page: &str, config: &HtmlConfig) -> Result<Option<Extracted>, Error> {
    if page.len() > config.max_html_bytes {
        return Err(Error::document(format!(
            "html: the page is {} bytes, over max_html_bytes ({})",
            page.len(),
            config.max_html_bytes
        )));
    }
    let depth = nesting_depth(page);
    if depth > config.max_depth {
        return Err(Error::document(format!(
            "html: elements nest {depth} deep, over max_depth ({})",
            config.max_depth
        )));
    }
    let cfg = Config {
        max_elements_to_parse: config.max_elements,
        char_threshold: config.char_threshold,
        text_mode: TextMode::Formatted,
        ..Default::default()
    };
    let mut readability = Readability::new(page, None, Some(cfg)).map_err(|e| Error::document(format!("html: {e}")))?;
    let byline = chrome::remove(&readability.doc);
    let article = match readability.parse() {
        Ok(article) => article,
        Err(ReadabilityError::GrabFailed) => return Ok(None),
        Err(e @ ReadabilityError::TooManyElements(..)) => {
            return Err(Error::document(format!("html: {e} (max_elements)")))
        }
        Err(e) => return Err(Error::document(format!("html: {e}"))),
    };
    let body = tidy(&article.text_content);
    if body.is_empty() {
        return Ok(None);
    }
    let title = article.title.trim();
    let text = if config.keep_title && !title.is_empty() && !body.starts_with(title) {
        format!("{title}\n\n{body}")
    } else {
        body
    };
    let mut meta = Map::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            meta.insert(key.to_string(), Value::String(v.to_string()));
        }
    };
    put("title", Some(title));
    put("author", article.byline.as_deref().or(byline.as_deref()));
    put("date", article.published_time.as_deref());
    put("canonical_url", canonical_url(page).as_deref().or(article.url.as_deref()));
    put("site_name", article.site_name.as_deref());
    put("lang", article.lang.as_deref());
    put("declared_charset", declared_charset(page).as_deref());
    Ok(Some(Extracted { text, meta }))
}

/// Lines trimmed, runs of blank lines cut to one, none at either end.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(line);
        blank = false;
    }
    out
}

/// Elements that never hold others (void elements), and elements the HTML parser closes by
/// itself when the next one of their kind (or their parent's end) comes, so that a run of them
/// without end tags does not nest (`<p>a<p>b`, `<li>`, table rows). Every other element, a
/// custom one (`<foo>`) as much as a `<div>`, nests as deep as its tags say.
const NOT_NESTING: &[&str] = &[
    // Void.
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "keygen",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
    "frame",
    "isindex",
    "basefont",
    "bgsound",
    "image",
    // Closed by the next of their kind, or by their parent.
    "p",
    "li",
    "dt",
    "dd",
    "option",
    "optgroup",
    "rb",
    "rt",
    "rtc",
    "rp",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "tfoot",
    "colgroup",
    "caption",
    "head",
    "body",
    "html",
    // Their content is text, not elements.
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// How deep elements nest, by counting start and end tags (without parsing: this is the
/// guard that runs before the parser, whose tree walks recurse). Every element counts but
/// those of `NOT_NESTING`; an end tag closes one level whatever its name, so misnested
/// tags cannot hide depth.
pub fn nesting_depth(page: &str) -> usize {
    let bytes = page.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = memchr_lt(&bytes[i..]) {
        i += off + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let mut end = start;
        // Tag names: letters, digits, and the `-` of custom elements (`<my-widget>`).
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'-' || bytes[end] == b':') {
            end += 1;
        }
        if end == start || !bytes[start].is_ascii_alphabetic() {
            continue;
        }
        let name = &page[start..end];
        if NOT_NESTING.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            // `<div/>` does not open anything.
            let tag_end = bytes[end..].iter().position(|&b| b == b'>').map(|p| end + p);
            if tag_end.is_some_and(|e| e > 0 && bytes[e - 1] == b'/') {
                continue;
            }
            depth += 1;
            max = max.max(depth);
        }
    }
    max
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// The value of attribute `name` in a tag's text (`<meta charset="utf-8">`), parsing the
/// attributes in order so that a value containing `name=` is not taken for it.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let inner = tag.trim_start_matches('<').trim_end_matches('>').trim_end_matches('/');
    // Skip the tag name.
    let mut rest = inner.trim_start_matches(|c: char| !c.is_whitespace());
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        let name_end = rest.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(rest.len());
        let attr = &rest[..name_end];
        rest = rest[name_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => match after[1..].find(q) {
                    Some(end) => (&after[1..1 + end], &after[end + 2..]),
                    None => (&after[1..], ""),
                },
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = remaining;
            Some(value)
        } else {
            None
        };
        if attr.eq_ignore_ascii_case(name) {
            return value.map(str::trim);
        }
        if attr.is_empty() {
            // Stray characters: skip one.
            let mut chars = rest.chars();
            chars.next();
            rest = chars.as_str();
        }
    }
}

/// The tags named `name` in the page's head (before `<body`), as text.
fn head_tags<'a>(page: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let head_end = page.find("<body").or_else(|| page.find("<BODY")).unwrap_or(page.len().min(64 * 1024));
    let head = &page[..head_end];
    let open = format!("<{name}");
    let lower = head.to_ascii_lowercase();
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(p) = lower[from..].find(&open) {
        starts.push(from + p);
        from += p + open.len();
    }
    starts.into_iter().filter_map(move |s| head[s..].find('>').map(|e| &head[s..s + e + 1]))
}

/// The charset the page declares: `<meta charset>` or the `http-equiv` content type.
pub fn declared_charset(page: &str) -> Option<String> {
    for tag in head_tags(page, "meta") {
        if let Some(cs) = attribute(tag, "charset") {
            return Some(cs.to_ascii_lowercase());
        }
        if let Some(content) = attribute(tag, "content") {
            if let Some(pos) = content.to_ascii_lowercase().find("charset=") {
                return Some(content[pos + 8..].trim().to_ascii_lowercase());
            }
        }
    }
    None
}

/// `<link rel="canonical" href="...">`.
pub fn canonical_url(page: &str) -> Option<String> {
    head_tags(page, "link")
        .find(|tag| attribute(tag, "rel").is_some_and(|r| r.eq_ignore_ascii_case("canonical")))
        .and_then(|tag| attribute(tag, "href").map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_every_element_that_nests() {
        assert_eq!(nesting_depth("<div><p>a<p>b<div><span>x</span></div></div>"), 3);
        assert_eq!(nesting_depth(&"<div>".repeat(1000)), 1000);
        assert_eq!(nesting_depth("<div/><div/>"), 0);
        assert_eq!(nesting_depth("a < b and <<<>>> </div>"), 0);
        // Custom elements nest like any other; void and self-closing ones do not.
        assert_eq!(nesting_depth(&"<foo>".repeat(30_000)), 30_000);
        assert_eq!(nesting_depth(&"<my-widget x=1>".repeat(10)), 10);
        assert_eq!(nesting_depth(&"<br><img src=x><p><li>".repeat(1000)), 0);
    }

    #[test]
    fn head_facts() {
        let page = r#"<html><head><META CHARSET="ISO-8859-1"><link rel="stylesheet" href="a.css">
            <link rel="canonical" href="https://example.fr/a"></head><body><p>x</p></body></html>"#;
        assert_eq!(declared_charset(page).as_deref(), Some("iso-8859-1"));
        assert_eq!(canonical_url(page).as_deref(), Some("https://example.fr/a"));
        let page = r#"<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>"#;
        assert_eq!(declared_charset(page).as_deref(), Some("windows-1252"));
        assert_eq!(canonical_url("<p>no head</p>"), None);
    }

    #[test]
    fn tidy_keeps_paragraphs() {
        assert_eq!(tidy("\n\n  a \n b\n\n\n\n c \n\n"), "a\nb\n\nc");
    }
}
