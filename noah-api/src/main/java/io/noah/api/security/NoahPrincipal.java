package io.noah.api.security;

import java.util.Set;

/** The caller: a token's name, role and (for developers) apps. */
public record NoahPrincipal(String name, Role role, Set<String> apps) {

    public boolean mayActOnApp(String app) {
        return role == Role.ADMIN || role == Role.OPS || (role == Role.DEVELOPER && app != null && apps.contains(app));
    }

    /** 403 unless {@link #mayActOnApp}: a developer token acts only on its own apps. */
    public void requireApp(String app) {
        if (!mayActOnApp(app)) {
            throw new org.springframework.security.access.AccessDeniedException("a developer token may act only on its apps");
        }
    }
}
