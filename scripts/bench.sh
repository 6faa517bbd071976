#!/usr/bin/env bash
# Measures podlint's release binary on the real-world corpus and prints every
# figure of the README's performance section, each beside its target.
#
# usage: scripts/bench.sh
#
# Runs on a fresh Debian/Ubuntu machine: installs hyperfine and GNU time with
# apt-get when they are missing, and checkov from PyPI into a temporary venv.
# Everything it makes (the 10x corpus, 246 MB; the checkov subset and venv)
# goes into one temporary folder, removed at the end.
#
# Environment:
#   CORPUS=DIR          the 1x corpus            [default: ../shared/corpus]
#   BIG_CORPUS=DIR      an existing 10x corpus    [default: built with make-big-corpus.sh]
#   RUNS=N              hyperfine runs a command on the 1x corpus [default: 10]; 10x: half
#   SKIP_CHECKOV=1      leave checkov out (it takes minutes to install and run)
#   CHECKOV_VERSION=V   the checkov release to compare with [default: 3.3.30]
#   CHECKOV=PATH        an installed checkov to use instead of a fresh venv
#   SECTIONS=LIST       which parts to run, comma-separated, of corpus,
#                       checkov, charts, kustomize [default: all four]
#   BEFORE=BINARY       another podlint build (say, main's, or one without a
#                       feature) timed on the 1x corpus beside this one
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=$(cd "${CORPUS:-$root/../shared/corpus}" && pwd)
make_big=$root/../shared/bench/make-big-corpus.sh
runs=${RUNS:-10}
big_runs=$(( runs / 2 > 3 ? runs / 2 : 3 ))
checkov_version=${CHECKOV_VERSION:-3.3.30}
manifest=$root/benches/manifests/deployment-60-lines.yaml

work=$(mktemp -d "${TMPDIR:-/tmp}/podlint-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
sections=${SECTIONS:-corpus,checkov,charts,kustomize}
want() { [[ ",$sections," == *",$1,"* ]]; }

say() { printf '\n== %s\n' "$*" >&2; }

# --- tools -------------------------------------------------------------------
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]} (apt-get)"
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
command -v python3 >/dev/null || { echo "bench.sh needs python3" >&2; exit 2; }

# --- the binary --------------------------------------------------------------
say "building the release binary"
(cd "$root" && cargo build --release --locked --quiet)
target_dir=$(cd "$root" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
podlint=$target_dir/release/podlint

# --- the corpora -------------------------------------------------------------
if ! want corpus; then
  big=
elif [ -n "${BIG_CORPUS:-}" ]; then
  big=$(cd "$BIG_CORPUS" && pwd)
else
  say "building the 10x corpus in $work"
  big=$work/corpus-x10
  CORPUS=$corpus bash "$make_big" "$big" 10 >&2
fi

# What podlint reads in a corpus: files, bytes, documents, Pod specs (from its
# JSON summary; hidden folders are skipped, as DESIGN.md says).
corpus_facts() {
  "$podlint" check "$1" --format json -j 2 --fail-level never >"$work/facts.json"
  python3 - "$1" "$work/facts.json" <<'PY'
import json, os, sys
root, facts = sys.argv[1], json.load(open(sys.argv[2]))["summary"]
size = 0
for folder, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "vendor")]
    size += sum(os.path.getsize(os.path.join(folder, f)) for f in files
                if not f.startswith(".") and f.rsplit(".", 1)[-1] in ("yaml", "yml", "json"))
print(json.dumps({"files": facts["files"], "bytes": size, "documents": facts["documents"],
                  "pod_specs": facts["pod_specs"], "findings": facts["findings"]}))
PY
}

