#!/usr/bin/env bash
# The local, real stack behind Noah's dev command and tests, all on 127.0.0.1:
#   - N Kubernetes clusters (etcd + kube-apiserver + controller-manager + scheduler + KWOK nodes),
#   - PostgreSQL (Debian's server, its own cluster "noah", run by the postgres user),
#   - Kafka (a real KRaft broker from Maven artifacts),
#   - VictoriaMetrics (a Prometheus-compatible metric store built from the Go module proxy).
#
# Usage: stack.sh up [--clusters N] [--overlap-cidrs] [--db NAME [--fresh-db]] [--no-kafka] [--no-postgres] [--no-metrics]
#        stack.sh kafka stop|start   (fault tests: the broker keeps its data)
#        stack.sh down [--purge]          stop everything (--purge also deletes data and clusters)
#        stack.sh status                  what runs, and the stack file
#        stack.sh cluster stop|start NAME    stop/start one cluster's whole control plane
#        stack.sh apiserver stop|start NAME  stop/start only its kube-apiserver (fault tests)
#        stack.sh fresh-db NAME           drop and create database NAME (test runs)
#        stack.sh clean-namespaces        delete every namespace but default, kube-* and noah-system in every running cluster
#                                         (test runs start from empty clusters, whatever earlier runs left)
#        stack.sh clean-topics            delete every Kafka topic but noah.* (and Kafka's own): what test runs left
#
# Writes $NOAH_RUN/stack.properties (default ~/.cache/noah/run): kubeconfigs, tokens, JDBC URL,
# Kafka bootstrap servers. Starting twice is safe; stopping leaves no process or port behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache=${NOAH_CACHE:-$HOME/.cache/noah}
run=${NOAH_RUN:-$cache/run}
export KWOK_WORKDIR="$run/kwok"
pg_port=${NOAH_PG_PORT:-55432}
kafka_port=${NOAH_KAFKA_PORT:-59092}
vm_port=${NOAH_METRICS_PORT:-58428}
kafka_ctl_port=$((kafka_port + 1))
all_clusters=(idc-a idc-b idc-c)
# IDC of each cluster: idc-a and idc-b share one IDC (pod IP conflicts are per IDC), idc-c is another.
declare -A cluster_idc=([idc-a]=dc1 [idc-b]=dc1 [idc-c]=dc2)
stack_file="$run/stack.properties"
mkdir -p "$run"

