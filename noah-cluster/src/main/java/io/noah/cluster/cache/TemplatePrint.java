package io.noah.cluster.cache;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A Deployment's pod template, reduced to what tells whether someone changed it and what: per
 * container its image and digests of its environment and resources, and a digest of everything else.
 * Environment values are never kept (they may be secrets), only their digest. {@link #hash()} is one
 * digest of it all, small enough to keep in the read cache.
 */
public record TemplatePrint(Map<String, ContainerPrint> containers, String rest) {

    /** One container: its image, and digests of its env and resources. */
    public record ContainerPrint(String image, String env, String resources) {
    }

    public TemplatePrint {
        containers = containers == null ? Map.of() : Map.copyOf(containers);
    }

    public static TemplatePrint of(PodTemplateSpec template) {
        if (template == null) {
            return new TemplatePrint(Map.of(), digest("null"));
        }
        Map<String, ContainerPrint> cs = new LinkedHashMap<>();
        PodTemplateSpec rest = Serialization.clone(template);
        if (rest.getSpec() != null && rest.getSpec().getContainers() != null) {
            for (Container c : rest.getSpec().getContainers()) {
                cs.put(c.getName(), new ContainerPrint(c.getImage(), digest(Serialization.asJson(c.getEnv())),
                        digest(Serialization.asJson(c.getResources()))));
                c.setImage(null);
                c.setEnv(null);
                c.setResources(null);
            }
        }
        return new TemplatePrint(cs, digest(Serialization.asJson(rest)));
    }

    /** One digest of the whole print. */
    public String hash() {
        StringBuilder b = new StringBuilder(rest);
        new java.util.TreeMap<>(containers).forEach((n, c) -> b.append('|').append(n).append('=').append(c.image())
                .append(',').append(c.env()).append(',').append(c.resources()));
        return digest(b.toString());
    }

    /** What differs from {@code before}, for people ("image of container main: a → b; env of container main"); empty if nothing. */
    public List<String> changesSince(TemplatePrint before) {
        List<String> out = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(before.containers.keySet());
        names.addAll(containers.keySet());
        for (String n : names) {
            ContainerPrint was = before.containers.get(n);
            ContainerPrint now = containers.get(n);
            if (was == null) {
                out.add("container " + n + " added");
            } else if (now == null) {
                out.add("container " + n + " removed");
            } else {
                if (!Objects.equals(was.image(), now.image())) {
                    out.add("image of container " + n + ": " + was.image() + " → " + now.image());
                }
                if (!Objects.equals(was.env(), now.env())) {
                    out.add("env of container " + n);
                }
                if (!Objects.equals(was.resources(), now.resources())) {
                    out.add("resources of container " + n);
                }
            }
        }
        if (!Objects.equals(before.rest, rest)) {
            out.add("other fields of the pod template");
        }
        return out;
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
