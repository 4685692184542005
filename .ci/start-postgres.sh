#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the tests and print its URL on stdout.
#
#   export VRAAGBAAK_TEST_POSTGRES_URL="$(bash .ci/start-postgres.sh)"
#   .venv/bin/python -m pytest tests/test_triage.py      # runs the postgres cases too
#   bash .ci/stop-postgres.sh
#
# The cluster lives in a fresh temp dir, listens on 127.0.0.1 only, on a free port,
# with trust authentication for the user "vraagbaak" (a test server, nothing else).
# PostgreSQL refuses to run as root, so as root the server runs as the "postgres"
# user of the Debian package (or a created system user).  Installs the Debian
# package "postgresql" when no server binaries are found.  Messages go to stderr;
# stdout carries only the URL.  The state for stop-postgres.sh is kept in
# $VRAAGBAAK_PG_STATE (default /tmp/vraagbaak-pg.state).
set -euo pipefail

STATE_FILE="${VRAAGBAAK_PG_STATE:-/tmp/vraagbaak-pg.state}"
DB_NAME="vraagbaak_test"
DB_USER="vraagbaak"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { echo "start-postgres: $*" >&2; }

find_bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
        echo "$dir"
    fi
}

BINDIR="$(find_bindir)"
if [ -z "$BINDIR" ]; then
    if [ "$(id -u)" != 0 ]; then
        log "no PostgreSQL server found; install it: sudo apt-get install -y postgresql"
        exit 1
    fi
    log "installing the Debian package postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    BINDIR="$(find_bindir)"
    if [ -z "$BINDIR" ]; then
        log "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
        exit 1
    fi
fi

# A leftover server of an earlier run would keep its port and temp dir: stop it.
if [ -f "$STATE_FILE" ]; then
    log "stopping the server of an earlier run"
    bash "$HERE/stop-postgres.sh" || true
fi

# Who runs the server: never root.
RUNAS=""
if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then
        RUNAS="postgres"
    else
        RUNAS="vraagbaak-pg"
        id "$RUNAS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUNAS"
    fi
fi
as_server_user() {
    if [ -n "$RUNAS" ]; then
        runuser -u "$RUNAS" -- "$@"
    else
        "$@"
    fi
}

DIR="$(mktemp -d /tmp/vraagbaak-pg.XXXXXX)"
chmod 700 "$DIR"
[ -n "$RUNAS" ] && chown "$RUNAS" "$DIR"
cd "$DIR"  # the server user may not be allowed to read the caller's directory

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        echo $(( 20000 + RANDOM % 20000 ))
    fi
}
PORT="$(free_port)"

log "initdb in $DIR (server user: ${RUNAS:-$(id -un)}, $BINDIR)"
as_server_user "$BINDIR/initdb" -D "$DIR/data" -U "$DB_USER" --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 || {
    cat "$DIR/initdb.log" >&2
    exit 1
}

# fsync off: a throwaway test server, speed matters and durability does not.
if ! as_server_user "$BINDIR/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c full_page_writes=off" \
    start >&2; then
    cat "$DIR/server.log" >&2 || true
    exit 1
fi

printf 'DIR=%q\nBINDIR=%q\nRUNAS=%q\nPORT=%q\n' "$DIR" "$BINDIR" "$RUNAS" "$PORT" >"$STATE_FILE"

"$BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U "$DB_USER" "$DB_NAME" >&2
log "running on 127.0.0.1:$PORT; stop with: bash .ci/stop-postgres.sh"
echo "postgresql://$DB_USER@127.0.0.1:$PORT/$DB_NAME"
