package io.noah.cluster.watch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    @Test
    void doublesWithJitterUpToTheMaximumAndStartsOverAfterAReset() {
        Backoff b = new Backoff(1000, 30_000);
        long[] pauses = new long[8];
        for (int i = 0; i < pauses.length; i++) {
            pauses[i] = b.next();
        }
        assertThat(pauses[0]).isBetween(800L, 1000L);
        assertThat(pauses[1]).isBetween(1600L, 2000L);
        assertThat(pauses[4]).isBetween(12_800L, 16_000L);
        assertThat(pauses[7]).isBetween(24_000L, 30_000L);
        b.reset();
        assertThat(b.next()).isBetween(800L, 1000L);
    }
}
