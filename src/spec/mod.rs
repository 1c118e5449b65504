//! What the user asked for, validated: project and resource names, field specs, plurals and
//! the optional parts of a project. Nothing here renders or writes; everything here can refuse.

pub mod defaults;
pub mod features;
pub mod fields;
pub mod inflect;
pub mod names;
pub mod proto;
pub mod reserved;
pub mod resource;
pub mod stack;
pub mod user;
