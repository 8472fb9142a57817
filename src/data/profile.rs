//! Column profiles: missing and distinct counts, summary statistics with a 20-bin histogram
//! for numbers, the most frequent levels for categories, and the target's class balance.

use indexmap::IndexMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, PoisonError};

use super::column::{Column, ColumnData, ColumnKind, Role, Table, MISSING_CODE};

/// Bins in a numeric histogram.
pub const HISTOGRAM_BINS: usize = 20;
/// Levels listed for a categorical column.
pub const TOP_LEVELS: usize = 10;
/// The fewest rows behind any value that leaves the desk (a report, a shared model): shared
/// numbers are means of at least this many training values, rarer levels are not named.
pub const MIN_ROWS: usize = 5;

/// Equal-width bins between `edges[0]` and `edges[HISTOGRAM_BINS]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// Summary of the non-missing values of a numeric column (`std` with n − 1, as pandas).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub std: f64,
    pub histogram: Histogram,
    /// The 0.5th and 99.5th percentiles, each the mean of the [`MIN_ROWS`] sorted values
    /// around it: what reports and shared models show instead of `min` and `max`, which are
    /// single rows' values. Absent in profiles made before they were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p0_5: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// See `p0_5`.
    pub p99_5: Option<f64>,
}

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnKind,
    pub role: Role,
    pub missing: u64,
    pub distinct: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericSummary>,
    /// Most frequent values with their counts (categorical, boolean, text, date).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_levels: Vec<(String, u64)>,
}

/// The profile of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub rows: u64,
    pub columns: Vec<ColumnProfile>,
    /// Counts per class of the target column, most frequent first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_balance: Option<Vec<(String, u64)>>,
}

/// Profile every column (in parallel).
pub fn profile_table(table: &Table) -> Profile {
    // One set of buffers per worker thread (rayon's `map_init` would make one per split of
    // the work, over a dozen for a few dozen columns, each costing fresh pages).
    let scratches: Vec<Mutex<Scratch>> = (0..rayon::current_num_threads())
        .map(|_| Mutex::default())
        .collect();
    let columns: Vec<ColumnProfile> = table
        .columns
        .par_iter()
        .map(|column| {
            let thread = rayon::current_thread_index().unwrap_or(0) % scratches.len();
            // Each thread takes only its own, so the lock is never contended.
            let mut scratch = scratches[thread]
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            profile_column(column, &mut scratch)
        })
        .collect();
    let class_balance = table
        .target_index()
        .map(|i| level_counts(&table.columns[i]));
    Profile {
        rows: table.rows() as u64,
        columns,
        class_balance,
    }
}

/// Profile one column, with buffers reused from the thread's previous column.
fn profile_column(column: &Column, scratch: &mut Scratch) -> ColumnProfile {
    let (missing, distinct, numeric, top_levels) = match &column.data {
        ColumnData::Numeric(values) => {
            let (missing, distinct, summary) = profile_numbers(values, scratch);
            (missing, distinct, summary, Vec::new())
        }
        _ => {
            let counts = level_counts(column);
            let missing = (column.data.len() as u64) - counts.iter().map(|c| c.1).sum::<u64>();
            let distinct = counts.len() as u64;
            let top = counts.into_iter().take(TOP_LEVELS).collect();
            (missing, distinct, None, top)
        }
    };
    ColumnProfile {
        name: column.name.clone(),
        kind: column.kind,
        role: column.role,
        missing,
        distinct,
        numeric,
        top_levels,
    }
}

/// The `q` quantile of `values` (no NaN) as the mean of the `k` sorted values around its
/// position (numpy's linear position `q·(n − 1)`, rounded), so that it is no single value
/// unless `k` values hold it; the mean of all of them when there are `k` or fewer. Reorders
/// `values` (linear time, no full sort).
pub fn percentile_mean(values: &mut [f64], q: f64, k: usize) -> f64 {
    match percentile_ranks(values.len(), q, k) {
        None => f64::NAN,
        Some(ranks) => mean_of_ranks(values, ranks.start, ranks.len()),
    }
}

/// The ranks (0-based, in sorted order) [`percentile_mean`] averages for `n` values.
fn percentile_ranks(n: usize, q: f64, k: usize) -> Option<std::ops::Range<usize>> {
    if n == 0 {
        return None;
    }
    let k = k.clamp(1, n);
    let centre = (q.clamp(0.0, 1.0) * (n - 1) as f64).round() as usize;
    let start = centre.saturating_sub(k / 2).min(n - k);
    Some(start..start + k)
}

