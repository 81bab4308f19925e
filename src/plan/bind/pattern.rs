//! `FROM PATTERN (...)` / `FROM SEQUENCE (...)`: the elements' streams and filters, counting,
//! and/or pairs, absent elements and `every` groups, over the combined row.

/// How many first occurrences a counting element keeps for `e1[i]` (besides `e1[last]`).
pub(super) fn counted_slots(max: Option<u32>) -> usize {
    max.map_or(8, |m| (m as usize).min(16))
}
