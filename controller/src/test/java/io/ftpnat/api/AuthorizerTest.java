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
        assertThat(auth.roleOf(new Peer(0, "root", "root"))).isEqualTo(Role.ADMIN);
        assertThat(auth.roleOf(new Peer(1003, "carol", "users"))).isEqualTo(Role.ADMIN);
        assertThat(auth.roleOf(new Peer(1001, "alice", "users"))).isEqualTo(Role.QUERY);
        assertThat(auth.roleOf(new Peer(1004, "dave", "ftpnat"))).isEqualTo(Role.QUERY);
        assertThat(auth.roleOf(new Peer(1005, "eve", "users"))).isEqualTo(Role.NONE);
        assertThat(new Authorizer(new GroupDatabase(group), null, null).roleOf(new Peer(1001, "alice", "ftpnat"))).isEqualTo(Role.NONE);
    }

    @Test
    void rootIsUidZeroWhateverItsName() throws Exception {
        Path group = dir.resolve("group");
        Files.writeString(group, "root:x:0:\nftpnat:x:990:\n");
        Authorizer auth = new Authorizer(new GroupDatabase(group), "ftpnat", null);
        assertThat(auth.roleOf(new Peer(0, "toor", "wheel"))).isEqualTo(Role.ADMIN);
        assertThat(auth.roleOf(new Peer(1000, "root", "users"))).isEqualTo(Role.NONE);
    }

    @Test
    void accountsMapNamesBackToUids() throws Exception {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n");
        Accounts accounts = new Accounts(passwd);
        assertThat(accounts.uidOf("toor")).hasValue(0);
        assertThat(accounts.uidOf("alice")).hasValue(1001);
        assertThat(accounts.uidOf("4242")).hasValue(4242); // no entry: the JDK names the peer by its uid
        assertThat(accounts.uidOf("mallory")).isEmpty();
    }

    @Test
    void othersCannotTakeRootsReservedSlots() {
        ClientBudget budget = new ClientBudget(6, 2, 3);
        Peer alice = new Peer(1001, "alice", "ftpnat");
        Peer bob = new Peer(1002, "bob", "ftpnat");
        Peer root = new Peer(0, "root", "root");
        assertThat(budget.admit(alice)).isPresent();
        assertThat(budget.admit(alice)).isPresent();
        assertThat(budget.admit(alice)).isPresent();
        assertThat(budget.admit(alice)).isEmpty(); // per user
        assertThat(budget.refusal(alice)).contains("alice already has 3");
        Runnable bobs = budget.admit(bob).orElseThrow();
        assertThat(budget.admit(bob)).isEmpty(); // the shared four are taken
        assertThat(budget.admit(root)).isPresent();
        assertThat(budget.admit(root)).isPresent();
        assertThat(budget.admit(root)).isEmpty();
        bobs.run();
        assertThat(budget.admit(bob)).isPresent();
    }
}
