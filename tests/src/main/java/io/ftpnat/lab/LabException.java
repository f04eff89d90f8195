package io.ftpnat.lab;

/** Something in the lab (a command, a process, a wait) did not go as it must. */
public class LabException extends RuntimeException {
    public LabException(String message) { super(message); }

    public LabException(String message, Throwable cause) { super(message, cause); }
}