/// The 0.5th and 99.5th [`percentile_mean`]s of a column's present values without sorting
/// or copying them all: the histogram's counts say which bins hold the ranks, and one pass
/// gathers only those bins' values (a comparison rules out nearly every value before its bin
/// is computed).
fn tail_means(values: &[f64], counts: &[u64], min: f64, width: f64) -> (f64, f64) {
    let n = counts.iter().sum::<u64>() as usize;
    let (Some(low), Some(high)) = (
        percentile_ranks(n, 0.005, MIN_ROWS),
        percentile_ranks(n, 0.995, MIN_ROWS),
    ) else {
        return (f64::NAN, f64::NAN);
    };
    if width == 0.0 {
        return (min, min);
    }
    let bin_of_rank = |rank: usize| {
        let mut before = 0;
        for (bin, &count) in counts.iter().enumerate() {
            if before + count as usize > rank {
                return (bin, before);
            }
            before += count as usize;
        }
        (counts.len() - 1, before)
    };
    let bins = |ranks: &std::ops::Range<usize>| {
        let (first, before) = bin_of_rank(ranks.start);
        (first..=bin_of_rank(ranks.end - 1).0, before)
    };
    let ((low_bins, low_before), (high_bins, high_before)) = (bins(&low), bins(&high));
    // A bin's values lie within its edges, give or take rounding: a bin wider on each side.
    let below = min + (*low_bins.end() + 2) as f64 * width;
    let above = min + (*high_bins.start() as f64 - 1.0) * width;
    let (mut lows, mut highs) = (Vec::new(), Vec::new());
    for &v in values {
        if v <= below && low_bins.contains(&histogram_bin(v, min, width)) {
            lows.push(v);
        }
        if v >= above && high_bins.contains(&histogram_bin(v, min, width)) {
            highs.push(v);
        }
    }
    (
        mean_of_ranks(&mut lows, low.start - low_before, low.len()),
        mean_of_ranks(&mut highs, high.start - high_before, high.len()),
    )
}

/// The mean of the values at sorted ranks `start..start + k` (a value held by all of them is
/// returned as it is). Reorders `values`.
fn mean_of_ranks(values: &mut [f64], start: usize, k: usize) -> f64 {
    values.select_nth_unstable_by(start, f64::total_cmp);
    let window = &mut values[start..];
    if k > 1 {
        window[1..].select_nth_unstable_by(k - 2, f64::total_cmp);
    }
    let window = &window[..k];
    let (low, high) = window
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    if low == high {
        return low;
    }
    (window.iter().sum::<f64>() / k as f64).clamp(low, high)
}

/// Non-missing values per level, most frequent first (ties in order of appearance).
/// Numeric columns count each distinct value.
pub fn level_counts(column: &Column) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> = match &column.data {
        ColumnData::Strings { codes, levels } => {
            let mut n = vec![0_u64; levels.len()];
            for &c in codes.iter().filter(|&&c| c != MISSING_CODE) {
                n[c as usize] += 1;
            }
            levels
                .iter()
                .cloned()
                .zip(n)
                .filter(|(_, n)| *n > 0)
                .collect()
        }
        ColumnData::Numeric(values) => {
            // Insertion order keeps ties in order of first appearance.
            let mut map: IndexMap<u64, u64, hashbrown::DefaultHashBuilder> = IndexMap::default();
            for v in values.iter().filter(|v| !v.is_nan()) {
                *map.entry((v + 0.0).to_bits()).or_insert(0) += 1;
            }
            map.into_iter()
                .map(|(bits, n)| {
                    (
                        super::column::format_number(f64::from_bits(bits)).into_owned(),
                        n,
                    )
                })
                .collect()
        }
    };
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
}

