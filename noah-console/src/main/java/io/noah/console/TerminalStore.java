package io.noah.console;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Where terminal sessions, their one-time tickets and recordings live (PostgreSQL in noah-api), shared by every instance. */
public interface TerminalStore {

    void insert(TerminalSession s, String ticketHash, Instant ticketExpires);

    /** Consumes the ticket: the session when the hash matches and it has not expired or been used; marks it started. */
    Optional<TerminalSession> redeem(String id, String ticketHash, Instant now, String instance);

    /** Sessions of {@code actor} not ended whose ticket is still redeemable or whose bridge is alive (heartbeat after {@code freshAfter}). */
    int openCount(String actor, Instant now, Instant freshAfter);

    void heartbeat(Collection<String> ids, Instant now);

    void ended(String id, Instant at, String exit, String endedBy, long bytesIn, long bytesOut, String recording);

    Optional<TerminalSession> find(String id);

    /** Sessions not ended (ticket still redeemable or bridge alive), newest first; {@code actor} null: everyone's. */
    List<TerminalSession> open(String actor, Instant now, Instant freshAfter);

    boolean requestEnd(String id);

    /** Ends a session whose ticket was never redeemed (so no instance bridges it); false when it started or ended. */
    boolean endUnstarted(String id, Instant at, String endedBy);

    /**
     * Ends what nobody will end: sessions whose ticket expired unredeemed ("ticket-expired") and bridges whose instance
     * stopped heart-beating ("instance-stopped"). Returns how many.
     */
    int closeAbandoned(Instant now, Instant staleBefore);

    /** Sessions bridged by {@code instance}, which just started and bridges none: ended ("instance-stopped"). */
    int closeOf(String instance, Instant now);

    Set<String> endRequested(Collection<String> ids);

    Optional<String> recording(String id);
}
