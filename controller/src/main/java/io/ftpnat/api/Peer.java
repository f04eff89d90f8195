package io.ftpnat.api;

/** Who is at the other end of a connection, from the kernel's SO_PEERCRED (not from the client). */
public record Peer(String user, String primaryGroup) {
    public boolean isRoot() {
        return user.equals("root");
    }
}
