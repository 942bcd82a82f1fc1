package io.noah.api;

import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.LocalStackExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;

/**
 * A test class on both local clusters ({@code a}, {@code b}) through the shared Noah, with a namespace of its own in
 * each: created before the class's own {@code @BeforeAll}, deleted after its {@code @AfterAll}.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TwoClustersE2E {

    protected NoahServer noah;
    protected LocalStack stack;
    protected String a;
    protected String b;
    protected final String ns;

    protected TwoClustersE2E(String namespacePrefix) {
        this.ns = namespacePrefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    @BeforeAll
    void twoClusters(LocalStack stack) {
        this.stack = stack;
        noah = NoahServer.get();
        a = stack.clusters().get(0);
        b = stack.clusters().get(1);
        for (String c : List.of(a, b)) {
            LocalStack.createNamespace(stack.client(c), ns);
        }
    }

    @AfterAll
    void deleteNamespaces() {
        for (String c : List.of(a, b)) {
            stack.client(c).namespaces().withName(ns).delete();
        }
    }
}
