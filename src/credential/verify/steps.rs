//! The verification algorithm's registry: each step of `verify_once` is a unit
//! over [`Step`] (the credential, the options, and what earlier steps handed
//! on), walked in order by the one runner (`suites::registry`). Steps apply by
//! position (depth, kind, whether this copy may be refreshed); none has a
//! prerequisite another step must give, so nothing is ever blocked.

use super::{DOCUMENT, ENDORSEMENTS, Kind, MAX_NESTING, NESTED, REFRESH, Subject, VerifyOptions};
use crate::credential::jsonld::Unsigned;
use crate::registry::{self, CheckSpec};

/// One credential under verification and what its steps hand on.
pub(super) struct Step<'s, 'a> {
    pub s: &'s Subject<'a>,
    pub opts: &'s VerifyOptions,
    /// The kind its position implies (see `verify_once`).
    pub hint: Option<Kind>,
    /// False for a refreshed copy: it is never refreshed again.
    pub may_refresh: bool,
    /// The credential without its proof, as the data-loss rule expanded it (for the proof's hash).
    pub unsigned: Option<Unsigned>,
    /// Whether the proof held (the refresh step's condition).
    pub proof_ok: bool,
}

registry::without_needs!(Step<'_, '_>);

pub(super) type Unit<'s, 'a> = registry::Unit<Step<'s, 'a>, registry::Sync<Step<'s, 'a>>>;

fn unit<'s, 'a>(
    name: &'static str,
    checks: &'static [CheckSpec],
    applies: fn(&Step<'s, 'a>) -> bool,
    run: registry::Sync<Step<'s, 'a>>,
) -> Unit<'s, 'a> {
    Unit::plain(name, checks, applies, run)
}

/// The steps, in the algorithm's order.
pub(super) fn units<'s, 'a>() -> [Unit<'s, 'a>; 11] {
    use super::{dates, proofs, recipient, schema_step, shape, status, terms};
    let top = |st: &Step| st.s.depth == 0;
    let inner = |st: &Step| st.s.depth < MAX_NESTING;
    [
        unit("shape", shape::CHECKS, registry::always, |st, r| {
            shape::run(st.s, st.opts, r)
        }),
        unit("schema", schema_step::CHECKS, registry::always, |st, r| {
            schema_step::run(st.s, st.opts, r)
        }),
        // One expansion for both: the proof hashes what the data-loss rule walked.
        unit("terms", terms::CHECKS, registry::always, |st, r| {
            st.unsigned = terms::run(st.s, st.opts, r)
        }),
        unit("proofs", proofs::CHECKS, registry::always, |st, r| {
            st.proof_ok = proofs::run(st.s, st.opts, r, st.unsigned.take())
        }),
        unit(
            "refresh",
            REFRESH,
            |st| st.may_refresh,
            |st, r| super::refresh_step(st.s, st.proof_ok, st.hint, st.opts, r),
        ),
        unit("dates", dates::CHECKS, registry::always, |st, r| {
            dates::run(st.s, st.opts, r)
        }),
        unit("status", status::CHECKS, registry::always, |st, r| {
            status::run(st.s, st.opts, r)
        }),
        unit(
            "recipient",
            recipient::CHECKS,
            |st| st.s.depth == 0 && matches!(st.s.kind, Kind::Clr | Kind::Achievement),
            |st, r| recipient::run(st.s, st.opts, r),
        ),
        unit("document", DOCUMENT, top, |st, r| super::top_level(st.s, r)),
        unit("nested", NESTED, inner, |st, r| {
            super::nested(st.s, st.opts, r)
        }),
        unit("endorsements", ENDORSEMENTS, inner, |st, r| {
            super::endorsements(st.s, st.opts, r)
        }),
    ]
}
