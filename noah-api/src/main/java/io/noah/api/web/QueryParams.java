package io.noah.api.web;

import io.noah.cluster.model.NoahException;

/**
 * Typed query parameters read strictly: Spring would take {@code limit=} as the default and {@code ready=yes} as
 * true, which the documented types (integer, boolean) do not allow. Absent means the default; anything else
 * must be what the OpenAPI says.
 */
final class QueryParams {

    private QueryParams() {
    }

    /** An integer within [min, max]; absent: {@code dflt}. Not a number: 400 invalid-parameter; out of range: 400 invalid-limit. */
    static int limit(String raw, int dflt, int min, int max) {
        if (raw == null) {
            return dflt;
        }
        int v;
        try {
            v = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw NoahException.invalid(NoahException.Reason.INVALID_PARAMETER, "limit", "limit must be an integer, got '" + raw + "'");
        }
        if (v < min || v > max) {
            throw NoahException.invalid(NoahException.Reason.INVALID_LIMIT, "limit", "limit must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    /** true or false; absent: null. */
    static Boolean bool(String name, String raw) {
        if (raw == null) {
            return null;
        }
        return switch (raw) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw NoahException.invalid(NoahException.Reason.INVALID_PARAMETER, name, name + " must be true or false, got '" + raw + "'");
        };
    }
}
