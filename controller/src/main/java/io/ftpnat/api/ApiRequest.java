package io.ftpnat.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One request line: {@code {"v":1,"id":7,"cmd":"status","args":{...}}}. {@code id} is the
 * client's, echoed on every line of the answer; {@code args} is optional.
 */
public record ApiRequest(JsonNode id, String command, ObjectNode args, Peer peer) {
    public static final int PROTOCOL_VERSION = 1;

    /** A request from nobody in particular (tests, and commands that do not care who asks). */
    public ApiRequest(JsonNode id, String command, ObjectNode args) {
        this(id, command, args, null);
    }

    /** Whether root (uid 0) sent it: root keeps reserved capacity where others are bounded. */
    public boolean fromRoot() {
        return peer != null && peer.isRoot();
    }

    static ApiRequest from(JsonNode node, Peer peer) throws ApiError {
        if (!node.isObject()) {
            throw new ApiError(ApiError.BAD_REQUEST, "a request is a JSON object, e.g. {\"v\":1,\"cmd\":\"status\"}");
        }
        JsonNode v = node.get("v");
        if (v != null && (!v.isInt() || v.intValue() != PROTOCOL_VERSION)) {
            throw new ApiError(ApiError.UNSUPPORTED_VERSION, "protocol version " + v + " is not supported; this daemon speaks " + PROTOCOL_VERSION);
        }
        JsonNode cmd = node.get("cmd");
        if (cmd == null || !cmd.isTextual() || cmd.asText().isBlank()) {
            throw new ApiError(ApiError.BAD_REQUEST, "field 'cmd' (a string) is missing");
        }
        JsonNode args = node.get("args");
        if (args != null && !args.isObject() && !args.isNull()) {
            throw new ApiError(ApiError.BAD_REQUEST, "field 'args' must be an object");
        }
        JsonNode id = node.get("id");
        if (id != null && !(id.isTextual() || id.isIntegralNumber() || id.isNull())) {
            throw new ApiError(ApiError.BAD_REQUEST, "field 'id' must be a string or an integer");
        }
        return new ApiRequest(id, cmd.asText(), args instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode(), peer);
    }

    public String stringArg(String name) throws ApiError {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ApiError(ApiError.BAD_REQUEST, "argument '" + name + "' must be a string");
        }
        return n.asText();
    }

    public String requiredString(String name) throws ApiError {
        String s = stringArg(name);
        if (s == null) {
            throw new ApiError(ApiError.BAD_REQUEST, "argument '" + name + "' is required for " + command);
        }
        return s;
    }
}
