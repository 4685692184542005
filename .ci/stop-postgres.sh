#!/usr/bin/env bash
# Stop the server started by start-postgres.sh and delete its temp dir (idempotent).
set -euo pipefail

STATE_FILE="${VRAAGBAAK_PG_STATE:-/tmp/vraagbaak-pg.state}"
log() { echo "stop-postgres: $*" >&2; }

if [ ! -f "$STATE_FILE" ]; then
    log "nothing to stop ($STATE_FILE not found)"
    exit 0
fi
DIR="" BINDIR="" RUNAS="" PORT=""
# shellcheck disable=SC1090
source "$STATE_FILE"

case "$DIR" in
    /tmp/vraagbaak-pg.*) ;;
    *) log "refusing to touch unexpected directory ${DIR:-<empty>}"; exit 1 ;;
esac

if [ -d "$DIR/data" ]; then
    cd "$DIR"
    if [ -n "$RUNAS" ]; then
        runuser -u "$RUNAS" -- "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >&2 || true
    else
        "$BINDIR/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >&2 || true
    fi
    cd /
fi
rm -rf "$DIR"
rm -f "$STATE_FILE"
log "stopped (port ${PORT:-?}) and removed $DIR"
