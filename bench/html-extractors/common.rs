// Shared by the two extractor programs (included with `include!`): read every `.html` file
// of a folder, extract with `extract`, print one JSON line per page, `{"id": "<stem>.txt",
// "text": ...}` (the ids line_pr.py expects), and the speed on stderr. `extract` gets the
// page and whether to put the title first (not with `--body-only`, which the article
// benchmark's gold bodies want).
//
//     extract-<name> PAGES_DIR [--body-only]
fn run(extract: impl Fn(&str, bool) -> String) {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: extract PAGES_DIR [--body-only]");
    let title = match args.next().as_deref() {
        None => true,
        Some("--body-only") => false,
        Some(other) => panic!("expected --body-only or nothing after the folder, found {other:?}"),
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("read the pages folder").filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "html")).collect();
    files.sort();
    let pages: Vec<(String, String)> = files.iter().map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())).collect();
    let bytes: usize = pages.iter().map(|(_, h)| h.len()).sum();
    let started = std::time::Instant::now();
    let mut out = Vec::new();
    for (id, html) in &pages {
        out.push((id, extract(html, title)));
    }
    let seconds = started.elapsed().as_secs_f64();
    for (id, text) in out {
        println!("{}", serde_json::json!({ "id": format!("{id}.txt"), "text": text }));
    }
    eprintln!("{} pages, {bytes} bytes of HTML in {seconds:.3} s: {:.1} MB/s", pages.len(), bytes as f64 / 1e6 / seconds);
}
