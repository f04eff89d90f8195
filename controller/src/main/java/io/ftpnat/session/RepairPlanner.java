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
 * needs and who makes it (nf_conntrack_ftp's rules, kernel 6.18). The kernel helper reads a line only
 * where {@link ObservedDialogue} says it does ({@link Negotiation.Position#KERNEL_READ}); there it
 * records PORT/EPRT only when they name the client's own address, 227 only when it names the
 * server's, 229 always, LPRT/228 never.
 *
 * <p>ftpnatd never creates a data channel the kernel would refuse. It creates one only as a repair
 * it owns: a server's passive reply (227 naming a foreign address, 228) at a position the kernel
 * reads, in strict syntax, answering a passive request of the client. Every client command the
 * kernel did not take — not at its position (NAT slipstreaming: a command smuggled inside another
 * protocol's request), not in its syntax, LPRT, a third-party address — is refused with a diagnosis.
 * A repaired expectation is the one nf_nat_ftp would have made: scoped to the master, to the
 * master's own peer (nat-follow-master takes both addresses from the master, so a repaired channel
 * can never lead to a third party), and to the negotiated port.
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
        IpAddress named = offer.address().orElse(null);
        String form = formName(offer.form());
        boolean natted = control.has(Status.SRC_NAT) || control.has(Status.DST_NAT);
        if (named != null && named.v6() != client.v6()) {
            return refused(form + " names " + named + " on an " + (client.v6() ? "IPv6" : "IPv4")
                    + " control connection: the kernel cannot translate between families; use mode: proxy for this rule");
        }
        if (offer.form() == DataChannelOffer.Form.LPRT) {
            return refused("LPRT (RFC 1639) is not parsed by the kernel helper, and ftpnatd never opens a channel a client asks for"
                    + " that the kernel did not take (NAT slipstreaming); no expectation; use mode: proxy for this rule");
        }
        if (offer.form().active() && !n.kernelRead()) {
            return refused(form + " " + n.position().text() + ": the kernel helper did not take it (its defence against"
                    + " NAT slipstreaming) and ftpnatd never opens what the kernel refuses; no expectation"
                    + (n.position() == Negotiation.Position.INSIDE_SEGMENT || n.position() == Negotiation.Position.NOT_KERNEL_SYNTAX ? "; a real client needing it: use mode: proxy for this rule" : ""));
        }
        int lowest = lowestPort.getAsInt();
        if (port < lowest) {
            return refused(form + " names port " + port + ", below " + lowest + ": never opened"
                    + " (the policy's repair_privileged_ports allows it)");
        }
        if (offer.form().active()) {
            if (!client.equals(named)) {
                return refused(form + " names " + named + " but the client is " + client
                        + ": a third party (FTP bounce) or a client behind another NAT; no expectation;"
                        + " use mode: proxy for this rule if the client is behind a second NAT");
            }
            // the server connects from its control address to where the command points
            IpAddress target = natted ? reply.dst() : client;
            Expectation e = Expectation.create(orig, Tuple.of(Tuple.TCP, server, 0, target, port), HELPER_TIMEOUT);
            return new ChannelPlan(ChannelPlan.Source.KERNEL,
                    natted ? e.withNat(ExpectationNat.to(Direction.REPLY, Tuple.TCP, client, port)) : e,
                    form + " names the client " + client + ":" + port + "; the kernel helper expects the server's connection");
        }
        // passive: the client connects to the address it used for the control connection
        Tuple expected = Tuple.of(Tuple.TCP, client, 0, orig.dst(), port);
        Expectation e = Expectation.create(orig, expected, HELPER_TIMEOUT);
        if (natted) {
            e = e.withNat(ExpectationNat.to(Direction.ORIGINAL, Tuple.TCP, server, port));
        }
        boolean lpsv = offer.form() == DataChannelOffer.Form.LPSV_228;
        boolean foreign = lpsv || named != null && !named.equals(server);
        if (n.kernelRead() && !foreign) {
            return new ChannelPlan(ChannelPlan.Source.KERNEL, e,
                    form + " names the server " + server + ":" + port + "; the kernel helper expects the client's connection");
        }
        boolean atKernelPosition = lpsv ? n.position() == Negotiation.Position.KERNEL_POSITION : n.kernelRead();
        if (!atKernelPosition) {
            return refused(form + " " + n.position().text() + ": the kernel helper did not take it, and ftpnatd repairs"
                    + " only replies where the kernel reads them; no expectation");
        }
        if (offer.form() == DataChannelOffer.Form.EPSV_229) {
            return refused("229 not taken by the kernel helper; no expectation");
        }
        if (!n.strict()) {
            return refused(form + " is not in strict syntax (every number 0-255): no repair");
        }
        if (!n.solicited()) {
            return refused(form + " answers no PASV/EPSV/LPSV of the client (unsolicited): no repair");
        }
        if (lpsv) {
            return new ChannelPlan(ChannelPlan.Source.REPAIR, e,
                    "228 (LPSV, RFC 1639) is not parsed by the kernel helper: the kernel recorded no expectation");
        }
        return new ChannelPlan(ChannelPlan.Source.REPAIR, e,
                "server advertised " + named + " in " + form + " but is " + server + "; the kernel recorded no expectation"
                        + " (and did not rewrite the reply: a client that trusts " + named + " still goes there)");
    }

    private static ChannelPlan refused(String why) {
        return new ChannelPlan(ChannelPlan.Source.REFUSED, null, why);
    }

    public static String formName(DataChannelOffer.Form f) {
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
