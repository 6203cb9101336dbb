#!/usr/bin/env bash
# Regenerates imports/<group>.ts with `cdk8s import` from the CRDs in ../shared/crds: one file
# per API group (cdk8s import writes one file per group, so a group's CRDs go in together).
# The CRD files themselves are never committed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
groups=${*:-monitoring.coreos.com}
# the kinds of a group the library emits, where it emits fewer than the group has: the bindings
# ship in the package, and Argo's AnalysisRun and ClusterAnalysisTemplate alone are 1.4 MB
declare -A only=([argoproj.io]="rollouts analysistemplates")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for group in $groups; do
  if [ -n "${only[$group]:-}" ]; then
    files=(); for kind in ${only[$group]}; do files+=("$root/../shared/crds/$kind.$group.yaml"); done
  else
    files=("$root"/../shared/crds/*."$group".yaml)
  fi
  for f in "${files[@]}"; do cat "$f"; echo '---'; done > "$work/$group.yaml"
  # run outside the project: cdk8s import records what it imported in ./cdk8s.yaml
  (cd "$work" && "$root/node_modules/.bin/cdk8s" import "$work/$group.yaml" --language typescript --output "$root/imports" >/dev/null)
  echo "imports/$group.ts"
done
