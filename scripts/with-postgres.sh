#!/usr/bin/env bash
# Runs a command with WARDEN_PG_URL pointing at a PostgreSQL database.
#
# If WARDEN_PG_URL is already set, the command runs against it unchanged. Otherwise a throw-away
# cluster is created in a temporary folder (initdb, trust authentication, listening on 127.0.0.1
# only, on a free port, fsync off: it holds nothing worth keeping), the command runs, and the
# cluster is stopped and deleted when the command ends, whatever its exit status.
#
#   scripts/with-postgres.sh npx vitest run packages/store-postgres
#   scripts/with-postgres.sh bash            # a shell with a database to try things by hand
#
# It never touches the machine's own clusters. It needs PostgreSQL's server programs (Debian:
# apt-get install postgresql); as root it runs them as the `postgres` user, since initdb refuses
# to run as root.
set -euo pipefail

if [[ -n "${WARDEN_PG_URL:-}" ]]; then
  exec "$@"
fi

bindir=""
if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
  bindir="$(pg_config --bindir)"
fi
if [[ -z "$bindir" ]]; then
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
fi
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "with-postgres: PostgreSQL's server programs (initdb, pg_ctl) are not installed." >&2
  echo "with-postgres: install them (Debian: apt-get install -y postgresql) or set WARDEN_PG_URL." >&2
  exit 1
fi

as_owner=()
if [[ "$(id -u)" == "0" ]]; then
  as_owner=(runuser -u postgres --)
fi

dir="$(mktemp -d -t warden-pg.XXXXXX)"
chmod 755 "$dir"
if [[ ${#as_owner[@]} -gt 0 ]]; then chown postgres "$dir"; fi

port="$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"

stop() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start \
  >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres warden

export WARDEN_PG_URL="postgres://postgres@127.0.0.1:$port/warden"
echo "with-postgres: a throw-away PostgreSQL at $WARDEN_PG_URL" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
