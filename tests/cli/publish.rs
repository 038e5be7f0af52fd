//! Publishing a build: versions from package.json, manifests, refusals, prefixes.

use crate::common::{Env, files_under};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn publish_uses_package_json_version_and_records_a_manifest() {
    let env = Env::new();
    let dist = env.widget("1.2.3");
    env.cmd()
        .args(["publish"])
        .arg(&dist)
        .arg("--yes")
        .assert()
        .success()
        .stdout(predicate::str::contains("new release 1.2.3: 7 files"))
        .stdout(predicate::str::contains(
            "upload  v1.2.3/msr-webchat.umd.js",
        ));
    let folder = env.store().join("v1.2.3");
    assert_eq!(
        files_under(&folder),
        files_under(&dist),
        "the release folder holds exactly the build"
    );
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(env.store().join(".shipdeck/manifests/v1.2.3.json")).unwrap(),
    )
    .unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 7);
    let umd = files
        .iter()
        .find(|f| f["path"] == "msr-webchat.umd.js")
        .unwrap();
    assert_eq!(umd["cache_control"], "public, immutable, max-age=31536000");
    assert!(umd["sri"].as_str().unwrap().starts_with("sha384-"));
    assert!(umd["gzip_size"].as_u64().unwrap() < umd["size"].as_u64().unwrap());
    assert_eq!(
        umd["content_id"], umd["sha256"],
        "the local store's content id of the uploaded file is recorded"
    );
    let html = files.iter().find(|f| f["path"] == "index.html").unwrap();
    assert_eq!(html["cache_control"], "public, max-age=3600");
    let map = files
        .iter()
        .find(|f| f["path"] == "msr-webchat.es.js.map")
        .unwrap();
    assert_eq!(map["cache_control"], "public, max-age=3600");
    assert_eq!(manifest["published_by"], "tester");
    // Not promoted: no alias yet.
    let doc = env.json(&["releases"]);
    assert_eq!(doc["versions"][0]["version"], "1.2.3");
    assert!(doc["aliases"].as_array().unwrap().is_empty());
}

#[test]
fn publishing_an_existing_version_is_refused_and_touches_nothing() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let before = std::fs::read(env.store().join("v1.0.0/msr-webchat.umd.js")).unwrap();
    let other = env.build(
        "other",
        "1.0.0",
        &[("msr-webchat.umd.js", "changed".into())],
    );
    env.cmd()
        .arg("publish")
        .arg(&other)
        .arg("--yes")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("1.0.0 is already published")
                .and(predicate::str::contains("immutable")),
        );
    assert_eq!(
        std::fs::read(env.store().join("v1.0.0/msr-webchat.umd.js")).unwrap(),
        before
    );
}

#[test]
fn publish_refuses_symlinks_empty_folders_and_empty_builds() {
    let env = Env::new();
    let dist = env.build("sym", "1.0.0", &[("a.js", "x".into())]);
    std::os::unix::fs::symlink("/etc/hostname", dist.join("link.js")).unwrap();
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a symbolic link"));
    let dist = env.build("empty-sub", "1.0.0", &[("a.js", "x".into())]);
    std::fs::create_dir(dist.join("chunks")).unwrap();
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is an empty folder"));
    let empty = env.path().join("nothing");
    std::fs::create_dir(&empty).unwrap();
    env.cmd()
        .args(["publish", "nothing", "--version", "1.0.0", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no files"));
    assert!(
        files_under(&env.store())
            .iter()
            .all(|f| !f.starts_with("v1.0.0")),
        "nothing was uploaded"
    );
}

#[test]
fn a_prefix_puts_releases_under_it_and_records_outside() {
    let env = Env::with_config(
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\", prefix = \"msr-webchat/\" }\n",
    );
    env.publish("1.0.0", true);
    assert!(
        env.store()
            .join("msr-webchat/v1.0.0/msr-webchat.umd.js")
            .exists()
    );
    assert!(env.store().join("msr-webchat/latest/style.css").exists());
    assert!(
        env.store()
            .join(".shipdeck/msr-webchat/state.json")
            .exists()
    );
}
