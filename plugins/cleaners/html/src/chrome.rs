//! What is taken out of a page before Readability looks for its main content: the parts of a
//! page that are never the article's text, by their element (figures and their captions,
//! forms, navigation, asides, lists of links) or by the words of their `class` and `id`
//! (`related`, `share`, `newsletter`, `caption`, `byline`...). Readability keeps such blocks
//! when they sit inside the article's container, and they are most of what it keeps wrongly
//! on real pages (docs/quality.md).
//!
//! A block that holds a large share of the page's text is never removed: a page inside one
//! `<form>`, a wrapper named `post-with-share-buttons`, hold the article.
//!
//! One walk over the page's elements, in document order, without CSS selectors (they cost
//! more than the rest of the walk).

use dom_query::{Document, NodeRef};

/// Elements that never hold article text (a `<script>` of JSON-LD stays: Readability reads
/// metadata from it).
const NEVER_TEXT: &[&str] =
    &["script", "style", "template", "button", "select", "textarea", "noscript", "iframe", "svg"];

/// Elements that hold chrome.
const CHROME: &[&str] = &["figure", "figcaption", "aside", "nav", "footer", "form"];

/// `role`s that mark chrome.
const CHROME_ROLES: &[&str] = &["navigation", "complementary", "contentinfo", "dialog"];

/// Words of a `class` or `id` that name chrome.
const WORDS: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "author",
    "bio",
    "breadcrumb",
    "breadcrumbs",
    "byline",
    "caption",
    "comment",
    "comments",
    "consent",
    "cookie",
    "copyright",
    "credit",
    "credits",
    "cta",
    "date",
    "dateline",
    "dates",
    "disclaimer",
    "newsletter",
    "outbrain",
    "popover",
    "popular",
    "popup",
    "promo",
    "recommended",
    "related",
    "share",
    "sharing",
    "sidebar",
    "signup",
    "social",
    "sponsor",
    "sponsored",
    "subscribe",
    "subscription",
    "taboola",
    "tags",
    "timestamp",
    "tooltip",
    "toolbar",
    "trending",
];

/// Words of a `class` or `id` that name the article's own blocks. A block named by one of
/// them and by a chrome word is removed only when it has little paragraph text (under
/// [`MIN_CONTENT_PARAGRAPHS`] characters): `caption-text`, `post-date` go,
/// `l-sidebar-fixed l-article-body-segment` stays.
const CONTENT_WORDS: &[&str] = &["article", "body", "content", "entry", "main", "post", "story", "text"];

/// See [`CONTENT_WORDS`].
const MIN_CONTENT_PARAGRAPHS: usize = 200;

/// Remove the page's chrome from `doc` (see the module's text). Returns the page's byline as
/// Readability would have found it among the page's elements before they were removed: the
/// first one, in document order, marked `rel="author"` or `itemprop="author"`, or whose
/// `class` or `id` has the word `byline`, `author`, `dateline` or `writtenby`, with 1 to 100
/// characters of text.
pub fn remove(doc: &Document) -> Option<String> {
    let elements: Vec<NodeRef> = doc.root().descendants_it().filter(NodeRef::is_element).collect();
    let mut byline = None;
    for node in &elements {
        if is_never_text(node) {
            node.remove_from_parent();
        } else if byline.is_none() {
            byline = byline_of(node);
        }
    }
    let Some(body) = doc.body() else { return byline };
    let page_text = body.normalized_char_count();
    let page_paragraphs = paragraph_text(&body);
    // A block that holds more than a quarter of the page's paragraph text, or of its text
    // when it has little in paragraphs, is the article or holds it.
    let holds_the_article = |node: &NodeRef| {
        if page_paragraphs * 2 > page_text {
            paragraph_text(node) * 4 > page_paragraphs
        } else {
            node.normalized_char_count() * 4 > page_text
        }
    };
    for node in &elements {
        if is_chrome(node) && is_attached(node) && !holds_the_article(node) {
            node.remove_from_parent();
        }
    }
    byline
}

fn is_never_text(node: &NodeRef) -> bool {
    node.qual_name_ref().is_some_and(|name| {
        NEVER_TEXT.contains(&&*name.local)
            && !(&*name.local == "script" && node.attr("type").is_some_and(|t| &*t == "application/ld+json"))
    })
}

/// Whether an element is chrome by its name, its attributes (`hidden`, `aria-hidden`,
/// `role`), as a list of links, or by the words of its `class` and `id`.
fn is_chrome(node: &NodeRef) -> bool {
    let Some(name) = node.qual_name_ref().map(|n| n.local.clone()) else { return false };
    if CHROME.contains(&&*name)
        || node.has_attr("hidden")
        || node.attr("aria-hidden").is_some_and(|v| &*v == "true")
        || node.attr("role").is_some_and(|r| CHROME_ROLES.contains(&&*r))
    {
        return true;
    }
    if matches!(&*name, "html" | "body" | "article" | "main") {
        return false;
    }
    if matches!(&*name, "ul" | "ol") && is_link_list(node) {
        return true;
    }
    match class_words(node) {
        Words::Chrome => true,
        Words::ChromeAndContent => paragraph_text(node) < MIN_CONTENT_PARAGRAPHS,
        Words::Neither => false,
    }
}

