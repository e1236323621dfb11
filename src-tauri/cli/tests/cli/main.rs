//! The `codemyspec` binary end to end, against real database files in temp dirs.

mod support;

mod errors;
mod help;
mod scenario;
