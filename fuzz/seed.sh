#!/usr/bin/env bash
# Builds the fuzz seed corpus in fuzz/corpus/pipeline (not committed): every
# fixture, a sample of ../shared/corpus when it is there (every Nth file, N=20
# by default), and the hostile shapes the test suite generates.
set -euo pipefail
cd "$(dirname "$0")/.."
every=${1:-20}
out=fuzz/corpus/pipeline
mkdir -p "$out"
find fixtures -name '*.yaml' | while read -r f; do
  cp "$f" "$out/fixture-$(echo "$f" | tr / _)"
done
if [ -d ../shared/corpus ]; then
  find ../shared/corpus -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -size -64k |
    sort | awk -v n="$every" 'NR % n == 0' | while read -r f; do
      cp "$f" "$out/corpus-$(echo "${f#../shared/corpus/}" | tr / _)"
    done
fi
cp fuzz/seeds/* "$out/"
echo "$(ls "$out" | wc -l) seeds in $out"
mkdir -p fuzz/corpus/lsp
cp fuzz/seeds-lsp/* fuzz/corpus/lsp/
echo "$(ls fuzz/corpus/lsp | wc -l) seeds in fuzz/corpus/lsp"
