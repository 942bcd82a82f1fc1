package io.noah.api.persistence;

import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

import java.time.Instant;
import java.util.List;

public interface AuditEventRepository extends JpaRepository<AuditEventEntity, Long> {

    @Query("""
            select e from AuditEventEntity e
            where (:actor is null or e.actor = :actor)
              and (:target is null or e.target like concat('%', cast(:target as string), '%'))
              and e.at >= :since
            order by e.id desc""")
    List<AuditEventEntity> search(@Param("actor") String actor, @Param("target") String target,
                                  @Param("since") Instant since, Pageable page);
}
