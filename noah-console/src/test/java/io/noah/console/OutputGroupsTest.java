package io.noah.console;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OutputGroupsTest {

    private static ExecOutcome ok(String cluster, String pod, String out) {
        return new ExecOutcome(cluster, "ns", pod, null, ExecOutcome.Kind.SUCCESS, 0, out, "", false, null, Instant.EPOCH, 1);
    }

    @Test
    void numberedNamesFoldIntoRangesAndOthersIntoSetsPerPrefix() {
        assertThat(OutputGroups.fold(List.of("idc-a/web-0", "idc-a/web-1", "idc-a/web-2", "idc-a/web-3", "idc-a/web-7")))
                .isEqualTo("idc-a/web-[0-3,7]");
        assertThat(OutputGroups.fold(List.of("idc-a/web-7d9f-abc12", "idc-a/web-7d9f-xyz", "idc-b/web-1")))
                .isEqualTo("idc-a/web-7d9f-{abc12,xyz},idc-b/web-1");
        assertThat(OutputGroups.fold(List.of("idc-a/web-7d9f-abc12"))).isEqualTo("idc-a/web-7d9f-abc12");
        assertThat(OutputGroups.fold(List.of("a/x-01", "a/x-02"))).as("zero-padded numbers are not ranges").isEqualTo("a/x-{01,02}");
    }

    @Test
    void identicalOutcomesGroupLargestFirstWithADiffAgainstTheLargest() {
        var groups = OutputGroups.of(List.of(ok("a", "web-0", "v1\nok\n"), ok("a", "web-1", "v1\nok\n"), ok("b", "web-0", "v2\nok\n"),
                new ExecOutcome("b", "ns", "web-1", null, ExecOutcome.Kind.EXIT, 3, "", "boom\n", false, null, Instant.EPOCH, 1),
                ok("b", "web-2", "v1\nok\n")));
        assertThat(groups).extracting(OutputGroups.Group::count).containsExactly(3, 1, 1);
        assertThat(groups.getFirst().folded()).isEqualTo("a/web-[0-1],b/web-2");
        assertThat(groups.getFirst().diffAgainstLargest()).isEmpty();
        var v2 = groups.stream().filter(g -> "v2\nok\n".equals(g.stdout())).findFirst().orElseThrow();
        assertThat(v2.diffAgainstLargest()).containsExactly("-v1", "+v2");
        assertThat(groups.stream().filter(g -> g.kind() == ExecOutcome.Kind.EXIT).findFirst().orElseThrow().exitCode()).isEqualTo(3);
    }

    @Test
    void theWrappersTypedErrorsAreRecognisedOnlyWithItsExitStatus() {
        assertThat(OsUser.failure(111, "noah-exec-error:not-root: the container runs as nobody\n").failure()).isEqualTo(OsUser.Failure.NOT_ROOT);
        assertThat(OsUser.failure(1, "noah-exec-error:not-root: x\n")).isNull();
        assertThat(OsUser.failure(111, "plain failure")).isNull();
        assertThat(OsUser.command(null, List.of("id"))).containsExactly("id");
        assertThat(OsUser.command("app", List.of("id", "-un"))).startsWith("sh", "-c").endsWith("noah-exec", "app", "id", "-un");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OsUser.command("a b", List.of("id"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void oddNamesAndOutputsStayReadable() {
        assertThat(OutputGroups.fold(List.of("single", "a/web-3", "a/web-3", "a/-x", "a/x-"))).isEqualTo("a/-x,a/web-3,a/x-,single");
        assertThat(OutputGroups.fold(List.of())).isEmpty();
        assertThat(OutputGroups.diff("same", "same")).isEmpty();
        assertThat(OutputGroups.diff("", "new\n")).containsExactly("+new", "+");
        assertThat(OutputGroups.diff("a\nb\nc", "a\nc\nd")).containsExactly("-b", "+d");
        assertThat(OutputGroups.diff("x\n".repeat(2001), "y")).containsExactly("(outputs longer than 2000 lines: no diff)");
        assertThat(OutputGroups.of(List.of())).isEmpty();
    }
}
