# -*- coding: utf-8 -*-
# A client for ftpnatd's API socket: newline-delimited JSON over a unix-domain socket
# (docs/api.md). Shared by the ftpnat_policy and ftpnat_facts modules; standard library only.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import socket
import time

DEFAULT_SOCKET = "/run/ftpnat/ftpnat.sock"


class FtpnatUnreachable(Exception):
    """The daemon cannot be reached (no socket, nobody listening, permission denied)."""


class FtpnatError(Exception):
    """The daemon answered with an error: code (invalid_policy, kernel, forbidden, ...) and message."""

    def __init__(self, code, message):
        super(FtpnatError, self).__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message


class FtpnatClient(object):
    """One connection to ftpnatd; requests are answered in order."""

    def __init__(self, path=DEFAULT_SOCKET, timeout=30.0, wait=0.0):
        self.path = path
        self.timeout = timeout
        self.wait = wait
        self._sock = None
        self._buf = b""
        self._next_id = 0

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()

    def connect(self):
        """Connects; for up to `wait` seconds, a missing socket or a refused connection (a daemon
        that is starting: systemd reports the unit started before the JVM has bound its socket)
        is retried."""
        deadline = time.time() + (self.wait or 0)
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.path)
                self._sock = sock
                return
            except (OSError, socket.error) as e:
                sock.close()
                starting = getattr(e, "errno", None) in (errno.ENOENT, errno.ECONNREFUSED)
                if not starting or time.time() >= deadline:
                    raise FtpnatUnreachable("cannot reach ftpnatd at %s: %s (is the daemon running? "
                                            "systemctl status ftpnatd)" % (self.path, e))
                time.sleep(0.2)

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _send(self, cmd, args):
        self._next_id += 1
        request = {"v": 1, "id": self._next_id, "cmd": cmd}
        if args:
            request["args"] = args
        try:
            self._sock.sendall(json.dumps(request).encode("utf-8") + b"\n")
        except (OSError, socket.error) as e:
            raise FtpnatUnreachable("ftpnatd at %s closed the connection: %s" % (self.path, e))
        return self._next_id

    def _line(self):
        while b"\n" not in self._buf:
            try:
                chunk = self._sock.recv(65536)
            except socket.timeout:
                raise FtpnatUnreachable("ftpnatd at %s did not answer within %ss" % (self.path, self.timeout))
            except (OSError, socket.error) as e:
                raise FtpnatUnreachable("reading from ftpnatd at %s failed: %s" % (self.path, e))
            if not chunk:
                raise FtpnatUnreachable("ftpnatd at %s closed the connection before answering" % self.path)
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line.decode("utf-8"))

    @staticmethod
    def _raise_if_error(answer):
        if answer.get("ok") is False:
            error = answer.get("error") or {}
            raise FtpnatError(error.get("code", "unknown"), error.get("message", json.dumps(answer)))

    def call(self, cmd, args=None):
        """A single-answer command: returns its result object."""
        self._send(cmd, args)
        answer = self._line()
        self._raise_if_error(answer)
        return answer.get("result", {})

    def stream(self, cmd, args=None, limit=None):
        """A streamed command: returns (items, complete). With a limit, stops reading after that
        many items (complete is then False if more were coming) and closes the connection."""
        self._send(cmd, args)
        first = self._line()
        self._raise_if_error(first)
        items = []
        while True:
            if limit is not None and len(items) >= limit:
                self.close()
                return items, False
            line = self._line()
            if "item" in line:
                items.append(line["item"])
            elif line.get("restart"):
                items = []
            elif line.get("end"):
                return items, True
            else:
                self._raise_if_error(line)


def socket_argument_spec():
    return dict(
        socket=dict(type="path", default=DEFAULT_SOCKET),
        timeout=dict(type="float", default=30.0),
        wait=dict(type="float", default=30.0),
    )


def client_for(module):
    """A client with the module's socket, timeout and wait (no waiting in check mode: a daemon
    that is not running there is one the real run would install or start)."""
    wait = 0.0 if module.check_mode else module.params["wait"]
    return FtpnatClient(module.params["socket"], module.params["timeout"], wait)
