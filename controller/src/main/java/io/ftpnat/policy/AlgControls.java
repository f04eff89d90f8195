package io.ftpnat.policy;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a {@code mode: proxy} rule lets cross its control channel, beyond the ALG's fixed rules
 * (docs/policy.md, "Controls of proxy rules"), after Cisco ASA's {@code inspect ftp strict} and
 * ftp-map and Fortinet's FTP session helper options.
 *
 * <ul>
 *   <li>{@code strict}: only the login's commands before login; replies must fit the command they
 *       answer; a passive reply must name the server itself; one data command at a time; a server
 *       line with control bytes or Telnet sequences ends the session.</li>
 *   <li>{@code denyCommands}: verbs (upper case) the ALG answers with 502 and never forwards.</li>
 *   <li>{@code maskBanner}: the server's 220 greeting and its SYST reply are replaced by neutral ones.</li>
 * </ul>
 */
public record AlgControls(boolean strict, Set<String> denyCommands, boolean maskBanner, ServerDataMode serverDataMode) {
    /**
     * How the ALG opens data connections towards the server (Fortinet's {@code server-data-mode}):
     * as the client asked ({@code client}, the default: the kernel forwards the data), or always
     * {@code passive} / {@code active}, converting the client's mode; a converted channel joins two
     * connections that both leave from, or both arrive at, the router, which NAT cannot join, so its
     * data is relayed by the daemon.
     */
    public enum ServerDataMode {
        CLIENT, PASSIVE, ACTIVE;

        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AlgControls(boolean strict, Set<String> denyCommands, boolean maskBanner) {
        this(strict, denyCommands, maskBanner, ServerDataMode.CLIENT);
    }

    public AlgControls {
        TreeSet<String> verbs = new TreeSet<>();
        for (String v : denyCommands) {
            verbs.add(v.toUpperCase(Locale.ROOT));
        }
        denyCommands = java.util.Collections.unmodifiableSortedSet(verbs);
    }

    /** No control beyond the ALG's fixed rules: what a proxy rule without these keys gets. */
    public static AlgControls none() {
        return new AlgControls(false, Set.of(), false, ServerDataMode.CLIENT);
    }

    public boolean denies(String verb) {
        return denyCommands.contains(verb);
    }

    /** How {@code session show} names the rule's controls, e.g. {@code [strict, mask_banner, deny SITE DELE]}. */
    public List<String> names() {
        List<String> out = new java.util.ArrayList<>();
        if (strict) {
            out.add("strict");
        }
        if (maskBanner) {
            out.add("mask_banner");
        }
        if (!denyCommands.isEmpty()) {
            out.add("deny " + String.join(" ", denyCommands));
        }
        if (serverDataMode != ServerDataMode.CLIENT) {
            out.add("server_data_mode " + serverDataMode.yamlName());
        }
        return out;
    }
}
