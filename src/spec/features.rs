//! The optional parts of a generated project (gRPC, cache, worker, auth).
//!
//! `arcana new` records the choice in `arcana.toml [features]`, and every later command reads it
//! back so that what it adds fits the project. Templates see the choice as `features.<name>`;
//! whole files that belong to one part are listed in `templates/<kind>/features.toml` and left
//! out of the plan when that part is off.

use anyhow::{Context as _, Result, anyhow};
use serde_json::{Map, Value};
use toml_edit::DocumentMut;

use crate::project::manifest::Manifest;
use crate::render::templates::{self, PathVars, RenderedFile};

/// One optional part of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Grpc,
    Cache,
    Worker,
    Auth,
}

impl Feature {
    /// Every optional part, in the order prompts and `arcana.toml` list them.
    pub const ALL: [Feature; 4] = [
        Feature::Grpc,
        Feature::Cache,
        Feature::Worker,
        Feature::Auth,
    ];

    /// The key in `arcana.toml` and in templates.
    pub fn key(self) -> &'static str {
        match self {
            Feature::Grpc => "grpc",
            Feature::Cache => "cache",
            Feature::Worker => "worker",
            Feature::Auth => "auth",
        }
    }

    /// One line describing the part in prompts.
    pub fn describe(self) -> &'static str {
        match self {
            Feature::Grpc => "gRPC: protos and a gRPC server over the same services",
            Feature::Cache => "cache: Redis read-through cache in the services",
            Feature::Worker => "worker: Celery worker for background jobs (email)",
            Feature::Auth => "auth: users, JWT login/refresh, protected endpoints",
        }
    }
}

/// Which optional parts a project has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    pub grpc: bool,
    pub cache: bool,
    pub worker: bool,
    pub auth: bool,
}

impl Default for Features {
    fn default() -> Self {
        Features::all()
    }
}

impl Features {
    /// Every optional part on: the default of `arcana new`.
    pub fn all() -> Self {
        Features {
            grpc: true,
            cache: true,
            worker: true,
            auth: true,
        }
    }

    pub fn has(&self, feature: Feature) -> bool {
        match feature {
            Feature::Grpc => self.grpc,
            Feature::Cache => self.cache,
            Feature::Worker => self.worker,
            Feature::Auth => self.auth,
        }
    }

    pub fn set(&mut self, feature: Feature, on: bool) {
        match feature {
            Feature::Grpc => self.grpc = on,
            Feature::Cache => self.cache = on,
            Feature::Worker => self.worker = on,
            Feature::Auth => self.auth = on,
        }
    }

    /// The parts that are on, by key.
    pub fn enabled(&self) -> Vec<&'static str> {
        Feature::ALL
            .iter()
            .filter(|f| self.has(**f))
            .map(|f| f.key())
            .collect()
    }

    /// The choice recorded in a project's `arcana.toml`; a part it does not mention is on (the
    /// projects of earlier versions had every part).
    pub fn from_manifest(manifest: &Manifest) -> Self {
        let recorded = manifest.features();
        let mut features = Features::all();
        for feature in Feature::ALL {
            if let Some((_, on)) = recorded.iter().find(|(k, _)| k == feature.key()) {
                features.set(feature, *on);
            }
        }
        features
    }

    /// Whether the project uses Redis: the cache and the worker's broker are its only users.
    pub fn redis(&self) -> bool {
        self.cache || self.worker
    }

    /// The `features` object templates read: each part by key (`features.grpc`, ...) and
    /// `features.redis`, derived here so that templates do not repeat the rule.
    pub fn to_value(self) -> Value {
        let mut map = Map::new();
        for feature in Feature::ALL {
            map.insert(feature.key().to_string(), Value::Bool(self.has(feature)));
        }
        map.insert("redis".to_string(), Value::Bool(self.redis()));
        Value::Object(map)
    }

    /// Drops the files that belong to a part that is off, per `templates/<kind>/features.toml`.
    /// Patterns are output paths, with `dot-` and `__var__` segments translated by `path_vars`.
    pub fn filter(
        &self,
        kind: &str,
        files: Vec<RenderedFile>,
        path_vars: &PathVars<'_>,
    ) -> Result<Vec<RenderedFile>> {
        self.filter_with(kind, &[], files, path_vars)
    }

    /// [`Features::filter`] with the stack's own part lists (its `stack.toml [parts]`) added to
    /// the shared ones.
    pub fn filter_with(
        &self,
        kind: &str,
        stack_rules: &[(Feature, Vec<String>)],
        files: Vec<RenderedFile>,
        path_vars: &PathVars<'_>,
    ) -> Result<Vec<RenderedFile>> {
        let rules: Vec<(Feature, Vec<String>)> = rules(kind)?
            .into_iter()
            .chain(stack_rules.iter().cloned())
            .map(|(feature, patterns)| {
                let patterns = patterns
                    .iter()
                    .map(|p| templates::output_path(p, path_vars))
                    .collect();
                (feature, patterns)
            })
            .collect();
        Ok(files
            .into_iter()
            .filter(|file| {
                rules.iter().all(|(feature, patterns)| {
                    self.has(*feature) || !patterns.iter().any(|p| covers(p, &file.path))
                })
            })
            .collect())
    }
}

