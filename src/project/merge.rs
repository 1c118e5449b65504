//! Three-way merge of a file the user edited with arcana's new version of it.
//!
//! The base is what arcana generated last time (rendered again from what `arcana.toml`
//! recorded), "ours" is the file on disk and "theirs" the new rendering: the user's changes and
//! arcana's changes since the base are combined line by line (`diffy`). Changes to the same
//! lines are a conflict, which the caller reports with its hunks before anything is written.

/// The outcome of merging one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The user's and arcana's changes combined.
    Clean(String),
    /// Both changed the same lines: the conflicting hunks, in the usual marker format.
    Conflict(Vec<String>),
}

/// Merges `ours` (on disk) and `theirs` (arcana's new version) from their common `base`.
pub fn merge(base: &str, ours: &str, theirs: &str) -> Merged {
    if ours == base {
        return Merged::Clean(theirs.to_string());
    }
    if theirs == base || ours == theirs {
        return Merged::Clean(ours.to_string());
    }
    match diffy::merge(base, ours, theirs) {
        Ok(text) => Merged::Clean(text),
        Err(marked) => {
            let (text, left) = resolve_insertions(&marked);
            if left.is_empty() {
                Merged::Clean(text)
            } else {
                Merged::Conflict(left)
            }
        }
    }
}

/// Resolves the conflicts where both sides only inserted lines at the same place (a user's
/// function appended at the end of the file, arcana's new field at the end of the class before
/// it): arcana's lines continue the generated code above, so they come first, then the user's.
/// Returns the text and the conflicts that remain.
fn resolve_insertions(marked: &str) -> (String, Vec<String>) {
    #[derive(PartialEq)]
    enum Part {
        Outside,
        Ours,
        Original,
        Theirs,
    }
    let mut out = String::new();
    let mut left = Vec::new();
    let mut part = Part::Outside;
    let (mut ours, mut original, mut theirs, mut block) =
        (String::new(), String::new(), String::new(), String::new());
    for line in marked.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        match part {
            Part::Outside if bare.starts_with("<<<<<<<") => {
                part = Part::Ours;
                block = line.to_string();
                continue;
            }
            Part::Outside => out.push_str(line),
            _ if bare.starts_with("|||||||") => part = Part::Original,
            _ if bare == "=======" => part = Part::Theirs,
            _ if bare.starts_with(">>>>>>>") => {
                block.push_str(line);
                if original.is_empty() {
                    out.push_str(&theirs);
                    out.push_str(&ours);
                } else {
                    out.push_str(&block);
                    left.push(block.trim_end().to_string());
                }
                part = Part::Outside;
                ours.clear();
                original.clear();
                theirs.clear();
                continue;
            }
            Part::Ours => ours.push_str(line),
            Part::Original => original.push_str(line),
            Part::Theirs => theirs.push_str(line),
        }
        if part != Part::Outside {
            block.push_str(line);
        }
    }
    (out, left)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "import a\n\n\ndef f():\n    return 1\n\n\nclass Product:\n    name: str\n";

    #[test]
    fn user_additions_survive_a_new_field() {
        let ours = BASE.replace("import a\n", "import a\nimport mine\n")
            + "\n\ndef my_helper():\n    return 2\n";
        let theirs = BASE.replace("    name: str\n", "    name: str\n    weight: float\n");
        let Merged::Clean(merged) = merge(BASE, &ours, &theirs) else {
            panic!("expected a clean merge");
        };
        assert!(merged.contains("import mine\n"));
        assert!(merged.contains("def my_helper"));
        assert!(merged.contains("    weight: float\n"));
    }

    #[test]
    fn insertions_at_the_same_place_put_arcanas_first() {
        let base = "class A:\n    x: int\n";
        let ours = format!("{base}\n\ndef mine() -> None:\n    pass\n");
        let theirs = format!("{base}    y: int\n");
        assert_eq!(
            merge(base, &ours, &theirs),
            Merged::Clean(
                "class A:\n    x: int\n    y: int\n\n\ndef mine() -> None:\n    pass\n".into()
            )
        );
    }

    #[test]
    fn the_same_lines_changed_twice_conflict_with_the_hunk() {
        let ours = BASE.replace("return 1", "return 10");
        let theirs = BASE.replace("return 1", "return 2");
        let Merged::Conflict(hunks) = merge(BASE, &ours, &theirs) else {
            panic!("expected a conflict");
        };
        assert_eq!(hunks.len(), 1);
        assert!(hunks[0].contains("return 10") && hunks[0].contains("return 2"));
    }

    #[test]
    fn one_sided_changes_take_that_side() {
        assert_eq!(merge(BASE, BASE, "x\n"), Merged::Clean("x\n".into()));
        assert_eq!(merge(BASE, "y\n", BASE), Merged::Clean("y\n".into()));
    }
}
