//! The closed word lists the rules use: titles, particles, cue words, function words.
//!
//! All are compared after [`crate::fold::fold_word`] (lowercase, no accents), so `Général`,
//! `general` and `GÉNÉRAL` are one entry. A project adds its own titles and cues in the
//! config (`titles`, `org_cues`).

/// Abbreviated titles: a person's name follows, the title is part of the span (as in the
/// HIPE guidelines). Compared with their case: `M.` is a title, `m.` is a metre.
pub const ABBREVIATED_TITLES: &[&str] = &[
    "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Me", "Mes", "Mgr", "Dr", "Pr", "Mr", "Mrs", "Ms", "Messrs", "Gen",
    "Gal", "Col", "Lt", "Sgt", "Capt", "Cpt", "Adm", "Gov", "Sen", "Rep", "Prof", "Sr", "Fr", "Rev",
];

/// Titles and roles written out (folded): `général`, `président`, `docteur`, `lord`...
pub const WORD_TITLES: &[&str] = &[
    // French
    "monsieur", "madame", "mademoiselle", "messieurs", "mesdames", "general", "generale", "colonel", "commandant",
    "capitaine", "lieutenant", "sergent", "marechal", "amiral", "president", "presidente", "ministre", "chancelier",
    "chanceliere", "secretaire", "senateur", "senatrice", "depute", "deputee", "maire", "prefet", "juge", "docteur",
    "professeur", "maitre", "abbe", "pere", "cardinal", "pape", "roi", "reine", "prince", "princesse", "duc",
    "duchesse", "comte", "comtesse", "vicomte", "baron", "baronne", "marquis", "marquise", "empereur",
    "imperatrice", "archiduc", "cheikh", "emir", "sultan", "ayatollah", "imam", "rabbin", "pasteur", "soeur",
    "frere", "veuve", "citoyen", "citoyenne", "camarade", "inspecteur", "commissaire", "brigadier", "caporal",
    "gouverneur", "consul", "ambassadeur", "eveque", "archeveque", "cure", "chanoine", "dom",
    // English
    "mister", "general", "colonel", "major", "captain", "lieutenant", "sergeant", "admiral", "president", "minister",
    "chancellor", "secretary", "senator", "congressman", "congresswoman", "governor", "mayor", "judge", "justice",
    "doctor", "professor", "king", "queen", "pope", "lord", "lady", "sir", "dame", "sheikh", "emperor",
    "ambassador", "bishop", "archbishop", "father", "sister", "brother", "detective", "inspector", "officer",
    // Spanish, German
    "senor", "senora", "don", "dona", "herr", "frau", "fraulein",
];

/// Lowercase words that may stand between a title and the name (`M. le général X`,
/// `le président de la République X` is not followed).
pub const TITLE_LINKS: &[&str] = &["le", "la", "l", "the", "de", "du", "des"];

/// Lowercase words that continue a name when another capitalised word follows: `Charles de
/// Gaulle`, `Ludwig van Beethoven`, `Bashar al-Assad`, `Banque de l'Indochine`.
pub const PARTICLES: &[&str] = &[
    "de", "du", "des", "d", "la", "le", "l", "les", "da", "di", "del", "della", "dos", "das", "do", "van", "von",
    "der", "den", "ten", "ter", "zu", "al", "el", "ben", "bin", "ibn", "bint", "abu", "of",
];

/// Words that continue a name only inside a hyphenated compound: `Seine-et-Oise`,
/// `Boulogne-sur-Mer`. With spaces they join two names (`MM. Davidson et Aenesmann`).
pub const HYPHEN_PARTICLES: &[&str] = &["et", "and", "y", "sur", "sous", "en", "les", "lez", "aux", "au"];

/// First words that, hyphenated to a name, make a place: `Saint-Nazaire`, `Ste-Foy`.
pub const SAINT: &[&str] = &["saint", "sainte", "st", "ste", "san", "santa", "sao"];

/// Head nouns that make an organisation of the name they open: `Banque de France`,
/// `Compagnie d'Orléans`, `ministère de la Guerre`. Lowercase complements are taken after
/// the ones marked strong (`ministère de la guerre`, `Chambre des députés`).
pub const ORG_CUES: &[(&str, bool)] = &[
    // French
    ("banque", false), ("compagnie", false), ("cie", false), ("societe", false), ("credit", false),
    ("union", false), ("comite", true), ("commission", true), ("conseil", true), ("association", true),
    ("federation", true), ("confederation", true), ("parti", true), ("ligue", true), ("syndicat", true),
    ("chambre", true), ("senat", false), ("assemblee", true), ("ministere", true), ("universite", false),
    ("academie", false), ("institut", false), ("caisse", true), ("office", true), ("agence", false),
    ("tribunal", true), ("cour", true), ("parlement", false), ("gouvernement", false), ("armee", true),
    ("club", false), ("centre", false), ("ecole", true), ("lycee", false), ("college", false), ("hopital", false),
    ("musee", false), ("theatre", false), ("opera", false), ("cercle", false), ("groupe", false),
    ("entreprise", false), ("etablissements", false), ("ets", false), ("manufacture", false), ("mutuelle", false),
    ("fondation", false), ("prefecture", true), ("mairie", false), ("regiment", true),
    ("division", true), ("brigade", true), ("eglise", false), 
    ("conservatoire", false),
    ("organisation", true), ("mouvement", false), ("front", false), ("rassemblement", false),
    // English
    ("bank", false), ("company", false), ("corporation", false), ("council", true), ("committee", true),
    ("ministry", true), ("department", true), ("university", false), ("party", false), ("agency", false),
    ("institute", false), ("foundation", false), ("army", false), ("navy", false), ("court", false),
    ("board", false), ("league", false), ("federal", false), ("national", false), ("royal", false),
];

