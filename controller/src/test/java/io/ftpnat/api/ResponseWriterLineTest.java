package io.ftpnat.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A streamed line item is written as the line's bytes when nothing in it needs escaping: the
 * answer must be byte for byte what Jackson's own string writing gives, for every kind of line —
 * conntrack's plain ASCII, and the quotes, backslashes, control characters and non-ASCII text
 * that take Jackson's path.
 */
class ResponseWriterLineTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void everyKindOfLineIsWrittenAsJacksonWouldWriteIt() throws IOException {
        String[] lines = {
            "tcp      6 431999 ESTABLISHED src=11.0.0.7 dst=10.0.0.2 sport=1000 dport=21 "
                    + "src=10.0.0.2 dst=11.0.0.7 sport=21 dport=1000 [ASSURED] mark=0 helper=ftp use=1",
            "", " ", "~", "a\"b", "a\\b", "tab\there", "nl\nx", "nul\u0000x", "del\u007fx", "latin é", "ünï",
            "cjk 漢字", "emoji \uD83D\uDE00", "lone surrogate \uD800 x", "/slash</script>",
        };
        for (String line : lines) {
            assertThat(written(line)).as("line %s", line).isEqualTo(jacksonWrites(line));
        }
    }

    @Test
    void onlyPrintableAsciiWithoutQuoteOrBackslashSkipsEscaping() {
        assertThat(ResponseWriter.needsNoEscape("src=10.0.0.1 [UNREPLIED] ~!#$%&'()*+,-./:;<=>?@[]^_`{|}"
                )).isTrue();
        for (String s : new String[] {"\"", "\\", "\u001f", "\u007f", "é", "漢", "\uD800"}) {
            assertThat(ResponseWriter.needsNoEscape(s)).as(s).isFalse();
        }
    }

    /** The daemon's answer to a stream with one line item, and its end. */
    private static String written(String line) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResponseWriter w = new ResponseWriter(MAPPER, out);
        ResponseWriter.Stream s = w.stream(new ApiRequest(IntNode.valueOf(7), "conntrack.list", JsonNodeFactory.instance.objectNode()));
        s.line(line);
        s.end();
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The same answer with the line written by Jackson's writeStringField, as before. */
    private static String jacksonWrites(String line) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8);
        g.setPrettyPrinter(new MinimalPrettyPrinter(""));
        g.writeRaw("{\"v\":1,\"id\":7,\"ok\":true,\"stream\":\"begin\"}\n");
        g.writeStartObject();
        g.writeObjectFieldStart("item");
        g.writeStringField("line", line);
        g.writeEndObject();
        g.writeEndObject();
        g.writeRaw("\n{\"v\":1,\"id\":7,\"end\":true,\"count\":1}\n");
        g.flush();
        return out.toString(StandardCharsets.UTF_8);
    }
}
