//! The `langid` stage through the SDK's harness (the trait object the host calls): the
//! seeds, the filter, the configuration checks, and arbitrary input.

use moulin_langid::detect::Lang;
use moulin_langid::Langid;
use moulin_plugin::testkit::{check_config, docs, Harness};
use moulin_plugin::Document;
use proptest::prelude::*;
use std::path::Path;

fn seeds() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../examples/french-news/corpus");
    let mut seeds: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| (p.file_name().unwrap().to_string_lossy()[..3].to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    seeds.sort();
    assert_eq!(seeds.len(), 5);
    seeds
}

/// `und` or a code the detector knows.
fn is_code(code: &str) -> bool {
    code == "und" || Lang::from_code(code).is_some_and(|l| l.code() == code)
}

/// The `lang` of each (expected `lang`, text) with the default settings.
fn langs_of(samples: &[(&str, &str)]) -> Vec<String> {
    let mut stage = Harness::new::<Langid>(serde_json::json!({})).unwrap();
    let input: Vec<(String, &str)> = samples.iter().enumerate().map(|(i, (_, t))| (i.to_string(), *t)).collect();
    let input: Vec<(&str, &str)> = input.iter().map(|(id, t)| (id.as_str(), *t)).collect();
    stage.process(docs(&input)).unwrap().kept.iter().map(|d| d.lang().to_string()).collect()
}

/// Each (expected `lang`, text) comes out with that `lang` with the default settings.
fn assert_langs(samples: &[(&str, &str)]) {
    let expected: Vec<&str> = samples.iter().map(|(c, _)| *c).collect();
    assert_eq!(langs_of(samples), expected);
}

/// (seed, label, covered text) of every `lang` span.
fn spans_of(docs: &[Document]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for doc in docs {
        for s in doc.spans() {
            assert_eq!(s.layer.as_str(), "lang");
            out.push((
                doc.id().to_string(),
                s.label.to_string(),
                doc.text()[s.start as usize..s.end as usize].to_string(),
            ));
        }
    }
    out
}

#[test]
fn the_seeds_are_french_with_a_spanish_and_an_english_headline() {
    let seeds = seeds();
    let input: Vec<(&str, &str)> = seeds.iter().map(|(id, text)| (id.as_str(), text.as_str())).collect();
    for config in [serde_json::json!({}), serde_json::json!({ "candidates": ["fr", "en", "es", "de"] })] {
        let mut stage = Harness::new::<Langid>(config.clone()).unwrap();
        let out = stage.process(docs(&input)).unwrap();
        assert_eq!(out.kept.len(), 5);
        for doc in &out.kept {
            assert_eq!(doc.lang(), "fr", "{} with {config}", doc.id());
            assert!(doc.lang_score() > 0.9, "{} scores {}", doc.id(), doc.lang_score());
        }
        let spans = spans_of(&out.kept);
        let expected = [
            ("000", "es", "El sector de los cítricos en Marruecos busca reinventarse en Marrakech"),
            ("004", "en", "AFCON 2025 : Stadium gates to open at 2 p.m. for Morocco–Comoros opener"),
        ];
        let expected: Vec<(String, String, String)> =
            expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
        assert_eq!(spans, expected, "with {config}");
    }
}

#[test]
fn keep_drops_other_languages_with_a_reason() {
    let mut stage = Harness::new::<Langid>(serde_json::json!({ "keep": ["fr", "und"] })).unwrap();
    let out = stage
        .process(docs(&[
            ("fr", "Le conseil municipal a voté hier soir le budget de la ville pour l'année prochaine."),
            ("en", "The city council voted last night on the budget for next year, after a long debate."),
            ("empty", ""),
            ("digits", "2024 - 12 - 31"),
        ]))
        .unwrap();
    let kept: Vec<&str> = out.kept.iter().map(|d| d.id()).collect();
    assert_eq!(kept, ["fr", "empty", "digits"]);
    assert_eq!(out.dropped.len(), 1);
    assert_eq!(out.dropped[0].drop_reason(), Some("langid: en not in [fr, und]"));
}

