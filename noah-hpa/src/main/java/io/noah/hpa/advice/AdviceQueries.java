package io.noah.hpa.advice;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The PromQL the advisor runs per app, built from checked names only (DNS labels and subdomains from Noah's caches),
 * never from text a caller sent. Each is one aggregate series, so a person can paste it into the store's UI with the
 * same start, end and step and see the numbers Noah shows. The app's pods are those of its Deployments, past and
 * present ({@code <deployment>-<template hash>-<suffix>}), minus the young ones; per-pod request × pods reporting is the
 * denominator, so a pod that comes or goes changes the count, not the utilisation.
 */
public final class AdviceQueries {

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private AdviceQueries() {
    }

    static String selector(AppTarget a) {
        require(DNS_LABEL.matcher(a.cluster()).matches(), "cluster", a.cluster());
        require(DNS_LABEL.matcher(a.namespace()).matches(), "namespace", a.namespace());
        if (a.deployments().isEmpty()) {
            throw new IllegalArgumentException("no Deployments for app " + a.app());
        }
        a.deployments().forEach(d -> require(SUBDOMAIN.matcher(d).matches(), "deployment", d));
        a.youngPods().forEach(p -> require(SUBDOMAIN.matcher(p).matches(), "pod", p));
        String deps = String.join("|", a.deployments().stream().map(AdviceQueries::escape).toList());
        StringBuilder s = new StringBuilder("cluster=\"").append(a.cluster()).append("\",namespace=\"").append(a.namespace())
                .append("\",pod=~\"(").append(deps).append(")-[a-z0-9]+-[a-z0-9]+\"");
        if (!a.youngPods().isEmpty()) {
            s.append(",pod!~\"").append(String.join("|", a.youngPods().stream().map(AdviceQueries::escape).toList())).append('"');
        }
        return s.toString();
    }

    private static String escape(String name) {
        return name.replace(".", "\\\\.");
    }

    private static String pods(String sel, String window) {
        return "count(count by (pod) (rate(container_cpu_usage_seconds_total{" + sel + ",container!=\"\"}[" + window + "])))";
    }

    /** CPU used over CPU requested by the pods reporting, every step. */
    public static String cpu(AppTarget a, Duration step) {
        String sel = selector(a);
        String w = step.toSeconds() + "s";
        return "sum(rate(container_cpu_usage_seconds_total{" + sel + ",container!=\"\"}[" + w + "])) / (" + pods(sel, w) + " * "
                + number(a.cpuRequestCores()) + ")";
    }

    /** Working set over memory requested by the pods reporting. */
    public static String memory(AppTarget a) {
        String sel = selector(a) + ",container!=\"\"";
        return "sum(container_memory_working_set_bytes{" + sel + "}) / (count(count by (pod) (container_memory_working_set_bytes{" + sel
                + "})) * " + number(a.memoryRequestBytes()) + ")";
    }

    /** Disk plus network bytes per second per pod reporting CPU, over the reference throughput (a metric absent counts 0). */
    public static String io(AppTarget a, Duration step, double reference) {
        String sel = selector(a);
        String w = step.toSeconds() + "s";
        StringBuilder q = new StringBuilder("(");
        List<String> metrics = List.of("container_fs_reads_bytes_total", "container_fs_writes_bytes_total",
                "container_network_receive_bytes_total", "container_network_transmit_bytes_total");
        for (int i = 0; i < metrics.size(); i++) {
            q.append(i == 0 ? "" : " + ").append("(sum(rate(").append(metrics.get(i)).append('{').append(sel).append("}[").append(w)
                    .append("])) or vector(0))");
        }
        return q.append(") / (").append(pods(sel, w)).append(" * ").append(number(reference)).append(')').toString();
    }

    static String number(double d) {
        if (!(d > 0) || !Double.isFinite(d)) {
            throw new IllegalArgumentException("not a positive size: " + d);
        }
        String s = String.format(Locale.ROOT, "%.6f", d).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static void require(boolean ok, String what, String value) {
        if (!ok) {
            throw new IllegalArgumentException("not a valid " + what + " for a query: " + value);
        }
    }
}
