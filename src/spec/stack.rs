//! The project-level facts of a web stack, read from `templates/stacks/<stack>/stack.toml`.
//!
//! Every layer below the REST adapter is shared by all stacks (`templates/project/base`), and
//! the shared templates must not name a web framework. What they need to know about the stack
//! (its dependencies, the commands that serve it, the files the image needs, the modules the
//! inner layers must not import, a few phrases for the docs, its files that belong to an
//! optional part) is data in the stack's folder, so that adding a stack adds a folder and
//! touches neither the shared templates nor this code. This module reads that file and turns it
//! into the `stack` object templates read, with the commands already rendered for each place
//! that runs them (Makefile, Dockerfile, docs).

use anyhow::{Context as _, Result, anyhow};
use serde_json::{Value, json};
use toml_edit::{DocumentMut, Item, Table};

use crate::render::templates;
use crate::spec::features::Feature;

/// The placeholder of the listening port in `server_command` and `dev_command`.
const PORT: &str = "{port}";

/// The port the image and the docs use.
const DEFAULT_PORT: &str = "8000";

/// The facts of one stack, as its `stack.toml` states them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackData {
    pub name: String,
    /// One line for prompts and `--help` (what the stack is made of).
    pub describe: String,
    pub framework: String,
    pub server: String,
    pub dev_server: String,
    pub adapter: String,
    pub server_command: Vec<String>,
    pub dev_command: Vec<String>,
    pub runtime_files: Vec<String>,
    pub dependencies: Vec<String>,
    pub dev_dependencies: Vec<String>,
    pub mypy_path: String,
    /// The REST adapter's packages as one layer of import-linter's layers contract.
    pub adapter_layer: String,
    pub container_lookups: Vec<String>,
    pub framework_modules: Vec<String>,
    /// The stack's files that exist only while a part is on, as in `features.toml`.
    pub parts: Vec<(Feature, Vec<String>)>,
    pub readme_layout: Vec<String>,
    pub readme_server_notes: String,
    /// The REST framework's row of the README's table of tools.
    pub readme_tool: String,
    /// `(file, points)` rows of the README's marker table.
    pub readme_markers: Vec<(String, String)>,
}

/// The path of a stack's data file inside `templates/`.
pub fn data_path(stack: &str) -> String {
    format!("stacks/{stack}/stack.toml")
}

impl StackData {
    /// Reads the embedded `templates/stacks/<stack>/stack.toml`.
    pub fn load(stack: &str) -> Result<Self> {
        let path = data_path(stack);
        Self::parse(stack, templates::source(&path)?)
            .with_context(|| format!("template `{path}` is not valid stack data"))
    }

