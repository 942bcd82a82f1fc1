package io.noah.events;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** IP-conflict alerts: raised, updated only when the members change, cleared when the conflict ends. */
class AlertPlannerTest {

    private static IpConflicts.Member pod(String cluster, String uid) {
        return new IpConflicts.Member(cluster, "ns", "p-" + uid, uid, "node-1", 1_700_000_000L);
    }

    private static JsonNode event(ProducerRecord<String, byte[]> r) {
        assertThat(r.topic()).isEqualTo("t.alerts");
        return Envelopes.read(r.value());
    }

    @Test
    void aNewConflictIsRaisedAndTheSameOneNotAgain() {
        var conflict = new IpConflicts.Conflict("dc1", "10.0.0.7", List.of(pod("a", "u1"), pod("b", "u2")));
        var raised = AlertPlanner.plan("dc1", Map.of(), List.of(conflict), TestSettings.SETTINGS, 3);
        assertThat(raised.records()).hasSize(1);
        JsonNode e = event(raised.records().getFirst());
        assertThat(raised.records().getFirst().key()).isEqualTo("dc1/10.0.0.7");
        assertThat(e.get("type").asString()).isEqualTo("io.noah.alert.ip-conflict.raised");
        assertThat(e.get("data").get("state").asString()).isEqualTo("active");
        assertThat(e.get("data").get("pods")).hasSize(2);
        assertThat(raised.active()).containsExactly(Map.entry("dc1/10.0.0.7", Set.of("a/u1", "b/u2")));

        assertThat(AlertPlanner.plan("dc1", raised.active(), List.of(conflict), TestSettings.SETTINGS, 3).records()).isEmpty();
    }

    @Test
    void membersChangingUpdateTheAlertAndAnEndedConflictIsClearedWithItsLastMembers() {
        Map<String, Set<String>> active = Map.of("dc1/10.0.0.7", Set.of("a/u1", "b/u2"), "dc1/10.0.0.9", Set.of("a/u3", "b/u4"));
        var changed = new IpConflicts.Conflict("dc1", "10.0.0.7", List.of(pod("a", "u1"), pod("b", "u5")));
        var plan = AlertPlanner.plan("dc1", active, List.of(changed), TestSettings.SETTINGS, 4);
        assertThat(plan.records()).extracting(r -> event(r).get("type").asString())
                .containsExactly("io.noah.alert.ip-conflict.updated", "io.noah.alert.ip-conflict.cleared");
        JsonNode cleared = event(plan.records().get(1));
        assertThat(cleared.get("data").get("ip").asString()).isEqualTo("10.0.0.9");
        assertThat(cleared.get("data").get("state").asString()).isEqualTo("cleared");
        assertThat(cleared.get("data").get("pods").findValues("uid")).extracting(JsonNode::asString).containsExactlyInAnyOrder("u3", "u4");
        assertThat(plan.active()).containsOnlyKeys("dc1/10.0.0.7");
    }

    @Test
    void noConflictsLeftClearsEveryActiveAlert() {
        var plan = AlertPlanner.plan("dc1", Map.of("dc1/10.0.0.7", Set.of("a/u1", "b/u2")), List.of(), TestSettings.SETTINGS, 5);
        assertThat(plan.records()).hasSize(1);
        assertThat(plan.active()).isEmpty();
    }
}
