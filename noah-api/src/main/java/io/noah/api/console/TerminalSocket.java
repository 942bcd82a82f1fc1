package io.noah.api.console;

import io.noah.console.Terminals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.handler.ConcurrentWebSocketSessionDecorator;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.util.UriComponentsBuilder;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The terminal websocket, {@code /api/v1/terminals/{id}/ws?ticket=…&cols=…&rows=…}. No bearer token (browsers cannot
 * send one): the one-time ticket authenticates, and a browser's Origin must be Noah's own or an allowed one (403 at the
 * handshake otherwise). Frames from the browser: binary, or text starting with '0', are keystrokes; text starting with
 * '1' is a resize, {@code {"cols":N,"rows":M}}. To the browser: binary frames of terminal output, and one text frame
 * {@code {"type":"end",…}} when the session ends. A wrong, used or expired ticket closes with 1008.
 */
public class TerminalSocket extends AbstractWebSocketHandler implements HandshakeInterceptor {

    private static final Logger log = LoggerFactory.getLogger(TerminalSocket.class);
    private static final Pattern PATH = Pattern.compile("/api/v1/terminals/([0-9a-f-]{36})/ws");
    private static final Pattern SIZE = Pattern.compile("\\{\\s*\"cols\"\\s*:\\s*(\\d{1,4})\\s*,\\s*\"rows\"\\s*:\\s*(\\d{1,4})\\s*}");
    private static final String BRIDGE = "noah.bridge";

    private final Terminals terminals;
    private final List<String> allowedOrigins;

    public TerminalSocket(Terminals terminals, List<String> allowedOrigins) {
        this.terminals = terminals;
        this.allowedOrigins = allowedOrigins;
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler,
                                   Map<String, Object> attributes) {
        Matcher m = PATH.matcher(request.getURI().getPath());
        if (!m.matches()) {
            response.setStatusCode(org.springframework.http.HttpStatus.NOT_FOUND);
            return false;
        }
        String origin = request.getHeaders().getOrigin();
        if (origin != null && !originAllowed(origin, request.getHeaders().getFirst("Host"))) {
            log.warn("terminal websocket refused: origin {} is not allowed", origin);
            response.setStatusCode(org.springframework.http.HttpStatus.FORBIDDEN);
            return false;
        }
        var q = UriComponentsBuilder.fromUri(request.getURI()).build().getQueryParams();
        attributes.put("id", m.group(1));
        attributes.put("ticket", q.getFirst("ticket"));
        attributes.put("cols", number(q.getFirst("cols"), 80));
        attributes.put("rows", number(q.getFirst("rows"), 24));
        return true;
    }

    private boolean originAllowed(String origin, String host) {
        if (allowedOrigins.contains(origin)) {
            return true;
        }
        try {
            URI u = URI.create(origin);
            String hostPort = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            return host != null && host.equalsIgnoreCase(hostPort);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int number(String s, int dflt) {
        try {
            int n = s == null ? dflt : Integer.parseInt(s);
            return n > 0 && n <= 1000 ? n : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler wsHandler, Exception exception) {
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession raw) throws IOException {
        WebSocketSession ws = new ConcurrentWebSocketSessionDecorator(raw, 10_000, 1 << 20);
        var attrs = raw.getAttributes();
        var bridge = terminals.attach((String) attrs.get("id"), (String) attrs.get("ticket"), new Terminals.Peer() {
            @Override
            public void output(byte[] data) throws IOException {
                ws.sendMessage(new BinaryMessage(data));
            }

            @Override
            public void event(String json) throws IOException {
                if (ws.isOpen()) {
                    ws.sendMessage(new TextMessage(json));
                }
            }

            @Override
            public void ping() throws IOException {
                ws.sendMessage(new PingMessage(ByteBuffer.wrap(new byte[]{'n'})));
            }

            @Override
            public void close(String why) {
                try {
                    ws.close(CloseStatus.NORMAL.withReason(why));
                } catch (IOException | RuntimeException ignored) {
                    // already closed
                }
            }
        }, (Integer) attrs.get("cols"), (Integer) attrs.get("rows"));
        if (bridge.isEmpty()) {
            raw.close(CloseStatus.POLICY_VIOLATION.withReason("the ticket is wrong, used or expired"));
            return;
        }
        attrs.put(BRIDGE, bridge.get());
    }

    private static Terminals.Bridge bridge(WebSocketSession s) {
        return (Terminals.Bridge) s.getAttributes().get(BRIDGE);
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        Terminals.Bridge b = bridge(session);
        String p = message.getPayload();
        if (b == null || p.isEmpty()) {
            return;
        }
        if (p.charAt(0) == '1') {
            Matcher m = SIZE.matcher(p.substring(1));
            if (m.matches()) {
                b.resize(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            }
        } else if (p.charAt(0) == '0') {
            b.input(p.substring(1).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        Terminals.Bridge b = bridge(session);
        if (b != null) {
            ByteBuffer buf = message.getPayload();
            byte[] data = new byte[buf.remaining()];
            buf.get(data);
            b.input(data);
        }
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        Terminals.Bridge b = bridge(session);
        if (b != null) {
            b.pong();
        }
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        Terminals.Bridge b = bridge(session);
        if (b != null) {
            b.peerClosed();
        }
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        Terminals.Bridge b = bridge(session);
        if (b != null) {
            b.peerClosed();
        }
    }
}
