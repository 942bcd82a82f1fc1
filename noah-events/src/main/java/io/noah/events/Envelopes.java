package io.noah.events;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** CloudEvents 1.0 structured JSON, as Noah writes it. */
final class Envelopes {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String CONTENT_TYPE = "application/cloudevents+json";

    private Envelopes() {
    }

    /** The envelope with the required and Noah's extension attributes; the caller adds {@code data}. */
    static ObjectNode event(String id, String source, String type, String subject, String leader, long epoch) {
        ObjectNode e = JSON.createObjectNode();
        e.put("specversion", "1.0");
        e.put("id", id);
        e.put("source", source);
        e.put("type", type);
        if (subject != null) {
            e.put("subject", subject);
        }
        e.put("time", Instant.now().toString());
        e.put("datacontenttype", "application/json");
        e.put("noahleader", leader);
        e.put("noahepoch", epoch);
        return e;
    }

    static JsonNode tree(Object o) {
        return o == null ? null : JSON.valueToTree(o);
    }

    static byte[] bytes(JsonNode n) {
        return JSON.writeValueAsBytes(n);
    }

    static JsonNode read(byte[] b) {
        return JSON.readTree(b);
    }

    static <T> T convert(JsonNode n, Class<T> type) {
        return JSON.treeToValue(n, type);
    }
}
