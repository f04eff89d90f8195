package io.ftpnat.nativ.netlink.conntrack;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import io.ftpnat.nativ.netlink.NetnsLab;

/** conntrack-tools as the oracle: `conntrack -L -o xml,id` parsed into comparable values, keyed by id. */
final class Oracle {
    record Flow(Tuple original, Tuple reply, String state, int timeout, int mark, int zone, int use, long id,
                boolean assured, boolean unreplied, String helper, Counters orig, Counters repl) {
    }

    static Map<Long, Flow> flows(String ns, String... extraArgs) throws Exception {
        String[] cmd = new String[4 + extraArgs.length];
        cmd[0] = "conntrack";
        cmd[1] = "-L";
        cmd[2] = "-o";
        cmd[3] = "xml,id";
        System.arraycopy(extraArgs, 0, cmd, 4, extraArgs.length);
        String xml = NetnsLab.exec(ns, cmd);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        // the XML output leaves ICMP type/code/id out: take them from the text output
        String[] textCmd = cmd.clone();
        textCmd[3] = "extended,id";
        Map<Long, int[][]> icmp = new java.util.HashMap<>();
        java.util.regex.Pattern tci = java.util.regex.Pattern.compile("type=(\\d+) code=(\\d+) id=(\\d+)");
        for (String line : NetnsLab.exec(ns, textCmd).split("\n")) {
            java.util.regex.Matcher lineId = java.util.regex.Pattern.compile(" id=(\\d+)\\s*$").matcher(line);
            java.util.regex.Matcher m = tci.matcher(line);
            if (lineId.find() && m.find()) {
                int[] o = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
                int[] r = m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))} : o;
                icmp.put(Long.parseLong(lineId.group(1)), new int[][] {o, r});
            }
        }
        Map<Long, Flow> out = new LinkedHashMap<>();
        NodeList flows = doc.getElementsByTagName("flow");
        for (int i = 0; i < flows.getLength(); i++) {
            Element flow = (Element) flows.item(i);
            Tuple orig = null;
            Tuple reply = null;
            Counters co = null;
            Counters cr = null;
            Element ind = null;
            NodeList metas = flow.getElementsByTagName("meta");
            for (int j = 0; j < metas.getLength(); j++) {
                Element m = (Element) metas.item(j);
                switch (m.getAttribute("direction")) {
                    case "original" -> { orig = tuple(m); co = counters(m); }
                    case "reply" -> { reply = tuple(m); cr = counters(m); }
                    case "independent" -> ind = m;
                    default -> { }
                }
            }
            long id = Long.parseLong(text(ind, "id", "-1"));
            int[][] ic = icmp.get(id);
            if (ic != null && orig.isIcmp()) {
                orig = new Tuple(orig.src(), orig.dst(), orig.protocol(), 0, 0, ic[0][0], ic[0][1], ic[0][2]);
                reply = new Tuple(reply.src(), reply.dst(), reply.protocol(), 0, 0, ic[1][0], ic[1][1], ic[1][2]);
            }
            out.put(id, new Flow(orig, reply, text(ind, "state", null), Integer.parseInt(text(ind, "timeout", "-1")),
                    (int) Long.parseLong(text(ind, "mark", "0")), Integer.parseInt(text(ind, "zone", "0")),
                    Integer.parseInt(text(ind, "use", "0")), id,
                    ind.getElementsByTagName("assured").getLength() > 0,
                    ind.getElementsByTagName("unreplied").getLength() > 0,
                    text(ind, "helper", null), co, cr));
        }
        return out;
    }

    private static Counters counters(Element meta) {
        NodeList c = meta.getElementsByTagName("counters");
        if (c.getLength() == 0) {
            return null;
        }
        Element e = (Element) c.item(0);
        return new Counters(Long.parseLong(text(e, "packets", "0")), Long.parseLong(text(e, "bytes", "0")));
    }

    private static Tuple tuple(Element meta) {
        Element l3 = (Element) meta.getElementsByTagName("layer3").item(0);
        Element l4 = (Element) meta.getElementsByTagName("layer4").item(0);
        IpAddress src = IpAddress.parse(text(l3, "src", null));
        IpAddress dst = IpAddress.parse(text(l3, "dst", null));
        int proto = Integer.parseInt(l4.getAttribute("protonum"));
        if (proto == Tuple.ICMP || proto == Tuple.ICMPV6) {
            return new Tuple(src, dst, proto, 0, 0, Integer.parseInt(text(l4, "type", "0")),
                    Integer.parseInt(text(l4, "code", "0")), Integer.parseInt(text(l4, "id", "0")));
        }
        return Tuple.of(proto, src, Integer.parseInt(text(l4, "sport", "0")), dst, Integer.parseInt(text(l4, "dport", "0")));
    }

    private static String text(Element e, String tag, String dflt) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? dflt : n.item(0).getTextContent().trim();
    }

    private Oracle() {
    }
}
