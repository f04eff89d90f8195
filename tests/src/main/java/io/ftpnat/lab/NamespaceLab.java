package io.ftpnat.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference topology ({@link Topology}) built from three fresh network namespaces, client,
 * router and server, joined by two veth pairs, IPv4 and IPv6, with the router forwarding and the
 * lab's own stateful firewall ({@link LabFirewall}) in the router.
 *
 * <p>Namespaces are named {@code ftpnat-<pid>-<n>-client|router|server}; nothing outside them is
 * touched. {@link #close()} stops every process the lab started (servers, daemon, captures — and
 * anything else still running inside the namespaces) and deletes the namespaces. A JVM shutdown
 * hook does the same if close() is never reached, and {@link #removeLeftovers()} (called by
 * {@link #create()}) deletes namespaces left by earlier runs whose process is gone.
 */
public final class NamespaceLab implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NamespaceLab.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    static final Pattern LAB_NS = Pattern.compile("^ftpnat-(\\d+)-(\\d+)-(client|router|server)$");

    private final String prefix;
    private final Namespace client;
    private final Namespace router;
    private final Namespace server;
    private final Path workDir;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    private final Thread shutdownHook;
    private boolean closed;

    private NamespaceLab(String prefix, Path workDir) {
        this.prefix = prefix;
        this.client = new Namespace(prefix + "-client", "client");
        this.router = new Namespace(prefix + "-router", "router");
        this.server = new Namespace(prefix + "-server", "server");
        this.workDir = workDir;
        this.shutdownHook = new Thread(this::teardown, prefix + "-teardown");
    }

    /** Builds the reference lab with the firewall admitting control connections to port 21 and 2121. */
    public static NamespaceLab create() { return create(21, 2121); }

    public static NamespaceLab create(int... firewallControlPorts) {
        removeLeftovers();
        String prefix = "ftpnat-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        Path dir;
        try {
            dir = Files.createTempDirectory(prefix + "-");
            // servers drop privileges and chroot: the tree they serve must be world-readable
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NamespaceLab lab = new NamespaceLab(prefix, dir);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.build(firewallControlPorts);
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void build(int... firewallControlPorts) {
        for (Namespace ns : List.of(client, router, server)) {
            Cmd.run("ip", "netns", "add", ns.name()).check();
            ns.run("ip", "link", "set", "lo", "up");
        }
        String c = client.name(), r = router.name(), s = server.name();
        Cmd.run("ip", "link", "add", Topology.CLIENT_IF, "netns", c, "type", "veth",
                "peer", "name", Topology.ROUTER_INSIDE_IF, "netns", r).check();
        Cmd.run("ip", "link", "add", Topology.SERVER_IF, "netns", s, "type", "veth",
                "peer", "name", Topology.ROUTER_OUTSIDE_IF, "netns", r).check();
        addr(client, Topology.CLIENT_IF, Topology.CLIENT_V4 + "/24", Topology.CLIENT_V6 + "/64");
        addr(router, Topology.ROUTER_INSIDE_IF, Topology.ROUTER_INSIDE_V4 + "/24", Topology.ROUTER_INSIDE_V6 + "/64");
        addr(router, Topology.ROUTER_OUTSIDE_IF, Topology.ROUTER_OUTSIDE_V4 + "/24", Topology.ROUTER_OUTSIDE_V6 + "/64");
        addr(server, Topology.SERVER_IF, Topology.SERVER_V4 + "/24", Topology.SERVER_V6 + "/64");
        client.run("ip", "route", "add", "default", "via", Topology.ROUTER_INSIDE_V4);
        client.run("ip", "-6", "route", "add", "default", "via", Topology.ROUTER_INSIDE_V6);
        server.run("ip", "route", "add", "default", "via", Topology.ROUTER_OUTSIDE_V4);
        server.run("ip", "-6", "route", "add", "default", "via", Topology.ROUTER_OUTSIDE_V6);
        router.run("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        LabFirewall.install(router, firewallControlPorts);
        awaitReachable();
        log.info("lab {} up: client {} / router {} / server {}", prefix, c, r, s);
    }

    private static void addr(Namespace ns, String dev, String v4, String v6) {
        ns.run("ip", "addr", "add", v4, "dev", dev);
        ns.run("ip", "addr", "add", v6, "dev", dev, "nodad");
        ns.run("ip", "link", "set", dev, "up");
    }

    /** Waits (bounded) until the client can reach the server through the router, IPv4 and IPv6. */
    private void awaitReachable() {
        for (String target : List.of(Topology.SERVER_V4, Topology.SERVER_V6)) {
            Cmd.Result last = null;
            for (int i = 0; i < 20; i++) {
                last = client.exec(Duration.ofSeconds(3), "ping", "-c", "1", "-W", "1", target);
                if (last.ok()) break;
                BackgroundProcess.sleep(100);
            }
            if (last == null || !last.ok()) throw new LabException("lab: client cannot reach " + target + ": " + last);
        }
    }

    public Namespace client() { return client; }

    public Namespace router() { return router; }

    public Namespace server() { return server; }

    public String prefix() { return prefix; }

    /** A private directory for this lab's configs, served files, logs and captures. */
    public Path workDir() { return workDir; }

    public Path dir(String name) {
        Path p = workDir.resolve(name);
        try {
            Files.createDirectories(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Hands something to the lab to be closed (in reverse order) before the namespaces go. */
    public synchronized <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    /** The kernel state of the router, through the reference tools. */
    public RouterState routerState() { return new RouterState(router); }

    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    private synchronized void teardown() {
        if (closed) return;
        closed = true;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                log.warn("lab {}: closing a resource failed: {}", prefix, e.toString());
            }
        }
        for (Namespace ns : List.of(client, router, server)) deleteNamespace(ns.name());
        deleteTree(workDir);
        log.info("lab {} torn down", prefix);
    }

    /** Kills whatever still runs inside the namespace (only ever one of ours), then deletes it. */
    static void deleteNamespace(String name) {
        Cmd.Result pids = Cmd.run(Duration.ofSeconds(5), "ip", "netns", "pids", name);
        if (pids.ok()) {
            for (String pid : pids.out().trim().split("\\s+")) {
                if (!pid.isBlank()) Cmd.run(Duration.ofSeconds(5), "kill", "-KILL", pid.trim());
            }
        }
        Cmd.run(Duration.ofSeconds(10), "ip", "netns", "del", name);
    }

    /**
     * Deletes namespaces named like ours whose owning JVM (the pid in the name) is no longer running:
     * leftovers of a crashed run. Another live run's namespaces are left alone.
     */
    public static List<String> removeLeftovers() {
        List<String> removed = new ArrayList<>();
        Cmd.Result list = Cmd.run(Duration.ofSeconds(5), "ip", "netns", "list");
        if (!list.ok()) return removed;
        for (String line : list.out().split("\n")) {
            String name = line.trim().split("\\s+")[0];
            Matcher m = LAB_NS.matcher(name);
            if (!m.matches()) continue;
            long pid = Long.parseLong(m.group(1));
            if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
            if (pid == ProcessHandle.current().pid()) continue;
            deleteNamespace(name);
            removed.add(name);
        }
        if (!removed.isEmpty()) log.warn("removed leftover lab namespaces of earlier runs: {}", removed);
        return removed;
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) return;
        if (Boolean.getBoolean("ftpnat.lab.keep")) {
            log.info("keeping lab files in {}", root);
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", root, e.toString());
        }
    }
}
