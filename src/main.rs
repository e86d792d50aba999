//! The `clr-conformance` binary: parse arguments, dispatch, exit with the run's code.

/// mimalloc, not glibc's malloc: about 30% of a verify (reports/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(clr_conformance::cli::main());
}
