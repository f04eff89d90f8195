package io.ftpnat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** 'ftpnatctl session show proxy-N' as text: the session as 'proxy sessions' shows it, and its pending channel. */
class SessionShowTest {
    @Test
    void aProxiedSessionPrintsItsEndpointsAndItsChannel() throws Exception {
        JsonNode s = new ObjectMapper().readTree("""
                {"mode":"proxy","id":"proxy-3","proxy":{"id":3,"rule":"lan","client":"10.10.10.2:40000",
                 "client_view":"192.168.10.115","server":"192.168.10.115:21","router":"192.168.10.114:33333",
                 "started":"2026-12-01T12:00:00Z","logged_in":true,"commands":4,"channels_opened":1,"refused_commands":0,
                 "last_activity":"2026-12-01T12:00:01Z","decisions":{"last":"masked the greeting"}},
                 "data_channels":[{"number":9,"mode":"passive","by":"nft map element","state":"expected",
                 "client":"192.168.10.115:50001","server":"192.168.10.115:40000","path":"kernel",
                 "match":"10.10.10.2 -> 192.168.10.115:50001","to":"192.168.10.115:40000","from":"192.168.10.114"}]}
                """);
        StringWriter out = new StringWriter();
        SessionCommands.SessionShow.print(s, new PrintWriter(out, true));

        assertThat(out.toString())
                .contains("session proxy-3  rule lan  (mode proxy)")
                .contains("client 10.10.10.2:40000 -> 192.168.10.115; to the server 192.168.10.115:21 from 192.168.10.114:33333")
                .contains("last decision: masked the greeting")
                .contains("channel 9  passive  (by nft map element)  expected")
                .contains("client sees 192.168.10.115:50001, server sees 192.168.10.115:40000")
                .contains("10.10.10.2 -> 192.168.10.115:50001 => 192.168.10.115:40000 from 192.168.10.114 (kernel)");
    }
}