log() { printf '[stack %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pick_java() {
  local j
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 $(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/*21* 2>/dev/null); do
    [ -x "$j/bin/java" ] && { echo "$j"; return; }
  done
  die "no JDK 21+ under /usr/lib/jvm"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port seconds what
  local i
  for ((i = 0; i < $2 * 5; i++)); do port_open "$1" && return 0; sleep 0.2; done
  die "$3 did not open port $1 within $2 s"
}

wait_port_closed() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do port_open "$1" || return 0; sleep 0.2; done
  die "port $1 still open after $2 s"
}

# ---------------------------------------------------------------- PostgreSQL
pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1; }

pg_up() {
  if ! command -v pg_createcluster >/dev/null || [ -z "$(pg_version)" ]; then
    log "PostgreSQL: installing Debian's postgresql"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    # the package starts its default cluster; Noah uses its own
    pg_ctlcluster "$(pg_version)" main stop 2>/dev/null || true
  fi
  local v; v=$(pg_version)
  if ! pg_lsclusters -h | awk '{print $2}' | grep -qx noah; then
    log "PostgreSQL $v: creating cluster 'noah' on 127.0.0.1:$pg_port"
    pg_createcluster "$v" noah -p "$pg_port" --start-conf=manual \
      -o listen_addresses=localhost -o max_connections=300 -o fsync=off -o full_page_writes=off \
      -- --auth=trust >/dev/null
  fi
  if ! pg_lsclusters -h | awk '$2=="noah"{print $4}' | grep -qx online; then
    pg_ctlcluster "$v" noah start
  fi
  wait_port "$pg_port" 30 PostgreSQL
  ensure_db noah
  log "PostgreSQL $v: up on 127.0.0.1:$pg_port"
}

psql_admin() { psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

ensure_db() {
  [ "$(psql_admin -c "select 1 from pg_database where datname='$1'")" = 1 ] || psql_admin -c "create database \"$1\""
}

fresh_db() {
  psql_admin -c "drop database if exists \"$1\" with (force)"
  psql_admin -c "create database \"$1\""
  log "PostgreSQL: fresh database $1"
}

pg_down() {
  local v; v=$(pg_version)
  [ -n "$v" ] || return 0
  if pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx noah; then
    pg_ctlcluster "$v" noah stop -m fast 2>/dev/null || true
    [ "${purge:-0}" = 1 ] && pg_dropcluster "$v" noah
  fi
  wait_port_closed "$pg_port" 30
}

# ---------------------------------------------------------------- Kafka
kafka_classpath() {
  local key; key=$(sha256sum "$here/kafka/pom.xml" | cut -c1-12)
  local cp="$cache/kafka/$key/classpath.txt"
  if [ ! -s "$cp" ]; then
    log "Kafka: resolving the broker from Maven artifacts"
    mkdir -p "$(dirname "$cp")"
    JAVA_HOME=$(pick_java) mvn -B -q -f "$here/kafka/pom.xml" dependency:build-classpath \
      -Dmdep.outputFile="$cp.tmp" >&2
    mv "$cp.tmp" "$cp"
  fi
  cat "$cp"
}

kafka_up() {
  local dir="$run/kafka" pidf="$run/kafka/kafka.pid"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null && port_open "$kafka_port"; then
    log "Kafka: already up on 127.0.0.1:$kafka_port"; return 0
  fi
  mkdir -p "$dir/data"
  local java cp; java="$(pick_java)/bin/java"; cp=$(kafka_classpath)
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$kafka_ctl_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$kafka_ctl_port
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.cleaner.backoff.ms=1000
EOF
  local jopts=(-Xms256m -Xmx768m -XX:+UseG1GC "-Dlog4j2.configurationFile=$here/kafka/log4j2.yaml" -cp "$cp")
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id; id=$("$java" "${jopts[@]}" kafka.tools.StorageTool random-uuid)
    "$java" "${jopts[@]}" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" >&2
  fi
  log "Kafka: starting KRaft broker on 127.0.0.1:$kafka_port"
  nohup "$java" "${jopts[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 </dev/null &
  echo $! >"$pidf"
  wait_port "$kafka_port" 90 Kafka
  log "Kafka: up (pid $(cat "$pidf"))"
}

# Deletes every topic but noah.* (the dev command's default prefix) and Kafka's own: test runs publish under random
# prefixes, and a broker that kept them all (1,245 after some weeks here) took 25-60 s to start instead of 3 s.
cmd_clean_topics() {
  if ! port_open "$kafka_port"; then log "Kafka: not running, no topics to delete"; return 0; fi
  local java cp; java="$(pick_java)/bin/java"; cp=$(kafka_classpath)
  local topics=(-Xmx256m "-Dlog4j2.configurationFile=$here/kafka/log4j2.yaml" -cp "$cp" org.apache.kafka.tools.TopicCommand
    --bootstrap-server "127.0.0.1:$kafka_port")
  local n
  n=$("$java" "${topics[@]}" --list --exclude-internal | grep -v '^noah\.' | grep -c . || true)
  if [ "$n" -gt 0 ]; then
    "$java" "${topics[@]}" --delete --if-exists --topic '(?!noah\.|__).*'
    log "Kafka: deleted $n topics of earlier test runs"
  fi
}

# Stops the process of a pid file (TERM; KILL after 30 s) and removes the file.
stop_pidfile() {
  local pidf=$1 pid
  [ -f "$pidf" ] || return 0
  pid=$(cat "$pidf")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidf"
}

kafka_down() {
  stop_pidfile "$run/kafka/kafka.pid"
  [ "${purge:-0}" = 1 ] && rm -rf "$run/kafka"
  wait_port_closed "$kafka_port" 30
  wait_port_closed "$kafka_ctl_port" 30
}

# ---------------------------------------------------------------- the metric store
vm_up() {
  local dir="$run/victoria-metrics" pidf="$run/victoria-metrics/vm.pid" vmbin
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null && port_open "$vm_port"; then
    if tr '\0' ' ' <"/proc/$(cat "$pidf")/cmdline" | grep -q -- -promscrape.config; then
      log "VictoriaMetrics: already up on 127.0.0.1:$vm_port"; return 0
    fi
    log "VictoriaMetrics: restarting (an earlier stack.sh started it without scraping)"; vm_down
  fi
  vmbin=$("$here/build-metrics.sh" | tail -n 1)
  mkdir -p "$dir/data"
  [ -f "$dir/scrape.yaml" ] || echo "scrape_configs: []" >"$dir/scrape.yaml"
  log "VictoriaMetrics: starting on 127.0.0.1:$vm_port"
  # samples with old timestamps are accepted (tests write days of history); retention 30 days
  nohup "$vmbin/victoria-metrics" -httpListenAddr="127.0.0.1:$vm_port" -storageDataPath="$dir/data" -retentionPeriod=30d \
    -search.latencyOffset=0s -search.disableCache -loggerLevel=WARN \
    -promscrape.config="$dir/scrape.yaml" -promscrape.configCheckInterval=5s >"$dir/vm.log" 2>&1 </dev/null &
  echo $! >"$pidf"
  wait_port "$vm_port" 60 VictoriaMetrics
  log "VictoriaMetrics: up (pid $(cat "$pidf"))"
}

# VictoriaMetrics scrapes each cluster's emulated kubelet metrics every 15 s (as metrics-server does), the nodes found
# through KWOK's Prometheus discovery, each series labelled with its cluster (what Noah's default queries select on)
vm_scrape() { # cluster names
  local dir="$run/victoria-metrics" c port
  {
    echo "scrape_configs:"
    for c in "$@"; do
      port=$(sed -n 's/^ *kwokControllerPort: *//p' "$KWOK_WORKDIR/clusters/$c/kwok.yaml" | head -n 1)
      [ -n "$port" ] || die "cluster $c: no kwokControllerPort in its kwok.yaml"
      cat <<EOF
- job_name: kwok-$c
  scrape_interval: 15s
  http_sd_configs:
  - url: http://127.0.0.1:$port/discovery/prometheus
  relabel_configs:
  - target_label: cluster
    replacement: $c
EOF
    done
  } >"$dir/scrape.yaml.new"
  mv "$dir/scrape.yaml.new" "$dir/scrape.yaml"
}

vm_down() {
  stop_pidfile "$run/victoria-metrics/vm.pid"
  [ "${purge:-0}" = 1 ] && rm -rf "$run/victoria-metrics"
  wait_port_closed "$vm_port" 30
}

