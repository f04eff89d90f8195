package io.ftpnat.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftpnat.api.ApiFuzzRig;
import io.ftpnat.api.CommandHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Campaign "api" (docs/security-fuzz.md): the bytes a client writes to the daemon's socket (JSON
 * lines, partial lines, empty and huge lines, invalid UTF-8, any split into reads) through the
 * daemon's own connection loop (ClientSession: line reader, JSON parse, request validation,
 * authorisation, dispatch) to stub commands, and its answers ({@link ApiFuzzRig}). Input:
 * {@link Segments} (each segment one read; the direction bit is ignored); configuration byte bit 0:
 * the peer is in the query group (else root).
 *
 * <p>Invariants: no exception escapes; every line the daemon writes is one JSON object, each answer
 * starting with {@code "v":1} and {@code ok}; every non-empty request line up to the first one over the limit gets exactly one
 * answer (one line with {@code ok}, or a stream: begin, items, then {@code end} or an error), in
 * order, carrying the request's {@code id} when it had one; a line over the limit gets one
 * {@code line_too_long} error and the connection ends (so the daemon never buffers more than a
 * line); nothing but answers is written.
 */
public class ApiFuzzTest {
    private static final CampaignReport REPORT = new CampaignReport();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, CommandHandler> COMMANDS = ApiFuzzRig.stubCommands(MAPPER);

    @FuzzTest
    void requests(byte[] input) {
        fuzzerTestOneInput(input);
    }

    public static void fuzzerInitialize() {
        CampaignReport.quietLogs();
    }

    public static void fuzzerTearDown() {
        REPORT.print();
    }

    public static void fuzzerTestOneInput(byte[] input) {
        Segments s = new Segments(input);
        boolean query = (s.config() & 1) != 0;
        List<byte[]> reads = new ArrayList<>();
        java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
        while (s.next()) {
            reads.add(Arrays.copyOfRange(s.data(), s.offset(), s.offset() + s.length()));
            sent.write(s.data(), s.offset(), s.length());
        }
        byte[] out = ApiFuzzRig.converse(reads, query, COMMANDS, MAPPER);
        List<JsonNode> answers = answers(out);
        List<byte[]> requests = new ArrayList<>();
        boolean tooLong = requestLines(sent.toByteArray(), requests);
        int expected = requests.size() + (tooLong ? 1 : 0);
        AlgFuzzTest.require(answers.size() == expected, expected + " answers due, " + answers.size() + " written: "
                + CampaignReport.escape(new String(out, java.nio.charset.StandardCharsets.ISO_8859_1)));
        for (int i = 0; i < requests.size(); i++) {
            JsonNode id = idOf(requests.get(i));
            JsonNode got = answers.get(i).get("id");
            AlgFuzzTest.require(id == null ? got == null : id.equals(got), "answer " + i + " carries id " + got + ", the request had " + id);
        }
        if (tooLong) {
            AlgFuzzTest.require(answers.get(expected - 1).path("error").path("code").asText().equals("line_too_long"),
                    "an overlong line answered with " + answers.get(expected - 1));
        }
        REPORT.max("answer bytes per input", out.length);
    }

    /** The request's id as the daemon echoes it: any "id" of a JSON object, none otherwise. */
    private static JsonNode idOf(byte[] line) {
        try {
            JsonNode n = MAPPER.readTree(line);
            JsonNode id = n == null ? null : n.get("id");
            return id == null || id.isNull() ? null : id;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The request lines as the daemon must see them: split at LF, empty ones skipped; true when one was over the limit. */
    private static boolean requestLines(byte[] sent, List<byte[]> into) {
        int start = 0;
        for (int i = 0; i <= sent.length; i++) {
            if (i == sent.length || sent[i] == '\n') {
                int len = i - start;
                if (len > ApiFuzzRig.MAX_LINE) {
                    return true;
                }
                if (len > 0) {
                    into.add(Arrays.copyOfRange(sent, start, i));
                }
                start = i + 1;
            }
        }
        return false;
    }

    /** Every line written, parsed and grouped into answers (the first line of each). */
    private static List<JsonNode> answers(byte[] out) {
        List<JsonNode> answers = new ArrayList<>();
        int start = 0;
        boolean inStream = false;
        for (int i = 0; i < out.length; i++) {
            if (out[i] != '\n') {
                continue;
            }
            JsonNode line;
            try {
                line = MAPPER.readTree(Arrays.copyOfRange(out, start, i));
            } catch (java.io.IOException e) {
                throw new AssertionError("the daemon wrote a line that is not JSON: " + e.getMessage());
            }
            start = i + 1;
            AlgFuzzTest.require(line != null && line.isObject(), "the daemon wrote a line that is not a JSON object: " + line);
            if (inStream) {
                if (line.has("end") || line.path("ok").isBoolean() && !line.get("ok").asBoolean()) {
                    inStream = false; // the stream is over: complete, or ended by an error
                } else {
                    AlgFuzzTest.require(line.has("item") || line.has("restart"), "inside a stream: " + line);
                }
                continue;
            }
            AlgFuzzTest.require(line.path("v").asInt() == 1 && line.path("ok").isBoolean(), "an answer without v=1 and ok: " + line);
            answers.add(line);
            inStream = line.path("stream").asText().equals("begin");
        }
        AlgFuzzTest.require(start == out.length, "the daemon wrote a partial line at the end");
        return answers;
    }
}
