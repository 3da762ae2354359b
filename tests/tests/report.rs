//! `report.html` (issue 23): written by every run, self-contained, its numbers those of
//! `manifest.json`; loaded in headless Chromium (Debian's, installed by
//! scripts/debian-packages.sh), whose rendered DOM must show the same numbers, with no
//! console message, and a screenshot kept under target/.

use moulin_tests::{manifest_of, moulin, root, text, TestProject};
use std::path::{Path, PathBuf};

/// A run with drops and errors: records that are not JSON, a damaged gzip, documents the
/// quality filter drops.
fn run_with_errors() -> TestProject {
    let p = TestProject::new(
        "[input]\npaths = [\"corpus\"]\n\
         [[stage]]\nid = \"lang\"\nplugin = \"langid\"\n\
         [[stage]]\nid = \"ner\"\nplugin = \"entities\"\n\
         [[stage]]\nid = \"quality\"\nplugin = \"gopher_quality\"\n\
         [[stage]]\nid = \"docs\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    let good = "The general talked with the negotiators about the need to reduce the violence in the country, and he said that the talks would go on next week in Doha with all of them. ";
    let mut lines = String::new();
    for i in 0..20 {
        let text = if i % 5 == 0 { "court".to_string() } else { good.repeat(3) };
        lines.push_str(&serde_json::json!({ "text": text }).to_string());
        lines.push('\n');
    }
    lines.push_str("not json <script>alert(1)</script>\n");
    p.write("a.jsonl", lines);
    p.write("b.jsonl.gz", b"\x1f\x8b\x08\x00garbage");
    let out = moulin(&["run", &p.file().display().to_string(), "--quiet"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    p
}

/// The numbers of the page's totals table, in its order: read, exported, dropped, failed.
fn totals_in(html: &str) -> Vec<u64> {
    let table = html.split("<table id=\"totals\">").nth(1).expect("a totals table").split("</table>").next().unwrap();
    table
        .split("<td class=\"n\">")
        .skip(1)
        .map(|cell| cell.split('<').next().unwrap().trim().parse().unwrap())
        .collect()
}

/// The rows of the page's stages table: id, documents in, documents out.
fn stages_in(html: &str) -> Vec<(String, u64, u64)> {
    let table = html.split("<table id=\"stages\">").nth(1).expect("a stages table").split("</table>").next().unwrap();
    table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> =
                row.split("<td").skip(1).map(|c| c.split('>').nth(1).unwrap().split('<').next().unwrap()).collect();
            (cells[0].to_string(), cells[3].parse().unwrap(), cells[4].parse().unwrap())
        })
        .collect()
}

fn manifest_stages(out: &Path) -> Vec<(String, u64, u64)> {
    let m = manifest_of(out);
    let stages = m["stages"].as_array().unwrap();
    stages
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_u64().unwrap();
            (s["id"].as_str().unwrap().to_string(), n("documents_in"), n("documents_out"))
        })
        .collect()
}

fn manifest_totals(out: &Path) -> Vec<u64> {
    let m = manifest_of(out);
    ["documents", "exported", "dropped", "failed"].iter().map(|k| m["totals"][k].as_u64().unwrap()).collect()
}

