package io.ftpnat.ftp;

/** A line that claims to be a data-channel command or reply but does not parse; says why. */
public final class FtpSyntaxException extends Exception {
    public FtpSyntaxException(String message) {
        super(message);
    }
}
