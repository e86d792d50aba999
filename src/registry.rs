//! One kind of check for every judging family. A family (provider areas, verify
//! steps, consumer judges, displayer verdicts) is a table of [`Unit`]s over its
//! own context; the one runner walks a table in order: [`plan`] keeps what a
//! selection owns plus the earlier units that give what it needs, [`gate`] closes
//! a unit whose prerequisite is missing (the context says why and how: a skip, or
//! an error when the target cannot be reached), and only then the unit runs.
//! A unit records findings only under the ids its checks declare (the recorder
//! asserts it in debug builds), so the tables are what `requirements --show` and `--untested`
//! read.

use crate::evidence::Recorder;
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

/// A check's name and the requirement ids it evidences: the index a reader
/// (and the catalog test) uses to see which check judges which requirement.
#[derive(Debug, Clone, Copy)]
pub struct CheckSpec {
    /// Where the check is declared (`requirements --show` prints it).
    pub at: At,
    pub name: &'static str,
    pub ids: &'static [&'static str],
}

/// A place in the source: file (from the crate root) and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub file: &'static str,
    pub line: u32,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The [`At`] of the line it is written on.
macro_rules! here {
    () => {
        $crate::registry::At {
            file: file!(),
            line: line!(),
        }
    };
}
pub(crate) use here;

impl CheckSpec {
    /// Start an `evidence::Check` for this spec.
    pub fn start(&self) -> crate::evidence::Check {
        crate::evidence::Check::new(self.name, self.ids)
    }
}

/// What a family's context can say about its prerequisites.
pub trait Env {
    /// A prerequisite a unit can declare (a closed set per family).
    type Need: Copy + Eq + std::fmt::Debug + 'static;
    /// What decides whether a unit applies (the target for the provider suites,
    /// the context itself for the others): known before anything runs.
    type Scope;
    fn scope(&self) -> &Self::Scope;
    /// Why `need` is not met, or `None` when it is.
    fn missing(&self, need: Self::Need) -> Option<String>;
    /// Close `checks` unjudged because a prerequisite is missing (`why`).
    fn blocked(&mut self, rec: Option<&mut Recorder>, checks: &[CheckSpec], why: &str);
}

/// A registered unit: its checks (name, ids, where declared), what it needs, what
/// it gives later units, whether it applies to this context, and its function.
pub struct Unit<C: Env, R> {
    pub name: &'static str,
    pub checks: &'static [CheckSpec],
    /// Checks another unit owns that this one runs again on its own exchanges (the
    /// refresh area judges the calls its new token makes): judged by both, planned by the owner.
    pub also: &'static [CheckSpec],
    /// Hard prerequisites: when one is missing the runner closes the unit's checks.
    pub needs: &'static [C::Need],
    /// Soft ones: the planner runs their givers first; the unit judges their absence.
    pub uses: &'static [C::Need],
    pub gives: &'static [C::Need],
    /// Whether the unit applies at all (roles, depth, kind): when not, it records nothing.
    pub applies: fn(&C::Scope) -> bool,
    pub run: R,
}

impl<C: Env, R: Copy> Clone for Unit<C, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Env, R: Copy> Copy for Unit<C, R> {}

/// Every unit applies.
pub fn always<C>(_: &C) -> bool {
    true
}

/// A family without prerequisites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoNeed {}

/// [`Env`] for a context whose units need nothing and apply by the context itself.
macro_rules! without_needs {
    ($t:ty) => {
        impl $crate::registry::Env for $t {
            type Need = $crate::registry::NoNeed;
            type Scope = Self;

            fn scope(&self) -> &Self {
                self
            }

            fn missing(&self, need: $crate::registry::NoNeed) -> Option<String> {
                match need {}
            }

            fn blocked(
                &mut self,
                _: Option<&mut $crate::evidence::Recorder>,
                _: &[$crate::registry::CheckSpec],
                _: &str,
            ) {
            }
        }
    };
}
pub(crate) use without_needs;

impl<C: Env, R> Unit<C, R> {
    /// A unit with no prerequisites and nothing to give, applying when `applies` says.
    pub fn plain(
        name: &'static str,
        checks: &'static [CheckSpec],
        applies: fn(&C::Scope) -> bool,
        run: R,
    ) -> Self {
        Unit {
            name,
            checks,
            also: &[],
            needs: &[],
            uses: &[],
            gives: &[],
            applies,
            run,
        }
    }

