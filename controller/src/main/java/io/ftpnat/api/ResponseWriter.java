package io.ftpnat.api;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

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

    /**
     * Whether the JSON string of {@code text} is its characters themselves: printable ASCII only,
     * no quote, no backslash. Anything else (control characters, DEL, non-ASCII, lone surrogates)
     * is left to Jackson. Checked on the characters, not on encoded bytes: an encoder turns a lone
     * surrogate into a plain '?'.
     */
    static boolean needsNoEscape(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
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

        /**
         * An item that is one line of text, {@code {"item":{"line":"..."}}}, written without a tree.
         *
         * <p>A line with nothing JSON escapes (printable ASCII without {@code "} or a backslash,
         * which every conntrack-format line is) goes to the generator as its bytes: Jackson's
         * char-by-char escaping and encoding of the String was a quarter of the daemon's CPU for a
         * 100,000-entry {@code -o conntrack} list (docs/benchmarks.md, issue #14). The bytes are
         * the ones {@code writeStringField} would write; any other line is written by it.
         */
        public void line(String text) throws IOException {
            g.writeStartObject();
            g.writeObjectFieldStart("item");
            if (needsNoEscape(text)) {
                byte[] ascii = text.getBytes(StandardCharsets.ISO_8859_1); // a compact ASCII string: one array copy
                g.writeFieldName("line");
                g.writeRawUTF8String(ascii, 0, ascii.length);
            } else {
                g.writeStringField("line", text);
            }
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