#[test]
fn every_run_writes_a_self_contained_report_with_the_manifests_numbers() {
    let p = run_with_errors();
    let html = std::fs::read_to_string(p.out("report.html")).unwrap();
    assert_eq!(totals_in(&html), manifest_totals(&p.out("")));
    assert_eq!(stages_in(&html), manifest_stages(&p.out("")));
    // Nothing to load: no script, no link, no remote resource; the input's markup escaped.
    for needle in ["<script", "<link", "src=", "http://", "https://", "@import", "url("] {
        assert!(!html.contains(needle), "the page holds {needle:?}");
    }
    assert!(html.contains("&lt;script&gt;") || !html.contains("alert"), "input text must be escaped");
    for section in
        ["funnel", "stages", "dropped", "errors", "outputs", "plugins", "languages", "lang-scores", "spans", "entities"]
    {
        assert!(html.contains(&format!("id=\"{section}\"")), "no {section}");
    }
    assert!(html.contains("gopher_short_doc"), "the drop reasons name the filter's rule");
    let m = manifest_of(&p.out(""));
    assert!(m["totals"]["exported"].as_u64().unwrap() > 0);
    // Every exported document has its language counted, and the entities their mentions.
    let content = &m["totals"]["content"];
    assert_eq!(content["languages"]["en"], m["totals"]["exported"], "{content}");
    let doha = m["entities"].as_array().unwrap().iter().find(|e| e["text"] == "Doha").expect("Doha is counted");
    assert_eq!(doha["count"].as_u64(), m["totals"]["exported"].as_u64().map(|n| n * 3), "three mentions a document");
    assert!(html.contains("<td>Doha</td><td>LOC</td>"), "the page lists it");
    assert!(html.contains("<tr><th>exit status</th><td>1</td></tr>"), "the exit status");
    assert!(html.contains("id=\"config\"") && html.contains("gopher_quality"), "the configuration");
    assert!(html.contains("id=\"slowest\"") && html.contains("<td>b.jsonl.gz</td>"), "the slowest files");
    // `moulin report` writes it again, the same.
    std::fs::remove_file(p.out("report.html")).unwrap();
    let again = moulin(&["report", &p.out("").display().to_string()], &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert_eq!(std::fs::read_to_string(p.out("report.html")).unwrap(), html);
}

#[test]
fn the_report_of_a_large_run_stays_small() {
    // 20,000 files of one document each, one in ten not UTF-8 (an error each): the page
    // holds aggregates and short lists only.
    let p = TestProject::new(
        "[input]\npaths = [\"corpus\"]\nstrict_encoding = true\n[[stage]]\nid = \"docs\"\nplugin = \"jsonl\"\nconfig = { path = \"docs.jsonl\" }\n",
    );
    let corpus = p.dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for i in 0..20_000 {
        let body = if i % 10 == 0 { vec![0xff, 0xfe, 0x00] } else { format!("Bonjour {i}").into_bytes() };
        std::fs::write(corpus.join(format!("{i:05}.txt")), body).unwrap();
    }
    let out = moulin(&["run", &p.file().display().to_string(), "--quiet"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(manifest_of(&p.out(""))["totals"]["failed"], 2_000);
    let started = std::time::Instant::now();
    let again = moulin(&["report", &p.out("").display().to_string()], &[]);
    let took = started.elapsed();
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let size = std::fs::metadata(p.out("report.html")).unwrap().len();
    assert!(size < 200_000, "the report of 20,000 files is {size} bytes");
    let html = std::fs::read_to_string(p.out("report.html")).unwrap();
    assert!(html.contains("<td class=\"n\">2000</td>"), "the errors' count");
    eprintln!("report of 20,000 files: {size} bytes in {took:?}");
}

/// Headless Chromium, as this machine's probe runs it (no background networking, a fresh
/// profile), or `None` where there is none and this is not CI.
fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if path.exists() {
        return Some(path);
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "CI runs this test: scripts/debian-packages.sh installs chromium"
    );
    eprintln!("skipped: no /usr/bin/chromium (scripts/debian-packages.sh installs it)");
    None
}

fn headless(chromium: &Path, profile: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

#[test]
fn the_report_renders_in_a_browser_with_the_manifests_numbers() {
    let Some(chromium) = chromium() else { return };
    let example = root().join("target/report-test/french-news");
    let _ = std::fs::remove_dir_all(&example);
    let project = root().join("examples/french-news/moulin.toml");
    let out =
        moulin(&["run", &project.display().to_string(), "--quiet", "--output", &example.display().to_string()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let errors = run_with_errors();
    let shots = root().join("target/report-test");
    for (name, out) in [("french-news", example.clone()), ("with-errors", errors.out(""))] {
        let page = format!("file://{}", out.join("report.html").display());
        let profile = tempfile::tempdir().unwrap();
        let dom = headless(&chromium, profile.path(), &["--dump-dom", &page]);
        assert!(dom.status.success(), "{name}: {}", text(&dom));
        let rendered = String::from_utf8_lossy(&dom.stdout);
        assert_eq!(totals_in(&rendered), manifest_totals(&out), "{name}: the rendered funnel's numbers");
        assert_eq!(stages_in(&rendered), manifest_stages(&out), "{name}: the rendered stages' numbers");
        let logged = String::from_utf8_lossy(&dom.stderr);
        assert!(!logged.contains("CONSOLE"), "{name}: the page logged to the console: {logged}");
        let shot = shots.join(format!("{name}.png"));
        let profile = tempfile::tempdir().unwrap();
        let screenshot = format!("--screenshot={}", shot.display());
        let taken = headless(&chromium, profile.path(), &[&screenshot, "--window-size=1200,1800", &page]);
        assert!(taken.status.success() && shot.exists(), "{name}: {}", text(&taken));
    }
}
