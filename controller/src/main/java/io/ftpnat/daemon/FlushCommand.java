package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpnat.api.SocketConfig;
import io.ftpnat.kernel.KernelRuleset;
import io.ftpnat.kernel.NftablesKernelRuleset;
import io.ftpnat.kernel.RulesetException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "flush", description = {
        "Remove ftpnatd's table in one transaction.",
        "Established connections keep their NAT; new FTP sessions are no longer helped.",
        "When a daemon runs, it removes the table itself and does not put it back (as it does after",
        "an 'nft flush ruleset') until its policy is applied again; otherwise the table is removed here."})
final class FlushCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--socket", paramLabel = "PATH", description = "The running daemon's API socket (default: /run/ftpnat/ftpnat.sock).")
    Path socket = SocketConfig.DEFAULT_PATH;

    @Override
    public Integer call() {
        common.applyLogLevel();
        // Through the daemon first: flushed behind its back, it would take the removal for the
        // nftables restart trap and apply its policy again (TableRestorer).
        Optional<JsonNode> answer = askDaemon();
        if (answer.isPresent()) {
            JsonNode a = answer.get();
            if (a.path("ok").asBoolean()) {
                JsonNode r = a.path("result");
                spec.commandLine().getOut().println(r.path("removed").asBoolean()
                        ? "table " + r.path("table").asText() + " removed by the running ftpnatd (it stays flushed until the next policy apply)"
                        : "no table " + r.path("table").asText() + ": nothing to remove (the running ftpnatd stays flushed until the next policy apply)");
                return ExitCode.OK;
            }
            spec.commandLine().getErr().println("the running ftpnatd refused: " + a.path("error").path("message").asText());
            return ExitCode.KERNEL;
        }
        try (KernelRuleset kernel = NftablesKernelRuleset.open()) {
            boolean removed = kernel.flush(common.table);
            spec.commandLine().getOut().println(removed ? "table inet " + common.table + " removed"
                    : "no table inet " + common.table + ": nothing to remove");
            return ExitCode.OK;
        } catch (RulesetException e) {
            spec.commandLine().getErr().println("cannot remove table inet " + common.table + ": " + e.getMessage());
            return ExitCode.KERNEL;
        }
    }

    /** The daemon's answer to policy.flush; empty when no daemon listens on the socket. */
    private Optional<JsonNode> askDaemon() {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("{\"v\":1,\"id\":1,\"cmd\":\"policy.flush\"}\n".getBytes(StandardCharsets.UTF_8)));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line = in.readLine();
            return line == null ? Optional.empty() : Optional.of(new ObjectMapper().readTree(line));
        } catch (IOException e) {
            return Optional.empty(); // no socket, nobody listening, or not allowed to connect: flush here
        }
    }
}
