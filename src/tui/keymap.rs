//! Keys → commands, overridable from the config's `[keys]` table, plus the command palette's
//! list and fuzzy matching. Help and palette are generated from the same table, so they can
//! never disagree with what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

/// What a key asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextScreen,
    PrevScreen,
    GoScreen(usize),
    Details,
    Filter,
    Promote,
    Rollback,
    Yank,
    Unpin,
    Canary,
    Verify,
    VerifyEdge,
    Repair,
    Resume,
    Refresh,
    Palette,
    Help,
    Quit,
    Cancel,
    Confirm,
    Yes,
    No,
    // Origins screen
    AddOrigin,
    RemoveOrigin,
    Probe,
    Redeploy,
    // Cost screen
    EditNext,
}

/// One bindable command: its config name, default key, what it does, and whether it changes
/// anything (hidden and refused in read-only mode).
pub struct Binding {
    pub name: &'static str,
    pub key: &'static str,
    pub command: Command,
    pub help: &'static str,
    pub changes: bool,
    /// Screens it applies to (empty: all).
    pub screens: &'static [&'static str],
}

#[expect(
    clippy::too_many_lines,
    reason = "a table with one entry per bindable command, not logic"
)]
pub fn bindings() -> Vec<Binding> {
    let b = |name, key, command, help, changes, screens| Binding {
        name,
        key,
        command,
        help,
        changes,
        screens,
    };
    vec![
        b("up", "k", Command::Up, "move up (also ↑)", false, &[]),
        b("down", "j", Command::Down, "move down (also ↓)", false, &[]),
        b("top", "g", Command::Top, "go to the top", false, &[]),
        b(
            "bottom",
            "G",
            Command::Bottom,
            "go to the bottom",
            false,
            &[],
        ),
        b(
            "next_screen",
            "tab",
            Command::NextScreen,
            "next screen (1–7 jump)",
            false,
            &[],
        ),
        b(
            "prev_screen",
            "backtab",
            Command::PrevScreen,
            "previous screen",
            false,
            &[],
        ),
        b(
            "details",
            "enter",
            Command::Details,
            "show details of the selected version",
            false,
            &["Releases"],
        ),
        b(
            "filter",
            "/",
            Command::Filter,
            "filter versions (Esc clears)",
            false,
            &["Releases"],
        ),
        b(
            "promote",
            "p",
            Command::Promote,
            "promote the selected version",
            true,
            &["Releases"],
        ),
        b(
            "rollback",
            "r",
            Command::Rollback,
            "roll an alias back (choose alias and target)",
            true,
            &["Releases", "Aliases"],
        ),
        b(
            "yank",
            "y",
            Command::Yank,
            "yank / unyank the selected version",
            true,
            &["Releases"],
        ),
        b(
            "unpin",
            "u",
            Command::Unpin,
            "return the selected alias to automatic",
            true,
            &["Aliases"],
        ),
        b(
            "canary",
            "c",
            Command::Canary,
            "canary of the selected alias: start, set its share, finish or abort (edge mode)",
            true,
            &["Aliases"],
        ),
        b(
            "verify",
            "v",
            Command::Verify,
            "verify the selection against its manifest",
            false,
            &["Releases", "Aliases"],
        ),
        b(
            "verify_edge",
            "E",
            Command::VerifyEdge,
            "check what browsers get at the CDN edge",
            false,
            &["Releases", "Aliases"],
        ),
        b(
            "repair",
            "F",
            Command::Repair,
            "repair the selected alias folder",
            true,
            &["Aliases"],
        ),
        b(
            "resume",
            "ctrl-r",
            Command::Resume,
            "finish an interrupted operation",
            true,
            &[],
        ),
        b(
            "add_origin",
            "a",
            Command::AddOrigin,
            "add an origin to the allowlist",
            true,
            &["Origins"],
        ),
        b(
            "remove_origin",
            "d",
            Command::RemoveOrigin,
            "remove the selected origin",
            true,
            &["Origins"],
        ),
        b(
            "probe",
            "P",
            Command::Probe,
            "probe the live Bridge with preflight requests",
            false,
            &["Origins"],
        ),
        b(
            "redeploy",
            "D",
            Command::Redeploy,
            "redeploy the Bridge through its deploy workflow, then probe it",
            true,
            &["Origins"],
        ),
        b(
            "edit",
            "e",
            Command::EditNext,
            "edit the next usage input",
            false,
            &["Cost"],
        ),
        b(
            "refresh",
            "R",
            Command::Refresh,
            "reload from the store",
            false,
            &[],
        ),
        b(
            "palette",
            ":",
            Command::Palette,
            "command palette",
            false,
            &[],
        ),
        b("help", "?", Command::Help, "this help", false, &[]),
        b("quit", "q", Command::Quit, "quit (also Ctrl-c)", false, &[]),
    ]
}

