package io.ftpnat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A connection to ftpnatd's socket, speaking the newline-delimited JSON protocol of docs/api.md. */
final class ApiClient implements AutoCloseable {
    private final ObjectMapper mapper = new ObjectMapper();
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private int nextId = 1;

    private ApiClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8), 64 * 1024);
        this.out = Channels.newOutputStream(channel);
    }

    static ApiClient connect(Path socket) throws Unreachable {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new ApiClient(ch);
        } catch (IOException e) {
            throw new Unreachable("cannot reach ftpnatd at " + socket + ": " + e.getMessage()
                    + " (is it running? is --socket right? are you root or in its group?)");
        }
    }

    /** Sends one command and returns its answer's result; an error answer becomes a {@link Failed}. */
    JsonNode call(String command, ObjectNode args) throws IOException, Failed {
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
    long stream(String command, ObjectNode args, StreamHandler items) throws IOException, Failed {
        JsonNode first = send(command, args);
        if (!first.has("stream")) {
            throw new IOException("'" + command + "' did not answer with a stream");
        }
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("ftpnatd closed the connection in the middle of the answer");
            }
            if (line.startsWith(ITEM_PREFIX)) {
                items.item(line);
                continue;
            }
            JsonNode control = mapper.readTree(line);
            if (control.has("end")) {
                return control.get("count").asLong();
            } else if (control.has("restart")) {
                items.restart();
            } else if (control.has("error")) {
                throw failed(control);
            }
        }
    }

    /** The item of a raw item line, as JSON text. */
    static String itemJson(String rawLine) {
        return rawLine.substring(ITEM_PREFIX.length(), rawLine.length() - 1);
    }

    /** The text of a {"item":{"line":"..."}} line; escapes are decoded only when there are any. */
    static String lineOf(String rawLine, ObjectMapper mapper) throws IOException {
        if (rawLine.startsWith(LINE_PREFIX) && rawLine.endsWith("\"}}") && rawLine.indexOf('\\') < 0) {
            return rawLine.substring(LINE_PREFIX.length(), rawLine.length() - 3);
        }
        return mapper.readTree(rawLine).path("item").path("line").asText();
    }

    ObjectNode args() {
        return mapper.createObjectNode();
    }

    ObjectMapper mapper() {
        return mapper;
    }

    private JsonNode send(String command, ObjectNode args) throws IOException, Failed {
        ObjectNode request = mapper.createObjectNode();
        request.put("v", 1);
        request.put("id", nextId++);
        request.put("cmd", command);
        if (args != null && !args.isEmpty()) {
            request.set("args", args);
        }
        out.write(mapper.writeValueAsBytes(request));
        out.write('\n');
        out.flush();
        JsonNode answer = readAnswer();
        if (!answer.path("ok").asBoolean(false)) {
            throw failed(answer);
        }
        return answer;
    }

    private JsonNode readAnswer() throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("ftpnatd closed the connection before answering");
        }
        return mapper.readTree(line);
    }

    private static Failed failed(JsonNode answer) {
        JsonNode e = answer.path("error");
        return new Failed(e.path("code").asText("error"), e.path("message").asText("(no message)"));
    }

    @Override
    public void close() throws IOException {
        channel.close();
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
