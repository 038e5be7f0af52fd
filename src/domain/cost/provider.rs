//! The clouds Shipdeck prices and deploys to: a closed set, so an unknown one is a parse error
//! that lists the valid names (in a pricing file, a usage file, or `--provider`), never a
//! string compared in forty places.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Amazon Web Services: S3 and CloudFront.
    Aws,
    /// Microsoft Azure: Blob Storage and Front Door.
    Azure,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Aws, Provider::Azure];

    /// The name in files, arguments and JSON: `aws`, `azure`.
    pub fn key(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Azure => "azure",
        }
    }

    /// The name in sentences: "AWS", "Azure".
    pub fn name(self) -> &'static str {
        match self {
            Provider::Aws => "AWS",
            Provider::Azure => "Azure",
        }
    }

    /// The name as a column heading: "AWS", "AZURE".
    pub fn heading(self) -> &'static str {
        match self {
            Provider::Aws => "AWS",
            Provider::Azure => "AZURE",
        }
    }

    /// The other provider, for a side-by-side comparison.
    pub fn other(self) -> Provider {
        match self {
            Provider::Aws => Provider::Azure,
            Provider::Azure => Provider::Aws,
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_provider_is_refused_with_the_valid_names() {
        #[derive(Debug, Deserialize)]
        struct F {
            provider: Provider,
        }
        let e = toml::from_str::<F>("provider = \"gcp\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("aws") && e.contains("azure"), "{e}");
        for p in Provider::ALL {
            let f: F = toml::from_str(&format!("provider = \"{p}\"")).unwrap();
            assert_eq!(f.provider, p);
            assert_eq!(p.other().other(), p);
        }
    }
}
