//! RDFC-1.0 (W3C RDF Dataset Canonicalization) over the quads of one document.
//!
//! `rdf-canon` first copies the dataset into oxrdf's indexed `Dataset` (B-trees plus an
//! interner) and renders the result a line at a time: on a 5 MB record that was most of the
//! peak memory. Here blank nodes are numbered, quads are referred to by index, the first-degree
//! (§4.7) and N-degree (§4.9) hashes run over those numbers, and canonical lines are written
//! once into one buffer. `rdf-canon` stays the reference: tests compare the two. Where the
//! spec can be read two ways — a quad naming one blank node twice is listed once per mention,
//! as `rdf-canon` does — we follow it, so verdicts do not depend on which one ran. Unlike
//! `rdf-canon`, work is capped: permutations too, not only N-degree calls, so a record built
//! to be slow is refused in milliseconds instead of minutes.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::fmt::Write;

use oxrdf::{GraphName, Quad, Subject, Term};
use sha2::{Digest, Sha256};

/// Most Hash N-Degree Quads calls per dataset (rdf-canon's default; stops poison graphs).
const MAX_NDEGREE_CALLS: usize = 4000;
/// Most permutations of related blank nodes tried per dataset (stops factorial blow-up).
const MAX_PERMUTATIONS: usize = 200_000;
/// No blank node in this slot.
const NONE: u32 = u32::MAX;

type Hash = [u8; 32];

/// A work limit was reached (a poison graph): no implementation should go on.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct TooComplex(pub(super) &'static str);

/// Canonical N-Quads, as lines in one buffer plus their canonical order.
pub(super) struct Canonical {
    text: String,
    order: Vec<(usize, usize)>,
}

impl Canonical {
    /// The canonical N-Quads document.
    pub(super) fn into_string(self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for &(start, end) in &self.order {
            out.push_str(&self.text[start..end]);
        }
        out
    }

    /// SHA-256 of the canonical N-Quads document, without building it.
    pub(super) fn sha256(&self) -> Hash {
        let mut hasher = Sha256::new();
        for &(start, end) in &self.order {
            hasher.update(&self.text.as_bytes()[start..end]);
        }
        hasher.finalize().into()
    }
}

/// RDFC-1.0 canonical N-Quads of `quads` (a dataset: duplicates count once).
pub(super) fn canonicalize(quads: &[Quad]) -> Result<Canonical, TooComplex> {
    let mut seen = HashSet::with_capacity(quads.len());
    let quads: Vec<&Quad> = quads.iter().filter(|q| seen.insert(*q)).collect();
    drop(seen);
    let labels = State::new(&quads).label()?;

    let mut text = String::with_capacity(quads.len() * 96);
    let mut order = Vec::with_capacity(quads.len());
    for quad in &quads {
        let start = text.len();
        write_line(&mut text, quad, &|b| {
            labels.get(b).map_or("", String::as_str)
        });
        order.push((start, text.len()));
    }
    order.sort_unstable_by(|a, b| text[a.0..a.1].cmp(&text[b.0..b.1]));
    Ok(Canonical { text, order })
}

/// Identifiers issued in order (§4.5), by blank node number.
#[derive(Clone, Default)]
struct Issuer {
    issued: HashMap<u32, u32>,
    order: Vec<u32>,
}

impl Issuer {
    fn get(&self, node: u32) -> Option<u32> {
        self.issued.get(&node).copied()
    }

    fn issue(&mut self, node: u32) -> u32 {
        let next = self.order.len() as u32;
        *self.issued.entry(node).or_insert_with(|| {
            self.order.push(node);
            next
        })
    }
}

/// The canonicalization state (§4.4.3) over numbered blank nodes.
struct State<'a> {
    quads: &'a [&'a Quad],
    names: Vec<&'a str>,
    /// Blank node numbers of each quad's subject, object and graph name (`NONE` if not blank).
    slots: Vec<[u32; 3]>,
    /// Quads mentioning each blank node, in dataset order.
    mentions: Vec<Vec<u32>>,
    first: Vec<Hash>,
    canonical: Issuer,
    calls: usize,
    permutations: usize,
}

