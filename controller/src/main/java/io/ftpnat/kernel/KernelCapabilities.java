package io.ftpnat.kernel;

import io.ftpnat.nativ.nft.NftContext;
import io.ftpnat.nativ.nft.NftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the running kernel offers, found by dry runs (the kernel validates each probe and aborts
 * it: nothing is created). Missing pieces are named with the kernel's own error and a remedy.
 */
public record KernelCapabilities(Map<Capability, String> missing, List<String> warnings) {
    public static KernelCapabilities probe(NftContext nft) {
        Map<Capability, String> missing = new EnumMap<>(Capability.class);
        for (Capability c : Capability.values()) {
            if (!missing.isEmpty() && c != Capability.NF_TABLES && missing.containsKey(Capability.NF_TABLES)) {
                missing.put(c, "needs nf_tables");
                continue;
            }
            try {
                nft.check(c.probe());
            } catch (NftException e) {
                missing.put(c, firstLine(e.nftError()));
            }
        }
        List<String> warnings = new ArrayList<>();
        forwardingOff("/proc/sys/net/ipv4/ip_forward", "IPv4 forwarding is off (sysctl net.ipv4.ip_forward=0): the router forwards nothing")
                .ifPresent(warnings::add);
        forwardingOff("/proc/sys/net/ipv6/conf/all/forwarding", "IPv6 forwarding is off (sysctl net.ipv6.conf.all.forwarding=0)")
                .ifPresent(warnings::add);
        return new KernelCapabilities(Map.copyOf(missing), List.copyOf(warnings));
    }

    public boolean complete() {
        return missing.isEmpty();
    }

    /** One paragraph an operator can act on: what is missing, the kernel's words, what to do. */
    public String describeMissing() {
        return missing.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> "missing " + e.getKey().id() + " - " + e.getKey().description() + ": " + e.getValue()
                        + " (try: " + e.getKey().remedy() + ")")
                .collect(Collectors.joining("\n"));
    }

    public String summary() {
        return java.util.Arrays.stream(Capability.values())
                .map(c -> c.id() + (missing.containsKey(c) ? " MISSING" : " ok"))
                .collect(Collectors.joining(", "));
    }

    private static java.util.Optional<String> forwardingOff(String file, String message) {
        try {
            return Files.readString(Path.of(file)).trim().equals("0") ? java.util.Optional.of(message) : java.util.Optional.empty();
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static String firstLine(String error) {
        return error.lines().filter(l -> !l.isBlank()).findFirst().orElse("rejected").trim();
    }
}
