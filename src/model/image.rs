//! Container image references: `registry:5000/team/app:1.2@sha256:...`.

#[derive(Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Repository path without registry host, e.g. `team/app` or `library/nginx`.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(image: &'a str) -> Self {
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (image, None),
        };
        // A colon after the last slash starts the tag; one before it is a registry port.
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
            None => (name, None),
        };
        // The first component is a registry host when it has a dot or port, or is localhost.
        let repository = match path.split_once('/') {
            Some((host, rest)) if host.contains(['.', ':']) || host == "localhost" => rest,
            _ => path,
        };
        ImageRef {
            repository,
            tag,
            digest,
        }
    }

    /// The last path component: `postgres` for `docker.io/library/postgres:16`.
    pub fn name(&self) -> &'a str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(self.repository)
    }
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn parses_registry_ports_tags_and_digests() {
        let image = ImageRef::parse("registry.local:5000/team/app:1.2");
        assert_eq!(
            (image.repository, image.tag, image.name()),
            ("team/app", Some("1.2"), "app")
        );
        let image = ImageRef::parse("registry.local:5000/app");
        assert_eq!((image.repository, image.tag), ("app", None));
        let image = ImageRef::parse("nginx@sha256:abc");
        assert_eq!((image.tag, image.digest), (None, Some("sha256:abc")));
        let image = ImageRef::parse("bitnami/postgresql:16.2.0-debian-12");
        assert_eq!(
            (image.name(), image.tag),
            ("postgresql", Some("16.2.0-debian-12"))
        );
    }
}
