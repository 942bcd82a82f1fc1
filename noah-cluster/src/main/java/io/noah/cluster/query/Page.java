package io.noah.cluster.query;

import java.util.List;

/** One page of a cross-cluster query; {@code continueToken} null on the last page. */
public record Page<T>(List<T> items, String continueToken) {
}
