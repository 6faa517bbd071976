use crate::model::image::ImageRef;
use crate::model::{PodView, Target};
use crate::rules::{Check, Report};

rule!("image-latest-tag", Check::Pod(check));

fn check(pod: &PodView<'_>, out: &mut Report<'_>) {
    for c in pod.containers() {
        let Some(image) = c.container.image.as_deref() else { continue };
        // Filled in by a tool before apply: `${IMAGE}`, `{{ .image }}`, ko's
        // `ko://import/path`, and Istio's injected `auto`.
        if image.is_empty() || image.contains(['$', '{']) || image.starts_with("ko://") || image == "auto" {
            continue;
        }
        let parsed = ImageRef::parse(image);
        if parsed.digest.is_some() {
            continue;
        }
        let message = match parsed.tag {
            Some("latest") => format!("image `{image}` uses the `latest` tag"),
            None => format!("image `{image}` has no tag, so it means `:latest`"),
            Some(_) => continue,
        };
        out.at(Target::Field(c.path.key("image")), message)
            .help("pin a version tag or a digest: a restarted Pod may otherwise run different code")
            .container(c.name());
    }
}
