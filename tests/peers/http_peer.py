"""HTTP peer for EventFlux's connector tests: a real HTTP/1.1 server (Python's http.server) whose
answers are scripted by path, recording every request to DIR/requests.jsonl.

  /ok/...       200
  /flaky/...    500 on the first request to that path, then 200
  /bad/...      400 with a message
  /limited/...  429 with Retry-After: 1 on the first request, then 200
  /slow/...     the first request waits 2 s before answering 200, later ones answer at once
  GET /prices   200 with a JSON array of two prices (for the poll source)
Prints READY on stdout once listening.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

seen = {}
lock = threading.Lock()
out_dir = sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/prices":
            body = json.dumps([{"symbol": "IBM", "price": 1.5}, {"symbol": "WSO2", "price": 2.5}])
            self.answer(200, body.encode(), [("Content-Type", "application/json")])
        else:
            self.answer(404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        with lock:
            n = seen.get(self.path, 0) + 1
            seen[self.path] = n
            with open(os.path.join(out_dir, "requests.jsonl"), "a") as f:
                f.write(json.dumps({
                    "path": self.path,
                    "n": n,
                    "t": time.time(),
                    "body": body,
                    "content_type": self.headers.get("Content-Type"),
                    "auth": self.headers.get("Authorization"),
                }) + "\n")
        kind = self.path.split("/")[1]
        if kind == "flaky" and n == 1:
            self.answer(500, b"try again")
        elif kind == "bad":
            self.answer(400, b"field 'price' is required")
        elif kind == "limited" and n == 1:
            self.answer(429, b"slow down", [("Retry-After", "1")])
        elif kind == "slow" and n == 1:
            time.sleep(2)
            self.answer(200)
        else:
            self.answer(200, b"ok")


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
print("READY", flush=True)
server.serve_forever()
