//! Statistics over the rounds of a benchmark.
//!
//! Each round measures both servers back to back, so the figures of one round are taken
//! under similar machine load; the report takes the median over rounds of each figure, the
//! best requests/s, and the median of the per-round ratios.

use std::collections::BTreeMap;

/// The median of `values`: of the n values sorted, the ((n + 1) / 2)-th, so with an even
/// count the lower of the two middle values (a figure that was measured, never an average
/// of two). `None` when there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len().checked_sub(1)? / 2).copied()
}

/// The highest of `values` (the best requests/s over rounds). `None` when there are none.
pub fn best(values: &[f64]) -> Option<f64> {
    values.iter().copied().max_by(f64::total_cmp)
}

/// `a / b` for each round in which both were measured, in round order. Rounds where `b` is
/// 0 have no ratio.
pub fn round_ratios(a: &BTreeMap<u32, f64>, b: &BTreeMap<u32, f64>) -> Vec<f64> {
    a.iter()
        .filter_map(|(round, a)| {
            let b = *b.get(round)?;
            (b > 0.0).then(|| a / b)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_an_odd_count_is_the_middle() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[5.0]), Some(5.0));
        assert_eq!(median(&[9.0, 1.0, 7.0, 3.0, 5.0]), Some(5.0));
    }

    #[test]
    fn median_of_an_even_count_is_the_lower_middle() {
        // As the shell version did (`sort -g | awk '... a[int((NR + 1) / 2)]'`).
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.0));
        assert_eq!(median(&[2.0, 1.0]), Some(1.0));
    }

    #[test]
    fn median_sorts_numerically_not_as_text() {
        assert_eq!(median(&[9.0, 10.0, 100.0]), Some(10.0));
    }

    #[test]
    fn nothing_has_no_median_and_no_best() {
        assert_eq!(median(&[]), None);
        assert_eq!(best(&[]), None);
    }

    #[test]
    fn best_is_the_highest() {
        assert_eq!(best(&[67221.0, 77399.0, 70431.0]), Some(77399.0));
    }

    #[test]
    fn ratios_pair_the_same_round() {
        let a = BTreeMap::from([(1, 110.0), (2, 90.0), (3, 100.0)]);
        let b = BTreeMap::from([(1, 100.0), (3, 0.0), (2, 100.0), (4, 50.0)]);
        // Round 3 has b = 0, round 4 has no a: no ratio for either.
        assert_eq!(round_ratios(&a, &b), vec![1.1, 0.9]);
        assert_eq!(median(&round_ratios(&a, &b)), Some(0.9));
    }
}
