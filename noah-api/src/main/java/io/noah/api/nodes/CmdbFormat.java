package io.noah.api.nodes;

import io.noah.cluster.model.NoahException;
import io.noah.cluster.ops.NodeLabelSync;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a CMDB serves, read strictly: JSON, either {@code [{"cluster": "idc-a", "node": "n1", "labels": {"rack": "r1"}}]}
 * ({@code cluster} optional: any cluster with that node) or {@code {"n1": {"rack": "r1"}}}; or CSV with a header row naming
 * {@code node}, optionally {@code cluster}, and one column per label key (an empty cell: no such label).
 */
public final class CmdbFormat {

    public static final int MAX_ENTRIES = 100_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CmdbFormat() {
    }

    private static NoahException bad(String why) {
        return NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "cmdb", "the CMDB data is not usable: " + why);
    }

    public static List<NodeLabelSync.Entry> parse(String body, String contentType) {
        String text = body == null ? "" : body.strip();
        boolean json = contentType != null ? contentType.contains("json") : text.startsWith("{") || text.startsWith("[");
        return json ? json(text) : csv(text);
    }

    static List<NodeLabelSync.Entry> json(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw bad("invalid JSON: " + e.getOriginalMessage());
        }
        List<NodeLabelSync.Entry> out = new ArrayList<>();
        if (root != null && root.isArray()) {
            for (JsonNode e : root) {
                if (!e.isObject() || !e.path("node").isString()) {
                    throw bad("each entry is an object with a string \"node\"");
                }
                JsonNode cluster = e.get("cluster");
                if (cluster != null && !cluster.isNull() && !cluster.isString()) {
                    throw bad("\"cluster\" is a string");
                }
                out.add(new NodeLabelSync.Entry(cluster == null || cluster.isNull() ? null : cluster.asString(), e.get("node").asString(),
                        labels(e.get("labels"))));
                limit(out);
            }
        } else if (root != null && root.isObject()) {
            for (var f : root.properties()) {
                out.add(new NodeLabelSync.Entry(null, f.getKey(), labels(f.getValue())));
                limit(out);
            }
        } else {
            throw bad("JSON must be an array of entries or an object of node → labels");
        }
        return out;
    }

    private static void limit(List<?> out) {
        if (out.size() > MAX_ENTRIES) {
            throw bad("more than " + MAX_ENTRIES + " entries");
        }
    }

    private static Map<String, String> labels(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return m;
        }
        if (!n.isObject()) {
            throw bad("labels are an object of key → string value");
        }
        for (var f : n.properties()) {
            if (!f.getValue().isString()) {
                throw bad("the value of label " + f.getKey() + " is not a string");
            }
            m.put(f.getKey(), f.getValue().asString());
        }
        return m;
    }

    static List<NodeLabelSync.Entry> csv(String text) {
        List<List<String>> rows = rows(text);
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> header = rows.getFirst().stream().map(String::strip).toList();
        int node = header.indexOf("node");
        int cluster = header.indexOf("cluster");
        if (node < 0) {
            throw bad("the CSV header has no \"node\" column");
        }
        List<NodeLabelSync.Entry> out = new ArrayList<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            if (row.size() == 1 && row.getFirst().isBlank()) {
                continue;
            }
            if (row.size() != header.size()) {
                throw bad("a CSV row has " + row.size() + " fields, the header " + header.size());
            }
            Map<String, String> labels = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                if (i != node && i != cluster && !row.get(i).strip().isEmpty()) {
                    labels.put(header.get(i), row.get(i).strip());
                }
            }
            String c = cluster < 0 || row.get(cluster).isBlank() ? null : row.get(cluster).strip();
            out.add(new NodeLabelSync.Entry(c, row.get(node).strip(), labels));
            limit(out);
        }
        return out;
    }

    /** RFC 4180: fields separated by commas, quoted with double quotes ("" inside is a quote), CRLF or LF rows. */
    private static List<List<String>> rows(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"' && f.isEmpty()) {
                quoted = true; // a quote opens a field only at its start; inside an unquoted field it is text
            } else if (c == ',') {
                row.add(f.toString());
                f.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(f.toString());
                f.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                f.append(c);
            }
        }
        if (quoted) {
            throw bad("an unterminated quote in the CSV");
        }
        if (!f.isEmpty() || !row.isEmpty()) {
            row.add(f.toString());
            rows.add(row);
        }
        return rows;
    }
}
