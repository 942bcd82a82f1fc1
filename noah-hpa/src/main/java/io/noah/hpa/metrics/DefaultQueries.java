package io.noah.hpa.metrics;

import java.util.Map;

/**
 * The strategies' default queries, for the usual cAdvisor/kubelet series (what the kubelet's
 * {@code /metrics/cadvisor} and KWOK's resource-usage emulation expose): a vector by {@code pod} of the pods'
 * CPU cores, working-set bytes, and disk plus network bytes per second. The {@code cluster} label is what the
 * store's scrape configuration adds; each is overridable in the configuration.
 */
public final class DefaultQueries {

    private DefaultQueries() {
    }

    public static final PromQlTemplate CPU = new PromQlTemplate("sum by (pod) (rate(container_cpu_usage_seconds_total"
            + "{cluster=\"$cluster\",namespace=\"$namespace\",pod=~\"$pods\",container!=\"\"}[$window]))");

    public static final PromQlTemplate MEMORY = new PromQlTemplate("sum by (pod) (container_memory_working_set_bytes"
            + "{cluster=\"$cluster\",namespace=\"$namespace\",pod=~\"$pods\",container!=\"\"})");

    public static final PromQlTemplate IO = new PromQlTemplate("sum by (pod) ("
            + "rate(container_fs_reads_bytes_total{cluster=\"$cluster\",namespace=\"$namespace\",pod=~\"$pods\"}[$window])"
            + " + rate(container_fs_writes_bytes_total{cluster=\"$cluster\",namespace=\"$namespace\",pod=~\"$pods\"}[$window])"
            + " + rate(container_network_receive_bytes_total{cluster=\"$cluster\",namespace=\"$namespace\",pod=~\"$pods\"}[$window])"
            + " + rate(container_network_transmit_bytes_total{cluster=\"$cluster\",namespace=\"$namespace\",pod=~\"$pods\"}[$window]))");

    public static final Map<String, PromQlTemplate> BY_STRATEGY = Map.of("cpu", CPU, "memory", MEMORY, "io", IO);
}
