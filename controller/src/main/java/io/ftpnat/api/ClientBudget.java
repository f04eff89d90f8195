package io.ftpnat.api;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * How many API connections may be open at once, and by whom. Everyone shares
 * {@code max - rootReserve} slots, each user id at most {@code perUser} of them; root (uid 0) may
 * also use the reserved slots, so no member of the query group can lock root out of its own
 * daemon by holding connections open.
 */
final class ClientBudget {
    private final int max;
    private final int rootReserve;
    private final int perUser;
    private final Semaphore shared;
    private final Semaphore reserved;
    private final Map<Integer, Integer> byUser = new ConcurrentHashMap<>();

    ClientBudget(int max, int rootReserve, int perUser) {
        if (rootReserve >= max) {
            throw new IllegalArgumentException("the root reserve must leave slots for others");
        }
        this.max = max;
        this.rootReserve = rootReserve;
        this.perUser = perUser;
        this.shared = new Semaphore(max - rootReserve);
        this.reserved = new Semaphore(rootReserve);
    }

    /** A slot for the peer, to be released when its connection ends; empty with the reason refused. */
    Optional<Runnable> admit(Peer peer) {
        if (peer.isRoot()) {
            if (shared.tryAcquire()) {
                return Optional.of(shared::release);
            }
            return reserved.tryAcquire() ? Optional.of(reserved::release) : Optional.empty();
        }
        int[] mine = {0};
        byUser.compute(peer.uid(), (uid, n) -> {
            mine[0] = n == null ? 0 : n;
            return mine[0] < perUser ? mine[0] + 1 : mine[0];
        });
        if (mine[0] >= perUser) {
            return Optional.empty();
        }
        if (!shared.tryAcquire()) {
            release(peer.uid());
            return Optional.empty();
        }
        return Optional.of(() -> {
            shared.release();
            release(peer.uid());
        });
    }

    /** Why {@link #admit} said no, for the refused client. */
    String refusal(Peer peer) {
        if (peer.isRoot()) {
            return "the daemon serves at most " + max + " clients at once, all in use; try again";
        }
        if (byUser.getOrDefault(peer.uid(), 0) >= perUser) {
            return "user " + peer.user() + " already has " + perUser + " connections open (the most one user may hold); close one";
        }
        return "the daemon's " + (max - rootReserve) + " client slots for users other than root are in use; try again";
    }

    private void release(int uid) {
        byUser.computeIfPresent(uid, (u, n) -> n <= 1 ? null : n - 1);
    }
}
