//! Parsing TOML with errors a person can act on: `LINE: key 'K': what is wrong`.
//! Shared by the config, pricing and usage files, whose callers prefix the file name.

use serde::de::DeserializeOwned;

/// Parses `text`; errors read `LINE: key 'K': message`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    toml::from_str::<T>(text).map_err(|e| {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                let key = key_at(text, line);
                format!(
                    "{line}: {}{message}",
                    key.map(|k| format!("key '{k}': ")).unwrap_or_default()
                )
            }
            None => format!(" {message}"),
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
    #[allow(dead_code)]
    struct T {
        a: u32,
        s: Option<S>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct S {
        b: String,
    }

    #[test]
    fn names_line_and_key() {
        let e = parse::<T>("a = 1\n[s]\nb = 3\n").unwrap_err();
        assert!(e.starts_with("3: key 's.b': "), "{e}");
        let e = parse::<T>("a = \"x\"\n").unwrap_err();
        assert!(e.starts_with("1: key 'a': "), "{e}");
        assert!(parse::<T>("a = 2").is_ok());
    }
}
