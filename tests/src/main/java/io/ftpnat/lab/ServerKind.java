package io.ftpnat.lab;

import java.util.Map;

/** The FTP server implementations the lab can run. */
public enum ServerKind {
    VSFTPD("vsftpd") {
        @Override
        public FtpServer start(NamespaceLab lab, int port, Map<String, Integer> files) { return Vsftpd.start(lab, port, files); }

        @Override
        public boolean installed() { return Cmd.onPath(Vsftpd.BINARY); }
    },
    PURE_FTPD("pure-ftpd") {
        @Override
        public FtpServer start(NamespaceLab lab, int port, Map<String, Integer> files) { return PureFtpd.start(lab, port, files); }

        @Override
        public boolean installed() { return PureFtpd.installed(); }
    };

    private final String label;

    ServerKind(String label) { this.label = label; }

    public abstract FtpServer start(NamespaceLab lab, int port, Map<String, Integer> files);

    public abstract boolean installed();

    @Override
    public String toString() { return label; }
}
