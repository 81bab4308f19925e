//! The `eventflux` command-line tool's subcommands.

pub mod api_docs;
pub mod bench;
pub mod connectors;
pub mod docs;
pub mod jsonl;
pub mod out;
pub mod read;
pub mod replay;
pub mod status;
