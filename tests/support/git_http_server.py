#!/usr/bin/env python3
"""A smart-HTTP git server for tests, as GitHub would answer: HTTP Basic auth with a token
(any user name, the token as the password), then `git http-backend` (CGI) on bare repos.

usage: git_http_server.py ROOT TOKEN [PUSH_DELAY_SECONDS [PORT [FETCH_DELAY_SECONDS]]]
With a push delay, the answer to a push's first request (the receive-pack advertisement)
comes that many seconds late, as from a slow network: a test can act while a push hangs.
With a fetch delay, the pack of a fetch or clone (the upload-pack POST, not the ref
advertisement that `ls-remote` reads) comes that many seconds late.
Serves http://127.0.0.1:PORT/OWNER/REPO.git from ROOT/OWNER/REPO.git on loopback only.
Prints the port it listens on as its first line, then logs one line per request to stderr.
The GitHub stand-in (github_api_server.py) serves git with `read_body` and `serve_git` from
here. Stdlib only."""
import base64
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read_body(handler):
    """The request's body, plain or chunked (git sends large pushes chunked)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        out = bytearray()
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(out)
            out += handler.rfile.read(size)
            handler.rfile.readline()
    n = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(n) if n else b""


def serve_git(handler, root, path, query, body):
    """Answers a smart-HTTP git request for ROOT's bare repositories through `git http-backend`;
    returns the status it sent."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_PROJECT_ROOT": root,
        "GIT_HTTP_EXPORT_ALL": "1",
        "REQUEST_METHOD": handler.command,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": handler.headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "REMOTE_USER": "token",
        "REMOTE_ADDR": "127.0.0.1",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    if handler.headers.get("Content-Encoding"):
        env["HTTP_CONTENT_ENCODING"] = handler.headers["Content-Encoding"]
    if handler.headers.get("Git-Protocol"):
        env["GIT_PROTOCOL"] = handler.headers["Git-Protocol"]
    done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=120)
    head, _, payload = done.stdout.partition(b"\r\n\r\n")
    status, headers = 200, []
    for line in head.decode(errors="replace").split("\r\n"):
        if not line:
            continue
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.strip().split()[0])
        elif key.lower() != "content-length":
            headers.append((key, value.strip()))
    handler.send_response(status)
    for key, value in headers:
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
    if done.stderr:
        sys.stderr.write(done.stderr.decode(errors="replace"))
    return status


def main():
    root, token = sys.argv[1], sys.argv[2]
    push_delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    port = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    fetch_delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0

    def authorized(header):
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except Exception:
            return False
        return bool(user) and password == token

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate small writes: without this, Nagle's algorithm
        # holds the second one for the client's delayed ACK (~40 ms per answer).
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):
            sys.stderr.write("git-http: " + (fmt % args) + "\n")

        def handle_any(self):
            body = read_body(self)
            if not authorized(self.headers.get("Authorization")):
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path, _, query = self.path.partition("?")
            if push_delay and "service=git-receive-pack" in query:
                time.sleep(push_delay)
            if fetch_delay and self.command == "POST" and path.endswith("/git-upload-pack"):
                time.sleep(fetch_delay)
            serve_git(self, root, path, query, body)

        do_GET = do_POST = handle_any

    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
