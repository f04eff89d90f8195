package io.ftpnat.alg;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/**
 * The ALG's connection budget, counted on the accept thread before anything else is spent on a
 * connection (no thread, no conntrack lookup, no connect to a server): every connection being set
 * up or served holds one place in the total and one in its client's share until it ends.
 *
 * <p>A client is an IPv4 address, or an IPv6 /64: one host on a LAN routinely holds a whole /64
 * (SLAAC, privacy addresses), so counting exact IPv6 addresses would let it take the whole budget.
 */
final class Admissions {
    /** Why a connection was not admitted. */
    enum Refusal {
        NONE, TOTAL, PER_CLIENT
    }

    private final Map<InetAddress, Integer> perClient = new HashMap<>();
    private int total;

    /** The client a peer address counts as: itself (IPv4) or its /64 (IPv6), as a network address. */
    static InetAddress client(InetAddress peer) {
        InetAddress a = Addresses.unmapped(peer);
        if (a instanceof Inet4Address) {
            return a;
        }
        byte[] b = a.getAddress();
        for (int i = 8; i < 16; i++) {
            b[i] = 0;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes a place for a connection from {@code peer} if both limits allow it. */
    synchronized Refusal admit(InetAddress peer, int maxTotal, int maxPerClient) {
        InetAddress key = client(peer);
        if (total >= maxTotal) {
            return Refusal.TOTAL;
        }
        int mine = perClient.getOrDefault(key, 0);
        if (mine >= maxPerClient) {
            return Refusal.PER_CLIENT;
        }
        perClient.put(key, mine + 1);
        total++;
        return Refusal.NONE;
    }

    /** Gives back the place of a connection from {@code peer} (it ended, or its setup failed). */
    synchronized void release(InetAddress peer) {
        InetAddress key = client(peer);
        Integer mine = perClient.get(key);
        if (mine == null) {
            return;
        }
        if (mine <= 1) {
            perClient.remove(key);
        } else {
            perClient.put(key, mine - 1);
        }
        total--;
    }

    synchronized int total() {
        return total;
    }

    synchronized int of(InetAddress peer) {
        return perClient.getOrDefault(client(peer), 0);
    }
}
