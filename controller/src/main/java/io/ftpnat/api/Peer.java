package io.ftpnat.api;

/**
 * Who is at the other end of a connection, from the kernel's SO_PEERCRED (not from the client).
 * Root is recognised by its user id, never by the name "root".
 */
public record Peer(int uid, String user, String primaryGroup) {
    public boolean isRoot() {
        return uid == 0;
    }
}