#[test]
fn bad_configurations_name_the_key() {
    for (config, key, words) in [
        (serde_json::json!({ "candidates": ["fr", "xx"] }), "candidates", "unknown language \"xx\""),
        (serde_json::json!({ "keep": ["fr"], "candidates": ["en", "es"] }), "keep", "not one of the candidates"),
        (serde_json::json!({ "keep": ["ab"] }), "keep", "(the default ones; `candidates = [\"all\"]` has all)"),
        (serde_json::json!({ "candidates": ["und"] }), "candidates", "or \"all\""),
        (serde_json::json!({ "min_score": 2.0 }), "min_score", "expected a score in [0, 1]"),
        (serde_json::json!({ "min_span_score": -0.1 }), "min_span_score", "expected a score in [0, 1]"),
        (serde_json::json!({ "segments": "words" }), "segments", "unknown variant"),
    ] {
        let err = check_config::<Langid>(config.clone()).unwrap_err();
        assert_eq!(err.key(), Some(key), "{config}: {err:?}");
        assert!(err.message().contains(words), "{config}: {}", err.message());
    }
}

/// Short text that is right but unsure keeps the detector's best guess with the default
/// `min_score`; asked for surer labels, the stage makes it `und` and keeps the score.
#[test]
fn short_text_keeps_its_best_guess_unless_surer_labels_are_asked_for() {
    let texts = [("es", "la casa"), ("de", "Haus"), ("da", "jeg ved")];
    let mut stage = Harness::new::<Langid>(serde_json::json!({})).unwrap();
    let guesses = stage.process(docs(&texts)).unwrap().kept;
    let mut strict = Harness::new::<Langid>(serde_json::json!({ "min_score": 0.5 })).unwrap();
    let strict = strict.process(docs(&texts)).unwrap().kept;
    for (guess, strict) in guesses.iter().zip(&strict) {
        assert_eq!(guess.lang(), guess.id(), "{guess:?}");
        assert!((0.15..0.5).contains(&guess.lang_score()), "{guess:?}");
        assert_eq!((strict.lang(), strict.lang_score()), ("und", guess.lang_score()));
    }
}

/// A headline ticker collapsed to one line (as `normalize` leaves it) with a Spanish title in
/// its middle: whichlang labels a long line from three windows, so the page stays French
/// (labelled from its middle alone, this page came out Spanish).
#[test]
fn a_ticker_with_a_foreign_title_in_its_middle_does_not_decide_the_page() {
    let titles = [
        "Maroc : la croissance prévue à 3,8% au T2 2025",
        "Le pire n'est jamais sûr : « On the brink »",
        "SM le Roi félicite le président syrien à l'occasion de l'anniversaire de la fête de l'évacuation",
        "Préparatifs de la CAN 25 : Plus de 120 projets sont actuellement en cours de réalisation dans les six villes",
        "Avec 5 972 tonnes, le Maroc établit un nouveau record d'exportation de fraises surgelées vers le Japon",
        "Les températures attendues ce jeudi 17 avril 2025",
        "El sector de los cítricos en Marruecos busca reinventarse en Marrakech",
        "Agadir : Douar des arts sur le front de mer",
        "À Safi, l'Etat ratifie la délimitation réglementaire de trois zones industrielles à Khat Azakane",
        "Skhirat-Témara : extension du complexe des écoles militaires sur le domaine forestier de M'khénza Zaër",
        "La France fournira pour la première fois des services consulaires à Laâyoune à partir du mois de mai",
        "Qui est « Visit Rwanda », ce sponsor qui accompagne le PSG en demi-finale de la Ligue des champions ?",
    ];
    let ticker = titles.join(" ");
    let middle = ticker.len() / 2;
    let spanish = ticker.find("El sector").unwrap();
    assert!(spanish < middle && middle < spanish + titles[6].len(), "the Spanish title is in the middle");
    let page = format!("{ticker}\nPar la rédaction\nLe gouvernement a présenté mardi son plan pour l'eau.");
    let mut stage = Harness::new::<Langid>(serde_json::json!({})).unwrap();
    let out = stage.process(docs(&[("page", page.as_str())])).unwrap();
    assert_eq!(out.kept[0].lang(), "fr", "{:?}", out.kept[0]);
}

#[test]
fn texts_without_a_language_are_und() {
    let mut stage = Harness::new::<Langid>(serde_json::json!({})).unwrap();
    let texts = [("empty", ""), ("digits", "12 345 678"), ("emoji", "🙂🎉🙂 👍"), ("punct", "— … !!")];
    let out = stage.process(docs(&texts)).unwrap();
    for doc in &out.kept {
        assert_eq!((doc.lang(), doc.lang_score()), ("und", 0.0), "{}", doc.id());
        assert!(doc.spans().is_empty());
    }
    // A single word and mixed scripts get an answer, scored.
    let out = stage.process(docs(&[("word", "maison"), ("mixed", "Москва and Paris, 東京 et Madrid")])).unwrap();
    for doc in &out.kept {
        assert!((0.0..=1.0).contains(&doc.lang_score()), "{}: {}", doc.id(), doc.lang_score());
        assert!(is_code(doc.lang()), "{}: {}", doc.id(), doc.lang());
    }
}

