package io.noah.hpa.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strategy's PromQL query with placeholders, checked before it is ever sent: {@code $cluster}, {@code $namespace},
 * {@code $pods} (a regular-expression alternation of the pod names, for {@code pod=~"$pods"}) and {@code $window}
 * (a range such as {@code 1m}); the result must be a vector by {@code pod}. A template from a caller is parsed, not
 * passed through: only known placeholders, printable characters, closed quotes and balanced brackets, and
 * {@code $pods} must occur, so a query is always about the policy's own pods. The values put in are checked too
 * (DNS labels, pod names, a duration), so nothing a caller sends changes the query's shape.
 */
public record PromQlTemplate(String text) {

    public static final Set<String> PLACEHOLDERS = Set.of("cluster", "namespace", "pods", "window");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$([a-zA-Z_]+)");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern POD_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final int MAX_LENGTH = 2000;

    /** Why a template is refused: a code-like field for the API's problem, and a sentence. */
    public static final class Invalid extends IllegalArgumentException {
        public Invalid(String message) {
            super(message);
        }
    }

    public PromQlTemplate {
        check(text);
    }

    private static void check(String text) {
        if (text == null || text.isBlank()) {
            throw new Invalid("the query template is empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new Invalid("the query template is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c > 0x7e) {
                throw new Invalid("the query template holds a character PromQL does not use at position " + i);
            }
        }
        Matcher m = PLACEHOLDER.matcher(text);
        boolean pods = false;
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw new Invalid("unknown placeholder $" + m.group(1) + " (known: $cluster, $namespace, $pods, $window)");
            }
            pods |= m.group(1).equals("pods");
        }
        if (!pods) {
            throw new Invalid("the query template must select the policy's pods with $pods (e.g. pod=~\"$pods\")");
        }
        balanced(text);
    }

    /** Quotes closed (with escapes) and (), [], {} balanced outside them; comments ({@code #}) are not allowed. */
    private static void balanced(String text) {
        List<Character> open = new ArrayList<>();
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote != '`') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '"', '\'', '`' -> quote = c;
                case '(', '[', '{' -> open.add(c);
                case ')', ']', '}' -> {
                    char want = c == ')' ? '(' : c == ']' ? '[' : '{';
                    if (open.isEmpty() || open.removeLast() != want) {
                        throw new Invalid("unbalanced '" + c + "' at position " + i + " of the query template");
                    }
                }
                case '#' -> throw new Invalid("comments are not allowed in a query template (position " + i + ")");
                default -> {
                }
            }
        }
        if (quote != 0) {
            throw new Invalid("an unclosed " + quote + " in the query template");
        }
        if (!open.isEmpty()) {
            throw new Invalid("an unclosed '" + open.getLast() + "' in the query template");
        }
    }

    /** The query for these values, each checked: cluster and namespace DNS labels, pod names, a whole-second window. */
    public String render(String cluster, String namespace, List<String> pods, Duration window) {
        require(cluster != null && DNS_LABEL.matcher(cluster).matches(), "cluster", cluster);
        require(namespace != null && DNS_LABEL.matcher(namespace).matches(), "namespace", namespace);
        if (pods == null || pods.isEmpty()) {
            throw new IllegalArgumentException("no pods to query");
        }
        pods.forEach(p -> require(p != null && POD_NAME.matcher(p).matches(), "pod", p));
        return render(cluster, namespace, String.join("|", pods.stream().map(p -> p.replace(".", "\\\\.")).toList()), window);
    }

    /**
     * The query for every pod of the namespace ({@code $pods} as {@code .+}): when a tick wants most of a namespace's pods,
     * one such query is cheaper for the store than many long alternations; the caller keeps the pods it wants.
     */
    public String renderNamespace(String cluster, String namespace, Duration window) {
        require(cluster != null && DNS_LABEL.matcher(cluster).matches(), "cluster", cluster);
        require(namespace != null && DNS_LABEL.matcher(namespace).matches(), "namespace", namespace);
        return render(cluster, namespace, ".+", window);
    }

    private String render(String cluster, String namespace, String alternation, Duration window) {
        require(window != null && !window.isNegative() && !window.isZero() && window.toMillis() % 1000 == 0, "window", window);
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "cluster" -> cluster;
                case "namespace" -> namespace;
                case "pods" -> alternation;
                default -> window.toSeconds() + "s";
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void require(boolean ok, String what, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("not a valid " + what + " for a query: " + value);
        }
    }
}
