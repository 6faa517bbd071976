//! Per-stage micro-benchmarks of the pipeline on committed real-world
//! manifests (see `benches/manifests/SOURCES.md`): parsing into span trees,
//! typing objects and finding Pod specs, the rules, rendering, and one whole
//! file. `cargo bench` runs them; `scripts/bench.sh` measures the binary on
//! the corpus.

use std::sync::Arc;

use divan::Bencher;
use podlint::engine::{self, Settings};
use podlint::model::{self, Contents, Object, PodView};
use podlint::report::{self, Format, Output, PartStyle};
use podlint::rules::{Level, RULES};
use podlint::source;

fn main() {
    divan::main();
}

const MANIFESTS: [&str; 3] = ["deployment-60-lines", "microservices-demo", "probe-crd"];

fn text(name: &str) -> String {
    let path = format!(
        "{}/benches/manifests/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every rule at its default severity, as a run without a config has them.
fn default_settings() -> Settings {
    Settings {
        active: RULES
            .iter()
            .filter_map(|&rule| match rule.meta().level {
                Level::On(severity) => Some((rule, severity)),
                Level::Off => None,
            })
            .collect(),
        suppress: true,
        context: model::Context::default(),
    }
}

fn objects(parsed: &source::ParsedSource) -> Vec<Object<'_>> {
    parsed
        .documents
        .iter()
        .flat_map(
            |document| match model::objects(&document.root, &model::Context::default()) {
                Contents::Objects(objects) => objects,
                Contents::NotKubernetes => Vec::new(),
            },
        )
        .collect()
}

#[divan::bench(args = MANIFESTS)]
fn parse(bencher: Bencher, name: &str) {
    let text = text(name);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| source::parse(divan::black_box(&text)));
}

#[divan::bench(args = MANIFESTS)]
fn typing(bencher: Bencher, name: &str) {
    let parsed = source::parse(&text(name));
    bencher.bench(|| {
        let objects = objects(divan::black_box(&parsed));
        objects.iter().map(|o| PodView::all(o).len()).sum::<usize>()
    });
}

#[divan::bench(args = MANIFESTS)]
fn rules(bencher: Bencher, name: &str) {
    let parsed = source::parse(&text(name));
    let objects = objects(&parsed);
    let settings = default_settings();
    bencher.bench(|| {
        let mut raws = Vec::new();
        for object in &objects {
            let pods = PodView::all(object);
            engine::check(object, &pods, &settings, &mut raws);
        }
        raws.len()
    });
}

#[divan::bench(args = MANIFESTS)]
fn render_json(bencher: Bencher, name: &str) {
    render(bencher, name, Format::Json);
}

#[divan::bench(args = MANIFESTS)]
fn render_human(bencher: Bencher, name: &str) {
    render(bencher, name, Format::Human);
}

/// One file's part of the output, from its findings.
fn render(bencher: Bencher, name: &str, format: Format) {
    let source = source::decode(text(name).into_bytes());
    let file: Arc<str> = name.into();
    let findings = engine::lint(&file, &source, &default_settings()).findings;
    let style = PartStyle {
        output: Output::Report(format),
        color: false,
        cwd: None,
    };
    bencher.bench(|| report::render_part(&style, name, &source.text, &findings, &[]));
}

/// Everything a worker does with one file's text: parse, type, check,
/// locate and sort the findings.
#[divan::bench(args = MANIFESTS)]
fn lint_file(bencher: Bencher, name: &str) {
    let text = text(name);
    let settings = default_settings();
    let file: Arc<str> = name.into();
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .with_inputs(|| source::decode(text.clone().into_bytes()))
        .bench_refs(|source| engine::lint(&file, source, &settings).findings.len());
}
