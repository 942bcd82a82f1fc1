#!/usr/bin/env bash
# Starts the whole thing: the local stack (2 Kubernetes clusters, PostgreSQL, Kafka) and Noah on
# 127.0.0.1, with both clusters registered, and prints the URL and an admin token.
# Ctrl-C stops Noah and the stack (NOAH_KEEP_STACK=1 leaves the stack running).
# NOAH_JAR=<jar> runs that jar instead of building one; NOAH_DB=<name> uses that database (created if missing).
# NOAH_JVM_FLAGS replaces Noah's JVM flags. NOAH_CLUSTERS=3 adds idc-c, in a second IDC (dc2).
set -euo pipefail
# Spring reads NOAH_* variables as noah.* properties: NOAH_CLUSTERS would bind to noah.clusters and stop Noah
clusters=${NOAH_CLUSTERS:-2}
unset NOAH_CLUSTERS
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
ensure_tools
pick_jdk

"$here/stack.sh" up --clusters "$clusters" --db "${NOAH_DB:-noah}"
stack_file=${NOAH_RUN:-$HOME/.cache/noah/run}/stack.properties
prop() { sed -n "s/^$1=//p" "$stack_file"; }

cleanup() {
  if [ -n "${noah_pid:-}" ]; then kill "$noah_pid" 2>/dev/null; wait "$noah_pid" 2>/dev/null || true; fi
  [ "${NOAH_KEEP_STACK:-0}" = 1 ] || "$here/stack.sh" down
}
trap cleanup EXIT INT TERM

# Noah: built from this checkout, with a persistent encryption key and bootstrap token
run=${NOAH_RUN:-$HOME/.cache/noah/run}
[ -s "$run/encryption.key" ] || (umask 077; head -c 32 /dev/urandom | base64 >"$run/encryption.key")
[ -s "$run/admin.token" ] || (umask 077; echo "noah_dev_$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" >"$run/admin.token")
token=${NOAH_BOOTSTRAP_TOKEN:-$(cat "$run/admin.token")}
port=${NOAH_PORT:-8080}
if [ -n "${NOAH_JAR:-}" ]; then
  jar=$NOAH_JAR
else
  echo "building Noah" >&2
  # the container image is not needed to run Noah here (-Dnoah.image.skip=true): the test command builds it
  (cd "$root" && mvn -B -q -ntp -DskipTests -Dnoah.image.skip=true install -pl noah-api -am >&2)
  jar=$(ls "$root"/noah-api/target/noah-api-*.jar | grep -v original | head -n 1)
fi
jdbc_url=$(prop postgres.jdbc-url)

# both local clusters are declared in the configuration: the first by its kubeconfig file, the
# second by API server URL + service-account token + CA (clusters added through the API persist)
args=(--server.port="$port" --spring.datasource.url="$jdbc_url"
      --spring.datasource.username="$(prop postgres.user)" --noah.encryption.key-file="$run/encryption.key"
      --noah.events.bootstrap-servers="$(prop kafka.bootstrap-servers)")
# the autoscaler's metric store (absent with stack.sh up --no-metrics: policies then record no-metrics)
metrics_url=$(prop metrics.url)
[ -z "$metrics_url" ] || args+=(--noah.autoscaler.metrics-url="$metrics_url")
i=0
for c in $(prop clusters | tr , ' '); do
  args+=(--noah.clusters[$i].name="$c" --noah.clusters[$i].idc="$(prop "cluster.$c.idc")")
  if [ $i = 0 ]; then
    args+=(--noah.clusters[$i].kubeconfig-file="$(prop "cluster.$c.kubeconfig")")
  else
    args+=(--noah.clusters[$i].server="$(prop "cluster.$c.server")" --noah.clusters[$i].token-file="$(prop "cluster.$c.token-file")"
           --noah.clusters[$i].ca-file="$(prop "cluster.$c.ca-file")")
  fi
  i=$((i + 1))
done
log_file="$run/noah.log"
echo "starting Noah from $jar (log: $log_file)" >&2
app_dir=$(runnable_app "$jar")
jvm_flags=${NOAH_JVM_FLAGS:-"-XX:+UseZGC -Xmx2g"}
# shellcheck disable=SC2086
NOAH_BOOTSTRAP_TOKEN="$token" env -C "$app_dir" "$JAVA_HOME/bin/java" $jvm_flags $(aot_flags "$app_dir" "$jvm_flags") -jar noah.jar "${args[@]}" \
  >"$log_file" 2>&1 &
noah_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1 && break
  kill -0 "$noah_pid" 2>/dev/null || { tail -n 40 "$log_file" >&2; echo "Noah failed to start" >&2; exit 1; }
  sleep 1
done

echo
echo "Noah is up:   http://127.0.0.1:$port   (API: /api/v1/..., OpenAPI: /v3/api-docs, health: /actuator/health)"
echo "Admin token:  $token"
echo "Try:          curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/v1/clusters"
echo
echo "Local stack:"
for c in $(prop clusters | tr , ' '); do
  echo "  cluster $c ($(prop "cluster.$c.idc")): $(prop "cluster.$c.server")"
  echo "    kubeconfig: $(prop "cluster.$c.kubeconfig")   kubectl: $(prop kubectl)"
done
echo "  PostgreSQL: $(prop postgres.jdbc-url) (user $(prop postgres.user))"
echo "  Kafka:      $(prop kafka.bootstrap-servers)  topics noah.changes, noah.pods, noah.deployments, noah.nodes, noah.alerts"
echo "  Metrics:    $(prop metrics.url)  (VictoriaMetrics: the Prometheus query API, /vmui)"
echo "  Events:     curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/v1/events/publishers   (and /api/v1/alerts)"
echo
echo "Press Ctrl-C to stop Noah and the stack."
wait "$noah_pid"
