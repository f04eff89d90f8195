package io.ftpnat.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * tcpdump on one interface of one lab namespace, writing TCP to a pcap file (first 512 bytes of
 * each packet: all of an FTP control message, the head of data). Closing it stops tcpdump with
 * SIGINT so the file is complete.
 */
public final class PacketCapture implements AutoCloseable {
    private final Path file;
    private final BackgroundProcess tcpdump;

    private PacketCapture(Path file, BackgroundProcess tcpdump) {
        this.file = file;
        this.tcpdump = tcpdump;
    }

    public static PacketCapture start(NamespaceLab lab, Namespace ns, String iface, String label) {
        Path dir = lab.dir("captures");
        Path file = dir.resolve(label + ".pcap");
        BackgroundProcess p = ns.start("tcpdump " + iface, dir.resolve(label + ".tcpdump.log"),
                "tcpdump", "-i", iface, "-n", "-U", "--immediate-mode", "-s", "512", "-w", file.toString(), "tcp")
                .stopWith("INT");
        lab.own(p);
        p.awaitLine(Pattern.compile("listening on"), Duration.ofSeconds(10));
        return new PacketCapture(file, p);
    }

    public Path file() { return file; }

    /** Stops tcpdump (it flushes the file) and returns every segment it captured. */
    public List<Pcap.Segment> stop() {
        tcpdump.close();
        return Pcap.read(file);
    }

    /**
     * Stops tcpdump once the capture holds what the caller waits for (or after {@code max}) and
     * returns every segment. tcpdump stops at SIGINT without reading what the kernel still queues
     * for it, so on a loaded machine a plain {@link #stop} right after the client finished can lose
     * the last segments of a dialogue: this waits for them.
     */
    public List<Pcap.Segment> stopWhen(java.util.function.Predicate<List<Pcap.Segment>> complete, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (tcpdump.alive() && System.nanoTime() < deadline) {
            if (complete.test(Pcap.read(file))) {
                break;
            }
            BackgroundProcess.sleep(50);
        }
        return stop();
    }

    /** The segments captured so far, after the capture settles (the file stops growing, bounded). */
    public List<Pcap.Segment> segments() {
        if (!tcpdump.alive()) return Pcap.read(file);
        long last = -1;
        for (int i = 0; i < 20; i++) {
            BackgroundProcess.sleep(100);
            long size = size();
            if (size == last) break;
            last = size;
        }
        return Pcap.read(file);
    }

    /** The FTP control dialogue(s) on the given control port, as captured. */
    public List<FtpDialogue> dialogues(int controlPort) { return FtpDialogue.from(segments(), controlPort); }

    private long size() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    @Override
    public void close() { tcpdump.close(); }
}