/// A parsed key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum KeyCodeOrd {
    Char(char),
    Named(u8),
}

const NAMED: [(&str, KeyCode); 12] = [
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
];

impl Key {
    pub fn parse(s: &str) -> Result<Key, KeymapError> {
        let (ctrl, rest) = match s.strip_prefix("ctrl-") {
            Some(r) => (true, r),
            None => (false, s),
        };
        let mut chars = rest.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key {
                code: KeyCodeOrd::Char(c),
                ctrl,
            });
        }
        NAMED
            .iter()
            .position(|(n, _)| *n == rest.to_ascii_lowercase())
            .map(|i| Key {
                code: KeyCodeOrd::Named(i as u8),
                ctrl,
            })
            .ok_or_else(|| KeymapError::NotAKey { key: s.to_string() })
    }

    pub fn from_event(k: &KeyEvent) -> Option<Key> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char(c) => Some(Key {
                code: KeyCodeOrd::Char(c),
                ctrl,
            }),
            other => NAMED.iter().position(|(_, c)| *c == other).map(|i| Key {
                code: KeyCodeOrd::Named(i as u8),
                ctrl,
            }),
        }
    }
}

/// A `[keys]` table that is not a keymap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error(
        "'{key}' is not a key; use a character, ctrl-X, or one of enter, esc, tab, backtab, up, down, left, right, home, end, pageup, pagedown"
    )]
    NotAKey { key: String },
    #[error("[keys] names an unknown action '{name}'; known actions: {known}")]
    UnknownAction { name: String, known: String },
    #[error("[keys] {action}: {source}")]
    InAction {
        action: &'static str,
        #[source]
        source: Box<KeymapError>,
    },
}

/// The active key table.
#[derive(Debug, Clone)]
pub struct Keymap {
    map: BTreeMap<Key, Command>,
    /// Action name → key as shown in help.
    shown: BTreeMap<&'static str, String>,
}

impl Default for Keymap {
    #[expect(
        clippy::expect_used,
        reason = "the default keys are constants; the keymap tests parse every one"
    )]
    fn default() -> Self {
        Keymap::with_overrides(&BTreeMap::new()).expect("defaults parse")
    }
}

impl Keymap {
    /// Defaults with `overrides` (action name → key) from the config.
    #[expect(
        clippy::expect_used,
        reason = "the fixed keys are constants; the keymap tests parse every one"
    )]
    pub fn with_overrides(overrides: &BTreeMap<String, String>) -> Result<Keymap, KeymapError> {
        let all = bindings();
        for name in overrides.keys() {
            if !all.iter().any(|b| b.name == name) {
                let names: Vec<&str> = all.iter().map(|b| b.name).collect();
                return Err(KeymapError::UnknownAction {
                    name: name.clone(),
                    known: names.join(", "),
                });
            }
        }
        let mut map = BTreeMap::new();
        let mut shown = BTreeMap::new();
        for b in &all {
            let key = overrides.get(b.name).map(String::as_str).unwrap_or(b.key);
            let parsed = Key::parse(key).map_err(|e| KeymapError::InAction {
                action: b.name,
                source: Box::new(e),
            })?;
            map.insert(parsed, b.command.clone());
            shown.insert(b.name, key.to_string());
        }
        // Fixed keys that are always there.
        for (k, c) in [
            ("up", Command::Up),
            ("down", Command::Down),
            ("esc", Command::Cancel),
            ("ctrl-c", Command::Quit),
            ("pageup", Command::PageUp),
            ("pagedown", Command::PageDown),
            ("home", Command::Top),
            ("end", Command::Bottom),
        ] {
            map.entry(Key::parse(k).expect("fixed keys parse"))
                .or_insert(c);
        }
        for i in 1..=7 {
            map.insert(
                Key::parse(&i.to_string()).expect("digits parse"),
                Command::GoScreen(i - 1),
            );
        }
        Ok(Keymap { map, shown })
    }

    pub fn command(&self, k: &KeyEvent) -> Option<Command> {
        let key = Key::from_event(k)?;
        if Key::parse("ctrl-c").is_ok_and(|c| c == key) {
            return Some(Command::Quit);
        }
        self.map.get(&key).cloned()
    }

    /// The key bound to action `name` as a hint shows it ("p", "Tab", "Ctrl-R"), read from the
    /// active table so a remapped action is never hinted by its default key.
    pub fn label(&self, name: &str) -> String {
        let key = self.shown.get(name).map_or("", String::as_str);
        let mut out = Vec::new();
        for part in key.split('-') {
            let named = match part {
                "tab" => "Tab",
                "backtab" => "Shift-Tab",
                "enter" => "Enter",
                "esc" => "Esc",
                "space" => "Space",
                "ctrl" => "Ctrl",
                "alt" => "Alt",
                "shift" => "Shift",
                "up" => "↑",
                "down" => "↓",
                "pageup" => "PgUp",
                "pagedown" => "PgDn",
                "home" => "Home",
                "end" => "End",
                "backspace" => "Backspace",
                "delete" => "Del",
                other if other.len() == 1 && key.contains("ctrl-") => {
                    out.push(other.to_uppercase());
                    continue;
                }
                other => other,
            };
            out.push(named.to_string());
        }
        out.join("-")
    }

    /// Help lines for a screen: (key, description).
    pub fn help_for(&self, screen: &str, readonly: bool) -> Vec<(String, &'static str)> {
        bindings()
            .into_iter()
            .filter(|b| !(readonly && b.changes))
            .filter(|b| b.screens.is_empty() || b.screens.contains(&screen))
            .map(|b| (self.shown.get(b.name).cloned().unwrap_or_default(), b.help))
            .collect()
    }
}

