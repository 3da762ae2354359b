include!("../../common.rs");

fn main() {
    run(|html| match rs_trafilatura::extract(html) {
        Ok(result) => format!("{}\n\n{}", result.metadata.title.unwrap_or_default(), result.content_text),
        Err(_) => String::new(),
    });
}
