package io.ftpnat.api;

/** What a peer may do: nothing, query, or also change (apply a policy, delete, flush). */
public enum Role {
    NONE, QUERY, ADMIN;

    public boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }
}
