package io.noah.hpa.metrics;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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
        int n = (int) ((end.getEpochSecond() - start.getEpochSecond()) / step.toSeconds()) + 1;
        double[] out = new double[n];
        java.util.Arrays.fill(out, Double.NaN);
        HttpResponse<byte[]> res = send("/api/v1/query_range", form, HttpResponse.BodyHandlers.ofByteArray());
        // streamed, not a tree: a week of 5-minute points is 2,016 pairs, and a tree of them costs ten times the body
        String status = null;
        String resultType = null;
        String error = null;
        int series = 0;
        try (JsonParser p = JSON.createParser(res.body())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SourceException("the metric source answered HTTP " + res.statusCode() + " with no JSON object", null);
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "status" -> status = p.getValueAsString();
                    case "error" -> error = p.getValueAsString();
                    case "data" -> {
                        if (p.currentToken() != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                            String f = p.currentName();
                            p.nextToken();
                            if (f.equals("resultType")) {
                                resultType = p.getValueAsString();
                            } else if (f.equals("result") && p.currentToken() == JsonToken.START_ARRAY) {
                                while (p.nextToken() == JsonToken.START_OBJECT) {
                                    if (++series > 1) {
                                        throw new SourceException("the range query returned more than one series, not one aggregate", null);
                                    }
                                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                                        String g = p.currentName();
                                        p.nextToken();
                                        if (g.equals("values") && p.currentToken() == JsonToken.START_ARRAY) {
                                            readPoints(p, out, start.getEpochSecond(), step.toSeconds());
                                        } else {
                                            p.skipChildren();
                                        }
                                    }
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (tools.jackson.core.JacksonException e) {
            throw new SourceException("the metric source answered HTTP " + res.statusCode() + " with JSON it could not read: " + e.getMessage(), e);
        }
        if (res.statusCode() != 200 || !"success".equals(status)) {
            throw new SourceException("the metric source refused the query (HTTP " + res.statusCode() + "): " + snippet(error), null);
        }
        if (!"matrix".equals(resultType)) {
            throw new SourceException("the range query's result is a " + resultType + ", not a matrix", null);
        }
        return out;
    }

    /** [[t, "v"], …] into the grid; points off the grid or not numbers are left out (NaN). */
    private static void readPoints(JsonParser p, double[] out, long start, long step) {
        while (p.nextToken() == JsonToken.START_ARRAY) {
            p.nextToken();
            double t = p.getValueAsDouble();
            p.nextToken();
            String v = p.getValueAsString();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                p.skipChildren();
            }
            long off = Math.round(t) - start;
            if (off < 0 || off % step != 0 || off / step >= out.length || v == null) {
                continue;
            }
            try {
                double d = Double.parseDouble(v);
                if (Double.isFinite(d)) {
                    out[(int) (off / step)] = d;
                }
            } catch (NumberFormatException e) {
                // left as NaN: a missing point
            }
        }
    }

    private <T> HttpResponse<T> send(String path, String form, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(), handler);
        } catch (IOException e) {
            throw new SourceException("the metric source " + base + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted while querying " + base, e);
        }
    }

    private JsonNode post(String path, String form) {
        HttpResponse<String> res = send(path, form, HttpResponse.BodyHandlers.ofString());
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
