//! Azure Resource Manager's stand-in (tests/peers/arm_stub.py: purges and Front Door rule-set
//! rules; no emulator of the management API exists) and the `az` that hands Shipdeck its token:
//! there is no Entra ID to sign in to here, and `AzureCliCredential` runs `az account
//! get-access-token` exactly as it would on a release manager's machine.

use super::Env;
use super::azure::azure_env;
use super::stub::{self, Stub};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TOKEN: &str = "shipdeck-arm-token-V3nq8Rw";

/// The Resource Manager stand-in: a purge operation reports InProgress `polls` times.
pub struct Arm {
    stub: Stub,
    pub url: String,
}

impl Arm {
    pub fn start(dir: &Path, polls: u32) -> Arm {
        let stub = Stub::start("arm_stub.py", dir, &[TOKEN, &polls.to_string()]);
        Arm {
            url: stub.url(),
            stub,
        }
    }

    /// Every request the stub saw, and every rule a request broke.
    pub fn seen(&self) -> (Vec<Value>, Vec<Value>) {
        let v: Value =
            serde_json::from_str(&stub::get(&format!("{}/_requests", self.url))).unwrap();
        let _ = &self.stub;
        (
            v["requests"].as_array().unwrap().clone(),
            v["violations"].as_array().unwrap().clone(),
        )
    }
}

/// A folder with an `az` that prints `token` for Resource Manager's scope and fails otherwise.
pub fn fake_az(dir: &Path, token: &str) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/bin/sh
case "$*" in
  *"account get-access-token"*"--scope https://management.azure.com/.default"*)
    echo '{{"accessToken": "{token}", "expires_on": '$(( $(date +%s) + 3600 ))', "tokenType": "Bearer"}}' ;;
  *) echo "unexpected az call: $*" >&2; exit 1 ;;
esac
"#
    );
    let az = bin.join("az");
    std::fs::write(&az, script).unwrap();
    Command::new("chmod").arg("+x").arg(&az).status().unwrap();
    bin
}

pub fn path_with(bin: &Path) -> String {
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap())
}

pub fn cdn(kind: &str, stub: &Arm) -> String {
    format!(
        "cdn = {{ kind = \"{kind}\", subscription = \"sub-1234\", resource_group = \"msr-event-agent-rg\", profile = \"msr-webchat-cdn\", endpoint = \"msr-webchat\", management_endpoint = \"{}\" }}\n",
        stub.url
    )
}

pub fn cmd(env: &Env, bin: &Path) -> assert_cmd::Command {
    let mut c = env.cmd();
    azure_env(&mut c)
        .env("PATH", path_with(bin))
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_FEDERATED_TOKEN_FILE")
        .env_remove("IDENTITY_ENDPOINT")
        .env_remove("MSI_ENDPOINT");
    c
}

impl Arm {
    /// The rules of each rule set, as the stub keeps them.
    pub fn rules(&self) -> Value {
        serde_json::from_str(&stub::get(&format!("{}/_rules", self.url))).unwrap()
    }
}
