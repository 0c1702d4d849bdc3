"""An HTTP proxy that tunnels ``CONNECT``, as squid or an office's proxy does, on loopback.

The system proxy of most networks (and of every Windows proxy setting) is this kind. It speaks
the real protocol: it reads the ``CONNECT host:port`` request, answers ``200`` and relays bytes
both ways, so TLS runs end to end through it. It records each request, and can answer with a
refusal instead (``407``, ``502``). It only ever connects to 127.0.0.1, and it maps the name
``localhost`` itself, so the test process's name lookups stay those of the client.
"""

from __future__ import annotations

import contextlib
import socket
import threading

_LOCAL_NAMES = {"localhost": "127.0.0.1", "127.0.0.1": "127.0.0.1"}


class ConnectProxy:
    def __init__(self, answer: bytes | None = None) -> None:
        self.answer = answer
        """Sent instead of tunnelling, e.g. ``b"HTTP/1.1 407 Proxy Authentication Required"``."""
        self.requests: list[bytes] = []
        """Each request's head as received (request line and headers)."""
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = int(self._listener.getsockname()[1])
        self._closed = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._start(self._accept)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def targets(self) -> list[str]:
        """The ``host:port`` of each CONNECT received."""
        found = []
        for head in self.requests:
            parts = head.split(b"\r\n", 1)[0].split(b" ")
            if len(parts) == 3 and parts[0] == b"CONNECT":
                found.append(parts[1].decode("ascii", "replace"))
        return found

    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._sockets.append(client)
            self._start(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(30)
        head = b""
        try:
            while b"\r\n\r\n" not in head and len(head) < 16384:
                data = client.recv(4096)
                if not data:
                    return
                head += data
        except OSError:
            return
        with self._lock:
            self.requests.append(head.split(b"\r\n\r\n", 1)[0])
        line = head.split(b"\r\n", 1)[0].split(b" ")
        if self.answer is not None:
            self._reply(client, self.answer)
            return
        if len(line) != 3 or line[0] != b"CONNECT":
            self._reply(client, b"HTTP/1.1 405 Method Not Allowed")
            return
        host, _, port = line[1].decode("ascii", "replace").rpartition(":")
        address = _LOCAL_NAMES.get(host)
        if address is None or not port.isdigit():
            self._reply(client, b"HTTP/1.1 502 Bad Gateway")
            return
        upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            upstream.settimeout(10)
            upstream.connect((address, int(port)))
        except OSError:
            upstream.close()
            self._reply(client, b"HTTP/1.1 502 Bad Gateway")
            return
        upstream.settimeout(30)
        with self._lock:
            self._sockets.append(upstream)
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self._start(self._pump, upstream, client)
        self._pump(client, upstream)

    def _reply(self, client: socket.socket, status: bytes) -> None:
        with contextlib.suppress(OSError):
            client.sendall(status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.shutdown(socket.SHUT_RDWR)
        client.close()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(16384)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        for thread in self._threads:
            thread.join(timeout=10)
