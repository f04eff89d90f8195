package io.ftpnat.kernel;

import io.ftpnat.nativ.netlink.NetlinkException;
import io.ftpnat.nativ.netlink.conntrack.Conntrack;
import io.ftpnat.nativ.netlink.conntrack.Expectation;
import io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments;
import io.ftpnat.nativ.netlink.conntrack.Tuple;
import java.util.Optional;

/**
 * The kernel verbs of a router pair's FTP failover (docs/ha.md): what conntrackd cannot carry.
 * Reading a control connection with its sequence adjustments, writing them back on the new master,
 * and putting an expectation back with its NAT (conntrackd's commit creates it without).
 */
public interface FtpFailoverKernel {
    /** The connection whose original tuple is {@code master}, empty if the kernel has none. */
    Optional<Conntrack> connection(Tuple master) throws NetlinkException;

    /** Its sequence adjustments (none when the kernel never adjusted it); empty if there is no such connection. */
    Optional<SequenceAdjustments> sequenceAdjustments(Tuple master) throws NetlinkException;

    void writeSequenceAdjustments(Tuple master, SequenceAdjustments adjustments) throws NetlinkException;

    /**
     * Replaces the expectation of {@code e.tuple()} (conntrackd's NAT-less copy, if any) by
     * {@code e}: delete by tuple (absent is fine), then create with NAT, expectfn and class.
     */
    void replaceExpectation(Expectation e) throws NetlinkException;

    /** The expectation table (at start and after lost events: the helper's pending data channels). */
    java.util.List<Expectation> expectations() throws NetlinkException;

    /**
     * The original tuples of the connections the ftp helper is attached to (one dump, filtered
     * here): at start and after lost events, the control connections to follow, idle ones included.
     */
    java.util.List<Tuple> ftpControlConnections() throws NetlinkException;

    /** Subscribes to expectation events only (new, destroyed): the replication costs nothing for other connections. */
    ConntrackTables.EventStream subscribeExpectations() throws NetlinkException;
}