impl<'a> State<'a> {
    fn new(quads: &'a [&'a Quad]) -> State<'a> {
        let mut numbers: HashMap<&str, u32> = HashMap::new();
        let mut names = Vec::new();
        let mut mentions: Vec<Vec<u32>> = Vec::new();
        let mut slots = Vec::with_capacity(quads.len());
        for (index, quad) in quads.iter().enumerate() {
            let mut slot = [NONE; 3];
            for (i, name) in blank_names(quad).into_iter().enumerate() {
                let Some(name) = name else { continue };
                let number = *numbers.entry(name).or_insert_with(|| {
                    names.push(name);
                    mentions.push(Vec::new());
                    names.len() as u32 - 1
                });
                // A blank node named twice in one quad is listed once per mention.
                slot[i] = number;
                mentions[number as usize].push(index as u32);
            }
            slots.push(slot);
        }
        let mut state = State {
            quads,
            names,
            slots,
            mentions,
            first: Vec::new(),
            canonical: Issuer::default(),
            calls: 0,
            permutations: 0,
        };
        state.first = (0..state.names.len() as u32)
            .map(|n| state.first_degree(n))
            .collect();
        state
    }

    /// §4.4.3 steps 3–6: canonical labels by original blank node name.
    fn label(mut self) -> Result<HashMap<&'a str, String>, TooComplex> {
        let mut by_hash: BTreeMap<Hash, Vec<u32>> = BTreeMap::new();
        for (node, hash) in self.first.iter().enumerate() {
            by_hash.entry(*hash).or_default().push(node as u32);
        }
        for nodes in by_hash.values() {
            if let [node] = nodes[..] {
                self.canonical.issue(node);
            }
        }
        for nodes in by_hash.values().filter(|n| n.len() > 1) {
            let mut paths = Vec::new();
            for &node in nodes {
                if self.canonical.get(node).is_some() {
                    continue;
                }
                let mut temporary = Issuer::default();
                temporary.issue(node);
                paths.push(self.n_degree(node, &temporary)?);
            }
            paths.sort_by_key(|p| p.0);
            for (_, issuer) in paths {
                for node in issuer.order {
                    self.canonical.issue(node);
                }
            }
        }
        let mut labels = HashMap::with_capacity(self.names.len());
        for (node, name) in self.names.iter().enumerate() {
            let number = self.canonical.get(node as u32).unwrap_or(NONE);
            labels.insert(*name, format!("c14n{number}"));
        }
        Ok(labels)
    }

    /// §4.7 Hash First Degree Quads.
    fn first_degree(&self, node: u32) -> Hash {
        // The lines in one buffer, sorted by their ranges.
        let mentions = &self.mentions[node as usize];
        let name = self.names[node as usize];
        let mut text = String::with_capacity(mentions.len() * 128);
        let mut lines = Vec::with_capacity(mentions.len());
        for &q in mentions {
            let start = text.len();
            write_line(&mut text, self.quads[q as usize], &|b| {
                if b == name { "a" } else { "z" }
            });
            lines.push((start, text.len()));
        }
        lines.sort_unstable_by(|a, b| text[a.0..a.1].cmp(&text[b.0..b.1]));
        let mut hasher = Sha256::new();
        for &(start, end) in &lines {
            hasher.update(&text.as_bytes()[start..end]);
        }
        hasher.finalize().into()
    }

    /// §4.8 Hash Related Blank Node.
    fn related(&self, related: u32, quad: u32, issuer: &Issuer, position: u8) -> Hash {
        let mut input = String::with_capacity(128);
        input.push(position as char);
        if position != b'g' {
            iri(&mut input, self.quads[quad as usize].predicate.as_str());
        }
        match (self.canonical.get(related), issuer.get(related)) {
            (Some(c), _) => {
                let _ = write!(input, "_:c14n{c}");
            }
            (None, Some(b)) => {
                let _ = write!(input, "_:b{b}");
            }
            (None, None) => input.push_str(&hex::encode(self.first[related as usize])),
        }
        Sha256::digest(input.as_bytes()).into()
    }

    /// §4.9 Hash N-Degree Quads: the hash for `node` and the issuer that produced it.
    fn n_degree(&mut self, node: u32, issuer: &Issuer) -> Result<(Hash, Issuer), TooComplex> {
        self.calls += 1;
        if self.calls > MAX_NDEGREE_CALLS {
            return Err(TooComplex(
                "more than 4000 N-degree hash calls (poison graph)",
            ));
        }
        let mut issuer = issuer.clone();
        let mut related: BTreeMap<Hash, Vec<u32>> = BTreeMap::new();
        for &quad in &self.mentions[node as usize] {
            for (slot, position) in [b's', b'o', b'g'].into_iter().enumerate() {
                let other = self.slots[quad as usize][slot];
                if other != NONE && other != node {
                    let hash = self.related(other, quad, &issuer, position);
                    related.entry(hash).or_default().push(other);
                }
            }
        }
        let mut hasher = Sha256::new();
        for (hash, nodes) in related {
            hasher.update(hex::encode(hash).as_bytes());
            let mut chosen: Option<(String, Issuer)> = None;
            let mut permutation: Vec<usize> = (0..nodes.len()).collect();
            loop {
                self.permutations += 1;
                if self.permutations > MAX_PERMUTATIONS {
                    return Err(TooComplex(
                        "more than 200000 blank node permutations (poison graph)",
                    ));
                }
                let order: Vec<u32> = permutation.iter().map(|&i| nodes[i]).collect();
                let best = chosen.as_ref().map_or("", |c| c.0.as_str());
                if let Some((path, copy)) = self.path(&order, &issuer, best)?
                    && (chosen.is_none() || path.as_str() < best)
                {
                    chosen = Some((path, copy));
                }
                if !next_permutation(&mut permutation) {
                    break;
                }
            }
            if let Some((path, copy)) = chosen {
                hasher.update(path.as_bytes());
                issuer = copy;
            }
        }
        Ok((hasher.finalize().into(), issuer))
    }

    /// §4.9.3 step 5.4 for one permutation: its path and issuer, or `None` once it cannot beat
    /// `best`. An equal path is dropped too (as rdf-canon does, so both count the same calls):
    /// extending it can only make it greater.
    fn path(
        &mut self,
        order: &[u32],
        issuer: &Issuer,
        best: &str,
    ) -> Result<Option<(String, Issuer)>, TooComplex> {
        let worse = |path: &str| !best.is_empty() && path.len() >= best.len() && path >= best;
        let mut copy = issuer.clone();
        let mut path = String::new();
        let mut recursion = Vec::new();
        for &related in order {
            match self.canonical.get(related) {
                Some(c) => {
                    let _ = write!(path, "_:c14n{c}");
                }
                None => {
                    if copy.get(related).is_none() {
                        recursion.push(related);
                    }
                    let _ = write!(path, "_:b{}", copy.issue(related));
                }
            }
            if worse(&path) {
                return Ok(None);
            }
        }
        for related in recursion {
            let (hash, result) = self.n_degree(related, &copy)?;
            let _ = write!(path, "_:b{}<{}>", copy.issue(related), hex::encode(hash));
            copy = result;
            if worse(&path) {
                return Ok(None);
            }
        }
        Ok(Some((path, copy)))
    }
}