# ---------------------------------------------------------------- Kubernetes clusters
# the cached binaries' directory (built on first use); kwokctl calls kubectl from PATH, and
# /usr/bin/kubectl on these machines is not a usable one, so ours goes first
use_bin() {
  bin=$("$here/build-k8s.sh" | tail -n 1) || return 1
  metrics_bin=$("$here/build-metrics.sh" | tail -n 1) || return 1
  export PATH="$bin:$PATH"
}

# kwokctl logs JSON lines: keep them in a file, show them only when it fails
kwokctl_() {
  local out="$run/kwokctl.log"
  if ! "$bin/kwokctl" "$@" >>"$out" 2>&1; then
    tail -n 20 "$out" >&2
    return 1
  fi
}
kubectl_() { local c=$1; shift; "$bin/kubectl" --kubeconfig "$KWOK_WORKDIR/clusters/$c/kubeconfig.yaml" "$@"; }

cluster_exists() { [ -f "$KWOK_WORKDIR/clusters/$1/kwok.yaml" ]; }
# the components kwokctl runs for a cluster, and the ports it gave them when it created the cluster
cluster_components_yaml() { awk '/^components:/ { on = 1; next } on && /^[^ -]/ { on = 0 } on' "$KWOK_WORKDIR/clusters/$1/kwok.yaml"; }
cluster_components() { cluster_components_yaml "$1" | sed -n 's/^  name: //p'; }
cluster_ports() { cluster_components_yaml "$1" | sed -n 's/^    port: \([0-9]*\)$/\1/p'; }
# a process that runs: exists and is not a zombie (kwokctl exits after starting the components, and this machine's
# init reaps their corpses late, so `kill -0` alone says a crashed component lives)
process_runs() { local st; st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null); [ -n "$st" ] && [ "$st" != Z ]; }
# components whose process is not running (none, one per line)
dead_components() {
  local comp pid
  for comp in $(cluster_components "$1"); do
    pid=$(cat "$KWOK_WORKDIR/clusters/$1/pids/$comp.pid" 2>/dev/null) || pid=""
    { [ -n "$pid" ] && process_runs "$pid"; } || echo "$comp"
  done
}
cluster_served() { cluster_exists "$1" && kubectl_ "$1" get --raw /readyz --request-timeout=2s >/dev/null 2>&1; }
wait_served() { # cluster seconds
  local until=$((SECONDS + $2))
  while [ $SECONDS -lt $until ]; do cluster_served "$1" && return 0; sleep 0.2; done
  return 1
}

