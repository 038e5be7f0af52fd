//! Parsing TOML with errors a person can act on: `LINE: key 'K': what is wrong`.
//! Shared by the config, pricing and usage files, whose callers prefix the file name.

use serde::de::DeserializeOwned;
use std::fmt;

/// A TOML file that cannot be read: where, which key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    /// 1-based line, when the parser knows it.
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for TomlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{line}: ")?,
            None => write!(f, " ")?,
        }
        if let Some(k) = &self.key {
            write!(f, "key '{k}': ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for TomlError {}

/// Parses `text`; errors read `LINE: key 'K': message`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, TomlError> {
    toml::from_str::<T>(text).map_err(|e| {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                TomlError {
                    line: Some(line),
                    key: key_at(text, line),
                    message,
                }
            }
            None => TomlError {
                line: None,
                key: None,
                message,
            },
        }
    })
}

/// The dotted key defined on `line` (1-based), with its table header.
fn key_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(line.checked_sub(1)?)?.trim();
    let header = |t: &str| t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
    if here.starts_with('[') {
        return Some(header(here));
    }
    let table = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|t| t.starts_with('['))
        .map(header)
        .unwrap_or_default();
    let key = here.split('=').next()?.trim().trim_matches('"');
    if key.is_empty() || here.starts_with('#') {
        return None;
    }
    Some(if table.is_empty() {
        key.to_string()
    } else {
        format!("{table}.{key}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[expect(dead_code, reason = "fields exist only to be parsed")]
    struct T {
        a: u32,
        s: Option<S>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[expect(dead_code, reason = "fields exist only to be parsed")]
    struct S {
        b: String,
    }

    #[test]
    fn names_line_and_key() {
        let e = parse::<T>("a = 1\n[s]\nb = 3\n").unwrap_err().to_string();
        assert!(e.starts_with("3: key 's.b': "), "{e}");
        let e = parse::<T>("a = \"x\"\n").unwrap_err().to_string();
        assert!(e.starts_with("1: key 'a': "), "{e}");
        assert!(parse::<T>("a = 2").is_ok());
    }
}
