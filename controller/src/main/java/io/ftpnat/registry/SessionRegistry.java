package io.ftpnat.registry;

import io.ftpnat.alg.ProxyServer;
import io.ftpnat.conntrack.FtpSessions;
import io.ftpnat.kernel.ConntrackTables;
import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.session.SessionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one place the API reads sessions from: the kernel's FTP control connections (read afresh)
 * joined, by conntrack id, with the session model's snapshots, then the ALG's proxied sessions.
 * Typed values only; the daemon's API layer renders them.
 */
public final class SessionRegistry {
    private final ConntrackTables tables;
    private final SessionModel model;
    private final Supplier<List<ProxyServer.SessionView>> proxied;

    /** @param proxied the ALG's live sessions (none when no rule has {@code mode: proxy}) */
    public SessionRegistry(ConntrackTables tables, SessionModel model, Supplier<List<ProxyServer.SessionView>> proxied) {
        this.tables = tables;
        this.model = model;
        this.proxied = proxied;
    }

    /**
     * Every session: each FTP control connection in the kernel's tables as they are now, with the
     * model's snapshot when it has one, then the ALG's sessions, oldest first.
     */
    public List<Session> sessions() throws NetlinkException {
        List<FtpSessions.KernelSession> kernel = FtpSessions.read(tables);
        List<Session> out = new ArrayList<>(kernel.size());
        for (FtpSessions.KernelSession k : kernel) {
            String id = Long.toString(k.control().id());
            out.add(new ObservedSession(id, Optional.of(k), model.session(id)));
        }
        for (ProxyServer.SessionView p : proxied.get()) {
            out.add(new ProxiedSession(p));
        }
        return out;
    }

    /**
     * One session by id, without reading the kernel's tables: an observed session as the model knows
     * it (it keeps closed ones for a minute), or a live proxied one.
     */
    public Optional<Session> session(String id) {
        if (id.startsWith(ProxiedSession.ID_PREFIX)) {
            String n = id.substring(ProxiedSession.ID_PREFIX.length());
            return proxied.get().stream().filter(p -> Long.toString(p.id()).equals(n)).findFirst().map(ProxiedSession::new);
        }
        return model.session(id).map(s -> new ObservedSession(id, Optional.empty(), Optional.of(s)));
    }
}
