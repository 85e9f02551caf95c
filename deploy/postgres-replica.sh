#!/usr/bin/env bash
# deploy/postgres-replica.sh — a PostgreSQL hot standby of this machine's cluster, on loopback.
#
# What it does (docs/SCALING.md, "Read replicas"), each step only when needed, so running it
# again is harmless:
#   1. the primary (Debian cluster PRIMARY_CLUSTER, port PRIMARY_PORT) allows streaming
#      replication: wal_level replica or logical, max_wal_senders > 0 (Debian's defaults; else
#      set with ALTER SYSTEM and the primary restarted), a login role REPLICATION_USER with the
#      REPLICATION attribute, and a pg_hba.conf line admitting it from 127.0.0.1 (then reloaded);
#   2. REPLAY_CONTROL_ROLE, when set, may pause and resume the standby's replay
#      (pg_wal_replay_pause/resume; granted in every database and in template1, so databases
#      created later inherit it): the replica test (tests/web/test_read_replica.py) pauses replay
#      to show which database a request read;
#   3. the standby: Debian cluster REPLICA_CLUSTER on port REPLICA_PORT, a pg_basebackup -R of the
#      primary, started; left as it is when it already streams, rebuilt when it does not (it
#      holds nothing of its own).
# It ends when the standby streams, printing the read URL's host and port.
#
# Run as root on the machine of both clusters (CI: .ci/run). Settings (environment):
#   PG_VERSION            Debian PostgreSQL version (default: the newest installed)
#   PRIMARY_CLUSTER=main  PRIMARY_PORT=5432
#   REPLICA_CLUSTER=replica  REPLICA_PORT=5433
#   REPLICATION_USER=replicator  REPLICATION_PASSWORD=replicator (change it outside CI)
#   REPLAY_CONTROL_ROLE   e.g. promcluster (tests only; leave unset in production)
# For a standby on another machine the steps are the same, split: 1 on the primary (pg_hba for
# the standby's address, listen_addresses), 3 on the standby with -h the primary's address.
set -euo pipefail

PG_VERSION=${PG_VERSION:-$(ls /usr/lib/postgresql | sort -V | tail -n 1)}
PRIMARY_CLUSTER=${PRIMARY_CLUSTER:-main}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_CLUSTER=${REPLICA_CLUSTER:-replica}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICATION_USER=${REPLICATION_USER:-replicator}
REPLICATION_PASSWORD=${REPLICATION_PASSWORD:-replicator}
REPLAY_CONTROL_ROLE=${REPLAY_CONTROL_ROLE:-}
BIN=/usr/lib/postgresql/$PG_VERSION/bin
REPLICA_DATA=/var/lib/postgresql/$PG_VERSION/$REPLICA_CLUSTER

say() { echo "postgres-replica: $*"; }
[ "$(id -u)" -eq 0 ] || { say "run as root (pg_createcluster, files of the postgres user)"; exit 1; }
# psql as the postgres superuser over the local socket (peer authentication).
primary() { runuser -u postgres -- psql -p "$PRIMARY_PORT" -qAtX -v ON_ERROR_STOP=1 "$@"; }
replica() { runuser -u postgres -- psql -p "$REPLICA_PORT" -qAtX -v ON_ERROR_STOP=1 "$@"; }

# --- 1. the primary --------------------------------------------------------------------------
pg_ctlcluster "$PG_VERSION" "$PRIMARY_CLUSTER" start > /dev/null 2>&1 || true
for _ in $(seq 1 30); do
  runuser -u postgres -- "$BIN/pg_isready" -q -p "$PRIMARY_PORT" && break
  sleep 1
done
runuser -u postgres -- "$BIN/pg_isready" -q -p "$PRIMARY_PORT" \
  || { say "the primary ($PG_VERSION/$PRIMARY_CLUSTER, port $PRIMARY_PORT) does not answer"; exit 1; }
