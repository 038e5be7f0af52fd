//! Edge aliases on Azure Front Door: the rule set the profile names (`cdn.edge.rule_set`), one
//! URL-rewrite rule per alias (`domain::edge_alias::frontdoor` writes and reads the rules),
//! through Resource Manager (`adapters::arm`, as Front Door's purges).
//!
//! Rules carry no ETag Shipdeck can send back, so the "ETag" of a state is a hash of every
//! alias and its release; a write lists the rules again first and refuses when the hash moved
//! (someone else's write since the read). That check and the rule writes are not one atomic
//! call as CloudFront's `UpdateKeys` is: two managers writing within the same second could
//! still interleave, which is why changes hold the release store's lock as well.

use super::InvalidationStatus;
use super::alias_keys::{AliasKeys, KeysError, KeysSnapshot};
use crate::adapters::arm::{
    API_VERSION, Arm, ArmFailure, first_line, json_body, profile_resource, segment,
};
use crate::adapters::azure::redact;
use crate::domain::edge_alias::frontdoor::{alias_of, rule, rule_name, version_of};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where the rules live: the profile's `cdn` keys, as the session resolved them.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub subscription: String,
    pub resource_group: String,
    /// The Front Door profile's name.
    pub profile: String,
    pub rule_set: String,
}

pub struct FrontDoorRules {
    arm: Arm,
    at: RuleSet,
    path_prefix: String,
    cache_control: String,
    /// How long to follow a rule write's long-running operation.
    pub wait: Duration,
}

/// Shipdeck's rules as they are: alias → (release, order).
type Rules = BTreeMap<String, (String, u32)>;

impl FrontDoorRules {
    pub fn new(arm: Arm, at: RuleSet, path_prefix: &str, cache_control: &str) -> FrontDoorRules {
        FrontDoorRules {
            arm,
            at,
            path_prefix: path_prefix.into(),
            cache_control: cache_control.into(),
            wait: Duration::from_secs(120),
        }
    }

    fn rules_url(&self) -> String {
        let a = &self.at;
        format!(
            "{}{}/ruleSets/{}/rules",
            self.arm.base(),
            profile_resource(&a.subscription, &a.resource_group, &a.profile),
            segment(&a.rule_set)
        )
    }

    fn call(&self, f: ArmFailure) -> KeysError {
        KeysError::Call {
            store: self.describe(),
            cause: f.cause,
            source: f
                .source
                .map(|s| s as Arc<dyn std::error::Error + Send + Sync>),
        }
    }

    /// A non-success answer as one sentence, for what this adapter asks.
    async fn refused(&self, resp: reqwest::Response) -> KeysError {
        let status = resp.status().as_u16();
        let body = json_body(resp).await;
        let code = body["error"]["code"].as_str().unwrap_or("no error code");
        let msg = first_line(&redact(body["error"]["message"].as_str().unwrap_or("")));
        let a = &self.at;
        self.refuse(match status {
            401 => format!(
                "Azure Resource Manager refused the token (HTTP 401 {code}); sign in again (`az login`) or check the client secret"
            ),
            403 => format!(
                "the identity may not change the rules of this rule set (HTTP 403 {code}); give it the \"CDN Profile Contributor\" role on profile '{}'",
                a.profile
            ),
            404 => format!(
                "there is no rule set '{}' in Front Door profile '{}' of resource group '{}' (HTTP 404 {code}); create it and add it to the endpoint's route (`az afd rule-set create --rule-set-name {} --profile-name {} --resource-group {}`), or correct cdn.edge.rule_set",
                a.rule_set, a.profile, a.resource_group, a.rule_set, a.profile, a.resource_group
            ),
            _ if msg.is_empty() => format!("Azure Resource Manager answered HTTP {status} {code}"),
            _ => format!("Azure Resource Manager answered HTTP {status} {code}: {msg}"),
        })
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
            if !resp.status().is_success() {
                return Err(self.refused(resp).await);
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

    /// Writes or deletes `alias`'s rule and follows the operation to its end.
    async fn rule_call(
        &self,
        method: reqwest::Method,
        alias: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(), KeysError> {
        let url = format!(
            "{}/{}?api-version={API_VERSION}",
            self.rules_url(),
            rule_name(alias)
        );
        let resp = self
            .arm
            .send(method, &url, body)
            .await
            .map_err(|e| self.call(e))?;
        self.settle(resp).await
    }

    /// Follows a rule write's long-running operation, if it answered with one.
    async fn settle(&self, resp: reqwest::Response) -> Result<(), KeysError> {
        if !resp.status().is_success() {
            return Err(self.refused(resp).await);
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
            let answer = self.arm.operation(&op).await.map_err(|f| self.call(f))?;
            if !answer.status().is_success() {
                return Err(self.refused(answer).await);
            }
            let word = json_body(answer).await["status"]
                .as_str()
                .unwrap_or("Unknown")
                .to_string();
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
        format!("Front Door rule set {}", self.at.rule_set)
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
            self.rule_call(reqwest::Method::PUT, alias, Some(&body))
                .await?;
            rules.insert(alias.clone(), (version.clone(), order));
        }
        for alias in deletes {
            self.rule_call(reqwest::Method::DELETE, alias, None).await?;
            rules.remove(alias);
        }
        Ok(etag(&rules))
    }
}
