#!/bin/sh
# One-shot (temporalio/admin-tools): waits for the Temporal frontend, creates the namespace when it
# is missing, then registers every search attribute given as an argument (Name=Type) that is not
# registered yet. Idempotent, so it runs on every `docker compose up`.
# The `temporal` CLI reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE from the environment.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${TEMPORAL_NAMESPACE:?}"
retention="${TEMPORAL_NAMESPACE_RETENTION:-168h}"

# Dial the IPv4 address: the CLI may otherwise try an IPv6 address the server does not listen on.
host="${TEMPORAL_ADDRESS%:*}"
port="${TEMPORAL_ADDRESS##*:}"
ipv4="$(getent ahostsv4 "$host" 2>/dev/null | awk 'NR == 1 { print $1 }' || true)"
if [ -n "$ipv4" ]; then export TEMPORAL_ADDRESS="$ipv4:$port"; fi

attempt=0
until temporal operator cluster health >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then echo "Temporal at $TEMPORAL_ADDRESS is not healthy after 60 attempts" >&2; exit 1; fi
  sleep 2
done

if ! temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace create --namespace "$TEMPORAL_NAMESPACE" --retention "$retention"
  echo "namespace $TEMPORAL_NAMESPACE created (retention $retention)"
fi

for pair in "$@"; do
  name="${pair%%=*}"
  type="${pair#*=}"
  tries=0
  # A new namespace takes a few seconds to reach every frontend cache: retry until the list shows it.
  until temporal operator search-attribute list 2>/dev/null | grep -qw "$name"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 30 ]; then echo "could not register search attribute $name" >&2; exit 1; fi
    temporal operator search-attribute create --name "$name" --type "$type" || sleep 2
  done
  echo "search attribute $name ($type) registered"
done
