//! The torture run: two release managers at once doing random changes (publish, promote,
//! rollback, yank, pin a channel, unpin, allowlist edits) against moto and against Azurite,
//! while one of them is killed with SIGKILL at a random moment and the server is frozen at
//! random moments (Azurite: SIGSTOP/SIGCONT of a server of this test's own; moto, shared by
//! other tests: the freezing proxy of `common::freeze`, which holds every byte the same way).
//! After every step, and a `resume` when a manager died, it checks what users and managers
//! rely on:
//! - `verify` is clean: every alias folder holds exactly its target's files, so no alias serves
//!   files of two releases once a change or its resume has ended;
//! - history lists every change a manager was told was done exactly once;
//! - no lock is left behind (a dead manager's lock is taken over by `resume`);
//! - the allowlist file equals the last applied edits.
//!
//! Every failure names the seed; `SHIPDECK_TORTURE_SEED=N` replays it, and
//! `SHIPDECK_TORTURE_STEPS` sets the length (the test command runs a few steps per backend;
//! `scripts/bench.sh` runs 1,000).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::azure::{Azurite, KEY, check_at};
use common::freeze::Proxy;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// A small deterministic generator (splitmix64): a seed replays the same run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const VERSIONS: [&str; 7] = [
    "1.0.0",
    "1.0.1",
    "1.0.2",
    "1.1.0",
    "1.1.1",
    "2.0.0",
    "2.1.0-rc.1",
];
const ALIASES: [&str; 5] = ["latest", "v1", "v1.0", "v1.1", "v2"];
const ORIGINS: [&str; 4] = [
    "https://a.example.com",
    "https://b.example.com",
    "https://c.example.com",
    "https://d.example.com",
];
/// Refusals a manager may get when another one got there first or a rule says no.
const EXPECTED_REFUSALS: [&str; 6] = [
    "refused",
    "refused_by_rule",
    "locked",
    "conflict",
    "unfinished",
    "invalid_alias",
];

/// One random change, as command-line arguments; an allowlist edit also names its effect.
fn random_change(rng: &mut Rng, env: &Env, origin: &str) -> (Vec<String>, Option<(bool, String)>) {
    let v = rng.pick(&VERSIONS);
    let s = |x: &[&str]| x.iter().map(ToString::to_string).collect::<Vec<_>>();
    match rng.below(9) {
        0 | 1 => {
            let dist = env.path().join(format!("build-{v}/dist-cdn"));
            let mut a = s(&["publish", dist.to_str().unwrap()]);
            if rng.chance(60) && !v.contains('-') {
                a.push("--promote".into());
            }
            (a, None)
        }
        2 if v.contains('-') => (s(&["promote", v, "--alias", "next"]), None),
        2 => (s(&["promote", v]), None),
        3 => (s(&["rollback", rng.pick(&ALIASES)]), None),
        4 => (s(&["rollback", rng.pick(&ALIASES), "--to", v]), None),
        5 => (s(&["yank", v, "--reason", "torture"]), None),
        6 => (s(&["unpin", rng.pick(&["latest", "v1", "next"])]), None),
        7 => (
            s(&["origins", "add", origin]),
            Some((true, origin.to_string())),
        ),
        _ => (
            s(&["origins", "remove", origin]),
            Some((false, origin.to_string())),
        ),
    }
}

/// How a backend is reached and frozen.
trait Backend: Send + Sync {
    fn config(&self) -> String;
    fn env(&self, c: &mut Command);
    fn freeze(&self);
    fn thaw(&self);
}

struct S3 {
    bucket: String,
    proxy: Proxy,
}

impl Backend for S3 {
    fn config(&self) -> String {
        common::s3::config(
            &self.bucket,
            None,
            &format!("http://127.0.0.1:{}", self.proxy.port),
            "",
        )
    }
    fn env(&self, c: &mut Command) {
        c.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE");
    }
    fn freeze(&self) {
        self.proxy.freeze();
    }
    fn thaw(&self) {
        self.proxy.thaw();
    }
}

struct Azure {
    server: Azurite,
    container: String,
}

impl Backend for Azure {
    fn config(&self) -> String {
        common::azure::config(&self.container, &self.server.endpoint, "", "")
    }
    fn env(&self, c: &mut Command) {
        c.env("AZURE_STORAGE_KEY", KEY)
            .env_remove("AZURE_STORAGE_CONNECTION_STRING")
            .env_remove("AZURE_STORAGE_SAS_TOKEN");
    }
    fn freeze(&self) {
        self.server.signal("-STOP");
    }
    fn thaw(&self) {
        self.server.signal("-CONT");
    }
}

