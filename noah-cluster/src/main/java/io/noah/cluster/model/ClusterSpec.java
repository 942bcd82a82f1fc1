package io.noah.cluster.model;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A registered cluster: its identity, placement (IDC, deploy pool), labels, maintenance flag and
 * connection. {@code source} says where it was declared (the API or the application config).
 */
public record ClusterSpec(String name, String idc, String pool, Map<String, String> labels,
                          boolean maintenance, ClusterConnection connection, Source source) {

    public enum Source { API, CONFIG }

    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    public ClusterSpec {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        pool = pool == null || pool.isBlank() ? name : pool;
    }

    public ClusterSpec withMaintenance(boolean m) {
        return new ClusterSpec(name, idc, pool, labels, m, connection, source);
    }

    /** Throws {@link NoahException} (invalid-name) unless {@code value} is a DNS-1123 label. */
    public static void requireDnsLabel(String field, String value) {
        if (value == null || value.length() > 63 || !DNS_1123_LABEL.matcher(value).matches()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_NAME, field,
                    field + " must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters, "
                            + "starting and ending with a letter or digit), got " + (value == null ? "nothing" : "'" + value + "'"));
        }
    }
}
