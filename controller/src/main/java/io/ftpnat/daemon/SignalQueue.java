package io.ftpnat.daemon;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import sun.misc.Signal;

/**
 * Turns SIGHUP, SIGTERM and SIGINT into events the daemon's main thread takes one at a time, so a
 * reload never runs inside a signal handler or concurrently with another reload.
 */
final class SignalQueue {
    enum Event { RELOAD, STOP }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    SignalQueue() {
        // Resolved now, not in the handler: a handler that has to load a class from a jar replaced
        // since start (a package upgrade) would fail, and the signal would be lost.
        Event reload = Event.RELOAD;
        Event stop = Event.STOP;
        Signal.handle(new Signal("HUP"), s -> events.offer(reload));
        Signal.handle(new Signal("TERM"), s -> events.offer(stop));
        Signal.handle(new Signal("INT"), s -> events.offer(stop));
    }

    Event take() throws InterruptedException {
        return events.take();
    }
}
