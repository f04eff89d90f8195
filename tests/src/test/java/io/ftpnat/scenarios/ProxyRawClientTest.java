package io.ftpnat.scenarios;

import io.ftpnat.ruleset.TableObjects;
import static io.ftpnat.lab.Topology.ROUTER_INSIDE_V4;
import static io.ftpnat.lab.Topology.SERVER_V4;
import static org.assertj.core.api.Assertions.assertThat;

import io.ftpnat.lab.Cmd;
import io.ftpnat.lab.FtpDialogue;
import io.ftpnat.lab.FtpServer;
import io.ftpnat.lab.PacketCapture;
import io.ftpnat.lab.ProjectHome;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forms no ordinary client produces, through the ALG (proxy-lab.yaml), from a scripted raw
 * client in the client namespace (raw_ftp.py), against both servers. Each test reads: what the
 * client sent, what it got back, what reached the server (capture on s0), and the file's sha256
 * when a transfer is involved.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyRawClientTest {
    final LabPerServer labs = new LabPerServer(ProjectHome.example("proxy-lab.yaml"), 21);

    @AfterAll
    void down() { labs.close(); }

    record Seen(Cmd.Result client, List<FtpDialogue> atServer) {
        FtpDialogue server() {
            assertThat(atServer).as("one control connection at the server\n%s", this).hasSize(1);
            return atServer.get(0);
        }

        @Override
        public String toString() { return client.out() + "\n" + client.err() + "\nserver saw:\n" + atServer; }
    }

    Seen run(ReferenceLab ref, String scenario, String host, String file) {
        try (PacketCapture cap = ref.captureAtServer("raw-" + scenario + "-" + System.nanoTime())) {
            Cmd.Result r = RawClient.run(ref.lab().client(), scenario, host, 21, ref.server(), file);
            return new Seen(r, FtpDialogue.from(cap.stop(), 21));
        }
    }

    static String sha(FtpServer s, String file) { return "sha256 " + file + " " + s.file(file).sha256(); }

    /** BRIEF case 1: the PORT arrives in two TCP segments; the kernel helper stalls, the ALG reassembles. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void aPortSplitAcrossTwoSegmentsIsReassembledAndTheTransferWorks(ServerKind kind) {
        ReferenceLab ref = labs.get(kind);
        Seen s = run(ref, "split-port", SERVER_V4, "one.bin");
        assertThat(s.client().out()).as("%s", s).contains("> PORT 10,").contains(sha(ref.server(), "one.bin"));
        assertThat(s.server().command("PORT")).as("%s", s).startsWith("PORT 192,168,10,114,");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void lprtBecomesPortForTheServer(ServerKind kind) {
        ReferenceLab ref = labs.get(kind);
        Seen s = run(ref, "lprt", SERVER_V4, "two.bin");
        assertThat(s.client().out()).as("%s", s).contains("> LPRT 4,4,10,10,10,2,2,").contains(sha(ref.server(), "two.bin"));
        assertThat(s.server().command("PORT")).as("%s", s).startsWith("PORT 192,168,10,114,");
        assertThat(s.server().commands()).noneMatch(c -> c.startsWith("LPRT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void lowercaseLpsvGetsA228WithThePublishedAddress(ServerKind kind) {
        ReferenceLab ref = labs.get(kind);
        Seen s = run(ref, "lpsv", ROUTER_INSIDE_V4, "one.bin");
        assertThat(s.client().out()).as("%s", s).contains("< 228 Entering Long Passive Mode (4,4,10,10,10,1,2,")
                .contains(sha(ref.server(), "one.bin"));
        assertThat(s.server().command("PASV")).as("the server is asked what every server knows\n%s", s).isEqualTo("PASV");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void lowercasePasvIsRewritten(ServerKind kind) {
        ReferenceLab ref = labs.get(kind);
        Seen s = run(ref, "pasv-lowercase", ROUTER_INSIDE_V4, "two.bin");
        assertThat(s.client().out()).as("%s", s).contains("(10,10,10,1,").contains(sha(ref.server(), "two.bin"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void epsvAllIsAnsweredByTheAlgAndThenOnlyEpsvWorks(ServerKind kind) {
        ReferenceLab ref = labs.get(kind);
        Seen s = run(ref, "epsv-all", ROUTER_INSIDE_V4, "one.bin");
        assertThat(s.client().out()).as("%s", s).contains("< 200 EPSV ALL command successful.")
                .contains("< 501 PORT not allowed after EPSV ALL.").contains("< 229 Entering Extended Passive Mode (|||")
                .contains(sha(ref.server(), "one.bin"));
        assertThat(s.server().commands()).as("%s", s).noneMatch(c -> c.startsWith("EPSV ALL") || c.startsWith("PORT"));
    }

    /**
     * REST/RETR, NLST, LIST, MLSD, APPE and STOU through the ALG (each in its own passive channel):
     * nothing in them to rewrite, but each reply must reach the client paired with its command,
     * the resumed download must be the file's tail, and the read-only server's refusal of the
     * uploads must come through as the server gave it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void resumeListingsAndUploadsAreRelayedWithTheirReplies(ServerKind kind) throws Exception {
        ReferenceLab ref = labs.get(kind);
        Seen s = run(ref, "verbs", ROUTER_INSIDE_V4, "one.bin");
        byte[] whole = java.nio.file.Files.readAllBytes(ref.server().file("one.bin").path());
        String tail = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(java.util.Arrays.copyOfRange(whole, 1000, whole.length)));
        assertThat(s.client().out()).as("%s", s).contains("< 350 ").contains("sha256-from-1000 one.bin " + tail)
                .containsPattern("listing NLST .*one\\.bin").containsPattern("listing LIST .*one\\.bin");
        assertThat(s.server().commands()).as("%s", s).contains("REST 1000", "NLST", "LIST", "MLSD", "APPE up.bin", "STOU");
        // every command answered in turn, the read-only server's refusals included, and QUIT last
        List<String> replies = RawClient.replies(s.client());
        assertThat(replies).as("%s", s).anyMatch(r -> r.startsWith("550") || r.startsWith("553"));
        assertThat(replies.get(replies.size() - 1)).as("%s", s).startsWith("221");
        assertThat(ref.daemon().log()).doesNotContain("ERROR");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void pipelinedCommandsAreAnsweredInOrderWithTheRefusalInItsPlace(ServerKind kind) {
        ReferenceLab ref = labs.get(kind);
        Seen s = run(ref, "pipeline", SERVER_V4, "-");
        List<String> replies = RawClient.replies(s.client());
        int noop = indexOfPrefix(replies, "200");
        int refused = replies.indexOf("500 Illegal PORT command.");
        int syst = indexOfPrefix(replies, "215");
        int pwd = indexOfPrefix(replies, "257");
        assertThat(List.of(noop, refused, syst, pwd)).as("%s", s).doesNotContain(-1).isSorted();
        assertThat(noop).isGreaterThan(indexOfPrefix(replies, "230"));
        assertThat(s.server().commands()).as("%s", s).contains("NOOP", "SYST", "PWD").noneMatch(c -> c.startsWith("PORT"));
    }

    /**
     * RFC 959's abort: IAC IP, IAC DM (the DM as urgent data), ABOR. The ALG drops the two-byte
     * Telnet commands and forwards the line it parsed, a plain ABOR (it never relays raw bytes:
     * AlgSmugglingTest), so every server answers it, and the replies stay paired: the NOOP after
     * it gets its 200. (Directly, pure-ftpd answers neither the ABOR nor the NOOP after these bytes.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void aborAfterTelnetInterruptAndSynchReachesTheServerAsAPlainAbor(ServerKind kind) {
        ReferenceLab ref = labs.get(kind);
        Seen s = run(ref, "abor", ROUTER_INSIDE_V4, "one.bin");
        assertThat(s.client().out()).as("%s", s).contains(sha(ref.server(), "one.bin"));
        assertThat(s.server().commands()).as("%s", s).contains("ABOR").noneMatch(c -> c.contains("\u00ff"));
        assertThat(afterAbor(s.client())).as("the ABOR is answered\n%s", s).matches("2\\d\\d");
        assertThat(s.client().out()).as("and so is the NOOP after it\n%s", s).contains("> NOOP\n< 200");
    }

    /**
     * ABOR in the middle of a download (a 512 MiB file), through the ALG and, for comparison, from
     * the router straight to the server. How many replies the server sends depends on how far the
     * transfer had got (426 then 226, only 226, pure-ftpd's extra 150/226 lines), so the test
     * asserts what RFC 959 promises in both runs instead of comparing transcripts: the ABOR gets
     * its final reply (225 or 226), anything before it is about the aborted transfer, the NOOP
     * after it is answered 200 (late 2xx lines of the transfer may come first), the QUIT is
     * answered last, and the ALG withdrew the data channel (no element left in its map).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.ftpnat.scenarios.Matrix#servers")
    void aborDuringADownloadIsAnsweredInOrder(ServerKind kind) {
        ReferenceLab ref = labs.get(kind);
        io.ftpnat.lab.ServedFile.sparse(ref.server().root(), "huge.bin", 512L << 20);
        Cmd.Result direct = RawClient.run(ref.lab().router(), "abor-mid", SERVER_V4, 21, ref.server(), "huge.bin");
        Seen s = run(ref, "abor-mid", ROUTER_INSIDE_V4, "huge.bin");
        System.out.printf("ABOR during a download, %s: replies %s (directly: %s)%n", kind,
                RawClient.codesBetween(s.client(), "> ABOR", "> NOOP"), RawClient.codesBetween(direct, "> ABOR", "> NOOP"));
        assertAbortAnsweredInOrder(direct, "directly");
        assertAbortAnsweredInOrder(s.client(), "through the ALG\n" + s);
        String map = ref.lab().router().run("nft", "list", "map", "inet", "ftpnat", TableObjects.PROXY_DNAT4);
        assertThat(map).as("the data channel is withdrawn").contains("map proxy_dnat4").doesNotContain("elements");
    }

    private static void assertAbortAnsweredInOrder(Cmd.Result r, String what) {
        assertThat(r.out()).as("%s: the client sent RETR, ABOR, NOOP, QUIT\n%s", what, r.out())
                .contains("> RETR huge.bin\n< 150").contains("\n> ABOR\n").contains("\n> NOOP\n").contains("\n> QUIT\n");
        List<String> toAbor = RawClient.codesBetween(r, "> ABOR", "> NOOP");
        assertThat(toAbor).as("%s: the ABOR's final reply comes last, after those of the aborted RETR\n%s", what, r.out())
                .isNotEmpty().allMatch(c -> c.matches("1\\d\\d|426|451|226|225"));
        assertThat(toAbor.get(toAbor.size() - 1)).as("%s\n%s", what, r.out()).isIn("225", "226");
        List<String> toNoop = RawClient.codesBetween(r, "> NOOP", "> QUIT");
        assertThat(toNoop).as("%s: the NOOP answered 200 (a late 2xx of the transfer may come first)\n%s", what, r.out())
                .isNotEmpty().allMatch(c -> c.matches("2\\d\\d"));
        assertThat(toNoop.get(toNoop.size() - 1)).as("%s\n%s", what, r.out()).isEqualTo("200");
        List<String> all = RawClient.replies(r);
        assertThat(all.get(all.size() - 1)).as("%s: QUIT answered last\n%s", what, r.out()).startsWith("221");
    }

    /** The reply to ABOR (its code), or "none" when the server said nothing before the next command. */
    private static String afterAbor(Cmd.Result r) {
        List<String> lines = r.out().lines().toList();
        int i = lines.indexOf("> ABOR");
        assertThat(i).as("the client sent ABOR\n%s", r.out()).isNotNegative().isLessThan(lines.size() - 1);
        String next = lines.get(i + 1);
        return next.startsWith("< ") ? next.substring(2, 5) : "none";
    }

    private static int indexOfPrefix(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) return i;
        }
        return -1;
    }
}
