//! What podlint knows about common images: which are databases, caches, web
//! servers, and where databases keep their data. One table, shared by
//! `database-with-web-app` and `emptydir-durable-data`; the reasons are in
//! their docs.

use k8s_openapi::api::core::v1::{Container, PodSpec};

use super::image::ImageRef;

/// Image names (last path component) of databases and other stateful stores.
const DATABASES: &[&str] = &[
    "postgres",
    "postgresql",
    "postgis",
    "timescaledb",
    "mysql",
    "mysql-server",
    "mariadb",
    "percona",
    "percona-server",
    "mongo",
    "mongodb",
    "cassandra",
    "scylla",
    "elasticsearch",
    "opensearch",
    "cockroach",
    "cockroachdb",
    "etcd",
    "clickhouse",
    "clickhouse-server",
    "neo4j",
    "influxdb",
    "couchdb",
    "redis",
    "redis-stack-server",
    "valkey",
    "rethinkdb",
    "arangodb",
];

/// Stores that podlint treats as caches unless persistence is switched on.
const CACHES_UNLESS_PERSISTENT: &[&str] = &["redis", "redis-stack-server", "valkey"];
const CACHES: &[&str] = &["memcached"];

/// Web and application servers: the front half of "database with web app".
const WEB_SERVERS: &[&str] = &[
    "nginx",
    "nginx-unprivileged",
    "httpd",
    "apache",
    "tomcat",
    "jetty",
    "caddy",
    "wordpress",
    "drupal",
    "joomla",
    "ghost",
    "php",
    "node",
    "django",
    "rails",
    "flask",
    "gunicorn",
    "nextcloud",
    "mediawiki",
];

/// Data directories of the databases above (and their Bitnami images).
const DATA_DIRECTORIES: &[&str] = &[
    "/var/lib/postgresql",
    "/var/lib/pgsql",
    "/var/lib/mysql",
    "/var/lib/mariadb",
    "/data/db",
    "/data/configdb",
    "/var/lib/mongodb",
    "/var/lib/redis",
    "/var/lib/cassandra",
    "/var/lib/scylla",
    "/usr/share/elasticsearch/data",
    "/usr/share/opensearch/data",
    "/var/lib/etcd",
    "/var/lib/clickhouse",
    "/var/lib/neo4j",
    "/var/lib/influxdb",
    "/var/lib/influxdb2",
    "/opt/couchdb/data",
    "/cockroach/cockroach-data",
    "/bitnami",
];

/// Path segments that mark scratch space rather than data.
const SCRATCH_SEGMENTS: &[&str] = &["tmp", "temp", "cache", "caches", "log", "logs"];

fn image_name(container: &Container) -> Option<&str> {
    container
        .image
        .as_deref()
        .map(|image| ImageRef::parse(image).name())
}

fn named(container: &Container, names: &[&str]) -> bool {
    image_name(container).is_some_and(|n| {
        names.iter().any(|known| {
            n == *known
                || n.strip_prefix(known)
                    .is_some_and(|rest| rest.starts_with(['-', '_']) && !is_helper_suffix(rest))
        })
    })
}

/// `postgres-exporter`, `mysqld-exporter`, `redis-sentinel-proxy`... are helpers, not stores.
fn is_helper_suffix(rest: &str) -> bool {
    [
        "exporter",
        "operator",
        "backup",
        "proxy",
        "client",
        "cli",
        "init",
        "sidecar",
        "metrics",
        "express",
        "admin",
        "ui",
        "router",
        "commander",
    ]
    .iter()
    .any(|helper| rest.contains(helper))
}

fn is_exporter(container: &Container) -> bool {
    image_name(container).is_some_and(|n| n.contains("exporter"))
}

/// A cache: memcached, or redis/valkey with no persistence switched on.
pub fn is_cache(container: &Container, spec: &PodSpec) -> bool {
    named(container, CACHES)
        || (named(container, CACHES_UNLESS_PERSISTENT) && !persists(container, spec))
}

pub fn is_database(container: &Container, spec: &PodSpec) -> bool {
    !is_exporter(container) && named(container, DATABASES) && !is_cache(container, spec)
}

pub fn is_web_server(container: &Container) -> bool {
    named(container, WEB_SERVERS)
}

/// Redis persists with `--appendonly yes`, `--save <rules>`, or a volume
/// claim mounted for its data.
fn persists(container: &Container, spec: &PodSpec) -> bool {
    let words: Vec<&str> = container
        .command
        .iter()
        .chain(container.args.iter())
        .flatten()
        .flat_map(|w| w.split_whitespace())
        .collect();
    let flag_on = words.windows(2).any(|pair| match pair {
        ["--appendonly", value] => *value == "yes",
        ["--save", value] => !value.trim_matches(['"', '\'']).is_empty(),
        _ => false,
    });
    let claims_volume = container.volume_mounts.iter().flatten().any(|mount| {
        match spec.volumes.iter().flatten().find(|v| v.name == mount.name) {
            Some(volume) => volume.persistent_volume_claim.is_some(),
            // Not a Pod volume: a StatefulSet's volumeClaimTemplate.
            None => true,
        }
    });
    flag_on || claims_volume
}

/// A mount path where a database keeps its data, or `/data` and below,
/// unless it is scratch space (`/data/tmp`, `/data/cache`).
pub fn is_durable_path(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let under = |root: &str| path == root || path.starts_with(&format!("{root}/"));
    let scratch = path
        .split('/')
        .any(|segment| SCRATCH_SEGMENTS.contains(&segment.to_ascii_lowercase().as_str()));
    !scratch && (under("/data") || DATA_DIRECTORIES.iter().any(|dir| under(dir)))
}

#[cfg(test)]
mod tests {
    use super::is_durable_path;

    #[test]
    fn durable_paths() {
        for path in [
            "/data",
            "/data/",
            "/data/db",
            "/var/lib/postgresql/data",
            "/bitnami/mysql",
        ] {
            assert!(is_durable_path(path), "{path}");
        }
        for path in [
            "/tmp",
            "/dev/shm",
            "/var/log/nginx",
            "/data/cache",
            "/database",
            "/var/lib/app",
        ] {
            assert!(!is_durable_path(path), "{path}");
        }
    }
}
