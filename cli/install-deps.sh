#!/bin/sh
# Installs the Debian packages leadpack needs to build, run and test, and
# only those that are missing. Silent and fast when nothing is missing.
# --bench adds what only `make bench` needs (its pandas and DuckDB baselines).
# tests/setup_check.py (run by `make test`, so by CI) fails when a test imports
# a module or starts a program that PACKAGES does not bring.
set -e

PACKAGES="
build-essential cmake pkg-config
libcsv-dev libgsl-dev libxlsxwriter-dev libcairo2-dev libpango1.0-dev
libyaml-dev libcurl4-openssl-dev libpq-dev libsqlite3-dev libcriterion-dev
fonts-dejavu-core
poppler-utils qpdf python3 python3-openpyxl python3-xlsxwriter python3-aiosmtpd python3-pil python3-fonttools openssl
libreoffice-calc-nogui
postgresql
valgrind clang libclang-rt-14-dev
"

BENCH_PACKAGES="python3-pandas nodejs"
if [ "$1" = "--bench" ]; then
    # npm installs @duckdb/node-api; some nodejs builds carry their own npm
    command -v npm >/dev/null 2>&1 || BENCH_PACKAGES="$BENCH_PACKAGES npm"
    PACKAGES="$PACKAGES $BENCH_PACKAGES"
fi

missing=""
for pkg in $PACKAGES; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "leadpack: missing packages:$missing" >&2
    echo "leadpack: run as root, or: sudo apt-get install$missing" >&2
    exit 1
fi
echo "leadpack: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq $missing >&2
