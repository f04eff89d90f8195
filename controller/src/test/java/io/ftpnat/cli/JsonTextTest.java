package io.ftpnat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** ftpnatctl reads and writes JSON without an ObjectMapper; what it sees and prints must not change. */
class JsonTextTest {
    private static final String STATUS = "{\"v\":1,\"id\":7,\"ok\":true,\"result\":{\"version\":\"0.1.0\",\"uptime_seconds\":12,"
            + "\"big\":12345678901234,\"huge\":123456789012345678901234567890,\"ratio\":0.25,\"none\":null,"
            + "\"kernel\":{\"nat\":true,\"flowtable\":false},\"list\":[1,\"two\",[],{}],\"text\":\"a\\\"b\\u00e9\\n\"}}";
    private final JsonText json = new JsonText();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void readsWhatObjectMapperReads() throws IOException {
        byte[] bytes = ("xx" + STATUS + "yy").getBytes(StandardCharsets.UTF_8);
        JsonNode ours = json.read(bytes, 2, bytes.length - 4);
        assertThat(ours).isEqualTo(mapper.readTree(STATUS));
        assertThat(json.read(STATUS)).isEqualTo(ours);
    }

    @Test
    void writesWhatObjectMapperWrites() throws IOException {
        JsonNode tree = mapper.readTree(STATUS);
        assertThat(new String(json.bytes(tree), StandardCharsets.UTF_8)).isEqualTo(mapper.writeValueAsString(tree));
        assertThat(json.pretty(tree)).isEqualTo(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
    }

    @Test
    void refusesTextThatIsNotOneJsonValue() {
        assertThatThrownBy(() -> json.read("")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> json.read("{\"a\":1} {")).isInstanceOf(IOException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> json.read("{\"a\":")).isInstanceOf(IOException.class);
    }
}
