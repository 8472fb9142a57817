//! Lifecycle stages of a version, and the ways to point at a version of a model
//! (`churn@3`, `churn@production`, `churn@latest`, or just `churn`).

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use super::CatalogError;

/// Where a version is in its life. New versions start at `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    None,
    Staging,
    Production,
    Archived,
}

impl Stage {
    /// Every stage, in lifecycle order.
    pub const ALL: [Stage; 4] = [
        Stage::None,
        Stage::Staging,
        Stage::Production,
        Stage::Archived,
    ];

    /// The stored and command-line name (lower case).
    pub fn name(self) -> &'static str {
        match self {
            Stage::None => "none",
            Stage::Staging => "staging",
            Stage::Production => "production",
            Stage::Archived => "archived",
        }
    }

    /// The name a person reads.
    pub fn title(self) -> &'static str {
        match self {
            Stage::None => "None",
            Stage::Staging => "Staging",
            Stage::Production => "Production",
            Stage::Archived => "Archived",
        }
    }

    /// The stage stored under `name`, as written by [`Stage::name`].
    pub(crate) fn from_stored(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.name() == name)
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}

impl FromStr for Stage {
    type Err = CatalogError;

    /// Case-insensitive: `production`, `Production` and `PRODUCTION` are one stage.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let lower = text.trim().to_ascii_lowercase();
        Stage::from_stored(&lower).ok_or_else(|| CatalogError::UnknownStage(text.to_string()))
    }
}

/// Which version of a model a reference means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSelector {
    /// The version with this number.
    Number(i64),
    /// The version most recently moved into this stage that is still in it.
    Stage(Stage),
    /// The highest version number.
    Latest,
}

impl VersionSelector {
    /// Split `churn@3`, `churn@Production` or `churn` (latest) into name and selector.
    pub fn parse_reference(text: &str) -> Result<(String, VersionSelector), CatalogError> {
        let bad = || CatalogError::BadReference(text.to_string());
        let (name, selector) = match text.rsplit_once('@') {
            None => (text, VersionSelector::Latest),
            Some((name, what)) => {
                let what = what.trim();
                let selector = if what.eq_ignore_ascii_case("latest") {
                    VersionSelector::Latest
                } else if let Ok(number) = what.parse::<i64>() {
                    VersionSelector::Number(number)
                } else {
                    VersionSelector::Stage(what.parse().map_err(|_| bad())?)
                };
                (name, selector)
            }
        };
        if name.trim().is_empty() {
            return Err(bad());
        }
        Ok((name.to_string(), selector))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_are_case_insensitive_and_round_trip() {
        for stage in Stage::ALL {
            assert_eq!(stage.name().parse::<Stage>().unwrap(), stage);
            assert_eq!(stage.title().parse::<Stage>().unwrap(), stage);
            assert_eq!(Stage::from_stored(stage.name()), Some(stage));
        }
        assert_eq!("PRODUCTION".parse::<Stage>().unwrap(), Stage::Production);
        assert_eq!(
            "prod".parse::<Stage>().unwrap_err().to_string(),
            "'prod' is not a stage; use none, staging, production or archived"
        );
    }

    #[test]
    fn references_name_a_number_a_stage_or_the_latest_version() {
        use VersionSelector::*;
        let parse = |t| VersionSelector::parse_reference(t).unwrap();
        assert_eq!(parse("churn@3"), ("churn".into(), Number(3)));
        assert_eq!(
            parse("churn@Production"),
            ("churn".into(), Stage(super::Stage::Production))
        );
        assert_eq!(parse("churn@latest"), ("churn".into(), Latest));
        assert_eq!(parse("churn"), ("churn".into(), Latest));
        assert!(VersionSelector::parse_reference("churn@best").is_err());
        assert!(VersionSelector::parse_reference("@3").is_err());
    }
}
