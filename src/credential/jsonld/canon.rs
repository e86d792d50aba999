//! RDFC-1.0 shortcut for datasets whose blank nodes all have distinct first-degree hashes.
//!
//! That is the common case for credentials, and then canonical labels follow from sorting
//! those hashes (RDFC-1.0 §4.4.3 step 5); `rdf-canon` rebuilds a full dataset index first,
//! which costs more than the rest of a verification. Ties (needing the N-degree hash) return
//! `None` and the caller uses `rdf-canon`. Serialization is oxrdf's, as in `rdf-canon`.

use std::collections::{HashMap, HashSet};

use std::fmt::Write;

use oxrdf::{
    BlankNodeRef, GraphName, GraphNameRef, Quad, QuadRef, Subject, SubjectRef, Term, TermRef,
};
use sha2::{Digest, Sha256};

/// Canonical N-Quads of `quads`, or `None` when first-degree hashes do not decide.
pub(super) fn first_degree(quads: &[Quad]) -> Option<String> {
    // A dataset is a set: drop duplicate quads.
    let mut seen = HashSet::new();
    let quads: Vec<&Quad> = quads.iter().filter(|q| seen.insert(*q)).collect();

    let mut mentions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, quad) in quads.iter().enumerate() {
        let ids = blank_ids(quad);
        if ids.len() > 1 && ids.iter().collect::<HashSet<_>>().len() != ids.len() {
            return None;
        }
        for id in ids {
            mentions.entry(id).or_default().push(i);
        }
    }

    let mut hashed: Vec<(String, &str)> = Vec::with_capacity(mentions.len());
    for (&id, indexes) in &mentions {
        let mut lines: Vec<String> = indexes
            .iter()
            .map(|&i| {
                let mut line = relabel(quads[i], &|b| if b == id { "a" } else { "z" });
                line.push_str(" .\n");
                line
            })
            .collect();
        lines.sort();
        let mut hasher = Sha256::new();
        for line in &lines {
            hasher.update(line.as_bytes());
        }
        hashed.push((hex::encode(hasher.finalize()), id));
    }
    hashed.sort();
    if hashed.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let labels: HashMap<&str, String> = hashed
        .iter()
        .enumerate()
        .map(|(n, (_, id))| (*id, format!("c14n{n}")))
        .collect();
    let label = |b: &str| labels.get(b).map_or("", String::as_str);
    let mut lines: Vec<String> = quads.iter().map(|q| relabel(q, &label)).collect();
    lines.sort();
    Some(lines.into_iter().map(|l| l + " .\n").collect())
}

fn blank_ids(quad: &Quad) -> Vec<&str> {
    let mut ids = Vec::new();
    if let Subject::BlankNode(b) = &quad.subject {
        ids.push(b.as_str());
    }
    if let Term::BlankNode(b) = &quad.object {
        ids.push(b.as_str());
    }
    if let GraphName::BlankNode(b) = &quad.graph_name {
        ids.push(b.as_str());
    }
    ids
}

/// `quad` as an N-Quads statement (without " .") with blank nodes renamed by `label`.
/// Formats borrowed terms: no term is copied.
fn relabel<'a>(quad: &'a Quad, label: &dyn Fn(&'a str) -> &'a str) -> String {
    let blank = |b: &'a oxrdf::BlankNode| BlankNodeRef::new_unchecked(label(b.as_str()));
    let subject = match &quad.subject {
        Subject::BlankNode(b) => SubjectRef::BlankNode(blank(b)),
        other => other.as_ref(),
    };
    let object = match &quad.object {
        Term::BlankNode(b) => TermRef::BlankNode(blank(b)),
        other => other.as_ref(),
    };
    let graph = match &quad.graph_name {
        GraphName::BlankNode(b) => GraphNameRef::BlankNode(blank(b)),
        other => other.as_ref(),
    };
    let mut out = String::with_capacity(128);
    let _ = write!(
        out,
        "{}",
        QuadRef::new(subject, quad.predicate.as_ref(), object, graph)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, Literal, NamedNode};

    fn q(s: Subject, o: Term, g: GraphName) -> Quad {
        Quad::new(s, NamedNode::new_unchecked("https://e.org/p"), o, g)
    }

    #[test]
    fn matches_rdf_canon_on_distinct_and_tied_nodes() {
        let b = |s: &str| BlankNode::new_unchecked(s);
        let distinct = vec![
            q(
                b("x").into(),
                Literal::new_simple_literal("1").into(),
                GraphName::DefaultGraph,
            ),
            q(b("y").into(), b("x").into(), b("g").into()),
            q(
                b("y").into(),
                Literal::new_simple_literal("2").into(),
                GraphName::DefaultGraph,
            ),
            q(
                b("y").into(),
                Literal::new_simple_literal("2").into(),
                GraphName::DefaultGraph,
            ),
        ];
        let ours = first_degree(&distinct).expect("distinct first-degree hashes");
        assert_eq!(ours, rdf_canon::canonicalize_quads(&distinct).unwrap());
        // Two interchangeable blank nodes need the N-degree algorithm.
        let tied = vec![
            q(b("x").into(), b("y").into(), GraphName::DefaultGraph),
            q(b("y").into(), b("x").into(), GraphName::DefaultGraph),
        ];
        assert_eq!(first_degree(&tied), None);
    }
}