# a stage that makes the selected pods Running with an IP but never Ready: name, selector lines
never_ready_stage() {
  local tpl
  tpl=$(cat <<'EOF'
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: __NAME__
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
__SELECTOR__
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values:
      - 'Pending'
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: ContainersNotReady
        type: Ready
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: ContainersNotReady
        type: ContainersReady
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        started: true
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
      {{ $hostIPs := NodeIPsWith .spec.nodeName }}
      {{ with $hostIPs }}
      hostIP: {{ index . 0 | Quote }}
      hostIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      {{ $podIPs := PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      {{ with $podIPs }}
      podIP: {{ index . 0 | Quote }}
      podIPs:
      {{ range . }}
      - ip: {{ . | Quote }}
      {{ end }}
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
EOF
)
  tpl=${tpl//__NAME__/$1}
  printf '%s\n' "${tpl//__SELECTOR__/$2}"
}

# the stage files: KWOK's "fast" node and pod lifecycles, except that pods labelled
# noah.io/never-ready=true, or whose first container's image is registry.local/never-ready (a bad
# release), go Running with an IP but never Ready (failure scenarios)
stages_yaml() {
  local k; k="$(dirname "$bin")/kwok-kustomize/stage"
  cat "$k/node/fast/node-initialize.yaml"; echo "---"
  cat "$k/node/heartbeat/node-heartbeat.yaml"; echo "---"
  sed -e '/^    matchExpressions:/a\    - key: '"'"'.metadata.labels["noah.io/never-ready"]'"'"'\n      operator: '"'"'DoesNotExist'"'"'\n    - key: '"'"'.spec.containers.[0].image'"'"'\n      operator: '"'"'NotIn'"'"'\n      values: ['"'"'registry.local/never-ready'"'"']' \
    -e '/^  next:/i\  # a pod annotated pod-ready.stage.kwok.x-k8s.io/delay (e.g. "8s") becomes Ready that much later (slow starters)\n  delay:\n    durationMilliseconds: 0\n    durationFrom:\n      expressionFrom: '"'"'.metadata.annotations["pod-ready.stage.kwok.x-k8s.io/delay"]'"'"'' \
    "$k/pod/fast/pod-ready.yaml"; echo "---"
  cat "$k/pod/fast/pod-complete.yaml"; echo "---"
  cat "$k/pod/fast/pod-delete.yaml"; echo "---"
  never_ready_stage pod-never-ready "    - key: '.metadata.labels[\"noah.io/never-ready\"]'
      operator: 'Exists'"
  echo "---"
  never_ready_stage pod-never-ready-image "    - key: '.spec.containers.[0].image'
      operator: 'In'
      values: ['registry.local/never-ready']"
  echo "---"
  traffic_stages
}

# a kubelet's readiness-gate rule, which KWOK's stages do not have: a Running pod whose noah.io/in-traffic condition
# is False is not Ready (and its EndpointSlice entries turn not ready); when the condition is True again, it is
traffic_stages() {
  cat <<'EOF'
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-traffic-out
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Running']
    - key: '.status.conditions.[] | select( .type == "noah.io/in-traffic" ) | .status'
      operator: 'In'
      values: ['False']
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
      operator: 'In'
      values: ['True']
  next:
    statusTemplate: |
      conditions:
      - lastTransitionTime: {{ Now | Quote }}
        status: "False"
        reason: ReadinessGatesNotReady
        message: 'corresponding condition of pod readiness gate "noah.io/in-traffic" does not exist or is False'
        type: Ready
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-traffic-in
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Running']
    - key: '.status.conditions.[] | select( .type == "noah.io/in-traffic" ) | .status'
      operator: 'In'
      values: ['True']
    - key: '.status.conditions.[] | select( .type == "Ready" ) | .reason'
      operator: 'In'
      values: ['ReadinessGatesNotReady']
  next:
    statusTemplate: |
      conditions:
      - lastTransitionTime: {{ Now | Quote }}
        status: "True"
        reason: null
        message: null
        type: Ready
EOF
}

cluster_config() { # name index
  cat <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeVersion: $K8S_VERSION
  etcdVersion: ${ETCD_VERSION#v}
  kwokVersion: $KWOK_VERSION
  kubeApiserverBinary: $bin/kube-apiserver
  kubeControllerManagerBinary: $bin/kube-controller-manager
  kubeSchedulerBinary: $bin/kube-scheduler
  kubectlBinary: $bin/kubectl
  kwokControllerBinary: $bin/kwok
  etcdBinary: $bin/etcd
  # metrics-server (the resource metrics API the Kubernetes HPA reads) scraping KWOK's emulated kubelet metrics
  enableMetricsServer: true
  metricsServerBinary: $metrics_bin/metrics-server
  metricsServerManifests: [$(dirname "$metrics_bin")/metrics-server-manifests/base]
  kubeAuthorization: true
  securePort: true
  quietPull: true
componentsPatches:
# KWOK's node leases do not survive a restart of KWOK or a long apiserver outage (it never takes
# the leases back and its nodes' pods stay Pending): without them nodes heartbeat through status.
- name: kwok-controller
  extraArgs:
  - key: node-lease-duration-seconds
    value: "0"
# one of each per cluster: without leader election they survive an apiserver outage instead of
# exiting with "leaderelection lost"
# and their API clients are not throttled to client-go's default 20 requests/s (which makes a
# 10,000-replica Deployment take ten minutes)
- name: kube-controller-manager
  extraArgs:
  - key: leader-elect
    value: "false"
  - key: kube-api-qps
    value: "1000"
  - key: kube-api-burst
    value: "2000"
- name: kube-scheduler
  extraArgs:
  - key: leader-elect
    value: "false"
  - key: kube-api-qps
    value: "1000"
  - key: kube-api-burst
    value: "2000"
- name: kube-apiserver
  extraArgs:
  - key: advertise-address
    value: 127.0.0.1
  - key: endpoint-reconciler-type
    value: none
---
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  # a user KwokConfiguration replaces kwokctl's defaults: every option is spelled out
  cidr: 10.$((200 + $2)).0.1/16
  nodeIP: 192.0.2.$((10 + $2))
  manageAllNodes: true
  enableDebuggingHandlers: true
  enableProfilingHandler: false
  enableContentionProfiling: false
  podPlayStageParallelism: 4
  nodePlayStageParallelism: 4
  nodeLeaseParallelism: 4
  podsOnNodeSyncParallelism: 1
  enablePodsOnNodeSyncListPager: true
  enablePodsOnNodeSyncStreamWatch: false
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterExec
metadata:
  name: noah-local-exec
spec:
  execs:
  # a container named "nonroot" runs its commands as nobody (exec as another OS user must fail with a typed error)
  - containers: [nonroot]
    local:
      workDir: /tmp
      envs:
      - {name: NOAH_CLUSTER, value: "$1"}
      securityContext: {runAsUser: 65534, runAsGroup: 65534}
  # every other container: a root process on this host, which knows the cluster it stands for
  - local:
      workDir: $run/exec
      envs:
      - {name: NOAH_CLUSTER, value: "$1"}
---
EOF
  usage_yaml
  stages_yaml
}

# KWOK's resource usage emulation: a pod uses the CPU and memory its annotations say (kwok.x-k8s.io/usage-cpu,
# kwok.x-k8s.io/usage-memory; else 1m and 1Mi), served per node as the kubelet's /metrics/resource is (cAdvisor
# names), for metrics-server and for VictoriaMetrics (which finds the nodes through KWOK's Prometheus discovery)
usage_yaml() {
  cat <<'EOF'
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterResourceUsage
metadata:
  name: usage-from-annotation
spec:
  usages:
  - usage:
      cpu:
        expression: |
          "kwok.x-k8s.io/usage-cpu" in pod.metadata.annotations
          ? Quantity(pod.metadata.annotations["kwok.x-k8s.io/usage-cpu"])
          : Quantity("1m")
      memory:
        expression: |
          "kwok.x-k8s.io/usage-memory" in pod.metadata.annotations
          ? Quantity(pod.metadata.annotations["kwok.x-k8s.io/usage-memory"])
          : Quantity("1Mi")
---
EOF
  cat "$(dirname "$bin")/kwok-kustomize/metrics/resource/metrics-resource.yaml"
  echo "---"
}

# Fake nodes: two racks, two machine types, each with its own pod CIDR. Node "<c>-overlap" is
# tainted and shares one pod CIDR across all clusters (or every node does, with --overlap-cidrs),
# so tests can produce pod IP conflicts on purpose.
nodes_yaml() { # name index
  local c=$1 i=$2 n rack mt cidr
  for n in 1 2 3 4; do
    rack=rack-$(( (n - 1) / 2 + 1 ))
    mt=$([ $((n % 2)) = 1 ] && echo c6.2xlarge || echo m6.4xlarge)
    if [ "$overlap" = 1 ]; then cidr=10.100.$n.0/24; else cidr=10.$i.$n.0/24; fi
    cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $c-node-$n
  annotations:
    kwok.x-k8s.io/node: fake
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/$c-node-$n/metrics/resource
  labels:
    type: kwok
    kubernetes.io/hostname: $c-node-$n
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    rack: $rack
    machine-type: $mt
    node.kubernetes.io/instance-type: $mt
spec:
  podCIDR: $cidr
  podCIDRs: [$cidr]
---
EOF
  done
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $c-overlap
  annotations:
    kwok.x-k8s.io/node: fake
    metrics.k8s.io/resource-metrics-path: /metrics/nodes/$c-overlap/metrics/resource
  labels:
    type: kwok
    kubernetes.io/hostname: $c-overlap
    rack: rack-9
    machine-type: c6.2xlarge
    noah.io/overlap-cidr: "true"
spec:
  podCIDR: 10.99.0.0/24
  podCIDRs: [10.99.0.0/24]
  taints:
  - key: noah.io/overlap-cidr
    value: "true"
    effect: NoSchedule
---
EOF
  # Noah's identity in the cluster is what a production cluster gets: deploy/kubernetes/managed-cluster.yaml
  # (ServiceAccount noah-system/noah, ClusterRoles noah-read and noah-operate), so every e2e flow on idc-b, which is
  # registered with that token, shows the roles are enough
  cat "$here/../kubernetes/managed-cluster.yaml"
  cat <<'EOF'
---
# a read-only identity (what Noah reads, nothing it could change): the API contract test's Noah uses it, so
# generated requests cannot scale or create anything in the shared clusters
apiVersion: v1
kind: ServiceAccount
metadata:
  name: noah-reader
  namespace: kube-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: noah-reader
rules:
- apiGroups: [""]
  resources: [pods, nodes, namespaces]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: noah-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: noah-reader
subjects:
- kind: ServiceAccount
  name: noah-reader
  namespace: kube-system
---
apiVersion: v1
kind: Secret
metadata:
  name: noah-reader-token
  namespace: kube-system
  annotations:
    kubernetes.io/service-account.name: noah-reader
type: kubernetes.io/service-account-token
EOF
}

create_cluster() { kwokctl_ create cluster --name "$1" --config "$run/clusters/$1/kwokctl.yaml" --kubeconfig "" --wait 5m; }

cluster_up() { # name index
  local c=$1 i=$2 dir="$run/clusters/$1" t0=$SECONDS
  mkdir -p "$dir" "$run/exec"
  cluster_config "$c" "$i" >"$dir/kwokctl.yaml.new"
  if cluster_exists "$c" && ! cmp -s "$dir/kwokctl.yaml.new" "$dir/kwokctl.yaml"; then
    log "cluster $c: its configuration changed (stack.sh or versions): recreating it"
    kwokctl_ delete cluster --name "$c"
  fi
  mv "$dir/kwokctl.yaml.new" "$dir/kwokctl.yaml"
  # up, and nothing changed since the last full pass (config, nodes, issued files): nothing to do
  local stamp; stamp=$({ cat "$dir/kwokctl.yaml"; nodes_yaml "$c" "$i"; } | sha256sum | cut -c1-16)
  if [ -s "$dir/kubeconfig" ] && [ -s "$dir/token" ] && [ -s "$dir/reader-token" ] && [ -s "$dir/server" ] && [ -s "$dir/ca.crt" ] \
      && [ "$(cat "$dir/up.stamp" 2>/dev/null)" = "$stamp" ] && cluster_served "$c" \
      && [ "$(kubectl_ "$c" -n noah-system get secret noah-token -o jsonpath='{.data.token}' 2>/dev/null | base64 -d)" = "$(cat "$dir/token")" ]; then
    ensure_components "$c"
    log "cluster $c: already up at $(cat "$dir/server") (unchanged)"
    return 0
  fi
  rm -f "$dir/up.stamp"
  if cluster_served "$c"; then
    log "cluster $c: already up"
  elif cluster_exists "$c"; then
    # a stopped cluster keeps its ports; another cluster, created while this one was stopped, may have one now
    # (etcd: "address already in use"), and then kwokctl waits two minutes for an API server that cannot come up
    local p taken=""
    for p in $(cluster_ports "$c"); do port_open "$p" && taken="$taken $p"; done
    if [ -n "$taken" ]; then
      log "cluster $c: port(s)$taken taken by other processes since it stopped: recreating it"
      kwokctl_ delete cluster --name "$c" || true
      create_cluster "$c"
    else
      log "cluster $c: starting"
      kwokctl_ start cluster --name "$c" || true
    fi
    if ! wait_served "$c" 60; then
      log "cluster $c: did not come back: recreating it"
      kwokctl_ stop cluster --name "$c" || true
      kwokctl_ delete cluster --name "$c" || true
      create_cluster "$c"
    fi
  else
    log "cluster $c: creating (k8s $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION)"
    create_cluster "$c"
  fi
  wait_served "$c" 60 || die "cluster $c is not served"
  ensure_components "$c"
  nodes_yaml "$c" "$i" | kubectl_ "$c" apply -f - >/dev/null
  # clusters made before Noah's identity moved to managed-cluster.yaml had it bound to cluster-admin
  kubectl_ "$c" delete clusterrolebinding noah-cluster-admin --ignore-not-found >/dev/null
  kubectl_ "$c" -n kube-system delete secret noah-token --ignore-not-found >/dev/null
  kubectl_ "$c" -n kube-system delete serviceaccount noah --ignore-not-found >/dev/null
  kubectl_ "$c" wait --for=condition=Ready node -l type=kwok --timeout=120s >/dev/null
  local token=""
  for k in $(seq 1 100); do
    token=$(kubectl_ "$c" -n noah-system get secret noah-token -o jsonpath='{.data.token}' 2>/dev/null | base64 -d) || true
    [ -n "$token" ] && break; sleep 0.2
  done
  [ -n "$token" ] || die "cluster $c: the noah service account token was not issued"
  printf '%s' "$token" >"$dir/token"
  token=""
  for k in $(seq 1 100); do
    token=$(kubectl_ "$c" -n kube-system get secret noah-reader-token -o jsonpath='{.data.token}' 2>/dev/null | base64 -d) || true
    [ -n "$token" ] && break; sleep 0.2
  done
  [ -n "$token" ] || die "cluster $c: the noah-reader service account token was not issued"
  printf '%s' "$token" >"$dir/reader-token"
  # a self-contained kubeconfig (certificates embedded, not file paths), as a user would upload it
  kubectl_ "$c" config view --raw --flatten --minify >"$dir/kubeconfig.tmp" && mv "$dir/kubeconfig.tmp" "$dir/kubeconfig"
  cp "$KWOK_WORKDIR/clusters/$c/pki/ca.crt" "$dir/ca.crt"
  kubectl_ "$c" config view --raw -o jsonpath='{.clusters[0].cluster.server}' >"$dir/server"
  log "cluster $c: up at $(cat "$dir/server") with $(kubectl_ "$c" get nodes --no-headers | wc -l) nodes ($((SECONDS - t0)) s)"
  echo "$stamp" >"$dir/up.stamp"
}

cluster_down() {
  local c=$1
  cluster_exists "$c" || return 0
  if [ "${purge:-0}" = 1 ]; then
    kwokctl_ delete cluster --name "$c" || true
    rm -rf "$run/clusters/$c"
  else
    kwokctl_ stop cluster --name "$c" || true
  fi
}

cluster_start() {
  local c=$1 k
  kwokctl_ start cluster --name "$c"
  wait_served "$c" 60 || die "cluster $c did not come back"
  ensure_components "$c"
}

# Components that gave up while the API server was starting (on a busy machine the controller-manager stops waiting
# for a healthy /healthz after 20 s, metrics-server after one TLS handshake timeout, and kwokctl does not restart
# them: a cluster without its namespace and Deployment controllers, or without the metrics API) are started again,
# now that the API server is ready; `kwokctl start cluster` starts only the components that are not running.
ensure_components() {
  local c=$1 dead why comp until=$((SECONDS + 90))
  while [ $SECONDS -lt $until ]; do
    dead=$(dead_components "$c")
    if [ -n "$dead" ]; then
      for comp in $dead; do
        why=$(grep -E 'command failed|^F[0-9]{4}|^Error:|^panic:' "$KWOK_WORKDIR/clusters/$c/logs/$comp.log" 2>/dev/null | tail -1 | cut -c1-240 || true)
        log "cluster $c: $comp is not running (${why:-no reason in its log}); starting it again"
      done
      wait_served "$c" 60 || die "cluster $c is not served"
      kwokctl_ start cluster --name "$c" || true
    elif ! cluster_components "$c" | grep -qx metrics-server \
        || [ "$(kubectl_ "$c" get apiservice v1beta1.metrics.k8s.io -o jsonpath='{.status.conditions[?(@.type=="Available")].status}' 2>/dev/null)" = True ]; then
      return 0 # everything runs, and the metrics API, the last to come, is served
    fi
    sleep 1
  done
  dead=$(dead_components "$c")
  die "cluster $c: not all components came up in 90 s${dead:+ (not running: $(echo $dead))}"
}

# Stops one component of a cluster (its process, from kwokctl's pid file); `kwokctl start cluster`
# starts only the components that are not running.
stop_component() {
  local c=$1 comp=$2 pidf="$KWOK_WORKDIR/clusters/$1/pids/$2.pid" pid k
  [ -f "$pidf" ] || return 0
  pid=$(cat "$pidf")
  kill "$pid" 2>/dev/null || return 0
  for k in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

start_apiserver() {
  local c=$1 k pidf="$KWOK_WORKDIR/clusters/$1/pids/kube-apiserver.pid"
  if ! cluster_served "$c"; then
    [ -f "$run/clusters/$c/apiserver.cmdline" ] || die "no recorded apiserver command line for $c"
    local args; mapfile -t args <"$run/clusters/$c/apiserver.cmdline"
    # nohup execs the apiserver, so $! is the apiserver's own pid
    nohup env -C "$(cat "$run/clusters/$c/apiserver.cwd")" "${args[@]}" \
      >>"$KWOK_WORKDIR/clusters/$c/logs/kube-apiserver.log" 2>&1 </dev/null &
    echo $! >"$pidf"
  fi
  wait_served "$c" 60 || die "the apiserver of $c did not come back"
  ensure_components "$c"
}

write_stack_file() {
  local names=("$@") c
  {
    echo "# written by deploy/local/stack.sh on $(date -u +%FT%TZ)"
    echo "stack.script=$here/stack.sh"
    [ -n "${bin:-}" ] && echo "kubectl=$bin/kubectl"
    [ "$with_pg" = 1 ] && {
      echo "postgres.jdbc-url=jdbc:postgresql://127.0.0.1:$pg_port/$db"
      echo "postgres.admin-url=jdbc:postgresql://127.0.0.1:$pg_port/postgres"
      echo "postgres.user=postgres"
      echo "postgres.password="
    }
    [ "$with_kafka" = 1 ] && echo "kafka.bootstrap-servers=127.0.0.1:$kafka_port"
    [ "${with_metrics:-0}" = 1 ] && echo "metrics.url=http://127.0.0.1:$vm_port"
    echo "clusters=$(IFS=,; echo "${names[*]}")"
    for c in "${names[@]}"; do
      echo "cluster.$c.kubeconfig=$run/clusters/$c/kubeconfig"
      echo "cluster.$c.server=$(cat "$run/clusters/$c/server")"
      echo "cluster.$c.token-file=$run/clusters/$c/token"
      echo "cluster.$c.reader-token-file=$run/clusters/$c/reader-token"
      echo "cluster.$c.ca-file=$run/clusters/$c/ca.crt"
      echo "cluster.$c.idc=${cluster_idc[$c]}"
      echo "cluster.$c.etcd=http://127.0.0.1:$(sed -n 's/^ *etcdPort: *//p' "$KWOK_WORKDIR/clusters/$c/kwok.yaml" | head -1)"
    done
  } >"$stack_file.tmp"
  mv "$stack_file.tmp" "$stack_file"
}

# ---------------------------------------------------------------- commands
# KWOK runs exec'd commands on this host, so "containers" have this host's OS users: two for exec as a chosen user
os_users() {
  local u
  for u in noah-app noah-ops; do
    id "$u" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$u" 2>/dev/null \
      || log "could not create OS user $u (exec as a user will fail with no-such-user)"
  done
}

# The stack's fixed ports lie in the kernel's ephemeral range (32768-60999): a process binding port 0 or connecting
# out may be given one of them while the service is down, and the service then cannot bind it again (a test's Noah,
# started during a Kafka outage, once got 59092 for its HTTP server: the broker died at start with "Address already
# in use" and every events test failed). Reserved ports are never handed out automatically; explicit binds still work.
reserve_ports() {
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports cur p add=""
  cur=$(cat "$f" 2>/dev/null) || return 0
  for p in "$pg_port" "$kafka_port" "$kafka_ctl_port" "$vm_port"; do
    # the kernel lists them as "55432,58428,59092-59093"
    echo "$cur" | tr ',' '\n' | awk -F- -v p="$p" '$1 != "" && p >= $1 && p <= ($2 == "" ? $1 : $2) { f = 1 } END { exit !f }' \
      || add="$add,$p"
  done
  [ -z "$add" ] && return 0
  if echo "$cur$add" | sed 's/^,//' >"$f" 2>/dev/null; then
    log "ports${add//,/ } reserved from the ephemeral range"
  else
    log "note: cannot reserve ports${add//,/ } from the ephemeral range (not root?); a process may take one while its service is down"
  fi
}

cmd_up() {
  local n=2; overlap=0; with_kafka=1; with_pg=1; with_metrics=1; db=noah; fresh=0
  while [ $# -gt 0 ]; do
    case $1 in
      --db) db=$2; shift ;;
      --fresh-db) fresh=1 ;;
      --clusters) n=$2; shift ;;
      --overlap-cidrs) overlap=1 ;;
      --no-kafka) with_kafka=0 ;;
      --no-postgres) with_pg=0 ;;
      --no-metrics) with_metrics=0 ;;
      *) die "unknown option $1" ;;
    esac
    shift
  done
  [ "$n" -ge 0 ] && [ "$n" -le 3 ] || die "--clusters takes 0..3"
  local t0=$SECONDS
  reserve_ports
  if [ "$n" -gt 0 ]; then use_bin; os_users; fi
  if [ "$with_pg" = 1 ]; then
    pg_up
    if [ "$fresh" = 1 ]; then fresh_db "$db"; else ensure_db "$db"; fi
  fi
  [ "$with_kafka" = 1 ] && kafka_up
  [ "$with_metrics" = 1 ] && vm_up
  local names=() i
  for ((i = 1; i <= n; i++)); do
    names+=("${all_clusters[$((i - 1))]}")
    cluster_up "${all_clusters[$((i - 1))]}" "$i"
  done
  if [ "$with_metrics" = 1 ] && [ "$n" -gt 0 ]; then vm_scrape "${names[@]}"; fi
  write_stack_file "${names[@]}"
  log "stack up in $((SECONDS - t0)) s; stack file: $stack_file"
}

