//! The workflow templates Shipdeck ships (assets/workflows), made ready for one repository by
//! `shipdeck workflows --owner ORG`: the owner of the Shipdeck action is set once there, and the
//! action's major tag comes from the crate's version (the one source of truth the action, the
//! release workflow and this command share).

/// The placeholder owner of the action in the templates.
pub const OWNER_PLACEHOLDER: &str = "YOUR-ORG";

/// Which cloud's templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Cloud {
    /// S3 + CloudFront, with aws-actions/configure-aws-credentials (OIDC).
    Aws,
    /// Azure Blob + Front Door, with azure/login (OIDC).
    Azure,
}

/// One template: the file name it is written as, and its text.
pub struct Template {
    pub file: &'static str,
    pub text: &'static str,
}

const AWS: [Template; 3] = [
    Template {
        file: "deploy.yml",
        text: include_str!("../../assets/workflows/deploy.yml"),
    },
    Template {
        file: "rollback.yml",
        text: include_str!("../../assets/workflows/rollback.yml"),
    },
    Template {
        file: "verify-nightly.yml",
        text: include_str!("../../assets/workflows/verify-nightly.yml"),
    },
];

const AZURE: [Template; 3] = [
    Template {
        file: "deploy.yml",
        text: include_str!("../../assets/workflows/deploy-azure.yml"),
    },
    Template {
        file: "rollback.yml",
        text: include_str!("../../assets/workflows/rollback-azure.yml"),
    },
    Template {
        file: "verify-nightly.yml",
        text: include_str!("../../assets/workflows/verify-nightly-azure.yml"),
    },
];

/// The Bridge's deploy (§4.2), for either cloud's widget: its name is the one a profile's
/// `deploy_workflow` names for `origins apply` to dispatch.
const BRIDGE: Template = Template {
    file: crate::bridge::github::DEFAULT_DEPLOY_WORKFLOW,
    text: include_str!("../../assets/workflows/deploy-bridge.yml"),
};

/// The templates of `cloud`, the Bridge's deploy with them when `bridge`.
pub fn templates(cloud: Cloud, bridge: bool) -> Vec<&'static Template> {
    let mut out: Vec<&'static Template> = match cloud {
        Cloud::Aws => AWS.iter().collect(),
        Cloud::Azure => AZURE.iter().collect(),
    };
    if bridge {
        out.push(&BRIDGE);
    }
    out
}

/// The action reference the templates use: `OWNER/shipdeck@vMAJOR`.
pub fn action_ref(owner: &str) -> String {
    format!("{owner}/shipdeck@v{}", env!("CARGO_PKG_VERSION_MAJOR"))
}

/// A template made ready for `owner`'s repository.
pub fn render(t: &Template, owner: &str) -> String {
    t.text
        .replace(&action_ref(OWNER_PLACEHOLDER), &action_ref(owner))
        .replace(OWNER_PLACEHOLDER, owner)
}

/// Checks a GitHub user or organisation name; the error names it, control characters removed.
pub fn check_owner(owner: &str) -> Result<(), crate::error::InputError> {
    let ok = !owner.is_empty()
        && owner.len() <= 39
        && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !owner.starts_with('-')
        && !owner.ends_with('-')
        && !owner.contains("--");
    if ok {
        Ok(())
    } else {
        Err(crate::error::InputError::Owner(
            owner.chars().filter(|c| !c.is_control()).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_references_the_action_at_the_crates_major_version() {
        for cloud in [Cloud::Aws, Cloud::Azure] {
            for t in templates(cloud, true) {
                assert!(
                    t.text.contains(&action_ref(OWNER_PLACEHOLDER)),
                    "{} must use {}",
                    t.file,
                    action_ref(OWNER_PLACEHOLDER)
                );
                let r = render(t, "acme");
                assert!(!r.contains(OWNER_PLACEHOLDER) && r.contains("acme/shipdeck@v"));
                assert!(!r.contains("uses: ./"), "{}", t.file);
            }
        }
        assert!(check_owner("acme-corp").is_ok());
        for bad in ["", "-x", "a--b", "a/b", "a b", &"x".repeat(40)] {
            assert!(check_owner(bad).is_err(), "{bad}");
        }
    }
}
