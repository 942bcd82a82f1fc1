#!/usr/bin/env bash
# The unit tier: every module's tests that need no local stack (no Kubernetes, PostgreSQL or Kafka), with JaCoCo
# (reports in <module>/target/site/jacoco/; the planners must keep 90 % of their branches covered). Under a minute
# once Maven's repository is warm. Extra arguments go to Maven (e.g. -pl noah-release).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
pick_jdk
cd "$root"
t0=$SECONDS
mvn -B -ntp -P unit test "$@"
echo "unit tier finished in $((SECONDS - t0)) s" >&2
