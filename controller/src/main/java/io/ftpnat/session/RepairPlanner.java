package io.ftpnat.session;

import io.ftpnat.ftp.DataChannelOffer;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Direction;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.ExpectationNat;
import io.ftpnat.nativ.netlink.conntrack.IpAddress;
import io.ftpnat.nativ.netlink.conntrack.Status;
import io.ftpnat.nativ.netlink.conntrack.Tuple;

/**
 * Decides, for one negotiation on one control connection, which expectation the data connection
 * needs and whether the kernel helper creates it (nf_conntrack_ftp's rules, kernel 6.18): it
 * records PORT/EPRT only when they name the client's own address, 227 only when it names the
 * server's, 229 always, LPRT/228 never. The expectation the daemon creates in its place is the one
 * nf_nat_ftp would have made: scoped to the master, to the master's own peer (nat-follow-master
 * takes both addresses from the master, so a repaired channel can never lead to a third party),
 * and to the negotiated port.
 */
public final class RepairPlanner {
    /** The ftp helper's expectation timeout (its policy overrides what is sent). */
    public static final int HELPER_TIMEOUT = 300;

    /** Without the policy's repair_privileged_ports, no repair opens a port below this. */
    public static final int FIRST_UNPRIVILEGED_PORT = 1024;

    private final java.util.function.IntSupplier lowestPort;

    /** @param lowestPort the lowest data port the daemon will open (1024: never a privileged port) */
    public RepairPlanner(int lowestPort) {
        this(() -> lowestPort);
    }

    /** @param lowestPort read at every plan: the policy in force decides (repair_privileged_ports) */
    public RepairPlanner(java.util.function.IntSupplier lowestPort) {
        this.lowestPort = lowestPort;
    }

    public ChannelPlan plan(Conntrack control, Negotiation n) {
        DataChannelOffer offer = n.offer();
        Tuple orig = control.original();
        Tuple reply = control.reply();
        IpAddress client = orig.src();
        IpAddress server = reply.src(); // the server's real address (after any DNAT)
        int port = offer.port();
        IpAddress named = offer.address().map(IpAddress::of).orElse(null);
        String form = formName(offer.form());
        boolean natted = control.has(Status.SRC_NAT) || control.has(Status.DST_NAT);
        if (named != null && named.v6() != client.v6()) {
            return refused(form + " names " + named + " on an " + (client.v6() ? "IPv6" : "IPv4")
                    + " control connection: the kernel cannot translate between families; use mode: proxy for this rule");
        }
        int lowest = lowestPort.getAsInt();
        if (port < lowest) {
            return refused(form + " names port " + port + ", below " + lowest + ": never opened"
                    + " (the policy's repair_privileged_ports allows it)");
        }
        if (n.split() && offer.form().active()) {
            return refused(form + " split across TCP segments: the kernel helper drops it (the command stalls);"
                    + " observation cannot repair a dropped segment; use mode: proxy for this rule");
        }
        if (offer.form().active()) {
            if (!client.equals(named)) {
                return refused(form + " names " + named + " but the client is " + client
                        + ": a third party (FTP bounce) or a client behind another NAT; no expectation;"
                        + " use mode: proxy for this rule if the client is behind a second NAT");
            }
            // the server connects from its control address to where the command points
            IpAddress target = natted ? reply.dst() : client;
            Tuple expected = Tuple.of(Tuple.TCP, server, 0, target, port);
            Expectation e = Expectation.create(orig, expected, HELPER_TIMEOUT);
            if (offer.form() != DataChannelOffer.Form.LPRT) {
                return new ChannelPlan(ChannelPlan.Source.KERNEL,
                        natted ? e.withNat(ExpectationNat.to(Direction.REPLY, Tuple.TCP, client, port)) : e,
                        form + " names the client " + client + ":" + port + "; the kernel helper expects the server's connection");
            }
            if (natted) {
                return refused("LPRT (RFC 1639) is not parsed by the kernel helper, so it is not rewritten either: the server"
                        + " would connect to " + client + " past the NAT; use mode: proxy for this rule");
            }
            return new ChannelPlan(ChannelPlan.Source.REPAIR, e,
                    "LPRT (RFC 1639) is not parsed by the kernel helper: the kernel recorded no expectation");
        }
        // passive: the client connects to the address it used for the control connection
        Tuple expected = Tuple.of(Tuple.TCP, client, 0, orig.dst(), port);
        Expectation e = Expectation.create(orig, expected, HELPER_TIMEOUT);
        if (natted) {
            e = e.withNat(ExpectationNat.to(Direction.ORIGINAL, Tuple.TCP, server, port));
        }
        if (offer.form() == DataChannelOffer.Form.LPSV_228) {
            return new ChannelPlan(ChannelPlan.Source.REPAIR, e,
                    "228 (LPSV, RFC 1639) is not parsed by the kernel helper: the kernel recorded no expectation");
        }
        if (named != null && !named.equals(server)) {
            return new ChannelPlan(ChannelPlan.Source.REPAIR, e,
                    "server advertised " + named + " in " + form + " but is " + server + "; the kernel recorded no expectation"
                            + " (and did not rewrite the reply: a client that trusts " + named + " still goes there)");
        }
        return new ChannelPlan(ChannelPlan.Source.KERNEL, e,
                form + " names the server " + server + ":" + port + "; the kernel helper expects the client's connection");
    }

    private static ChannelPlan refused(String why) {
        return new ChannelPlan(ChannelPlan.Source.REFUSED, null, why);
    }

    static String formName(DataChannelOffer.Form f) {
        return switch (f) {
            case PORT -> "PORT";
            case EPRT -> "EPRT";
            case LPRT -> "LPRT";
            case PASV_227 -> "227";
            case EPSV_229 -> "229";
            case LPSV_228 -> "228";
        };
    }
}
