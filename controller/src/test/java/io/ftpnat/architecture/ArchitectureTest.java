package io.ftpnat.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;

/**
 * The controller's package rules (docs/design/overview.md, "Packages"):
 * <ul>
 *   <li>no cycles among the io.ftpnat packages;</li>
 *   <li>one kernel boundary: only {@code io.ftpnat.kernel} uses native's sockets, codecs and
 *       libnftables; every other package sees the kernel through kernel's interfaces and native's
 *       plain values ({@link #KERNEL_VALUES});</li>
 *   <li>the domain packages never depend on the API, the daemon or the CLIs;</li>
 *   <li>one address type: the domain's fields and signatures hold native's {@code IpAddress}, never
 *       {@code java.net.InetAddress}, which only the socket edges ({@link #SOCKET_EDGES}) convert to.</li>
 * </ul>
 */
@AnalyzeClasses(packages = "io.ftpnat", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /**
     * The native types any package may use: the rows ctnetlink reports and the requests made of
     * them (records and enums of typed values), the callbacks a dump or a subscription delivers them
     * to, and the error kernel verbs throw. None opens a socket or encodes a message for the caller;
     * everything else in {@code io.ftpnat.nativ} is the kernel boundary's alone.
     */
    static final Set<String> KERNEL_VALUES = Set.of(
            "io.ftpnat.nativ.netlink.conntrack.Conntrack",
            "io.ftpnat.nativ.netlink.conntrack.ConntrackEvent",
            "io.ftpnat.nativ.netlink.conntrack.ConntrackFilter",
            "io.ftpnat.nativ.netlink.conntrack.Counters",
            "io.ftpnat.nativ.netlink.conntrack.Direction",
            "io.ftpnat.nativ.netlink.conntrack.Expectation",
            "io.ftpnat.nativ.netlink.conntrack.ExpectationEvent",
            "io.ftpnat.nativ.netlink.conntrack.ExpectationNat",
            "io.ftpnat.nativ.netlink.conntrack.IpAddress",
            "io.ftpnat.nativ.netlink.conntrack.SctpState",
            "io.ftpnat.nativ.netlink.conntrack.Status",
            "io.ftpnat.nativ.netlink.conntrack.TcpState",
            "io.ftpnat.nativ.netlink.conntrack.Tuple",
            "io.ftpnat.nativ.netlink.conntrack.SequenceAdjustment",
            "io.ftpnat.nativ.netlink.conntrack.SequenceAdjustments",
            "io.ftpnat.nativ.netlink.conntrack.TupleFilter",
            "io.ftpnat.nativ.netlink.conntrack.DumpConsumer",
            "io.ftpnat.nativ.netlink.conntrack.EventHandler",
            "io.ftpnat.nativ.netlink.conntrack.ConntrackMonitor$Listener",
            "io.ftpnat.nativ.netlink.log.NflogHandler",
            "io.ftpnat.nativ.netlink.log.NflogPacket",
            "io.ftpnat.nativ.netlink.NetlinkException");

    static final String[] DOMAIN = {"io.ftpnat.session..", "io.ftpnat.alg..", "io.ftpnat.conntrack..", "io.ftpnat.ftp..",
            "io.ftpnat.policy..", "io.ftpnat.ruleset..", "io.ftpnat.registry..", "io.ftpnat.ha.."};

    private static final DescribedPredicate<JavaClass> NATIVE_MACHINERY = new DescribedPredicate<>(
            "native's sockets, codecs or libnftables (anything in io.ftpnat.nativ but its plain values)") {
        @Override
        public boolean test(JavaClass c) {
            return c.getPackageName().startsWith("io.ftpnat.nativ") && !isValue(c);
        }
    };

    /** A listed value, a type nested in one (an event's Type), or an array of them. */
    static boolean isValue(JavaClass c) {
        String name = c.getBaseComponentType().getName();
        return KERNEL_VALUES.contains(name) || name.contains("$") && KERNEL_VALUES.contains(name.substring(0, name.indexOf('$')));
    }

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.ftpnat.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyTheKernelBoundaryTalksToTheKernel = noClasses()
            .that().resideInAPackage("io.ftpnat..").and().resideOutsideOfPackages("io.ftpnat.kernel..", "io.ftpnat.nativ..")
            .should().dependOnClassesThat(NATIVE_MACHINERY);

    @ArchTest
    static final ArchRule theDomainNeverDependsOnTheApiTheDaemonOrTheClis = noClasses()
            .that().resideInAnyPackage(DOMAIN)
            .should().dependOnClassesThat().resideInAnyPackage("io.ftpnat.api..", "io.ftpnat.daemon..", "io.ftpnat.cli..");

    @ArchTest
    static final ArchRule theKernelBoundaryDependsOnNoDomainPackageAboveIt = noClasses()
            .that().resideInAPackage("io.ftpnat.kernel..")
            .should().dependOnClassesThat().resideInAnyPackage("io.ftpnat.session..", "io.ftpnat.alg..", "io.ftpnat.conntrack..",
                    "io.ftpnat.api..", "io.ftpnat.daemon..", "io.ftpnat.cli..");

    /** The values above are values: none of them reaches a socket or libnftables itself. */
    @ArchTest
    static final ArchRule theValuesOpenNoSocket = noClasses()
            .that(new DescribedPredicate<JavaClass>("one of the kernel values") {
                @Override
                public boolean test(JavaClass c) {
                    return isValue(c);
                }
            })
            .should().dependOnClassesThat().haveSimpleNameEndingWith("Socket")
            .orShould().dependOnClassesThat().haveSimpleNameEndingWith("Client")
            .orShould().dependOnClassesThat().haveSimpleNameEndingWith("Transport")
            .orShould().dependOnClassesThat().resideInAPackage("io.ftpnat.nativ.nft..");

    /**
     * Where the domain meets java.net: the ALG's sockets take and report InetAddress and
     * InetSocketAddress, converted in one place. (The daemon's metrics listener is no domain class.)
     */
    static final Set<String> SOCKET_EDGES = Set.of("io.ftpnat.alg.Addresses");

    private static boolean involvesInetAddress(JavaType t) {
        return t.getAllInvolvedRawTypes().stream().anyMatch(c -> c.isAssignableTo(java.net.InetAddress.class));
    }

    /** One address type: no field, parameter or result of a domain or kernel class is (or holds) an InetAddress. */
    @ArchTest
    static final ArchRule theDomainHasOneAddressType = classes()
            .that().resideInAnyPackage(DOMAIN).or().resideInAPackage("io.ftpnat.kernel..")
            .should(new ArchCondition<JavaClass>("hold addresses as IpAddress (InetAddress only at a socket edge)") {
                @Override
                public void check(JavaClass c, ConditionEvents events) {
                    if (SOCKET_EDGES.contains(c.getName())) {
                        return;
                    }
                    for (JavaField f : c.getFields()) {
                        if (involvesInetAddress(f.getType())) {
                            events.add(SimpleConditionEvent.violated(f, f.getFullName() + " holds an InetAddress"));
                        }
                    }
                    for (JavaCodeUnit m : c.getCodeUnits()) {
                        boolean bad = involvesInetAddress(m.getReturnType())
                                || m.getParameterTypes().stream().anyMatch(ArchitectureTest::involvesInetAddress);
                        if (bad) {
                            events.add(SimpleConditionEvent.violated(m, m.getFullName() + " takes or returns an InetAddress"));
                        }
                    }
                }
            });
}
