//! `make bindings`: writes the window's TypeScript bindings to the path given (the Makefile
//! passes `ui/src/bindings.ts`; `make check-bindings` passes a temporary file to compare).

fn main() {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: bindings PATH (e.g. ui/src/bindings.ts)");
        std::process::exit(2);
    };
    if let Err(e) = codemyspec_desktop::write_bindings(std::path::Path::new(&path)) {
        eprintln!("cannot write the bindings to {}: {e}", std::path::Path::new(&path).display());
        std::process::exit(1);
    }
}
