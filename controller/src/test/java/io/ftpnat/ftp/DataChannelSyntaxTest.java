package io.ftpnat.ftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The data-channel forms as the seed document and the RFCs write them, and as servers send them. */
class DataChannelSyntaxTest {
    @Test
    void thePortCommandOfTheSeedWalkthrough() throws Exception {
        DataChannelOffer o = DataChannelSyntax.command("PORT 10,10,10,2,178,12").orElseThrow();
        assertThat(o.form()).isEqualTo(DataChannelOffer.Form.PORT);
        assertThat(o.hostPort().orElseThrow()).hasToString("10.10.10.2:" + (178 * 256 + 12));
        assertThat(DataChannelSyntax.formatPort(o.hostPort().orElseThrow())).isEqualTo("PORT 10,10,10,2,178,12");
    }

    @Test
    void pasvRepliesAsServersWriteThem() throws Exception {
        assertThat(DataChannelSyntax.reply(227, "Entering Passive Mode (192,168,10,115,156,84).").orElseThrow().hostPort().orElseThrow())
                .hasToString("192.168.10.115:40020");
        assertThat(DataChannelSyntax.reply(227, "=192,168,10,115,156,84").orElseThrow().port()).isEqualTo(40020);
        assertThat(DataChannelSyntax.reply(227, "Passive 192, 168, 10, 115, 0, 21 ok").orElseThrow().port()).isEqualTo(21);
    }

    @Test
    void extendedFormsWithAnyDelimiter() throws Exception {
        DataChannelOffer v6 = DataChannelSyntax.command("EPRT |2|fd00:10::2|47197|").orElseThrow();
        assertThat(v6.hostPort().orElseThrow()).hasToString("[fd00:10:0:0:0:0:0:2]:47197");
        DataChannelOffer v4 = DataChannelSyntax.command("eprt !1!10.10.10.2!4000!").orElseThrow();
        assertThat(v4.hostPort().orElseThrow()).hasToString("10.10.10.2:4000");
        DataChannelOffer epsv = DataChannelSyntax.reply(229, "Entering Extended Passive Mode (|||40012|)").orElseThrow();
        assertThat(epsv.address()).isEmpty();
        assertThat(epsv.port()).isEqualTo(40012);
        assertThat(DataChannelSyntax.reply(229, "ok (###2121#)").orElseThrow().port()).isEqualTo(2121);
    }

    @Test
    void longFormsOfRfc1639() throws Exception {
        DataChannelOffer lprt = DataChannelSyntax.command("LPRT 4,4,10,10,10,2,2,178,12").orElseThrow();
        assertThat(lprt.hostPort().orElseThrow()).hasToString("10.10.10.2:45580");
        DataChannelOffer lpsv = DataChannelSyntax.reply(228, "Entering Long Passive Mode (6,16,253,0,1,146,0,0,0,0,0,0,0,0,0,0,1,21,2,156,84)")
                .orElseThrow();
        assertThat(lpsv.address().orElseThrow()).isEqualTo(IpAddress.parse("fd00:192::115"));
        assertThat(lpsv.port()).isEqualTo(40020);
    }

    @Test
    void otherLinesOfferNothing() throws Exception {
        assertThat(DataChannelSyntax.command("RETR one.bin")).isEmpty();
        assertThat(DataChannelSyntax.command("PASV")).isEmpty();
        assertThat(DataChannelSyntax.reply(226, "Transfer complete.")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"PORT 10,10,10,2,178", "PORT 10,10,10,256,1,1", "PORT a,b,c,d,e,f", "PORT 10,10,10,2,178,12,1",
            "EPRT |1|999.1.1.1|21|", "EPRT |3|10.0.0.1|21|", "EPRT |1|fd00::1|21|", "EPRT |1|10.0.0.1|70000|", "EPRT 1|10.0.0.1|21",
            "EPRT |1|example.org|21|", "LPRT 4,4,10,10,10,2,3,0,0,21", "LPRT 6,4,1,2,3,4,2,0,21", "LPRT 4,4,1,2"})
    void malformedCommandsAreRefusedSayingWhy(String line) {
        assertThatThrownBy(() -> DataChannelSyntax.command(line)).isInstanceOf(FtpSyntaxException.class).hasMessageContaining(line.substring(0, 4).toUpperCase());
    }

    @Test
    void malformedRepliesAreRefused() {
        assertThatThrownBy(() -> DataChannelSyntax.reply(227, "Entering Passive Mode")).isInstanceOf(FtpSyntaxException.class);
        assertThatThrownBy(() -> DataChannelSyntax.reply(229, "Entering Extended Passive Mode (|||x|)")).isInstanceOf(FtpSyntaxException.class);
        assertThatThrownBy(() -> DataChannelSyntax.reply(229, "no parens")).isInstanceOf(FtpSyntaxException.class);
    }
}
