package io.noah.api.persistence;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

public interface ClusterRepository extends JpaRepository<ClusterEntity, String> {

    /**
     * Credentials re-encrypted under the current key (a key rotation), only if the row is still under the old one. The
     * version is left alone on purpose: the connection did not change, so no instance re-registers the cluster.
     */
    @Modifying
    @Transactional
    @Query("update ClusterEntity c set c.credentials = :credentials, c.keyId = :keyId where c.name = :name and c.keyId = :oldKeyId")
    int rekey(@Param("name") String name, @Param("credentials") byte[] credentials, @Param("keyId") String keyId,
              @Param("oldKeyId") String oldKeyId);
}
