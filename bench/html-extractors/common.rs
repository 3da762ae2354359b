// Shared by the two extractor programs (included with `include!`): read every `.html` file
// of a folder, extract with `extract`, print one JSON line per page, `{"id": "<stem>.txt",
// "text": ...}` (the ids line_pr.py expects), and the speed on stderr.
fn run(extract: impl Fn(&str) -> String) {
    let dir = std::env::args().nth(1).expect("usage: extract PAGES_DIR");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("read the pages folder").filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "html")).collect();
    files.sort();
    let pages: Vec<(String, String)> = files.iter().map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())).collect();
    let bytes: usize = pages.iter().map(|(_, h)| h.len()).sum();
    let started = std::time::Instant::now();
    let mut out = Vec::new();
    for (id, html) in &pages {
        out.push((id, extract(html)));
    }
    let seconds = started.elapsed().as_secs_f64();
    for (id, text) in out {
        println!("{}", serde_json::json!({ "id": format!("{id}.txt"), "text": text }));
    }
    eprintln!("{} pages, {bytes} bytes of HTML in {seconds:.3} s: {:.1} MB/s", pages.len(), bytes as f64 / 1e6 / seconds);
}
