package io.ftpnat.kernel;

/**
 * The daemon's one boundary with the kernel, in the spirit of OpenBSD ftp-proxy's {@code filter.h}:
 * every change to and every read of kernel state goes through these verbs, and only this package
 * talks to netlink sockets and libnftables (ArchitectureTest checks it).
 *
 * <pre>
 *   ruleset()       apply (with the run-time elements) · check · flush · list · capabilities
 *   dataChannels()  add / remove / replace data channel          (the ALG, proxy maps)
 *   advertised()    watch address / unwatch                      (the observer, advertised4/6)
 *   sessions()      dump conntrack · dump expectations · create / delete expectation
 *   tables()        dump (filtered) · subscribe events · event monitor
 *   originals()     original destination of a diverted connection
 *   control()       observe control packets (NFLOG)
 *   failover()      router pairs: read/write sequence adjustments · put an expectation back with its NAT
 *   watchTable()    notice the table removed by someone else (nf_tables notifications)
 *   hold(queue)     hold / release a control segment (NFQUEUE; the repair race, docs/netlink.md)
 * </pre>
 *
 * Domain packages depend on the small interfaces, never on this one or its implementation; the
 * daemon's wiring ({@code RunCommand}) opens a {@link LinuxKernel} and hands each its part.
 */
public interface Kernel extends AutoCloseable {
    KernelRuleset ruleset();

    DataChannels dataChannels();

    AdvertisedAddresses advertised();

    SessionKernel sessions();

    ConntrackTables tables();

    OriginalDestination originals();

    ControlPackets control();

    /** Tells {@code handler} when a transaction of another process removes table inet {@code table} (the nftables restart trap). */
    TableWatch watchTable(String table, TableWatch.Handler handler) throws io.ftpnat.nativ.netlink.NetlinkException;

    /** Router pairs (docs/ha.md): what conntrackd cannot carry of an FTP session. */
    FtpFailoverKernel failover();

    /** Binds the NFQUEUE the ruleset's hold chains send to: the caller releases every packet it is handed. */
    SegmentHold hold(int queueNumber, int maxHeld) throws io.ftpnat.nativ.netlink.NetlinkException;

    @Override
    void close();
}
