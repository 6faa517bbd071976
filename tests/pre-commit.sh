#!/usr/bin/env bash
# Runs podlint's pre-commit hooks with the real pre-commit, from PyPI, on a
# throwaway git repository: one bad manifest, one good one and a GitHub
# workflow file (YAML that is not a Kubernetes object). The hooks must fail on
# the bad manifest, naming the rule and its line, and pass once it is fixed.
# Then a Helm chart: `git commit` of a changed values, template or _helpers.tpl
# file fails on the chart's finding at the values or template line, and passes
# once fixed.
#
# The .pre-commit-config.yaml is the snippet of docs/integrations.md, with
# `repo:`/`rev:` pointing at a snapshot of this working tree.
#
# Usage: bash tests/pre-commit.sh
# Needs python3 (venv, pip), git, cargo, helm (or .tools/bin), and the network to PyPI. The
# `language: rust` hook builds podlint in pre-commit's cache; it shares the
# release build's target directory, so it only recompiles podlint itself.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The hooks' output is checked in podlint's default format, whatever the
# environment of this run asks for.
unset GITHUB_ACTIONS PODLINT_FORMAT
export NO_COLOR=1 PRE_COMMIT_COLOR=never PRE_COMMIT_HOME="$work/cache"
git_quiet() { git -c user.name=podlint-test -c user.email=podlint-test@example.invalid \
  -c init.defaultBranch=main -c commit.gpgsign=false "$@"; }
passed=0
fail() { echo "pre-commit test: FAILED: $*" >&2; echo "$passed passed, 1 failed"; exit 1; }
step() { echo "pre-commit test: $*"; }

step "installing pre-commit into a virtualenv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
export PATH="$work/venv/bin:$PATH"
pre-commit --version

step "building podlint (release)"
target="${CARGO_TARGET_DIR:-$repo/target}"
(cd "$repo" && cargo build --release --locked --quiet)
export PATH="$target/release:$PATH"
export CARGO_TARGET_DIR="$target"

step "snapshotting the podlint working tree as the hook repository"
mkdir "$work/podlint"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' file; do
      # Files deleted but not yet committed are listed too: skip them.
      if [ -e "$file" ]; then cp --parents -- "$file" "$work/podlint"; fi
    done)
[ -f "$work/podlint/.pre-commit-hooks.yaml" ] || fail "no .pre-commit-hooks.yaml in the snapshot"
git_quiet -C "$work/podlint" init --quiet
git_quiet -C "$work/podlint" add -A
git_quiet -C "$work/podlint" commit --quiet -m snapshot
rev=$(git -C "$work/podlint" rev-parse HEAD)

