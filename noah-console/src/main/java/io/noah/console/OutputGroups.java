package io.noah.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Outcomes grouped as {@code clush -b} / {@code dshbak -c} do: pods with the identical outcome (kind, exit code, stdout,
 * stderr, reason) form one group, largest first, their names folded ({@code idc-a/web-[0-3,7]},
 * {@code idc-a/web-7d9f-{abcde,fghij}}), each group with a line diff of its stdout against the largest group's.
 */
public final class OutputGroups {

    private static final Pattern NUMBERED = Pattern.compile("(.*[-.])(0|[1-9]\\d{0,17})");
    private static final int DIFF_MAX_LINES = 2000;

    public record Group(int count, ExecOutcome.Kind kind, Integer exitCode, String stdout, String stderr, String reason, boolean truncated,
                        String folded, List<String> targets, List<String> diffAgainstLargest) {
    }

    private OutputGroups() {
    }

    public static List<Group> of(List<ExecOutcome> outcomes) {
        Map<List<Object>, List<ExecOutcome>> by = new LinkedHashMap<>();
        for (ExecOutcome o : outcomes) {
            List<Object> key = java.util.Arrays.asList(o.kind(), o.exitCode(), o.stdout(), o.stderr(), o.reason());
            by.computeIfAbsent(key, k -> new ArrayList<>()).add(o);
        }
        List<List<ExecOutcome>> groups = new ArrayList<>(by.values());
        groups.sort(Comparator.<List<ExecOutcome>>comparingInt(List::size).reversed()
                .thenComparing(g -> g.getFirst().kind()).thenComparing(g -> g.getFirst().target()));
        List<Group> out = new ArrayList<>();
        String largest = groups.isEmpty() ? null : groups.getFirst().getFirst().stdout();
        for (List<ExecOutcome> g : groups) {
            ExecOutcome first = g.getFirst();
            List<String> targets = g.stream().map(ExecOutcome::target).sorted().toList();
            out.add(new Group(g.size(), first.kind(), first.exitCode(), first.stdout(), first.stderr(), first.reason(),
                    g.stream().anyMatch(ExecOutcome::truncated), fold(targets),
                    targets, out.isEmpty() ? List.of() : diff(largest, first.stdout())));
        }
        return out;
    }

    /**
     * Names folded per prefix: trailing numbers as ranges ({@code web-[0-3,7]}), other names sharing everything up to
     * their last '-' as a set ({@code web-7d9f-{abcde,fghij}}); a single name stays as is. Groups joined by ",".
     */
    public static String fold(List<String> names) {
        Map<String, List<Long>> numbered = new TreeMap<>();
        Map<String, List<String>> suffixed = new TreeMap<>();
        List<String> plain = new ArrayList<>();
        for (String n : names) {
            Matcher m = NUMBERED.matcher(n);
            int dash = n.lastIndexOf('-');
            if (m.matches()) {
                numbered.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Long.parseLong(m.group(2)));
            } else if (dash > 0 && dash < n.length() - 1) {
                suffixed.computeIfAbsent(n.substring(0, dash + 1), k -> new ArrayList<>()).add(n.substring(dash + 1));
            } else {
                plain.add(n);
            }
        }
        TreeMap<String, String> parts = new TreeMap<>();
        numbered.forEach((prefix, nums) -> {
            List<Long> sorted = nums.stream().distinct().sorted().toList();
            if (sorted.size() == 1) {
                parts.put(prefix + sorted.getFirst(), prefix + sorted.getFirst());
                return;
            }
            List<String> ranges = new ArrayList<>();
            long from = sorted.getFirst();
            long prev = from;
            for (int i = 1; i <= sorted.size(); i++) {
                if (i < sorted.size() && sorted.get(i) == prev + 1) {
                    prev = sorted.get(i);
                    continue;
                }
                ranges.add(from == prev ? Long.toString(from) : from + "-" + prev);
                if (i < sorted.size()) {
                    from = sorted.get(i);
                    prev = from;
                }
            }
            parts.put(prefix, prefix + "[" + String.join(",", ranges) + "]");
        });
        suffixed.forEach((prefix, rest) -> parts.put(prefix + "\uffff", rest.size() == 1 ? prefix + rest.getFirst()
                : prefix + "{" + String.join(",", rest.stream().sorted().toList()) + "}"));
        plain.forEach(n -> parts.put(n, n));
        return String.join(",", parts.values());
    }

    /** A line diff of {@code other} against {@code base}: "-" lines only in base, "+" lines only in other. */
    static List<String> diff(String base, String other) {
        if (Objects.equals(base, other)) {
            return List.of();
        }
        String[] a = lines(base);
        String[] b = lines(other);
        if (a.length > DIFF_MAX_LINES || b.length > DIFF_MAX_LINES) {
            return List.of("(outputs longer than " + DIFF_MAX_LINES + " lines: no diff)");
        }
        int[][] lcs = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                lcs[i][j] = a[i].equals(b[j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                i++;
                j++;
            } else if (i < a.length && (j == b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
                out.add("-" + a[i++]);
            } else {
                out.add("+" + b[j++]);
            }
        }
        return out;
    }

    private static String[] lines(String s) {
        return s == null || s.isEmpty() ? new String[0] : s.split("\n", -1);
    }
}
