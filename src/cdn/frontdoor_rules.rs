//! Edge aliases on Azure Front Door: the rule set the profile names (`cdn.edge.rule_set`), one
//! URL-rewrite rule per alias (`domain::edge_alias::frontdoor` writes and reads the rules),
//! through Resource Manager with the purge adapter's identity and retries.
//!
//! Rules carry no ETag Shipdeck can send back, so the "ETag" of a state is a hash of every
//! alias and its release; a write lists the rules again first and refuses when the hash moved
//! (someone else's write since the read). That check and the rule writes are not one atomic
//! call as CloudFront's `UpdateKeys` is: two managers writing within the same second could
//! still interleave, which is why changes hold the release store's lock as well.

use super::alias_keys::{AliasKeys, KeysError, KeysSnapshot};
use super::frontdoor::{API_VERSION, AzurePurge, json_body, segment};
use super::{CdnError, InvalidationStatus};
use crate::domain::edge_alias::frontdoor::{alias_of, rule, rule_name, version_of};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct FrontDoorRules {
    arm: AzurePurge,
    rule_set: String,
    path_prefix: String,
    cache_control: String,
    /// How long to follow a rule write's long-running operation.
    pub wait: Duration,
}

/// Shipdeck's rules as they are: alias → (release, order).
type Rules = BTreeMap<String, (String, u32)>;

impl FrontDoorRules {
    pub fn new(
        arm: AzurePurge,
        rule_set: &str,
        path_prefix: &str,
        cache_control: &str,
    ) -> FrontDoorRules {
        FrontDoorRules {
            arm,
            rule_set: rule_set.into(),
            path_prefix: path_prefix.into(),
            cache_control: cache_control.into(),
            wait: Duration::from_secs(120),
        }
    }

    fn rules_url(&self) -> String {
        format!(
            "{}{}/ruleSets/{}/rules",
            self.arm.base(),
            self.arm.profile_resource(),
            segment(&self.rule_set)
        )
    }

    fn call(&self, e: CdnError) -> KeysError {
        KeysError::Call {
            store: self.describe(),
            cause: e.cause.clone(),
            source: Some(Arc::new(e)),
        }
    }

    fn refuse(&self, cause: String) -> KeysError {
        KeysError::Call {
            store: self.describe(),
            cause,
            source: None,
        }
    }

    /// Every rule of the set that Shipdeck wrote for this prefix (other rules are left alone).
    async fn rules(&self) -> Result<Rules, KeysError> {
        let mut out = Rules::new();
        let mut url = Some(format!("{}?api-version={API_VERSION}", self.rules_url()));
        while let Some(u) = url.take() {
            let resp = self
                .arm
                .send(reqwest::Method::GET, &u, None)
                .await
                .map_err(|e| self.call(e))?;
            if resp.status().as_u16() == 404 {
                let (profile, group) = self.arm.profile_names();
                return Err(self.refuse(format!(
                    "there is no rule set '{}' in Front Door profile '{profile}' of resource group '{group}' (HTTP 404); create it and add it to the endpoint's route (`az afd rule-set create --rule-set-name {} --profile-name {profile} --resource-group {group}`), or correct cdn.edge.rule_set",
                    self.rule_set, self.rule_set
                )));
            }
            if !resp.status().is_success() {
                return Err(self.call(self.arm.refused(resp).await));
            }
            let page = json_body(resp).await;
            for r in page["value"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let Some(alias) = r["name"].as_str().and_then(alias_of) else {
                    continue;
                };
                if let Some(v) = version_of(r, &self.path_prefix) {
                    let order = r["properties"]["order"].as_u64().unwrap_or(0);
                    out.insert(alias, (v, u32::try_from(order).unwrap_or(u32::MAX)));
                }
            }
            url = page["nextLink"].as_str().map(str::to_string);
        }
        Ok(out)
    }

