#!/usr/bin/env python3
"""A server that records every request it gets, for tests that prove a token never reaches it.

usage: recorder.py ADDRESS LOG_FILE [--tls CERT KEY] [--redirect BASE]
Listens on ADDRESS (any port), prints its port as the first line, and appends one JSON line
per request to LOG_FILE: {"method", "path", "headers": {name: value}, "basic"} ("basic": the
decoded user:password of a Basic Authorization header, if any). It answers every
request the way a server asking for credentials does (401 with a Basic challenge and
GitHub's "Bad credentials" body), so that a client holding a token would send it on the
next request; with --redirect BASE it answers 302 to BASE + the same path instead, as a
repository host that moved elsewhere would. With --tls it speaks HTTPS with CERT and KEY
(PEM). Stdlib only."""
import base64
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = sys.argv[1:]
ADDRESS, LOG = args[0], args[1]
TLS = args[args.index("--tls") + 1: args.index("--tls") + 3] if "--tls" in args else None
REDIRECT = args[args.index("--redirect") + 1] if "--redirect" in args else None
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        entry = {"method": self.command, "path": self.path, "headers": dict(self.headers.items())}
        auth = self.headers.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                entry["basic"] = base64.b64decode(auth[6:].strip()).decode(errors="replace")
            except ValueError:
                entry["basic"] = auth[6:]
        with LOCK, open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")
        if REDIRECT:
            self.send_response(302)
            self.send_header("Location", REDIRECT + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}'
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="recorder"')
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = handle_any


server = ThreadingHTTPServer((ADDRESS, 0), Handler)
if TLS:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS[0], TLS[1])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
