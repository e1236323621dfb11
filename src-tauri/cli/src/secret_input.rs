//! Secrets a person types: the password of `account create` and `account login`, the token of
//! `github login --with-token` and `token set`. On a terminal they are prompted for and read
//! without echo (nothing of them stays on the screen or in its scrollback); from a pipe they
//! are the first line of standard input, as scripts send them.

use codemyspec_core::{Error, Result};
use std::io::{BufRead, IsTerminal};

/// One secret line, without its line ending; `what` names it in an error.
pub fn read_secret(prompt: &str, what: &str) -> Result<String> {
    let io_err = |source| Error::Io { context: format!("cannot read the {what}"), source };
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt).map_err(io_err);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(io_err)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}
