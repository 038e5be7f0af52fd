//! Publishing a build: versions from package.json, manifests, refusals, prefixes.

use crate::common::{self, Env, files_under};
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
        .args(["--yes", "--allow-missing-entries"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("1.0.0 is already published")
                .and(predicate::str::contains("immutable"))
                .and(predicate::str::contains("msr-webchat.umd.js (changed)"))
                .and(predicate::str::contains("index.html (missing)"))
                .and(predicate::str::contains("and 2 more")),
        );
    assert_eq!(
        std::fs::read(env.store().join("v1.0.0/msr-webchat.umd.js")).unwrap(),
        before
    );
}

/// A pipeline publishes on every push: the same version with the same files again is a
/// success that changes nothing; with `--promote` it still moves the aliases that are behind.
#[test]
fn publishing_identical_files_again_succeeds_and_changes_nothing() {
    let env = Env::new();
    env.publish("1.0.0", false);
    let history = |env: &Env| env.json(&["history"])["events"].as_array().unwrap().len();
    let before = history(&env);
    let doc = env.json(&["publish", env.widget("1.0.0").to_str().unwrap(), "--yes"]);
    assert_eq!(doc["applied"], false, "{doc:#}");
    assert!(
        doc["plan"]["notes"][0]
            .as_str()
            .unwrap()
            .contains("already published with identical files"),
        "{doc:#}"
    );
    assert_eq!(history(&env), before, "nothing was recorded");
    // --promote: not promoted yet, so the aliases move, and nothing is uploaded.
    let out = env
        .cmd()
        .arg("publish")
        .arg(env.widget("1.0.0"))
        .args(["--promote", "--yes"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("identical files") && stdout.contains("latest"),
        "{stdout}"
    );
    assert!(!stdout.contains("+ upload"), "{stdout}");
    assert_eq!(
        std::fs::read(env.store().join("latest/msr-webchat.umd.js")).unwrap(),
        std::fs::read(env.store().join("v1.0.0/msr-webchat.umd.js")).unwrap()
    );
    // And again: everything is current, nothing to do.
    env.cmd()
        .arg("publish")
        .arg(env.widget("1.0.0"))
        .args(["--promote", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to change"));
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
    env.cmd()
        .args(["publish", "dist-cnd", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the build folder 'dist-cnd' does not exist",
        ));
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
    env.cmd().arg("init").assert().success();
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

#[test]
fn secrets_are_refused_litter_is_left_out_and_entry_files_are_required() {
    let env = Env::new();
    let mut files = common::widget_files("1.0.0", 1);
    // Secrets anywhere in the build: refused with the reason, nothing uploaded.
    for (name, shown, why) in [
        (".env", ".env", "a credentials file"),
        (
            "config/.env.production",
            "config/.env.production",
            "a credentials file",
        ),
        (".git/HEAD", ".git", "a version-control folder"),
        ("certs/server.pem", "certs/server.pem", "a private key"),
    ] {
        let mut with = files.clone();
        with.push((name, "SECRET=1".into()));
        let dist = env.build(&format!("b-{}", name.replace('/', "-")), "1.0.0", &with);
        common::refused(
            &env,
            &["publish", dist.to_str().unwrap(), "--yes"],
            2,
            &format!("'{shown}' looks like {why}"),
        );
    }
    assert!(!env.store().join("v1.0.0").exists(), "nothing was uploaded");
    // A name with a line break is refused, shown escaped.
    let mut odd = files.clone();
    odd.push(("bad\nname.js", "x".into()));
    let dist = env.build("odd", "1.0.0", &odd);
    common::refused(
        &env,
        &["publish", dist.to_str().unwrap(), "--yes"],
        2,
        "\"bad\\nname.js\" has a control character",
    );
    // OS litter and other hidden files are left out, and the plan says so.
    files.push((".DS_Store", "junk".into()));
    files.push(("assets/._icon.png", "junk".into()));
    files.push((".eslintcache", "{}".into()));
    let dist = env.build("litter", "1.0.0", &files);
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "not published: .DS_Store (operating-system file), .eslintcache (hidden file), assets/._icon.png (operating-system file)",
        ));
    let published = files_under(&env.store().join("v1.0.0"));
    assert!(
        published
            .iter()
            .all(|f| !f.contains(".DS_Store") && !f.contains("._icon") && !f.contains(".eslint")),
        "{published:?}"
    );
    // A build without the widget's entry files is refused unless asked for.
    let partial = env.build("partial", "1.1.0", &[("msr-webchat.umd.js", "x".into())]);
    common::refused(
        &env,
        &["publish", partial.to_str().unwrap(), "--yes"],
        2,
        "lacks msr-webchat.es.js, style.css (the widget's entry files)",
    );
    env.cmd()
        .arg("publish")
        .arg(&partial)
        .args(["--yes", "--allow-missing-entries"])
        .assert()
        .success();
}

#[test]
fn a_profile_names_its_own_entry_files() {
    let env = Env::with_config(
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\nentry_files = [\"app.js\"]\n",
    );
    let ok = env.build("ok", "1.0.0", &[("app.js", "x".into())]);
    env.cmd()
        .arg("publish")
        .arg(&ok)
        .arg("--yes")
        .assert()
        .success();
    let bad = env.build("bad", "1.0.1", &[("msr-webchat.umd.js", "x".into())]);
    common::refused(
        &env,
        &["publish", bad.to_str().unwrap(), "--yes"],
        2,
        "lacks app.js",
    );
}
