//! Reading and editing the origin variables of the Bridge's `.env`, touching nothing else.
//!
//! The file is someone else's: comments, blank lines, quoting, `export`, CRLF line endings and
//! every other variable must survive byte for byte. So the editor finds the byte span of one
//! variable's value (as the `dotenv` package would read it: last definition wins, quotes
//! stripped, `#` starts a comment in unquoted values) and replaces exactly that span.

/// Why a `.env` cannot be read or edited safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error(
        "line {line}: {key} starts a quoted value that does not end on this line; Shipdeck edits only one-line values"
    )]
    MultiLine { line: usize, key: String },
    #[error("'{item}' cannot be written into {key}: it holds a comma, quote, '#' or line break")]
    CannotWrite { item: String, key: String },
    #[error(
        "'{item}' cannot be added to {key}: it is empty or starts or ends with a space, which the Bridge would not read back as written"
    )]
    NotAnItem { item: String, key: String },
}

/// Something in the file that the Bridge reads differently from how a person would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Defect {
    /// `key` is defined on several lines; the Bridge (dotenv) reads the last.
    Duplicate { key: String, lines: Vec<usize> },
    /// `key`'s value has empty items (`a,,b,`): stray commas.
    EmptyItems { key: String, count: usize },
}

/// Where a variable's value sits in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueSpan {
    /// Byte range of the value (inside the quotes, if quoted).
    pub start: usize,
    pub end: usize,
    pub quote: Option<char>,
    /// 1-based line number.
    pub line: usize,
}

/// Finds the last definition of `key`. Errors on a value Shipdeck cannot edit safely.
pub fn find(text: &str, key: &str) -> Result<Option<ValueSpan>, EnvError> {
    let mut found = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(span) = parse_line(content, key) {
            let span = span.map_err(|()| EnvError::MultiLine {
                line: i + 1,
                key: key.to_string(),
            })?;
            found = Some(ValueSpan {
                start: offset + span.0,
                end: offset + span.1,
                quote: span.2,
                line: i + 1,
            });
        }
        offset += line.len();
    }
    Ok(found)
}

/// If `line` defines `key`: the value's byte range within the line and its quote.
#[allow(
    clippy::type_complexity,
    reason = "a one-off tuple: value start, end and quote"
)]
fn parse_line(line: &str, key: &str) -> Option<Result<(usize, usize, Option<char>), ()>> {
    let lead = line.len() - line.trim_start().len();
    let mut rest = &line[lead..];
    let mut pos = lead;
    if let Some(r) = rest.strip_prefix("export ") {
        let skipped = rest.len() - r.trim_start().len();
        pos += skipped;
        rest = &rest[skipped..];
    }
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    if &rest[..name_len] != key {
        return None;
    }
    let after = &rest[name_len..];
    let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
    let after = &after[spaces..];
    if !after.starts_with('=') {
        return None;
    }
    pos += name_len + spaces + 1;
    let value_part = &line[pos..];
    let vlead = value_part.len() - value_part.trim_start_matches([' ', '\t']).len();
    pos += vlead;
    let value_part = &line[pos..];
    match value_part.chars().next() {
        Some(q @ ('"' | '\'' | '`')) => match value_part[1..].find(q) {
            Some(close) => Some(Ok((pos + 1, pos + 1 + close, Some(q)))),
            None => Some(Err(())),
        },
        _ => {
            let end = value_part.find('#').unwrap_or(value_part.len());
            let v = value_part[..end].trim_end();
            Some(Ok((pos, pos + v.len(), None)))
        }
    }
}

/// The raw items of `key`'s value, split on commas exactly as the Bridge splits them (empty
/// items, which the Bridge never matches, are dropped).
pub fn items(text: &str, key: &str) -> Result<Vec<String>, EnvError> {
    Ok(match find(text, key)? {
        Some(s) => split(&text[s.start..s.end]),
        None => Vec::new(),
    })
}

/// What in `key`'s definitions the Bridge reads differently from how a person would.
pub fn defects(text: &str, key: &str) -> Vec<Defect> {
    let mut out = Vec::new();
    let lines: Vec<usize> = text
        .split_inclusive('\n')
        .enumerate()
        .filter(|(_, l)| parse_line(l.trim_end_matches(['\n', '\r']), key).is_some())
        .map(|(i, _)| i + 1)
        .collect();
    if lines.len() > 1 {
        out.push(Defect::Duplicate {
            key: key.to_string(),
            lines,
        });
    }
    if let Ok(Some(s)) = find(text, key) {
        let value = &text[s.start..s.end];
        let count = value.split(',').filter(|i| i.is_empty()).count();
        if !value.is_empty() && count > 0 {
            out.push(Defect::EmptyItems {
                key: key.to_string(),
                count,
            });
        }
    }
    out
}

