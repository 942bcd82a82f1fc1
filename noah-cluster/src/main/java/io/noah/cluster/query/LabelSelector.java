package io.noah.cluster.query;

import io.noah.cluster.model.NoahException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector in its string form: {@code a=b,c!=d,e in (x,y),f notin (z),g,!h}
 * ({@code ==} too). Parsed once, matched against label maps. Bad syntax gets a clear
 * invalid-label-selector error naming what is wrong.
 */
public final class LabelSelector {

    private sealed interface Requirement {
        boolean matches(Map<String, String> labels);
    }

    private record Equals(String key, String value) implements Requirement {
        public boolean matches(Map<String, String> l) { return value.equals(l.get(key)); }
    }

    private record NotEquals(String key, String value) implements Requirement {
        public boolean matches(Map<String, String> l) { return !value.equals(l.get(key)); }
    }

    private record In(String key, Set<String> values) implements Requirement {
        public boolean matches(Map<String, String> l) { return l.containsKey(key) && values.contains(l.get(key)); }
    }

    private record NotIn(String key, Set<String> values) implements Requirement {
        public boolean matches(Map<String, String> l) { return !l.containsKey(key) || !values.contains(l.get(key)); }
    }

    private record Exists(String key) implements Requirement {
        public boolean matches(Map<String, String> l) { return l.containsKey(key); }
    }

    private record NotExists(String key) implements Requirement {
        public boolean matches(Map<String, String> l) { return !l.containsKey(key); }
    }

    // prefix (DNS subdomain) / name (63 chars): https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
    private static final Pattern KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), "");

    private final List<Requirement> requirements;
    private final String text;

    private LabelSelector(List<Requirement> requirements, String text) {
        this.requirements = requirements;
        this.text = text;
    }

    /** A valid Kubernetes label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
    public static boolean isValidKey(String k) {
        return k != null && !k.isEmpty() && k.length() <= 317 && KEY.matcher(k).matches();
    }

    /** A valid Kubernetes label value: empty, or at most 63 characters of [A-Za-z0-9_.-] starting and ending alphanumeric. */
    public static boolean isValidValue(String v) {
        return v != null && v.length() <= 63 && VALUE.matcher(v).matches();
    }

    public static LabelSelector everything() {
        return EVERYTHING;
    }

    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        if (text.length() > 4096) {
            throw bad(text, "it is longer than 4096 characters");
        }
        List<Requirement> out = new ArrayList<>();
        for (String part : splitTopLevel(text)) {
            out.add(requirement(text, part.trim()));
        }
        return new LabelSelector(List.copyOf(out), text);
    }

    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth < 0) {
                    throw bad(text, "unbalanced ')'");
                }
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw bad(text, "unbalanced '('");
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static Requirement requirement(String text, String p) {
        if (p.isEmpty()) {
            throw bad(text, "an empty requirement (two commas, or a trailing comma)");
        }
        var setMatcher = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(p);
        if (setMatcher.matches()) {
            String key = key(text, setMatcher.group(1));
            Set<String> values = new java.util.LinkedHashSet<>();
            for (String v : setMatcher.group(3).split(",")) {
                values.add(value(text, v.trim()));
            }
            if (values.isEmpty() || (values.size() == 1 && values.contains("") && setMatcher.group(3).isBlank())) {
                throw bad(text, "'" + p + "' has an empty value set");
            }
            return setMatcher.group(2).equals("in") ? new In(key, Set.copyOf(values)) : new NotIn(key, Set.copyOf(values));
        }
        int ne = p.indexOf("!=");
        if (ne > 0) {
            return new NotEquals(key(text, p.substring(0, ne).trim()), value(text, p.substring(ne + 2).trim()));
        }
        int eq2 = p.indexOf("==");
        if (eq2 > 0) {
            return new Equals(key(text, p.substring(0, eq2).trim()), value(text, p.substring(eq2 + 2).trim()));
        }
        int eq = p.indexOf('=');
        if (eq > 0) {
            return new Equals(key(text, p.substring(0, eq).trim()), value(text, p.substring(eq + 1).trim()));
        }
        if (p.startsWith("!")) {
            return new NotExists(key(text, p.substring(1).trim()));
        }
        return new Exists(key(text, p));
    }

    private static String key(String text, String k) {
        if (!isValidKey(k)) {
            throw bad(text, "'" + k + "' is not a valid label key");
        }
        return k;
    }

    private static String value(String text, String v) {
        if (!isValidValue(v)) {
            throw bad(text, "'" + v + "' is not a valid label value");
        }
        return v;
    }

    private static NoahException bad(String text, String why) {
        return NoahException.invalid(NoahException.Reason.INVALID_SELECTOR, "labelSelector",
                "labelSelector '" + text + "' is invalid: " + why);
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    @Override
    public String toString() {
        return text;
    }
}
