package io.noah.cluster.ops;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.noah.cluster.cache.TemplatePrint;
import io.noah.cluster.model.NoahException;
import io.noah.cluster.registry.ClusterRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Deployment operations a canary release needs, read live from the API server (a release step
 * must not act on a lagging cache): state, create a canary from a running Deployment, scale, delete.
 */
public final class DeploymentOps {

    /** A Deployment's desired and observed replica counts, and its pod template's print. */
    public record State(String name, int replicas, long generation, long observedGeneration, int statusReplicas,
                        int updatedReplicas, int readyReplicas, int availableReplicas, Map<String, String> labels,
                        Map<String, String> annotations, TemplatePrint template) {

        /** The controller has seen the latest spec and at least {@code n} pods of it are ready and available. */
        public boolean readyAt(int n) {
            return observedGeneration >= generation && updatedReplicas >= n && readyReplicas >= n && availableReplicas >= n;
        }

        /** The controller has seen the latest spec and no more than {@code n} pods remain. */
        public boolean scaledDownTo(int n) {
            return observedGeneration >= generation && statusReplicas <= n;
        }
    }

    /**
     * What the canary changes in the running pod template, per container name: image, environment
     * variables (set or replaced), and resources ({@code requests}/{@code limits} → {@code cpu}/{@code memory}/… → quantity);
     * and at the pod level ({@link PodChange}: rack spread, traffic gate, health checks), null for none.
     */
    public record Change(Map<String, String> images, Map<String, Map<String, String>> env,
                         Map<String, Map<String, Map<String, String>>> resources, PodChange pod) {

        public Change(Map<String, String> images, Map<String, Map<String, String>> env,
                      Map<String, Map<String, Map<String, String>>> resources) {
            this(images, env, resources, null);
        }

        void applyTo(Container c) {
            String image = images == null ? null : images.get(c.getName());
            if (image != null) {
                c.setImage(image);
            }
            Map<String, String> e = env == null ? null : env.get(c.getName());
            if (e != null) {
                List<EnvVar> vars = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
                e.forEach((k, v) -> {
                    vars.removeIf(x -> x.getName().equals(k));
                    vars.add(new EnvVar(k, v, null));
                });
                c.setEnv(vars);
            }
            Map<String, Map<String, String>> r = resources == null ? null : resources.get(c.getName());
            if (r != null) {
                var req = c.getResources() == null ? new io.fabric8.kubernetes.api.model.ResourceRequirements() : c.getResources();
                if (r.get("requests") != null) {
                    Map<String, io.fabric8.kubernetes.api.model.Quantity> m = new LinkedHashMap<>(req.getRequests() == null ? Map.of() : req.getRequests());
                    r.get("requests").forEach((k, v) -> m.put(k, new io.fabric8.kubernetes.api.model.Quantity(v)));
                    req.setRequests(m);
                }
                if (r.get("limits") != null) {
                    Map<String, io.fabric8.kubernetes.api.model.Quantity> m = new LinkedHashMap<>(req.getLimits() == null ? Map.of() : req.getLimits());
                    r.get("limits").forEach((k, v) -> m.put(k, new io.fabric8.kubernetes.api.model.Quantity(v)));
                    req.setLimits(m);
                }
                c.setResources(req);
            }
        }
    }

    private final ClusterRegistry registry;

    public DeploymentOps(ClusterRegistry registry) {
        this.registry = registry;
    }

