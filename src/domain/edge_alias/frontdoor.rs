//! Edge aliases on Azure Front Door Standard/Premium: one rule per alias in a rule set (the
//! rule set the profile names, associated with the endpoint's route), each a URL rewrite of
//! `/{prefix}{alias}/` to `/{prefix}v{X.Y.Z}/` plus a response-header action that gives the
//! alias's `Cache-Control`. The rule's rewrite destination is the alias's "key": reading the
//! rule set back gives every alias's release.
//!
//! What Microsoft documents, and what follows from it (Front Door docs: "URL rewrite", "Rules
//! match conditions", "Caching"):
//! - a URL rewrite changes "the request path that is being routed to your origin"; the caching
//!   documentation keys cached content on the request URL and never says the rewritten path is
//!   the key. Shipdeck therefore takes the cache key to be the **original** (alias) path: moving
//!   an alias's rule does not change what an edge already cached under the alias URL, so a move
//!   still purges the alias's paths (the plan says so); the gain over copies is no copying;
//! - the request-path condition's values do not include the leading slash;
//! - the rewrite's source pattern is a prefix and `preserveUnmatchedPath` keeps the file name;
//! - rule names are letters and digits only, starting with a letter: an alias name's '.' and
//!   '-' are written as 'D' and 'H' (alias names are lower case, so this is reversible);
//! - there is no per-viewer split in rule conditions Shipdeck could keep sticky, so a canary
//!   (`1.0.1;1.1.0=5`) is refused on Front Door.
//!
//! Pure: rule names and bodies in, aliases and versions out; no IO.

use serde_json::{Value, json};

/// The rule's name for `alias` (`latest` → `aliaslatest`, `v1.0` → `aliasv1D0`).
pub fn rule_name(alias: &str) -> String {
    let mut out = String::from("alias");
    for c in alias.chars() {
        match c {
            '.' => out.push('D'),
            '-' => out.push('H'),
            c => out.push(c),
        }
    }
    out
}

/// The alias a rule of Shipdeck's is for; `None` for any other rule.
pub fn alias_of(rule: &str) -> Option<String> {
    let rest = rule.strip_prefix("alias")?;
    if rest.is_empty() {
        return None;
    }
    let mut out = String::new();
    for c in rest.chars() {
        match c {
            'D' => out.push('.'),
            'H' => out.push('-'),
            c if c.is_ascii_lowercase() || c.is_ascii_digit() => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// `/msr-webchat/` (or `/`) from the CDN's path prefix.
fn slashed(path_prefix: &str) -> String {
    let p = path_prefix.trim_matches('/');
    if p.is_empty() {
        "/".into()
    } else {
        format!("/{p}/")
    }
}

/// The rule that serves `alias` from release `version`; `order` places it in the rule set.
pub fn rule(
    alias: &str,
    version: &str,
    path_prefix: &str,
    cache_control: &str,
    order: u32,
) -> Value {
    let p = slashed(path_prefix);
    json!({
        "properties": {
            "order": order,
            "conditions": [{
                "name": "UrlPath",
                "parameters": {
                    "typeName": "DeliveryRuleUrlPathMatchConditionParameters",
                    "operator": "BeginsWith",
                    "negateCondition": false,
                    "matchValues": [format!("{}{alias}/", p.trim_start_matches('/'))],
                    "transforms": []
                }
            }],
            "actions": [
                {
                    "name": "UrlRewrite",
                    "parameters": {
                        "typeName": "DeliveryRuleUrlRewriteActionParameters",
                        "sourcePattern": format!("{p}{alias}/"),
                        "destination": format!("{p}v{version}/"),
                        "preserveUnmatchedPath": true
                    }
                },
                {
                    "name": "ModifyResponseHeader",
                    "parameters": {
                        "typeName": "DeliveryRuleHeaderActionParameters",
                        "headerAction": "Overwrite",
                        "headerName": "Cache-Control",
                        "value": cache_control
                    }
                }
            ],
            "matchProcessingBehavior": "Stop"
        }
    })
}

/// The release a rule rewrites to (its `UrlRewrite` destination `/{prefix}v{X.Y.Z}/`), or `None`
/// when the rule is not one Shipdeck wrote for this prefix.
pub fn version_of(rule: &Value, path_prefix: &str) -> Option<String> {
    let p = slashed(path_prefix);
    rule["properties"]["actions"]
        .as_array()?
        .iter()
        .find(|a| a["name"] == "UrlRewrite")?
        .get("parameters")?
        .get("destination")?
        .as_str()?
        .strip_prefix(&format!("{p}v"))?
        .strip_suffix('/')
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_letters_and_digits_and_reversible() {
        for alias in ["latest", "v1", "v1.0", "next", "beta-2", "v10.20"] {
            let name = rule_name(alias);
            assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
            assert_eq!(alias_of(&name).as_deref(), Some(alias));
        }
        assert_eq!(rule_name("v1.0"), "aliasv1D0");
        assert_eq!(alias_of("somethingElse"), None);
        assert_eq!(alias_of("alias"), None);
        assert_eq!(alias_of("aliasX1"), None);
    }

    #[test]
    fn a_rule_rewrites_the_alias_prefix_and_reads_back_its_release() {
        let r = rule("v1.0", "1.0.3", "/msr-webchat", "public, max-age=300", 3);
        let cond = &r["properties"]["conditions"][0]["parameters"];
        assert_eq!(
            cond["matchValues"][0], "msr-webchat/v1.0/",
            "no leading slash"
        );
        let rewrite = &r["properties"]["actions"][0]["parameters"];
        assert_eq!(rewrite["sourcePattern"], "/msr-webchat/v1.0/");
        assert_eq!(rewrite["destination"], "/msr-webchat/v1.0.3/");
        assert_eq!(rewrite["preserveUnmatchedPath"], true);
        assert_eq!(
            r["properties"]["actions"][1]["parameters"]["value"],
            "public, max-age=300"
        );
        assert_eq!(version_of(&r, "msr-webchat/").as_deref(), Some("1.0.3"));
        assert_eq!(version_of(&r, "/other"), None);
        let root = rule("latest", "2.0.0-rc.1", "", "public, max-age=300", 1);
        assert_eq!(
            root["properties"]["conditions"][0]["parameters"]["matchValues"][0],
            "latest/"
        );
        assert_eq!(version_of(&root, "/").as_deref(), Some("2.0.0-rc.1"));
    }
}
