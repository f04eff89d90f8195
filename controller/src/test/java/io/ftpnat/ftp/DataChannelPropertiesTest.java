package io.ftpnat.ftp;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** What a rewriting ALG formats, the parser reads back; whatever a peer sends, nothing but a syntax error escapes. */
class DataChannelPropertiesTest {
    @Property(tries = 300, seed = "20261201")
    void everyFormRoundTrips(@ForAll("addresses") IpAddress a, @ForAll @IntRange(min = 0, max = 65535) int port) throws Exception {
        HostPort hp = new HostPort(a, port);
        if (hp.ipv4()) {
            assertThat(DataChannelSyntax.command(DataChannelSyntax.formatPort(hp)).orElseThrow().hostPort()).contains(hp);
            String r227 = DataChannelSyntax.format227(hp);
            assertThat(DataChannelSyntax.reply(227, r227.substring(4)).orElseThrow().hostPort()).contains(hp);
        }
        assertThat(DataChannelSyntax.command(DataChannelSyntax.formatEprt(hp)).orElseThrow().hostPort()).contains(hp);
        assertThat(DataChannelSyntax.command(DataChannelSyntax.formatLprt(hp)).orElseThrow().hostPort()).contains(hp);
        assertThat(DataChannelSyntax.reply(228, DataChannelSyntax.format228(hp).substring(4)).orElseThrow().hostPort()).contains(hp);
        assertThat(DataChannelSyntax.reply(229, DataChannelSyntax.format229(port).substring(4)).orElseThrow().port()).isEqualTo(port);
    }

    @Property(tries = 1000, seed = "20261201")
    void arbitraryLinesNeverEscapeAsAnotherException(@ForAll("lines") String line, @ForAll("codes") int code) {
        try {
            DataChannelSyntax.command(line);
        } catch (FtpSyntaxException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        try {
            DataChannelSyntax.reply(code, line);
        } catch (FtpSyntaxException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<IpAddress> addresses() {
        Arbitrary<byte[]> v4 = Arbitraries.bytes().array(byte[].class).ofSize(4);
        Arbitrary<byte[]> v6 = Arbitraries.bytes().array(byte[].class).ofSize(16);
        return Arbitraries.oneOf(v4, v6).map(b -> {
            try {
                return IpAddress.of(InetAddress.getByAddress(b));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Provide
    Arbitrary<String> lines() {
        Arbitrary<String> verb = Arbitraries.of("PORT ", "EPRT ", "LPRT ", "port ", "", "(", "|||");
        Arbitrary<String> body = Arbitraries.strings().withChars("0123456789,|.:!()abcdef -#").ofMaxLength(60);
        return Combinators.combine(verb, body).as(String::concat);
    }

    @Provide
    Arbitrary<Integer> codes() {
        return Arbitraries.of(227, 228, 229, 200, 150);
    }
}
