//! Errors the user can fix, kept apart from internal failures.
//!
//! A [`UserError`] names what is wrong and, where possible, carries a `hint` with the fix. The
//! top-level runner prints it without a backtrace and exits with a distinct code; every other
//! error is an internal failure.

use std::fmt;

/// A problem with the user's input or environment, with an optional hint that says the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UserError {}
