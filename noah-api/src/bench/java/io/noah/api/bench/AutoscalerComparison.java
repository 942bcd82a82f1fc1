package io.noah.api.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.noah.api.NoahProcess;
import io.noah.api.NoahServer;
import io.noah.cluster.testing.LocalStack;
import io.noah.cluster.testing.Workloads;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes HPA and Noah's autoscaler side by side (not a test; prints a table, writes a PNG). Two identical apps
 * (4 pods, CPU request 500m: the steady state of the first load) in one cluster: {@code hpa} scaled by a HorizontalPodAutoscaler (autoscaling/v2, CPU 50 %,
 * the controller in the stack's kube-controller-manager reading metrics-server), {@code noah} by a Noah policy (CPU 50 %,
 * Noah's defaults: 15 s tick, 1 min window), both 2..20 replicas. One load trace, in cores for the whole app, split
 * evenly over its pods every 5 s through KWOK's usage annotation (so both autoscalers see the same usage: metrics-server
 * and VictoriaMetrics scrape the same emulated kubelet endpoints): 1 core, step to 4, plateau, spike to 7 for 1 min,
 * back to 4, step down to 1.
 *
 * <p>Run: {@code deploy/local/stack.sh up && mvn -q -DskipTests install && mvn -pl noah-api test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=io.noah.api.bench.AutoscalerComparison} ({@code -Dpng=docs/autoscaler-comparison.png})
 */
public final class AutoscalerComparison {

    /** Seconds from the start → total cores of the app. */
    static double load(long s) {
        if (s < 60) {
            return 1.0;
        }
        if (s < 360) {
            return 4.0;
        }
        if (s < 420) {
            return 7.0;
        }
        if (s < 600) {
            return 4.0;
        }
        return 1.0;
    }

    record Sample(long s, double load, int hpa, int noah) {
    }

