//! `shipdeck workflows`: the workflow templates written into a repository, the action's owner
//! set once.

use super::args::Global;
use super::exit;
use super::output::print_json;
use crate::ci::templates::{Cloud, check_owner, render, templates};
use crate::error::{Error, Result};
use serde_json::json;
use std::path::Path;

pub fn write(
    g: &Global,
    owner: &str,
    cloud: Cloud,
    bridge: bool,
    dir: &Path,
    force: bool,
) -> Result<i32> {
    check_owner(owner)?;
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let mut written = Vec::new();
    let mut kept = Vec::new();
    for t in templates(cloud, bridge) {
        let path = dir.join(t.file);
        if path.exists() && !force {
            kept.push(path.display().to_string());
            continue;
        }
        std::fs::write(&path, render(t, owner))
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        written.push(path.display().to_string());
    }
    if g.json {
        print_json(&json!({ "written": written, "kept": kept }));
    } else {
        for w in &written {
            println!("wrote {w}");
        }
        for k in &kept {
            println!("kept {k} (it exists; --force overwrites it)");
        }
        println!(
            "The workflows use {}; zizmor users allow that tag with a zizmor.yml policy \"{owner}/*\": ref-pin.",
            crate::ci::templates::action_ref(owner)
        );
    }
    Ok(exit::OK)
}
