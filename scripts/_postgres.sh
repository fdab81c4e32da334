# Start a throw-away PostgreSQL cluster on a free local port for the tests (sourced).
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
PG_PORT="${JIQUN_TEST_PG_PORT:-54329}"
PG_DIR="${TMPDIR:-/tmp}/jiqun-pg-$PG_PORT"
PG_URL="postgresql+psycopg://jiqun@127.0.0.1:${PG_PORT}/jiqun_test"

_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

start_postgres() {
  # A server left over from an interrupted run would hold the port.
  [ -d "$PG_DIR/data" ] && _as_pg "$PG_BIN/pg_ctl -D '$PG_DIR/data' -m immediate stop >/dev/null 2>&1" || true
  rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
  [ "$(id -u)" -ne 0 ] || chown postgres "$PG_DIR"
  _as_pg "$PG_BIN/initdb -D '$PG_DIR/data' -U jiqun --auth=trust -E UTF8 --locale=C.UTF-8 >'$PG_DIR/initdb.log' 2>&1"
  _as_pg "$PG_BIN/pg_ctl -D '$PG_DIR/data' -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' -l '$PG_DIR/server.log' -w start >/dev/null"
  _as_pg "$PG_BIN/createdb -h 127.0.0.1 -p $PG_PORT -U jiqun jiqun_test"
  echo "[jiqun] PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT" >&2
}

stop_postgres() {
  _as_pg "$PG_BIN/pg_ctl -D '$PG_DIR/data' -m fast stop >/dev/null 2>&1" || true
}
