package io.ftpnat.conntrack;

/** A query's filters do not parse: the API answers the client with a bad-request error carrying this message. */
public final class QueryException extends Exception {
    public QueryException(String message) {
        super(message);
    }
}
