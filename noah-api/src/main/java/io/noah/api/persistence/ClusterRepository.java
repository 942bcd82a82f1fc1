package io.noah.api.persistence;

import org.springframework.data.jpa.repository.JpaRepository;

public interface ClusterRepository extends JpaRepository<ClusterEntity, String> {
}
