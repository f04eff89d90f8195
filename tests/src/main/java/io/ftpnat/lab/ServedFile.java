package io.ftpnat.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** A file the lab's FTP server serves, with the sha256 a download must reproduce. */
public record ServedFile(String name, Path path, long size, String sha256) {

    /** Writes {@code size} pseudo-random bytes (seeded by the name: the same file every run). */
    public static ServedFile create(Path dir, String name, int size) {
        byte[] data = new byte[size];
        new Random(name.hashCode()).nextBytes(data);
        Path p = dir.resolve(name);
        try {
            Files.write(p, data);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServedFile(name, p, size, sha256(data));
    }

    /**
     * A sparse file of {@code size} zero bytes (the benchmark's 1 GiB: no disk, served from the
     * page cache); its sha256 is computed only if asked for, it costs seconds.
     */
    public static ServedFile sparse(Path dir, String name, long size) {
        Path p = dir.resolve(name);
        try (var f = new java.io.RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServedFile(name, p, size, null);
    }

    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    /** The sha256 of a file's contents, streamed; null when the file does not exist. */
    public static String sha256(Path file) {
        if (!Files.exists(file)) return null;
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