struct Run {
    env: Env,
    backend: Arc<dyn Backend>,
    seed: u64,
    /// History ids of every change a manager was told was done, with the command.
    done: HashMap<String, String>,
    /// The allowlist as the applied edits left it.
    allowlist: BTreeSet<String>,
    /// How commands ended: done, killed, or the refusal's code.
    tally: BTreeMap<String, usize>,
}

/// What became of one manager's command.
enum Ended {
    Done(Value),
    /// Refused, with the error's code.
    Refused(String),
    Killed,
}

impl Run {
    fn command(&self, user: &str, args: &[String]) -> Command {
        let all: Vec<&str> = ["--json", "--yes"]
            .into_iter()
            .chain(args.iter().map(String::as_str))
            .collect();
        let mut c = self.env.std_cmd(&all);
        self.backend.env(&mut c);
        c.env("SHIPDECK_USER", user)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "torture run failed (replay with SHIPDECK_TORTURE_SEED={}): {what}",
            self.seed
        )
    }

    fn ended(&self, child: Child, args: &[String]) -> Ended {
        let out = child.wait_with_output().unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        match out.status.code() {
            None => Ended::Killed,
            Some(0) => Ended::Done(doc),
            Some(code) => {
                let kind = doc["error"]["code"]
                    .as_str()
                    .or_else(|| doc["code"].as_str())
                    .unwrap_or_default()
                    .to_string();
                if !EXPECTED_REFUSALS.contains(&kind.as_str()) {
                    self.fail(&format!(
                        "{args:?} exited {code} ({kind}): {}\n{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
                Ended::Refused(kind)
            }
        }
    }

    /// One step: two managers at once, maybe a kill, maybe a frozen server.
    fn step(&mut self, rng: &mut Rng) {
        let first = rng.below(ORIGINS.len());
        let second = (first + 1 + rng.below(ORIGINS.len() - 1)) % ORIGINS.len();
        let changes = [
            random_change(rng, &self.env, ORIGINS[first]),
            random_change(rng, &self.env, ORIGINS[second]),
        ];
        let mut children: Vec<Option<Child>> = changes
            .iter()
            .enumerate()
            .map(|(i, (args, _))| {
                Some(self.command(&format!("manager-{i}"), args).spawn().unwrap())
            })
            .collect();
        // A frozen server, for a moment shorter than any give-up bound.
        let freeze = rng
            .chance(30)
            .then(|| (rng.below(800) as u64, 200 + rng.below(1500) as u64));
        let freezer = freeze.map(|(after, hold)| {
            let b = self.backend.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(after));
                b.freeze();
                std::thread::sleep(Duration::from_millis(hold));
                b.thaw();
            })
        });
        // A manager killed mid-change.
        if rng.chance(35) {
            let victim = rng.below(2);
            std::thread::sleep(Duration::from_millis(5 + rng.below(400) as u64));
            if let Some(c) = children[victim].as_mut() {
                let _ = c.kill();
            }
        }
        let mut killed = false;
        let before = self.allowlist.clone();
        let mut maybe = Vec::new();
        for (i, child) in children.iter_mut().enumerate() {
            let (args, edit) = &changes[i];
            let ended = self.ended(child.take().unwrap(), args);
            let word = match &ended {
                Ended::Done(_) => "done".to_string(),
                Ended::Refused(kind) => kind.clone(),
                Ended::Killed => "killed".to_string(),
            };
            *self.tally.entry(word).or_default() += 1;
            match ended {
                Ended::Done(doc) => {
                    if let Some(id) = doc["report"]["history_id"].as_str() {
                        self.done.insert(id.to_string(), args.join(" "));
                    }
                    if let Some((add, o)) = edit {
                        if *add {
                            self.allowlist.insert(o.clone());
                        } else {
                            self.allowlist.remove(o);
                        }
                    }
                }
                Ended::Refused(_) => {}
                Ended::Killed => {
                    killed = true;
                    maybe.extend(edit.clone());
                }
            }
        }
        if let Some(f) = freezer {
            f.join().unwrap();
        }
        self.backend.thaw();
        if killed {
            self.resume();
        }
        self.check(&before, &maybe);
    }

    fn resume(&self) {
        let args = vec!["resume".to_string()];
        let child = self.command("resumer", &args).spawn().unwrap();
        match self.ended(child, &args) {
            Ended::Done(_) | Ended::Refused(_) => {}
            Ended::Killed => self.fail("resume was killed"),
        }
    }

    fn run_json(&self, args: &[&str]) -> (i32, Value) {
        let args: Vec<String> = args.iter().map(ToString::to_string).collect();
        let out = self.command("checker", &args).output().unwrap();
        let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code().unwrap_or(-1), doc)
    }

    /// The invariants, after every step.
    fn check(&mut self, before: &BTreeSet<String>, killed_edits: &[(bool, String)]) {
        let (code, doc) = self.run_json(&["verify"]);
        if code != 0 {
            self.fail(&format!("verify is not clean (exit {code}): {doc}"));
        }
        let (_, doc) = self.run_json(&["history"]);
        let mut seen: HashMap<String, usize> = HashMap::new();
        for e in doc["events"].as_array().cloned().unwrap_or_default() {
            *seen
                .entry(e["id"].as_str().unwrap_or_default().to_string())
                .or_default() += 1;
        }
        if let Some((id, n)) = seen.iter().find(|(_, n)| **n > 1) {
            self.fail(&format!("history lists {id} {n} times"));
        }
        for (id, what) in &self.done {
            if !seen.contains_key(id) {
                self.fail(&format!(
                    "'{what}' was done ({id}) but history does not list it"
                ));
            }
        }
        let (_, doc) = self.run_json(&["unlock", "--dry-run"]);
        if doc["message"] != "no lock was held" {
            self.fail(&format!("a lock was left behind: {doc}"));
        }
        // The allowlist: the applied edits; a killed edit either landed whole or not at all.
        let text = std::fs::read_to_string(self.env.path().join("bridge.env")).unwrap();
        let now: BTreeSet<String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .filter(|(k, _)| k.trim().ends_with("_ORIGINS"))
            .flat_map(|(_, v)| {
                v.split('#')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|o| o.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|o| !o.is_empty())
            .collect();
        let mut possible = vec![self.allowlist.clone()];
        for (add, o) in killed_edits {
            let mut p = self.allowlist.clone();
            if *add {
                p.insert(o.clone());
            } else {
                p.remove(o);
            }
            possible.push(p);
        }
        if !possible.contains(&now) {
            self.fail(&format!(
                "the allowlist is {now:?}; the applied edits leave {:?} (before the step {before:?})",
                self.allowlist
            ));
        }
        self.allowlist = now;
    }
}