wal_level=$(primary -c "SHOW wal_level")
senders=$(primary -c "SHOW max_wal_senders")
if [ "$wal_level" = minimal ] || [ "$senders" -eq 0 ]; then
  say "primary: wal_level=$wal_level max_wal_senders=$senders; setting replica/10 and restarting"
  primary -c "ALTER SYSTEM SET wal_level = replica" -c "ALTER SYSTEM SET max_wal_senders = 10"
  pg_ctlcluster "$PG_VERSION" "$PRIMARY_CLUSTER" restart
fi

# Identifiers and the password are passed as psql variables (quoted by psql, not by the shell).
primary -v name="$REPLICATION_USER" -v password="$REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN REPLICATION', :'name')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I LOGIN REPLICATION PASSWORD %L', :'name', :'password') \gexec
SQL

admitted=$(primary -v name="$REPLICATION_USER" <<'SQL'
SELECT count(*) FROM pg_hba_file_rules
WHERE type IN ('host', 'hostnossl') AND 'replication' = ANY(database) AND error IS NULL
  AND ('all' = ANY(user_name) OR :'name' = ANY(user_name))
  AND address IN ('127.0.0.1', 'all', 'samehost', 'samenet')
  AND auth_method IN ('scram-sha-256', 'md5', 'password', 'trust');
SQL
)
if [ "$admitted" -eq 0 ]; then
  hba=$(primary -c "SHOW hba_file")
  say "primary: admitting $REPLICATION_USER from 127.0.0.1 in $hba"
  echo "host    replication     $REPLICATION_USER      127.0.0.1/32            scram-sha-256" >> "$hba"
  primary -c "SELECT pg_reload_conf()" > /dev/null
fi

# --- 2. who may pause the standby's replay (tests) -------------------------------------------
if [ -n "$REPLAY_CONTROL_ROLE" ]; then
  for database in $(primary -c "SELECT datname FROM pg_database WHERE datallowconn ORDER BY 1"); do
    primary -d "$database" -v role="$REPLAY_CONTROL_ROLE" <<'SQL'
SELECT format('GRANT EXECUTE ON FUNCTION pg_wal_replay_pause(), pg_wal_replay_resume() TO %I',
              :'role') \gexec
SQL
  done
fi

# --- 3. the standby --------------------------------------------------------------------------
streaming() {
  for _ in $(seq 1 "$1"); do
    [ "$(replica -c "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'" \
      2>/dev/null)" = 1 ] && return 0
    sleep 1
  done
  return 1
}

if [ -f "$REPLICA_DATA/standby.signal" ]; then
  pg_ctlcluster "$PG_VERSION" "$REPLICA_CLUSTER" start > /dev/null 2>&1 || true
  if streaming 30; then
    say "standby $PG_VERSION/$REPLICA_CLUSTER already streams: 127.0.0.1:$REPLICA_PORT"
    exit 0
  fi
  say "standby $PG_VERSION/$REPLICA_CLUSTER does not stream; building it again"
fi
if pg_lsclusters -h | awk '{print $1 "/" $2}' | grep -qx "$PG_VERSION/$REPLICA_CLUSTER"; then
  pg_dropcluster --stop "$PG_VERSION" "$REPLICA_CLUSTER"
fi
# Debian's configuration files (port, pg_hba.conf) in /etc; the data directory replaced by a
# copy of the primary's, with standby.signal and primary_conninfo (-R).
pg_createcluster "$PG_VERSION" "$REPLICA_CLUSTER" --port "$REPLICA_PORT" > /dev/null
rm -rf "${REPLICA_DATA:?}"/*
runuser -u postgres -- env PGPASSWORD="$REPLICATION_PASSWORD" "$BIN/pg_basebackup" \
  -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$REPLICATION_USER" -D "$REPLICA_DATA" \
  -R -X stream -c fast
pg_ctlcluster "$PG_VERSION" "$REPLICA_CLUSTER" start
if ! streaming 60; then
  say "standby started but does not stream; see /var/log/postgresql/postgresql-$PG_VERSION-$REPLICA_CLUSTER.log"
  exit 1
fi
say "standby $PG_VERSION/$REPLICA_CLUSTER streams from 127.0.0.1:$PRIMARY_PORT: 127.0.0.1:$REPLICA_PORT"
