"""A raw-socket HTTP server on loopback that misbehaves on purpose (faults the real service cannot make).

Modes, one per connection in order (the last one repeats):

* ``reset``: read the headers and ``after`` bytes of the body, then reset the connection (RST);
* ``stall_upload``: read the headers, then never read the body (a tiny receive buffer makes the
  client's send block) until the test ends;
* ``stall_answer``: read the whole request, send the status line, headers and a few bytes of the
  body, then say nothing more;
* ``answer``: read the whole request and write ``raw`` (a complete or broken HTTP answer).
"""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    mode: str
    after: int = 0
    raw: bytes = b""


@dataclass
class Seen:
    headers: bytes
    body_read: int
    declared: int


@dataclass
class FaultServer:
    faults: list[Fault]
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.release = threading.Event()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited: uploads block early
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() below (close alone does not)
        except OSError:
            pass
        self.sock.close()
        for conn in self._conns:
            conn.close()
        self.thread.join(10)

    def _serve(self) -> None:
        number = 0
        while not self.release.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            fault = self.faults[min(number, len(self.faults) - 1)]
            number += 1
            threading.Thread(target=self._handle, args=(conn, fault), daemon=True).start()

    def _handle(self, conn: socket.socket, fault: Fault) -> None:
        conn.settimeout(30)
        try:
            head, rest = _read_head(conn)
            declared = _content_length(head)
            if fault.mode == "stall_upload":
                self.seen.append(Seen(head, len(rest), declared))
                self.release.wait(60)
                return
            want = min(declared, fault.after) if fault.mode == "reset" else declared
            body = rest
            while len(body) < want:
                chunk = conn.recv(min(65536, want - len(body)))
                if not chunk:
                    break
                body += chunk
            self.seen.append(Seen(head, len(body), declared))
            if fault.mode == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()  # RST: the client is in the middle of its upload
                return
            if fault.mode == "stall_answer":
                conn.sendall(b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 120\r\n\r\n{\"reference\": ")
                self.release.wait(60)
                return
            conn.sendall(fault.raw)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass


def _read_head(conn: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def http_answer(status: str, body: bytes, content_type: str = "application/json", length: int | None = None) -> bytes:
    """A raw HTTP/1.1 answer; ``length`` may lie (a cut-off body)."""
    size = len(body) if length is None else length
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {size}\r\n"
            f"Connection: close\r\n\r\n").encode() + body
