package io.noah.api.audit;

import io.noah.api.persistence.AuditEventEntity;
import io.noah.api.persistence.AuditEventRepository;
import org.springframework.data.domain.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** The audit trail in PostgreSQL: who did what to which target, with what outcome, when and why. */
@Service
public class AuditService {

    private final AuditEventRepository repo;
    private final Clock clock;

    public AuditService(AuditEventRepository repo, Clock clock) {
        this.repo = repo;
        this.clock = clock;
    }

    @Transactional(propagation = Propagation.REQUIRES_NEW)
    public void record(String actor, String action, String method, String target, int outcome, String reason) {
        AuditEventEntity e = new AuditEventEntity();
        e.at = clock.instant();
        e.actor = storable(actor);
        e.action = storable(action);
        e.method = method;
        e.target = storable(target);
        e.outcome = outcome;
        e.reason = reason == null || reason.isBlank() ? null : storable(reason.length() > 1000 ? reason.substring(0, 1000) : reason);
        repo.save(e);
    }

    /** PostgreSQL text cannot hold NUL: a caller's NUL must not cost the audit row (shown as U+FFFD). */
    private static String storable(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    public List<AuditEventEntity> search(String actor, String target, Instant since, int limit) {
        return repo.search(actor, target, since == null ? Instant.EPOCH : since, PageRequest.of(0, limit));
    }
}
