package io.ftpnat.nativ.netlink.nftables;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.ftpnat.nativ.netlink.Netlink;
import io.ftpnat.nativ.netlink.nltest.FakeTransport;

/** Splitting, normalising and answering nfnetlink batch datagrams (host byte order), for the tests. */
final class BatchDatagrams {
    private BatchDatagrams() {
    }

    static List<byte[]> messages(byte[] datagram) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
        int p = 0;
        while (p + Netlink.NLMSG_HDRLEN <= datagram.length) {
            int len = b.getInt(p);
            byte[] m = new byte[len];
            System.arraycopy(datagram, p, m, 0, len);
            out.add(m);
            p += Netlink.align(len);
        }
        return out;
    }

    /**
     * What may differ between nft's batch and ours, removed: sequence numbers and port ids (zeroed),
     * NLM_F_ACK (ours asks for an ACK per element message, nft polls instead), and nft's
     * NFTA_SET_ELEM_LIST_SET_ID (the id nft gives the set in its cache; the kernel finds the set by
     * name, so we do not send it). Everything else, attribute order and padding included, must be
     * equal.
     */
    static String normalised(byte[] datagram) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : messages(datagram)) {
            ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
            ByteArrayOutputStream msg = new ByteArrayOutputStream();
            msg.write(m, 0, 20);
            int p = 20;
            boolean nftables = (b.getShort(4) & 0xffff) >> 8 == NfTables.NFNL_SUBSYS_NFTABLES;
            while (p + 4 <= m.length) {
                int len = b.getShort(p) & 0xffff;
                int type = b.getShort(p + 2) & Netlink.NLA_TYPE_MASK;
                int next = Math.min(m.length, p + Netlink.align(len));
                if (!(nftables && type == NfTables.NFTA_SET_ELEM_LIST_SET_ID)) {
                    msg.write(m, p, next - p);
                }
                p = next;
            }
            byte[] n = msg.toByteArray();
            ByteBuffer nb = ByteBuffer.wrap(n).order(ByteOrder.nativeOrder());
            nb.putInt(0, n.length).putInt(8, 0).putInt(12, 0);
            nb.putShort(6, (short) (nb.getShort(6) & ~Netlink.NLM_F_ACK));
            out.write(n, 0, n.length);
        }
        return HexFormat.of().formatHex(out.toByteArray());
    }

    static int type(byte[] message) {
        return FakeTransport.Messages.type(message);
    }

    static int flags(byte[] message) {
        return FakeTransport.Messages.flags(message);
    }

    /**
     * A responder playing nfnetlink: answers every message that asked for an ACK, with
     * {@code errnoOf(index)} (index 0 = the batch begin), in order, one datagram each.
     */
    static FakeTransport kernel(java.util.function.IntUnaryOperator errnoOf) {
        return new FakeTransport(req -> {
            List<byte[]> replies = new ArrayList<>();
            List<byte[]> ms = messages(req);
            for (int i = 0; i < ms.size(); i++) {
                int errno = errnoOf.applyAsInt(i);
                if ((flags(ms.get(i)) & Netlink.NLM_F_ACK) != 0 || errno != 0) {
                    replies.add(FakeTransport.Messages.error(FakeTransport.Messages.seq(ms.get(i)), errno, ms.get(i)));
                }
            }
            return replies;
        });
    }
}
