package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.api.ApiRequest;
import io.ftpnat.api.CommandHandler;
import io.ftpnat.api.ResponseWriter;
import io.ftpnat.api.Role;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code metrics}: the same text a Prometheus scrape of --metrics-listen gets, over the socket (docs/api.md). */
final class MetricsApi {
    private final DaemonMetrics metrics;

    MetricsApi(DaemonMetrics metrics) {
        this.metrics = metrics;
    }

    Map<String, CommandHandler> commands() {
        return Map.of("metrics", CommandHandler.of(Role.QUERY, this::metrics));
    }

    private void metrics(ApiRequest request, ResponseWriter response) throws IOException {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("content_type", PrometheusTextFormatWriter.CONTENT_TYPE);
        r.put("text", text(metrics));
        response.result(request, r);
    }

    /** The Prometheus text format (version 0.0.4) of every metric, as scraped now. */
    static String text(DaemonMetrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
