#!/bin/sh
# One-shot (temporalio/admin-tools): creates or upgrades Temporal's schema in PostgreSQL before the
# server starts. Safe on every `docker compose up`: `setup-schema -v 0.0` keeps an existing version
# and `update-schema` applies only versions newer than the recorded one (this is also how a Temporal
# server upgrade gets its schema changes). The databases themselves are created by PostgreSQL
# (POSTGRES_DB and deploy/postgres/create-visibility-db.sql).
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port="${DB_PORT:-5432}"
schema_root=/etc/temporal/schema/postgresql/v12

until nc -z "$POSTGRES_SEEDS" "$port"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$port"
  sleep 1
done

for entry in temporal:temporal temporal_visibility:visibility; do
  database="${entry%%:*}"
  schema="${entry#*:}"
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$database" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$database" update-schema -d "$schema_root/$schema/versioned"
  echo "schema of $database is up to date"
done
