#!/bin/sh
# Renders page 1 of every pack (templates/packs/*.yaml) from the checked-in
# sample with the as-of of tests/cli/test_golden.c and writes it over
# tests/cli/golden/NAME.png (40 dpi). Run it when a change to page 1 is
# intended, look at the new images, and commit them with the change:
#   tests/cli/golden/refresh.sh [BUILD]        (or: make golden)
# BUILD is the build folder holding leadpack (default: build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$root/$build" ;; esac
as_of="2026-11-23T09:00:00Z"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pack in "$root"/templates/packs/*.yaml; do
    name=$(basename "$pack" .yaml)
    (cd "$root" && "$build/leadpack" run --template "$name" --as-of "$as_of" \
        --out "$tmp/$name" --quiet)
    /usr/bin/python3 "$root/tests/cli/golden_check.py" --pdf "$tmp/$name"/*.pdf \
        --golden "$here/$name.png" --write
done
