package io.ftpnat.scenarios;

import io.ftpnat.lab.FtpClient;
import io.ftpnat.lab.ReferenceLab;
import io.ftpnat.lab.ServerKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.provider.Arguments;

/** The servers and clients each scenario runs against. */
final class Matrix {
    private Matrix() {}

    static final List<String> CLIENTS = List.of("curl", "lftp", "python-ftplib");

    static List<Arguments> serversAndClients() {
        List<Arguments> out = new ArrayList<>();
        for (ServerKind k : ServerKind.values()) for (String c : CLIENTS) out.add(Arguments.of(k, c));
        return out;
    }

    static List<Arguments> servers() {
        return List.of(Arguments.of(ServerKind.VSFTPD), Arguments.of(ServerKind.PURE_FTPD));
    }

    static FtpClient client(ReferenceLab ref, String name) {
        return switch (name) {
            case "curl" -> ref.curl();
            case "lftp" -> ref.lftp();
            case "python-ftplib" -> ref.python();
            default -> throw new IllegalArgumentException(name);
        };
    }
}
