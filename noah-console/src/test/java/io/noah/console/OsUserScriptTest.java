package io.noah.console;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The OS-user wrapper run by this machine's own sh, as a container's shell would run it. */
class OsUserScriptTest {

    record Ran(int exit, String stdout, String stderr) {
    }

    private static Ran run(List<String> prefix, List<String> argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(argv);
        Process p = new ProcessBuilder(cmd).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new Ran(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String me() throws IOException, InterruptedException {
        return run(List.of(), List.of("id", "-un")).stdout().trim();
    }

    @Test
    void theCurrentUserRunsTheCommandAsIsAndItsArgumentsArriveUnchanged() throws Exception {
        Ran r = run(List.of(), OsUser.command(me(), List.of("printf", "%s|", "a b", "$HOME", "'; rm -rf /'")));
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("a b|$HOME|'; rm -rf /'|");
    }

    @Test
    void anUnknownUserIsATypedError() throws Exception {
        Ran r = run(List.of(), OsUser.command("no-such-user-x9", List.of("id")));
        assertThat(r.exit()).isEqualTo(OsUser.ERROR_EXIT);
        assertThat(OsUser.failure(r.exit(), r.stderr()).failure()).isEqualTo(OsUser.Failure.NO_SUCH_USER);
    }

    @Test
    void rootSwitchesUsersAndANonRootProcessGetsTheTypedError() throws Exception {
        if (me().equals("root")) {
            Ran asNobody = run(List.of(), OsUser.command("nobody", List.of("id", "-un")));
            assertThat(asNobody.exit()).as(asNobody.stderr()).isZero();
            assertThat(asNobody.stdout()).isEqualTo("nobody\n");
            // a container running as nobody cannot become root
            Ran notRoot = run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), OsUser.command("root", List.of("id")));
            assertThat(OsUser.failure(notRoot.exit(), notRoot.stderr()).failure()).isEqualTo(OsUser.Failure.NOT_ROOT);
        } else {
            Ran notRoot = run(List.of(), OsUser.command("root", List.of("id")));
            assertThat(OsUser.failure(notRoot.exit(), notRoot.stderr()).failure()).isEqualTo(OsUser.Failure.NOT_ROOT);
        }
    }
}