/// Words that close an organisation's name: `Schneider et Cie`, `Royal Dutch Shell plc`.
pub const ORG_SUFFIXES: &[&str] = &[
    "cie", "co", "ltd", "limited", "inc", "corp", "corporation", "company", "plc", "gmbh", "ag", "sa", "sarl",
    "line", "lines", "club", "group", "groupe", "bank", "railway", "railways", "airlines", "party", "times", "news",
    "post", "press", "presse", "images", "media", "medias", "tribune", "herald", "gazette", "telegraph", "journal",
];

/// Head words that make a place of the name they open: `Mont Blanc`, `golfe de Gascogne`.
pub const LOC_CUES: &[&str] = &[
    "mont", "monts", "lac", "golfe", "cap", "ile", "iles", "mer", "ocean", "detroit", "baie", "vallee", "foret",
    "canal", "col", "pointe", "plateau", "desert", "massif", "fleuve", "riviere", "departement", "province",
    "region", "mount", "lake", "gulf", "cape", "island", "islands", "sea", "ocean", "bay", "valley", "river",
    "county", "state", "province",
];

/// Words that open an address: the street's name follows (`rue de Rivoli`, `r. St-Martin`).
pub const STREET_CUES: &[&str] = &[
    "rue", "r", "boulevard", "bd", "boul", "avenue", "av", "place", "pl", "quai", "impasse", "allee", "chemin",
    "route", "faubourg", "fg", "square", "passage", "cours", "street", "st", "road", "rd",
];

/// Capitalised at a sentence's start, these are ordinary words, not names: a name run that
/// opens a sentence with one of them starts after it.
pub const FUNCTION_WORDS: &[&str] = &[
    // French
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "ce", "cet", "cette", "ces", "il",
    "elle", "ils", "elles", "on", "nous", "vous", "je", "j", "tu", "mais", "et", "ou", "donc", "or", "ni", "car",
    "si", "quand", "comme", "dans", "pour", "par", "sur", "sous", "avec", "sans", "apres", "avant", "depuis",
    "en", "selon", "chez", "entre", "vers", "contre", "pendant", "malgre", "lors", "tous", "tout", "toute",
    "toutes", "son", "sa", "ses", "leur", "leurs", "mon", "ma", "mes", "notre", "nos", "votre", "vos", "qui",
    "que", "quoi", "dont", "ou", "lorsque", "puisque", "alors", "ainsi", "aussi", "enfin", "ensuite", "puis",
    "cependant", "pourtant", "toutefois", "deja", "encore", "ici", "voici", "voila", "c", "n", "s", "qu", "a",
    "y", "oui", "non", "rien", "plus", "moins", "tres", "bien", "mme", "quel", "quelle", "quels", "quelles",
    "chaque", "plusieurs", "certains", "aucun", "aucune", "autre", "autres", "meme", "celui", "celle", "ceux",
    "lui", "eux", "hier", "aujourd", "demain", "desormais", "hormis", "outre", "parmi", "pres", "afin",
    // English
    "the", "a", "an", "and", "or", "but", "if", "when", "while", "as", "in", "on", "at", "of", "for", "to", "from",
    "by", "with", "without", "after", "before", "since", "this", "that", "these", "those", "he", "she", "it",
    "they", "we", "you", "i", "his", "her", "its", "their", "our", "my", "your", "there", "here", "what", "who",
    "which", "where", "why", "how", "all", "some", "no", "not", "yes", "so", "then", "also", "however", "yet",
    // Spanish, German
    "el", "los", "las", "una", "y", "der", "die", "das", "ein", "eine", "und",
];

/// Weekdays and months: capitalised in English and in dates, never names on their own.
pub const CALENDAR: &[&str] = &[
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier", "fevrier", "mars", "avril",
    "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
];

/// Prepositions after which an unknown capitalised word is taken for a place: `à Maillé`,
/// `en Laponie`.
pub const PLACE_PREPOSITIONS: &[&str] = &["a", "en", "in", "vers", "pres", "near"];