/// The next permutation in lexicographic order; `false` after the last.
fn next_permutation(items: &mut [usize]) -> bool {
    let Some(i) = (1..items.len()).rev().find(|&i| items[i - 1] < items[i]) else {
        return false;
    };
    let j = (i..items.len())
        .rev()
        .find(|&j| items[j] > items[i - 1])
        .unwrap_or(i);
    items.swap(i - 1, j);
    items[i..].reverse();
    true
}

/// Blank node names of the subject, object and graph name.
fn blank_names(quad: &Quad) -> [Option<&str>; 3] {
    [
        match &quad.subject {
            Subject::BlankNode(b) => Some(b.as_str()),
            _ => None,
        },
        match &quad.object {
            Term::BlankNode(b) => Some(b.as_str()),
            _ => None,
        },
        match &quad.graph_name {
            GraphName::BlankNode(b) => Some(b.as_str()),
            _ => None,
        },
    ]
}

/// Appends `quad` as an N-Quads line (with " .\n"), blank nodes renamed by `label`: the
/// text oxrdf's `Display` gives, written directly (no formatter, no term copied).
fn write_line<'a>(out: &mut String, quad: &'a Quad, label: &dyn Fn(&'a str) -> &'a str) {
    let blank = |out: &mut String, b: &'a oxrdf::BlankNode| {
        out.push_str("_:");
        out.push_str(label(b.as_str()));
    };
    match &quad.subject {
        Subject::NamedNode(n) => iri(out, n.as_str()),
        Subject::BlankNode(b) => blank(out, b),
    }
    out.push(' ');
    iri(out, quad.predicate.as_str());
    out.push(' ');
    match &quad.object {
        Term::NamedNode(n) => iri(out, n.as_str()),
        Term::BlankNode(b) => blank(out, b),
        Term::Literal(l) => literal(out, l),
    }
    match &quad.graph_name {
        GraphName::NamedNode(n) => {
            out.push(' ');
            iri(out, n.as_str());
        }
        GraphName::BlankNode(b) => {
            out.push(' ');
            blank(out, b);
        }
        GraphName::DefaultGraph => {}
    }
    out.push_str(" .\n");
}