step "creating a project with a bad manifest, a good one and a workflow"
project="$work/project"
mkdir -p "$project/deploy" "$project/.github/workflows"
manifest() { # name, extra line under resources (or nothing)
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $1
spec:
  selector:
    matchLabels: {app: $1}
  template:
    metadata:
      labels: {app: $1}
    spec:
      containers:
      - name: $1
        image: nginx:1.27
        resources:
          requests: {cpu: 100m, memory: 64Mi}
$2
        readinessProbe:
          httpGet: {path: /, port: 80}
        livenessProbe:
          httpGet: {path: /, port: 80}
        securityContext:
          allowPrivilegeEscalation: false
          runAsNonRoot: true
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
YAML
}
limits="          limits: {memory: 128Mi}"
manifest web "$limits" > "$project/deploy/web.yaml"
manifest worker "" | sed '/^$/d' > "$project/deploy/worker.yaml"
cat > "$project/.github/workflows/ci.yaml" <<'YAML'
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
YAML
# The config is the documented snippet, pointed at the snapshot.
awk '$0 == "<!-- tested: pre-commit-config -->" {found = 1; next}
     found && /^```/ {if (inside) exit; inside = 1; next}
     inside {print}' "$repo/docs/integrations.md" \
  | sed -e "s|repo: https://github.com/podlint/podlint|repo: $work/podlint|" \
        -e "s|rev: v0.1.0|rev: $rev|" > "$work/config-podlint.yaml"
grep -q "id: podlint$" "$work/config-podlint.yaml" || fail "no pre-commit snippet in docs/integrations.md"
grep -q "rev: $rev" "$work/config-podlint.yaml" || fail "the snippet's rev was not replaced"
git_quiet -C "$project" init --quiet

# run_hooks HOOK-ID: pre-commit run --all-files with the documented config,
# using hook HOOK-ID; prints the output to $work/out and returns its status.
run_hooks() {
  sed "s|id: podlint$|id: $1|" "$work/config-podlint.yaml" > "$project/.pre-commit-config.yaml"
  git_quiet -C "$project" add -A
  (cd "$project" && pre-commit run --all-files) > "$work/out" 2>&1
}

expect_failure_on_worker() { # what ran
  cat "$work/out"
  grep -q "memory-limit-missing" "$work/out" || fail "$1: the rule is not named"
  grep -q "deploy/worker.yaml:15:9" "$work/out" || fail "$1: the line of the bad file is not named"
  if grep -q -e "deploy/web.yaml" -e "workflows/ci.yaml" "$work/out"; then
    fail "$1: reported a file that has nothing wrong"
  fi
}

step "pre-commit try-repo: podlint-system must fail on deploy/worker.yaml"
if (cd "$project" && git_quiet add -A && pre-commit try-repo "$work/podlint" podlint-system --all-files) > "$work/out" 2>&1; then
  cat "$work/out"; fail "try-repo passed on a bad manifest"
fi
expect_failure_on_worker "try-repo podlint-system"
passed=$((passed + 1))

for hook in podlint-system podlint; do
  manifest worker "" | sed '/^$/d' > "$project/deploy/worker.yaml"
  step "$hook: must fail on deploy/worker.yaml"
  started=$SECONDS
  if run_hooks "$hook"; then
    cat "$work/out"; fail "$hook passed on a bad manifest"
  fi
  expect_failure_on_worker "$hook"
  passed=$((passed + 1))
  step "$hook: failed as expected in $((SECONDS - started)) s (including any build)"

  step "$hook: must pass once the manifest is fixed"
  manifest worker "$limits" > "$project/deploy/worker.yaml"
  if ! run_hooks "$hook"; then
    cat "$work/out"; fail "$hook failed on fixed manifests"
  fi
  cat "$work/out"
  grep -q "^podlint\.*Passed$" "$work/out" || fail "$hook: no Passed line"
  passed=$((passed + 1))
done

# A chart in the project: a commit that changes one of its values or template
# files runs the hook on that file, which lints the chart it belongs to
# (rendered with helm: PATH, else the repository's .tools/bin).
[ -x "$repo/.tools/bin/helm" ] && export PATH="$PATH:$repo/.tools/bin"
command -v helm > /dev/null || fail "helm is needed for the chart steps (scripts/install-tools.sh installs it)"
chart="$project/charts/web"
mkdir -p "$chart/templates"
printf 'apiVersion: v2\nname: web\nversion: 0.1.0\n' > "$chart/Chart.yaml"
# The chart's template is the manifest with the values' resources inserted.
chart_template() { # a sed script applied to it
  { manifest web "          {{- toYaml .Values.resources | nindent 10 }}"
    echo '{{- include "web.extra" . }}'; } | sed "$1"
}
# A helper the template includes; it renders nothing until a step breaks it.
helpers() { printf '{{- define "web.extra" }}%s{{- end }}\n' "$1" > "$chart/templates/_helpers.tpl"; }
helpers ''
printf 'resources:\n  limits: {memory: 128Mi}\n' > "$chart/values.yaml"
chart_template "" > "$chart/templates/deployment.yaml"
sed "s|id: podlint$|id: podlint-system|" "$work/config-podlint.yaml" > "$project/.pre-commit-config.yaml"
git_quiet -C "$project" add -A
git_quiet -C "$project" commit --quiet --no-verify -m "a chart and manifests"
(cd "$project" && pre-commit install) > /dev/null

# commit_expect PASS|FAIL WHAT: git commit of the staged changes, through the hook.
commit_expect() {
  git_quiet -C "$project" add -A
  if git_quiet -C "$project" commit --quiet -m "$2" > "$work/out" 2>&1; then
    [ "$1" = PASS ] || { cat "$work/out"; fail "the commit of $2 passed"; }
  else
    [ "$1" = FAIL ] || { cat "$work/out"; fail "the commit of $2 failed"; }
  fi
  cat "$work/out"
}

step "commit of a chart's values.yaml without a memory limit must fail at values.yaml:2:3"
printf 'resources:\n  limits: {cpu: 500m}\n' > "$chart/values.yaml"
commit_expect FAIL "values without a memory limit"
grep -q "charts/web/values.yaml:2:3: warning\[memory-limit-missing\]" "$work/out" \
  || fail "the values.yaml line of the chart's finding is not named"
passed=$((passed + 1))
step "commit of the fixed values.yaml must pass"
printf 'resources:\n  limits: {cpu: 500m, memory: 128Mi}\n' > "$chart/values.yaml"
commit_expect PASS "values with a memory limit"
passed=$((passed + 1))

step "commit of a chart template that sets privileged must fail at its line"
chart_template 's/^\( *\)runAsNonRoot: true/&\n\1privileged: true/' > "$chart/templates/deployment.yaml"
commit_expect FAIL "a privileged template"
grep -q "charts/web/templates/deployment.yaml:25:11: warning\[privileged-container\]" "$work/out" \
  || fail "the template line of the chart's finding is not named"
passed=$((passed + 1))
step "commit of the fixed template must pass"
chart_template 's/^\( *\)runAsNonRoot: true/&\n\1privileged: false/' > "$chart/templates/deployment.yaml"
commit_expect PASS "the template fixed"
passed=$((passed + 1))

step "commit of a chart's _helpers.tpl whose define fails must fail where helm names it (the include)"
helpers '{{ fail "web.extra is not ready" }}'
commit_expect FAIL "a failing helper"
grep -q "charts/web/templates/deployment.yaml:[0-9]*:[0-9]*: error\[render-failed\] .*web.extra is not ready" "$work/out" \
  || fail "the helper's render failure is not reported"
passed=$((passed + 1))
step "commit of the fixed _helpers.tpl must pass"
helpers '{{- /* ready */ -}}'
commit_expect PASS "the helper fixed"
passed=$((passed + 1))
(cd "$project" && pre-commit uninstall) > /dev/null

step "building the wheel with maturin from PyPI (bindings = bin)"
python3 -m venv "$work/build"
"$work/build/bin/pip" install --quiet --disable-pip-version-check maturin
(cd "$repo" && "$work/build/bin/maturin" build --release --locked --out "$work/dist") > "$work/maturin.log" 2>&1 \
  || { cat "$work/maturin.log"; fail "maturin could not build the wheel"; }
wheel=$(ls "$work"/dist/podlint-*.whl)
step "built $(basename "$wheel")"

step "installing the wheel into a fresh virtualenv"
python3 -m venv "$work/fresh"
started=$(date +%s%N)
"$work/fresh/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
step "pip install took $(( ($(date +%s%N) - started) / 1000000 )) ms"
"$work/fresh/bin/podlint" --version | grep -q "^podlint " || fail "the wheel's podlint does not run"
passed=$((passed + 1))

step "the python hook of packaging/pre-commit-mirror, installing that wheel"
mkdir "$work/mirror"
cp -r "$repo/packaging/pre-commit-mirror/." "$work/mirror/"
git_quiet -C "$work/mirror" init --quiet
git_quiet -C "$work/mirror" add -A
git_quiet -C "$work/mirror" commit --quiet -m mirror
cat > "$work/config-mirror.yaml" <<YAML
repos:
  - repo: $work/mirror
    rev: $(git -C "$work/mirror" rev-parse HEAD)
    hooks:
      - id: podlint
YAML
# The wheel is not published: pip finds it here instead of on PyPI.
export PIP_FIND_LINKS="$work/dist"
manifest worker "" | sed '/^$/d' > "$project/deploy/worker.yaml"
cp "$work/config-mirror.yaml" "$project/.pre-commit-config.yaml"
git_quiet -C "$project" add -A
started=$SECONDS
if (cd "$project" && pre-commit run --all-files) > "$work/out" 2>&1; then
  cat "$work/out"; fail "the python hook passed on a bad manifest"
fi
expect_failure_on_worker "python hook"
step "python hook: failed as expected in $((SECONDS - started)) s (including its install)"
passed=$((passed + 1))
manifest worker "$limits" > "$project/deploy/worker.yaml"
git_quiet -C "$project" add -A
if ! (cd "$project" && pre-commit run --all-files) > "$work/out" 2>&1; then
  cat "$work/out"; fail "the python hook failed on fixed manifests"
fi
grep -q "^podlint\.*Passed$" "$work/out" || { cat "$work/out"; fail "python hook: no Passed line"; }
passed=$((passed + 1))

echo "$passed passed, 0 failed"