cmd_down() {
  purge=0
  [ "${1:-}" = --purge ] && purge=1
  use_bin 2>/dev/null || bin=""
  local c
  if [ -n "$bin" ]; then for c in "${all_clusters[@]}"; do cluster_down "$c"; done; fi
  # whatever kwokctl left behind (a crashed create, a restarted apiserver): every process that
  # runs from a cluster's directory
  for c in "${all_clusters[@]}"; do
    pkill -f "$KWOK_WORKDIR/clusters/$c/" 2>/dev/null || true
  done
  local until=$((SECONDS + 15))
  while pgrep -f "$KWOK_WORKDIR/clusters/" >/dev/null && [ $SECONDS -lt $until ]; do sleep 0.2; done
  pkill -9 -f "$KWOK_WORKDIR/clusters/" 2>/dev/null || true
  kafka_down
  vm_down
  pg_down
  rm -f "$stack_file"
  log "stack down"
}

cmd_status() {
  # never builds: on a machine where nothing is built yet, status says so at once (the caller builds, visibly)
  if bin=$("$here/build-k8s.sh" --cached-only 2>/dev/null | tail -n 1); then export PATH="$bin:$PATH"; fi
  local c
  echo "postgres: $(port_open "$pg_port" && echo "up on 127.0.0.1:$pg_port" || echo down)"
  echo "kafka:    $(port_open "$kafka_port" && echo "up on 127.0.0.1:$kafka_port" || echo down)"
  echo "metrics:  $(port_open "$vm_port" && echo "VictoriaMetrics up on 127.0.0.1:$vm_port" || echo down)"
  for c in "${all_clusters[@]}"; do
    cluster_exists "$c" || continue
    local dead; dead=$(dead_components "$c")
    echo "cluster $c: $(cluster_served "$c" && echo "up at $(cat "$run/clusters/$c/server" 2>/dev/null)${dead:+ (not running: $(echo $dead))}" || echo down)"
  done
  [ -f "$stack_file" ] && echo "stack file: $stack_file"
}

