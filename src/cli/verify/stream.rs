//! Verifying inputs as they are read, on all cores, with memory flat in their number:
//! the main thread lists inputs and hands them out in small batches, at most a few
//! per worker ahead of the first unfinished one. A worker reads each input of its
//! batch (files are read where they are verified), verifies it, drops it and merges
//! its findings into the batch's; the main thread merges batches in input order (so
//! the report does not depend on scheduling). The report keeps counts and a capped
//! number of findings per row, never documents.

use super::inputs::Item;
use super::per_credential::{self, Levels};
use crate::cli::common::Progress;
use crate::credential::verify::{self, VerifyOptions};
use crate::evidence::{Check, Recorder};
use crate::report::model::MAX_ROW_FINDINGS;
use std::collections::BTreeMap;
use std::sync::{Mutex, mpsc};

/// Batches handed out per worker beyond the first unfinished one.
const AHEAD_PER_WORKER: usize = 4;
/// A batch ends at this many inputs or this many bytes (one hand-over per batch, not
/// per input; a large input travels alone).
const BATCH_INPUTS: usize = 16;
const BATCH_BYTES: usize = 1 << 20;

/// A batch verified: its findings merged in order, and each input's line.
struct Judged {
    rec: Recorder,
    lines: Vec<String>,
    inputs: usize,
}

/// Verify every item; with `levels` (`--per-credential`), `write` gets each input's
/// line, made on the worker from the input's own findings, in input order.
/// Returns the merged findings and the number of inputs. `at_most`: how many inputs
/// there can be, when known (no more workers than inputs).
pub fn verify_all(
    items: impl Iterator<Item = Item>,
    at_most: Option<usize>,
    opts: &VerifyOptions,
    progress: &Progress,
    levels: Option<&Levels>,
    mut write: impl FnMut(String),
) -> (Recorder, usize) {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(at_most.unwrap_or(usize::MAX).max(1));
    let mut rec = Recorder::capped(MAX_ROW_FINDINGS);
    let mut count = 0;
    if workers == 1 {
        // One worker runs here: a spawned thread would get its own malloc arena,
        // which glibc grows a page per mprotect call (hundreds for one file).
        for item in items {
            let j = judge_batch(vec![item], opts, levels, progress);
            j.lines.into_iter().for_each(&mut write);
            rec.merge(j.rec);
            count += j.inputs;
        }
        return (rec, count);
    }
    let (job_tx, job_rx) = mpsc::channel::<(usize, Vec<Item>)>();
    let (out_tx, out_rx) = mpsc::channel::<(usize, Judged)>();
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let out_tx = out_tx.clone();
            let job_rx = &job_rx;
            scope.spawn(move || {
                loop {
                    let job = job_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((index, batch))) = job else { break };
                    let judged = judge_batch(batch, opts, levels, progress);
                    if out_tx.send((index, judged)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(out_tx);
        let window = workers * AHEAD_PER_WORKER;
        let mut items = items.fuse().peekable();
        let (mut sent, mut merged) = (0, 0);
        let mut pending: BTreeMap<usize, Judged> = BTreeMap::new();
        loop {
            while sent - merged < window && items.peek().is_some() {
                let mut batch = Vec::new();
                let mut bytes = 0usize;
                while batch.len() < BATCH_INPUTS && bytes < BATCH_BYTES {
                    let Some(item) = items.next() else { break };
                    bytes = bytes.saturating_add(item.weight());
                    batch.push(item);
                }
                if job_tx.send((sent, batch)).is_err() {
                    break;
                }
                sent += 1;
            }
            if merged == sent {
                break;
            }
            let Ok((index, judged)) = out_rx.recv() else {
                break;
            };
            pending.insert(index, judged);
            while let Some(j) = pending.remove(&merged) {
                j.lines.into_iter().for_each(&mut write);
                rec.merge(j.rec);
                count += j.inputs;
                merged += 1;
            }
        }
        drop(job_tx);
    });
    (rec, count)
}

/// A batch's findings, merged in input order, and each input's line.
fn judge_batch(
    batch: Vec<Item>,
    opts: &VerifyOptions,
    levels: Option<&Levels>,
    progress: &Progress,
) -> Judged {
    let mut out = Judged {
        rec: Recorder::capped(MAX_ROW_FINDINGS),
        lines: Vec::new(),
        inputs: batch.len(),
    };
    for item in batch {
        let name = item.name.clone();
        let one = judge(item, opts);
        if let Some(l) = levels {
            out.lines
                .push(per_credential::line(&name, &one, l).to_json());
        }
        out.rec.merge(one);
        progress.inc();
    }
    out
}

/// One input's findings. A panic in a verifier is reported for that input, and the
/// run goes on with the next.
fn judge(item: Item, opts: &VerifyOptions) -> Recorder {
    let name = item.name.clone();
    let skipped = item.skipped;
    let run = || {
        let mut one = Recorder::capped(MAX_ROW_FINDINGS);
        match item.bytes() {
            Ok(bytes) => verify::verify_bytes(&bytes, opts, &mut one, &name),
            Err(why) => {
                if skipped {
                    // Also in the header: the finding's row may be outside the role.
                    one.note(format!("{name}: not read: {why}"));
                }
                unreadable(&mut one, &name, &why);
            }
        }
        one
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        let mut one = Recorder::new();
        one.note(format!("harness error: verifying {name} panicked"));
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
