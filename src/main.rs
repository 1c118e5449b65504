//! The `arcana` binary: parses arguments and hands over to the library.
//!
//! Everything interesting lives in the library crate so that it can be unit tested; this file
//! only turns the outcome into a process exit code.

fn main() -> std::process::ExitCode {
    arcana::run()
}
