//! Injection of registration lines into generated files at `# arcana:<point>` markers.
//!
//! `arcana new` writes marker comments wherever later commands must register something (a
//! blueprint, a servicer, a model import). Injection inserts lines directly above the marker,
//! with the marker's indentation, and is idempotent: a block that is already present is not
//! added again. A missing or repeated marker is an error naming the file and the marker, never a
//! silent skip.

use crate::error::UserError;

/// Lines to insert above one marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    /// The marker point, e.g. `blueprints` for `# arcana:blueprints`.
    pub point: String,
    /// The lines to insert, without the marker's indentation (relative indentation is kept).
    pub lines: Vec<String>,
}

impl Injection {
    pub fn new(point: &str, text: &str) -> Self {
        Self {
            point: point.to_string(),
            lines: text.lines().map(str::to_string).collect(),
        }
    }
}

/// The marker comment for a point.
pub fn marker(point: &str) -> String {
    format!("# arcana:{point}")
}

/// Applies injections to the text of `file` (named in errors), returning the new text.
pub fn inject(file: &str, text: &str, injections: &[Injection]) -> Result<String, UserError> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for injection in injections {
        let wanted = marker(&injection.point);
        let positions: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim() == wanted)
            .map(|(i, _)| i)
            .collect();
        let at = match positions.as_slice() {
            [one] => *one,
            [] => {
                return Err(UserError::new(format!(
                    "Marker `{wanted}` is missing from `{file}`"
                ))
                .hint(format!(
                    "Restore the line `{wanted}` where registrations belong (see the project's README), then run the command again"
                )));
            }
            many => {
                let numbers: Vec<String> = many.iter().map(|i| (i + 1).to_string()).collect();
                return Err(UserError::new(format!(
                    "Marker `{wanted}` appears {} times in `{file}` (lines {})",
                    many.len(),
                    numbers.join(", ")
                ))
                .hint("Keep exactly one of them, then run the command again"));
            }
        };
        let indent: String = lines[at]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        let block: Vec<String> = injection
            .lines
            .iter()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{indent}{l}")
                }
            })
            .collect();
        if block.is_empty() || contains_block(&lines, &block) {
            continue;
        }
        lines.splice(at..at, block);
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// Removes the lines injections put above their markers (the reverse of [`inject`]); a block
/// that is not there is left alone, a missing marker is an error as for [`inject`].
pub fn remove(file: &str, text: &str, injections: &[Injection]) -> Result<String, UserError> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for injection in injections {
        let wanted = marker(&injection.point);
        let Some(at) = lines.iter().position(|l| l.trim() == wanted) else {
            return Err(UserError::new(format!(
                "Marker `{wanted}` is missing from `{file}`"
            ))
            .hint(format!(
                "Restore the line `{wanted}` where registrations belong (see the project's README), then run the command again"
            )));
        };
        let indent: String = lines[at]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        let block: Vec<String> = injection
            .lines
            .iter()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{indent}{l}")
                }
            })
            .collect();
        if block.is_empty() {
            continue;
        }
        if let Some(start) = lines.windows(block.len()).position(|w| w == block) {
            lines.drain(start..start + block.len());
        }
    }
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

fn contains_block(lines: &[String], block: &[String]) -> bool {
    lines.windows(block.len()).any(|w| w == block)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
from app.controller.auth_controller import blp as auth_blp
# arcana:blueprint-imports


def register_blueprints(api: Api) -> None:
    api.register_blueprint(auth_blp)
    # arcana:blueprints
";

    #[test]
    fn removal_reverses_injection() {
        let injections = [
            Injection::new(
                "blueprint-imports",
                "from app.controller.p import blp as p_blp",
            ),
            Injection::new("blueprints", "api.register_blueprint(p_blp)"),
        ];
        let added = inject("c.py", FILE, &injections).unwrap();
        assert_ne!(added, FILE);
        assert_eq!(remove("c.py", &added, &injections).unwrap(), FILE);
        assert_eq!(remove("c.py", FILE, &injections).unwrap(), FILE);
    }

    #[test]
    fn inserts_above_marker_with_its_indentation() {
        let out = inject(
            "app/controller/__init__.py",
            FILE,
            &[
                Injection::new(
                    "blueprint-imports",
                    "from app.controller.product_controller import blp as product_blp",
                ),
                Injection::new("blueprints", "api.register_blueprint(product_blp)"),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "\
from app.controller.auth_controller import blp as auth_blp
from app.controller.product_controller import blp as product_blp
# arcana:blueprint-imports


def register_blueprints(api: Api) -> None:
    api.register_blueprint(auth_blp)
    api.register_blueprint(product_blp)
    # arcana:blueprints
"
        );
    }

    #[test]
    fn keeps_relative_indentation_of_multi_line_blocks() {
        let text = "class C:\n    # arcana:fields\n";
        let out = inject(
            "c.py",
            text,
            &[Injection::new(
                "fields",
                "def f(self) -> int:\n    return 1",
            )],
        )
        .unwrap();
        assert_eq!(
            out,
            "class C:\n    def f(self) -> int:\n        return 1\n    # arcana:fields\n"
        );
    }

    #[test]
    fn is_idempotent() {
        let injections = [Injection::new(
            "blueprints",
            "api.register_blueprint(product_blp)",
        )];
        let once = inject("f.py", FILE, &injections).unwrap();
        let twice = inject("f.py", &once, &injections).unwrap();
        assert_eq!(once, twice);
    }

    #[test]
    fn missing_marker_names_file_and_marker() {
        let err = inject(
            "app/wiring.py",
            "x = 1\n",
            &[Injection::new("wiring", "y = 2")],
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Marker `# arcana:wiring` is missing from `app/wiring.py`"
        );
        assert!(
            err.hint
                .unwrap()
                .contains("Restore the line `# arcana:wiring`")
        );
    }

    #[test]
    fn duplicated_marker_is_refused() {
        let text = "# arcana:wiring\nx = 1\n    # arcana:wiring\n";
        let err = inject("app/wiring.py", text, &[Injection::new("wiring", "y = 2")]).unwrap_err();
        assert_eq!(
            err.message,
            "Marker `# arcana:wiring` appears 2 times in `app/wiring.py` (lines 1, 3)"
        );
    }

    #[test]
    fn marker_text_must_match_exactly() {
        let text = "# arcana:wiring-args\n";
        assert!(inject("w.py", text, &[Injection::new("wiring", "y")]).is_err());
    }

    #[test]
    fn keeps_missing_trailing_newline() {
        let out = inject("f.py", "# arcana:x", &[Injection::new("x", "a")]).unwrap();
        assert_eq!(out, "a\n# arcana:x");
    }
}
