//! Verifying inputs as they are read, on all cores, with memory flat in their number:
//! the main thread reads items and hands them out, at most a few per worker ahead of
//! the first unfinished one, and merges each input's findings in input order as soon as
//! it is done (so the report does not depend on scheduling). A document is dropped once
//! verified; the report keeps counts and a capped number of findings per row.

use super::inputs::Item;
use crate::cli::common::Progress;
use crate::credential::verify::{self, VerifyOptions};
use crate::evidence::{Check, Recorder};
use crate::report::model::MAX_ROW_FINDINGS;
use std::collections::BTreeMap;
use std::sync::{Mutex, mpsc};

/// Inputs handed out per worker beyond the first unfinished one.
const AHEAD_PER_WORKER: usize = 4;

/// Verify every item; `done` sees each input's own findings, in input order, before
/// they are merged. Returns the merged findings and the number of inputs.
pub fn verify_all(
    items: impl Iterator<Item = Item>,
    opts: &VerifyOptions,
    progress: &Progress,
    mut done: impl FnMut(&str, &Recorder),
) -> (Recorder, usize) {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut rec = Recorder::capped(MAX_ROW_FINDINGS);
    let mut count = 0;
    let mut finish = |name: &str, one: Recorder, rec: &mut Recorder| {
        done(name, &one);
        rec.merge(one);
        progress.inc();
    };
    if workers == 1 {
        // One worker runs here: a spawned thread would get its own malloc arena,
        // which glibc grows a page per mprotect call (hundreds for one file).
        for item in items {
            let one = judge(&item, opts);
            finish(&item.name, one, &mut rec);
            count += 1;
        }
        return (rec, count);
    }
    let (job_tx, job_rx) = mpsc::channel::<(usize, Item)>();
    let (out_tx, out_rx) = mpsc::channel::<(usize, Item, Recorder)>();
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let out_tx = out_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || {
                loop {
                    let job = job_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((index, item))) = job else { break };
                    let one = judge(&item, opts);
                    if out_tx.send((index, item, one)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(out_tx);
        let window = workers * AHEAD_PER_WORKER;
        let mut items = items.fuse();
        let mut sent = 0;
        let mut pending: BTreeMap<usize, (Item, Recorder)> = BTreeMap::new();
        loop {
            while sent - count < window {
                let Some(item) = items.next() else { break };
                if job_tx.send((sent, item)).is_err() {
                    break;
                }
                sent += 1;
            }
            if count == sent {
                break;
            }
            let Ok((index, item, one)) = out_rx.recv() else {
                break;
            };
            pending.insert(index, (item, one));
            while let Some((item, one)) = pending.remove(&count) {
                finish(&item.name, one, &mut rec);
                count += 1;
            }
        }
        drop(job_tx);
    });
    (rec, count)
}

/// One input's findings. A panic in a verifier is reported for that input, and the
/// run goes on with the next.
fn judge(item: &Item, opts: &VerifyOptions) -> Recorder {
    let run = || {
        let mut one = Recorder::capped(MAX_ROW_FINDINGS);
        match &item.read {
            Ok(bytes) => verify::verify_bytes(bytes, opts, &mut one, &item.name),
            Err(why) => {
                if item.skipped {
                    // Also in the header: the finding's row may be outside the role.
                    one.note(format!("{}: not read: {why}", item.name));
                }
                unreadable(&mut one, &item.name, why);
            }
        }
        one
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        let mut one = Recorder::new();
        one.note(format!("harness error: verifying {} panicked", item.name));
        one
    })
}

/// An input that could not be read at all (missing file, failed fetch, over-long
/// line): a harness error, not a broken document rule.
fn unreadable(rec: &mut Recorder, name: &str, why: &str) {
    let mut c = Check::new("read input", &["verify.input.formats"]);
    c.subject(name);
    c.error(
        "verify.input.formats",
        format!("{name}: cannot be read: {why}"),
    );
    rec.finish(c);
}
