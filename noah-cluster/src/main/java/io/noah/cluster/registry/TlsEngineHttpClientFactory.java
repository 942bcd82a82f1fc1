package io.noah.cluster.registry;

import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * fabric8's Vert.x client with the SSL engine chosen by {@link TlsEngine}: fabric8 pins the JDK engine, this swaps in
 * OpenSSL (with its session cache) for both the HTTP and the websocket client. Trust and key material stay fabric8's
 * (its trust manager and key manager, wrapped by Vert.x for either engine).
 */
final class TlsEngineHttpClientFactory extends Vertx5HttpClientFactory {

    private final TlsEngine engine;

    TlsEngineHttpClientFactory(TlsEngine engine) {
        this.engine = engine;
    }

    @Override
    protected void additionalConfig(WebClientOptions http, WebSocketClientOptions ws, PoolOptions pool) {
        if (engine == TlsEngine.OPENSSL) {
            if (http.isSsl()) {
                http.setSslEngineOptions(new OpenSSLEngineOptions().setSessionCacheEnabled(true));
            }
            if (ws.isSsl()) {
                ws.setSslEngineOptions(new OpenSSLEngineOptions().setSessionCacheEnabled(true));
            }
        }
    }
}
