//! Splitting log text into lines and tab-separated fields, eight bytes at a time.
//!
//! This is the parser's inner loop: a million-line window is about 330 MB of text, and finding
//! its 34 million tabs one search call at a time cost more than decompressing it. A word of
//! eight bytes is compared with the tab at once (the classic "has zero byte" test, exact per
//! byte), and each match is taken from the word's mask, so the cost is one pass over the text
//! with no call per field. Safe code only: the words are read with `from_le_bytes`.

/// Eight copies of a byte.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

const LOW7: u64 = splat(0x7f);

/// The high bit of each byte of `word` that equals `needle` (exact: no false positives).
#[inline]
fn mask_of(word: u64, needle: u8) -> u64 {
    let x = word ^ splat(needle);
    // A byte's high bit survives only when the byte is zero (its low seven bits added to 0x7f
    // carry into the high bit unless all are zero, and the byte's own high bit is or-ed in).
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The byte offset inside its word of a mask's lowest match.
#[inline]
fn first(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// Which columns of a row are wanted, and where each goes; with the scratch space of a split.
#[derive(Debug, Clone, Default)]
pub struct Splitter {
    /// (column, slot) of each wanted column.
    wanted: Vec<(usize, usize)>,
    /// Columns up to the last wanted one (the rest of a row is only counted).
    needed: usize,
    /// Where each of the first `needed` fields ends, for the row being split.
    ends: Vec<usize>,
}

impl Splitter {
    /// Column `column` of each row goes into slot `slot`.
    pub fn new(wanted: Vec<(usize, usize)>) -> Splitter {
        let needed = wanted.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
        Splitter {
            wanted,
            needed,
            ends: Vec::with_capacity(needed + 1),
        }
    }

    /// Splits `row` at its tabs into `out` (each wanted column in its slot; the other slots,
    /// and those of columns the row lacks, empty) and returns the number of fields of the whole row (a tab-free
    /// row is one field; a trailing tab adds an empty one).
    pub fn split<'a, const N: usize>(&mut self, row: &'a str, out: &mut [&'a str; N]) -> usize {
        let bytes = row.as_bytes();
        *out = [""; N];
        self.ends.clear();
        let mut words = bytes.chunks_exact(8);
        let mut at = 0;
        let mut counted = 0;
        // Where the wanted fields end: a tab's position is taken from the word's mask.
        if self.needed > 0 {
            for word in words.by_ref() {
                let mut mask = mask_of(word_of(word), b'\t');
                while mask != 0 && self.ends.len() < self.needed {
                    self.ends.push(at + first(mask));
                    mask &= mask - 1;
                }
                at += 8;
                if self.ends.len() == self.needed {
                    // The rest of the row is only counted.
                    counted = mask.count_ones() as usize;
                    break;
                }
            }
        }
        let rest = bytes.get(at..).unwrap_or_default();
        let fields = if self.ends.len() == self.needed {
            self.ends.len() + counted + count_tabs(rest) + 1
        } else {
            let mut fields = self.ends.len() + 1;
            for (i, b) in rest.iter().enumerate() {
                if *b == b'\t' {
                    if self.ends.len() < self.needed {
                        self.ends.push(at + i);
                    }
                    fields += 1;
                }
            }
            fields
        };
        for (column, slot) in &self.wanted {
            let start = match column.checked_sub(1) {
                Some(previous) => self.ends.get(previous).map(|e| e + 1),
                None => Some(0),
            };
            let end = self.ends.get(*column).copied().unwrap_or(bytes.len());
            if let Some(field) = out.get_mut(*slot) {
                *field = start.and_then(|s| row.get(s..end)).unwrap_or_default();
            }
        }
        fields
    }
}

/// The tabs in `bytes`: each word's matches (one bit per byte, moved to the byte's low bit)
/// are summed lane by lane, and the lanes added up once per 255 words, before any can carry.
fn count_tabs(bytes: &[u8]) -> usize {
    let mut words = bytes.chunks_exact(8);
    let mut total = 0;
    loop {
        let mut lanes = 0u64;
        let mut n = 0;
        for word in words.by_ref().take(255) {
            lanes += mask_of(word_of(word), b'\t') >> 7;
            n += 1;
        }
        // Eight byte lanes (each at most 255) into four 16-bit ones, then summed by one
        // multiplication into the top 16 bits (at most 2,040: no carry is lost).
        let pairs = (lanes & 0x00ff_00ff_00ff_00ff) + ((lanes >> 8) & 0x00ff_00ff_00ff_00ff);
        total += (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
        if n < 255 {
            break;
        }
    }
    total + words.remainder().iter().filter(|b| **b == b'\t').count()
}

/// The eight bytes of `word` (always eight: it comes from `chunks_exact(8)`), little-endian.
#[inline]
fn word_of(word: &[u8]) -> u64 {
    word.try_into().map_or(0, u64::from_le_bytes)
}

/// The lines of `text` without their `\n` (and a `\r` before it), found with the vectorised
/// `memchr` rather than `str::lines`'s portable search; a last line without `\n` is included.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (rest.get(..i)?, rest.get(i + 1..)?),
            None => (rest, ""),
        };
        rest = next;
        Some(line.strip_suffix('\r').unwrap_or(line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a split must agree with: `str::split`, each wanted column in its slot.
    fn plain<'a>(row: &'a str, wanted: &[(usize, usize)]) -> ([&'a str; 4], usize) {
        let all: Vec<&str> = row.split('\t').collect();
        let mut out = [""; 4];
        for (column, slot) in wanted {
            out[*slot] = all.get(*column).copied().unwrap_or_default();
        }
        (out, all.len())
    }

    fn split<'a>(row: &'a str, wanted: &[(usize, usize)]) -> ([&'a str; 4], usize) {
        let mut out = ["x"; 4];
        let fields = Splitter::new(wanted.to_vec()).split(row, &mut out);
        (out, fields)
    }

    #[test]
    fn a_row_is_split_as_split_would() {
        let rows = [
            "",
            "\t",
            "a",
            "a\tb",
            "2026-11-20\t10:00:00\tIAD89-C1\t1234\t192.0.2.1\tGET\t\t\t",
            "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t",
            "ünïcödé\tß\t€uro\tzz",
        ];
        let wanted: [&[(usize, usize)]; 5] = [
            &[(0, 0)],
            &[(0, 1), (1, 0)],
            &[(3, 0), (0, 3), (6, 1), (4, 2)],
            &[(10, 0)],
            &[],
        ];
        for row in rows {
            for w in wanted {
                assert_eq!(split(row, w), plain(row, w), "{row:?} {w:?}");
            }
        }
    }

    #[test]
    fn the_mask_matches_exactly_the_needle() {
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b, b'\t', 0, 0x89, b'\t', 0xff, b, 0x80]);
            let want = [
                b == b'\t',
                true,
                false,
                false,
                true,
                false,
                b == b'\t',
                false,
            ];
            let got: Vec<bool> = (0..8)
                .map(|i| mask_of(word, b'\t') >> (i * 8 + 7) & 1 == 1)
                .collect();
            assert_eq!(got, want, "byte {b:#x}");
        }
    }

    #[test]
    fn lines_drop_line_ends_and_keep_a_last_line() {
        let got: Vec<&str> = lines("a\r\nb\n\nc").collect();
        assert_eq!(got, ["a", "b", "", "c"]);
        assert_eq!(lines("").count(), 0);
        assert_eq!(lines("x\n").collect::<Vec<_>>(), ["x"]);
    }

    #[test]
    fn tabs_are_counted_past_the_lane_limit() {
        for len in [0, 7, 8, 9, 255 * 8 - 1, 255 * 8, 255 * 8 + 3, 5000] {
            let all_tabs = "\t".repeat(len);
            assert_eq!(count_tabs(all_tabs.as_bytes()), len);
            let every_third: String = (0..len)
                .map(|i| if i % 3 == 0 { '\t' } else { 'x' })
                .collect();
            assert_eq!(count_tabs(every_third.as_bytes()), len.div_ceil(3));
        }
    }

    proptest! {
        #[test]
        fn any_row_splits_as_split_would(
            row in "[a-c\t\u{e9}\u{20ac}]{0,80}",
            wanted in proptest::collection::vec((0usize..40, 0usize..4), 0..6),
        ) {
            // One column per slot, as the parser asks.
            let mut w: Vec<(usize, usize)> = Vec::new();
            for (c, s) in wanted {
                if w.iter().all(|(_, t)| *t != s) {
                    w.push((c, s));
                }
            }
            prop_assert_eq!(split(&row, &w), plain(&row, &w));
        }
    }
}
