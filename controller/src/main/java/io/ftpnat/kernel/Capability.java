package io.ftpnat.kernel;

/**
 * A kernel feature the daemon needs, with a probe (nftables text checked in a dry run, so the
 * kernel validates it without applying anything) and what to do when it is missing.
 */
public enum Capability {
    NF_TABLES("nf_tables", "nftables in the kernel (CONFIG_NF_TABLES, CONFIG_NF_TABLES_INET)",
            """
            table inet ftpnat_probe {
            	chain c { type filter hook forward priority 0; policy accept; }
            }
            """,
            "modprobe nf_tables; a kernel with CONFIG_NF_TABLES_INET"),
    CONNTRACK("conntrack", "connection tracking (nf_conntrack, nft_ct)",
            """
            table inet ftpnat_probe {
            	chain c { type filter hook forward priority 0; policy accept; ct state established accept; }
            }
            """,
            "modprobe nf_conntrack nft_ct"),
    FTP_HELPER("ftp helper", "the kernel FTP helper (nf_conntrack_ftp)",
            """
            table inet ftpnat_probe {
            	ct helper h { type "ftp" protocol tcp; l3proto inet; }
            }
            """,
            "modprobe nf_conntrack_ftp nf_nat_ftp"),
    NAT("nat", "NAT (nft_nat, nft_masq) for IPv4 and IPv6",
            """
            table inet ftpnat_probe {
            	chain s { type nat hook postrouting priority srcnat; policy accept; meta nfproto ipv4 masquerade; meta nfproto ipv6 masquerade; }
            	chain d { type nat hook prerouting priority dstnat; policy accept; ip daddr 192.0.2.1 tcp dport 21 dnat ip to 192.0.2.2; }
            }
            """,
            "modprobe nft_nat nft_masq nf_nat_ftp");

    private final String id;
    private final String description;
    private final String probe;
    private final String remedy;

    Capability(String id, String description, String probe, String remedy) {
        this.id = id;
        this.description = description;
        this.probe = probe;
        this.remedy = remedy;
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    String probe() {
        return probe;
    }

    public String remedy() {
        return remedy;
    }
}
