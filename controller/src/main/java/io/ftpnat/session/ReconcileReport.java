package io.ftpnat.session;

/** What a reconcile found and did ({@link SessionModel#reconcile}): counts, and how long it took in µs. */
public record ReconcileReport(int controls, int expectations, int adopted, int created, int removed, int orphans,
                              long micros) {
    @Override
    public String toString() {
        return controls + " FTP control connections, " + expectations + " expectations in the kernel; adopted " + adopted
                + ", expectations created " + created + ", removed " + removed + " (strays) and " + orphans
                + " (orphans) in " + micros / 1000 + " ms";
    }
}
