//! The `clr-conformance` binary: parse arguments, dispatch, exit with the run's code.

fn main() {
    std::process::exit(clr_conformance::cli::main());
}
