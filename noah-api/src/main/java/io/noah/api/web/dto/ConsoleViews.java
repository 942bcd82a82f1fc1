package io.noah.api.web.dto;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request and response bodies of batch exec. */
public final class ConsoleViews {

    private ConsoleViews() {
    }

    /** Names that reach the Kubernetes API: checked here, so a malformed one is a 400, never a broken request URL. */
    private static final String LABEL = ClusterRequests.DNS_LABEL;
    private static final String SUBDOMAIN = ClusterRequests.DNS_SUBDOMAIN;

    @Schema(name = "ExecPodRef")
    public record PodRef(@NotBlank @Size(max = 63) @Pattern(regexp = LABEL) String cluster, @NotBlank @Size(max = 63) @Pattern(regexp = LABEL) String namespace,
                         @NotBlank @Size(max = 253) @Pattern(regexp = SUBDOMAIN) String name) {
    }

    /**
     * Which pods: an app, a Deployment (with its namespace), a label selector, or pods by name; narrowed by clusters,
     * pools, IDCs and a namespace. Only Running pods that are not terminating.
     */
    @Schema(name = "ExecTargets")
    public record Targets(@Nullable @Size(max = 100) List<@NotBlank @Size(max = 63) @Pattern(regexp = LABEL) String> clusters,
                          @Nullable @Size(max = 100) List<@NotBlank @Size(max = 63) @Pattern(regexp = LABEL) String> pools,
                          @Nullable @Size(max = 100) List<@NotBlank @Size(max = 63) @Pattern(regexp = LABEL) String> idcs,
                          @Nullable @Size(min = 1, max = 63) @Pattern(regexp = LABEL) String namespace,
                          @Nullable @Size(min = 1, max = 63) @Pattern(regexp = ReleaseRequests.LABEL_VALUE) String app,
                          @Nullable @Size(min = 1, max = 253) @Pattern(regexp = SUBDOMAIN) String deployment, @Nullable @Size(min = 1, max = 1000) String labelSelector,
                          @Nullable @Size(max = 5000) List<@NotNull @Valid PodRef> pods) {
    }

    /**
     * A batch exec. {@code command}: argv, no shell unless you name one. {@code osUser}: run as this user in the container
     * (by runuser, setpriv or su, whichever it has). {@code fanOut}: execs at once overall (default
     * {@code noah.console.default-fan-out}); {@code perCluster}: at once in one cluster (default: fanOut).
     * {@code maxTargets}: refuse (400) when the targets select more pods.
     */
    @Schema(name = "ExecJobRequest")
    public record ExecJobRequest(@NotNull @Valid Targets targets, @NotNull @Size(min = 1, max = 64) List<@NotNull @Size(max = 8192) String> command,
                                 @Nullable @Size(min = 1, max = 63) @Pattern(regexp = LABEL) String container, @Nullable @Size(min = 1, max = 32) String osUser,
                                 @Nullable @Min(1) @Max(3600) Integer timeoutSeconds, @Nullable @Min(1) @Max(1000) Integer fanOut,
                                 @Nullable @Min(1) @Max(1000) Integer perCluster, @Nullable @Min(1) @Max(5000) Integer maxTargets,
                                 @Nullable @Min(256) @Max(1048576) Integer outputCap,
                                 @NotBlank @Size(max = 1000) String reason) {
    }

    /** Pods with the identical outcome, their names folded; {@code diff}: this group's stdout against the largest group's. */
    @Schema(name = "ExecGroup")
    public record Group(int count, @Schema(allowableValues = {"success", "exit", "error", "timeout", "unknown", "cancelled", "interrupted"})
                        String outcome, @Nullable Integer exitCode, String stdout, String stderr, @Nullable String reason, boolean truncated,
                        String pods, List<String> targets, List<String> diff) {
    }

    /** One pod's outcome. */
    @Schema(name = "ExecPodOutcome")
    public record Outcome(String cluster, String namespace, String pod, @Nullable String container,
                          @Schema(allowableValues = {"success", "exit", "error", "timeout", "unknown", "cancelled", "interrupted"}) String outcome,
                          @Nullable Integer exitCode, String stdout, String stderr, boolean truncated, @Nullable String reason,
                          @Nullable Instant startedAt, long millis) {
    }

    /**
     * A batch exec job. {@code counts}: finished pods per outcome; {@code groups} (when asked for, and at the end of the
     * event stream) the results grouped; {@code peakConcurrency}: most execs that ran at once.
     */
    @Schema(name = "ExecJob")
    public record Job(String id, @Schema(allowableValues = {"running", "done", "cancelled", "interrupted"}) String state, String createdBy,
                      Instant createdAt, @Nullable Instant finishedAt, String reason, List<String> command, @Nullable String container,
                      @Nullable String osUser, long timeoutSeconds, int fanOut, int perCluster, int total, int finished,
                      Map<String, Integer> counts, int peakConcurrency, String pods, @Nullable List<Group> groups,
                      @Nullable List<Outcome> outcomes) {
    }

    /** A terminal into one container: {@code reason} is audited; {@code record}: keep an asciicast v2 recording (admins fetch it). */
    @Schema(name = "TerminalRequest")
    public record TerminalRequest(@NotBlank @Size(max = 63) @Pattern(regexp = LABEL) String cluster, @NotBlank @Size(max = 63) @Pattern(regexp = LABEL) String namespace,
                                  @NotBlank @Size(max = 253) @Pattern(regexp = SUBDOMAIN) String pod, @Nullable @Size(min = 1, max = 63) @Pattern(regexp = LABEL) String container,
                                  @Nullable @Size(min = 1, max = 32) String osUser, @Nullable Boolean record,
                                  @NotBlank @Size(max = 1000) String reason) {
    }

    /** A terminal session; {@code exit}: the shell's exit code, or "unknown" (never a made-up 0). */
    @Schema(name = "TerminalSession")
    public record Terminal(String id, String actor, String reason, String cluster, String namespace, String pod, String container,
                           @Nullable String osUser, boolean recorded, Instant createdAt, @Nullable Instant startedAt, @Nullable Instant endedAt,
                           @Nullable String exit, @Nullable String endedBy, long bytesIn, long bytesOut) {
    }

    /**
     * A created session: open {@code websocket} (relative to Noah's URL, with ws:// or wss://) before {@code ticketExpires};
     * the ticket works once.
     */
    @Schema(name = "CreatedTerminal")
    public record CreatedTerminal(Terminal session, String ticket, Instant ticketExpires, String websocket) {
    }
}