fn iri(out: &mut String, iri: &str) {
    out.push('<');
    out.push_str(iri);
    out.push('>');
}

/// A literal as oxrdf prints it: quoted and escaped, then `@lang` or `^^<datatype>`
/// (none for xsd:string).
fn literal(out: &mut String, l: &oxrdf::Literal) {
    out.push('"');
    let value = l.value();
    let mut plain = 0;
    for (i, c) in value.char_indices() {
        let escaped = match c {
            '\u{08}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{0C}' => "\\f",
            '\r' => "\\r",
            '"' => "\\\"",
            '\\' => "\\\\",
            '\0'..='\u{1F}' | '\u{7F}' => "",
            _ => continue,
        };
        out.push_str(&value[plain..i]);
        if escaped.is_empty() {
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        } else {
            out.push_str(escaped);
        }
        plain = i + c.len_utf8();
    }
    out.push_str(&value[plain..]);
    out.push('"');
    if let Some(language) = l.language() {
        out.push('@');
        out.push_str(language);
    } else if l.datatype() != oxrdf::vocab::xsd::STRING {
        out.push_str("^^");
        iri(out, l.datatype().as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, Literal, NamedNode};

    fn q(s: Subject, o: Term, g: GraphName) -> Quad {
        Quad::new(s, NamedNode::new_unchecked("https://e.org/p"), o, g)
    }

    fn b(s: &str) -> BlankNode {
        BlankNode::new_unchecked(s)
    }

    fn lit(s: &str) -> Term {
        Literal::new_simple_literal(s).into()
    }

    fn ours(quads: &[Quad]) -> String {
        canonicalize(quads).expect("canonicalizes").into_string()
    }

    #[test]
    fn distinct_first_degree_hashes_match_rdf_canon() {
        let quads = vec![
            q(b("x").into(), lit("1"), GraphName::DefaultGraph),
            q(b("y").into(), b("x").into(), b("g").into()),
            q(b("y").into(), lit("2"), GraphName::DefaultGraph),
            q(b("y").into(), lit("2"), GraphName::DefaultGraph),
        ];
        assert_eq!(ours(&quads), rdf_canon::canonicalize_quads(&quads).unwrap());
    }

    #[test]
    fn tied_blank_nodes_need_and_get_the_n_degree_hash() {
        // A cycle of two, two identical graphs, a ring of five and a star with tied leaves.
        let cycle = vec![
            q(b("x").into(), b("y").into(), GraphName::DefaultGraph),
            q(b("y").into(), b("x").into(), GraphName::DefaultGraph),
        ];
        let mut graphs = Vec::new();
        for (g, s, id) in [("g1", "s1", "i1"), ("g2", "s2", "i2")] {
            graphs.push(q(b(s).into(), b(id).into(), b(g).into()));
            graphs.push(q(b(id).into(), lit("same"), b(g).into()));
            graphs.push(q(b("root").into(), b(g).into(), GraphName::DefaultGraph));
        }
        graphs.push(q(b("root").into(), lit("r"), GraphName::DefaultGraph));
        let ring: Vec<Quad> = (0..5)
            .map(|i| {
                q(
                    b(&format!("r{i}")).into(),
                    b(&format!("r{}", (i + 1) % 5)).into(),
                    GraphName::DefaultGraph,
                )
            })
            .collect();
        let mut star = vec![q(b("hub").into(), lit("hub"), GraphName::DefaultGraph)];
        for i in 0..4 {
            star.push(q(
                b("hub").into(),
                b(&format!("leaf{i}")).into(),
                GraphName::DefaultGraph,
            ));
            star.push(q(
                b(&format!("leaf{i}")).into(),
                lit("leaf"),
                GraphName::DefaultGraph,
            ));
        }
        for quads in [cycle, graphs, ring, star] {
            let expected = rdf_canon::canonicalize_quads(&quads).unwrap();
            assert_eq!(ours(&quads), expected);
            // Labels do not depend on the input's names or order.
            let mut renamed: Vec<Quad> = quads
                .iter()
                .rev()
                .map(|quad| {
                    let rename = |n: &BlankNode| b(&format!("other{}", n.as_str()));
                    let subject = match &quad.subject {
                        Subject::BlankNode(n) => rename(n).into(),
                        s => s.clone(),
                    };
                    let object = match &quad.object {
                        Term::BlankNode(n) => rename(n).into(),
                        o => o.clone(),
                    };
                    let graph = match &quad.graph_name {
                        GraphName::BlankNode(n) => rename(n).into(),
                        g => g.clone(),
                    };
                    Quad::new(subject, quad.predicate.clone(), object, graph)
                })
                .collect();
            renamed.rotate_left(1);
            assert_eq!(ours(&renamed), expected);
        }
    }

    /// xorshift64: reproducible datasets without a dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    #[test]
    fn random_small_datasets_match_rdf_canon() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut tied, mut looped) = (0, 0);
        for round in 0..3000 {
            // Every other dataset may name a blank node twice in one quad.
            let loops = round % 2 == 1;
            let nodes = 2 + rng.below(6);
            let count = 1 + rng.below(14);
            let quads: Vec<Quad> = (0..count)
                .map(|_| {
                    let s = rng.below(nodes);
                    let o = rng.below(nodes);
                    let g = rng.below(nodes);
                    let predicate =
                        NamedNode::new_unchecked(format!("https://e.org/p{}", rng.below(5) / 4));
                    let object: Term = match (o == s && !loops, rng.below(3)) {
                        (true, _) | (_, 0) => lit("v"),
                        _ => b(&format!("n{o}")).into(),
                    };
                    let graph = match ((g == s || g == o) && !loops, rng.below(4)) {
                        (false, 0) => GraphName::BlankNode(b(&format!("n{g}"))),
                        _ => GraphName::DefaultGraph,
                    };
                    Quad::new(b(&format!("n{s}")), predicate, object, graph)
                })
                .collect();
            let mut seen = HashSet::new();
            let refs: Vec<&Quad> = quads.iter().filter(|q| seen.insert(*q)).collect();
            let state = State::new(&refs);
            let distinct: HashSet<&Hash> = state.first.iter().collect();
            tied += usize::from(distinct.len() < state.first.len());
            looped += usize::from(state.slots.iter().any(|s| {
                let named: Vec<u32> = s.iter().copied().filter(|&n| n != NONE).collect();
                named.iter().collect::<HashSet<_>>().len() < named.len()
            }));
            let ours = canonicalize(&quads).map(Canonical::into_string);
            assert_eq!(
                ours.ok(),
                rdf_canon::canonicalize_quads(&quads).ok(),
                "{quads:#?}"
            );
        }
        // Both the N-degree hash and quads naming a node twice were exercised, not just the
        // first-degree shortcut.
        assert!(tied > 200 && looped > 500, "tied {tied}, looped {looped}");
    }

    /// Named graphs `g0..`, each a parent with `kids` identical children, all linked from a root.
    fn symmetric(parents: usize, kids: usize) -> Vec<Quad> {
        let mut quads = Vec::new();
        for p in 0..parents {
            let graph: GraphName = b(&format!("g{p}")).into();
            let link = b(&format!("g{p}")).into();
            quads.push(q(b("root").into(), link, GraphName::DefaultGraph));
            for k in 0..kids {
                let kid = b(&format!("k{p}_{k}"));
                quads.push(q(
                    b(&format!("p{p}")).into(),
                    kid.clone().into(),
                    graph.clone(),
                ));
                quads.push(q(kid.into(), lit("same"), graph.clone()));
            }
        }
        quads
    }

    #[test]
    fn symmetric_datasets_get_rdf_canon_verdicts_within_bounded_work() {
        // Same output, or the same refusal at 4,000 N-degree calls.
        let ok = symmetric(3, 4);
        assert_eq!(ours(&ok), rdf_canon::canonicalize_quads(&ok).unwrap());
        let limit = symmetric(2, 6);
        assert!(rdf_canon::canonicalize_quads(&limit).is_err());
        assert_eq!(
            canonicalize(&limit).err(),
            Some(TooComplex(
                "more than 4000 N-degree hash calls (poison graph)"
            ))
        );
        // Two graphs of eight identical children: rdf-canon also fails, but only after 48 s
        // (release build, measured 2026-11-27; nine children: 248 s). The permutation cap
        // stops this in under 0.1 s.
        assert!(matches!(canonicalize(&symmetric(2, 8)), Err(TooComplex(_))));
    }

    #[test]
    fn the_digest_is_the_digest_of_the_text() {
        let quads = vec![
            q(b("x").into(), lit("1"), GraphName::DefaultGraph),
            q(b("y").into(), b("x").into(), GraphName::DefaultGraph),
        ];
        let canonical = canonicalize(&quads).unwrap();
        let digest = canonical.sha256();
        assert_eq!(
            digest[..],
            Sha256::digest(canonical.into_string().as_bytes())[..]
        );
    }

    #[test]
    fn a_node_named_twice_in_a_quad_counts_once_per_mention_as_in_rdf_canon() {
        let quads = vec![
            q(b("x").into(), b("x").into(), GraphName::DefaultGraph),
            q(b("y").into(), b("y").into(), b("x").into()),
            q(b("y").into(), lit("1"), GraphName::DefaultGraph),
        ];
        assert_eq!(ours(&quads), rdf_canon::canonicalize_quads(&quads).unwrap());
    }

    #[test]
    fn poison_graphs_are_refused() {
        // Many interchangeable nodes, all alike: the permutation search explodes.
        let quads: Vec<Quad> = (0..12)
            .flat_map(|i| {
                (0..12).filter(move |&j| j != i).map(move |j| {
                    q(
                        b(&format!("n{i}")).into(),
                        b(&format!("n{j}")).into(),
                        GraphName::DefaultGraph,
                    )
                })
            })
            .collect();
        assert!(matches!(canonicalize(&quads), Err(TooComplex(_))));
    }

    #[test]
    fn lines_are_what_oxrdf_prints() {
        let text = "a\u{8}\t\n\u{c}\r\"\\\u{0}\u{1f}\u{7f}\u{80}é😀 z";
        let objects: Vec<Term> = vec![
            lit(text),
            lit(""),
            Literal::new_language_tagged_literal(text, "en-us")
                .unwrap()
                .into(),
            Literal::new_typed_literal("5", NamedNode::new_unchecked("http://e.org/int")).into(),
            Literal::new_typed_literal("s", oxrdf::vocab::xsd::STRING).into(),
            NamedNode::new_unchecked("https://e.org/o").into(),
            b("o").into(),
        ];
        let graphs = [
            GraphName::DefaultGraph,
            NamedNode::new_unchecked("https://e.org/g").into(),
            b("g").into(),
        ];
        let subjects: [Subject; 2] = [NamedNode::new_unchecked("urn:s").into(), b("s").into()];
        for s in &subjects {
            for o in &objects {
                for g in &graphs {
                    let quad = q(s.clone(), o.clone(), g.clone());
                    let mut ours = String::new();
                    write_line(&mut ours, &quad, &|b| b);
                    assert_eq!(ours, format!("{quad} .\n"));
                }
            }
        }
    }
}
