//! Rendering: kustomize builds, and the mapping of rendered nodes back to
//! the files a person edits.

pub mod kustomization;
pub mod kustomize;
pub mod overlay_map;
