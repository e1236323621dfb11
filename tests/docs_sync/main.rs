//! The docs sync through the `codemyspec` binary, with two data dirs standing in for two
//! machines and one docs repository behind the local smart-HTTP git server. Runs under
//! `tests/with-session.sh` (the tokens live in the keyring), as `make test` does.

mod edits;
mod handmade;
mod machine;
mod notices;
mod team;