fn split(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `text` with `key`'s value set to `items` joined by commas. Every byte outside the value is
/// kept; a missing variable is appended as a new line.
pub fn set(text: &str, key: &str, items: &[String]) -> Result<String, EnvError> {
    let value = items.join(",");
    if let Some(bad) = items
        .iter()
        .find(|i| i.contains([',', '\n', '\r', '#', '"', '\'', '`']))
    {
        return Err(EnvError::CannotWrite {
            item: bad.clone(),
            key: key.to_string(),
        });
    }
    match find(text, key)? {
        Some(s) => {
            // An empty unquoted value right before an inline comment (`KEY=   # note`): keep a
            // space between the new value and the `#`, or the comment runs into the value.
            let gap = if s.quote.is_none() && !value.is_empty() && text[s.end..].starts_with('#') {
                " "
            } else {
                ""
            };
            Ok(format!(
                "{}{value}{gap}{}",
                &text[..s.start],
                &text[s.end..]
            ))
        }
        None => {
            let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                eol
            };
            Ok(format!("{text}{sep}{key}={value}{eol}"))
        }
    }
}

/// Adds `item` to `key` keeping the other items' bytes; removing works the same way.
pub fn add(text: &str, key: &str, item: &str) -> Result<String, EnvError> {
    if item.is_empty() || item.trim() != item {
        return Err(EnvError::NotAnItem {
            item: item.to_string(),
            key: key.to_string(),
        });
    }
    let mut current = match find(text, key)? {
        Some(s) => text[s.start..s.end]
            .split(',')
            .map(str::to_string)
            .collect::<Vec<_>>(),
        None => Vec::new(),
    };
    current.retain(|s| !s.is_empty());
    current.push(item.to_string());
    set(text, key, &current)
}

