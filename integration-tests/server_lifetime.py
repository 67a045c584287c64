"""Shutdown triggers shared by the test servers (Defender emulator, fault proxy).

Each server runs until its stdin closes or its parent process ends, so a test that dies never
leaves a server behind. Both watchers run in daemon threads and call `server.shutdown()`.
"""

from __future__ import annotations

import os
import sys
import time
from http.server import ThreadingHTTPServer


def watch_stdin(server: ThreadingHTTPServer) -> None:
    """Shut `server` down when stdin reaches end of file."""
    while sys.stdin.buffer.read(65536):
        pass
    server.shutdown()


def watch_parent(server: ThreadingHTTPServer, parent_pid: int) -> None:
    """Shut `server` down once the process `parent_pid` no longer exists (checked every 0.5 s)."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass  # The process exists but belongs to another user.
    server.shutdown()
