include!("../../common.rs");

fn main() {
    let threshold: usize = std::env::var("CHAR_THRESHOLD").ok().and_then(|v| v.parse().ok()).unwrap_or(250);
    run(|html| {
        let cfg = dom_smoothie::Config { text_mode: dom_smoothie::TextMode::Formatted, char_threshold: threshold, ..Default::default() };
        match dom_smoothie::Readability::new(html, None, Some(cfg)).and_then(|mut r| r.parse()) {
            Ok(article) => format!("{}\n\n{}", article.title, article.text_content),
            Err(_) => String::new(),
        }
    });
}
