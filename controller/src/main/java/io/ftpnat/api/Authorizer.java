package io.ftpnat.api;

/**
 * Maps a peer to a role: root and members of the admin group may change things; members of the
 * socket's group may query. The socket file's mode (0660) already keeps others out; this check
 * holds even if someone loosens the file's permissions.
 */
public final class Authorizer {
    private final GroupDatabase groups;
    private final String queryGroup;
    private final String adminGroup;

    public Authorizer(GroupDatabase groups, String queryGroup, String adminGroup) {
        this.groups = groups;
        this.queryGroup = queryGroup;
        this.adminGroup = adminGroup;
    }

    public Role roleOf(Peer peer) {
        if (peer.isRoot() || (adminGroup != null && groups.isMember(peer.user(), peer.primaryGroup(), adminGroup))) {
            return Role.ADMIN;
        }
        if (queryGroup != null && groups.isMember(peer.user(), peer.primaryGroup(), queryGroup)) {
            return Role.QUERY;
        }
        return Role.NONE;
    }
}