#[test]
fn all_names_every_language() {
    // Abkhaz is not a default candidate (fastText lid.176 does not know it).
    assert!(check_config::<Langid>(serde_json::json!({ "candidates": ["all"], "keep": ["ab"] })).is_ok());
    let abkhaz = "Дызусҭзаалак, ауаатәыҩсатә ҭаацәара иалахәу иҳаҭыри, иара иузиҟәымҭхо имоу изинқәеи";
    let mut stage = Harness::new::<Langid>(serde_json::json!({ "candidates": ["all"] })).unwrap();
    assert_eq!(stage.process(docs(&[("ab", abkhaz)])).unwrap().kept[0].lang(), "ab");
    let mut stage = Harness::new::<Langid>(serde_json::json!({})).unwrap();
    assert_ne!(stage.process(docs(&[("ab", abkhaz)])).unwrap().kept[0].lang(), "ab");
}

#[test]
fn a_script_one_language_writes_is_never_und() {
    let samples = [
        ("el", "καλημέρα"),
        ("hy", "բարեւ"),
        ("ka", "გამარჯობა"),
        ("th", "สวัสดี"),
        ("ko", "안녕하세요"),
        ("ja", "ありがとう"),
        ("bn", "ধন্যবাদ"),
        ("ta", "வணக்கம்"),
        ("am", "ሰላም"),
        ("si", "ආයුබෝවන්"),
        ("km", "សួស្តី"),
        ("he", "שלום"),
        ("gu", "નમસ્તે"),
    ];
    assert_langs(&samples);
}

#[test]
fn short_text_in_a_shared_script_gets_its_language() {
    let samples = [
        ("ru", "Все это довольно срочно."),
        ("uk", "Це дуже терміново."),
        ("ar", "هذا أمر عاجل جدا."),
        ("fa", "این خیلی فوری است."),
        ("ur", "یہ بہت ضروری ہے۔"),
        ("hi", "यह बहुत जरूरी है।"),
        ("zh", "这件事非常紧急。"),
        ("ja", "これは非常に緊急です。"),
        // More Latin letters than Han characters or Hangul syllables, fewer of their bytes.
        ("zh", "我们用 Firefox 和 Thunderbird 浏览网页。"),
        ("ko", "Firefox와 Thunderbird를 설치했습니다."),
    ];
    assert_langs(&samples);
}

/// Short sentences in Latin-script languages that lingua decides (before it knew them, their
/// short text went to a related language with a general model: Hungarian came out Czech or
/// Turkish, Polish Dutch). Each is its language or, scored under `min_score`, `und`; at most
/// two are `und` (a Slovak line Czech could have written, a five-word Romanian one).
#[test]
fn short_latin_text_in_a_widely_written_language_is_not_given_its_neighbour() {
    let samples = [
        ("pl", "To jest bardzo pilne."),
        ("pl", "Nie wiem, co mam teraz zrobić."),
        ("cs", "Tohle je velmi naléhavé."),
        ("cs", "Nevím, co mám teď dělat."),
        ("sk", "Toto je veľmi naliehavé."),
        ("sk", "Neviem, čo mám teraz robiť."),
        ("hu", "Ez nagyon sürgős."),
        ("hu", "Nem tudom, mit csináljak most."),
        ("ro", "Acest lucru este foarte urgent."),
        ("ro", "Nu știu ce să fac acum."),
        ("da", "Det her er meget vigtigt for os."),
        ("da", "Jeg ved ikke, hvad jeg skal gøre nu."),
        ("nb", "Dette er veldig viktig for oss."),
        ("nb", "Jeg vet ikke hva jeg skal gjøre nå."),
        ("fi", "Tämä on erittäin kiireellistä."),
        ("fi", "En tiedä, mitä minun pitäisi nyt tehdä."),
        ("id", "Saya tidak tahu apa yang harus saya lakukan sekarang."),
        ("id", "Hal ini sangat mendesak bagi kami."),
    ];
    let mut undetermined = 0;
    for ((want, text), got) in samples.iter().zip(langs_of(&samples)) {
        match got.as_str() {
            "und" => undetermined += 1,
            got => assert_eq!(got, *want, "{text:?}"),
        }
    }
    assert!(undetermined <= 2, "{undetermined} of {} are und", samples.len());
}

