package io.ftpnat.alg;

import io.ftpnat.nativ.netlink.conntrack.IpAddress;
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

    private final Map<IpAddress, Integer> perClient = new HashMap<>();
    private int total;

    /** The client a peer address counts as: itself (IPv4) or its /64 (IPv6), as a network address. */
    static IpAddress client(IpAddress peer) {
        IpAddress a = Addresses.unmapped(peer);
        return a.v6() ? IpAddress.v6(a.hi(), 0) : a;
    }

    /** Takes a place for a connection from {@code peer} if both limits allow it. */
    synchronized Refusal admit(IpAddress peer, int maxTotal, int maxPerClient) {
        IpAddress key = client(peer);
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
    synchronized void release(IpAddress peer) {
        IpAddress key = client(peer);
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

    synchronized int of(IpAddress peer) {
        return perClient.getOrDefault(client(peer), 0);
    }
}