    /// Parses the text of a `stack.toml`; every key is required except `python.mypy_path` and
    /// `parts`.
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let doc: DocumentMut = text.parse()?;
        let root = doc.as_table();
        let python = table(root, "python")?;
        let imports = table(root, "imports")?;
        let readme = table(root, "readme")?;
        let parts = match root.get("parts") {
            None => Vec::new(),
            Some(item) => {
                let parts = item
                    .as_table()
                    .ok_or_else(|| anyhow!("`parts` is not a table"))?;
                let mut rules = Vec::new();
                for (key, _) in parts.iter() {
                    let feature = Feature::ALL
                        .into_iter()
                        .find(|f| f.key() == key)
                        .ok_or_else(|| anyhow!("`parts` names an unknown part `{key}`"))?;
                    rules.push((feature, strings(parts, key)?));
                }
                rules
            }
        };
        let markers = readme
            .get("markers")
            .and_then(Item::as_array)
            .ok_or_else(|| anyhow!("`readme.markers` is missing or not an array"))?
            .iter()
            .map(|row| {
                let row = row
                    .as_inline_table()
                    .ok_or_else(|| anyhow!("`readme.markers` holds a non-table"))?;
                let field = |key: &str| {
                    row.get(key)
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                        .ok_or_else(|| anyhow!("a row of `readme.markers` has no string `{key}`"))
                };
                Ok((field("file")?, field("points")?))
            })
            .collect::<Result<Vec<_>>>()?;
        let data = StackData {
            name: name.to_string(),
            describe: string(root, "describe")?,
            framework: string(root, "framework")?,
            server: string(root, "server")?,
            dev_server: string(root, "dev_server")?,
            adapter: string(root, "adapter")?,
            server_command: strings(root, "server_command")?,
            dev_command: strings(root, "dev_command")?,
            runtime_files: strings(root, "runtime_files")?,
            dependencies: strings(python, "dependencies")?,
            dev_dependencies: strings(python, "dev_dependencies")?,
            mypy_path: match python.get("mypy_path") {
                None => String::new(),
                Some(_) => string(python, "mypy_path")?,
            },
            adapter_layer: string(imports, "adapter")?,
            container_lookups: strings(imports, "container_lookups")?,
            framework_modules: strings(imports, "framework_modules")?,
            parts,
            readme_layout: strings(readme, "layout")?,
            readme_server_notes: string(readme, "server_notes")?,
            readme_tool: string(readme, "tool")?,
            readme_markers: markers,
        };
        for (key, command) in [
            ("server_command", &data.server_command),
            ("dev_command", &data.dev_command),
        ] {
            if command.is_empty() {
                return Err(anyhow!("`{key}` is empty"));
            }
        }
        Ok(data)
    }

    /// The `stack` object templates read. Commands come in the form each place needs:
    /// `*_make` for the Makefile (port `$(PORT)`), `server_command` for the docs and
    /// `server_exec` (a JSON array) for the image's `CMD`, both on port 8000.
    pub fn to_value(&self) -> Value {
        let shell = |command: &[String], port: &str| {
            command
                .iter()
                .map(|arg| arg.replace(PORT, port))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let exec: Vec<String> = self
            .server_command
            .iter()
            .map(|arg| Value::from(arg.replace(PORT, DEFAULT_PORT)).to_string())
            .collect();
        let markers: Vec<Value> = self
            .readme_markers
            .iter()
            .map(|(file, points)| json!({ "file": file, "points": points }))
            .collect();
        json!({
            "name": self.name,
            "framework": self.framework,
            "server": self.server,
            "dev_server": self.dev_server,
            "adapter": self.adapter,
            "server_command": shell(&self.server_command, DEFAULT_PORT),
            "server_exec": format!("[{}]", exec.join(", ")),
            "server_make": shell(&self.server_command, "$(PORT)"),
            "dev_make": shell(&self.dev_command, "$(PORT)"),
            "runtime_files": self.runtime_files,
            "dependencies": self.dependencies,
            "dev_dependencies": self.dev_dependencies,
            "mypy_path": self.mypy_path,
            "imports": {
                "adapter": self.adapter_layer,
                "container_lookups": self.container_lookups,
                "framework_modules": self.framework_modules,
            },
            "readme": {
                "layout": self.readme_layout,
                "server_notes": self.readme_server_notes,
                "tool": self.readme_tool,
                "markers": markers,
            },
        })
    }
}

fn table<'a>(parent: &'a Table, key: &str) -> Result<&'a Table> {
    parent
        .get(key)
        .and_then(Item::as_table)
        .ok_or_else(|| anyhow!("`{key}` is missing or not a table"))
}

fn string(parent: &Table, key: &str) -> Result<String> {
    parent
        .get(key)
        .and_then(Item::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("`{key}` is missing or not a string"))
}

