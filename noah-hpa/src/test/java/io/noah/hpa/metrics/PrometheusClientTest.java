package io.noah.hpa.metrics;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Prometheus HTTP API's answers as a store gives them (a small local server stands in for the protocol here; the
 * end-to-end tests query a real VictoriaMetrics).
 */
class PrometheusClientTest {

    private HttpServer server;
    private final AtomicReference<String> lastQuery = new AtomicReference<>();

    private PrometheusClient serving(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/prom/api/v1/query", ex -> {
            // a form POST (long queries do not fit a URL)
            lastQuery.set(ex.getRequestMethod() + " " + URLDecoder.decode(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return new PrometheusClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/prom/"), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aVectorByPodIsReadAndNonFiniteOrUnlabelledSamplesLeftOut() throws Exception {
        PrometheusClient c = serving(200, """
                {"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{"pod":"web-1"},"value":[1764500000.123,"0.42"]},
                  {"metric":{"pod":"web-2","container":"a"},"value":[1764500000.123,"0.1"]},
                  {"metric":{"pod":"web-2","container":"b"},"value":[1764500000.123,"0.2"]},
                  {"metric":{"pod":"web-3"},"value":[1764500000.123,"NaN"]},
                  {"metric":{"pod":"web-4"},"value":[1764500000.123,"+Inf"]},
                  {"metric":{},"value":[1764500000.123,"7"]}]}}""");
        var values = c.query("sum by (pod) (x{pod=~\"web-1|web-2\"})", Instant.parse("2026-11-30T12:00:00.250Z"));
        assertThat(values).containsOnlyKeys("web-1", "web-2");
        assertThat(values.get("web-1")).isEqualTo(0.42);
        assertThat(values.get("web-2")).isCloseTo(0.3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(lastQuery.get()).startsWith("POST ").contains("query=sum by (pod) (x{pod=~\"web-1|web-2\"})").contains("time=1796040000.250");
    }

    @Test
    void everyFailureIsASourceExceptionWithTheReason() throws Exception {
        assertThatThrownBy(() -> serving(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error at char 5\"}")
                .query("x{", Instant.now())).isInstanceOf(PrometheusClient.SourceException.class)
                .hasMessageContaining("HTTP 400, bad_data").hasMessageContaining("parse error at char 5");
        stop();
        assertThatThrownBy(() -> serving(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}")
                .query("x[1m]", Instant.now())).hasMessageContaining("a matrix, not a vector");
        stop();
        assertThatThrownBy(() -> serving(502, "<html>bad gateway</html>").query("x", Instant.now()))
                .hasMessageContaining("HTTP 502 with no JSON");
        stop();
        server = null;
        PrometheusClient nobody = new PrometheusClient(URI.create("http://127.0.0.1:9"), Duration.ofMillis(500));
        assertThatThrownBy(() -> nobody.query("x", Instant.now())).isInstanceOf(PrometheusClient.SourceException.class)
                .hasMessageContaining("did not answer");
        assertThatThrownBy(() -> new PrometheusClient(URI.create("file:///etc/passwd"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PrometheusClient(URI.create("http://h/?x=1"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
