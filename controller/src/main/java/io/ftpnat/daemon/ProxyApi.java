package io.ftpnat.daemon;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftpnat.alg.Addresses;
import io.ftpnat.alg.ControlDialogue;
import io.ftpnat.alg.ProxyServer;
import io.ftpnat.api.ApiRequest;
import io.ftpnat.api.CommandHandler;
import io.ftpnat.api.ResponseWriter;
import io.ftpnat.api.Role;
import io.ftpnat.registry.ProxiedSession;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code proxy.sessions}: the ALG's live sessions and their data channels (docs/api.md); the ALG's JSON lives here, not in alg. */
public final class ProxyApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private final ProxyServer proxy;

    public ProxyApi(ProxyServer proxy) {
        this.proxy = proxy;
    }

    public Map<String, CommandHandler> commands() {
        Map<String, CommandHandler> m = new LinkedHashMap<>();
        m.put("proxy.sessions", CommandHandler.of(Role.QUERY, this::sessions));
        return m;
    }

    private void sessions(ApiRequest request, ResponseWriter response) throws IOException {
        ObjectNode r = JSON.objectNode();
        r.put("listening", proxy.listening());
        r.put("accepted", proxy.acceptedCount());
        r.put("refused", proxy.refusedCount());
        ArrayNode list = r.putArray("sessions");
        for (ProxyServer.SessionView s : proxy.sessions()) {
            list.add(json(s));
        }
        response.result(request, r);
    }

    /** One session as {@code proxy.sessions} and {@code sessions} show it. */
    public static ObjectNode json(ProxyServer.SessionView s) {
        ObjectNode o = JSON.objectNode();
        o.put("id", s.id());
        o.put("rule", s.rule());
        o.put("client", Addresses.endpoint(s.addresses().client()));
        o.put("client_view", Addresses.text(s.addresses().clientView()));
        o.put("server", Addresses.endpoint(s.addresses().server()));
        o.put("router", Addresses.endpoint(s.addresses().upstreamLocal()));
        o.put("started", s.started().toString());
        o.put("logged_in", s.state().loggedIn());
        o.put("transferring", s.state().transferring());
        o.put("commands", s.state().commands());
        o.put("channels_opened", s.state().channelsOpened());
        o.put("refused_commands", s.state().refusals());
        o.put("last_activity", s.state().lastActivity().toString());
        // the rule's controls and what they decided in this session (docs/policy.md)
        ControlDialogue.Decisions d = s.state().decisions();
        ArrayNode controls = o.putArray("controls");
        d.controls().names().forEach(controls::add);
        ObjectNode decisions = o.putObject("decisions");
        decisions.put("denied", d.denied());
        decisions.put("strict_refused", d.strictRefused());
        decisions.put("masked", d.masked());
        decisions.put("converted", d.converted());
        if (!d.last().isEmpty()) {
            decisions.put("last", d.last());
        }
        // the pending channel, rendered from the registry's one channel value
        new ProxiedSession(s).channels().forEach(c -> o.set("channel", SessionJson.proxyChannel(c)));
        return o;
    }
}
