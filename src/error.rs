//! Errors the user can fix, kept apart from internal failures.
//!
//! A [`UserError`] names what is wrong and, where possible, carries a `hint` with the fix. The
//! top-level runner prints it without a backtrace and exits with a distinct code; every other
//! error is an internal failure.

/// A problem with the user's input or environment, with an optional hint that says the fix.
///
/// It displays as its message alone; the hint is printed on its own `hint:` line (see
/// `STYLE.md`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    /// What went wrong, naming the thing in backticks.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl UserError {
    /// An error without a hint.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    /// Adds the fix to show under the error.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
