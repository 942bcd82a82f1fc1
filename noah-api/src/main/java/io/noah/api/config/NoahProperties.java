package io.noah.api.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Noah's typed configuration ({@code noah.*}). */
@ConfigurationProperties("noah")
public record NoahProperties(
        @DefaultValue("app") String appLabel,
        @DefaultValue List<String> namespaces,
        @DefaultValue("5s") Duration probeInterval,
        @DefaultValue("3s") Duration connectTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("auto") io.noah.cluster.registry.TlsEngine tlsEngine,
        String bootstrapToken,
        @DefaultValue Encryption encryption,
        @DefaultValue List<DeclaredCluster> clusters,
        @DefaultValue("version") String versionLabel,
        String instanceId,
        @DefaultValue("15s") Duration releaseLease,
        @DefaultValue("2s") Duration releaseTick,
        @DefaultValue Events events,
        @DefaultValue Kubeconfig kubeconfig,
        @DefaultValue Releases releases,
        @DefaultValue Autoscaler autoscaler,
        @DefaultValue Lifecycle lifecycle,
        @DefaultValue Nodes nodes,
        @DefaultValue Console console,
        @DefaultValue Advice advice,
        @DefaultValue Ui ui) {

    /**
     * The web pages' sign-in: a token given once becomes an HttpOnly, SameSite=Strict session cookie for {@code sessionTtl}
     * (the token's revocation ends it too); {@code secureCookie} marks the cookies Secure (set it behind TLS).
     */
    public record Ui(@DefaultValue("12h") Duration sessionTtl, @DefaultValue("false") boolean secureCookie) {
    }

    /**
     * App profiling and resource advice, over the autoscaler's metric store ({@code noah.autoscaler.metrics-url}): a run
     * reads {@code window} of {@code step} points per app; one runs every {@code interval} (checked every {@code check};
     * {@code interval} 0 turns the schedule off) and on request. The thresholds are the seed's (see
     * {@link io.noah.hpa.advice.AdviceSettings}); {@code coreLabel} ({@code key=value} on a Deployment) marks the core apps of
     * the overcommit factor, {@code modeLabel} ({@code horizontal} or {@code vertical}) how an app's CPU is resized by
     * agreement. {@code keepRuns}: older runs are deleted.
     */
    public record Advice(@DefaultValue("7d") Duration window, @DefaultValue("5m") Duration step, @DefaultValue("1d") Duration minHistory,
                         @DefaultValue("1h") Duration minPodAge, @DefaultValue("7d") Duration interval, @DefaultValue("10m") Duration check,
                         @DefaultValue("0.70") double cpuUp, @DefaultValue("0.10") double cpuDown, @DefaultValue("0.70") double memoryUp,
                         @DefaultValue("0.60") double memoryDown, @DefaultValue("0.15") double margin,
                         @DefaultValue("0.5") double intensiveLevel, @DefaultValue("1.5") double dominance,
                         @DefaultValue("52428800") double ioReferenceBytesPerSecond, @DefaultValue("10") int topPairs,
                         @DefaultValue("0.9") double targetUtilisation, @DefaultValue("4") int parallelism,
                         @DefaultValue("noah.io/tier=core") String coreLabel, @DefaultValue("noah.io/scaling-mode") String modeLabel,
                         @DefaultValue("30s") Duration queryTimeout, @DefaultValue("12") int keepRuns) {

        public io.noah.hpa.advice.AdviceSettings settings() {
            return new io.noah.hpa.advice.AdviceSettings(window, step, minHistory, minPodAge, cpuUp, cpuDown, memoryUp, memoryDown,
                    0.70, 0.20, margin, cpuUp, intensiveLevel, dominance, ioReferenceBytesPerSecond, topPairs, targetUtilisation, parallelism);
        }
    }

    /**
     * Node operations: the CMDB that node labels come from; bulk operations are held by one instance at a time for
     * {@code operationLease} (taken over after it expires) and advance every {@code operationTick}.
     */
    /**
     * Batch exec and terminals. {@code osUsers}: per role (ADMIN, OPS, DEVELOPER) the OS users its tokens may run as
     * ("*": any; absent: only the container's own user); a DEVELOPER list may hold neither "root" nor "*" (checked at
     * start). {@code developerUser}: the user a developer's commands run as when it names none (never the container's
     * default, which is often root).
     */
    public record Console(@DefaultValue("1000") int maxTargets, @DefaultValue("200") int maxFanOut, @DefaultValue("20") int defaultFanOut,
                          @DefaultValue("30s") Duration defaultTimeout, @DefaultValue("1h") Duration maxTimeout,
                          @DefaultValue("16384") int outputCap, @DefaultValue("7d") Duration retention,
                          @DefaultValue("500ms") Duration flushEvery, @DefaultValue Map<String, List<String>> osUsers,
                          @DefaultValue("nobody") String developerUser, @DefaultValue Terminals terminals) {
    }

    /**
     * Web terminals. {@code allowedOrigins}: the browser origins (scheme://host[:port]) that may open the websocket
     * besides Noah's own (the Origin whose host:port is the request's Host). {@code recordByDefault}: record sessions
     * (asciicast v2) unless the request says otherwise.
     */
    public record Terminals(@DefaultValue("30s") Duration ticketTtl, @DefaultValue("30m") Duration idleTimeout,
                            @DefaultValue("8h") Duration maxDuration, @DefaultValue("1s") Duration pingEvery,
                            @DefaultValue("4s") Duration pongTimeout, @DefaultValue("5") int perUserCap,
                            @DefaultValue("4194304") int recordingCap, @DefaultValue List<String> allowedOrigins,
                            @DefaultValue("false") boolean recordByDefault) {
    }

    public record Nodes(@DefaultValue Cmdb cmdb, @DefaultValue("15s") Duration operationLease, @DefaultValue("1s") Duration operationTick) {
    }

    /**
     * A CMDB Noah pulls node labels from every {@code interval} (when {@code url} is set: http or https; JSON or CSV),
     * with a bearer {@code token} or {@code username}/{@code password}; only {@code allowedLabels} (keys, or prefixes
     * ending in {@code *}) are applied, under the field manager {@code fieldManager}.
     */
    public record Cmdb(String url, @DefaultValue("5m") Duration interval, @DefaultValue("10s") Duration timeout, String token,
                       String username, String password,
                       @DefaultValue({"rack", "machine-type", "node.noah.io/*"}) List<String> allowedLabels,
                       @DefaultValue("noah-cmdb") String fieldManager) {
    }

    /**
     * Lifecycle helpers: the node label naming a rack; how long a traffic change or an isolation is watched for its
     * effect in the cluster; isolation labels and expiry; the default budget of maintenance PDBs; the gate keeper
     * (sets the {@code noah.io/in-traffic} condition True on new pods that carry the gate) and the loop's interval
     * (gate keeper, expiry of isolated pods); the health-check templates per app type.
     */
    public record Lifecycle(@DefaultValue("rack") String rackLabel, @DefaultValue("10s") Duration verifyTimeout,
                            @DefaultValue Isolation isolation, @DefaultValue("50%") String pdbMaxUnavailable,
                            @DefaultValue("true") boolean gateKeeper, @DefaultValue("5s") Duration interval,
                            @DefaultValue Map<String, AppType> appTypes) {
    }

    /** The seed's isolation labels by default; an isolated pod is deleted after {@code defaultTtl} unless asked otherwise. */
    public record Isolation(@DefaultValue("name-bk") String deploymentLabel, @DefaultValue("pod-status") String statusLabel,
                            @DefaultValue("isolate") String statusValue, @DefaultValue("24h") Duration defaultTtl,
                            @DefaultValue("7d") Duration maxTtl) {
    }

    /** An app type's health checks: the probes a release sets on the app's containers. */
    public record AppType(io.noah.cluster.ops.PodChange.Probe readiness, io.noah.cluster.ops.PodChange.Probe liveness,
                          io.noah.cluster.ops.PodChange.Probe startup) {
        public io.noah.cluster.ops.PodChange.Probes probes() {
            return new io.noah.cluster.ops.PodChange.Probes(readiness, liveness, startup);
        }
    }

    /**
     * The autoscaler: {@code metricsUrl} is the Prometheus HTTP API (Prometheus, VictoriaMetrics, Thanos, Mimir) its
     * strategies query, each over {@code window}; every policy is evaluated every {@code tick} by the instance holding
     * its lease; at most {@code parallelism} evaluations wait on the metric store at once. {@code queries} replace the
     * default cpu, memory and io PromQL templates.
     */
    public record Autoscaler(String metricsUrl, @DefaultValue("15s") Duration tick, @DefaultValue("15s") Duration lease,
                             @DefaultValue("1m") Duration window, @DefaultValue("5s") Duration queryTimeout,
                             @DefaultValue("32") int parallelism, @DefaultValue Map<String, String> queries,
                             @DefaultValue("1m") Duration detailRefresh) {
    }

    /**
     * Release event streams (server-sent events): at most {@code maxEventStreams} open per instance; the history is
     * checked every {@code eventPoll} for all of them at once.
     */
    public record Releases(@DefaultValue("200") int maxEventStreams, @DefaultValue("1s") Duration eventPoll) {
    }

    /**
     * Kubeconfig files declared in this configuration ({@code noah.clusters[*].kubeconfig-file}) may name files;
     * their exec plugins run only when {@code allow-exec-plugins} is true. Kubeconfigs uploaded through the API
     * never may (inline data only).
     */
    public record Kubeconfig(@DefaultValue("false") boolean allowExecPlugins) {
    }

    /**
     * AES-256 key for credentials at rest: base64 in {@code key}, or a file holding it. {@code previousKeys} (base64) and
     * {@code previousKeyFiles}: keys still accepted for reading while a rotation is under way; credentials stored under
     * one are re-encrypted with the current key when an instance starts (docs/operations.md).
     */
    public record Encryption(String key, String keyFile, @DefaultValue List<String> previousKeys, @DefaultValue List<String> previousKeyFiles) {
    }

    /**
     * The multi-cluster watch published to Kafka; on when {@code bootstrap-servers} is set. Topic names
     * are {@code topic-prefix} + changes|pods|deployments|nodes|alerts|checkpoints unless named one by one.
     */
    public record Events(String bootstrapServers, @DefaultValue("noah.") String topicPrefix, @DefaultValue Topics topics,
                         @DefaultValue("15s") Duration lease, @DefaultValue("1s") Duration poll,
                         @DefaultValue("100000") int bufferCapacity, @DefaultValue("6") int partitions,
                         @DefaultValue("0") short replicationFactor, @DefaultValue Map<String, String> producer,
                         @DefaultValue("true") boolean localLeaseCheck) {

        public io.noah.events.EventsSettings.Topics topicNames() {
            return new io.noah.events.EventsSettings.Topics(
                    or(topics.changes(), "changes"), or(topics.pods(), "pods"), or(topics.deployments(), "deployments"),
                    or(topics.nodes(), "nodes"), or(topics.alerts(), "alerts"), or(topics.checkpoints(), "publisher.checkpoints"));
        }

        private String or(String explicit, String suffix) {
            return explicit != null && !explicit.isBlank() ? explicit : topicPrefix + suffix;
        }
    }

    public record Topics(String changes, String pods, String deployments, String nodes, String alerts, String checkpoints) {
    }

    /** A cluster declared in the configuration instead of through the API. */
    public record DeclaredCluster(String name, String idc, String pool, Map<String, String> labels,
                                  boolean maintenance, String kubeconfigFile, String context,
                                  String server, String tokenFile, String caFile) {
    }
}
