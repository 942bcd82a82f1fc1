package io.noah.api.console;

import io.noah.api.config.NoahProperties;
import io.noah.api.security.NoahPrincipal;
import io.noah.api.security.Role;
import io.noah.cluster.model.NoahException;
import io.noah.console.OsUser;

import java.util.List;
import java.util.Map;

/**
 * Who may run as which OS user ({@code noah.console.os-users}): per role a list of names, "*" for any. Viewers never
 * exec; a developer always runs as a named non-root user ({@code developer-user} when it names none). Checked at start.
 */
public final class OsUserPolicy {

    private final Map<String, List<String>> byRole;
    private final String developerUser;

    public OsUserPolicy(NoahProperties.Console c) {
        this.byRole = c.osUsers();
        this.developerUser = c.developerUser();
        List<String> dev = byRole.getOrDefault(Role.DEVELOPER.name(), List.of());
        if (dev.contains("*") || dev.contains("root")) {
            throw new IllegalStateException("noah.console.os-users.DEVELOPER may hold neither \"*\" nor root: developers never run as root");
        }
        byRole.values().stream().flatMap(List::stream).filter(u -> !u.equals("*") && !OsUser.NAME.matcher(u).matches()).findFirst()
                .ifPresent(u -> {
                    throw new IllegalStateException("noah.console.os-users: not a user name: " + u);
                });
        if (developerUser == null || developerUser.equals("root") || !OsUser.NAME.matcher(developerUser).matches()) {
            throw new IllegalStateException("noah.console.developer-user must be a non-root user name");
        }
    }

    /** The user the caller's command runs as (null: the container's own), or 403 {@code os-user-not-allowed}. */
    public String effective(NoahPrincipal caller, String requested) {
        if (caller.role() == Role.VIEWER) {
            throw new org.springframework.security.access.AccessDeniedException("viewers cannot exec");
        }
        if (requested != null && !OsUser.NAME.matcher(requested).matches()) {
            throw NoahException.invalid(NoahException.Reason.INVALID_ARGUMENT, "osUser", "osUser must be a POSIX user name ([a-z_][a-z0-9_-]{0,31})");
        }
        String user = requested == null && caller.role() == Role.DEVELOPER ? developerUser : requested;
        if (user == null) {
            return null;
        }
        List<String> allowed = byRole.getOrDefault(caller.role().name(), List.of());
        boolean ok = caller.role() == Role.DEVELOPER ? !user.equals("root") && (allowed.contains(user) || user.equals(developerUser))
                : allowed.contains("*") || allowed.contains(user);
        if (!ok) {
            throw new NoahException(NoahException.Reason.OS_USER_NOT_ALLOWED, "a " + caller.role().name().toLowerCase()
                    + " token may not run as OS user " + user + " (noah.console.os-users)");
        }
        return user;
    }
}
