package io.noah.api;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Boot jar users run holds every runtime dependency of every module: a dependency that noah-api's own
 * pom narrows to test scope (as kafka-clients once was) would leave the server without it while every test
 * on the test classpath stays green. Each module lists its runtime dependencies at build time.
 */
class PackagedJarE2ETest {

    private static final List<String> MODULES = List.of("noah-cluster", "noah-release", "noah-hpa", "noah-events", "noah-console", "noah-api");

    @Test
    void theJarHoldsEveryRuntimeDependencyOfEveryModule() throws Exception {
        Set<String> inJar;
        try (JarFile jar = new JarFile(NoahProcess.jar().toFile())) {
            inJar = jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("BOOT-INF/lib/") && n.endsWith(".jar"))
                    .map(n -> n.substring("BOOT-INF/lib/".length())).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(inJar).anyMatch(n -> n.startsWith("kafka-clients-"));
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String module : MODULES) {
            Path list = NoahServer.repoRoot().resolve(module).resolve("target/runtime-dependencies.txt");
            assertThat(list).as("written by the build (maven-dependency-plugin list)").exists();
            for (String line : Files.readAllLines(list)) {
                // "   group:artifact:type[:classifier]:version:scope -- module ..."
                String coords = line.trim().split("\\s+")[0];
                String[] p = coords.split(":");
                if (p.length < 5 || !(coords.endsWith(":compile") || coords.endsWith(":runtime"))) {
                    continue;
                }
                String artifact = p[1];
                String version = p[p.length - 2];
                if (p[0].equals("org.springframework.boot") && artifact.startsWith("spring-boot-starter")) {
                    continue; // starters hold no classes: the Boot plugin leaves them out by design
                }
                checked++;
                if (inJar.stream().noneMatch(n -> n.startsWith(artifact + "-") && n.substring(artifact.length() + 1).matches("\\d.*"))) {
                    missing.add(module + ": " + coords + " (expected like " + artifact + "-" + version + ".jar)");
                }
            }
        }
        assertThat(checked).as("dependencies checked").isGreaterThan(50);
        assertThat(missing).as("runtime dependencies missing from the packaged jar").isEmpty();
    }
}
