package io.ftpnat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A connection to ftpnatd's socket, speaking the newline-delimited JSON protocol of docs/api.md. */
final class ApiClient implements AutoCloseable {
    private final JsonText json = new JsonText();
    private final Path socket;
    private SocketChannel channel;
    private RawLines lines;
    private OutputStream out;
    private int nextId = 1;
    private ApiClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        use(channel);
    }

    private void use(SocketChannel ch) {
        this.channel = ch;
        this.lines = new RawLines(Channels.newInputStream(ch));
        this.out = Channels.newOutputStream(ch);
    }

    static ApiClient connect(Path socket) throws Unreachable {
        return new ApiClient(socket, open(socket));
    }

    private static SocketChannel open(Path socket) throws Unreachable {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            throw new Unreachable("cannot reach ftpnatd at " + socket + ": " + e.getMessage()
                    + " (is it running? is --socket right? are you root or in its group?)");
        }
    }

    /** Sends one command and returns its answer's result; an error answer becomes a {@link Failed}. */
    JsonNode call(String command, ObjectNode args) throws IOException, Failed, Unreachable {
        JsonNode answer = send(command, args);
        if (answer.has("stream")) {
            throw new IOException("'" + command + "' answered with a stream; expected one result");
        }
        return answer.get("result");
    }

    /** Receives the lines of a streamed answer; items are handed over raw, to be parsed only if needed. */
    interface StreamHandler {
        void item(String rawLine) throws IOException;

        void restart();
    }

    private static final String ITEM_PREFIX = "{\"item\":";
    private static final String LINE_PREFIX = "{\"item\":{\"line\":\"";

    /**
     * Sends one command whose answer is a stream, handing each item line over as it arrives.
     * Returns the count the daemon reports at the end; a stream cut short is an IOException.
     */
    long stream(String command, ObjectNode args, StreamHandler items) throws IOException, Failed, Unreachable {
        openStream(command, args);
        while (true) {
            int len = nextLine();
            String line = new String(lines.array(), lines.offset(), len, StandardCharsets.UTF_8);
            if (line.startsWith(ITEM_PREFIX)) {
                items.item(line);
                continue;
            }
            JsonNode control = json.read(line);
            if (control.has("end")) {
                return control.get("count").asLong();
            } else if (control.has("restart")) {
                items.restart();
            } else if (control.has("error")) {
                throw failed(control);
            }
        }
    }

    /** Sends the request and checks that the answer is a stream (its lines follow). */
    private void openStream(String command, ObjectNode args) throws IOException, Failed, Unreachable {
        JsonNode first = send(command, args);
        if (!first.has("stream")) {
            throw new IOException("'" + command + "' did not answer with a stream");
        }
    }

    /** The length of the stream's next line (in {@code lines}); a stream ends with its end line, never with the connection. */
    private int nextLine() throws IOException {
        int len = lines.next();
        if (len < 0) {
            throw new IOException("ftpnatd closed the connection in the middle of the answer");
        }
        return len;
    }

    /**
     * Streams a {@code format=conntrack} answer straight to {@code sink}: the text of each
     * {@code {"item":{"line":"..."}}} line is copied as bytes, never decoded into Strings, which is
     * what makes a 100,000-entry listing cost about what conntrack -L costs. Returns the count.
     */
    long streamLines(String command, ObjectNode args, OutputStream sink) throws IOException, Failed, Unreachable {
        openStream(command, args);
        byte[] prefix = LINE_PREFIX.getBytes(StandardCharsets.US_ASCII);
        while (true) {
            int len = nextLine();
            byte[] b = lines.array();
            int off = lines.offset();
            int end = off + len;
            // a line without escapes is copied as it lies in the read buffer: one pass over its bytes
            if (!lines.escaped() && len >= prefix.length + 3 && startsWith(b, off, prefix)
                    && b[end - 1] == '}' && b[end - 2] == '}' && b[end - 3] == '"') {
                sink.write(b, off + prefix.length, len - 3 - prefix.length);
                sink.write('\n');
                continue;
            }
            String line = new String(b, off, len, StandardCharsets.UTF_8);
            if (line.startsWith(ITEM_PREFIX)) {
                String text = lineOf(line, json);
                if (!text.isEmpty()) {
                    sink.write(text.getBytes(StandardCharsets.UTF_8));
                    sink.write('\n');
                }
                continue;
            }
            JsonNode control = json.read(line);
            if (control.has("end")) {
                return control.get("count").asLong();
            } else if (control.has("error")) {
                throw failed(control);
            }
            // "restart": the caller warned about duplicates when it chose this path
        }
    }

    /**
     * Streams a JSON answer's items straight to {@code sink}, one JSON object per line: the item of
     * each {@code {"item":...}} line is copied as bytes, never decoded (what {@code -o json} prints).
     * Returns the count; {@code onRestart} runs when the kernel restarted an interrupted dump.
     */
    long streamItems(String command, ObjectNode args, OutputStream sink, Runnable onRestart)
            throws IOException, Failed, Unreachable {
        openStream(command, args);
        byte[] prefix = ITEM_PREFIX.getBytes(StandardCharsets.US_ASCII);
        while (true) {
            int len = nextLine();
            byte[] b = lines.array();
            int off = lines.offset();
            if (len > prefix.length + 1 && startsWith(b, off, prefix) && b[off + len - 1] == '}') {
                sink.write(b, off + prefix.length, len - 1 - prefix.length);
                sink.write('\n');
                continue;
            }
            JsonNode control = json.read(new String(b, off, len, StandardCharsets.UTF_8));
            if (control.has("end")) {
                return control.get("count").asLong();
            } else if (control.has("restart")) {
                onRestart.run();
            } else if (control.has("error")) {
                throw failed(control);
            }
        }
    }

    private static boolean startsWith(byte[] b, int off, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Lines of bytes from a stream, without their '\n'. A line that lies whole in the read buffer is
     * handed over where it lies ({@link #array()} from {@link #offset()}), never copied; only a line
     * that straddles two reads is assembled in a second buffer. The scan for the '\n' also notes
     * whether the line holds a '\\' ({@link #escaped()}), so callers need not scan it again.
     */
    private static final class RawLines {
        private final java.io.InputStream in;
        private byte[] line = new byte[1024];
        private final byte[] buf = new byte[1 << 16];
        private int pos;
        private int limit;
        private byte[] array;
        private int offset;
        private boolean escaped;

        RawLines(java.io.InputStream in) {
            this.in = in;
        }

        /** The array holding the last line, from {@link #offset()}. */
        byte[] array() {
            return array;
        }

        int offset() {
            return offset;
        }

        /** Whether the last line holds a backslash (a JSON escape). */
        boolean escaped() {
            return escaped;
        }

        /** Reads the next line; returns its length, or -1 at the end of the stream. */
        int next() throws IOException {
            int len = 0;
            boolean backslash = false;
            while (true) {
                if (pos == limit) {
                    limit = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return -1;
                    }
                }
                int start = pos;
                int p = pos;
                byte[] b = buf;
                int end = limit;
                byte c = 0;
                while (p < end && (c = b[p]) != '\n') {
                    if (c == '\\') {
                        backslash = true;
                    }
                    p++;
                }
                pos = p;
                int n = p - start;
                if (p < end) {
                    pos++; // the '\n'
                    escaped = backslash;
                    if (len == 0) {
                        array = buf;
                        offset = start;
                        return n;
                    }
                    append(start, len, n);
                    array = line;
                    offset = 0;
                    return len + n;
                }
                append(start, len, n);
                len += n;
            }
        }

        private void append(int from, int len, int n) {
            if (len + n > line.length) {
                line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, len + n));
            }
            System.arraycopy(buf, from, line, len, n);
        }
    }

    /** The item of a raw item line, as JSON text. */
    static String itemJson(String rawLine) {
        return rawLine.substring(ITEM_PREFIX.length(), rawLine.length() - 1);
    }

    /** The text of a {"item":{"line":"..."}} line; escapes are decoded only when there are any. */
    static String lineOf(String rawLine, JsonText json) throws IOException {
        if (rawLine.startsWith(LINE_PREFIX) && rawLine.endsWith("\"}}") && rawLine.indexOf('\\') < 0) {
            return rawLine.substring(LINE_PREFIX.length(), rawLine.length() - 3);
        }
        return json.read(rawLine).path("item").path("line").asText();
    }

    ObjectNode args() {
        return JsonNodeFactory.instance.objectNode();
    }

    JsonText json() {
        return json;
    }

    /** One request line as sent on the wire (without its newline). */
    static byte[] requestBytes(JsonText json, int id, String command, ObjectNode args) throws IOException {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("v", 1);
        request.put("id", id);
        request.put("cmd", command);
        if (args != null && !args.isEmpty()) {
            request.set("args", args);
        }
        byte[] body = json.bytes(request);
        byte[] line = java.util.Arrays.copyOf(body, body.length + 1);
        line[body.length] = '\n';
        return line;
    }

    private JsonNode send(String command, ObjectNode args) throws IOException, Failed, Unreachable {
        byte[] request = requestBytes(json, nextId++, command, args);
        try {
            out.write(request);
            out.flush();
        } catch (IOException refused) {
            // The daemon may answer a peer it refuses (forbidden, too many clients) and close before
            // the request is written: its answer is still waiting to be read, and says why.
            JsonNode answer;
            try {
                answer = readAnswer();
            } catch (IOException nothing) {
                throw refused;
            }
            throw failed(answer);
        }
        return answer(readAnswer());
    }

    private static JsonNode answer(JsonNode answer) throws Failed {
        if (!answer.path("ok").asBoolean(false)) {
            throw failed(answer);
        }
        return answer;
    }

    private JsonNode readAnswer() throws IOException {
        int len = lines.next();
        if (len < 0) {
            throw new IOException("ftpnatd closed the connection before answering");
        }
        return json.read(lines.array(), lines.offset(), len);
    }

    private static Failed failed(JsonNode answer) {
        JsonNode e = answer.path("error");
        return new Failed(e.path("code").asText("error"), e.path("message").asText("(no message)"));
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    /** The daemon answered with an error. */
    static final class Failed extends Exception {
        final String code;

        Failed(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** The daemon cannot be reached. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }
}
