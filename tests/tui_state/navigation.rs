//! Moving around: selection, screens, filter, help, palette, mouse clicks on the drawn layout.

use crate::cmd;
use crate::common::tui::{drawn, manifest, state};
use shipdeck::tui::dialogs::Modal;
use shipdeck::tui::keymap::Command;
use shipdeck::tui::screens::Screen;
use shipdeck::tui::state::{Action, Effect};

#[test]
fn start_loads_releases_and_history() {
    let s = state(80, 24, false);
    let fx = s.start();
    assert!(matches!(fx[0], Effect::LoadReleases) && matches!(fx[1], Effect::LoadHistory));
    assert!(s.busy.is_none(), "loading finished");
}

#[test]
fn movement_clamps_and_loads_the_selected_manifest() {
    let mut s = state(80, 24, false);
    assert_eq!(s.selection(), 0);
    s.update(cmd(Command::Up));
    assert_eq!(s.selection(), 0);
    let fx = s.update(cmd(Command::Down));
    assert_eq!(s.selection(), 1);
    assert!(matches!(&fx[..], [Effect::LoadManifest(v)] if v.to_string() == "1.2.0"));
    s.update(cmd(Command::Bottom));
    assert_eq!(s.selection(), 4);
    s.update(cmd(Command::Down));
    assert_eq!(s.selection(), 4, "clamped at the end");
    s.update(cmd(Command::Top));
    assert_eq!(s.selection(), 0);
    s.update(cmd(Command::PageDown));
    assert_eq!(s.selection(), 4);
    s.update(cmd(Command::PageUp));
    assert_eq!(s.selection(), 0);
    s.update(Action::Scroll(1));
    assert_eq!(s.selection(), 1);
    s.update(Action::Scroll(-1));
    assert_eq!(s.selection(), 0);
    // Click on the 4th list row, where the last draw put it (below header, tabs and the
    // table header).
    drawn(&mut s);
    s.update(Action::Click { row: 3 + 3 });
    assert_eq!(s.selected_version().unwrap().version.to_string(), "1.0.1");
    // A click below the last row selects nothing new.
    s.update(Action::Click { row: 20 });
    assert_eq!(s.selected_version().unwrap().version.to_string(), "1.0.1");
    // A manifest for another version than the selected one is ignored.
    s.update(Action::ManifestLoaded(
        "1.0.0".parse().unwrap(),
        Ok(manifest("1.0.0")),
    ));
    assert!(s.release.manifest.as_ref().unwrap().version.to_string() != "1.0.0");
}

#[test]
fn screens_switch_by_tab_backtab_and_number() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::NextScreen));
    assert_eq!(s.screen, Screen::Aliases);
    s.update(cmd(Command::PrevScreen));
    s.update(cmd(Command::PrevScreen));
    assert_eq!(
        s.screen,
        Screen::Traffic,
        "Shift-Tab from the first screen wraps to the last"
    );
    let fx = s.update(cmd(Command::GoScreen(5)));
    assert!(
        matches!(&fx[..], [Effect::LoadAccount]),
        "the Account screen reloads each time: {fx:?}"
    );
    s.update(cmd(Command::GoScreen(3)));
    assert_eq!(s.screen, Screen::History);
    s.update(cmd(Command::Down));
    assert_eq!(s.selection(), 1);
    s.update(cmd(Command::GoScreen(0)));
    assert_eq!(s.selection(), 0, "each screen keeps its own selection");
}

#[test]
fn filter_is_incremental_and_escape_clears_it() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::Filter));
    assert!(s.text_input());
    for c in "1.0.".chars() {
        s.update(Action::Input(c));
    }
    let shown: Vec<String> = s
        .visible_versions()
        .iter()
        .map(|v| v.version.to_string())
        .collect();
    assert_eq!(shown, vec!["1.0.1", "1.0.0"]);
    s.update(Action::Backspace);
    s.update(Action::Backspace);
    s.update(Action::Backspace);
    s.update(Action::Input('a'));
    assert_eq!(s.release.filter, "1a");
    assert!(s.visible_versions().is_empty());
    s.update(cmd(Command::Cancel));
    assert!(!s.release.filtering && s.release.filter.is_empty());
    assert_eq!(s.visible_versions().len(), 5);
    // Enter keeps the filter; Esc later clears it.
    s.update(cmd(Command::Filter));
    for c in "yanked".chars() {
        s.update(Action::Input(c));
    }
    s.update(cmd(Command::Confirm));
    assert!(!s.release.filtering);
    assert_eq!(s.visible_versions().len(), 1);
    s.update(cmd(Command::Cancel));
    assert_eq!(s.visible_versions().len(), 5);
}

