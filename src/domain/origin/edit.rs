//! Why an allowlist edit is refused, and the check every origin to add passes first: pure rules
//! the origins use case applies and every front end presents (the CLI's sentence, the console's
//! add dialog).

use super::{OriginError, parse_origin};

/// Why an allowlist edit is refused: the origin, and the rule that refuses it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("name the origin to add, e.g. shipdeck origins add https://app.example.com")]
    NoOrigin,
    #[error(
        "'{raw}' would let any site call the Bridge with the user's credentials; add each site's exact origin instead"
    )]
    AnySite { raw: String },
    #[error(
        "'{raw}' can never match: browsers send origins without {}; add {fixed} instead: shipdeck origins add {fixed}",
        reasons.join(", ")
    )]
    NeverMatches {
        raw: String,
        reasons: Vec<String>,
        fixed: String,
    },
    /// Not an origin at all (the sentence names it and what would be).
    #[error("{0}")]
    NotAnOrigin(String),
    #[error("{origin} is already allowed ('{entry}' in {list}); nothing to add")]
    AlreadyAllowed {
        origin: String,
        entry: String,
        list: String,
    },
    #[error("{origin} is refused on this profile by the {rule} rule: {message}; {fix}")]
    Rule {
        origin: String,
        rule: &'static str,
        message: String,
        fix: String,
    },
    #[error("'{origin}' is not on the allowlist of {place}; `shipdeck origins list` shows it")]
    NotListed { origin: String, place: String },
}

impl EditError {
    /// Whether the input itself is wrong (exit code 2) rather than refused by the list or a rule.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            EditError::NoOrigin
                | EditError::AnySite { .. }
                | EditError::NeverMatches { .. }
                | EditError::NotAnOrigin(_)
        )
    }
}

/// One origin to add, checked: exactly what a browser sends, and not dangerous. Entries that
/// could never match are refused with the form that would, so no dead entry is ever written.
pub fn checked_origin(raw: &str) -> std::result::Result<String, EditError> {
    let t = raw.trim();
    if t == "*" || t.eq_ignore_ascii_case("null") || t.eq_ignore_ascii_case("true") {
        return Err(EditError::AnySite {
            raw: raw.to_string(),
        });
    }
    match parse_origin(raw) {
        Ok(origin) => Ok(origin.to_string()),
        Err(OriginError::NeverMatches { reasons, fixed }) => Err(EditError::NeverMatches {
            raw: raw.to_string(),
            reasons,
            fixed: fixed.to_string(),
        }),
        Err(OriginError::Invalid(why)) => Err(EditError::NotAnOrigin(why)),
    }
}
