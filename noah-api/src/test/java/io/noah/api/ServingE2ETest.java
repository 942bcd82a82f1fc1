package io.noah.api;

import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/** How the packaged server serves (issue 20): keep-alive without a request limit, cheap health probes. */
@ExtendWith(LocalStackExtension.class)
class ServingE2ETest {

    private final NoahServer noah = NoahServer.get();

    @Test
    void aKeepAliveConnectionIsNotClosedAfterAHundredRequests() throws Exception {
        try (Socket s = new Socket("127.0.0.1", noah.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            List<String> closing = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                out.write(("GET /api/v1/clusters HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String status = in.readLine();
                assertThat(status).as("response " + i + " on one connection").startsWith("HTTP/1.1 200");
                int length = -1;
                for (String h = in.readLine(); !h.isEmpty(); h = in.readLine()) {
                    String lower = h.toLowerCase(java.util.Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(lower.substring(15).trim());
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        closing.add(i + ": " + h);
                    }
                }
                assertThat(length).as("a sized response").isPositive();
                long skipped = 0;
                while (skipped < length) { // the body: one char per byte in ISO-8859-1
                    skipped += in.skip(length - skipped);
                }
            }
            assertThat(closing).as("Connection: close answers (Tomcat's default ends a connection after 100)").isEmpty();
        }
    }

    @Test
    void livenessNeedsNoDatabaseAndReadinessChecksIt() {
        var liveness = noah.get("/actuator/health/liveness", null);
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.body().get("status").asString()).isEqualTo("UP");
        var readiness = noah.get("/actuator/health/readiness", ADMIN_TOKEN);
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.body().get("components").propertyNames()).containsExactlyInAnyOrder("readinessState", "db");
        var liveDetail = noah.get("/actuator/health/liveness", ADMIN_TOKEN);
        assertThat(liveDetail.body().get("components").propertyNames()).containsExactly("livenessState");
    }
}
