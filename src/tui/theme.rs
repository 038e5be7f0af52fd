//! Colour themes: TOML files in `themes/`, compiled in, overridable by a file of the same name
//! in the user's config dir (`themes/NAME.toml`). Colours only ever repeat what text says
//! (badges carry words), so every theme, and no colour at all, stays readable.

use ratatui::style::Color;
use serde::Deserialize;
use std::str::FromStr;

const BUILTIN: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    fg: String,
    bg: String,
    accent: String,
    muted: String,
    ok: String,
    warn: String,
    error: String,
    selected_fg: String,
    selected_bg: String,
    badge_fg: String,
    badge_alias: String,
    badge_pinned: String,
    badge_pre: String,
    badge_yanked: String,
    border: String,
}

/// Resolved colours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub fg: Color,
    pub bg: Color,
    pub accent: Color,
    pub muted: Color,
    pub ok: Color,
    pub warn: Color,
    pub error: Color,
    pub selected_fg: Color,
    pub selected_bg: Color,
    pub badge_fg: Color,
    pub badge_alias: Color,
    pub badge_pinned: Color,
    pub badge_pre: Color,
    pub badge_yanked: Color,
    pub border: Color,
}

impl Default for Theme {
    #[expect(
        clippy::expect_used,
        reason = "the built-in themes are compiled in; a theme test parses each"
    )]
    fn default() -> Self {
        parse(BUILTIN[0].1).expect("built-in theme parses")
    }
}

/// Names of the built-in themes.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// Parses a theme file's text.
pub fn parse(text: &str) -> Result<Theme, ThemeError> {
    let f: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Toml {
        reason: e.message().to_string(),
    })?;
    let c = |field: &'static str, v: &str| {
        Color::from_str(v).map_err(|_| ThemeError::NotAColour {
            field,
            value: v.to_string(),
        })
    };
    Ok(Theme {
        fg: c("fg", &f.fg)?,
        bg: c("bg", &f.bg)?,
        accent: c("accent", &f.accent)?,
        muted: c("muted", &f.muted)?,
        ok: c("ok", &f.ok)?,
        warn: c("warn", &f.warn)?,
        error: c("error", &f.error)?,
        selected_fg: c("selected_fg", &f.selected_fg)?,
        selected_bg: c("selected_bg", &f.selected_bg)?,
        badge_fg: c("badge_fg", &f.badge_fg)?,
        badge_alias: c("badge_alias", &f.badge_alias)?,
        badge_pinned: c("badge_pinned", &f.badge_pinned)?,
        badge_pre: c("badge_pre", &f.badge_pre)?,
        badge_yanked: c("badge_yanked", &f.badge_yanked)?,
        border: c("border", &f.border)?,
        name: f.name,
    })
}

/// Loads theme `name`: the user's file if there is one, else the built-in.
pub fn load(name: &str) -> Result<Theme, ThemeError> {
    if let Some(dir) = crate::config::config_dir() {
        let p = dir.join("themes").join(format!("{name}.toml"));
        if p.is_file() {
            let in_file = |source| ThemeError::InFile {
                place: format!("theme '{}'", p.display()),
                source: Box::new(source),
            };
            let text = std::fs::read_to_string(&p).map_err(|e| {
                in_file(ThemeError::Unreadable {
                    source: std::sync::Arc::new(e),
                })
            })?;
            return parse(&text).map_err(in_file);
        }
    }
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| {
            parse(t).map_err(|source| ThemeError::InFile {
                place: format!("built-in theme '{name}'"),
                source: Box::new(source),
            })
        })
        .transpose()?
        .ok_or_else(|| ThemeError::Unknown {
            name: name.to_string(),
            builtins: builtin_names().join(", "),
        })
}

/// A theme that cannot be used, and how to fix it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ThemeError {
    #[error("{reason}")]
    Toml { reason: String },
    #[error("'{field}' = \"{value}\" is not a colour; use a name (e.g. blue), #rrggbb or reset")]
    NotAColour { field: &'static str, value: String },
    #[error("cannot be read ({source})")]
    Unreadable {
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
    #[error("{place}: {source}")]
    InFile {
        place: String,
        #[source]
        source: Box<ThemeError>,
    },
    #[error(
        "unknown theme '{name}'; built-in themes: {builtins}, or put {name}.toml in the config dir's themes/ folder"
    )]
    Unknown { name: String, builtins: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_differ() {
        let themes: Vec<Theme> = builtin_names().iter().map(|n| load(n).unwrap()).collect();
        assert_eq!(themes.len(), 3);
        assert_ne!(themes[0], themes[1]);
        assert!(
            load("neon")
                .unwrap_err()
                .to_string()
                .contains("unknown theme 'neon'")
        );
        assert!(
            parse(&BUILTIN[0].1.replace("#5fafff", "not-a-colour"))
                .unwrap_err()
                .to_string()
                .contains("is not a colour")
        );
    }
}
