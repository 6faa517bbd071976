//! The facts of the run's files, kept until every file is read, as bytes.
//!
//! Typed, an object's facts are about 300 bytes in a dozen small blocks
//! (its record, its lists), made among its file's tree: on the 10x corpus
//! they were 20 MiB of the run's peak of 75. Encoded (numbers as
//! variable-length integers, texts as numbers in one table of the run)
//! they take about 40 bytes an object in one growing buffer, and each set
//! is read back, typed, only when its rules run, once the trees are gone.

use std::collections::HashMap;

use super::facts::{
    AutoscalerFacts, Backend, Budget, BudgetFacts, ClaimFacts, DataFacts, Detail, Expression,
    IngressFacts, ObjectFacts, Operator, Place, PortFact, PortRef, Reference, ReferenceKind,
    RelationRules, Selector, SelectorAt, ServiceFacts, ServicePort, Text, WorkloadFacts,
    CREATABLE_KINDS,
};
use crate::model::WorkloadKind;
use crate::source::{Position, Span};

/// Encoded objects, and one copy of each of their texts.
#[derive(Default)]
pub struct FactStore {
    bytes: Vec<u8>,
    texts: HashMap<Text, u32>,
    by_number: Vec<Text>,
}

impl FactStore {
    /// Keeps `objects`; the position it gives back reads them again.
    pub fn keep(&mut self, objects: &[ObjectFacts]) -> usize {
        let start = self.bytes.len();
        let mut encoder = Encoder { store: self };
        for object in objects {
            object.put(&mut encoder);
        }
        start
    }

    /// The `count` objects kept at `start`.
    pub fn read(&self, start: usize, count: usize) -> impl Iterator<Item = ObjectFacts> + '_ {
        let mut decoder = Decoder {
            bytes: &self.bytes,
            at: start,
            texts: &self.by_number,
        };
        (0..count).map(move |_| ObjectFacts::take(&mut decoder))
    }
}

struct Encoder<'s> {
    store: &'s mut FactStore,
}

impl Encoder<'_> {
    fn number(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.store.bytes.push(value as u8 | 0x80);
            value >>= 7;
        }
        self.store.bytes.push(value as u8);
    }

    /// A variant of an enum: its number, then its data.
    fn tagged(&mut self, tag: u64, value: &impl Stored) {
        self.number(tag);
        value.put(self);
    }

    fn text(&mut self, text: &Text) {
        let store = &mut *self.store;
        let number = match store.texts.get(text) {
            Some(&number) => number,
            None => {
                let number = store.by_number.len() as u32;
                store.texts.insert(text.clone(), number);
                store.by_number.push(text.clone());
                number
            }
        };
        self.number(u64::from(number));
    }
}

/// Reads what [`Encoder`] wrote: the bytes are the store's own, so a read
/// past their end is a bug in this module, not a bad input.
struct Decoder<'s> {
    bytes: &'s [u8],
    at: usize,
    texts: &'s [Text],
}

impl Decoder<'_> {
    fn number(&mut self) -> u64 {
        let mut value = 0;
        let mut shift = 0;
        loop {
            let byte = self.bytes[self.at];
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return value;
            }
            shift += 7;
        }
    }

    fn text(&mut self) -> Text {
        let number = self.number() as usize;
        self.texts[number].clone()
    }
}

