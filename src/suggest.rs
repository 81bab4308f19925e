//! Near-miss suggestions for misspelled names: streams, attributes, functions, parameters.

/// ` (did you mean 'X'?)` for the closest candidate, or an empty string when none is close.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

/// The candidate nearest to `word` by edit distance (case-insensitive), if near enough.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1) + usize::from(word.len() > 6);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_only_near_misses() {
        assert_eq!(closest("Trade", ["Trades", "Out"]), Some("Trades"));
        assert_eq!(closest("uper", ["upper", "lower"]), Some("upper"));
        assert_eq!(closest("zzz", ["Trades", "Out"]), None);
    }
}