    public Optional<State> state(String cluster, String namespace, String name) {
        try {
            Deployment d = registry.require(cluster).clientForWrite().apps().deployments().inNamespace(namespace).withName(name).get();
            return Optional.ofNullable(d).map(DeploymentOps::state);
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    /** The Deployments whose pods carry {@code appLabel=app} in a namespace. */
    public List<State> byApp(String cluster, String namespace, String appLabel, String app) {
        try {
            List<State> out = new ArrayList<>();
            for (Deployment d : registry.require(cluster).clientForWrite().apps().deployments().inNamespace(namespace).list().getItems()) {
                var tpl = d.getSpec().getTemplate().getMetadata();
                if (tpl != null && tpl.getLabels() != null && app.equals(tpl.getLabels().get(appLabel))) {
                    out.add(state(d));
                }
            }
            return out;
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    /**
     * Creates {@code canaryName} at 0 replicas from {@code runningName}'s pod template plus the change:
     * same labels (so the same Service selects both) but {@code versionLabel=version}, selector
     * narrowed by the version label, annotations naming the release.
     */
    public State createCanary(String cluster, String namespace, String runningName, String canaryName, String versionLabel,
                              String version, Change change, Map<String, String> annotations) {
        var client = registry.require(cluster).clientForWrite();
        try {
            Deployment running = client.apps().deployments().inNamespace(namespace).withName(runningName).get();
            if (running == null) {
                throw new NoahException(NoahException.Reason.NOT_FOUND,
                        "Deployment " + namespace + "/" + runningName + " does not exist in cluster " + cluster);
            }
            Map<String, String> selector = new LinkedHashMap<>(running.getSpec().getSelector().getMatchLabels());
            selector.put(versionLabel, version);
            Map<String, String> podLabels = new LinkedHashMap<>(running.getSpec().getTemplate().getMetadata().getLabels());
            podLabels.put(versionLabel, version);
            Map<String, String> labels = new LinkedHashMap<>(running.getMetadata().getLabels() == null ? Map.of() : running.getMetadata().getLabels());
            labels.put(versionLabel, version);
            Deployment canary = new DeploymentBuilder()
                    .withNewMetadata().withName(canaryName).withNamespace(namespace).withLabels(labels)
                    .withAnnotations(annotations).endMetadata()
                    .withSpec(running.getSpec())
                    .editSpec().withReplicas(0).withPaused(false)
                    .withNewSelector().withMatchLabels(selector).endSelector()
                    .editTemplate().editMetadata().withLabels(podLabels).endMetadata().endTemplate()
                    .endSpec()
                    .build();
            canary.getSpec().getTemplate().getSpec().getContainers().forEach(change::applyTo);
            applyPod(canary, change);
            return state(client.apps().deployments().inNamespace(namespace).resource(canary).create());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return state(cluster, namespace, canaryName).orElseThrow(() -> Kubernetes.translate(cluster, e));
            }
            throw Kubernetes.translate(cluster, e);
        }
    }

    /**
     * Creates the first Deployment of an app that has none, at 0 replicas: labels {@code appLabel=app}
     * and {@code versionLabel=version}, one container per entry of {@code change.images()}.
     */
    public State createNew(String cluster, String namespace, String name, String appLabel, String app, String versionLabel,
                           String version, Change change, Map<String, String> annotations) {
        var client = registry.require(cluster).clientForWrite();
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(appLabel, app);
        labels.put(versionLabel, version);
        List<Container> containers = new ArrayList<>();
        change.images().forEach((container, image) -> {
            Container c = new Container();
            c.setName(container);
            change.applyTo(c);
            containers.add(c);
        });
        Deployment d = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().withContainers(containers).endSpec().endTemplate().endSpec()
                .build();
        applyPod(d, change);
        try {
            return state(client.apps().deployments().inNamespace(namespace).resource(d).create());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return state(cluster, namespace, name).orElseThrow(() -> Kubernetes.translate(cluster, e));
            }
            throw Kubernetes.translate(cluster, e);
        }
    }

    /** The pod-level change, and the app type as a label of the Deployment (so the caches know each app's type). */
    private static void applyPod(Deployment d, Change change) {
        PodChange pod = change.pod();
        if (pod == null) {
            return;
        }
        pod.applyTo(d.getSpec().getTemplate(), change.images() == null ? java.util.Set.of() : change.images().keySet());
        if (pod.appType() != null) {
            Map<String, String> labels = new LinkedHashMap<>(d.getMetadata().getLabels() == null ? Map.of() : d.getMetadata().getLabels());
            labels.put(PodChange.APP_TYPE, pod.appType());
            d.getMetadata().setLabels(labels);
        }
    }

    public void scale(String cluster, String namespace, String name, int replicas) {
        try {
            registry.require(cluster).clientForWrite().apps().deployments().inNamespace(namespace).withName(name).scale(replicas);
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    /**
     * Sets {@code replicas} and {@code annotations} in one optimistic write: only if the Deployment still has
     * {@code expectedReplicas} and has not changed since {@code resourceVersion} (whoever wrote in between wins, this
     * writes nothing). Returns whether it wrote.
     */
    public boolean scaleIfUnchanged(String cluster, String namespace, String name, String resourceVersion, int expectedReplicas,
                                    int replicas, Map<String, String> annotations) {
        var client = registry.require(cluster).clientForWrite();
        try {
            Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
            if (d == null || !resourceVersion.equals(d.getMetadata().getResourceVersion())
                    || (d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas()) != expectedReplicas) {
                return false;
            }
            d.getSpec().setReplicas(replicas);
            Map<String, String> a = new LinkedHashMap<>(d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations());
            a.putAll(annotations);
            d.getMetadata().setAnnotations(a);
            client.apps().deployments().inNamespace(namespace).resource(d).update(); // carries resourceVersion: 409 if stale
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw Kubernetes.translate(cluster, e);
        }
    }

    /** Live state with the resource version an optimistic write needs; empty when the Deployment does not exist. */
    public Optional<Versioned> versioned(String cluster, String namespace, String name) {
        try {
            Deployment d = registry.require(cluster).clientForWrite().apps().deployments().inNamespace(namespace).withName(name).get();
            return Optional.ofNullable(d).map(x -> new Versioned(state(x), x.getMetadata().getResourceVersion(), x.getMetadata().getUid()));
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    public record Versioned(State state, String resourceVersion, String uid) {
    }

    /**
     * A Kubernetes Event on a Deployment, as its controllers write them ({@code kubectl describe deployment} shows it):
     * {@code type} Normal or Warning, {@code reason} CamelCase, from {@code component}. Best effort: an Event that
     * cannot be written is not worth failing the action it reports.
     */
    public boolean event(String cluster, String namespace, String name, String uid, String type, String reason, String message,
                         String component) {
        String now = java.time.format.DateTimeFormatter.ISO_INSTANT.format(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        var e = new io.fabric8.kubernetes.api.model.EventBuilder()
                .withNewMetadata().withGenerateName(name + ".") // the API server makes the name unique
                .withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withApiVersion("apps/v1").withKind("Deployment").withName(name).withNamespace(namespace).withUid(uid)
                .endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
                .withNewSource().withComponent(component).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withReportingComponent(component).withReportingInstance(component)
                .build();
        try {
            registry.require(cluster).clientForWrite().v1().events().inNamespace(namespace).resource(e).create();
            return true;
        } catch (KubernetesClientException | NoahException ex) {
            return false;
        }
    }

    public void delete(String cluster, String namespace, String name) {
        try {
            registry.require(cluster).clientForWrite().apps().deployments().inNamespace(namespace).withName(name).delete();
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    /**
     * What another cluster needs to run a Deployment's pods (a disaster-recovery copy): its replicas, one pod's requests,
     * node selector and tolerations, and the Deployment as JSON to create the copy from (same labels, selector and
     * template, annotations but kubectl's and the controller's, 0 replicas). Empty when it does not exist.
     */
    public record PodShape(int replicas, long cpuMilli, long memoryBytes, Map<String, String> nodeSelector,
                           List<io.fabric8.kubernetes.api.model.Toleration> tolerations, String copy) {
    }

    public Optional<PodShape> shape(String cluster, String namespace, String name) {
        Deployment d;
        try {
            d = registry.require(cluster).clientForWrite().apps().deployments().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
        if (d == null) {
            return Optional.empty();
        }
        var spec = d.getSpec().getTemplate().getSpec();
        long cpu = io.noah.cluster.cache.Slimming.request(spec, "cpu", 1000);
        long mem = io.noah.cluster.cache.Slimming.request(spec, "memory", 1);
        Map<String, String> annotations = new java.util.TreeMap<>();
        if (d.getMetadata().getAnnotations() != null) {
            d.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!k.equals("kubectl.kubernetes.io/last-applied-configuration") && !k.startsWith("deployment.kubernetes.io/")) {
                    annotations.put(k, v);
                }
            });
        }
        Deployment copy = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(d.getMetadata().getLabels()).withAnnotations(annotations)
                .endMetadata()
                .withNewSpecLike(d.getSpec()).withReplicas(0).endSpec()
                .build();
        return Optional.of(new PodShape(d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(), cpu, mem,
                spec.getNodeSelector(), spec.getTolerations(), io.fabric8.kubernetes.client.utils.Serialization.asJson(copy)));
    }

    /** Creates a Deployment from {@link PodShape#copy} with extra annotations, and its namespace when missing. */
    public void createCopy(String cluster, String namespace, String copy, Map<String, String> annotations) {
        var client = registry.require(cluster).clientForWrite();
        try {
            if (client.namespaces().withName(namespace).get() == null) {
                client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(namespace)
                        .endMetadata().build()).create();
            }
            Deployment d = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(copy, Deployment.class);
            if (d.getMetadata().getAnnotations() == null) {
                d.getMetadata().setAnnotations(new HashMap<>());
            }
            d.getMetadata().getAnnotations().putAll(annotations);
            client.apps().deployments().inNamespace(namespace).resource(d).create();
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    /** Container names of a Deployment's pod template. */
    public List<String> containers(String cluster, String namespace, String name) {
        try {
            Deployment d = registry.require(cluster).clientForWrite().apps().deployments().inNamespace(namespace).withName(name).get();
            return d == null ? List.of() : d.getSpec().getTemplate().getSpec().getContainers().stream().map(Container::getName).toList();
        } catch (KubernetesClientException e) {
            throw Kubernetes.translate(cluster, e);
        }
    }

    private static State state(Deployment d) {
        var s = d.getStatus();
        return new State(d.getMetadata().getName(), d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(),
                d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration(),
                s == null || s.getObservedGeneration() == null ? 0 : s.getObservedGeneration(),
                s == null ? 0 : nz(s.getReplicas()), s == null ? 0 : nz(s.getUpdatedReplicas()),
                s == null ? 0 : nz(s.getReadyReplicas()), s == null ? 0 : nz(s.getAvailableReplicas()),
                d.getMetadata().getLabels() == null ? Map.of() : new HashMap<>(d.getMetadata().getLabels()),
                d.getMetadata().getAnnotations() == null ? Map.of() : new HashMap<>(d.getMetadata().getAnnotations()),
                TemplatePrint.of(d.getSpec().getTemplate()));
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
