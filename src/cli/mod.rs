//! The command line: clap arguments become a plain struct (`args`), each
//! subcommand module turns it into a plan and runs it. No judging logic here.

pub mod args;
pub mod common;
pub mod judge;
mod report_cmd;
mod requirements;
pub mod run;
mod serve;
pub mod values;
pub mod vectors;
pub mod verify;

use crate::report::model::exit;
use args::{Cli, Command};
use clap::{CommandFactory, Parser};

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Requirements(a) => requirements::run(&a),
        Command::Report(a) => report_cmd::run(&a),
        Command::Run(a) => run::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Serve(a) => serve::run(&a),
        Command::Judge(a) => judge::run(&a),
        Command::Vectors(a) => vectors::run(&a),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
        Command::Keygen { out } => crate::attest::keygen(&out).map(|did| {
            crate::outln!("wrote {} ({did})", out.display());
            exit::OK
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            crate::errln!("clr-conformance: {e:#}");
            exit::USAGE
        }
    }
}

/// `completions SHELL`: the script clap_complete makes from the argument definitions.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<i32> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "clr-conformance", &mut buf);
    crate::out!("{}", String::from_utf8_lossy(&buf));
    Ok(exit::OK)
}

/// `man`: the roff page clap_mangen makes from the argument definitions.
fn man() -> anyhow::Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    crate::out!("{}", String::from_utf8_lossy(&buf));
    Ok(exit::OK)
}
