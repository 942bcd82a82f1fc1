package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;

/** Response bodies of the alerts and event-publisher endpoints. */
public final class EventViews {

    private EventViews() {
    }

    public record AlertPod(String cluster, String namespace, String name, String uid, @Nullable String node) {
    }

    /** An active alert. {@code type} is "ip-conflict": two or more live pods of one IDC share an IP. */
    public record Alert(@Schema(allowableValues = {"ip-conflict"}) String type, String idc, String ip, Instant since, List<AlertPod> pods) {
    }

    /** {@code staleClusters}: clusters whose cache may be behind, so an alert may be missing or already cleared. */
    public record Alerts(List<Alert> items, List<String> staleClusters) {
    }

    /**
     * One unit of work. {@code localState}: STARTING, PUBLISHING, DEGRADED (Kafka not accepting, the buffer full or
     * a transaction waiting over 3 s), STOPPED, FENCED on the instance holding it; STANDBY elsewhere;
     * REMOVAL_PENDING for a unit no longer registered whose removal is still to be published, REMOVING while an
     * instance publishes it.
     */
    public record Publisher(String work, @Nullable String holder, long epoch, boolean leaseLive, @Nullable Instant leaseUntil,
                            @Schema(allowableValues = {"STARTING", "PUBLISHING", "DEGRADED", "STOPPED", "FENCED", "STANDBY",
                                    "REMOVAL_PENDING", "REMOVING"}) String localState, @Nullable Integer buffered, @Nullable String lastError, @Nullable Instant lastPublishedAt) {
    }

    public record Publishers(boolean enabled, String instance, List<String> topics, List<Publisher> items) {
    }
}
