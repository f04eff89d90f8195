package io.ftpnat.nativ.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A golden-byte fixture (see src/test/resources/netlink/capture.sh): what conntrack-tools sent and received. */
public record Fixture(String comment, List<byte[]> sent, List<byte[]> received) {
    public static Fixture load(String name) {
        try (InputStream in = Fixture.class.getResourceAsStream("/netlink/" + name + ".txt")) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            String comment = "";
            List<byte[]> sent = new ArrayList<>();
            List<byte[]> received = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.startsWith("# ")) {
                    comment = line.substring(2);
                } else if (line.startsWith("> ")) {
                    sent.add(HexFormat.of().parseHex(line.substring(2).trim()));
                } else if (line.startsWith("< ")) {
                    received.add(HexFormat.of().parseHex(line.substring(2).trim()));
                }
            }
            return new Fixture(comment, sent, received);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A direct, host-order buffer holding {@code bytes}, as the receive path sees them. */
    public static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(bytes.length, 1)).order(ByteOrder.nativeOrder());
        b.put(bytes).flip();
        return b;
    }

    /** The bytes with the nlmsghdr sequence number (and port id) zeroed, for comparing requests. */
    public static byte[] withoutSeq(byte[] msg) {
        byte[] out = msg.clone();
        for (int i = 8; i < 16 && i < out.length; i++) {
            out[i] = 0;
        }
        return out;
    }
}
