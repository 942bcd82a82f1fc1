package io.noah.cluster.model;

/**
 * Every failure Noah reports to a caller carries a {@link Reason}: a stable machine-readable code
 * and the HTTP status it maps to. noah-api turns it into an RFC 9457 problem in one place.
 */
public class NoahException extends RuntimeException {

    public enum Reason {
        INVALID_ARGUMENT("invalid-argument", 400),
        INVALID_NAME("invalid-name", 400),
        INVALID_SELECTOR("invalid-label-selector", 400),
        INVALID_CONTINUE("invalid-continue-token", 400),
        /** a selection (of nodes, pods, …) that matches nothing */
        EMPTY_SELECTION("empty-selection", 400),
        INVALID_LIMIT("invalid-limit", 400),
        /** a query parameter that is not of its documented type */
        INVALID_PARAMETER("invalid-parameter", 400),
        INVALID_KUBECONFIG("invalid-kubeconfig", 400),
        INVALID_CONNECTION("invalid-connection", 400),
        /** an uploaded kubeconfig has an exec plugin (a command Noah would run) */
        KUBECONFIG_EXEC_NOT_ALLOWED("kubeconfig-exec-not-allowed", 400),
        /** an uploaded kubeconfig has an auth-provider */
        KUBECONFIG_AUTH_PROVIDER_NOT_ALLOWED("kubeconfig-auth-provider-not-allowed", 400),
        /** an uploaded kubeconfig names a file (token, certificate, key, CA) instead of inline data */
        KUBECONFIG_FILE_NOT_ALLOWED("kubeconfig-file-not-allowed", 400),
        /** an uploaded kubeconfig has a proxy-url */
        KUBECONFIG_PROXY_NOT_ALLOWED("kubeconfig-proxy-not-allowed", 400),
        /** an uploaded kubeconfig turns TLS verification off */
        KUBECONFIG_INSECURE_NOT_ALLOWED("kubeconfig-insecure-not-allowed", 400),
        /** an autoscaler's PromQL template that Noah will not send (unknown placeholder, unbalanced, no $pods, …) */
        INVALID_QUERY_TEMPLATE("invalid-query-template", 400),
        /** a request body names a pool (cluster) that is not registered */
        UNKNOWN_POOL("unknown-pool", 400),
        /** an autoscaler names an app that has no Deployment in any of its pools */
        UNKNOWN_APP("unknown-app", 400),
        /** a batch exec whose targets select more pods than its (or Noah's) maximum */
        TOO_MANY_TARGETS("too-many-targets", 400),
        /** an exec as an OS user the caller's role may not use */
        OS_USER_NOT_ALLOWED("os-user-not-allowed", 403),
        CLUSTER_NOT_FOUND("cluster-not-found", 404),
        NOT_FOUND("not-found", 404),
        CLUSTER_EXISTS("cluster-exists", 409),
        CLUSTER_DECLARED_IN_CONFIG("cluster-declared-in-config", 409),
        CONFLICT("conflict", 409),
        /** a Kubernetes HPA or a KEDA ScaledObject already scales the app's Deployment */
        AUTOSCALER_CONFLICT("autoscaler-conflict", 409),
        CLUSTER_IN_MAINTENANCE("cluster-in-maintenance", 409),
        /** a pod without the {@code noah.io/in-traffic} readiness gate: Noah cannot take it out of traffic */
        NO_TRAFFIC_GATE("no-traffic-gate", 409),
        /** a pod that is not a ReplicaSet's (nothing would replace it), terminating, or already isolated */
        NOT_ISOLATABLE("not-isolatable", 409),
        /** the configured CMDB did not answer, or answered with an error */
        CMDB_UNAVAILABLE("cmdb-unavailable", 502),
        CLUSTER_UNREACHABLE("cluster-unreachable", 503),
        /** Noah is at a limit it keeps to protect itself (e.g. concurrent token checks); try again shortly */
        BUSY("busy", 503),
        /** the caller holds too many of something open at once (e.g. event streams) */
        TOO_MANY("too-many-requests", 429),
        KUBERNETES_REJECTED("kubernetes-rejected", 422);

        private final String code;
        private final int status;

        Reason(String code, int status) {
            this.code = code;
            this.status = status;
        }

        public String code() {
            return code;
        }

        public int status() {
            return status;
        }
    }

    private final Reason reason;
    private final String field;

    public NoahException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    public NoahException(Reason reason, String message, String field, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.field = field;
    }

    public static NoahException invalid(Reason reason, String field, String message) {
        return new NoahException(reason, message, field, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The request field or parameter at fault, when there is one. */
    public String field() {
        return field;
    }
}
