//! Turning validated specs into file contents in memory: the embedded templates, the fast
//! renderer in front of Tera, the Python layout rules, the field-type table and the view model
//! of a resource.

pub mod hoist;
pub mod pyfmt;
pub mod templates;
pub mod types;
pub mod user;
pub mod view;