cmd_cluster() { # what op name
  local what=$1 op=$2 c=$3 k
  use_bin
  cluster_exists "$c" || die "no cluster $c"
  case $what/$op in
    cluster/stop) kwokctl_ stop cluster --name "$c" ;;
    cluster/start) cluster_start "$c" ;;
    apiserver/stop)
      # remember how it was started (command line and directory) to start it again the same way
      local pid; pid=$(cat "$KWOK_WORKDIR/clusters/$c/pids/kube-apiserver.pid")
      tr '\0' '\n' <"/proc/$pid/cmdline" >"$run/clusters/$c/apiserver.cmdline"
      readlink "/proc/$pid/cwd" >"$run/clusters/$c/apiserver.cwd"
      stop_component "$c" kube-apiserver ;;
    apiserver/start) start_apiserver "$c" ;;
    *) die "$what stop|start NAME" ;;
  esac
  log "$what of $c: ${op/op/opp}ed"
}

# namespaces other than default, kube-* and noah-system, as "namespace/NAME" lines
leftover_namespaces() { kubectl_ "$1" get namespaces -o name | grep -v -E '^namespace/(default|kube-.*|noah-system)$' || true; }

# why a terminating namespace is still there: its status conditions that are True (the namespace controller's words)
namespace_conditions() { # cluster namespace/NAME
  kubectl_ "$1" get "$2" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}: {.message}{"; "}{end}' 2>/dev/null || true
}