/// A palette entry.
pub struct PaletteEntry {
    pub name: &'static str,
    pub help: &'static str,
    pub command: Command,
}

/// Commands whose name or help fuzzy-matches `query` (letters in order), best first.
pub fn palette_matches(query: &str, readonly: bool) -> Vec<PaletteEntry> {
    let q: Vec<char> = query
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut scored: Vec<(usize, PaletteEntry)> = bindings()
        .into_iter()
        .filter(|b| !(readonly && b.changes))
        .filter(|b| !matches!(b.command, Command::Palette | Command::Up | Command::Down))
        .filter_map(|b| {
            let score =
                fuzzy_score(&q, b.name).or_else(|| fuzzy_score(&q, b.help).map(|s| s + 100))?;
            Some((
                score,
                PaletteEntry {
                    name: b.name,
                    help: b.help,
                    command: b.command,
                },
            ))
        })
        .collect();
    scored.sort_by_key(|(s, e)| (*s, e.name));
    scored.into_iter().map(|(_, e)| e).collect()
}

/// Lower is better; `None` when the letters do not appear in order.
fn fuzzy_score(q: &[char], text: &str) -> Option<usize> {
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let mut pos = 0;
    let mut gaps = 0;
    let mut first = None;
    for c in q {
        let found = t[pos..].iter().position(|x| x == c)?;
        if first.is_none() {
            first = Some(found);
        } else {
            gaps += found;
        }
        pos += found + 1;
    }
    Some(first.unwrap_or(0) * 2 + gaps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn defaults_and_overrides() {
        let k = Keymap::default();
        assert_eq!(
            k.command(&ev(KeyCode::Char('p'), KeyModifiers::NONE)),
            Some(Command::Promote)
        );
        assert_eq!(
            k.command(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Command::Quit)
        );
        assert_eq!(
            k.command(&ev(KeyCode::Char('3'), KeyModifiers::NONE)),
            Some(Command::GoScreen(2))
        );
        assert_eq!(
            k.command(&ev(KeyCode::Down, KeyModifiers::NONE)),
            Some(Command::Down)
        );
        let mut o = BTreeMap::new();
        o.insert("promote".to_string(), "P".to_string());
        o.insert("probe".to_string(), "ctrl-p".to_string());
        let k = Keymap::with_overrides(&o).unwrap();
        assert_eq!(
            k.command(&ev(KeyCode::Char('P'), KeyModifiers::SHIFT)),
            Some(Command::Promote)
        );
        assert_eq!(k.command(&ev(KeyCode::Char('p'), KeyModifiers::NONE)), None);
        assert!(
            k.help_for("Releases", false)
                .iter()
                .any(|(key, h)| key == "P" && h.contains("promote"))
        );
        o.insert("launch".to_string(), "x".to_string());
        assert!(
            Keymap::with_overrides(&o)
                .unwrap_err()
                .to_string()
                .contains("unknown action 'launch'")
        );
        let mut bad = BTreeMap::new();
        bad.insert("quit".to_string(), "meta-q".to_string());
        assert!(
            Keymap::with_overrides(&bad)
                .unwrap_err()
                .to_string()
                .contains("is not a key")
        );
    }

    #[test]
    fn palette_is_fuzzy_and_hides_changes_when_readonly() {
        let m = palette_matches("rlbk", false);
        assert_eq!(m[0].name, "rollback");
        assert!(
            palette_matches("prom", true)
                .iter()
                .all(|e| e.name != "promote")
        );
        assert!(palette_matches("", false).len() > 10);
        assert!(palette_matches("zzzz", false).is_empty());
    }
}
