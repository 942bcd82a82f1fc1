package io.noah.api;

import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static io.noah.api.NoahServer.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/** Bad input always gets a 4xx RFC 9457 problem with a stable code, never a 500 or a stack trace. */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputE2ETest {

    private NoahServer noah;
    private String cluster;

    @BeforeAll
    void start() {
        noah = NoahServer.get();
        cluster = noah.stack().clusters().getFirst();
    }

    private void expect(NoahServer.Response r, int status, String code, String field) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.http().headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        assertThat(r.code()).as(r.raw()).isEqualTo(code);
        assertThat(r.body().get("type").asString()).isEqualTo("urn:noah:problem:" + code);
        assertThat(r.body().get("detail").asString()).isNotBlank();
        assertThat(r.raw()).doesNotContain("Exception").doesNotContain("\tat ");
        if (field != null) {
            assertThat(r.body().get("errors").toString()).as("names the field").contains("\"" + field + "\"");
        }
    }

    private NoahServer.Response create(Map<String, Object> body) {
        return noah.post("/api/v1/clusters", ADMIN_TOKEN, body);
    }

    @Test
    void badClusterNames() {
        expect(create(Map.of("name", "Bad_Name", "idc", "dc1", "kubeconfig", "x")), 400, "invalid-name", "name");
        expect(create(Map.of("name", "-x", "idc", "dc1", "kubeconfig", "x")), 400, "invalid-name", "name");
        expect(create(Map.of("name", "a".repeat(64), "idc", "dc1", "kubeconfig", "x")), 400, "validation-failed", "name");
        expect(create(Map.of("name", "ok", "idc", "DC 1", "kubeconfig", "x")), 400, "invalid-name", "idc");
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        expect(create(Map.of("idc", "dc1")), 400, "validation-failed", "name");
    }

    @Test
    void badKubeconfigs() {
        expect(create(Map.of("name", "k1", "idc", "dc1", "kubeconfig", "this: [is not: a kubeconfig")), 400, "invalid-kubeconfig", "kubeconfig");
        expect(create(Map.of("name", "k2", "idc", "dc1", "kubeconfig", "apiVersion: v1\nkind: Config\nclusters: []\n")), 400,
                "invalid-kubeconfig", "kubeconfig");
        expect(create(Map.of("name", "k3", "idc", "dc1", "kubeconfig", noah.stack().kubeconfigText(cluster), "context", "nope")),
                400, "invalid-kubeconfig", "context");
    }

    @Test
    void badTokenConnections() {
        expect(create(Map.of("name", "t1", "idc", "dc1")), 400, "invalid-connection", "kubeconfig");
        expect(create(Map.of("name", "t2", "idc", "dc1", "server", "http://127.0.0.1:1", "token", "x", "caCertificate", "x")),
                400, "invalid-connection", "server");
        expect(create(Map.of("name", "t3", "idc", "dc1", "server", "https://127.0.0.1:1", "token", "x", "caCertificate", "not pem")),
                400, "invalid-connection", "caCertificate");
        expect(create(Map.of("name", "t4", "idc", "dc1", "server", "https://127.0.0.1:1", "kubeconfig", "x")),
                400, "invalid-connection", "kubeconfig");
    }

    @Test
    void unknownFieldsMalformedJsonAndWrongTypes() {
        expect(create(Map.of("name", "u1", "idc", "dc1", "kubeconfig", "x", "colour", "blue")), 400, "unknown-field", "colour");
        expect(noah.send("POST", "/api/v1/clusters", ADMIN_TOKEN, "{\"name\": "), 400, "malformed-json", null);
        expect(noah.send("POST", "/api/v1/clusters", ADMIN_TOKEN, "{\"name\": \"x\", \"idc\": \"dc1\", \"maintenance\": \"perhaps\"}"),
                400, "invalid-field-type", "maintenance");
        expect(noah.sendRaw("POST", "/api/v1/clusters", ADMIN_TOKEN, "name=x", "text/plain"), 415, "unsupported-media-type", null);
        expect(create(Map.of("name", "l1", "idc", "dc1", "kubeconfig", "x", "labels", Map.of("bad key!", "v"))),
                400, "invalid-argument", "labels");
    }

    @Test
    void duplicateAndUnknownClusters() {
        expect(create(Map.of("name", cluster, "idc", "dc1", "kubeconfig", noah.stack().kubeconfigText(cluster))), 409, "cluster-exists", null);
        expect(noah.get("/api/v1/clusters/no-such-cluster", ADMIN_TOKEN), 404, "cluster-not-found", null);
        expect(noah.get("/api/v1/pods?cluster=no-such-cluster", ADMIN_TOKEN), 404, "cluster-not-found", null);
        expect(noah.send("DELETE", "/api/v1/clusters/no-such-cluster", ADMIN_TOKEN, null), 404, "cluster-not-found", null);
    }

    @Test
    void badQueries() {
        expect(noah.get("/api/v1/pods?labelSelector=a%20in%20(", ADMIN_TOKEN), 400, "invalid-label-selector", "labelSelector");
        expect(noah.get("/api/v1/pods?labelSelector=a%3D%3D%3Db", ADMIN_TOKEN), 400, "invalid-label-selector", "labelSelector");
        expect(noah.get("/api/v1/pods?labelSelector=bad%20key!", ADMIN_TOKEN), 400, "invalid-label-selector", "labelSelector");
        expect(noah.get("/api/v1/pods?limit=100000", ADMIN_TOKEN), 400, "invalid-limit", "limit");
        expect(noah.get("/api/v1/pods?limit=0", ADMIN_TOKEN), 400, "invalid-limit", "limit");
        expect(noah.get("/api/v1/pods?limit=lots", ADMIN_TOKEN), 400, "invalid-parameter", "limit");
        expect(noah.get("/api/v1/pods?continue=garbage!!", ADMIN_TOKEN), 400, "invalid-continue-token", "continue");
        expect(noah.get("/api/v1/pods?continue=bjEKMQp4CnkvYg", ADMIN_TOKEN), 400, "invalid-continue-token", "continue");
        expect(noah.get("/api/v1/pods?phase=Sleeping", ADMIN_TOKEN), 400, "invalid-argument", "phase");
        expect(noah.get("/api/v1/pods?ip=not-an-ip", ADMIN_TOKEN), 400, "invalid-argument", "ip");
        expect(noah.get("/api/v1/pods?ready=maybe", ADMIN_TOKEN), 400, "invalid-parameter", "ready");
    }

    @Test
    void aContinueTokenOfAnotherQueryIsRefused() {
        // two pods of its own, so that a page of one has a continue token whatever else the clusters hold
        var k = noah.stack().client(cluster);
        String ns = io.noah.cluster.testing.Workloads.uniqueNamespace(k, "badinput");
        try {
            k.apps().deployments().inNamespace(ns).resource(io.noah.cluster.testing.Workloads.deployment("two", 2)).create();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                    noah.get("/api/v1/pods?namespace=" + ns, ADMIN_TOKEN).body().get("items").size() == 2);
            var first = noah.get("/api/v1/pods?namespace=" + ns + "&limit=1", ADMIN_TOKEN);
            String token = first.body().get("continueToken").asString();
            expect(noah.get("/api/v1/pods?namespace=" + ns + "&limit=1&app=other&continue=" + token, ADMIN_TOKEN), 400,
                    "invalid-continue-token", "continue");
        } finally {
            k.namespaces().withName(ns).delete();
        }
    }

    @Test
    void aHandCraftedContinueTokenOutsideTheQueriedNamespaceIsAnAnswerNotAServerError() {
        // a token carrying the right query fingerprint but a key outside the namespace queried
        int fingerprint = java.util.Objects.hash("pods", null, null, "kube-system", null,
                io.noah.cluster.query.LabelSelector.everything().toString(), null, null, null, null);
        for (String key : java.util.List.of("zzz/after-everything", "aaa/before-everything")) {
            String token = new io.noah.cluster.query.ContinueToken(cluster, key, fingerprint).encode();
            var r = noah.get("/api/v1/pods?namespace=kube-system&limit=1&continue=" + token, ADMIN_TOKEN);
            assertThat(r.status()).as(key + ": " + r.raw()).isEqualTo(200);
            assertThat(r.body().get("items").isArray()).isTrue();
        }
    }

    @Test
    void badWritesAndRoutes() {
        String scale = "/api/v1/clusters/" + cluster + "/namespaces/default/deployments/x/scale";
        expect(noah.send("PUT", scale, ADMIN_TOKEN, Map.of("replicas", -1)), 400, "validation-failed", "replicas");
        expect(noah.send("PUT", scale, ADMIN_TOKEN, Map.of()), 400, "validation-failed", "replicas");
        expect(noah.send("PUT", scale, ADMIN_TOKEN, Map.of("replicas", 2)), 404, "not-found", null);
        expect(noah.get("/api/v1/nothing-here", ADMIN_TOKEN), 404, "no-such-endpoint", null);
        expect(noah.send("PUT", "/api/v1/pods", ADMIN_TOKEN, Map.of()), 405, "method-not-allowed", null);
        expect(noah.post("/api/v1/tokens", ADMIN_TOKEN, Map.of("name", "x", "role", "GOD")), 400, "invalid-field-type", "role");
        expect(noah.post("/api/v1/tokens", ADMIN_TOKEN, Map.of("name", "x", "role", "DEVELOPER")), 400, "invalid-argument", "apps");
        expect(noah.send("DELETE", "/api/v1/tokens/not-a-uuid", ADMIN_TOKEN, null), 400, "invalid-parameter", "id");
        expect(noah.get("/api/v1/apps/no-such-app", ADMIN_TOKEN), 404, "not-found", null);
    }
}
