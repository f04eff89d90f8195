package io.ftpnat.alg;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * One session's FIFO of commands awaiting the server's final reply (RFC 959: one per command,
 * after any 1xx), with the answers the ALG gives itself (refusals, AUTH, EPSV ALL) queued behind
 * the commands they follow, so pipelined commands are answered in order. Bounded at
 * {@link #MAX}: the session stops reading the client while it is full
 * ({@link ControlDialogue#hasRoom}) instead of letting a client fill the heap while a server stays
 * silent (issue #11, item 4).
 *
 * <p>Its own monitor: the session asks for room without taking the dialogue's lock.
 */
final class PendingReplies {
    /** Entries at most: commands awaiting replies, and answers of ours behind them. */
    static final int MAX = 64;

    private sealed interface Entry {
    }

    private record Command(String verb) implements Entry {
    }

    private record Ours(String reply) implements Entry {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();

    synchronized int size() {
        return entries.size();
    }

    synchronized boolean full() {
        return entries.size() >= MAX;
    }

    /** A command sent to the server: its final reply is awaited. */
    synchronized void expect(String verb) {
        entries.add(new Command(verb));
    }

    /** An answer of ours: at once if nothing is awaited, else behind what is. */
    synchronized void answer(String reply, Consumer<String> toClient) {
        if (entries.isEmpty()) {
            toClient.accept(reply);
        } else {
            entries.add(new Ours(reply));
        }
    }

    /** The verb of the command the next final reply will answer, or null. */
    synchronized String head() {
        return entries.peek() instanceof Command c ? c.verb() : null;
    }

    /** The command a final reply answers (its verb), or null when none was awaited. Makes room. */
    synchronized String answered() {
        Entry head = entries.poll();
        return head instanceof Command c ? c.verb() : null;
    }

    /** Sends the answers of ours that are now at the head (the command before them was answered). */
    synchronized void flushOurs(Consumer<String> toClient) {
        while (entries.peek() instanceof Ours o) {
            entries.poll();
            toClient.accept(o.reply());
        }
    }
}