    public static void main(String[] args) throws Exception {
        long duration = Long.getLong("seconds", 1200);
        LocalStack stack = LocalStack.get();
        String pool = stack.clusters().getFirst();
        KubernetesClient k = stack.client(pool);
        String ns = "compare-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
        k.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        while (k.serviceAccounts().inNamespace(ns).withName("default").get() == null) {
            Thread.sleep(50);
        }
        for (String app : List.of("hpa", "noah")) {
            Deployment d = Workloads.deployment(app, 4); // the steady state of the first load: 1 core over 4 pods at 50 %
            d.getSpec().getTemplate().getMetadata().setAnnotations(Map.of("kwok.x-k8s.io/usage-cpu", "250m"));
            d.getSpec().getTemplate().getSpec().getContainers().getFirst()
                    .setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("500m")).build());
            k.apps().deployments().inNamespace(ns).resource(d).create();
        }
        while (Workloads.readyReplicas(k, ns, "hpa") < 4 || Workloads.readyReplicas(k, ns, "noah") < 4) {
            Thread.sleep(500);
        }
        NoahServer noah = NoahServer.get();
        noah.stop(); // one Noah with the defaults evaluates
        try (NoahProcess p = NoahProcess.start(stack, "compare", "15s", Map.of("noah.autoscaler.tick", "15s", "noah.autoscaler.window", "1m"))) {
            k.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).resource(new HorizontalPodAutoscalerBuilder()
                    .withNewMetadata().withName("hpa").endMetadata()
                    .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName("hpa").endScaleTargetRef()
                    .withMinReplicas(2).withMaxReplicas(20)
                    .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget().withType("Utilization")
                    .withAverageUtilization(50).endTarget().endResource().endMetric()
                    .endSpec().build()).create();
            var created = noah.sendTo(p.port(), "POST", "/api/v1/autoscalers", NoahServer.ADMIN_TOKEN, Map.of("app", "noah", "namespace", ns,
                    "pools", Map.of(pool, Map.of("min", 2, "max", 20)), "strategies", List.of(Map.of("name", "cpu", "type", "cpu", "target", 0.5)),
                    "mode", "enforce", "reason", "comparison"));
            if (created.status() != 201) {
                throw new IllegalStateException(created.raw());
            }
            List<Sample> samples = new ArrayList<>();
            long start = System.currentTimeMillis();
            while (true) {
                long s = (System.currentTimeMillis() - start) / 1000;
                if (s > duration) {
                    break;
                }
                double total = load(s);
                int h = apply(k, ns, "hpa", total);
                int n = apply(k, ns, "noah", total);
                samples.add(new Sample(s, total, h, n));
                if (s % 30 < 5) {
                    System.out.printf("t=%4d s load %.1f cores: hpa %2d, noah %2d replicas%n", s, total, h, n);
                }
                Thread.sleep(5000);
            }
            report(samples);
            String png = System.getProperty("png", "target/autoscaler-comparison.png");
            plot(samples, new File(png));
            StringBuilder csv = new StringBuilder("seconds,load_cores,hpa_replicas,noah_replicas\n");
            samples.forEach(x -> csv.append(x.s()).append(',').append(x.load()).append(',').append(x.hpa()).append(',').append(x.noah()).append('\n'));
            java.nio.file.Files.writeString(java.nio.file.Path.of(png.replaceAll("\\.png$", "") + ".csv"), csv);
            System.out.println("plot: " + png + " (samples beside it as .csv)");
        } finally {
            k.namespaces().withName(ns).delete();
            noah.start();
        }
        System.exit(0);
    }

    /** Splits the app's load over its current pods (KWOK's usage annotation); returns its desired replicas. */
    private static int apply(KubernetesClient k, String ns, String app, double total) {
        List<Pod> pods = k.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
                .filter(x -> x.getMetadata().getDeletionTimestamp() == null).toList();
        if (!pods.isEmpty()) {
            String per = Math.round(total * 1000 / pods.size()) + "m";
            for (Pod pod : pods) {
                if (!per.equals(pod.getMetadata().getAnnotations() == null ? null : pod.getMetadata().getAnnotations().get("kwok.x-k8s.io/usage-cpu"))) {
                    k.pods().inNamespace(ns).withName(pod.getMetadata().getName()).edit(x -> {
                        x.getMetadata().getAnnotations().put("kwok.x-k8s.io/usage-cpu", per);
                        return x;
                    });
                }
            }
        }
        for (int attempt = 0; ; attempt++) {
            Deployment d = k.apps().deployments().inNamespace(ns).withName(app).get();
            if (d != null) {
                return d.getSpec().getReplicas();
            }
            if (attempt == 5) { // a 404 while the API server is under load (seen once): the run goes on, not the harness
                throw new IllegalStateException("Deployment " + ns + "/" + app + " not found five times in a row");
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Time to react to each step, scale events, time with the pods above target (10 % band), replica-seconds. */
    static void report(List<Sample> samples) {
        System.out.println();
        System.out.println("| | Kubernetes HPA | Noah |");
        System.out.println("|---|---|---|");
        long[] steps = {60, 360, 420, 600};
        String[] names = {"step up 1 → 4 cores", "spike 4 → 7", "spike over 7 → 4", "step down 4 → 1"};
        boolean[] up = {true, true, false, false};
        for (int i = 0; i < steps.length; i++) {
            System.out.printf("| reaction to %s (first scale %s after it) | %s | %s |%n", names[i], up[i] ? "up" : "down",
                    react(samples, steps[i], up[i], true), react(samples, steps[i], up[i], false));
        }
        System.out.printf("| scale events | %d | %d |%n", events(samples, true), events(samples, false));
        System.out.printf("| time above target (per-pod load > 55 %% of requests) | %d s | %d s |%n", over(samples, true), over(samples, false));
        System.out.printf("| replica-seconds (cost) | %d | %d |%n", cost(samples, true), cost(samples, false));
        System.out.printf("| replicas at the end of the plateau (t=355 s; ideal 16) | %d | %d |%n", at(samples, 355, true), at(samples, 355, false));
    }

    private static int replicas(Sample x, boolean hpa) {
        return hpa ? x.hpa() : x.noah();
    }

    /** Seconds from {@code from} to the first change of replicas in that direction. */
    private static String react(List<Sample> samples, long from, boolean up, boolean hpa) {
        int before = -1;
        for (Sample x : samples) {
            int r = replicas(x, hpa);
            if (x.s() >= from && before >= 0 && (up ? r > before : r < before)) {
                return (x.s() - from) + " s";
            }
            before = r;
        }
        return "none";
    }

    private static int events(List<Sample> samples, boolean hpa) {
        int n = 0;
        for (int i = 1; i < samples.size(); i++) {
            if (replicas(samples.get(i), hpa) != replicas(samples.get(i - 1), hpa)) {
                n++;
            }
        }
        return n;
    }

    private static long over(List<Sample> samples, boolean hpa) {
        long t = 0;
        for (int i = 1; i < samples.size(); i++) {
            Sample x = samples.get(i);
            if (x.load() / replicas(x, hpa) / 0.5 > 0.55) {
                t += x.s() - samples.get(i - 1).s();
            }
        }
        return t;
    }

    private static long cost(List<Sample> samples, boolean hpa) {
        long c = 0;
        for (int i = 1; i < samples.size(); i++) {
            c += (samples.get(i).s() - samples.get(i - 1).s()) * replicas(samples.get(i), hpa);
        }
        return c;
    }

    private static int at(List<Sample> samples, long s, boolean hpa) {
        Sample best = samples.getFirst();
        for (Sample x : samples) {
            if (x.s() <= s) {
                best = x;
            }
        }
        return replicas(best, hpa);
    }

    static void plot(List<Sample> samples, File out) throws Exception {
        int w = 1000;
        int h = 420;
        int left = 60;
        int bottom = 40;
        int top = 30;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        long maxS = samples.getLast().s();
        int maxR = 20;
        double sx = (w - left - 20) / (double) maxS;
        double sy = (h - top - bottom) / (double) maxR;
        g.setColor(new Color(230, 230, 230));
        for (int r = 0; r <= maxR; r += 2) {
            int y = (int) (h - bottom - r * sy);
            g.drawLine(left, y, w - 20, y);
        }
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int r = 0; r <= maxR; r += 4) {
            g.drawString(Integer.toString(r), left - 25, (int) (h - bottom - r * sy) + 4);
        }
        for (long s = 0; s <= maxS; s += 120) {
            g.drawString(s + " s", (int) (left + s * sx) - 10, h - bottom + 18);
        }
        g.drawLine(left, h - bottom, w - 20, h - bottom);
        g.drawLine(left, top, left, h - bottom);
        // ideal: every pod at the target, 50 % of its 500m request = 250m: load / 0.25, within 2..20
        series(g, samples, x -> Math.max(2, Math.min(20, Math.ceil(x.load() / 0.25))), new Color(150, 150, 150), left, h - bottom, sx, sy, true);
        series(g, samples, x -> x.hpa(), new Color(200, 60, 40), left, h - bottom, sx, sy, false);
        series(g, samples, x -> x.noah(), new Color(30, 90, 200), left, h - bottom, sx, sy, false);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(new Color(120, 120, 120));
        int x0 = left + 10;
        for (var label : List.of(Map.entry("ideal replicas (every pod at 50 % of its request)", new Color(120, 120, 120)),
                Map.entry("Kubernetes HPA", new Color(200, 60, 40)), Map.entry("Noah", new Color(30, 90, 200)))) {
            g.setColor(label.getValue());
            g.drawString(label.getKey(), x0, top - 10);
            x0 += g.getFontMetrics().stringWidth(label.getKey()) + 24;
        }
        g.dispose();
        out.getAbsoluteFile().getParentFile().mkdirs();
        ImageIO.write(img, "png", out);
    }

    private static void series(Graphics2D g, List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f, Color c, int x0, int y0,
                               double sx, double sy, boolean dashed) {
        g.setColor(c);
        g.setStroke(dashed ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f)
                : new BasicStroke(2.5f));
        for (int i = 1; i < samples.size(); i++) {
            Sample a = samples.get(i - 1);
            Sample b = samples.get(i);
            int xa = (int) (x0 + a.s() * sx);
            int xb = (int) (x0 + b.s() * sx);
            int ya = (int) (y0 - f.applyAsDouble(a) * sy);
            int yb = (int) (y0 - f.applyAsDouble(b) * sy);
            g.drawLine(xa, ya, xb, ya); // steps
            g.drawLine(xb, ya, xb, yb);
        }
    }
}
