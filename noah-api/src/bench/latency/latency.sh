#!/usr/bin/env bash
# Latency side by side: Noah and its cluster's API server, the same pod and the same list, with wrk
# (Debian's package, installed when missing), at 8 and 32 connections. Prints req/s, p50, p99, p99.9,
# max and errors per run, and the machine's load before each.
#
#   noah-api/src/bench/latency/latency.sh            # starts the run command (deploy/local/dev.sh) unless
#                                                    # a Noah already answers on NOAH_PORT (8080)
#   DURATION=20 WARMUP=3 JIT_WARMUP=15 CONNS="8 32" THREADS=2   # the defaults: every Noah target is first
#                                                    # loaded JIT_WARMUP s (C2 compiles for ~30 s after a start),
#                                                    # then each run is WARMUP s unmeasured + DURATION s measured
#   NOAH_JVM_FLAGS="..."                            # extra JVM flags when the script starts Noah
#   BENCH_KEEP=1                                     # keep the benchmark's namespace (deleted at the end otherwise)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
duration=${DURATION:-20}
warmup=${WARMUP:-3}
jit_warmup=${JIT_WARMUP:-15}
conns=${CONNS:-8 32}
threads=${THREADS:-2}
port=${NOAH_PORT:-8080}
run=${NOAH_RUN:-$HOME/.cache/noah/run}
ns=bench-latency
app=bench-lat

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

started=""
finish() {
  [ "${BENCH_KEEP:-0}" = 1 ] || [ -z "${kubectl:-}" ] || "$kubectl" --kubeconfig "$kc" delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  if [ -n "$started" ]; then kill -- -"$started" 2>/dev/null || true; wait "$started" 2>/dev/null || true; fi
}
trap finish EXIT
if ! curl -fsS "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1; then
  echo "starting the run command (deploy/local/dev.sh), log: $run/bench-dev.log" >&2
  mkdir -p "$run"
  NOAH_KEEP_STACK=${NOAH_KEEP_STACK:-1} setsid "$root/deploy/local/dev.sh" >"$run/bench-dev.log" 2>&1 &
  started=$!
  for _ in $(seq 1 1200); do
    curl -fsS "http://127.0.0.1:$port/actuator/health" >/dev/null 2>&1 && break
    kill -0 "$started" 2>/dev/null || { tail -n 30 "$run/bench-dev.log" >&2; exit 1; }
    sleep 1
  done
fi
stack_file=$run/stack.properties
prop() { sed -n "s/^$1=//p" "$stack_file"; }
cluster=$(prop clusters | cut -d, -f1)
kubectl=$(prop kubectl)
kc=$(prop "cluster.$cluster.kubeconfig")
server=$(prop "cluster.$cluster.server")
api_token=$(cat "$(prop "cluster.$cluster.token-file")")
noah_token=${NOAH_TOKEN:-$(cat "$run/admin.token")}

# 50 pods of one app in one namespace of the first cluster
"$kubectl" --kubeconfig "$kc" create namespace "$ns" >/dev/null 2>&1 || true
"$kubectl" --kubeconfig "$kc" -n "$ns" apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $app}
spec:
  replicas: 50
  selector: {matchLabels: {app: $app}}
  template:
    metadata: {labels: {app: $app}}
    spec:
      tolerations: [{key: kwok.x-k8s.io/node, operator: Exists, effect: NoSchedule}]
      containers: [{name: c, image: registry.example/bench:1}]
YAML
for _ in $(seq 1 120); do
  n=$(curl -fsS -H "Authorization: Bearer $noah_token" "http://127.0.0.1:$port/api/v1/pods?app=$app&limit=100" \
      | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' 2>/dev/null || echo 0)
  [ "$n" -ge 50 ] && break
  sleep 1
done
pod=$("$kubectl" --kubeconfig "$kc" -n "$ns" get pods -l "app=$app" -o jsonpath='{.items[0].metadata.name}')

targets=(
  "noah pod|http://127.0.0.1:$port/api/v1/clusters/$cluster/namespaces/$ns/pods/$pod|$noah_token"
  "apiserver pod|$server/api/v1/namespaces/$ns/pods/$pod|$api_token"
  "noah list|http://127.0.0.1:$port/api/v1/pods?app=$app&limit=50|$noah_token"
  "apiserver list|$server/api/v1/namespaces/$ns/pods?labelSelector=app%3D$app&limit=50|$api_token"
  "noah health|http://127.0.0.1:$port/actuator/health|"
  "noah liveness|http://127.0.0.1:$port/actuator/health/liveness|"
)
# load TARGET CONNECTIONS SECONDS [wrk options...]: wrk against one target (name|url|token)
load() {
  local name url token hdr=()
  IFS='|' read -r name url token <<<"$1"
  [ -n "$token" ] && hdr=(-H "Authorization: Bearer $token")
  wrk -t"$threads" -c"$2" -d"$3s" "${@:4}" "${hdr[@]}" "$url"
}
for t in "${targets[@]}"; do
  if [[ $t == noah* ]]; then load "$t" 8 "$jit_warmup" >/dev/null 2>&1; fi
done
declare -A rps p99
echo "# $(date -u +%FT%TZ) $(nproc) CPUs; wrk $threads threads, ${warmup} s warm-up, ${duration} s per run; pod $cluster/$ns/$pod"
printf '%-15s %5s %9s %9s %9s %9s %9s %7s  %s\n' target conns req/s p50_ms p99_ms p99.9_ms max_ms errors load
for c in $conns; do
  for t in "${targets[@]}"; do
    name=${t%%|*}
    load "$t" "$c" "$warmup" >/dev/null 2>&1
    avg=$(cut -d' ' -f1-3 /proc/loadavg)
    line=$(load "$t" "$c" "$duration" -s "$here/report.lua" | grep '^RESULT')
    v() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$line"; }
    rps[$name,$c]=$(v rps); p99[$name,$c]=$(v p99)
    printf '%-15s %5s %9s %9.2f %9.2f %9.2f %9.1f %7s  %s\n' "$name" "$c" "$(v rps)" \
      "$(echo "$(v p50)/1000" | bc -l)" "$(echo "$(v p99)/1000" | bc -l)" "$(echo "$(v p999)/1000" | bc -l)" \
      "$(echo "$(v max)/1000" | bc -l)" "$(v errors)" "$avg"
  done
done
echo "# Noah against the API server: p99 ratio (<= 1 wanted), throughput ratio (>= 3 wanted)"
for c in $conns; do
  for what in pod list; do
    printf '%-5s %3s connections: p99 %.2f x, req/s %.1f x\n' "$what" "$c" \
      "$(echo "${p99[noah $what,$c]}/${p99[apiserver $what,$c]}" | bc -l)" "$(echo "${rps[noah $what,$c]}/${rps[apiserver $what,$c]}" | bc -l)"
  done
done