# --- measuring ---------------------------------------------------------------
# Wall times of a command (one string, paths without spaces), by hyperfine
# without a shell; the report takes their median.
timed() { # NAME RUNS WARMUP COMMAND
  hyperfine -N --style none --warmup "$3" --runs "$2" --export-json "$work/$1.json" -- "$4" \
    >/dev/null 2>&1
}
seconds() { # COMMAND...: its wall time in seconds, one run
  python3 -c 'import sys,time; t=time.monotonic(); import subprocess; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(time.monotonic()-t)' "$@"
}
own_peak() { # NAME COMMAND: podlint's own peak resident set (VmHWM) in KiB,
  # without its kubectl and helm children (GNU time reports the largest
  # process of the tree); sampled every 2 ms until it exits.
  # shellcheck disable=SC2086 # the command is split into its words on purpose
  python3 - "$work/$1.own" $2 <<'PY'
import subprocess, sys, time
process = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while process.poll() is None:
    try:
        for line in open(f"/proc/{process.pid}/status"):
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.002)
open(sys.argv[1], "w").write(str(peak))
PY
}
peak_rss() { # NAME COMMAND: peak resident set in KiB
  # shellcheck disable=SC2086 # the command is split into its words on purpose
  /usr/bin/time -f %M -o "$work/$1.rss" $2 >/dev/null 2>&1 || true
}

