//! Text in columns, for every front end: cut to a width with "…" so a reader knows there is
//! more, and padded by display width (a CJK character takes two columns), so that a long
//! value never shifts the columns after it. One copy, used by the CLI's tables, the console's
//! tables and dialogs.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` cut to `width` display columns, ending with "…" when it was cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut room = width.saturating_sub(1);
    let mut out = String::new();
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if w > room {
            break;
        }
        room -= w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `text` cut to `width` display columns and padded with spaces to exactly `width`.
pub fn cell(text: &str, width: usize) -> String {
    let s = fit(text, width);
    let pad = width.saturating_sub(s.width());
    format!("{s}{}", " ".repeat(pad))
}

/// The width of the widest value (or the header), capped at `cap`.
pub fn width_of<'a>(header: &str, values: impl IntoIterator<Item = &'a str>, cap: usize) -> usize {
    values
        .into_iter()
        .map(UnicodeWidthStr::width)
        .chain([header.width()])
        .max()
        .unwrap_or(0)
        .min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_with_an_ellipsis_and_pads_by_display_width() {
        assert_eq!(fit("promote 1.0.0", 20), "promote 1.0.0");
        assert_eq!(fit("promote 1.0.0", 8), "promote…");
        assert_eq!(fit("漢字漢字", 5), "漢字…");
        assert_eq!(cell("漢字", 6), "漢字  ");
        assert_eq!(cell("abcdefgh", 4).width(), 4);
        assert_eq!(fit("x", 0), "");
        assert_eq!(width_of("WHO", ["al", "bobby-the-long"], 8), 8);
        assert_eq!(width_of("WHO", ["al"], 8), 3);
    }
}
