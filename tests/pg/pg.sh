#!/bin/sh
# A throw-away PostgreSQL server for the warehouse tests.
#
#   pg.sh start DIR PORT   initdb into DIR/data, start on 127.0.0.1:PORT with
#                          its socket in DIR; role lp (password "lp-secret",
#                          scram-sha-256 over TCP), database leadpack
#   pg.sh load DIR PORT SQL FIXTURES
#                          run SQL (psql -v fixtures=FIXTURES) as the superuser
#   pg.sh stop DIR         stop the server (fast) and remove DIR/data
#
# Exit 77 when the server binaries are missing (the caller skips). initdb
# refuses to run as root: as root, the server runs as the postgres user in
# DIR, which is handed to it. Output goes to DIR/log.
set -eu
BIN=${LP_PG_BIN:-}
if [ -z "$BIN" ]; then
    for v in 17 16 15 14 13; do
        if [ -x /usr/lib/postgresql/$v/bin/initdb ]; then BIN=/usr/lib/postgresql/$v/bin; break; fi
    done
fi
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ] || [ ! -x "$BIN/pg_ctl" ]; then
    echo "PostgreSQL server binaries not found (install postgresql)" >&2
    exit 77
fi
PSQL=$BIN/psql
[ -x "$PSQL" ] || PSQL=psql

cmd=$1 dir=$2
# Runs a shell command as the server's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$1"
    else
        sh -c "$1"
    fi
}

case $cmd in
start)
    port=$3
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    chmod 700 "$dir"
    as_owner "'$BIN/initdb' -D '$dir/data' -U postgres -A trust --auth-host=scram-sha-256 \
        --no-sync -E UTF8 --locale=C >'$dir/log' 2>&1"
    as_owner "'$BIN/pg_ctl' -D '$dir/data' -l '$dir/log' -w -t 30 \
        -o \"-k '$dir' -c listen_addresses=127.0.0.1 -p $port -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off\" start >>'$dir/log' 2>&1"
    as_owner "'$PSQL' -X -q -h '$dir' -p $port -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c \"CREATE ROLE lp LOGIN PASSWORD 'lp-secret'\" \
        -c \"CREATE DATABASE leadpack OWNER lp\"" >>"$dir/log" 2>&1
    ;;
load)
    port=$3 sql=$4 fixtures=$5
    "$PSQL" -X -q -h "$dir" -p "$port" -U postgres -d leadpack -v ON_ERROR_STOP=1 \
        -v fixtures="$fixtures" -f "$sql" >>"$dir/log" 2>&1
    ;;
stop)
    as_owner "'$BIN/pg_ctl' -D '$dir/data' -m fast -w stop >>'$dir/log' 2>&1" || true
    rm -rf "$dir/data"
    ;;
*)
    echo "usage: pg.sh start DIR PORT | load DIR PORT SQL FIXTURES | stop DIR" >&2
    exit 1
    ;;
esac
