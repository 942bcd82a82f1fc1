#!/usr/bin/env bash
# Writes a week of 5-minute CPU and memory history into the local stack's VictoriaMetrics for two (past) pods of a
# Deployment, so resource advice has something to judge on a fresh stack (a real store would hold what it scraped).
#
#   deploy/local/advice-history.sh CLUSTER NAMESPACE DEPLOYMENT CPU_CORES CPU_USE MEMORY_BYTES MEMORY_USE [PEAK_HOUR]
#
# CPU_USE and MEMORY_USE: the fraction of the requests used on average (e.g. 0.05); the CPU follows a daily curve
# peaking at PEAK_HOUR (UTC, default 14) at 1.5 × the average. CPU_CORES and MEMORY_BYTES: the pods' requests.
# Example: deploy/local/advice-history.sh idc-a default shop 0.5 0.05 268435456 0.3
set -euo pipefail
[ $# -ge 7 ] || { sed -n 2,10p "$0"; exit 2; }
cluster=$1 ns=$2 dep=$3 cores=$4 cpu=$5 mem=$6 memuse=$7 peak=${8:-14}
for v in "$cluster" "$ns" "$dep"; do [[ $v =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]] || { echo "not a name: $v" >&2; exit 2; }; done
for v in "$cores" "$cpu" "$mem" "$memuse" "$peak"; do [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "not a number: $v" >&2; exit 2; }; done
url=$(sed -n 's/^metrics.url=//p' "${NOAH_CACHE:-$HOME/.cache/noah}/run/stack.properties")
[ -n "$url" ] || { echo "the stack is not up (deploy/local/stack.sh up)" >&2; exit 1; }
now=$(( $(date +%s) / 300 * 300 ))
for pod in 0 1; do
  awk -v now="$now" -v cl="$cluster" -v ns="$ns" -v pod="$dep-5d8f7c9b6-hist$pod" -v cores="$cores" -v cpu="$cpu" \
      -v mem="$mem" -v memuse="$memuse" -v peak="$peak" 'BEGIN {
    pi = atan2(0, -1); c = 0; vs = ""; ms = ""; ts = ""
    for (t = now - 7 * 86400 - 600; t <= now; t += 300) {
      h = (t % 86400) / 3600
      c += cpu * (1 + 0.5 * cos((h - peak) / 24 * 2 * pi)) * cores * 300
      sep = (ts == "" ? "" : ",")
      vs = vs sep sprintf("%.3f", c); ms = ms sep sprintf("%.0f", mem * memuse); ts = ts sep sprintf("%d000", t)
    }
    l = "\"cluster\":\"" cl "\",\"namespace\":\"" ns "\",\"pod\":\"" pod "\",\"container\":\"main\""
    print "{\"metric\":{\"__name__\":\"container_cpu_usage_seconds_total\"," l "},\"values\":[" vs "],\"timestamps\":[" ts "]}"
    print "{\"metric\":{\"__name__\":\"container_memory_working_set_bytes\"," l "},\"values\":[" ms "],\"timestamps\":[" ts "]}"
  }'
done | curl -sf --data-binary @- "$url/api/v1/import"
curl -sf "$url/internal/force_flush" >/dev/null
echo "wrote 7 days of history for $cluster/$ns/$dep (2 pods) into $url"
