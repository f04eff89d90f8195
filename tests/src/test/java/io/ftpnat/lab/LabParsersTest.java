package io.ftpnat.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab's readers of what the tools print and capture (no root needed). */
class LabParsersTest {

    @Test
    void ftpAddressesFromEveryForm() {
        assertThat(FtpAddress.parse("PORT 192,168,10,114,156,65")).isEqualTo(new FtpAddress("192.168.10.114", 156 * 256 + 65));
        assertThat(FtpAddress.parse("227 Entering Passive Mode (10,10,10,1,117,118).")).isEqualTo(new FtpAddress("10.10.10.1", 30070));
        assertThat(FtpAddress.parse("EPRT |2|fd00:0192:0000:0000:0000:0000:0000:0114|57565|"))
                .isEqualTo(new FtpAddress("fd00:192::114", 57565));
        assertThat(FtpAddress.parse("229 Entering Extended Passive Mode (|||40093|)")).isEqualTo(new FtpAddress("", 40093));
        assertThat(FtpAddress.parse("200 OK")).isNull();
        assertThat(new FtpAddress("fd00:10::2", 21).toString()).isEqualTo("[fd00:10::2]:21");
    }

    @Test
    void ipv6Compression() {
        assertThat(Pcap.compress("fd00:10:0:0:0:0:0:2")).isEqualTo("fd00:10::2");
        assertThat(Pcap.compress("fd00:192:0:0:0:0:0:114")).isEqualTo("fd00:192::114");
        assertThat(Pcap.compress("1:0:2:0:3:0:4:5")).isEqualTo("1:0:2:0:3:0:4:5");
    }

    @Test
    void conntrackLineWithNatAndHelper() {
        ConntrackEntry e = ConntrackEntry.parse("tcp      6 431999 ESTABLISHED src=10.10.10.2 dst=10.10.10.1 sport=54012 dport=21 "
                + "src=192.168.10.115 dst=192.168.10.114 sport=21 dport=54012 [ASSURED] mark=0 use=1 helper=ftp");
        assertThat(e.protocol()).isEqualTo("tcp");
        assertThat(e.state()).isEqualTo("ESTABLISHED");
        assertThat(e.original()).isEqualTo(new ConntrackEntry.Tuple("10.10.10.2", "10.10.10.1", 54012, 21));
        assertThat(e.reply()).isEqualTo(new ConntrackEntry.Tuple("192.168.10.115", "192.168.10.114", 21, 54012));
        assertThat(e.helper()).isEqualTo("ftp");
        assertThat(e.sourceNatted()).isTrue();
        assertThat(e.destinationNatted()).isTrue();
        assertThat(e.attributes()).containsKey("ASSURED");
        assertThat(ConntrackEntry.parse("tcp 6 9 CLOSE src=10.10.10.2 dst=192.168.10.115 sport=1 dport=2121 "
                + "src=192.168.10.115 dst=10.10.10.2 sport=2121 dport=1 mark=0 use=1").helper()).isNull();
    }

    @Test
    void controlDialogueRebuiltFromACapture(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("c.pcap");
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(le(24).putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1).array());
        // client → server: "PORT 10,10,10,2,1,2\r\n" split over two segments, one retransmitted
        packet(f, 1, "10.10.10.2", 40000, "192.168.10.115", 21, 100, 0x18, "PORT 10,10,");
        packet(f, 2, "10.10.10.2", 40000, "192.168.10.115", 21, 100, 0x18, "PORT 10,10,");
        packet(f, 3, "10.10.10.2", 40000, "192.168.10.115", 21, 111, 0x18, "10,2,1,2\r\n");
        packet(f, 4, "192.168.10.115", 21, "10.10.10.2", 40000, 500, 0x18, "200 PORT command successful.\r\n");
        packet(f, 5, "192.168.10.115", 20, "10.10.10.2", 258, 900, 0x02, "");
        Files.write(pcap, f.toByteArray());

        List<Pcap.Segment> segs = Pcap.read(pcap);
        assertThat(segs).hasSize(5);
        List<FtpDialogue> d = FtpDialogue.from(segs, 21);
        assertThat(d).hasSize(1);
        assertThat(d.get(0).client()).isEqualTo("10.10.10.2:40000");
        assertThat(d.get(0).commands()).containsExactly("PORT 10,10,10,2,1,2");
        assertThat(d.get(0).reply("200")).isEqualTo("200 PORT command successful.");
        assertThat(FtpDialogue.dataConnections(segs, 21)).extracting(Object::toString)
                .containsExactly("192.168.10.115:20 → 10.10.10.2:258");
    }

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    private static void packet(ByteArrayOutputStream f, int t, String src, int sport, String dst, int dport, long seq,
                               int flags, String payload) throws Exception {
        byte[] data = payload.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer p = ByteBuffer.allocate(14 + 20 + 20 + data.length);
        p.put(new byte[12]).putShort((short) 0x0800);
        p.put((byte) 0x45).put((byte) 0).putShort((short) (40 + data.length)).putInt(0).put((byte) 64).put((byte) 6).putShort((short) 0);
        p.put(java.net.InetAddress.getByName(src).getAddress()).put(java.net.InetAddress.getByName(dst).getAddress());
        p.putShort((short) sport).putShort((short) dport).putInt((int) seq).putInt(0).put((byte) 0x50).put((byte) flags)
                .putShort((short) 65535).putInt(0);
        p.put(data);
        byte[] frame = p.array();
        f.write(le(16).putInt(t).putInt(0).putInt(frame.length).putInt(frame.length).array());
        f.write(frame);
    }
}
