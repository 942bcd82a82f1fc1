package io.noah.api.security;

/**
 * What a token may do. viewer: read. developer: read, and act on its own apps. ops: read, operate
 * clusters and workloads, read the audit trail. admin: everything, including tokens.
 */
public enum Role {
    ADMIN, OPS, DEVELOPER, VIEWER;

    public String authority() {
        return "ROLE_" + name();
    }
}
