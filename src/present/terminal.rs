//! What may reach a terminal: text Shipdeck did not write itself never carries a control.
//!
//! Much of what the CLI prints comes from elsewhere: CDN log fields anyone on the internet
//! chooses (Referer, URI), allowlist values from a `.env` or GitHub, object keys found in a
//! store, yank reasons, `--commit` values, user names, and error messages that echo input. A
//! terminal interprets control characters in any of them: `ESC ] 52` writes the clipboard,
//! `ESC [ 2 J` clears the screen, a carriage return overwrites the line before it, and a bidi
//! override (U+202E) makes `evil.com` read as something else. Every line the CLI writes passes
//! through [`terminal_safe`] once, at the one place output is written (`cli::out`), so no
//! command can forget; the console drops the same characters through [`super::printable`].
//!
//! A neutralised character is shown as `\uXXXX`, which is readable in text and, inside a JSON
//! string, the same character escaped: `--json` documents stay valid and mean the same.

use std::borrow::Cow;

/// Whether `c` would be interpreted by a terminal rather than shown: C0 controls other than
/// line feed and tab, DEL, C1 controls (U+0080–U+009F, which some terminals act on even in
/// UTF-8) and the bidirectional overrides, embeddings, isolates and marks.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi(c)
}

/// The bidirectional formatting characters (Unicode's Bidi_Control property).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as `\uXXXX` (all of them are in the Basic
/// Multilingual Plane); borrowed when there is none, which is nearly always.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "1.0.1 → latest\tok\nnext line — ünïcode";
        assert!(matches!(terminal_safe(s), Cow::Borrowed(t) if t == s));
    }

    #[test]
    fn every_kind_of_control_is_shown_not_sent() {
        let corpus = [
            ("\x1b]52;c;aGk=\x07", "\\u001b]52;c;aGk=\\u0007"),
            ("\x1b[2J\x1b[H", "\\u001b[2J\\u001b[H"),
            ("ok\rEVIL", "ok\\u000dEVIL"),
            ("\u{9b}31m", "\\u009b31m"),
            ("\u{7f}", "\\u007f"),
            ("moc.live\u{202e}", "moc.live\\u202e"),
            ("\u{2066}x\u{2069}", "\\u2066x\\u2069"),
            ("\u{200f}", "\\u200f"),
        ];
        for (input, shown) in corpus {
            let out = terminal_safe(input);
            assert_eq!(out, shown);
            assert!(!out.chars().any(is_unsafe), "{out:?}");
        }
    }

    #[test]
    fn inside_json_strings_the_escape_means_the_same_character() {
        let value = serde_json::json!({ "reason": "a\u{9b}b\u{202e}c" });
        let text = serde_json::to_string(&value).unwrap_or_default();
        let safe = terminal_safe(&text);
        assert_ne!(safe, text);
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back, value);
    }
}