fn strings(parent: &Table, key: &str) -> Result<Vec<String>> {
    parent
        .get(key)
        .and_then(Item::as_array)
        .ok_or_else(|| anyhow!("`{key}` is missing or not an array"))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| anyhow!("`{key}` holds a non-string"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Stack;

    #[test]
    fn every_stack_has_valid_data() {
        for stack in Stack::all() {
            let data = StackData::load(stack.as_str()).unwrap();
            assert_eq!(data.name, stack.as_str());
            assert!(!data.dependencies.is_empty(), "{}", data.name);
            assert!(!data.framework_modules.is_empty(), "{}", data.name);
        }
    }

    #[test]
    fn shared_templates_name_no_web_framework() {
        // What each stack's data names, plus words of the flask stack that are not module names.
        let mut words = vec!["flask".to_string(), "smorest".into(), "blueprint".into()];
        for stack in Stack::all() {
            let data = StackData::load(stack.as_str()).unwrap();
            words.extend(data.framework_modules.iter().map(|m| m.to_lowercase()));
            words.push(data.server.to_lowercase());
            words.push(data.framework.to_lowercase());
        }
        for root in ["project/base", "resource/base"] {
            for (path, body) in templates::files_under(root).unwrap() {
                let text = format!("{path}\n{body}").to_lowercase();
                for word in &words {
                    assert!(!text.contains(word.as_str()), "`{path}` names `{word}`");
                }
            }
        }
    }

    #[test]
    fn commands_are_rendered_for_each_place_that_runs_them() {
        let data = StackData::parse(
            "demo",
            r#"
            describe = "a demo"
            framework = "Demo"
            server = "demo-server"
            dev_server = "the demo reloader"
            adapter = "routers"
            server_command = ["serve", "app:app", "--port", "{port}"]
            dev_command = ["serve", "--reload", "--port={port}"]
            runtime_files = []
            [python]
            dependencies = ["demo>=1"]
            dev_dependencies = []
            [imports]
            adapter = "app.controller"
            container_lookups = []
            framework_modules = ["demo"]
            [parts]
            auth = ["app/controller/auth_controller.py"]
            [readme]
            layout = []
            server_notes = ""
            tool = ""
            markers = [{ file = "app/controller/__init__.py", points = "`routers`" }]
            "#,
        )
        .unwrap();
        let value = data.to_value();
        assert_eq!(value["server_command"], "serve app:app --port 8000");
        assert_eq!(value["server_make"], "serve app:app --port $(PORT)");
        assert_eq!(value["dev_make"], "serve --reload --port=$(PORT)");
        assert_eq!(
            value["server_exec"],
            r#"["serve", "app:app", "--port", "8000"]"#
        );
        assert_eq!(value["mypy_path"], "");
        assert_eq!(value["readme"]["markers"][0]["points"], "`routers`");
        assert_eq!(data.parts[0].0, Feature::Auth);
    }

    #[test]
    fn unknown_parts_and_missing_keys_are_refused() {
        let err = StackData::parse("demo", "framework = \"x\"").unwrap_err();
        assert!(err.to_string().contains("python"), "{err}");
        let text = StackData::load("flask").map(|_| ()).is_ok();
        assert!(text);
        let source = templates::source(&data_path("flask")).unwrap();
        let broken = source.replace("[parts]\nauth", "[parts]\nbilling");
        let err = StackData::parse("flask", &broken).unwrap_err();
        assert!(err.to_string().contains("unknown part `billing`"), "{err}");
    }

    /// The REST tests of a resource and of auth/health are one contract for both stacks: the
    /// fastapi ones are the flask ones with the test client's API translated, and only the
    /// lines listed here differ otherwise, so that a change to one stack's tests that is not
    /// made to the other's fails here.
    #[test]
    fn the_rest_contract_tests_of_the_stacks_do_not_drift() {
        const CLIENT: &[(&str, &str)] = &[
            (
                "from flask.testing import FlaskClient",
                "from fastapi.testclient import TestClient",
            ),
            ("FlaskClient", "TestClient"),
            (".get_json()", ".json()"),
            ("response.data", "response.text"),
            ("app.test_client()", "TestClient(app)"),
        ];
        // Beyond the client: httpx's way of sending raw bodies, and Pydantic's `Z` for UTC.
        const AUTH: &[(&str, &str)] = &[
            (
                "from collections.abc import Callable\n",
                "from collections.abc import Callable\nfrom datetime import datetime, timedelta\n",
            ),
            (
                "ME = \"/api/v1/auth/me\"\n",
                "ME = \"/api/v1/auth/me\"\nJSON_CONTENT = {\"Content-Type\": \"application/json\"}\n",
            ),
            (
                "data=\"{broken\", content_type=\"application/json\"",
                "content=\"{broken\", headers=JSON_CONTENT",
            ),
            (
                "data=\"x\" * (2 * 1024 * 1024), content_type=\"application/json\"",
                "content=\"x\" * (2 * 1024 * 1024), headers=JSON_CONTENT",
            ),
            (
                "assert body[\"created_at\"].endswith(\"+00:00\")",
                "assert datetime.fromisoformat(body[\"created_at\"]).utcoffset() == timedelta(0)",
            ),
        ];
        let files: &[(&str, &[(&str, &str)])] = &[
            (
                "resource/{}/tests/controller/test___resource_snake___controller.py.tera",
                &[],
            ),
            (
                "project/{}/tests/controller/test_health_controller.py.tera",
                &[],
            ),
            ("project/{}/tests/controller/test_auth_controller.py", AUTH),
        ];
        for (path, extra) in files {
            let flask = templates::source(&path.replace("{}", "flask")).unwrap();
            let fastapi = templates::source(&path.replace("{}", "fastapi")).unwrap();
            let translated = CLIENT
                .iter()
                .chain(extra.iter())
                .fold(flask.to_string(), |text, (from, to)| text.replace(from, to));
            assert_eq!(translated, fastapi, "{path}");
        }
    }
}
