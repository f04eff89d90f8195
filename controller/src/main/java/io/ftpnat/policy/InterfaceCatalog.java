package io.ftpnat.policy;

import java.net.NetworkInterface;
import java.net.SocketException;

/** Which network interfaces exist where the policy will be applied. */
@FunctionalInterface
public interface InterfaceCatalog {
    boolean exists(String name);

    /** The interfaces of the network namespace this process runs in. */
    static InterfaceCatalog system() {
        return name -> {
            try {
                return NetworkInterface.getByName(name) != null;
            } catch (SocketException e) {
                return false;
            }
        };
    }

    /** For validating a policy away from the router (e.g. in a build): every name is accepted. */
    static InterfaceCatalog anyName() {
        return name -> true;
    }
}
