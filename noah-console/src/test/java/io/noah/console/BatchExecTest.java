package io.noah.console;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The fan-out caps and cancel of {@link BatchExec} with a runner that only sleeps and counts. */
class BatchExecTest {

    private static List<BatchExec.Target> targets(Map<String, Integer> perCluster) {
        List<BatchExec.Target> out = new ArrayList<>();
        perCluster.forEach((c, n) -> {
            for (int i = 0; i < n; i++) {
                out.add(new BatchExec.Target(c, "ns", "pod-" + i));
            }
        });
        return out;
    }

    @RepeatedTest(5)
    void neverMoreThanFanOutOverallNorPerClusterInOneClusterAndEveryPodOnce() throws Exception {
        Random r = new Random();
        int fanOut = 1 + r.nextInt(8);
        int perCluster = 1 + r.nextInt(fanOut);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Map<String, AtomicInteger> nowIn = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> peakIn = new ConcurrentHashMap<>();
        BatchExec batch = new BatchExec((cluster, ns, pod, container, argv, timeout, cap) -> {
            peak.accumulateAndGet(now.incrementAndGet(), Math::max);
            AtomicInteger c = nowIn.computeIfAbsent(cluster, k -> new AtomicInteger());
            peakIn.computeIfAbsent(cluster, k -> new AtomicInteger()).accumulateAndGet(c.incrementAndGet(), Math::max);
            try {
                Thread.sleep(r.nextInt(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.decrementAndGet();
            now.decrementAndGet();
            return new ExecOutcome(cluster, ns, pod, container, ExecOutcome.Kind.SUCCESS, 0, "", "", false, null, null, 1);
        }, Clock.systemUTC());
        List<ExecOutcome> got = new CopyOnWriteArrayList<>();
        CountDownLatch finished = new CountDownLatch(1);
        var targets = targets(Map.of("a", 40, "b", 25, "c", 3));
        var run = batch.start("t", targets, new BatchExec.Spec(List.of("true"), null, null, Duration.ofSeconds(5), fanOut, perCluster, 100),
                got::add, finished::countDown);
        assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(got).hasSize(targets.size());
        assertThat(got.stream().map(o -> new BatchExec.Target(o.cluster(), o.namespace(), o.pod())).distinct()).hasSize(targets.size());
        assertThat(peak.get()).isLessThanOrEqualTo(fanOut);
        assertThat(run.peak()).isLessThanOrEqualTo(fanOut);
        peakIn.values().forEach(p -> assertThat(p.get()).isLessThanOrEqualTo(perCluster));
    }

    @Test
    void cancelKeepsFinishedOutcomesAndReportsTheRestCancelled() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        BatchExec batch = new BatchExec((cluster, ns, pod, container, argv, timeout, cap) -> {
            if (calls.incrementAndGet() == 1) {
                return new ExecOutcome(cluster, ns, pod, container, ExecOutcome.Kind.SUCCESS, 0, "quick", "", false, null, null, 1);
            }
            second.countDown();
            try {
                Thread.sleep(60_000);
                return new ExecOutcome(cluster, ns, pod, container, ExecOutcome.Kind.SUCCESS, 0, "", "", false, null, null, 1);
            } catch (InterruptedException e) {
                return new ExecOutcome(cluster, ns, pod, container, ExecOutcome.Kind.CANCELLED, null, "", "", false, "cancelled while running",
                        null, 1);
            }
        }, Clock.systemUTC());
        List<ExecOutcome> got = new CopyOnWriteArrayList<>();
        CountDownLatch finished = new CountDownLatch(1);
        var run = batch.start("t", targets(Map.of("a", 5)), new BatchExec.Spec(List.of("x"), null, null, Duration.ofMinutes(1), 1, 1, 100),
                got::add, finished::countDown);
        assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
        run.cancel();
        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(got).hasSize(5);
        assertThat(got).filteredOn(o -> o.kind() == ExecOutcome.Kind.SUCCESS).extracting(ExecOutcome::stdout).containsExactly("quick");
        assertThat(got).filteredOn(o -> o.kind() == ExecOutcome.Kind.CANCELLED).hasSize(4)
                .extracting(ExecOutcome::reason).contains("cancelled while running", "not run: the job was cancelled");
        assertThat(calls.get()).as("no pod started after the cancel").isEqualTo(2);
    }
}