    /// Every id the unit may judge (its own checks' and those it runs `also`).
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + use<C, R> {
        self.checks
            .iter()
            .chain(self.also)
            .flat_map(|c| c.ids.iter().copied())
    }

    fn owns(&self, selected: Option<&BTreeSet<String>>) -> bool {
        self.checks
            .iter()
            .flat_map(|c| c.ids.iter())
            .any(|id| selected.is_none_or(|s| s.contains(*id)))
    }
}

/// Every check a table registers, with its unit's name (`also` checks included:
/// `requirements --show` names every unit that judges a row).
pub fn listed<C: Env, R>(units: &[Unit<C, R>]) -> Vec<(&'static str, CheckSpec)> {
    units
        .iter()
        .flat_map(|u| u.checks.iter().chain(u.also).map(|c| (u.name, *c)))
        .collect()
}

/// The units a run executes, in table order: those that apply and own a selected
/// row (`None`: all of them), and the earlier units that give what they need or use.
pub fn plan<'t, C: Env, R>(
    units: &'t [Unit<C, R>],
    scope: &C::Scope,
    selected: Option<&BTreeSet<String>>,
) -> Vec<&'t Unit<C, R>> {
    let applies: Vec<bool> = units.iter().map(|u| (u.applies)(scope)).collect();
    let mut chosen: Vec<bool> = units
        .iter()
        .zip(&applies)
        .map(|(u, &a)| a && u.owns(selected))
        .collect();
    // Latest first, so a giver added here has its own needs added in turn.
    for i in (0..units.len()).rev() {
        if !chosen[i] {
            continue;
        }
        for need in units[i].needs.iter().chain(units[i].uses) {
            if let Some(j) = (0..i).find(|&j| applies[j] && units[j].gives.contains(need)) {
                chosen[j] = true;
            }
        }
    }
    units
        .iter()
        .zip(chosen)
        .filter_map(|(u, c)| c.then_some(u))
        .collect()
}

/// Whether `u` may run: when a hard need is missing, its checks are closed with
/// the context's reason and `false` is returned.
pub fn gate<C: Env, R>(u: &Unit<C, R>, ctx: &mut C, rec: Option<&mut Recorder>) -> bool {
    match u.needs.iter().find_map(|n| ctx.missing(*n)) {
        Some(why) => {
            ctx.blocked(rec, u.checks, &why);
            false
        }
        None => true,
    }
}

/// A unit of a synchronous family: it judges its context into a recorder.
pub type Sync<C> = fn(&mut C, &mut Recorder);

/// The runner for synchronous families: plan, gate, run each unit in order.
pub fn run<C: Env>(
    units: &[Unit<C, Sync<C>>],
    ctx: &mut C,
    rec: &mut Recorder,
    selected: Option<&BTreeSet<String>>,
) {
    for u in plan(units, ctx.scope(), selected) {
        if gate(u, ctx, Some(rec)) {
            rec.enter_unit(u.name, u.ids());
            (u.run)(ctx, rec);
            rec.leave_unit();
        }
    }
}

