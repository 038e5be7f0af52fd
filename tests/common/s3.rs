//! The S3 + CloudFront peer (moto), started by `scripts/test.sh`. A test that needs it fails
//! loudly when it is not running, it does not skip.

use std::path::PathBuf;
use std::process::Command;

/// The moto endpoint.
pub fn endpoint() -> String {
    std::env::var("SHIPDECK_TEST_S3").unwrap_or_else(|_| panic!("the S3 peer is not running: run the tests with `bash scripts/test.sh`, which starts moto and sets SHIPDECK_TEST_S3"))
}

/// Runs the independent boto3 checker (tests/peers/s3check.py) and parses its JSON.
pub fn check(args: &[&str]) -> serde_json::Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/s3check.py");
    let out = Command::new(super::peers_bin().join("python"))
        .arg(script)
        .args(args)
        .env("SHIPDECK_TEST_S3", endpoint())
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "s3check {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("s3check prints JSON")
}

/// The awscli binary from the peers' venv.
pub fn aws() -> PathBuf {
    super::peers_bin().join("aws")
}

/// A fresh bucket with a unique name.
pub fn bucket(tag: &str) -> String {
    let name = format!("shipdeck-{tag}-{:08x}", super::unique() as u32);
    check(&["create-bucket", &name]);
    name
}

pub fn distribution(bucket: &str) -> String {
    check(&["create-distribution", bucket])["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A config with one S3 profile on `bucket` (and CloudFront `dist`, if any) at `endpoint`.
pub fn config(bucket: &str, dist: Option<&str>, endpoint: &str, prefix: &str) -> String {
    let mut c = format!(
        "[profiles.s3]\nstore = {{ kind = \"s3\", bucket = \"{bucket}\", region = \"us-east-1\", prefix = \"{prefix}\", endpoint = \"{endpoint}\" }}\n"
    );
    if let Some(d) = dist {
        c.push_str(&format!("cdn = {{ kind = \"cloudfront\", distribution_id = \"{d}\", endpoint = \"{endpoint}\" }}\n"));
    }
    c
}

/// Credentials for moto, from the environment (as a CI job would have them).
pub fn aws_env(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
}

/// Connection settings for the moto peer, with its test keys (as `shipdeck login` would keep).
pub fn settings() -> shipdeck::adapters::aws::AwsSettings {
    shipdeck::adapters::aws::AwsSettings {
        region: "us-east-1".into(),
        endpoint: Some(endpoint()),
        keys: Some(shipdeck::credentials::AwsKeys {
            access_key_id: "testing".into(),
            secret_access_key: shipdeck::credentials::Secret::new("testing"),
        }),
        profile: "test".into(),
    }
}
