"""Opens N idle Pyro connections (handshake done) to 127.0.0.1:<port> and
holds them until stdin closes. Python 3, no Pyro needed.

usage: bench_core_idle.py <port> <n>
Prints 'HELD <n>' once all connections are established.
"""
import hashlib
import hmac
import socket
import struct
import sys


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("closed after %d bytes: %r" % (len(buf), buf))
        buf += chunk
    return buf


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    hdr = recv_exact(s, 18)
    size = struct.unpack("!4sHHlHl", hdr)[3]
    challenge = recv_exact(s, size)
    body = b"CONNECT" + hmac.new(challenge, b"", hashlib.md5).digest()
    s.sendall(struct.pack("!4sHHlHl", b"PYRO", 5, 18, len(body), 0, 0) + body)
    verdict = recv_exact(s, 7)
    if verdict != b"GRANTED":
        raise RuntimeError(verdict)
    return s


def main():
    port, n = int(sys.argv[1]), int(sys.argv[2])
    conns = [connect(port) for _ in range(n)]
    print("HELD %d" % len(conns), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
