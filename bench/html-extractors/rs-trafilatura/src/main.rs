include!("../../common.rs");

fn main() {
    run(|html, title| match rs_trafilatura::extract(html) {
        Ok(result) if !title => result.content_text,
        Ok(result) => format!("{}\n\n{}", result.metadata.title.unwrap_or_default(), result.content_text),
        Err(_) => String::new(),
    });
}