    /// Follows a rule write's long-running operation, if it answered with one.
    async fn settle(&self, resp: reqwest::Response) -> Result<(), KeysError> {
        if !resp.status().is_success() {
            return Err(self.call(self.arm.refused(resp).await));
        }
        let Some(op) = resp
            .headers()
            .get("azure-asyncoperation")
            .and_then(|v| v.to_str().ok())
            .map(|u| self.arm.operation_id(u))
        else {
            return Ok(());
        };
        let start = Instant::now();
        loop {
            let word = self
                .arm
                .operation_status(&op)
                .await
                .map_err(|e| self.call(e))?;
            match InvalidationStatus::from_word(&word) {
                InvalidationStatus::Completed => return Ok(()),
                InvalidationStatus::InProgress { .. } if start.elapsed() < self.wait => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                _ if word.eq_ignore_ascii_case("inprogress") => {
                    return Err(self.refuse(format!(
                        "a rule write was still in progress after {} s; run `shipdeck edge status` to see where it stands",
                        self.wait.as_secs()
                    )));
                }
                _ => {
                    return Err(
                        self.refuse(format!("Resource Manager reported the rule write {word}"))
                    );
                }
            }
        }
    }
}

/// The state's "ETag": FNV-1a (64-bit) over every alias and release, in order.
fn etag(rules: &Rules) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (alias, (version, _)) in rules {
        for b in alias
            .bytes()
            .chain([b'='])
            .chain(version.bytes())
            .chain([b';'])
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn snapshot(rules: &Rules) -> KeysSnapshot {
    KeysSnapshot {
        etag: etag(rules),
        items: rules
            .iter()
            .map(|(a, (v, _))| (a.clone(), v.clone()))
            .collect(),
    }
}

#[async_trait]
impl AliasKeys for FrontDoorRules {
    fn describe(&self) -> String {
        format!("Front Door rule set {}", self.rule_set)
    }

    fn canary(&self) -> bool {
        false
    }

    fn purges_aliases(&self) -> bool {
        true
    }

    async fn read(&self) -> Result<KeysSnapshot, KeysError> {
        Ok(snapshot(&self.rules().await?))
    }

    async fn read_keys(&self, keys: &[String]) -> Result<KeysSnapshot, KeysError> {
        let mut snap = snapshot(&self.rules().await?);
        snap.items.retain(|k, _| keys.contains(k));
        Ok(snap)
    }

    async fn write(
        &self,
        etag_read: &str,
        puts: &[(String, String)],
        deletes: &[String],
    ) -> Result<String, KeysError> {
        if let Some((alias, value)) = puts.iter().find(|(_, v)| v.contains(';')) {
            return Err(self.refuse(format!(
                "'{alias}' = '{value}' is a canary, and Front Door rules have no per-viewer split; a gradual promote runs on CloudFront only"
            )));
        }
        let mut rules = self.rules().await?;
        if etag(&rules) != etag_read {
            return Err(KeysError::Changed {
                store: self.describe(),
            });
        }
        let mut next = rules.values().map(|(_, o)| *o).max().unwrap_or(0) + 1;
        for (alias, version) in puts {
            let order = match rules.get(alias) {
                Some((_, o)) => *o,
                None => {
                    next += 1;
                    next - 1
                }
            };
            let body = rule(
                alias,
                version,
                &self.path_prefix,
                &self.cache_control,
                order,
            );
            let url = format!(
                "{}/{}?api-version={API_VERSION}",
                self.rules_url(),
                rule_name(alias)
            );
            let resp = self
                .arm
                .send(reqwest::Method::PUT, &url, Some(&body))
                .await
                .map_err(|e| self.call(e))?;
            self.settle(resp).await?;
            rules.insert(alias.clone(), (version.clone(), order));
        }
        for alias in deletes {
            let url = format!(
                "{}/{}?api-version={API_VERSION}",
                self.rules_url(),
                rule_name(alias)
            );
            let resp = self
                .arm
                .send(reqwest::Method::DELETE, &url, None)
                .await
                .map_err(|e| self.call(e))?;
            self.settle(resp).await?;
            rules.remove(alias);
        }
        Ok(etag(&rules))
    }
}
