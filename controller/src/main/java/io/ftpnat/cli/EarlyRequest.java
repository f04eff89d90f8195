package io.ftpnat.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The commonest queries ({@code status}, {@code conntrack list}, {@code expect list}, unfiltered)
 * are sent to the daemon on a second thread while picocli builds its command model — which is
 * most of ftpnatctl's start-up — so the daemon is already dumping when the command runs.
 *
 * <p>Only a command line of exactly those forms is guessed. The request the command finally makes
 * is compared with the early one byte for byte ({@link ApiClient}); on any difference, or if the
 * early connection failed, it is closed unread and the command connects as it always does, so a
 * wrong guess costs time, never a wrong answer.
 */
final class EarlyRequest {
    /** What the command line asks for, as far as it can be told without picocli. */
    record Guess(Path socket, String command, ObjectNode args) {
    }

    private final Path socket;
    private final byte[] request;
    private final Thread sender;
    private volatile SocketChannel channel;

    private EarlyRequest(Path socket, byte[] request) {
        this.socket = socket;
        this.request = request;
        this.sender = new Thread(this::send, "ftpnatctl-early-request");
        sender.setDaemon(true);
    }

    /** Starts sending the guessed request, if the command line is one of the guessed forms. */
    static Optional<EarlyRequest> start(String[] args, String socketEnv) {
        return guess(args, socketEnv).map(g -> {
            try {
                EarlyRequest early = new EarlyRequest(g.socket(), ApiClient.requestBytes(new JsonText(), 1, g.command(), g.args()));
                early.sender.start();
                return early;
            } catch (IOException e) {
                return null;
            }
        });
    }

    static Optional<Guess> guess(String[] args, String socketEnv) {
        String socket = null;
        String output = null;
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--socket") || a.equals("-o") || a.equals("--output")) {
                if (i + 1 >= args.length) {
                    return Optional.empty();
                }
                String value = args[++i];
                if (a.equals("--socket")) {
                    socket = value;
                } else {
                    output = value;
                }
            } else if (a.startsWith("--socket=")) {
                socket = a.substring("--socket=".length());
            } else if (a.startsWith("--output=")) {
                output = a.substring("--output=".length());
            } else if (a.startsWith("-")) {
                return Optional.empty(); // any other option (filters, help, -o attached): picocli's alone
            } else {
                words.add(a);
            }
        }
        if (output != null && !List.of("json", "table", "conntrack").contains(output)) {
            return Optional.empty();
        }
        ObjectNode requestArgs = JsonNodeFactory.instance.objectNode();
        String command;
        if (words.equals(List.of("status"))) {
            command = "status";
        } else if (words.equals(List.of("conntrack", "list")) || words.equals(List.of("expect", "list"))) {
            command = words.get(0) + ".list";
            if ("conntrack".equals(output)) {
                requestArgs.put("format", "conntrack");
            }
        } else {
            return Optional.empty();
        }
        return Optional.of(new Guess(Ftpnatctl.socketPath(socket == null ? null : Path.of(socket), socketEnv), command, requestArgs));
    }

    private void send() {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.wrap(request);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            channel = ch;
        } catch (IOException | RuntimeException e) {
            // The command's own connection reports why, in its own words.
            closeQuietly(ch);
        }
    }

    /**
     * The connection on which exactly {@code bytes} was already sent to {@code path}, or empty
     * (and the early connection closed) if the guess was wrong or the early send failed.
     */
    Optional<SocketChannel> take(Path path, byte[] bytes) {
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        SocketChannel ch = sender.isAlive() ? null : channel;
        channel = null;
        if (ch != null && path.equals(socket) && Arrays.equals(bytes, request)) {
            return Optional.of(ch);
        }
        closeQuietly(ch);
        return Optional.empty();
    }

    /** Closes a connection that no command took. */
    void discard() {
        take(socket, new byte[0]);
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was read from it; nothing to report
            }
        }
    }
}
