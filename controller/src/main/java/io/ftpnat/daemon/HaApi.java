package io.ftpnat.daemon;

import io.ftpnat.api.CommandHandler;
import io.ftpnat.api.Role;
import io.ftpnat.ha.HaService;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ha.status}, {@code ha.promote}, {@code ha.demote}: a router pair's failover (docs/ha.md, docs/api.md). */
final class HaApi {
    private final HaService ha;

    HaApi(HaService ha) {
        this.ha = ha;
    }

    Map<String, CommandHandler> commands() {
        Map<String, CommandHandler> m = new LinkedHashMap<>();
        m.put("ha.status", CommandHandler.of(Role.QUERY, (req, resp) -> resp.result(req, ha.status())));
        m.put("ha.promote", CommandHandler.of(Role.ADMIN, (req, resp) -> resp.result(req, ha.promote().json())));
        m.put("ha.demote", CommandHandler.of(Role.ADMIN, (req, resp) -> {
            ha.demote();
            resp.result(req, ha.status());
        }));
        return m;
    }
}
