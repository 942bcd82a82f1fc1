package io.noah.events;

import io.noah.cluster.cache.DeploymentRecord;
import io.noah.cluster.cache.NodeRecord;
import io.noah.cluster.cache.PodRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the publisher needs to know of one kind of object: its keys, its state topic, which field
 * changes consumers care about, and the CloudEvents type of each change.
 */
abstract sealed class EventKind<R> permits EventKind.Pods, EventKind.Deployments, EventKind.Nodes {

    static final Pods PODS = new Pods();
    static final Deployments DEPLOYMENTS = new Deployments();
    static final Nodes NODES = new Nodes();
    static final List<EventKind<?>> ALL = List.of(PODS, DEPLOYMENTS, NODES);

    abstract String name();

    @Override
    public String toString() {
        return name();
    }

    abstract Class<R> type();

    abstract String namespace(R r);

    abstract String objectName(R r);

    abstract String uid(R r);

    abstract String resourceVersion(R r);

    abstract String stateTopic(EventsSettings.Topics t);

    /** Names of the changed fields consumers care about; empty when none changed. */
    abstract List<String> changes(R before, R after);

    /** The CloudEvents type of an update with these changes. */
    abstract String updateType(R before, R after, List<String> changes);

    /** Kafka key and map key: cluster/namespace/name (cluster/name for nodes), so one object's changes keep their order. */
    final String key(String cluster, R r) {
        String ns = namespace(r);
        return ns == null ? cluster + "/" + objectName(r) : cluster + "/" + ns + "/" + objectName(r);
    }

    final String subject(R r) {
        String ns = namespace(r);
        return ns == null ? objectName(r) : ns + "/" + objectName(r);
    }

    final String addedType() {
        return "io.noah." + name() + ".added";
    }

    final String deletedType() {
        return "io.noah." + name() + ".deleted";
    }

    final String stateType() {
        return "io.noah." + name() + ".state";
    }

    /** The object of a state record ({@code data.object}). */
    final R stateObject(byte[] value) {
        return Envelopes.convert(Envelopes.read(value).get("data").get("object"), type());
    }

    /** The kind whose state topic this is, or null (the checkpoints topic). */
    static EventKind<?> ofStateTopic(EventsSettings.Topics t, String topic) {
        for (EventKind<?> k : ALL) {
            if (k.stateTopic(t).equals(topic)) {
                return k;
            }
        }
        return null;
    }

    /** What a new leader reads back: every state topic and the checkpoints. */
    static List<String> takeoverTopics(EventsSettings.Topics t) {
        List<String> topics = new ArrayList<>();
        ALL.forEach(k -> topics.add(k.stateTopic(t)));
        topics.add(t.checkpoints());
        return topics;
    }

    private static void diff(List<String> out, String field, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            out.add(field);
        }
    }

    static final class Pods extends EventKind<PodRecord> {
        String name() { return "pod"; }
        Class<PodRecord> type() { return PodRecord.class; }
        String namespace(PodRecord r) { return r.namespace(); }
        String objectName(PodRecord r) { return r.name(); }
        String uid(PodRecord r) { return r.uid(); }
        String resourceVersion(PodRecord r) { return r.resourceVersion(); }
        String stateTopic(EventsSettings.Topics t) { return t.pods(); }

        List<String> changes(PodRecord a, PodRecord b) {
            List<String> c = new ArrayList<>();
            diff(c, "ip", a.podIP(), b.podIP());
            diff(c, "node", a.nodeName(), b.nodeName());
            diff(c, "phase", a.phase(), b.phase());
            diff(c, "ready", a.ready(), b.ready());
            diff(c, "terminating", a.terminating(), b.terminating());
            diff(c, "restarts", a.restarts(), b.restarts());
            diff(c, "hostIP", a.hostIP(), b.hostIP());
            diff(c, "labels", a.labels(), b.labels());
            diff(c, "trafficWeight", a.trafficWeight(), b.trafficWeight());
            return c;
        }

        String updateType(PodRecord a, PodRecord b, List<String> c) {
            if (c.contains("trafficWeight") && c.size() == 1) {
                return "io.noah.pod.traffic-weight-changed";
            }
            if (c.contains("ip")) {
                return a.podIP() == null ? "io.noah.pod.ip-assigned" : b.podIP() == null ? "io.noah.pod.ip-released" : "io.noah.pod.ip-changed";
            }
            if (c.contains("node")) {
                return "io.noah.pod.scheduled";
            }
            if (c.contains("labels") && c.size() == 1) {
                return "io.noah.pod.labels-changed";
            }
            return "io.noah.pod.status-changed";
        }
    }

    static final class Deployments extends EventKind<DeploymentRecord> {
        String name() { return "deployment"; }
        Class<DeploymentRecord> type() { return DeploymentRecord.class; }
        String namespace(DeploymentRecord r) { return r.namespace(); }
        String objectName(DeploymentRecord r) { return r.name(); }
        String uid(DeploymentRecord r) { return r.uid(); }
        String resourceVersion(DeploymentRecord r) { return r.resourceVersion(); }
        String stateTopic(EventsSettings.Topics t) { return t.deployments(); }

        List<String> changes(DeploymentRecord a, DeploymentRecord b) {
            List<String> c = new ArrayList<>();
            diff(c, "replicas", a.replicas(), b.replicas());
            diff(c, "readyReplicas", a.readyReplicas(), b.readyReplicas());
            diff(c, "availableReplicas", a.availableReplicas(), b.availableReplicas());
            diff(c, "updatedReplicas", a.updatedReplicas(), b.updatedReplicas());
            diff(c, "images", a.images(), b.images());
            if (a.templateHash() != null && b.templateHash() != null) { // null: a record published before the hash existed
                diff(c, "template", a.templateHash(), b.templateHash());
            }
            diff(c, "labels", a.labels(), b.labels());
            return c;
        }

        String updateType(DeploymentRecord a, DeploymentRecord b, List<String> c) {
            if (c.contains("replicas") || c.contains("readyReplicas") || c.contains("availableReplicas") || c.contains("updatedReplicas")) {
                return "io.noah.deployment.replicas-changed";
            }
            return c.contains("images") || c.contains("template") ? "io.noah.deployment.template-changed" : "io.noah.deployment.labels-changed";
        }
    }

    static final class Nodes extends EventKind<NodeRecord> {
        String name() { return "node"; }
        Class<NodeRecord> type() { return NodeRecord.class; }
        String namespace(NodeRecord r) { return null; }
        String objectName(NodeRecord r) { return r.name(); }
        String uid(NodeRecord r) { return r.name(); }
        String resourceVersion(NodeRecord r) { return r.resourceVersion(); }
        String stateTopic(EventsSettings.Topics t) { return t.nodes(); }

        List<String> changes(NodeRecord a, NodeRecord b) {
            List<String> c = new ArrayList<>();
            diff(c, "unschedulable", a.unschedulable(), b.unschedulable());
            diff(c, "ready", a.ready(), b.ready());
            diff(c, "internalIP", a.internalIP(), b.internalIP());
            diff(c, "podCIDR", a.podCIDR(), b.podCIDR());
            diff(c, "labels", a.labels(), b.labels());
            return c;
        }

        String updateType(NodeRecord a, NodeRecord b, List<String> c) {
            if (c.contains("unschedulable")) {
                return b.unschedulable() ? "io.noah.node.cordoned" : "io.noah.node.uncordoned";
            }
            return c.contains("labels") && c.size() == 1 ? "io.noah.node.labels-changed" : "io.noah.node.status-changed";
        }
    }
}
