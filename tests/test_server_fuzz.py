"""Malformed HTTP and random bytes never get a 5xx or bring ``kg serve`` down (loopback only, bounded)."""
from __future__ import annotations

import random
import socket

from test_server import http, post_query, running_server

CASES = [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET /sparql?query=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /sparql?query=" + b"A" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\nquery=ASK{}",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 4\r\n\r\n\xff\xfe\x00\x01",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\nquery=%C3",
    b"GET /resource/%00%ff../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /" + b"../" * 50 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X-Big: " + b"y" * 100000 + b"\r\n\r\n",
    b"BREW /sparql HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D HTTP/1.1\r\nHost: x\r\nAccept: \x00\xff\r\n\r\n",
]


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass     # the server may close early on a bad request; what it answered is what counts
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except OSError:
            pass
    return b"".join(chunks)


def _status(answer: bytes) -> int | None:
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and answer.startswith(b"HTTP/") and parts[1].isdigit() else None


def test_malformed_requests_and_random_bytes_get_no_5xx(built_store, tmp_path, capsys):
    rng = random.Random(20261123)
    cases = list(CASES) + [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 600))) for _ in range(150)]
    cases += [b"GET /sparql?query=" + bytes(rng.randrange(33, 127) for _ in range(80)) + b" HTTP/1.1\r\n\r\n"
              for _ in range(50)]
    with running_server(built_store, tmp_path, "--timeout", "2", "--workers", "2") as proc:
        port = int(proc.base.rsplit(":", 1)[1])
        statuses = [_status(_raw(port, c)) for c in cases]
        server_errors = [(i, s) for i, s in enumerate(statuses) if s is not None and s >= 500]
        assert server_errors == [], f"5xx answers to malformed input: {server_errors[:10]}"
        assert proc.poll() is None, "the server died"
        status, _, body = post_query(proc.base, "ASK { ?s a rkg:Zone }")
        assert status == 200 and b"true" in body
        assert http(proc.base + "/")[0] == 200
    with capsys.disabled():
        answered = [s for s in statuses if s is not None]
        print(f"\nfuzz: {len(cases)} requests, {len(answered)} answered, statuses {sorted(set(answered))}")
