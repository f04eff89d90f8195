package io.ftpnat.api;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes answers as newline-delimited JSON. A single answer is one line
 * {@code {"v":1,"id":..,"ok":true,"result":{..}}}; a stream is a line {@code "stream":"begin"}, one
 * line per item, and a closing line with {@code "end":true} and the item count, so a client can tell
 * a complete answer from a cut one and no large answer is ever built in memory.
 *
 * <p>One generator serves the whole connection and the socket is written when its buffer fills or
 * an answer is complete: a 100,000-entry stream is a few hundred writes, not 100,000.
 */
public final class ResponseWriter {
    private final ObjectMapper mapper;
    private final OutputStream out;
    private final JsonGenerator g;

    ResponseWriter(ObjectMapper mapper, OutputStream out) throws IOException {
        this.mapper = mapper;
        this.out = out;
        this.g = mapper.getFactory().createGenerator(out, JsonEncoding.UTF8);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
        g.setPrettyPrinter(new MinimalPrettyPrinter("")); // no separator between root values: we write '\n'
    }

    public void result(ApiRequest request, JsonNode result) throws IOException {
        start(request == null ? null : request.id());
        g.writeBooleanField("ok", true);
        g.writeFieldName("result");
        mapper.writeTree(g, result);
        finish(true);
    }

    public void error(JsonNode id, ApiError error) throws IOException {
        start(id);
        g.writeBooleanField("ok", false);
        g.writeObjectFieldStart("error");
        g.writeStringField("code", error.code());
        g.writeStringField("message", error.getMessage());
        g.writeEndObject();
        finish(true);
    }

    /** Starts a streamed answer; items follow through the returned stream. */
    public Stream stream(ApiRequest request) throws IOException {
        start(request.id());
        g.writeBooleanField("ok", true);
        g.writeStringField("stream", "begin");
        finish(true);
        return new Stream(request);
    }

    private void start(JsonNode id) throws IOException {
        g.writeStartObject();
        g.writeNumberField("v", ApiRequest.PROTOCOL_VERSION);
        if (id != null && !id.isNull()) {
            g.writeFieldName("id");
            mapper.writeTree(g, id);
        }
    }

    private void finish(boolean flush) throws IOException {
        g.writeEndObject();
        g.writeRaw('\n');
        if (flush) {
            g.flush();
            out.flush();
        }
    }

    /** Writes one JSON value (an item) straight to the generator, without building a tree. */
    @FunctionalInterface
    public interface ItemWriter {
        void write(JsonGenerator g) throws IOException;
    }

    /** The items of one streamed answer. */
    public final class Stream {
        private final ApiRequest request;
        private long count;

        private Stream(ApiRequest request) {
            this.request = request;
        }

        public void item(JsonNode item) throws IOException {
            g.writeStartObject();
            g.writeFieldName("item");
            mapper.writeTree(g, item);
            finish(false);
            count++;
        }

        /** An item written field by field (the same bytes as the tree it would make, less the garbage). */
        public void item(ItemWriter fields) throws IOException {
            g.writeStartObject();
            g.writeFieldName("item");
            fields.write(g);
            finish(false);
            count++;
        }

        /** An item that is one line of text, {@code {"item":{"line":"..."}}}, written without a tree. */
        public void line(String text) throws IOException {
            g.writeStartObject();
            g.writeObjectFieldStart("item");
            g.writeStringField("line", text);
            g.writeEndObject();
            finish(false);
            count++;
        }

        /** Pushes the items written so far to the client now (for live streams such as events). */
        public void flush() throws IOException {
            g.flush();
            out.flush();
        }

        /**
         * The kernel restarted an interrupted dump: the items sent so far will come again. Clients
         * that collect items drop what they have; clients that print them warn.
         */
        public void restart() throws IOException {
            start(request.id());
            g.writeBooleanField("restart", true);
            finish(true);
            count = 0;
        }

        public void end() throws IOException {
            start(request.id());
            g.writeBooleanField("end", true);
            g.writeNumberField("count", count);
            finish(true);
        }
    }
}
