//! English plurals and singulars for resource names.
//!
//! Resource names become class names (singular) and table names, URLs and list messages
//! (plural). The rules cover regular nouns, the common irregular ones and uncountable nouns.

/// Singular and plural pairs that no rule derives.
const IRREGULAR: &[(&str, &str)] = &[
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("mouse", "mice"),
    ("goose", "geese"),
    ("tooth", "teeth"),
    ("foot", "feet"),
    ("ox", "oxen"),
    ("datum", "data"),
    ("medium", "media"),
    ("criterion", "criteria"),
    ("phenomenon", "phenomena"),
    ("index", "indices"),
    ("matrix", "matrices"),
    ("vertex", "vertices"),
    ("quiz", "quizzes"),
    ("leaf", "leaves"),
    ("knife", "knives"),
    ("life", "lives"),
    ("wife", "wives"),
    ("wolf", "wolves"),
    ("half", "halves"),
    ("shelf", "shelves"),
    ("thief", "thieves"),
    ("hero", "heroes"),
    ("potato", "potatoes"),
    ("tomato", "tomatoes"),
    ("echo", "echoes"),
    ("cactus", "cacti"),
    ("focus", "foci"),
    ("radius", "radii"),
    ("alumnus", "alumni"),
];

/// Nouns whose plural is the same word.
const UNCOUNTABLE: &[&str] = &[
    "equipment",
    "information",
    "rice",
    "money",
    "species",
    "series",
    "fish",
    "sheep",
    "deer",
    "news",
    "feedback",
    "metadata",
    "software",
    "hardware",
    "staff",
    "aircraft",
    "police",
];

/// The plural of a snake_case name; only the last word changes (`order_item` → `order_items`).
pub fn pluralize(snake: &str) -> String {
    let (head, last) = split_last(snake);
    format!("{head}{}", plural_word(last))
}

/// The singular of a snake_case name, for users who type `products` instead of `product`.
pub fn singularize(snake: &str) -> String {
    let (head, last) = split_last(snake);
    format!("{head}{}", singular_word(last))
}

fn split_last(snake: &str) -> (&str, &str) {
    match snake.rfind('_') {
        Some(i) => (&snake[..=i], &snake[i + 1..]),
        None => ("", snake),
    }
}

fn plural_word(word: &str) -> String {
    if UNCOUNTABLE.contains(&word) {
        return word.to_string();
    }
    if let Some((_, plural)) = IRREGULAR.iter().find(|(s, _)| *s == word) {
        return (*plural).to_string();
    }
    if IRREGULAR.iter().any(|(_, p)| *p == word) {
        return word.to_string();
    }
    let consonant_before = |suffix_len: usize| {
        word.len() > suffix_len
            && !matches!(
                word.as_bytes()[word.len() - suffix_len - 1],
                b'a' | b'e' | b'i' | b'o' | b'u'
            )
    };
    if word.ends_with('y') && consonant_before(1) {
        return format!("{}ies", &word[..word.len() - 1]);
    }
    if let Some(stem) = word.strip_suffix("is") {
        return format!("{stem}es");
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|s| word.ends_with(s))
    {
        return format!("{word}es");
    }
    format!("{word}s")
}

fn singular_word(word: &str) -> String {
    if UNCOUNTABLE.contains(&word) {
        return word.to_string();
    }
    if let Some((singular, _)) = IRREGULAR.iter().find(|(_, p)| *p == word) {
        return (*singular).to_string();
    }
    if IRREGULAR.iter().any(|(s, _)| *s == word) {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies").filter(|s| s.len() > 1) {
        return format!("{stem}y");
    }
    if let Some(stem) = word.strip_suffix("yses") {
        return format!("{stem}ysis");
    }
    for (plural, singular) in [("sses", "ss"), ("uses", "us")] {
        if let Some(stem) = word.strip_suffix(plural) {
            return format!("{stem}{singular}");
        }
    }
    if let Some(stem) = word.strip_suffix("es")
        && ["x", "z", "ch", "sh"].iter().any(|s| stem.ends_with(s))
    {
        return stem.to_string();
    }
    if word.ends_with('s') && !["ss", "us", "is"].iter().any(|s| word.ends_with(s)) {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        let cases = [
            ("product", "products"),
            ("order_item", "order_items"),
            ("category", "categories"),
            ("day", "days"),
            ("box", "boxes"),
            ("status", "statuses"),
            ("address", "addresses"),
            ("branch", "branches"),
            ("person", "people"),
            ("sales_person", "sales_people"),
            ("child", "children"),
            ("analysis", "analyses"),
            ("leaf", "leaves"),
            ("series", "series"),
            ("news", "news"),
            ("hero", "heroes"),
            ("photo", "photos"),
            ("quiz", "quizzes"),
            ("bus", "buses"),
            ("index", "indices"),
        ];
        for (singular, plural) in cases {
            assert_eq!(pluralize(singular), plural, "plural of {singular}");
        }
    }

    #[test]
    fn singulars() {
        let cases = [
            ("products", "product"),
            ("product", "product"),
            ("order_items", "order_item"),
            ("categories", "category"),
            ("boxes", "box"),
            ("statuses", "status"),
            ("status", "status"),
            ("addresses", "address"),
            ("address", "address"),
            ("people", "person"),
            ("children", "child"),
            ("series", "series"),
            ("bus", "bus"),
            ("analysis", "analysis"),
        ];
        for (plural, singular) in cases {
            assert_eq!(singularize(plural), singular, "singular of {plural}");
        }
    }
}
