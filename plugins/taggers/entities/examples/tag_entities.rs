//! Print the entities of a text file: `cargo run -p moulin-entities --example tag_entities -- FILE`.
//! One line per span: byte offsets, label, score, rule, and the text.

fn main() {
    let path = std::env::args().nth(1).expect("usage: tag FILE");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let tagger =
        moulin_entities::tagger(&Default::default(), &Default::default()).expect("the default config is valid");
    for e in tagger.tag(&text) {
        println!("{}\t{}\t{}\t{:.1}\t{}\t{:?}", e.start, e.end, e.label, e.score, e.rule, &text[e.start..e.end]);
    }
}
