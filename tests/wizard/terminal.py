"""A pseudo-terminal driver (stdlib ``pty``): start a command on a terminal, wait for text, type keys."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import termios
from collections.abc import Mapping, Sequence
from pathlib import Path

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")
ENTER, DOWN, CTRL_C = "\r", "\x1b[B", "\x03"


class Terminal:
    """``expect`` waits (up to ``timeout`` s, a safety net against a hang, not a timing assertion) for text to
    appear after everything matched so far; ``send`` types."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 120.0) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the command, with the terminal as stdin, stdout and stderr
            try:
                os.chdir(cwd)
                os.execve(argv[0], list(argv), dict(env))
            finally:
                os._exit(127)
        self.pid, self.fd, self.timeout = pid, fd, timeout
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
        self.raw = b""
        self.seen = 0  # the end of the last match in the plain text
        self.code: int | None = None

    @property
    def text(self) -> str:
        return ANSI.sub(b"", self.raw).decode("utf-8", "replace")

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.raw += chunk
        return bool(chunk)

    def expect(self, needle: str) -> str:
        import time

        deadline = time.monotonic() + self.timeout
        while True:
            found = self.text.find(needle, self.seen)
            if found >= 0:
                self.seen = found + len(needle)
                return self.text
            if time.monotonic() > deadline or not self._read(1.0):
                raise AssertionError(f"{needle!r} did not appear; the terminal shows:\n{self.text[-3000:]}")

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def answer(self, question: str, keys: str = ENTER) -> None:
        self.expect(question)
        self.send(keys)

    def wait(self) -> int:
        """Read to the end and return the exit code."""
        while self._read(1.0) or self._alive():
            pass
        assert self.code is not None
        os.close(self.fd)
        return self.code

    def _alive(self) -> bool:
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return True
        self.code = os.waitstatus_to_exitcode(status)
        return False