#[test]
fn long_text_in_a_language_whichlang_does_not_know_is_not_given_its_neighbour() {
    let samples = [
        (
            "uk",
            "Уряд оголосив у вівторок нову програму підтримки фермерів, які постраждали від посухи, \
             що триває з початку літа на півдні країни. Міністр сказав, що виплати почнуться вже наступного місяця.",
        ),
        (
            "fa",
            "دولت روز سه‌شنبه برنامه جدیدی برای حمایت از کشاورزانی که از خشکسالی آسیب دیده‌اند اعلام کرد. \
             وزیر گفت که پرداخت‌ها از ماه آینده آغاز می‌شود و همه استان‌های جنوبی را در بر می‌گیرد.",
        ),
        (
            "ur",
            "حکومت نے منگل کے روز ان کسانوں کی مدد کے لیے ایک نئے پروگرام کا اعلان کیا جو خشک سالی سے متاثر ہوئے ہیں۔ \
             وزیر نے کہا کہ ادائیگیاں اگلے مہینے سے شروع ہوں گی اور تمام جنوبی صوبوں میں کی جائیں گی۔",
        ),
        (
            "ca",
            "El govern va anunciar dimarts un nou programa d'ajuts per als pagesos afectats per la sequera, \
             que dura des del començament de l'estiu al sud del país. El ministre va dir que els pagaments començaran el mes vinent.",
        ),
    ];
    assert_langs(&samples);
}

#[test]
fn a_russian_text_with_an_english_quote_gets_both_languages() {
    // The document's `lang` and its (label, covered text) spans, with the default settings.
    let lang_and_spans = |text: &str| {
        let mut stage = Harness::new::<Langid>(serde_json::json!({})).unwrap();
        let doc = stage.process(docs(&[("ru", text)])).unwrap().kept.remove(0);
        let spans: Vec<(String, String)> = doc
            .spans()
            .iter()
            .map(|s| (s.label.to_string(), text[s.start as usize..s.end as usize].to_string()))
            .collect();
        (doc.lang().to_string(), spans)
    };
    let own_line = "Президент заявил журналистам, что переговоры продолжатся на следующей неделе.\n\
                    \"We are ready to talk as long as it takes,\" the minister said after the meeting.\n\
                    По его словам, стороны договорились о новом раунде консультаций в Женеве.";
    let quote = "\"We are ready to talk as long as it takes,\" the minister said after the meeting.";
    assert_eq!(lang_and_spans(own_line), ("ru".to_string(), vec![("en".to_string(), quote.to_string())]));
    // A quote inside a Russian line is cut out at the change of script.
    let inline = "Министр заявил журналистам: «We are ready to talk as long as it takes», и добавил, что \
                  переговоры продолжатся на следующей неделе в Женеве.";
    let quote = "We are ready to talk as long as it takes»,";
    assert_eq!(lang_and_spans(inline), ("ru".to_string(), vec![("en".to_string(), quote.to_string())]));
}

#[test]
fn degenerate_text_is_und_or_scored_low() {
    let long = "a".repeat(5 << 20);
    let mut stage = Harness::new::<Langid>(serde_json::json!({})).unwrap();
    let texts = [
        ("letter", long.as_str()),
        ("laugh", "hahahahahahahahaha"),
        ("mixed", "Москва and Paris, 東京 et Madrid 🙂 123"),
    ];
    let out = stage.process(docs(&texts)).unwrap();
    assert_eq!(out.kept.len(), 3);
    for doc in &out.kept[..2] {
        assert!(doc.lang() == "und" || doc.lang_score() < 0.5, "{}: {} {}", doc.id(), doc.lang(), doc.lang_score());
    }
    assert!(is_code(out.kept[2].lang()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_text_gets_a_defined_result(text in "(?s)\\PC{0,300}", lines in proptest::collection::vec("[a-zA-Zàéèçñü ]{0,40}|\\PC{0,20}", 0..8)) {
        let mut stage = Harness::new::<Langid>(serde_json::json!({ "min_segment_chars": 5 })).unwrap();
        let joined = lines.join("\n");
        let out = stage.process(docs(&[("a", &text), ("b", &joined)])).unwrap();
        prop_assert_eq!(out.kept.len(), 2);
        for doc in &out.kept {
            let score = doc.lang_score();
            prop_assert!((0.0..=1.0).contains(&score), "score {}", score);
            prop_assert!(is_code(doc.lang()), "{}", doc.lang());
            for s in doc.spans() {
                let (start, end) = (s.start as usize, s.end as usize);
                prop_assert!(start < end && end <= doc.text().len());
                prop_assert!(doc.text().is_char_boundary(start) && doc.text().is_char_boundary(end));
                prop_assert!(s.label.as_str() != doc.lang());
            }
        }
    }
}
