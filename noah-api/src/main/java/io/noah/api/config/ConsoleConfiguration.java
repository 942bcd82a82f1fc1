package io.noah.api.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.noah.api.console.JdbcExecJobStore;
import io.noah.api.console.OsUserPolicy;
import io.noah.cluster.health.Loops;
import io.noah.cluster.registry.ClusterRegistry;
import io.noah.console.BatchExec;
import io.noah.console.ExecJobs;
import io.noah.console.ExecTargets;
import io.noah.console.PodExec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** Wires batch exec (noah-console): the exec runner, target resolution, jobs and the OS-user policy; gauges of open execs and jobs. */
@Configuration
@org.springframework.web.socket.config.annotation.EnableWebSocket
public class ConsoleConfiguration implements org.springframework.web.socket.config.annotation.WebSocketConfigurer {

    private final org.springframework.beans.factory.ObjectProvider<io.noah.api.console.TerminalSocket> socket;

    public ConsoleConfiguration(org.springframework.beans.factory.ObjectProvider<io.noah.api.console.TerminalSocket> socket) {
        this.socket = socket;
    }

    @Override
    public void registerWebSocketHandlers(org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry registry) {
        io.noah.api.console.TerminalSocket s = socket.getObject();
        // the socket checks the Origin itself (Noah's own, or one of noah.console.terminals.allowed-origins)
        registry.addHandler(s, "/api/v1/terminals/*/ws").addInterceptors(s).setAllowedOriginPatterns("*");
    }

    @Bean(destroyMethod = "close")
    io.noah.console.Terminals terminals(ClusterRegistry registry, io.noah.api.console.JdbcTerminalStore store, PodExec exec, Clock clock,
                                        NoahProperties props, NoahConfiguration.Instance instance, Loops loops,
                                        io.noah.api.audit.AuditService audit, MeterRegistry meters) {
        var t = props.console().terminals();
        var terminals = new io.noah.console.Terminals(store, exec, clock, instance.id(),
                new io.noah.console.Terminals.Settings(t.ticketTtl(), t.idleTimeout(), t.maxDuration(), t.pingEvery(), t.pongTimeout(),
                        t.perUserCap(), t.recordingCap()), loops,
                s -> audit.record(s.actor(), "terminal-session", "WS", "/api/v1/terminals/" + s.id(), 200,
                        s.reason() + " | " + s.cluster() + "/" + s.namespace() + "/" + s.pod() + "/" + s.container()
                                + (s.osUser() == null ? "" : " as " + s.osUser()) + ", " + s.startedAt() + " to " + s.endedAt()
                                + ", ended by " + s.endedBy() + ", exit " + s.exit() + ", " + s.bytesIn() + " bytes in, " + s.bytesOut()
                                + " bytes out" + (s.recorded() ? ", recorded" : "")));
        Gauge.builder("noah.console.terminals.open", terminals, io.noah.console.Terminals::bridged)
                .description("terminal sessions bridged by this instance").register(meters);
        return terminals;
    }

    @Bean
    io.noah.api.console.TerminalSocket terminalSocket(io.noah.console.Terminals terminals, NoahProperties props) {
        return new io.noah.api.console.TerminalSocket(terminals, props.console().terminals().allowedOrigins());
    }

    @Bean
    io.noah.cluster.ops.PodExecs podExecs(ClusterRegistry registry) {
        return new io.noah.cluster.ops.PodExecs(registry);
    }

    @Bean
    PodExec podExec(io.noah.cluster.ops.PodExecs execs, Clock clock, MeterRegistry meters) {
        PodExec exec = new PodExec(execs, clock);
        Gauge.builder("noah.console.exec.open", exec, PodExec::open).description("Kubernetes exec connections open now").register(meters);
        return exec;
    }

    @Bean
    ExecTargets execTargets(ClusterRegistry registry) {
        return new ExecTargets(registry);
    }

    @Bean
    OsUserPolicy osUserPolicy(NoahProperties props) {
        return new OsUserPolicy(props.console());
    }

    @Bean(destroyMethod = "close")
    ExecJobs execJobs(JdbcExecJobStore store, ClusterRegistry registry, PodExec exec, Clock clock, NoahProperties props,
                      NoahConfiguration.Instance instance, Loops loops, MeterRegistry meters) {
        var c = props.console();
        ExecJobs jobs = new ExecJobs(store, new BatchExec(exec::run, clock), clock, instance.id(), c.flushEvery(), c.retention(), loops);
        Gauge.builder("noah.console.jobs.running", jobs, ExecJobs::running).description("batch exec jobs running on this instance").register(meters);
        return jobs;
    }
}
