package io.noah.hpa.metrics;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metric source over the Prometheus HTTP query API ({@code /api/v1/query}), so Prometheus, VictoriaMetrics, Thanos
 * or Mimir serve alike. An instant query's vector is read as a value per {@code pod} label; samples without a pod, or
 * with NaN or an infinite value, are left out (the calculator then counts the pod as missing). Every failure — the
 * store unreachable, a timeout, an error answer, a result that is not a vector — is a {@link SourceException} with
 * the reason, never a partial answer.
 */
public final class PrometheusClient {

    /** The source could not answer this query. */
    public static final class SourceException extends RuntimeException {
        public SourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    /** {@code base}: the store's URL from the configuration (http or https, no query), e.g. http://127.0.0.1:8428. */
    public PrometheusClient(URI base, Duration timeout) {
        if (base == null || !("http".equals(base.getScheme()) || "https".equals(base.getScheme())) || base.getHost() == null
                || base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("the metric source must be an http(s) URL without a query, got " + base);
        }
        String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        this.base = URI.create(base.getScheme() + "://" + base.getRawAuthority() + path);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The instant query's value per pod at {@code at}. */
    public Map<String, Double> query(String promql, Instant at) {
        // a form POST, as the API allows: a query over many pods is longer than a URL may be
        String form = "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + at.getEpochSecond() + "." + String.format("%03d", at.getNano() / 1_000_000);
        JsonNode data = post("/api/v1/query", form);
        if (!"vector".equals(data.path("resultType").asString(""))) {
            throw new SourceException("the query's result is a " + data.path("resultType").asString("?") + ", not a vector by pod", null);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (JsonNode r : data.path("result")) {
            String pod = r.path("metric").path("pod").asString(null);
            JsonNode value = r.path("value");
            if (pod == null || !value.isArray() || value.size() != 2) {
                continue;
            }
            double v;
            try {
                v = Double.parseDouble(value.get(1).asString());
            } catch (NumberFormatException e) {
                continue;
            }
            if (Double.isFinite(v)) {
                out.merge(pod, v, Double::sum); // a template without "by (pod)" could return one series per container
            }
        }
        return out;
    }

    /**
     * A range query ({@code /api/v1/query_range}) expected to return at most one series (an aggregate without labels):
     * its values on the grid {@code start, start+step, …, end}, NaN where the store has no point. No series: all NaN.
     */
    public double[] queryRange(String promql, Instant start, Instant end, Duration step) {
        if (step.toSeconds() < 1 || end.isBefore(start)) {
            throw new IllegalArgumentException("a range query needs start <= end and a step of at least 1 s");
        }
        String form = "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&start=" + start.getEpochSecond()
                + "&end=" + end.getEpochSecond() + "&step=" + step.toSeconds() + "s";
        JsonNode data = post("/api/v1/query_range", form);
        if (!"matrix".equals(data.path("resultType").asString(""))) {
            throw new SourceException("the range query's result is a " + data.path("resultType").asString("?") + ", not a matrix", null);
        }
        int n = (int) ((end.getEpochSecond() - start.getEpochSecond()) / step.toSeconds()) + 1;
        double[] out = new double[n];
        java.util.Arrays.fill(out, Double.NaN);
        JsonNode result = data.path("result");
        if (result.size() > 1) {
            throw new SourceException("the range query returned " + result.size() + " series, not one aggregate", null);
        }
        for (JsonNode r : result) {
            for (JsonNode v : r.path("values")) {
                if (!v.isArray() || v.size() != 2) {
                    continue;
                }
                long t = Math.round(v.get(0).asDouble());
                long off = t - start.getEpochSecond();
                if (off < 0 || off % step.toSeconds() != 0 || off / step.toSeconds() >= n) {
                    continue;
                }
                try {
                    double d = Double.parseDouble(v.get(1).asString());
                    if (Double.isFinite(d)) {
                        out[(int) (off / step.toSeconds())] = d;
                    }
                } catch (NumberFormatException e) {
                    // left as NaN: a missing point
                }
            }
        }
        return out;
    }

    private JsonNode post(String path, String form) {
        HttpResponse<String> res;
        try {
            res = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SourceException("the metric source " + base + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while querying " + base, e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(res.body());
        } catch (RuntimeException e) {
            throw new SourceException("the metric source answered HTTP " + res.statusCode() + " with no JSON: " + snippet(res.body()), e);
        }
        if (res.statusCode() != 200 || !"success".equals(body.path("status").asString(""))) {
            throw new SourceException("the metric source refused the query (HTTP " + res.statusCode() + ", "
                    + body.path("errorType").asString("error") + "): " + snippet(body.path("error").asString(res.body())), null);
        }
        return body.path("data");
    }

    private static String snippet(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
