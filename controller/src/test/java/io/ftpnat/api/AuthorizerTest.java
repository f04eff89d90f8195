package io.ftpnat.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizerTest {
    @TempDir
    Path dir;

    @Test
    void rootAndAdminsChangeMembersQueryOthersNothing() throws Exception {
        Path group = dir.resolve("group");
        Files.writeString(group, "root:x:0:\nftpnat:x:990:alice,bob\nftpnat-admin:x:991:carol\nusers:x:100:\n");
        Authorizer auth = new Authorizer(new GroupDatabase(group), "ftpnat", "ftpnat-admin");
        assertThat(auth.roleOf(new Peer("root", "root"))).isEqualTo(Role.ADMIN);
        assertThat(auth.roleOf(new Peer("carol", "users"))).isEqualTo(Role.ADMIN);
        assertThat(auth.roleOf(new Peer("alice", "users"))).isEqualTo(Role.QUERY);
        assertThat(auth.roleOf(new Peer("dave", "ftpnat"))).isEqualTo(Role.QUERY);
        assertThat(auth.roleOf(new Peer("eve", "users"))).isEqualTo(Role.NONE);
        assertThat(new Authorizer(new GroupDatabase(group), null, null).roleOf(new Peer("alice", "ftpnat"))).isEqualTo(Role.NONE);
    }
}
