package io.noah.console;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command run as a chosen OS user inside a container, which Kubernetes exec cannot do by itself: the command is
 * wrapped in a POSIX shell script that switches user with whichever tool the image has ({@code runuser}, then
 * {@code setpriv}, then {@code su}) and otherwise fails with a typed error: a line {@code noah-exec-error:<code>: text}
 * on stderr and exit status {@link #ERROR_EXIT}. The user name is passed as an argument, never spliced into the
 * script, and is allow-listed ({@link #NAME}) before it gets here.
 */
public final class OsUser {

    /** What a user name must look like (POSIX portable user names). */
    public static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
    public static final int ERROR_EXIT = 111;
    private static final Pattern ERROR_LINE = Pattern.compile("(?m)^noah-exec-error:([a-z-]+): (.*)$");

    /** The typed errors the wrapper reports. */
    public enum Failure {
        NO_SUCH_USER("no-such-user"), NOT_ROOT("not-root"), NO_USER_TOOL("no-user-tool");

        public final String code;

        Failure(String code) {
            this.code = code;
        }
    }

    // $1: the user; the rest: the command. Already that user: run it as is (no root needed).
    private static final String SCRIPT = String.join("\n",
            "u=\"$1\"; shift",
            "if [ \"$(id -un 2>/dev/null)\" = \"$u\" ]; then exec \"$@\"; fi",
            "if ! id \"$u\" >/dev/null 2>&1; then echo \"noah-exec-error:no-such-user: the container has no user $u\" >&2; exit 111; fi",
            "if [ \"$(id -u)\" != 0 ]; then echo \"noah-exec-error:not-root: the container runs as $(id -un 2>/dev/null || id -u),"
                    + " not root, so it cannot switch to $u\" >&2; exit 111; fi",
            "if command -v runuser >/dev/null 2>&1; then exec runuser -u \"$u\" -- \"$@\"; fi",
            "if command -v setpriv >/dev/null 2>&1; then exec setpriv --reuid=\"$(id -u \"$u\")\" --regid=\"$(id -g \"$u\")\" --init-groups -- \"$@\"; fi",
            "if command -v su >/dev/null 2>&1; then exec su -s /bin/sh -c 'exec \"$0\" \"$@\"' \"$u\" \"$@\"; fi",
            "echo \"noah-exec-error:no-user-tool: the container has none of runuser, setpriv, su\" >&2; exit 111");

    /** A login shell for a terminal: bash when the image has it, else sh, decided in the same exec. */
    private static final String SHELL = "export TERM=xterm-256color; if command -v bash >/dev/null 2>&1; then exec bash; fi; exec sh";

    private OsUser() {
    }

    /** {@code argv} as it runs in the container: unchanged without a user, wrapped with one. */
    public static List<String> command(String user, List<String> argv) {
        if (user == null) {
            return List.copyOf(argv);
        }
        if (!NAME.matcher(user).matches()) {
            throw new IllegalArgumentException("not a user name: " + user);
        }
        List<String> out = new ArrayList<>(List.of("sh", "-c", SCRIPT, "noah-exec", user));
        out.addAll(argv);
        return out;
    }

    /** The terminal's shell (bash, else sh) as {@code user}. */
    public static List<String> shell(String user) {
        return command(user, List.of("sh", "-c", SHELL));
    }

    /** The wrapper's typed error in {@code stderr} of a command that exited with {@link #ERROR_EXIT}, if any. */
    public static Typed failure(int exit, String stderr) {
        if (exit != ERROR_EXIT || stderr == null) {
            return null;
        }
        Matcher m = ERROR_LINE.matcher(stderr);
        if (!m.find()) {
            return null;
        }
        for (Failure f : Failure.values()) {
            if (f.code.equals(m.group(1))) {
                return new Typed(f, m.group(2));
            }
        }
        return null;
    }

    public record Typed(Failure failure, String message) {
    }
}
