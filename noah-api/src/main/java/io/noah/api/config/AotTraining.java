package io.noah.api.config;

import io.noah.cluster.registry.ClientTraining;
import io.noah.events.KafkaTraining;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Only in the build's AOT training run ({@code noah-api/src/aot/aot-cache.sh} sets {@code noah.aot-training=true}
 * and exits when the context is refreshed): loads what a start loads after that point (the cluster and Kafka
 * clients) without any cluster or broker, so Noah's first start finds those classes in the cache too.
 */
@Component
@ConditionalOnBooleanProperty("noah.aot-training")
class AotTraining implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(AotTraining.class);

    @Override
    public void afterSingletonsInstantiated() {
        run("cluster clients", ClientTraining::exercise);
        run("Kafka clients", KafkaTraining::exercise);
    }

    private static void run(String what, Runnable r) {
        long t0 = System.nanoTime();
        try {
            r.run();
            log.info("AOT training: {} exercised in {} ms", what, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            log.warn("AOT training: {} failed (the cache misses some of their classes)", what, e);
        }
    }
}
