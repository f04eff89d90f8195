package io.ftpnat.daemon;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code --metrics-listen ADDR:PORT}: the Prometheus client library's HTTP exporter (the JDK's
 * com.sun.net.httpserver) serving /metrics. Off by default; the documented choice is
 * 127.0.0.1:9121. Bounded: two threads, a short queue (a scrape is a few kilobytes).
 */
final class MetricsEndpoint implements AutoCloseable {
    static final String DOCUMENTED_DEFAULT = "127.0.0.1:9121";

    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    static MetricsEndpoint start(InetSocketAddress at, DaemonMetrics metrics) throws IOException {
        ExecutorService threads = new ThreadPoolExecutor(1, 2, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(16), r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
        return new MetricsEndpoint(HTTPServer.builder().inetAddress(at.getAddress()).port(at.getPort())
                .registry(metrics.registry()).executorService(threads).buildAndStart());
    }

    int port() {
        return server.getPort();
    }

    /** ADDR:PORT, [V6ADDR]:PORT; a literal address only (no name lookup at start). */
    static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("--metrics-listen wants ADDR:PORT (e.g. " + DOCUMENTED_DEFAULT + "), not '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("--metrics-listen: write an IPv6 address in brackets, [::1]:9121");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--metrics-listen: bad port in '" + text + "'");
        }
        if (!host.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("--metrics-listen: '" + host + "' is not an IP address");
        }
        try {
            // socket edge: the listen address goes straight to the HTTP server's socket
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--metrics-listen: '" + host + "' is not an IP address");
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