/// A value that the store encodes and decodes.
trait Stored: Sized {
    fn put(&self, out: &mut Encoder<'_>);
    fn take(input: &mut Decoder<'_>) -> Self;
}

impl Stored for u32 {
    fn put(&self, out: &mut Encoder<'_>) {
        out.number(u64::from(*self));
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        input.number() as u32
    }
}

/// Zigzag: small negative numbers stay short.
impl Stored for i64 {
    fn put(&self, out: &mut Encoder<'_>) {
        out.number(((self << 1) ^ (self >> 63)) as u64);
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        let raw = input.number();
        (raw >> 1) as i64 ^ -((raw & 1) as i64)
    }
}

impl Stored for bool {
    fn put(&self, out: &mut Encoder<'_>) {
        out.number(u64::from(*self));
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        input.number() != 0
    }
}

impl Stored for Text {
    fn put(&self, out: &mut Encoder<'_>) {
        out.text(self);
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        input.text()
    }
}

impl<T: Stored> Stored for Option<T> {
    fn put(&self, out: &mut Encoder<'_>) {
        match self {
            None => out.number(0),
            Some(value) => {
                out.number(1);
                value.put(out);
            }
        }
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        (input.number() != 0).then(|| T::take(input))
    }
}

impl<T: Stored> Stored for Vec<T> {
    fn put(&self, out: &mut Encoder<'_>) {
        out.number(self.len() as u64);
        for item in self {
            item.put(out);
        }
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        let length = input.number() as usize;
        (0..length).map(|_| T::take(input)).collect()
    }
}

impl<T: Stored> Stored for Box<T> {
    fn put(&self, out: &mut Encoder<'_>) {
        (**self).put(out);
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        Box::new(T::take(input))
    }
}

impl<A: Stored, B: Stored> Stored for (A, B) {
    fn put(&self, out: &mut Encoder<'_>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        let a = A::take(input);
        (a, B::take(input))
    }
}

/// Fields in the order written, each encoded as its type says.
macro_rules! stored_struct {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl Stored for $name {
            fn put(&self, out: &mut Encoder<'_>) {
                $(self.$field.put(out);)*
            }
            fn take(input: &mut Decoder<'_>) -> Self {
                $name { $($field: Stored::take(input)),* }
            }
        }
    };
}

/// An enum without data, as its position among `$variant`s, which must
/// name them all: a variant added to the enum and not here does not compile.
macro_rules! stored_choice {
    ($name:ident [$($variant:ident),* $(,)?]) => {
        impl Stored for $name {
            fn put(&self, out: &mut Encoder<'_>) {
                const ALL: &[$name] = &[$($name::$variant),*];
                match self {
                    $($name::$variant)|* => {}
                }
                let position = ALL.iter().position(|v| v == self).unwrap_or_default();
                out.number(position as u64);
            }
            fn take(input: &mut Decoder<'_>) -> Self {
                const ALL: &[$name] = &[$($name::$variant),*];
                ALL[input.number() as usize]
            }
        }
    };
}

stored_choice!(WorkloadKind[
    Pod, PodTemplate, Deployment, StatefulSet, DaemonSet, ReplicaSet,
    ReplicationController, Job, CronJob,
]);
stored_choice!(ReferenceKind[ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim]);
stored_choice!(Operator[In, NotIn, Exists, DoesNotExist]);

/// A place's end is written from its start, so most take a byte or two
/// (wrapping: an end before its start comes back as written).
impl Stored for Place {
    fn put(&self, out: &mut Encoder<'_>) {
        self.span.start.put(out);
        self.span.end.wrapping_sub(self.span.start).put(out);
        self.start.line.put(out);
        self.start.column.put(out);
        self.end.line.wrapping_sub(self.start.line).put(out);
        self.end.column.put(out);
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        let span_start = u32::take(input);
        let span_length = u32::take(input);
        let start = Position {
            line: u32::take(input),
            column: u32::take(input),
        };
        let lines = u32::take(input);
        Place {
            span: Span {
                start: span_start,
                end: span_start.wrapping_add(span_length),
            },
            start,
            end: Position {
                line: start.line.wrapping_add(lines),
                column: u32::take(input),
            },
        }
    }
}

impl Stored for PortRef {
    fn put(&self, out: &mut Encoder<'_>) {
        match self {
            PortRef::Number(number) => out.tagged(0, number),
            PortRef::Name(name) => out.tagged(1, name),
        }
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        match input.number() {
            0 => PortRef::Number(i64::take(input)),
            _ => PortRef::Name(Text::take(input)),
        }
    }
}

impl Stored for Budget {
    fn put(&self, out: &mut Encoder<'_>) {
        match self {
            Budget::Count(count) => out.tagged(0, count),
            Budget::Percent(percent) => out.tagged(1, percent),
        }
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        match input.number() {
            0 => Budget::Count(i64::take(input)),
            _ => Budget::Percent(i64::take(input)),
        }
    }
}

stored_struct!(Selector {
    labels,
    expressions
});
stored_struct!(Expression {
    key,
    operator,
    values
});
stored_struct!(SelectorAt { selector, place });
stored_struct!(WorkloadFacts {
    workload_kind,
    labels,
    replicas,
    replicated,
    ports,
    undeclared_ports,
    references,
});
stored_struct!(PortFact {
    number,
    name,
    ports_place
});
stored_struct!(Reference {
    kind,
    name,
    place,
    optional,
    keys
});
stored_struct!(ServiceFacts {
    selector,
    ports,
    ports_place
});
stored_struct!(ServicePort {
    port,
    name,
    target,
    place
});
stored_struct!(BudgetFacts {
    selector,
    min_available,
    max_unavailable
});
stored_struct!(AutoscalerFacts {
    target_kind,
    target_name,
    target_place,
    max_replicas,
});
stored_struct!(DataFacts { keys, data_place });
stored_struct!(ClaimFacts {
    access_modes,
    modes_place
});
stored_struct!(IngressFacts { backends });
stored_struct!(Backend {
    service,
    name_place,
    port
});

impl Stored for Detail {
    fn put(&self, out: &mut Encoder<'_>) {
        match self {
            Detail::Workload(workload) => out.tagged(0, workload),
            Detail::Service(service) => out.tagged(1, service),
            Detail::DisruptionBudget(budget) => out.tagged(2, budget),
            Detail::Autoscaler(autoscaler) => out.tagged(3, autoscaler),
            Detail::Data(data) => out.tagged(4, data),
            Detail::Claim(claim) => out.tagged(5, claim),
            Detail::Ingress(ingress) => out.tagged(6, ingress),
            Detail::NetworkPolicy(selector) => out.tagged(7, selector),
            Detail::MakesSecret { name } => out.tagged(8, name),
            Detail::Creates(kinds) => {
                let positions: Vec<u32> = kinds
                    .iter()
                    .filter_map(|kind| CREATABLE_KINDS.iter().position(|(_, k)| k == kind))
                    .map(|position| position as u32)
                    .collect();
                out.tagged(9, &positions);
            }
            Detail::Other => out.number(10),
        }
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        match input.number() {
            0 => Detail::Workload(Stored::take(input)),
            1 => Detail::Service(Stored::take(input)),
            2 => Detail::DisruptionBudget(Stored::take(input)),
            3 => Detail::Autoscaler(Stored::take(input)),
            4 => Detail::Data(Stored::take(input)),
            5 => Detail::Claim(Stored::take(input)),
            6 => Detail::Ingress(Stored::take(input)),
            7 => Detail::NetworkPolicy(Stored::take(input)),
            8 => Detail::MakesSecret {
                name: Text::take(input),
            },
            9 => Detail::Creates(
                Vec::<u32>::take(input)
                    .into_iter()
                    .map(|position| CREATABLE_KINDS[position as usize].1)
                    .collect(),
            ),
            _ => Detail::Other,
        }
    }
}

impl Stored for ObjectFacts {
    fn put(&self, out: &mut Encoder<'_>) {
        self.kind.put(out);
        self.name.put(out);
        self.namespace.put(out);
        self.kind_place.put(out);
        let flags =
            u32::from(self.partial) | u32::from(self.custom) << 1 | u32::from(self.kustomized) << 2;
        flags.put(out);
        self.custom_group.put(out);
        self.silenced.bits().put(out);
        self.detail.put(out);
    }
    fn take(input: &mut Decoder<'_>) -> Self {
        let kind = Text::take(input);
        let name = Stored::take(input);
        let namespace = Stored::take(input);
        let kind_place = Place::take(input);
        let flags = u32::take(input);
        ObjectFacts {
            kind,
            name,
            namespace,
            kind_place,
            partial: flags & 1 != 0,
            custom: flags & 2 != 0,
            kustomized: flags & 4 != 0,
            custom_group: Stored::take(input),
            silenced: RelationRules::from_bits(u32::take(input)),
            detail: Detail::take(input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(line: u32) -> Place {
        Place {
            span: Span {
                start: line * 10,
                end: line * 10 + 7,
            },
            start: Position { line, column: 3 },
            end: Position {
                line: line + 1,
                column: 1,
            },
        }
    }

    /// Every kind of fact comes back as it was kept, after other files'.
    #[test]
    fn kept_facts_read_back_the_same() {
        let workload = ObjectFacts {
            kind: "Deployment".into(),
            name: Some("web".into()),
            namespace: None,
            kind_place: place(2),
            partial: false,
            custom: true,
            custom_group: Some("argoproj.io".into()),
            kustomized: true,
            silenced: RelationRules::of(&["service-selects-nothing", "memory-limit-missing"]),
            detail: Detail::Workload(Box::new(WorkloadFacts {
                workload_kind: Some(WorkloadKind::StatefulSet),
                labels: vec![("app".into(), "web".into())],
                replicas: Some((-3, place(9))),
                replicated: true,
                ports: vec![PortFact {
                    number: Some(8080),
                    name: Some("http".into()),
                    ports_place: place(20),
                }],
                undeclared_ports: true,
                references: vec![Reference {
                    kind: ReferenceKind::PersistentVolumeClaim,
                    name: "data".into(),
                    place: place(30),
                    optional: true,
                    keys: vec![("key".into(), place(31))],
                }],
            })),
        };
        let service = ObjectFacts {
            kind: "Service".into(),
            name: None,
            namespace: Some("prod".into()),
            kind_place: place(1),
            partial: true,
            custom: false,
            custom_group: None,
            kustomized: false,
            silenced: RelationRules::default(),
            detail: Detail::Service(Box::new(ServiceFacts {
                selector: Some(SelectorAt {
                    selector: Selector {
                        labels: vec![("app".into(), "web".into())],
                        expressions: vec![Expression {
                            key: "tier".into(),
                            operator: Operator::NotIn,
                            values: vec!["db".into()],
                        }],
                    },
                    place: place(4),
                }),
                ports: vec![ServicePort {
                    port: Some(80),
                    name: None,
                    target: Some(PortRef::Name("http".into())),
                    place: place(5),
                }],
                ports_place: Some(place(3)),
            })),
        };
        let others = [
            Detail::DisruptionBudget(Box::new(BudgetFacts {
                selector: None,
                min_available: Some((Budget::Percent(50), place(6))),
                max_unavailable: Some((Budget::Count(0), place(7))),
            })),
            Detail::Autoscaler(Box::new(AutoscalerFacts {
                target_kind: "Deployment".into(),
                target_name: "web".into(),
                target_place: place(8),
                max_replicas: Some(i64::MAX),
            })),
            Detail::Data(Box::new(DataFacts {
                keys: vec!["a".into(), "b".into()],
                data_place: place(9),
            })),
            Detail::Claim(Box::new(ClaimFacts {
                access_modes: vec!["ReadWriteOnce".into()],
                modes_place: place(10),
            })),
            Detail::Ingress(Box::new(IngressFacts {
                backends: vec![Backend {
                    service: "web".into(),
                    name_place: place(11),
                    port: Some((PortRef::Number(i64::MIN), place(12))),
                }],
            })),
            Detail::NetworkPolicy(Box::new(SelectorAt {
                selector: Selector::default(),
                place: place(13),
            })),
            Detail::MakesSecret { name: "tls".into() },
            Detail::Creates(vec!["PersistentVolumeClaim", "Secret"].into_boxed_slice()),
            Detail::Other,
        ]
        .into_iter()
        .map(|detail| ObjectFacts {
            kind: "Other".into(),
            name: Some("x".into()),
            namespace: None,
            kind_place: place(0),
            partial: false,
            custom: false,
            custom_group: None,
            kustomized: false,
            silenced: RelationRules::default(),
            detail,
        });
        let mut first = vec![workload];
        first.extend(others);
        let second = vec![service];
        let mut store = FactStore::default();
        let at_first = store.keep(&first);
        let at_second = store.keep(&second);
        let read = |at, count| format!("{:?}", store.read(at, count).collect::<Vec<_>>());
        assert_eq!(read(at_second, 1), format!("{second:?}"));
        assert_eq!(read(at_first, first.len()), format!("{first:?}"));
    }

    /// A file of an application (a Deployment, its Service and ConfigMap),
    /// as a run keeps it until every file is read: typed, its facts are
    /// about 1,000 bytes in 11 blocks; the store keeps them in 148 (their
    /// texts are the run's already). The test fails at 160.
    #[test]
    fn an_applications_facts_are_kept_in_under_160_bytes() {
        let object = |kind: &str, line: u32, detail| ObjectFacts {
            kind: kind.into(),
            name: Some("web7".into()),
            namespace: Some("team3".into()),
            kind_place: place(line),
            partial: false,
            custom: false,
            custom_group: None,
            kustomized: false,
            silenced: RelationRules::default(),
            detail,
        };
        let reference = |kind, name: &str, line| Reference {
            kind,
            name: name.into(),
            place: place(line),
            optional: false,
            keys: Vec::new(),
        };
        let application = |number: u32| {
            let line = number * 40;
            vec![
                object(
                    "Deployment",
                    line + 2,
                    Detail::Workload(Box::new(WorkloadFacts {
                        workload_kind: Some(WorkloadKind::Deployment),
                        labels: vec![
                            ("app".into(), "web7".into()),
                            ("tier".into(), "frontend".into()),
                        ],
                        replicas: Some((2, place(line + 5))),
                        replicated: true,
                        ports: vec![PortFact {
                            number: Some(8080),
                            name: Some("http".into()),
                            ports_place: place(line + 14),
                        }],
                        undeclared_ports: false,
                        references: vec![
                            reference(ReferenceKind::ConfigMap, "web7-config", line + 15),
                            reference(ReferenceKind::Secret, "web7-tls", line + 17),
                        ],
                    })),
                ),
                object(
                    "Service",
                    line + 20,
                    Detail::Service(Box::new(ServiceFacts {
                        selector: Some(SelectorAt {
                            selector: Selector {
                                labels: vec![("app".into(), "web7".into())],
                                expressions: Vec::new(),
                            },
                            place: place(line + 23),
                        }),
                        ports: vec![ServicePort {
                            port: Some(80),
                            name: None,
                            target: Some(PortRef::Name("http".into())),
                            place: place(line + 24),
                        }],
                        ports_place: Some(place(line + 24)),
                    })),
                ),
                object(
                    "ConfigMap",
                    line + 27,
                    Detail::Data(Box::new(DataFacts {
                        keys: vec!["LOG_LEVEL".into(), "MODE".into(), "REGION".into()],
                        data_place: place(line + 30),
                    })),
                ),
            ]
        };
        let mut store = FactStore::default();
        store.keep(&application(1));
        let before = store.bytes.len();
        store.keep(&application(2));
        let kept = store.bytes.len() - before;
        assert!(kept < 160, "an application's facts took {kept} bytes");
    }
}