/// A unit of an asynchronous family (the provider suites, whose context owns its recorder).
pub type Async<C> = for<'a> fn(&'a mut C) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// The runner for asynchronous families (`rec` finds the context's recorder);
/// returns the units it planned.
pub async fn run_async<'t, C: Env>(
    units: &'t [Unit<C, Async<C>>],
    ctx: &mut C,
    rec: fn(&mut C) -> &mut Recorder,
    selected: Option<&BTreeSet<String>>,
) -> Vec<&'t Unit<C, Async<C>>> {
    let planned = plan(units, ctx.scope(), selected);
    for u in &planned {
        if gate(u, ctx, None) {
            rec(ctx).enter_unit(u.name, u.ids());
            (u.run)(ctx).await;
            rec(ctx).leave_unit();
        }
    }
    planned
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::CheckSpec;

    /// A mocked environment: what it holds, and a log of what ran.
    #[derive(Default)]
    struct Mock {
        token: bool,
        ran: Vec<&'static str>,
        closed: Vec<(String, String)>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Need {
        Token,
    }

    impl Env for Mock {
        type Need = Need;
        type Scope = Mock;
        fn scope(&self) -> &Mock {
            self
        }
        fn missing(&self, n: Need) -> Option<String> {
            match n {
                Need::Token if !self.token => Some("no token".into()),
                Need::Token => None,
            }
        }
        fn blocked(&mut self, rec: Option<&mut Recorder>, checks: &[CheckSpec], why: &str) {
            let Some(rec) = rec else { return };
            for c in checks {
                let mut check = c.start();
                for id in check.unjudged() {
                    check.skip(&id, why);
                }
                self.closed.push((c.name.to_string(), why.to_string()));
                rec.finish(check);
            }
        }
    }

    fn login(m: &mut Mock, rec: &mut Recorder) {
        m.ran.push("login");
        m.token = true;
        let mut c = LOGIN[0].start();
        c.pass("t.login", "logged in");
        rec.finish(c);
    }
    fn read(m: &mut Mock, rec: &mut Recorder) {
        m.ran.push("read");
        let mut c = READ[0].start();
        c.pass("t.read", "read");
        rec.finish(c);
    }
    fn other(m: &mut Mock, _: &mut Recorder) {
        m.ran.push("other");
    }
    fn strays(m: &mut Mock, rec: &mut Recorder) {
        m.ran.push("strays");
        let mut c = crate::evidence::Check::new("stray", &["t.read"]);
        c.pass("t.read", "not mine");
        rec.finish(c);
    }

    const LOGIN: &[CheckSpec] = &[CheckSpec {
        at: here!(),
        name: "login",
        ids: &["t.login"],
    }];
    const READ: &[CheckSpec] = &[CheckSpec {
        at: here!(),
        name: "read",
        ids: &["t.read"],
    }];
    const OTHER: &[CheckSpec] = &[CheckSpec {
        at: here!(),
        name: "other",
        ids: &["t.other"],
    }];

    fn never(_: &Mock) -> bool {
        false
    }

    const UNITS: &[Unit<Mock, Sync<Mock>>] = &[
        Unit {
            name: "login",
            checks: LOGIN,
            also: &[],
            needs: &[],
            uses: &[],
            gives: &[Need::Token],
            applies: always,
            run: login,
        },
        Unit {
            name: "other",
            checks: OTHER,
            also: &[],
            needs: &[],
            uses: &[],
            gives: &[],
            applies: always,
            run: other,
        },
        Unit {
            name: "read",
            checks: READ,
            also: &[],
            needs: &[Need::Token],
            uses: &[],
            gives: &[],
            applies: always,
            run: read,
        },
    ];

    fn selected(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_selection_runs_its_units_and_their_givers_only() {
        let (mut m, mut rec) = (Mock::default(), Recorder::new());
        run(UNITS, &mut m, &mut rec, Some(&selected(&["t.read"])));
        assert_eq!(m.ran, ["login", "read"]);
        let (mut m, mut rec) = (Mock::default(), Recorder::new());
        run(UNITS, &mut m, &mut rec, None);
        assert_eq!(m.ran, ["login", "other", "read"]);
    }

    #[test]
    fn a_missing_need_closes_the_unit_with_the_reason() {
        let (mut m, mut rec) = (Mock::default(), Recorder::new());
        // Only the reader: nothing gives the token when the giver does not apply.
        let all = [
            Unit {
                applies: never,
                ..UNITS[0]
            },
            UNITS[2],
        ];
        run(&all, &mut m, &mut rec, None);
        assert!(m.ran.is_empty(), "{:?}", m.ran);
        assert_eq!(m.closed, [("read".to_string(), "no token".to_string())]);
        let f = &rec.findings_for("t.read")[0];
        assert_eq!(f.verdict, crate::evidence::Verdict::Skip);
        assert_eq!(f.message, "no token");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "recorded a finding for t.read")]
    fn a_unit_recording_an_undeclared_id_is_caught() {
        let units = &[Unit {
            run: strays as Sync<Mock>,
            ..UNITS[1]
        }];
        run(units, &mut Mock::default(), &mut Recorder::new(), None);
    }
}
