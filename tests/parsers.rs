//! Nothing a release manager types, pastes or keeps in a file can panic Shipdeck: every parser
//! (versions, aliases, origins, `.env` editing, configuration, usage and pricing files, store
//! prefixes, header values, build file names, CDN paths) takes arbitrary input — raw bytes as
//! text, and near-misses of each format — and answers with a value or an error, never a panic.
//! What a parser accepts also holds its invariants: a parsed value prints back to text that
//! parses to the same value, a suggested fix is itself valid, an edit to a `.env` does what it
//! says and can be undone, a pricing file written back reads the same.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly, naming what went wrong"
)]

use proptest::prelude::*;
use shipdeck::domain::alias::AliasName;
use shipdeck::domain::cost::{PriceTable, Usage};
use shipdeck::domain::{buildfile, envfile, layout, manifest, origin, tomlfile, version};

/// Arbitrary bytes, as text the way a file or terminal would hand them over.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..200)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Text made of the characters each format is built from, so near-misses are common.
fn near(alphabet: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(alphabet.chars().collect::<Vec<_>>()),
        0..60,
    )
    .prop_map(|c| c.into_iter().collect())
}

const VERSIONS: &str = "0123456789.-+vVrcalphbet ";
const ORIGINS: &str = "htps:/.-_abcxyzü例0123456789[]:@*#?, \t";
const ENV: &str = "ALOWEDIN_RGS=\"'`#,\n\r \t:/.htpsaexport";
const TOML: &str = "[]=\"'.,{}\n abcdefloadsprice0123456789-+e_nanif";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn versions_and_aliases(s in prop_oneof![text(), near(VERSIONS)]) {
        match version::parse_version(&s) {
            Ok(v) => prop_assert_eq!(version::parse_version(&v.to_string()).ok(), Some(v)),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        if let Ok(a) = s.parse::<AliasName>() {
            prop_assert_eq!(a.to_string().parse::<AliasName>().ok(), Some(a));
        }
    }

    #[test]
    fn origins(s in prop_oneof![text(), near(ORIGINS)]) {
        match origin::parse_origin(&s) {
            // What a browser sends is a fixed point: printed and parsed again, the same.
            Ok(o) => prop_assert_eq!(origin::parse_origin(&o.to_string()).ok(), Some(o)),
            // The fix offered for an entry that can never match is itself an origin.
            Err(origin::OriginError::NeverMatches { fixed, .. }) => {
                prop_assert_eq!(origin::parse_origin(&fixed.to_string()).ok(), Some(fixed));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let _ = origin::ascii_host(&s);
        let entries = vec![origin::Entry { raw: s.clone(), source: "ALLOWED_ORIGINS".into() }];
        let _ = origin::audit(&entries, true);
    }

    #[test]
    fn env_files(s in prop_oneof![text(), near(ENV)], item in near(ORIGINS)) {
        for key in ["ALLOWED_ORIGINS", "ADDITIONAL_ORIGINS"] {
            let _ = envfile::find(&s, key);
            let _ = envfile::items(&s, key);
            let _ = envfile::defects(&s, key);
            let other = if key == "ALLOWED_ORIGINS" { "ADDITIONAL_ORIGINS" } else { "ALLOWED_ORIGINS" };
            if let Ok(next) = envfile::add(&s, key, &item) {
                // The item is there as written, the other list is untouched, and removing it
                // takes it out again.
                let listed = envfile::items(&next, key).unwrap_or_default();
                prop_assert!(listed.contains(&item), "{:?} not in {:?}", item, listed);
                prop_assert_eq!(envfile::items(&next, other).ok(), envfile::items(&s, other).ok());
                let back = envfile::remove(&next, key, &item).unwrap();
                prop_assert!(!envfile::items(&back, key).unwrap_or_default().contains(&item));
            }
            let _ = envfile::remove(&s, key, &item);
        }
    }

    #[test]
    fn config_usage_and_pricing_files(s in prop_oneof![text(), near(TOML)]) {
        let _ = shipdeck::config::parse_str(&s);
        if let Ok(u) = tomlfile::parse::<Usage>(&s) {
            let _ = u.check();
        }
        if let Ok(t) = PriceTable::parse(&s) {
            let written = shipdeck::domain::cost::update::to_toml(&t, "", &[]);
            prop_assert_eq!(PriceTable::parse(&written).ok(), Some(t));
        }
    }

    #[test]
    fn usage_numbers_of_any_value(loads in any::<f64>(), hit in any::<f64>(), monthly in any::<f64>()) {
        let text = format!("loads = {loads:?}\ncdn_cache_hit = {hit:?}\n[[fixed]]\nname = \"db\"\nmonthly = {monthly:?}\n");
        if let Ok(u) = tomlfile::parse::<Usage>(&text)
            && u.check().is_ok()
        {
            prop_assert!(u.loads.is_finite() && (0.0..=1.0).contains(&u.cdn_cache_hit));
            prop_assert!(monthly.is_finite() && monthly >= 0.0);
        }
    }

    #[test]
    fn prefixes_headers_build_names_and_cdn_paths(s in prop_oneof![text(), near("./\\\\..abc\n\r\t#*")]) {
        let _ = layout::check_prefix(&s);
        let _ = manifest::check_header_value(&s);
        let _ = buildfile::judge(&s);
        let _ = layout::check_cdn_path(&s);
        if layout::check_prefix(&s).is_ok() {
            let l = layout::Layout::new(&s);
            prop_assert!(!l.prefix().split('/').any(|c| c == ".."), "{:?}", l.prefix());
        }
    }
}
