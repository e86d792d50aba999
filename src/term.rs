//! Terminal output that survives a closed pipe.
//!
//! `print!` panics when stdout is gone (`clr-conformance requirements | head -1`).
//! Everything the harness prints goes through `out!`/`outln!`/`errln!` instead:
//! a write error (a broken pipe above all) closes that stream quietly for the
//! rest of the process, and the command ends with the exit code its work
//! earned, as ripgrep does. The crate denies `print!`-family macros outside tests.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Write to stdout; after the first failed write, nothing more is attempted.
pub fn write_out(args: fmt::Arguments) {
    write_to(&STDOUT_CLOSED, std::io::stdout().lock(), args);
}

/// Write to stderr; after the first failed write, nothing more is attempted.
pub fn write_err(args: fmt::Arguments) {
    write_to(&STDERR_CLOSED, std::io::stderr().lock(), args);
}

/// True once a write to stdout has failed (a reader closed the pipe).
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

fn write_to(closed: &AtomicBool, mut w: impl Write, args: fmt::Arguments) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    if w.write_fmt(args).and_then(|()| w.flush()).is_err() {
        closed.store(true, Ordering::Relaxed);
    }
}

/// `print!` that never panics.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::term::write_out(format_args!($($arg)*)) };
}

/// `println!` that never panics.
#[macro_export]
macro_rules! outln {
    () => { $crate::term::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::term::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` that never panics.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::term::write_err(format_args!("{}\n", format_args!($($arg)*))) };
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Broken(usize);
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            self.0 += 1;
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_broken_stream_is_closed_after_the_first_failure() {
        let closed = AtomicBool::new(false);
        let mut w = Broken(0);
        write_to(&closed, &mut w, format_args!("a"));
        assert!(closed.load(Ordering::Relaxed));
        write_to(&closed, &mut w, format_args!("b"));
        assert_eq!(w.0, 1, "no write is attempted once closed");
    }
}
