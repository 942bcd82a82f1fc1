#!/usr/bin/env bash
# The full test suite: builds (or reuses) the local Kubernetes binaries and helm, starts the real stack
# (2 clusters, PostgreSQL with a fresh database, Kafka; namespaces and topics earlier runs left deleted),
# runs every module's tests with Maven, and stops what it started. Extra arguments go to Maven (e.g. -pl noah-cluster -Dtest=...).
# NOAH_KEEP_STACK=1 leaves the stack running afterwards (faster re-runs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
t0=$SECONDS
ensure_tools
pick_jdk
ensure_schemathesis
ensure_chromium
# helm for the chart's tests (HelmChartTest), built from the Go module proxy once and cached
"$here/build-helm.sh" >/dev/null

started=0
if ! "$here/stack.sh" status 2>/dev/null | grep -q "^cluster idc-b: up"; then started=1; fi
cleanup() {
  local rc=$?
  if [ "$started" = 1 ] && [ "${NOAH_KEEP_STACK:-0}" != 1 ]; then "$here/stack.sh" down || true; fi
  echo "test run finished in $((SECONDS - t0)) s (exit $rc)" >&2
}
trap cleanup EXIT

"$here/stack.sh" up --clusters 2 --db noah_test --fresh-db
"$here/stack.sh" clean-namespaces
"$here/stack.sh" clean-topics
echo "stack ready after $((SECONDS - t0)) s; running the tests" >&2
cd "$root"
mvn -B -ntp verify "$@"
