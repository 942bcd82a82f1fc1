package io.noah.events;

/** The unit's lease may have expired locally: nothing more is published, the publisher ends. */
final class LeaseLost extends RuntimeException {
    LeaseLost() {
        super("lease lost", null, false, false);
    }
}
