#!/usr/bin/env bash
# Peak memory (GNU time's maximum resident set size) of podlint on the inputs
# of docs/robustness.md, "Memory per finding", in every output format.
#
# usage: [INPUTS="rollout90k.yaml ..."] scripts/memory.sh [PODLINT]
#        [default: every input below; target/release/podlint]
#
# Makes, in a temporary folder removed at the end:
#   bundle50.yaml      50 MB: Deployments of 10 findings each, one after another
#   containers.yaml    6.7 MB: one Pod of 200,000 one-line containers (6.4 MiB
#                      as JSON: too large to apply, so reported and not typed)
#   containers90k.yaml 2.9 MB: one Pod of 90,000 one-line containers (2.9 MiB
#                      as JSON: the largest such Pod the API server accepts)
#   rollout90k.yaml    3.3 MB: the same containers in an Argo Rollout's Pod
#                      template (a custom resource)
#   tekton90k.yaml     3.0 MB: 90,000 one-line steps of a Tekton Task (a Pod
#                      that its controller assembles from them)
# and prints one line per input and format: the peak RSS in MB and its ratio
# to the input's size.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
podlint=${1:-$root/target/release/podlint}
[ -x /usr/bin/time ] || { echo "memory.sh needs GNU time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/podlint-memory.XXXXXX")
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
# Ten findings a document: no limits, requests, probes or security context,
# an untagged image and the host's network.
document = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
spec:
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      hostNetwork: true
      containers:
      - name: web
        image: nginx
---
"""
parts, size, i = [], 0, 0
while size < 50_000_000:
    part = document.format(i=i)
    parts.append(part)
    size += len(part)
    i += 1
open(f"{work}/bundle50.yaml", "w").write("".join(parts))
lines = ["apiVersion: v1\nkind: Pod\nmetadata:\n  name: many\nspec:\n  containers:\n"]
for name, count in (("containers.yaml", 200_000), ("containers90k.yaml", 90_000)):
    containers = [f"  - {{name: c{i}, image: nginx}}\n" for i in range(count)]
    open(f"{work}/{name}", "w").write("".join(lines + containers))
rollout = """apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: big
spec:
  selector:
    matchLabels: {app: big}
  template:
    metadata:
      labels: {app: big}
    spec:
      containers:
"""
containers = [f"      - {{name: c{i:05}, image: nginx}}\n" for i in range(90_000)]
open(f"{work}/rollout90k.yaml", "w").write(rollout + "".join(containers))
task = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: big\nspec:\n  steps:\n"
steps = [f"  - {{name: s{i:05}, image: nginx}}\n" for i in range(90_000)]
open(f"{work}/tekton90k.yaml", "w").write(task + "".join(steps))
PY

for input in ${INPUTS:-bundle50.yaml containers.yaml containers90k.yaml rollout90k.yaml tekton90k.yaml}; do
  bytes=$(stat -c %s "$work/$input")
  for format in human compact json sarif github; do
    kb=$(/usr/bin/time -f %M -o "$work/rss" \
      "$podlint" --format "$format" --max-file-size 100MiB "$work/$input" >/dev/null 2>&1 ||
      true; cat "$work/rss" | tail -1)
    awk -v input="$input" -v format="$format" -v kb="$kb" -v bytes="$bytes" 'BEGIN {
      printf "%-18s %-8s %6.0f MB  %5.1fx\n", input, format, kb / 1000, kb * 1024 / bytes }'
  done
done