cmd_clean_namespaces() {
  use_bin
  local c ns n left start=$SECONDS next_report=$((SECONDS + 30))
  local finalize_after=${NOAH_NS_FINALIZE_AFTER:-150} give_up_after=$((${NOAH_NS_FINALIZE_AFTER:-150} + 90))
  for c in "${all_clusters[@]}"; do
    cluster_served "$c" || continue
    ns=$(leftover_namespaces "$c")
    [ -z "$ns" ] && continue
    log "cluster $c: deleting $(echo "$ns" | wc -l) namespaces left by earlier runs"
    # shellcheck disable=SC2086
    kubectl_ "$c" delete $ns --wait=false >/dev/null
    # their pods go at once, without a grace period: a graceful delete waits for KWOK's delete stage, which may not
    # have caught up after a restart, and the namespace controller re-checks pods only every few seconds
    for n in $ns; do
      kubectl_ "$c" -n "${n#namespace/}" delete pods --all --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
    done
  done
  for c in "${all_clusters[@]}"; do
    cluster_served "$c" || continue
    while ns=$(leftover_namespaces "$c") && [ -n "$ns" ]; do
      left=$(echo "$ns" | wc -l)
      if [ $((SECONDS - start)) -ge "$give_up_after" ]; then
        die "cluster $c: $left namespaces still there after $give_up_after s: $(echo $ns)"
      elif [ $((SECONDS - start)) -ge "$finalize_after" ]; then
        # last resort: the namespace controller has not finished in time; say why, then finalize the namespace (any
        # objects left in it stay in etcd under a name no later run uses: test namespaces carry random suffixes)
        for n in $ns; do
          log "cluster $c: $n still terminating after $finalize_after s ($(namespace_conditions "$c" "$n")); finalizing it"
          kubectl_ "$c" get "$n" -o json \
            | sed -e '/"finalizers": \[/,/\]/c\        "finalizers": []' \
            | kubectl_ "$c" replace --raw "/api/v1/namespaces/${n#namespace/}/finalize" -f - >/dev/null || true
        done
        sleep 10
      else
        if [ $SECONDS -ge $next_report ]; then
          for n in $ns; do log "cluster $c: $n terminating: $(namespace_conditions "$c" "$n")"; done
          next_report=$((SECONDS + 30))
        fi
        sleep 1
      fi
    done
  done
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  clean-namespaces) cmd_clean_namespaces ;;
  clean-topics) cmd_clean_topics ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  cluster|apiserver) cmd_cluster "$@" ;;
  kafka)
    case ${2:-} in
      stop) kafka_down; log "Kafka: stopped" ;;
      start) kafka_up ;;
      *) die "kafka stop|start" ;;
    esac ;;
  fresh-db) fresh_db "$2" ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac
