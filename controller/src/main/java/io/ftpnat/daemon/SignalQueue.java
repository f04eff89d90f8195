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
        Signal.handle(new Signal("HUP"), s -> events.offer(Event.RELOAD));
        Signal.handle(new Signal("TERM"), s -> events.offer(Event.STOP));
        Signal.handle(new Signal("INT"), s -> events.offer(Event.STOP));
    }

    Event take() throws InterruptedException {
        return events.take();
    }
}