lint() { echo "$podlint check $1 --format json -j $2 --fail-level never"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if want corpus; then
say "corpus facts"
corpus_facts "$corpus" >"$work/facts-1x.json"
corpus_facts "$big" >"$work/facts-10x.json"

# Twenty custom checks: docs/examples/custom-checks' ten, and the same ten
# again under other ids (each compiled and run on its own).
python3 - "$root/docs/examples/custom-checks/.podlint.yaml" "$work/twenty-checks.yaml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
head, checks = text.split("checks:", 1)
again = re.sub(r"id: ([a-z0-9-]+)", r"id: \1-again", checks)
open(sys.argv[2], "w").write(head + "checks:" + checks.rstrip("\n") + "\n" + again)
PY

# The run-level stage's rules (their registry line says `Check::Relation`):
# turned off, the per-file stage keeps no facts.
relation_rules=$(grep -h 'Check::Relation' "$root"/src/rules/*.rs |
  sed -E 's/^rule!\("([^"]+)".*/\1/' | paste -sd, -)
for scale in 1x 10x; do
  dir=$corpus; n=$runs
  [ $scale = 10x ] && { dir=$big; n=$big_runs; }
  for jobs in 1 2; do
    say "$scale corpus, -j $jobs: full run and parse-only ($n runs each)"
    timed "full-$scale-j$jobs" "$n" 1 "$(lint "$dir" "$jobs")"
    timed "parse-$scale-j$jobs" "$n" 1 "$(lint "$dir" "$jobs") --parse-only"
  done
  say "$scale corpus, -j 2: the relation rules off ($n runs)"
  timed "norelations-$scale-j2" "$n" 1 "$(lint "$dir" 2) --disable $relation_rules"
  say "$scale corpus, -j 2: 20 custom checks ($n runs)"
  timed "checks-$scale-j2" "$n" 1 "$(lint "$dir" 2) --config $work/twenty-checks.yaml"
  say "$scale corpus: peak memory"
  peak_rss "full-$scale" "$(lint "$dir" 2)"
  peak_rss "parse-$scale" "$(lint "$dir" 2) --parse-only"
  own_peak "full-$scale" "$(lint "$dir" 2)"
done

say "single file: $(basename "$manifest"), whole process, --format compact"
timed single 300 50 "$podlint check $manifest --format compact --fail-level never"
timed version 300 50 "$podlint --version"
fi

# --- another build beside this one -------------------------------------------
if [ -n "${BEFORE:-}" ]; then
  say "1x corpus, -j 2: $BEFORE and this build, alternately ($runs runs each)"
  hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$work/before.json" \
    -- "$BEFORE check $corpus --format json -j 2 --fail-level never" "$(lint "$corpus" 2)" >/dev/null 2>&1
fi

# --- checkov on a 10% subset ---------------------------------------------------
if [ "${SKIP_CHECKOV:-}" != 1 ] && want checkov; then
  say "checkov: a 10% subset (every 10th file in path order)"
  subset=$work/subset
  (cd "$corpus" && find . -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) \
      -not -path '*/.*' -not -path '*/node_modules/*' -not -path '*/vendor/*' | LC_ALL=C sort |
    awk 'NR % 10 == 1' | tar -cf - -T -) | (mkdir -p "$subset" && tar -xf - -C "$subset")
  corpus_facts "$subset" >"$work/facts-subset.json"
  if [ -n "${CHECKOV:-}" ]; then
    checkov=$CHECKOV
  else
    say "installing checkov $checkov_version from PyPI into a temporary venv"
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$checkov_version"
    checkov=$work/venv/bin/checkov
  fi
  "$checkov" --version >"$work/checkov.version"
  # Its start-up (importing its checks) is measured apart on one file, so
  # that the extrapolation scales only what grows with the files.
  mkdir -p "$work/one" && cp "$manifest" "$work/one/"
  # Two ways to run it: its Kubernetes checks only (what podlint does), and
  # as `checkov -d DIR` runs by default (every framework that reads YAML/JSON).
  for frameworks in kubernetes all; do
    for name in one subset; do
      say "checkov --framework $frameworks on $name (one run)"
      /usr/bin/time -f '%e %M' -o "$work/checkov-$frameworks-$name.time" "$checkov" \
        -d "$work/$name" --framework "$frameworks" --quiet --compact --output json \
        >/dev/null 2>&1 || true
    done
  done
  timed podlint-subset "$runs" 1 "$(lint "$subset" 2)"
fi
# --- Helm charts: podlint beside `helm template` alone ------------------------------
# Each chart: helm template once per render podlint makes (values.yaml, then
# each ci/*-values.yaml, one after another) beside podlint with the default
# jobs and with -j 1; medians of RUNS runs. Then all charts in one run.
charts=${CHARTS:-$root/../shared/charts}
helm_bin=$(command -v helm || echo "$root/.tools/bin/helm")
if want charts && [ -d "$charts" ] && [ -x "$helm_bin" ]; then
  say "Helm charts: podlint and helm template alone, each chart ($runs runs each)"
  cat >"$work/helm-renders" <<SH
#!/usr/bin/env bash
for chart in "\$@"; do
  "$helm_bin" template release-name "\$chart" --namespace default >/dev/null 2>&1
  for values in "\$chart"/ci/*-values.yaml; do
    [ -f "\$values" ] || continue
    "$helm_bin" template release-name "\$chart" --namespace default --values "\$values" >/dev/null 2>&1
  done
done
exit 0
SH
  chmod +x "$work/helm-renders"
  export PATH="$(dirname "$helm_bin"):$PATH"
  all=()
  for chart in $(find "$charts" -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort); do
    all+=("$chart")
    name=$(basename "$chart")
    hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$work/chart-$name.json" \
      -- "$work/helm-renders $chart" \
      "$podlint check $chart -j 1 --format json --fail-level never" \
      "$podlint check $chart --format json --fail-level never" >/dev/null 2>&1
  done
  say "Helm charts: all in one run ($big_runs runs each)"
  hyperfine -N --style none --warmup 1 --runs "$big_runs" --export-json "$work/charts-all.json" \
    -- "$work/helm-renders ${all[*]}" \
    "$podlint check $charts -j 1 --format json --fail-level never" \
    "$podlint check $charts -j 2 --format json --fail-level never" >/dev/null 2>&1
fi
# --- Kustomize: podlint beside the kustomize builds alone ---------------------------
# The roots podlint builds, each built by the binary podlint uses (kustomize,
# else kubectl, on PATH) with the same flags, one after another as podlint
# -j 1 builds them. (podlint also renders the tree's one Helm chart.)
kustomize_tree=${KUSTOMIZE_TREE:-$root/../shared/kustomize}
kustomize_path="$(dirname "$helm_bin"):$PATH"
real_kustomize=$(PATH=$kustomize_path command -v kustomize || PATH=$kustomize_path command -v kubectl || true)
if want kustomize && [ -d "$kustomize_tree" ] && [ -n "$real_kustomize" ]; then
  say "Kustomize: podlint and the builds alone, one run each"
  # A stand-in binary records the builds podlint asks for: the root (a
  # root built through podlint's wrapper folder is the one its
  # kustomization.yaml names) and --enable-helm when given.
  recorder=$work/$(basename "$real_kustomize")-recorded
  cat >"$recorder" <<SH
#!/usr/bin/env bash
dir=\${@: -1}; [ "\$dir" = --enable-helm ] && { dir=\${@: -2:1}; helm=--enable-helm; }
case \$(basename "\$dir") in podlint-kustomize-*)
  entry=\$(sed -n 's/^- "\\(.*\\)"\$/\\1/p' "\$dir/kustomization.yaml")
  dir=\$(realpath -m "\$dir/\$entry") ;;
esac
grep -qxF "\$dir \${helm:-}" "$work/kustomize-roots.txt" 2>/dev/null || echo "\$dir \${helm:-}" >>"$work/kustomize-roots.txt"
exec "$real_kustomize" "\$@"
SH
  chmod +x "$recorder"
  PATH=$kustomize_path "$podlint" check "$kustomize_tree" -j 1 --format json --fail-level never \
    --kustomize "$recorder" >/dev/null 2>&1 || true
  kustomize_builds() { # FILE: lines of ROOT [--enable-helm]
    local command=(build)
    [[ $(basename "$real_kustomize") == kubectl* ]] && command=(kustomize)
    while read -r dir helm; do
      # shellcheck disable=SC2086 # no flag or one
      "$real_kustomize" "${command[@]}" "$dir" $helm >/dev/null 2>&1 || true
    done <"$1"
  }
  export -f kustomize_builds; export real_kustomize
  scope="kustomize ($(wc -l <"$work/kustomize-roots.txt") roots)"
  {
    echo "$scope: builds alone $(PATH=$kustomize_path seconds bash -c "kustomize_builds $work/kustomize-roots.txt")"
    echo "$scope: podlint -j 1 $(PATH=$kustomize_path seconds "$podlint" check "$kustomize_tree" -j 1 --format json --fail-level never)"
    echo "$scope: podlint -j 2 $(PATH=$kustomize_path seconds "$podlint" check "$kustomize_tree" -j 2 --format json --fail-level never)"
  } >"$work/kustomize.txt"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the report ------------------------------------------------------------------
python3 - "$work" "$load_before" "$load_after" "$(basename "$manifest")" <<'PY'
import json, os, statistics, sys, datetime, platform
work, load_before, load_after, manifest = sys.argv[1:5]

def timing(name):
    """Median wall time, its standard deviation, and the CPU time (user +
    system: less sensitive to other processes than wall time)."""
    path = os.path.join(work, name + ".json")
    if not os.path.exists(path):
        return None
    result = json.load(open(path))["results"][0]
    times = result["times"]
    # hyperfine gives CPU times per run (newer) or their means (older).
    user, system = result["user"], result["system"]
    if isinstance(user, list):
        cpu = statistics.median(u + s for u, s in zip(user, system))
    else:
        cpu = user + system
    return (statistics.median(times), statistics.stdev(times) if len(times) > 1 else 0.0, cpu)

def read(name):
    path = os.path.join(work, name)
    return open(path).read().strip() if os.path.exists(path) else None

def rss_mib(name):
    kib = read(name + ".rss")
    # GNU time puts "Command exited with non-zero status" before the figures.
    return int(kib.split()[-1]) / 1024 if kib else None

facts = ({scale: json.loads(read(f"facts-{scale}.json")) for scale in ("1x", "10x")}
         if read("facts-1x.json") else None)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"podlint benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
print(f"machine: {os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}")
print(f"load average (1, 5, 15 min): {load_before} before, {load_after} after"
      + ("   <- a loaded machine: wall times are noisy" if float(load_before.split()[0]) > 0.5 else ""))
for scale in ("1x", "10x") if facts else ():
    f = facts[scale]
    print(f"{scale} corpus: {f['files']:,} files, {f['bytes']/1e6:.1f} MB, {f['documents']:,} documents, "
          f"{f['pod_specs']:,} Pod specs, {f['findings']:,} findings")
print("times are medians of hyperfine runs (± standard deviation); MB are 10^6 bytes\n")

rows = []
def row(figure, value, target="", met=None):
    rows.append((figure, value, target, "" if met is None else ("met" if met else "MISSED")))

if facts:
    for scale in ("1x", "10x"):
        f = facts[scale]
        for jobs in (1, 2):
            full, parse = timing(f"full-{scale}-j{jobs}"), timing(f"parse-{scale}-j{jobs}")
            mbs = f["bytes"] / 1e6 / full[0]
            row(f"{scale} -j{jobs} full run (JSON, every default rule)", f"{full[0]*1000:,.0f} ms ± {full[1]*1000:.0f}",
                "", None)
            row(f"{scale} -j{jobs} parse-only floor (--parse-only)", f"{parse[0]*1000:,.0f} ms ± {parse[1]*1000:.0f}")
            ratio = full[0] / parse[0]
            row(f"{scale} -j{jobs} full / parse-only", f"{ratio:.2f}x",
                "<= 1.5x" if (scale, jobs) == ("1x", 2) else "",
                ratio <= 1.5 if (scale, jobs) == ("1x", 2) else None)
            row(f"{scale} -j{jobs} throughput", f"{mbs:.1f} MB/s, {f['documents']/full[0]:,.0f} documents/s, "
                f"{f['pod_specs']/full[0]:,.0f} Pod specs/s",
                ">= 40 MB/s" if (scale, jobs) == ("1x", 2) else "", mbs >= 40 if (scale, jobs) == ("1x", 2) else None)
        rss, prss = rss_mib(f"full-{scale}"), rss_mib(f"parse-{scale}")
        row(f"{scale} -j2 peak RSS of the process tree (kubectl, helm), full (parse-only)",
            f"{rss:.1f} MiB ({prss:.1f} MiB)")
        own = int(read(f"full-{scale}.own")) / 1024
        row(f"{scale} -j2 podlint's own peak (VmHWM), full", f"{own:.1f} MiB",
            "<= 64 MiB" if scale == "10x" else "", own <= 64 if scale == "10x" else None)
    for scale in ("1x", "10x"):
        full, without = timing(f"full-{scale}-j2"), timing(f"norelations-{scale}-j2")
        cost = full[0] / without[0]
        row(f"{scale} -j2 run-level stage: full / relation rules off (CPU {full[2] / without[2]:.2f}x)",
            f"{cost:.3f}x ({without[0]*1000:,.0f} ms off)", "<= 1.10x", cost <= 1.10)
    for scale in ("1x", "10x"):
        full, checks = timing(f"full-{scale}-j2"), timing(f"checks-{scale}-j2")
        cost = checks[0] / full[0]
        row(f"{scale} -j2 20 custom checks: with / without (CPU {checks[2] / full[2]:.2f}x)",
            f"{cost:.3f}x ({checks[0]*1000:,.0f} ms with)", "<= 1.15x", cost <= 1.15)
    for jobs in (1, 2):
        big, small = timing(f"full-10x-j{jobs}"), timing(f"full-1x-j{jobs}")
        growth = big[0] / small[0]
        row(f"10x / 1x wall time, -j{jobs} (CPU time: {big[2] / small[2]:.2f}x)", f"{growth:.2f}x",
            "<= 10.5x", growth <= 10.5)
    single, version = timing("single"), timing("version")
    row(f"single file ({manifest}, --format compact)",
        f"{single[0]*1000:.2f} ms ± {single[1]*1000:.2f} (CPU {single[2]*1000:.2f} ms)",
        "<= 5 ms", single[0] <= 0.005)
    row("process floor (podlint --version)",
        f"{version[0]*1000:.2f} ms ± {version[1]*1000:.2f} (CPU {version[2]*1000:.2f} ms)")

def checkov_run(frameworks, name):
    # GNU time puts "Command exited with non-zero status" before the figures.
    text = read(f"checkov-{frameworks}-{name}.time")
    seconds, kib = text.splitlines()[-1].split()
    return float(seconds), int(kib) / 1024

if read("checkov.version") and facts:
    sub = json.loads(read("facts-subset.json"))
    ours = timing("podlint-subset")[0]
    full = timing("full-1x-j2")[0]
    row(f"podlint -j2 on the 10% subset ({sub['files']:,} files, {sub['bytes']/1e6:.1f} MB)",
        f"{ours*1000:,.0f} ms")
    for frameworks in ("kubernetes", "all"):
        name = f"checkov {read('checkov.version')} --framework {frameworks}"
        start, _ = checkov_run(frameworks, "one")
        seconds, mib = checkov_run(frameworks, "subset")
        # Start-up once, plus the subset's per-file (or per-byte) cost scaled
        # to the corpus; the target is judged on the smaller of the two.
        by_files = start + (seconds - start) * facts["1x"]["files"] / sub["files"]
        by_bytes = start + (seconds - start) * facts["1x"]["bytes"] / sub["bytes"]
        extrapolated = min(by_files, by_bytes)
        row(f"{name}: start-up (one file); the subset",
            f"{start:,.1f} s; {seconds:,.1f} s, peak RSS {mib:,.0f} MiB ({seconds/ours:,.0f}x podlint's)")
        row(f"{name}: 1x corpus extrapolated by files / by bytes",
            f"{by_files:,.0f} s / {by_bytes:,.0f} s (start-up + subset cost x 1x / subset)")
        row(f"podlint -j2 on the 1x corpus vs {name} (the smaller)",
            f"{extrapolated/full:,.0f}x faster", ">= 300x", extrapolated / full >= 300)
elif facts:
    row("checkov", "not measured (SKIP_CHECKOV=1)")

before = timing("before")
if before is not None:
    results = json.load(open(os.path.join(work, "before.json")))["results"]
    old, new = (statistics.median(r["times"]) for r in results)
    row(f"1x -j2, BEFORE ({os.environ.get('BEFORE', 'another build')}) / this build",
        f"{old*1000:,.0f} ms / {new*1000:,.0f} ms = {new/old:.3f}x")

charts = sorted(n[len("chart-"):-len(".json")] for n in os.listdir(work)
                if n.startswith("chart-") and n.endswith(".json"))
# A user runs `podlint check CHART` with the default jobs (one per core):
# that is podlint's total for a chart; -j1 shows the cost on one core.
for name in charts:
    helm, one, default = (statistics.median(r["times"])
                          for r in json.load(open(os.path.join(work, f"chart-{name}.json")))["results"])
    row(f"chart {name}: podlint / helm template (same renders); -j1",
        f"{default*1000:,.0f} ms / {helm*1000:,.0f} ms = {default/helm:.2f}x; {one/helm:.2f}x",
        "<= 1.15x", default / helm <= 1.15)
if read("charts-all.json"):
    helm, one, two = (statistics.median(r["times"])
                      for r in json.load(open(os.path.join(work, "charts-all.json")))["results"])
    row(f"all {len(charts)} charts: podlint -j1 (-j2) / helm template",
        f"{one*1000:,.0f} ms ({two*1000:,.0f} ms) / {helm*1000:,.0f} ms = {one/helm:.2f}x ({two/helm:.2f}x)",
        "<= 1.15x", one / helm <= 1.15)

width = [max(len(r[i]) for r in rows) for i in range(4)]
header = ("figure", "value", "target", "")
print(" | ".join(h.ljust(w) for h, w in zip(header, width)))
print("-+-".join("-" * w for w in width))
for r in rows:
    print(" | ".join(c.ljust(w) for c, w in zip(r, width)))
PY

# A file of "SCOPE: FIGURE SECONDS" lines, and for each scope podlint -j 1
# over its BASE figure, against the 1.15x target.
report_ratios() { # TITLE FILE BASE
  echo
  echo "$1"
  python3 - "$2" "$3" <<'PY'
import sys
path, base_name = sys.argv[1:3]
t = {}
for line in open(path):
    label, value = line.strip().rsplit(" ", 1)
    t[label] = float(value)
    print(f"  {label:<44} {float(value)*1000:8,.0f} ms")
for scope in dict.fromkeys(label.split(": ")[0] for label in t):
    base, pod = t.get(f"{scope}: {base_name}"), t.get(f"{scope}: podlint -j 1")
    if base and pod:
        ratio = pod / base
        print(f"  {scope}: podlint -j 1 / {base_name} = {ratio:.2f}x  {'met' if ratio <= 1.15 else 'MISSED'}")
PY
}
if [ -f "$work/kustomize.txt" ]; then
  report_ratios "Kustomize (one run each; target: podlint -j 1 at most 1.15x the same roots built one by one):" \
    "$work/kustomize.txt" "builds alone"
fi

