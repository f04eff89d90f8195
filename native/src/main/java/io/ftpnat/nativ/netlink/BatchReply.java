package io.ftpnat.nativ.netlink;

/**
 * What the kernel answered to each message of a batch sent by
 * {@link NetlinkConnection#executeBatch}: index {@code i} is the batch's {@code i}-th message
 * (0 = the batch begin). {@code errno(i) == 0} means acknowledged or not answered (a message
 * without NLM_F_ACK is answered only when it fails).
 */
public record BatchReply(int[] errnos, String[] extAcks) {
    public int errno(int index) {
        return errnos[index];
    }

    /** The kernel's extended-ack text for message {@code index}, or "" when it sent none. */
    public String extAck(int index) {
        return extAcks[index] == null ? "" : extAcks[index];
    }

    /** Index of the first message the kernel refused, or -1 when none was. */
    public int firstFailure() {
        for (int i = 0; i < errnos.length; i++) {
            if (errnos[i] != 0) {
                return i;
            }
        }
        return -1;
    }
}