/// Missing count, exact distinct count and summary of a numeric column.
///
/// Two passes over the values: the first gathers count, min, max and sum (in row order,
/// so the mean is the same as a plain loop's) and hands each value to [`DistinctBuckets`];
/// the second, which needs the mean and the range, gathers the sum of squares and the
/// histogram.
fn profile_numbers(values: &[f64], scratch: &mut Scratch) -> (u64, u64, Option<NumericSummary>) {
    let mut buckets = DistinctBuckets::new(values.len(), scratch);
    let (mut n, mut min, mut max, mut sum) = (0_u64, f64::INFINITY, f64::NEG_INFINITY, 0.0);
    for &v in values.iter().filter(|v| !v.is_nan()) {
        n += 1;
        min = min.min(v);
        max = max.max(v);
        sum += v;
        buckets.add(v, &mut scratch.scattered, &mut scratch.table);
    }
    let missing = values.len() as u64 - n;
    let distinct = buckets.distinct(values, scratch);
    if n == 0 {
        return (missing, distinct, None);
    }
    let mean = sum / n as f64;
    let width = (max - min) / HISTOGRAM_BINS as f64;
    // Four sets of counters taken in turn: an increment then rarely waits for the one
    // before to the same bin.
    let mut partial = [[0_u64; HISTOGRAM_BINS]; 4];
    let mut squares = 0.0;
    for (i, &v) in values.iter().filter(|v| !v.is_nan()).enumerate() {
        squares += (v - mean) * (v - mean);
        partial[i % 4][histogram_bin(v, min, width)] += 1;
    }
    let counts: Vec<u64> = (0..HISTOGRAM_BINS)
        .map(|bin| partial.iter().map(|p| p[bin]).sum())
        .collect();
    let std = if n > 1 {
        (squares / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let (p0_5, p99_5) = tail_means(values, &counts, min, width);
    let summary = NumericSummary {
        min,
        max,
        mean,
        std,
        histogram: Histogram {
            edges: histogram_edges(min, max, width),
            counts,
        },
        p0_5: Some(p0_5),
        p99_5: Some(p99_5),
    };
    (missing, distinct, Some(summary))
}

/// Buffers one thread reuses from column to column (fresh ones would cost page faults).
#[derive(Default)]
struct Scratch {
    scattered: Vec<u64>,
    table: Vec<u64>,
}

/// About this many values per hash bucket of [`DistinctBuckets`]: a bucket's table (four
/// slots of 8 bytes per value) then stays in the core's L1 cache.
const VALUES_PER_BUCKET: usize = 1024;
/// At most 2^10 buckets: beyond that, scattering into them stops being sequential enough
/// to stream.
const MAX_BUCKET_BITS: u32 = 10;
/// Table slots per value in a bucket: at a load of a quarter or less, probes are short and
/// rarely mispredicted.
const SLOTS_PER_VALUE: usize = 4;

/// Exact count of distinct numbers without one table as large as the column.
///
/// A single hash set over a million values misses the cache on almost every insert. Instead
/// each value's 64-bit hash picks a bucket by its top bits; the hashes are scattered into
/// their buckets (sequential writes), and each bucket is counted with a small open-addressing
/// table that stays in cache. The hash is a bijection on the value's bits (so distinct
/// hashes are exactly distinct values, and no keys need to be kept), and values equal as
/// numbers (`-0.0` and `0.0`) share their bits first.
struct DistinctBuckets {
    bits: u32,
    /// Room for each bucket's hashes: bucket `b` is `scattered[b * room..]`, filled up to
    /// `next[b]`.
    room: usize,
    next: Vec<usize>,
    /// Some bucket had more distinct hashes than its room holds.
    overflowed: bool,
}

impl DistinctBuckets {
    fn new(len: usize, scratch: &mut Scratch) -> Self {
        let bits = (len / VALUES_PER_BUCKET)
            .max(1)
            .next_power_of_two()
            .ilog2()
            .min(MAX_BUCKET_BITS);
        // Hashes spread evenly: a bucket gets its share and, almost surely, less than four
        // standard deviations more. (Many equal values overflow it; see `distinct`.)
        let share = len >> bits;
        let room = share + 4 * share.isqrt() + 16;
        let buckets = 1 << bits;
        // Every slot below a bucket's fill is written before it is read: no need to clear.
        if scratch.scattered.len() < buckets * room {
            scratch.scattered.resize(buckets * room, 0);
        }
        DistinctBuckets {
            bits,
            room,
            next: (0..buckets).map(|b| b * room).collect(),
            overflowed: false,
        }
    }

    fn bucket(&self, hash: u64) -> usize {
        // `checked_shr` because shifting by 64 (one bucket) would overflow.
        hash.checked_shr(64 - self.bits).unwrap_or(0) as usize
    }

    /// Put the hash of one non-missing value in its bucket. A full bucket first drops its
    /// repeated hashes (see [`Self::make_room`]); one that stays nearly full marks the whole
    /// count as overflowed.
    #[inline]
    fn add(&mut self, v: f64, scattered: &mut [u64], table: &mut Vec<u64>) {
        let hash = number_hash(v);
        let b = self.bucket(hash);
        let mut at = self.next[b];
        if at == (b + 1) * self.room {
            if self.overflowed || !self.make_room(b, scattered, table) {
                self.overflowed = true;
                return;
            }
            at = self.next[b];
        }
        scattered[at] = hash;
        self.next[b] = at + 1;
    }

    /// Keep one of each hash in bucket `b`, packed at its start. Returns whether at least a
    /// quarter of its room is then free: a column with a few values repeated many times
    /// (codes, rounded measurements) fills a bucket with repeats, not with distinct values.
    #[cold]
    fn make_room(&mut self, b: usize, scattered: &mut [u64], table: &mut Vec<u64>) -> bool {
        let (start, end) = (b * self.room, self.next[b]);
        let slots = table_slots(self.room);
        table.clear();
        table.resize(slots, 0);
        let mask = slots - 1;
        let (mut kept, mut zero) = (start, false);
        for i in start..end {
            let hash = scattered[i];
            // Zero marks a free slot of the table, so the hash 0 (of `0.0`) is kept aside.
            let new = if hash == 0 {
                !std::mem::replace(&mut zero, true)
            } else {
                let mut slot = hash as usize & mask;
                loop {
                    if table[slot] == hash {
                        break false;
                    }
                    if table[slot] == 0 {
                        table[slot] = hash;
                        break true;
                    }
                    slot = (slot + 1) & mask;
                }
            };
            if new {
                // `kept <= i`: the hashes still to read are never overwritten.
                scattered[kept] = hash;
                kept += 1;
            }
        }
        self.next[b] = kept;
        4 * (kept - start) <= 3 * self.room
    }

    /// The number of distinct non-missing `values`, all of which were passed to `add`.
    fn distinct(&self, values: &[f64], scratch: &mut Scratch) -> u64 {
        if !self.overflowed {
            let starts: Vec<usize> = (0..self.next.len()).map(|b| b * self.room).collect();
            return self.count_buckets(&starts, &self.next, scratch);
        }
        // A bucket held too many distinct values: size the buckets exactly and scatter again.
        let mut sizes = vec![0; self.next.len()];
        for &v in values.iter().filter(|v| !v.is_nan()) {
            sizes[self.bucket(number_hash(v))] += 1;
        }
        let mut starts = Vec::with_capacity(sizes.len());
        let mut total = 0;
        for &size in &sizes {
            starts.push(total);
            total += size;
        }
        if scratch.scattered.len() < total {
            scratch.scattered.resize(total, 0);
        }
        let mut next = starts.clone();
        for &v in values.iter().filter(|v| !v.is_nan()) {
            let hash = number_hash(v);
            let b = self.bucket(hash);
            scratch.scattered[next[b]] = hash;
            next[b] += 1;
        }
        self.count_buckets(&starts, &next, scratch)
    }

    /// Distinct hashes over all buckets, bucket `b` being `scattered[starts[b]..ends[b]]`.
    fn count_buckets(&self, starts: &[usize], ends: &[usize], scratch: &mut Scratch) -> u64 {
        let largest = starts
            .iter()
            .zip(ends)
            .map(|(s, e)| e - s)
            .max()
            .unwrap_or(0);
        let table = &mut scratch.table;
        table.clear();
        table.resize(table_slots(largest), 0);
        let mut distinct = 0;
        for (b, (&start, &end)) in starts.iter().zip(ends).enumerate() {
            let hashes = &scratch.scattered[start..end];
            distinct += self.count_bucket(b, hashes, &mut table[..table_slots(end - start)]);
        }
        distinct
    }

    /// Distinct hashes among those of bucket `b`, with a linear-probing table.
    ///
    /// The table is shared by the buckets in turn and never cleared between them: a slot
    /// holding a hash of another bucket is free. (Zero also marks a free slot, so the hash
    /// 0, which only `0.0` has, is tracked on the side.)
    fn count_bucket(&self, b: usize, hashes: &[u64], table: &mut [u64]) -> u64 {
        let mask = table.len() - 1;
        let (mut distinct, mut zero) = (0, false);
        for &hash in hashes {
            if hash == 0 {
                zero = true;
                continue;
            }
            let mut i = hash as usize & mask;
            loop {
                let slot = table[i];
                if slot == hash {
                    break;
                }
                if slot == 0 || self.bucket(slot) != b {
                    table[i] = hash;
                    distinct += 1;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        distinct + u64::from(zero)
    }
}

/// Slots of a table for `values` hashes: a power of two, for masking.
fn table_slots(values: usize) -> usize {
    (values * SLOTS_PER_VALUE).next_power_of_two().max(16)
}

/// A bijective mix of a number's bits (the finaliser of MurmurHash3): every output bit
/// depends on every input bit, so both the top bits (bucket) and the low bits (slot) are
/// well spread even for integers, whose low mantissa bits are all zero.
fn number_hash(v: f64) -> u64 {
    // -0.0 and 0.0 are one value.
    let mut k = (v + 0.0).to_bits();
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// Bin of a value in `HISTOGRAM_BINS` equal-width bins from `min`; the maximum falls in the
/// last bin.
fn histogram_bin(v: f64, min: f64, width: f64) -> usize {
    let bin = if width > 0.0 {
        ((v - min) / width) as usize
    } else {
        0
    };
    bin.min(HISTOGRAM_BINS - 1)
}

fn histogram_edges(min: f64, max: f64, width: f64) -> Vec<f64> {
    (0..=HISTOGRAM_BINS)
        .map(|i| {
            if i == HISTOGRAM_BINS {
                max
            } else {
                min + width * i as f64
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tail_percentiles_are_means_of_k_values() {
        let mut values: Vec<f64> = (1..=1000).map(f64::from).collect();
        values.reverse();
        // Position 0.005 · 999 ≈ 5: the mean of the 4th to 8th smallest.
        assert_eq!(percentile_mean(&mut values, 0.005, 5), 6.0);
        assert_eq!(percentile_mean(&mut values, 0.995, 5), 995.0);
        // With 150 rows the 0.5th percentile is the mean of the 5 smallest, not the minimum.
        let mut salaries: Vec<f64> = (0..149).map(|i| 40_000.0 + f64::from(i)).collect();
        salaries.push(9_999_999.0);
        let high = percentile_mean(&mut salaries, 0.995, 5);
        assert!(high < 9_999_999.0 && high > 40_000.0, "{high}");
        assert_eq!(percentile_mean(&mut [3.0, 1.0], 0.995, 5), 2.0);
        assert!(percentile_mean(&mut [], 0.5, 5).is_nan());
        assert_eq!(percentile_mean(&mut [7.0; 9], 0.005, 5), 7.0);
    }

    #[test]
    fn the_profile_keeps_the_tail_percentiles_found_through_its_histogram() {
        // Skewed, with missing values and ties: the bins' shortcut finds what sorting finds.
        let values: Vec<f64> = (0..5000)
            .map(|i| match i % 97 {
                0 => f64::NAN,
                1 => 3.0,
                _ => (f64::from(i) * 0.37).sin().powi(3) * 100.0 + f64::from(i % 7),
            })
            .collect();
        let summary = profile_numbers(&values, &mut Scratch::default()).2.unwrap();
        let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        let low = percentile_mean(&mut present, 0.005, MIN_ROWS);
        let high = percentile_mean(&mut present, 0.995, MIN_ROWS);
        assert_eq!((summary.p0_5, summary.p99_5), (Some(low), Some(high)));
        assert!(low > summary.min && high < summary.max);
        // One far value puts nearly every row in the first bin.
        let mut skewed: Vec<f64> = (0..1000).map(|i| f64::from(i % 13) * 0.1).collect();
        skewed.extend([f64::NAN, 1e6, -3.0]);
        let summary = profile_numbers(&skewed, &mut Scratch::default()).2.unwrap();
        let mut present: Vec<f64> = skewed.iter().copied().filter(|v| !v.is_nan()).collect();
        let low = percentile_mean(&mut present, 0.005, MIN_ROWS);
        let high = percentile_mean(&mut present, 0.995, MIN_ROWS);
        assert_eq!((summary.p0_5, summary.p99_5), (Some(low), Some(high)));
        let constant = profile_numbers(&[2.5; 3], &mut Scratch::default())
            .2
            .unwrap();
        assert_eq!((constant.p0_5, constant.p99_5), (Some(2.5), Some(2.5)));
    }

    use super::*;

    fn column(data: ColumnData, kind: ColumnKind) -> Column {
        Column {
            name: "c".into(),
            kind,
            role: Role::Feature,
            data,
        }
    }

    #[test]
    fn numeric_profile_matches_pandas_describe() {
        let c = column(
            ColumnData::Numeric(vec![1.0, 2.0, f64::NAN, 4.0, 2.0]),
            ColumnKind::Float,
        );
        let p = profile_column(&c, &mut Scratch::default());
        assert_eq!((p.missing, p.distinct), (1, 3));
        let s = p.numeric.unwrap();
        assert_eq!((s.min, s.max, s.mean), (1.0, 4.0, 2.25));
        assert!((s.std - 1.2583057392117916).abs() < 1e-12);
        assert_eq!(s.histogram.counts.iter().sum::<u64>(), 4);
        assert_eq!(
            s.histogram.counts[HISTOGRAM_BINS - 1],
            1,
            "max falls in the last bin"
        );
    }

    #[test]
    fn distinct_counts_are_exact() {
        let mut generator = crate::test_random::Random(1);
        let mut random = move || generator.next();
        let columns: Vec<Vec<f64>> = vec![
            vec![],
            vec![f64::NAN; 10],
            vec![0.0, -0.0, 0.0, 1.0, f64::NAN],
            (0..5000).map(|i| (i % 7) as f64).collect(),
            (0..100_000).map(|i| i as f64).collect(),
            (0..300_000)
                .map(|_| (random() % 250_000) as f64 / 1000.0 - 100.0)
                .collect(),
            (0..200_000)
                .map(|_| f64::from_bits(random() >> 2))
                .collect(),
            (0..50_000)
                .map(|i| if i % 3 == 0 { -0.0 } else { f64::NAN })
                .collect(),
            // Few values, each repeated often: full buckets make room by dropping repeats.
            (0..300_000)
                .map(|i| {
                    if i % 5 == 0 {
                        0.0
                    } else {
                        (random() % 2000) as f64
                    }
                })
                .collect(),
            // All in bucket 0 (their hashes are below 2^32): repeats, then distinct values
            // beyond its room, which sends the count down the exact-sizes path.
            (0..120_000)
                .map(|i| f64::from_bits(value_bits_with_hash(i % 500 + 1)))
                .collect(),
            (0..120_000)
                .map(|i| f64::from_bits(value_bits_with_hash(i + 1)))
                .collect(),
        ];
        let mut scratch = Scratch::default();
        for values in &columns {
            let expected: hashbrown::HashSet<u64> = values
                .iter()
                .filter(|v| !v.is_nan())
                .map(|v| (v + 0.0).to_bits())
                .collect();
            let (missing, distinct, _) = profile_numbers(values, &mut scratch);
            assert_eq!(distinct, expected.len() as u64);
            assert_eq!(missing, values.iter().filter(|v| v.is_nan()).count() as u64);
        }
    }

    /// The bits of the number whose [`number_hash`] is `hash` (the hash is a bijection).
    fn value_bits_with_hash(hash: u64) -> u64 {
        let unshift = |k: u64| k ^ (k >> 33);
        let mut k = unshift(hash);
        k = k.wrapping_mul(0x9cb4_b2f8_1293_37db); // inverse of 0xc4ce_b9fe_1a85_ec53
        k = unshift(k);
        k = k.wrapping_mul(0x4f74_430c_22a5_4005); // inverse of 0xff51_afd7_ed55_8ccd
        unshift(k)
    }

    #[test]
    fn the_inverse_hash_inverts() {
        for hash in [1, 2, 499, 1 << 40, 1 << 62] {
            assert_eq!(
                number_hash(f64::from_bits(value_bits_with_hash(hash))),
                hash
            );
        }
    }

    #[test]
    fn categorical_profile_lists_levels_by_frequency() {
        let data = ColumnData::Strings {
            codes: vec![0, 1, 1, MISSING_CODE, 2, 1],
            levels: vec!["a".into(), "b".into(), "c".into()],
        };
        let p = profile_column(
            &column(data, ColumnKind::Categorical),
            &mut Scratch::default(),
        );
        assert_eq!((p.missing, p.distinct), (1, 3));
        assert_eq!(p.top_levels[0], ("b".to_string(), 3));
    }

    #[test]
    fn numeric_levels_count_by_frequency_with_ties_in_order_of_appearance() {
        let c = column(
            ColumnData::Numeric(vec![3.0, 1.0, f64::NAN, 2.0, 1.0, -0.0, 0.0, 3.0]),
            ColumnKind::Integer,
        );
        let counts: Vec<(String, u64)> = level_counts(&c);
        let expected = [("3", 2), ("1", 2), ("0", 2), ("2", 1)];
        assert_eq!(
            counts,
            expected
                .iter()
                .map(|&(l, n)| (l.to_string(), n))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_stored_profile_reads_back() {
        let table = crate::ml::target::sample_with_target("penguins.csv", "species");
        let profile = profile_table(&table);
        let json = serde_json::to_string(&profile).unwrap();
        let read: Profile = serde_json::from_str(&json).unwrap();
        assert_eq!(read, profile);
    }
}
