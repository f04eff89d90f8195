package io.ftpnat.api;

/** An error answered to a client: a stable code for programs and a message for people. */
public final class ApiError extends Exception {
    public static final String BAD_JSON = "bad_json";
    public static final String BAD_REQUEST = "bad_request";
    public static final String UNKNOWN_COMMAND = "unknown_command";
    public static final String FORBIDDEN = "forbidden";
    public static final String LINE_TOO_LONG = "line_too_long";
    public static final String UNSUPPORTED_VERSION = "unsupported_version";
    public static final String TOO_MANY_CLIENTS = "too_many_clients";
    public static final String INVALID_POLICY = "invalid_policy";
    public static final String KERNEL = "kernel";
    public static final String INTERNAL = "internal";
    public static final String NOT_FOUND = "not_found";

    private final String code;

    public ApiError(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
