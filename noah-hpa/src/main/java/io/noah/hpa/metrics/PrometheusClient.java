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
        HttpResponse<String> res;
        try {
            res = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query")).timeout(timeout)
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
        JsonNode data = body.path("data");
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

    private static String snippet(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
