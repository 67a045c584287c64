#!/usr/bin/env python3
"""HTTP fixture server for the HTTPClient tests, on 127.0.0.1 only.

Prints the port it listens on as one line, then serves until its standard input closes.
With --cert and --key it serves HTTPS, and the certificate file may contain the whole chain.
With --client-ca as well, it requires a client certificate signed by that CA.

Endpoints:
  /echo            returns the request body unchanged; request headers come back as
                   x-echo-<name> response headers, the method as x-echo-method
  /gzip?bytes=N    N bytes of text, gzip-encoded (Content-Encoding: gzip)
  /slow?seconds=S  waits S seconds, then responds 200; with &group=G it counts the requests of
                   group G that wait at the same time
  /overlap?group=G the largest number of group G's /slow requests that waited at once, as text
  /huge?bytes=N    N bytes; add &chunked=1 to omit Content-Length
  /status?code=C   responds with status C
  /close-once?key=K  closes the connection without a response the first time key K arrives,
                   then responds 200
Every response carries x-connection-id, numbered per accepted TCP connection,
x-client-port, the peer's source port, and x-request-target, the request line's target
(an absolute URL when the request came as to a proxy).
"""

import argparse
import gzip
import http.server
import itertools
import os
import ssl
import sys
import threading
import time
import urllib.parse

CONNECTION_IDS = itertools.count(1)
CONNECTION_LOCK = threading.Lock()
CLOSED_KEYS = set()
SLOW_LOCK = threading.Lock()
SLOW_WAITING = {}
SLOW_PEAK = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with CONNECTION_LOCK:
            self.connection_id = next(CONNECTION_IDS)

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_PUT(self):
        self.route()

    def do_DELETE(self):
        self.route()

    def do_HEAD(self):
        self.route()

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        if url.path == "/echo":
            extra = [("x-echo-method", self.command)]
            extra += [("x-echo-" + name.lower(), value) for name, value in self.headers.items()]
            self.answer(200, body, extra)
        elif url.path == "/gzip":
            text = b"gzip fixture text\n" * (int(query.get("bytes", "1000")) // 18 + 1)
            text = text[: int(query.get("bytes", "1000"))]
            self.answer(200, gzip.compress(text), [("Content-Encoding", "gzip")])
        elif url.path == "/slow":
            self.wait_slowly(float(query.get("seconds", "5")), query.get("group"))
            self.answer(200, b"slow\n")
        elif url.path == "/overlap":
            with SLOW_LOCK:
                peak = SLOW_PEAK.get(query.get("group"), 0)
            self.answer(200, str(peak).encode())
        elif url.path == "/huge":
            self.send_huge(int(query.get("bytes", "0")), query.get("chunked") == "1")
        elif url.path == "/status":
            self.answer(int(query.get("code", "200")), b"status\n")
        elif url.path == "/close-once":
            self.close_once(query.get("key", ""))
        else:
            self.answer(404, b"not found\n")

    def wait_slowly(self, seconds, group):
        with SLOW_LOCK:
            SLOW_WAITING[group] = SLOW_WAITING.get(group, 0) + 1
            SLOW_PEAK[group] = max(SLOW_PEAK.get(group, 0), SLOW_WAITING[group])
        try:
            time.sleep(seconds)
        finally:
            with SLOW_LOCK:
                SLOW_WAITING[group] -= 1

    def answer(self, status, body, extra_headers=()):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-connection-id", str(self.connection_id))
        self.send_header("x-client-port", str(self.client_address[1]))
        self.send_header("x-request-target", self.path)
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def close_once(self, key):
        with CONNECTION_LOCK:
            first = key not in CLOSED_KEYS
            CLOSED_KEYS.add(key)
        if first:
            self.close_connection = True
        else:
            self.answer(200, b"second time\n")

    def send_huge(self, size, chunked):
        block = b"x" * 65536
        self.send_response(200)
        self.send_header("x-connection-id", str(self.connection_id))
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        remaining = size
        try:
            while remaining > 0:
                piece = block[: min(remaining, len(block))]
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                else:
                    self.wfile.write(piece)
                remaining -= len(piece)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that abort (timeouts, size limits, rejected TLS handshakes) are expected here.
        pass


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca")
    arguments = parser.parse_args()

    server = Server(("127.0.0.1", 0), Handler)
    if arguments.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(arguments.cert, arguments.key)
        if arguments.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(arguments.client_ca)
        # The handshake then happens in the connection's own thread, not in the accept loop.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