fn steps() -> usize {
    std::env::var("SHIPDECK_TORTURE_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12)
}

fn seed() -> u64 {
    std::env::var("SHIPDECK_TORTURE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

fn torture(backend: Arc<dyn Backend>) {
    let seed = seed();
    println!("torture seed {seed} (replay with SHIPDECK_TORTURE_SEED={seed})");
    let initial = "ALLOWED_ORIGINS=https://app.example.com\nADDITIONAL_ORIGINS=\n";
    let config = format!(
        "{}bridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }} }}\n",
        backend.config()
    );
    let env = Env::with_config(&config);
    std::fs::write(env.path().join("bridge.env"), initial).unwrap();
    for v in VERSIONS {
        env.widget(v);
    }
    let mut run = Run {
        env,
        backend,
        seed,
        done: HashMap::new(),
        allowlist: ["https://app.example.com".to_string()].into(),
        tally: BTreeMap::new(),
    };
    // A store with releases to act on from the first step.
    for (v, promote) in [("1.0.0", true), ("1.1.0", false)] {
        let dist = run.env.path().join(format!("build-{v}/dist-cdn"));
        let mut args = vec!["publish".to_string(), dist.to_str().unwrap().to_string()];
        if promote {
            args.push("--promote".into());
        }
        let child = run.command("setup", &args).spawn().unwrap();
        match run.ended(child, &args) {
            Ended::Done(doc) => {
                let id = doc["report"]["history_id"].as_str().unwrap().to_string();
                run.done.insert(id, args.join(" "));
            }
            _ => run.fail("publishing the first releases failed"),
        }
    }
    let mut rng = Rng(seed);
    for _ in 0..steps() {
        run.step(&mut rng);
    }
    println!(
        "torture seed {seed}: {} steps, all invariants held; commands: {:?}",
        steps(),
        run.tally
    );
}

#[test]
fn two_managers_kills_and_a_frozen_server_on_s3() {
    let bucket = common::s3::bucket("torture");
    let up = common::s3::endpoint()
        .trim_start_matches("http://")
        .to_string();
    let proxy = Proxy::start(up, Box::new(|_| false));
    torture(Arc::new(S3 { bucket, proxy }));
}

#[test]
fn two_managers_kills_and_a_frozen_server_on_azure() {
    let server = Azurite::start();
    let container = format!("torture-{:08x}", common::unique() as u32);
    check_at(&server.endpoint, &["create-container", &container]);
    torture(Arc::new(Azure { server, container }));
}
