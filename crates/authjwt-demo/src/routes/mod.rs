//! The handlers, by concern.

pub(crate) mod account;
pub(crate) mod devices;
pub(crate) mod dual;
pub(crate) mod page;
pub(crate) mod resources;
