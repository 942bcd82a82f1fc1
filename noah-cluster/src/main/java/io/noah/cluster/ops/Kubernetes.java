package io.noah.cluster.ops;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.noah.cluster.model.NoahException;

/** Maps fabric8 failures to Noah's reasons, naming the cluster. */
final class Kubernetes {

    private Kubernetes() {
    }

    static NoahException translate(String cluster, KubernetesClientException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.URISyntaxException) { // a name that makes no API URL (e.g. "a b"): the caller's, not the cluster's
                return new NoahException(NoahException.Reason.INVALID_NAME, "cluster " + cluster + ": a name in the request is not a Kubernetes object name",
                        null, e); // the message would show the API server's URL
            }
        }
        int code = e.getCode();
        String msg = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        if (code == 0 || code >= 500) {
            return new NoahException(NoahException.Reason.CLUSTER_UNREACHABLE,
                    "cluster " + cluster + " did not answer: " + msg, null, e);
        }
        return switch (code) {
            case 404 -> new NoahException(NoahException.Reason.NOT_FOUND, "cluster " + cluster + ": " + msg, null, e);
            case 409 -> new NoahException(NoahException.Reason.CONFLICT, "cluster " + cluster + ": " + msg, null, e);
            default -> new NoahException(NoahException.Reason.KUBERNETES_REJECTED, "cluster " + cluster + " rejected the request: " + msg, null, e);
        };
    }
}
