package io.noah.api.web.dto;

import java.time.Instant;
import java.util.List;

/** Response bodies of the alerts and event-publisher endpoints. */
public final class EventViews {

    private EventViews() {
    }

    public record AlertPod(String cluster, String namespace, String name, String uid, String node) {
    }

    /** An active alert. {@code type} is "ip-conflict": two or more live pods of one IDC share an IP. */
    public record Alert(String type, String idc, String ip, Instant since, List<AlertPod> pods) {
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
    public record Publisher(String work, String holder, long epoch, boolean leaseLive, Instant leaseUntil, String localState,
                            Integer buffered, String lastError, Instant lastPublishedAt) {
    }

    public record Publishers(boolean enabled, String instance, List<String> topics, List<Publisher> items) {
    }
}
