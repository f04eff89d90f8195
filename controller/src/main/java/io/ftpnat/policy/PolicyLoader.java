package io.ftpnat.policy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and validates a policy file: either a whole valid {@link Policy} or every problem found. */
public final class PolicyLoader {
    /** A policy is a few dozen lines; anything near this is a wrong file, not a policy. */
    static final long MAX_BYTES = 1 << 20;

    private final InterfaceCatalog interfaces;

    public PolicyLoader(InterfaceCatalog interfaces) {
        this.interfaces = interfaces;
    }

    public Policy load(Path file) throws PolicyException {
        String label = file.toString();
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw single(label, "the file is " + size + " bytes; a policy is at most " + MAX_BYTES);
            }
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
            return parse(text, label);
        } catch (NoSuchFileException e) {
            throw single(label, "no such file");
        } catch (CharacterCodingException e) {
            throw single(label, "not UTF-8 text");
        } catch (IOException e) {
            throw single(label, "cannot read: " + e.getMessage());
        }
    }

    public Policy parse(String text, String label) throws PolicyException {
        PolicyReader reader = new PolicyReader(label, interfaces);
        var policy = reader.read(text);
        List<PolicyProblem> problems = new ArrayList<>(reader.problems());
        policy.ifPresent(p -> problems.addAll(PolicyValidator.validate(p)));
        if (!problems.isEmpty() || policy.isEmpty()) {
            throw new PolicyException(problems);
        }
        return policy.get();
    }

    private static PolicyException single(String label, String message) {
        return new PolicyException(List.of(new PolicyProblem(SourceLocation.unknown(label), "", message)));
    }
}
