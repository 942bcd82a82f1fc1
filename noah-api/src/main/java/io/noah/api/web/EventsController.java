package io.noah.api.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.noah.api.config.NoahConfiguration;
import io.noah.api.web.dto.EventViews;
import io.noah.cluster.model.ClusterSpec;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.events.EventsService;
import io.noah.events.IpConflicts;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;

/** Active alerts (from the caches of this instance) and who publishes which cluster's events. */
@RestController
@RequestMapping(produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "events", description = "Alerts and the event publishers (the leader-elected watch published to Kafka)")
public class EventsController {

    private final ClusterRegistry registry;
    private final ObjectProvider<EventsService> events;
    private final NoahConfiguration.Instance instance;

    public EventsController(ClusterRegistry registry, ObjectProvider<EventsService> events, NoahConfiguration.Instance instance) {
        this.registry = registry;
        this.events = events;
        this.instance = instance;
    }

    @GetMapping("/api/v1/alerts")
    @Operation(operationId = "listAlerts", summary = "Active alerts (pod IP conflicts within an IDC), from this instance's caches")
    public EventViews.Alerts alerts(@Parameter(schema = @Schema(type = "string", pattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength = 63))
                                    @RequestParam(required = false) String idc) {
        if (idc != null) {
            ClusterSpec.requireDnsLabel("idc", idc);
        }
        List<EventViews.Alert> items = IpConflicts.find(registry, idc).stream()
                .map(c -> new EventViews.Alert("ip-conflict", c.idc(), c.ip(), Instant.ofEpochSecond(c.sinceEpochSecond()),
                        c.pods().stream().map(m -> new EventViews.AlertPod(m.cluster(), m.namespace(), m.name(), m.uid(), m.node()))
                                .toList()))
                .toList();
        List<String> stale = registry.all().stream().filter(h -> idc == null || idc.equals(h.spec().idc()))
                .filter(h -> h.stale()).map(h -> h.name()).toList();
        return new EventViews.Alerts(items, stale);
    }

    @GetMapping("/api/v1/events/publishers")
    @Operation(operationId = "listPublishers", summary = "Which instance publishes which cluster's events to Kafka (lease, epoch, state)")
    public EventViews.Publishers publishers() {
        EventsService e = events.getIfAvailable();
        if (e == null) {
            return new EventViews.Publishers(false, instance.id(), List.of(), List.of());
        }
        return new EventViews.Publishers(true, instance.id(), e.settings().topics().all(), e.status().stream()
                .map(s -> new EventViews.Publisher(s.work(), s.holder(), s.epoch(), s.leaseLive(), s.leaseUntil(), s.localState(),
                        s.buffered(), s.lastError(), s.lastPublishedAt()))
                .toList());
    }
}
