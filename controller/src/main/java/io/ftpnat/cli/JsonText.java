package io.ftpnat.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON text to and from Jackson trees with jackson-core alone. ftpnatctl does not use an
 * ObjectMapper: creating the first one loads the JVM's time-zone database and locale providers
 * for date handling the CLI never does, which cost about a quarter of a status query's wall time.
 * The trees are Jackson's own nodes, so the printers are unchanged.
 */
final class JsonText {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final JsonFactory factory = new JsonFactory();

    JsonNode read(byte[] bytes, int offset, int length) throws IOException {
        try (JsonParser p = factory.createParser(bytes, offset, length)) {
            return read(p);
        }
    }

    JsonNode read(String text) throws IOException {
        try (JsonParser p = factory.createParser(text)) {
            return read(p);
        }
    }

    private static JsonNode read(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new IOException("empty JSON text");
        }
        JsonNode node = value(p, first);
        if (p.nextToken() != null) {
            throw new IOException("trailing data after a JSON value at column " + p.currentLocation().getColumnNr());
        }
        return node;
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, value(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                    a.add(value(p, v));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new IOException("unexpected JSON token " + t);
        }
    }

    /** Compact JSON, as one request line. */
    byte[] bytes(JsonNode node) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = factory.createGenerator(out)) {
            write(g, node);
        }
        return out.toByteArray();
    }

    /** Indented JSON, as ObjectMapper's default pretty printer writes it. */
    String pretty(JsonNode node) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            write(g, node);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        if (n.isObject()) {
            g.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                g.writeFieldName(f.getKey());
                write(g, f.getValue());
            }
            g.writeEndObject();
        } else if (n.isArray()) {
            g.writeStartArray();
            for (JsonNode v : n) {
                write(g, v);
            }
            g.writeEndArray();
        } else if (n.isTextual()) {
            g.writeString(n.textValue());
        } else if (n.isInt() || n.isShort()) {
            g.writeNumber(n.intValue());
        } else if (n.isLong()) {
            g.writeNumber(n.longValue());
        } else if (n.isBigInteger()) {
            g.writeNumber(n.bigIntegerValue());
        } else if (n.isBigDecimal()) {
            g.writeNumber(n.decimalValue());
        } else if (n.isNumber()) {
            g.writeNumber(n.doubleValue());
        } else if (n.isBoolean()) {
            g.writeBoolean(n.booleanValue());
        } else if (n.isNull() || n.isMissingNode()) {
            g.writeNull();
        } else {
            g.writeString(n.asText());
        }
    }
}
