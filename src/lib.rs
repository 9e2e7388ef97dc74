//! Carnet: front-desk check-in and multi-session cards for clubs.
//!
//! `domain` contains the rules, `store` the sled database, `desk` the check-in use case,
//! `tui` the terminal application and `cli` the command line.
#![forbid(unsafe_code)]

pub mod backups;
pub mod cli;
pub mod config;
pub mod demo;
pub mod desk;
pub mod domain;
pub mod i18n;
pub mod import;
pub mod messages;
pub mod print;
pub mod reports;
pub mod search;
pub mod session_cards;
pub mod store;
pub mod tui;