#[test]
fn help_palette_and_quit() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::Help));
    assert!(matches!(s.modal, Some(Modal::Help)));
    s.update(cmd(Command::Help));
    assert!(s.modal.is_none(), "? toggles help");
    s.update(cmd(Command::Palette));
    assert!(s.text_input());
    for c in "hist".chars() {
        s.update(Action::Input(c));
    }
    // `q` typed into the palette is text, not quit.
    s.update(Action::Input('q'));
    assert!(!s.quit);
    s.update(Action::Backspace);
    s.update(cmd(Command::Confirm));
    assert!(s.modal.is_none());
    s.update(cmd(Command::Palette));
    for c in "next screen".chars() {
        s.update(Action::Input(c));
    }
    s.update(cmd(Command::Confirm));
    assert_eq!(s.screen, Screen::Aliases, "the palette ran 'next_screen'");
    s.update(cmd(Command::Palette));
    s.update(cmd(Command::Cancel));
    assert!(s.modal.is_none() && !s.quit);
    s.update(cmd(Command::Quit));
    assert!(s.quit);
}

#[test]
fn clicks_select_the_row_under_the_mouse_on_every_screen() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::GoScreen(2)));
    s.update(Action::OriginsLoaded(Ok(Box::new(
        crate::common::tui::origins_listing(),
    ))));
    // Before any draw of this screen, a click has no layout to land on.
    s.update(Action::Click { row: 4 + 2 });
    assert_eq!(s.selection(), 0, "no draw yet, no hit");
    // Header, tabs, the allowlist's title line and the table header take rows 0–3.
    let screen = drawn(&mut s);
    assert!(
        screen.lines().nth(4).unwrap().contains("https://"),
        "{screen}"
    );
    s.update(Action::Click { row: 4 + 2 });
    assert_eq!(s.selection(), 2);
    s.update(Action::Click { row: 1 });
    assert_eq!(s.selection(), 2, "a click above the list changes nothing");
    s.update(cmd(Command::GoScreen(1)));
    drawn(&mut s);
    s.update(Action::Click { row: 3 + 1 });
    assert_eq!(s.selected_alias().unwrap().0.to_string(), "v1");
    // A tall terminal shows the Releases list above its detail pane: the hit test follows
    // the drawn layout, not a row count written by hand.
    let mut tall = state(120, 40, false);
    drawn(&mut tall);
    tall.update(Action::Click { row: 3 + 2 });
    assert_eq!(
        tall.selected_version().unwrap().version.to_string(),
        "1.1.0"
    );
    // A click in the detail pane below the list does not select a version.
    tall.update(Action::Click { row: 30 });
    assert_eq!(
        tall.selected_version().unwrap().version.to_string(),
        "1.1.0"
    );
}

/// Every help line on every screen is shown whole at 120 columns, or (on a narrower terminal)
/// cut with "…": never cut silently at the box's edge.
#[test]
fn help_lines_are_whole_or_end_with_an_ellipsis() {
    for (w, h) in [(120u16, 40u16), (80, 24), (60, 30)] {
        let mut s = state(w, h, false);
        for (i, screen) in Screen::ALL.iter().enumerate() {
            s.update(cmd(Command::GoScreen(i)));
            s.update(cmd(Command::Help));
            let text = drawn(&mut s);
            for (_, help) in s.keymap.help_for(screen.title(), false) {
                let whole = text.contains(help);
                let start: String = help.chars().take(12).collect();
                let cut = text
                    .lines()
                    .any(|l| l.contains(start.as_str()) && l.contains('…'));
                assert!(
                    whole || (w < 120 && cut),
                    "{w}x{h} {}: {help}\n{text}",
                    screen.title()
                );
            }
            s.update(cmd(Command::Help));
        }
    }
}