/// Whether a `features.toml` pattern covers an output path: a pattern ending in `/` covers a
/// folder, any other pattern one file.
fn covers(pattern: &str, path: &str) -> bool {
    if pattern.ends_with('/') {
        path.starts_with(pattern)
    } else {
        path == pattern
    }
}

/// The file patterns of each part for one template kind (`project`, `resource`).
fn rules(kind: &str) -> Result<Vec<(Feature, Vec<String>)>> {
    let path = format!("{kind}/features.toml");
    let doc: DocumentMut = templates::source(&path)?
        .parse()
        .with_context(|| format!("template `{path}` is not valid TOML"))?;
    let mut rules = Vec::new();
    for (key, item) in doc.iter() {
        let feature = Feature::ALL
            .into_iter()
            .find(|f| f.key() == key)
            .ok_or_else(|| anyhow!("template `{path}` names an unknown feature `{key}`"))?;
        let patterns = item
            .as_array()
            .ok_or_else(|| anyhow!("`{key}` in template `{path}` is not an array"))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| anyhow!("`{key}` in template `{path}` holds a non-string"))
            })
            .collect::<Result<Vec<_>>>()?;
        rules.push((feature, patterns));
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> RenderedFile {
        RenderedFile {
            path: path.to_string(),
            contents: String::new(),
        }
    }

    #[test]
    fn folder_patterns_cover_their_files_only() {
        assert!(covers("app/grpc/", "app/grpc/server.py"));
        assert!(!covers("app/grpc/", "app/grpcx.py"));
        assert!(covers("k8s/grpc.yaml", "k8s/grpc.yaml"));
        assert!(!covers("k8s/grpc.yaml", "k8s/grpc.yaml.bak"));
    }

    #[test]
    fn every_rule_file_parses_and_names_known_features() {
        for kind in ["project", "resource"] {
            let rules = rules(kind).unwrap();
            assert!(!rules.is_empty(), "{kind}");
        }
    }

    #[test]
    fn filter_drops_the_files_of_parts_that_are_off() {
        let files = vec![
            file("app/grpc/server.py"),
            file("app/wiring.py"),
            file("protos/x/v1/auth.proto"),
        ];
        let all = Features::all()
            .filter("project", files.clone(), &[("__project_snake__", "x")])
            .unwrap();
        assert_eq!(all.len(), 3);
        let mut no_grpc = Features::all();
        no_grpc.set(Feature::Grpc, false);
        let kept = no_grpc
            .filter("project", files, &[("__project_snake__", "x")])
            .unwrap();
        assert_eq!(kept, vec![file("app/wiring.py")]);
    }

    #[test]
    fn values_and_enabled_lists_follow_the_flags() {
        let mut features = Features::all();
        features.set(Feature::Cache, false);
        assert_eq!(features.enabled(), vec!["grpc", "worker", "auth"]);
        assert_eq!(features.to_value()["cache"], Value::Bool(false));
        assert_eq!(features.to_value()["auth"], Value::Bool(true));
        assert_eq!(features.to_value()["redis"], Value::Bool(true));
        features.set(Feature::Worker, false);
        assert_eq!(features.to_value()["redis"], Value::Bool(false));
    }
}