/// Removes every item of `key` equal to `item` (compared as written).
pub fn remove(text: &str, key: &str, item: &str) -> Result<String, EnvError> {
    let Some(s) = find(text, key)? else {
        return Ok(text.to_string());
    };
    let mut current: Vec<String> = text[s.start..s.end]
        .split(',')
        .map(str::to_string)
        .collect();
    current.retain(|s| !s.is_empty() && s != item);
    set(text, key, &current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ENV: &str = "# CORS Configuration\r\nALLOWED_ORIGINS=http://localhost:3000,https://app.example.com\r\nexport ADDITIONAL_ORIGINS = \"https://customer1.com,https://customer2.com\" # customers\r\n\r\nJWT_SECRET=your-secret-here\r\nLOG_LEVEL=info";

    #[test]
    fn reads_values_as_dotenv_does() {
        assert_eq!(
            items(ENV, "ALLOWED_ORIGINS").unwrap(),
            vec!["http://localhost:3000", "https://app.example.com"]
        );
        assert_eq!(
            items(ENV, "ADDITIONAL_ORIGINS").unwrap(),
            vec!["https://customer1.com", "https://customer2.com"]
        );
        assert!(items(ENV, "MISSING").unwrap().is_empty());
        assert_eq!(
            items("A=x # c\nA=' y,z'\n", "A").unwrap(),
            vec![" y", "z"],
            "last definition wins, quotes kept verbatim"
        );
        assert_eq!(items("A=a,,b\n", "A").unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn edits_touch_only_the_value() {
        let out = add(ENV, "ADDITIONAL_ORIGINS", "https://customer3.com").unwrap();
        assert_eq!(
            out,
            ENV.replace("customer2.com\"", "customer2.com,https://customer3.com\"")
        );
        let out = remove(ENV, "ALLOWED_ORIGINS", "http://localhost:3000").unwrap();
        assert_eq!(out, ENV.replace("http://localhost:3000,", ""));
        let out = remove(&out, "ALLOWED_ORIGINS", "https://app.example.com").unwrap();
        assert!(
            out.contains("\r\nALLOWED_ORIGINS=\r\n"),
            "the line stays, empty: {out:?}"
        );
        let out = add("A=1", "ALLOWED_ORIGINS", "https://x.com").unwrap();
        assert_eq!(out, "A=1\nALLOWED_ORIGINS=https://x.com\n");
        let out = add("A=1\r\n", "ALLOWED_ORIGINS", "https://x.com").unwrap();
        assert_eq!(out, "A=1\r\nALLOWED_ORIGINS=https://x.com\r\n");
        assert!(add(ENV, "ALLOWED_ORIGINS", "https://a.com#x").is_err());
    }

    #[test]
    fn refuses_multi_line_values() {
        let e = find(
            "ALLOWED_ORIGINS=\"https://a.com,\nhttps://b.com\"\n",
            "ALLOWED_ORIGINS",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 1") && e.contains("one-line values"), "{e}");
    }

    #[test]
    fn an_empty_value_before_a_comment_keeps_its_space() {
        let text = "ALLOWED_ORIGINS=https://a.com\nADDITIONAL_ORIGINS=   # partners\n";
        let out = add(text, "ADDITIONAL_ORIGINS", "https://b.com").unwrap();
        assert_eq!(
            out,
            "ALLOWED_ORIGINS=https://a.com\nADDITIONAL_ORIGINS=   https://b.com # partners\n"
        );
        assert_eq!(
            items(&out, "ADDITIONAL_ORIGINS").unwrap(),
            vec!["https://b.com"]
        );
        // Removing the last item leaves the line as it was.
        let back = remove(&out, "ADDITIONAL_ORIGINS", "https://b.com").unwrap();
        assert_eq!(
            items(&back, "ADDITIONAL_ORIGINS").unwrap(),
            Vec::<String>::new()
        );
        assert!(back.contains("# partners"));
    }

    #[test]
    fn duplicate_keys_and_empty_items_are_defects() {
        let text =
            "ALLOWED_ORIGINS=https://a.com\nX=1\nALLOWED_ORIGINS=https://a.com,,https://b.com,\n";
        assert_eq!(
            defects(text, "ALLOWED_ORIGINS"),
            vec![
                Defect::Duplicate {
                    key: "ALLOWED_ORIGINS".into(),
                    lines: vec![1, 3]
                },
                Defect::EmptyItems {
                    key: "ALLOWED_ORIGINS".into(),
                    count: 2
                }
            ]
        );
        assert!(defects("ALLOWED_ORIGINS=https://a.com\n", "ALLOWED_ORIGINS").is_empty());
        assert!(defects("ALLOWED_ORIGINS=\n", "ALLOWED_ORIGINS").is_empty());
    }

    fn env_line() -> impl Strategy<Value = String> {
        prop_oneof![
            "# [ -~]{0,30}",
            "[A-Z_]{1,10}=[ -~]{0,20}",
            Just(String::new()),
            "  export OTHER_[A-Z]{1,5} = '[a-z:/.,]{0,20}'",
            "ALLOWED_ORIGINS=[a-z:/.,]{0,30}( # [a-z ]{0,10})?",
            "ADDITIONAL_ORIGINS=\"[a-z:/.,]{0,30}\"",
            "[\\PC]{0,20}",
        ]
    }

    proptest! {
        /// Arbitrary files and edits: no panic, and every line the edit does not own is
        /// byte-identical afterwards.
        #[test]
        fn edits_never_change_lines_they_do_not_own(
            lines in proptest::collection::vec(env_line(), 0..12),
            crlf in any::<bool>(),
            item in "https://[a-z]{1,10}\\.com",
            adding in any::<bool>(),
            key_pick in any::<bool>(),
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let text = lines.join(eol);
            let key = if key_pick { "ALLOWED_ORIGINS" } else { "ADDITIONAL_ORIGINS" };
            let before = find(&text, key);
            let result = if adding { add(&text, key, &item) } else { remove(&text, key, &item) };
            let (Ok(span), Ok(out)) = (before, result) else { return Ok(()); };
            let owned = span.as_ref().map(|s| s.line);
            let old: Vec<&str> = text.split_inclusive('\n').collect();
            let new: Vec<&str> = out.split_inclusive('\n').collect();
            for (i, line) in old.iter().enumerate() {
                if Some(i + 1) == owned { continue; }
                let n = new.get(i).copied().unwrap_or("");
                // The last line may gain a line ending when a variable is appended.
                prop_assert!(n == *line || (i + 1 == old.len() && n.trim_end_matches(['\r', '\n']) == *line), "line {} changed: {:?} → {:?}", i + 1, line, n);
            }
            let after = items(&out, key).unwrap();
            prop_assert_eq!(after.contains(&item), adding);
        }
    }
}
