include!("../../common.rs");

fn main() {
    let threshold: usize = std::env::var("CHAR_THRESHOLD").ok().and_then(|v| v.parse().ok()).unwrap_or(250);
    run(|html, title| {
        let cfg = dom_smoothie::Config { text_mode: dom_smoothie::TextMode::Formatted, char_threshold: threshold, ..Default::default() };
        match dom_smoothie::Readability::new(html, None, Some(cfg)).and_then(|mut r| r.parse()) {
            Ok(article) if title => format!("{}\n\n{}", article.title, article.text_content),
            Ok(article) => article.text_content.to_string(),
            Err(_) => String::new(),
        }
    });
}