/// Whether a node is still in the document (not inside a block removed before it).
fn is_attached(node: &NodeRef) -> bool {
    let mut top = *node;
    while let Some(parent) = top.parent() {
        top = parent;
    }
    top.is_document()
}

/// Whether a list is links to elsewhere (related stories, a menu): two items or more, and
/// nearly all its text in links.
fn is_link_list(node: &NodeRef) -> bool {
    let (mut items, mut links) = (0, 0);
    for n in node.descendants_it() {
        if n.has_name("li") {
            items += 1;
        } else if n.has_name("a") {
            links += n.normalized_char_count();
        }
    }
    let text = node.normalized_char_count();
    items >= 2 && text > 0 && links * 10 >= text * 9
}

/// The characters of text in a block's paragraphs (`<p>`), white space collapsed.
fn paragraph_text(node: &NodeRef) -> usize {
    node.descendants_it().filter(|n| n.has_name("p")).map(|n| n.normalized_char_count()).sum()
}

/// The byline, if `node` is one (see [`remove`]).
fn byline_of(node: &NodeRef) -> Option<String> {
    let marked = node.attr("rel").is_some_and(|r| &*r == "author")
        || node.attr("itemprop").is_some_and(|p| p.contains("author"))
        || for_each_word(node, |w| matches!(w, "byline" | "author" | "dateline" | "writtenby"));
    if !marked {
        return None;
    }
    let text = node.text().split_whitespace().collect::<Vec<_>>().join(" ");
    (1..=100).contains(&text.chars().count()).then_some(text)
}

/// What the words of an element's `class` and `id` say (see [`for_each_word`]).
enum Words {
    /// One is one of [`WORDS`], none of [`CONTENT_WORDS`].
    Chrome,
    /// One is of each.
    ChromeAndContent,
    /// None is one of [`WORDS`].
    Neither,
}

/// What the words of the element's `class` and `id` say.
fn class_words(node: &NodeRef) -> Words {
    let (mut chrome, mut content) = (false, false);
    for_each_word(node, |word| {
        content |= CONTENT_WORDS.contains(&word);
        chrome |= WORDS.contains(&word);
        false
    });
    match (chrome, content) {
        (true, false) => Words::Chrome,
        (true, true) => Words::ChromeAndContent,
        _ => Words::Neither,
    }
}

/// Call `f` with each word of the element's `class` and `id`, lower-cased, until it returns
/// true; whether it did. Words are split at anything but a letter or digit, and at a
/// lower-to-upper case change (`relatedLinks`).
fn for_each_word(node: &NodeRef, mut f: impl FnMut(&str) -> bool) -> bool {
    for value in ["class", "id"].iter().filter_map(|a| node.attr(a)) {
        let mut word = String::new();
        let mut previous_lower = false;
        for c in value.chars().chain([' ']) {
            let boundary = !c.is_alphanumeric() || (previous_lower && c.is_uppercase());
            if boundary && !word.is_empty() {
                if f(&word) {
                    return true;
                }
                word.clear();
            }
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            }
            previous_lower = c.is_lowercase();
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byline_is_the_first_short_author_block() {
        let page = r#"<body><div class="author-bio-long">x</div><span class="c-byline__author">
            Par  Jeanne Martin</span><p rel="author">Autre</p></body>"#;
        assert_eq!(remove(&Document::from(page)).as_deref(), Some("x"));
        let page = r#"<body><div itemprop="author name"> Par  Jeanne Martin </div><p class="byline">Autre</p></body>"#;
        assert_eq!(remove(&Document::from(page)).as_deref(), Some("Par Jeanne Martin"));
        assert_eq!(
            remove(&Document::from("<body><p class='bylined'>Non</p><p class='authority'>Non</p></body>")),
            None
        );
    }

    #[test]
    fn chrome_goes_and_the_article_stays() {
        let page = r#"<html><body><div class="post-with-share-buttons"><article>
            <p>Le conseil municipal a adopté le budget.</p>
            <figure><img src="a.jpg"><figcaption>Le maire, hier.</figcaption></figure>
            <div class="relatedLinks"><a href="/b">Un autre article</a></div>
            <p class="photo-credit">Photo : AFP</p>
            <div id="commentary-text"><p>Selon le maire, la hausse sera financée.</p></div>
            </article></div><div class="share">Partager</div></body></html>"#;
        let doc = Document::from(page);
        assert_eq!(remove(&doc), None);
        let text = doc.select("body").text();
        assert!(text.contains("Le conseil municipal") && text.contains("Selon le maire"), "{text}");

        for gone in ["Le maire, hier", "Un autre article", "Photo : AFP", "Partager"] {
            assert!(!text.contains(gone), "kept {gone:?}: {text}");
        }
    }
}
