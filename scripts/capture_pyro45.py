"""Records real Pyro 5 (protocol 502) and Pyro 4 (protocol 48) frames as golden
data for the protocol5 and protocol4 packages.

Run with the Python 3 of scripts/env.sh ($GOPYRO_PY3: Pyro4 4.82, Pyro5 5.17,
msgpack):

    $GOPYRO_PY3 scripts/capture_pyro45.py

For each generation it starts a child process (with every PYRO_* variable
removed from its environment: Pyro5 refuses the ones it does not know) in
which a real daemon and a real proxy talk through a recording TCP relay on
127.0.0.1 ephemeral ports, plus raw sockets that send hand-made frames to the
real daemon to record its refusals. The byte streams of each direction are cut
into frames with the generation's header and written to
protocol5/testdata/frames.txt and protocol4/testdata/frames.txt, one frame per
line, "<scenario>/<connection>/<n>-<direction> <hex>", each preceded by '#'
lines that decode it.
"""
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Stream(bytearray):
    """The bytes of one direction of a connection, with the arrival time of
    each received chunk: times is a list of (offset, time)."""

    def __init__(self, data=b"", t=0.0):
        super().__init__(data)
        self.times = [(0, t)] if data else []

    def time_at(self, offset):
        t = 0.0
        for off, when in self.times:
            if off > offset:
                break
            t = when
        return t


class Relay:
    """A TCP relay 127.0.0.1:<port> -> target that records both directions
    of every connection as byte streams."""

    def __init__(self, target):
        self.target = target
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.conns = []  # per connection: {"C2S": bytearray, "S2C": bytearray}
        self.lock = threading.Lock()
        self.threads = []
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            s = socket.create_connection(self.target, timeout=10)
            rec = {"C2S": Stream(), "S2C": Stream()}
            with self.lock:
                self.conns.append(rec)
            for src, dst, key in ((c, s, "C2S"), (s, c, "S2C")):
                t = threading.Thread(target=self._pump, args=(src, dst, rec[key]), daemon=True)
                t.start()
                self.threads.append(t)

    @staticmethod
    def _pump(src, dst, buf):
        while True:
            try:
                b = src.recv(65536)
            except OSError:
                b = b""
            if not b:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            buf.times.append((len(buf), time.monotonic()))
            buf.extend(b)
            try:
                dst.sendall(b)
            except OSError:
                return

    def take(self):
        """Waits until the relayed connections went quiet, returns and forgets them."""
        time.sleep(0.3)
        with self.lock:
            conns, self.conns = self.conns, []
        return conns

    def close(self):
        self.lsock.close()


def raw_exchange(port, data, timeout=5):
    """Sends data on a new connection to port and returns what comes back until
    the peer closes or stays silent."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    got = bytearray()
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got.extend(b)
    except socket.timeout:
        pass
    s.close()
    return {"C2S": Stream(data, 0.0), "S2C": Stream(got, 1.0)}


# ---------------------------------------------------------------- framing

def split5(stream):
    """Cuts a protocol 502 byte stream into frames (a trailing fragment is kept whole)."""
    out, i = [], 0
    while i < len(stream):
        if len(stream) - i < 40 or stream[i:i + 4] != b"PYRO" or stream[i + 4:i + 6] != b"\x01\xf6":
            out.append(bytes(stream[i:]))
            break
        dlen, alen = struct.unpack("!II", stream[i + 12:i + 20])
        n = 40 + alen + dlen
        out.append(bytes(stream[i:i + n]))
        i += n
    return out


def split4(stream):
    """Cuts a protocol 48 byte stream into frames."""
    out, i = [], 0
    while i < len(stream):
        if len(stream) - i < 24 or stream[i:i + 4] != b"PYRO" or stream[i + 4:i + 6] != b"\x00\x30":
            out.append(bytes(stream[i:]))
            break
        dlen, = struct.unpack("!i", stream[i + 12:i + 16])
        alen, = struct.unpack("!H", stream[i + 18:i + 20])
        n = 24 + alen + max(dlen, 0)
        out.append(bytes(stream[i:i + n]))
        i += n
    return out


TYPES = {1: "CONNECT", 2: "CONNECTOK", 3: "CONNECTFAIL", 4: "INVOKE", 5: "RESULT", 6: "PING"}
FLAGS5 = ["EXCEPTION", "COMPRESSED", "ONEWAY", "BATCH", "ITEMSTREAMRESULT", "KEEPSERIALIZED", "CORR_ID"]
FLAGS4 = ["EXCEPTION", "COMPRESSED", "ONEWAY", "BATCH", "META_ON_CONNECT", "ITEMSTREAMRESULT", "KEEPSERIALIZED"]
SER5 = {1: "serpent", 2: "marshal", 3: "json", 4: "msgpack"}
SER4 = {1: "serpent", 2: "json", 3: "marshal", 4: "pickle", 6: "msgpack"}


def flagnames(flags, names):
    s = [n for b, n in enumerate(names) if flags & (1 << b)]
    return "|".join(s) or "none"


def describe5(f):
    if len(f) < 40:
        return ["not a frame (%d bytes)" % len(f)]
    _, ver, typ, ser, flags, seq, dlen, alen, corr, res, magic = struct.unpack("!4sHBBHHII16sHH", f[:40])
    lines = ["header: version=%d type=%s serializer=%d(%s) flags=0x%04x(%s) seq=%d datalen=%d annlen=%d corr=%s magic=0x%04x"
             % (ver, TYPES.get(typ, typ), ser, SER5.get(ser, "?"), flags, flagnames(flags, FLAGS5), seq, dlen, alen,
                corr.hex(), magic)]
    i = 40
    if len(f) < 40 + alen + dlen:
        return lines + ["frame truncated: %d of %d bytes present" % (len(f), 40 + alen + dlen)]
    while i < 40 + alen:
        if i + 8 > 40 + alen:
            lines.append("annotation header cut short: %s" % f[i:40 + alen].hex())
            break
        k, n = struct.unpack("!4sI", f[i:i + 8])
        lines.append("annotation %s (%d bytes): %s" % (k.decode("ascii", "replace"), n, f[i + 8:i + 8 + n].hex()))
        i += 8 + n
    data = f[40 + alen:]
    return lines + payload_lines(data, flags & 2)


def describe4(f, key=None):
    if len(f) < 24:
        return ["not a frame (%d bytes)" % len(f)]
    _, ver, typ, flags, seq, dlen, ser, alen, res, csum = struct.unpack("!4sHHHHiHHHH", f[:24])
    lines = ["header: version=%d type=%s flags=0x%04x(%s) seq=%d datalen=%d serializer=%d(%s) annlen=%d checksum=0x%04x"
             % (ver, TYPES.get(typ, typ), flags, flagnames(flags, FLAGS4), seq, dlen, ser, SER4.get(ser, "?"), alen, csum)]
    i, anns = 24, {}
    if len(f) < 24 + alen + max(dlen, 0):
        return lines + ["frame truncated: %d of %d bytes present" % (len(f), 24 + alen + max(dlen, 0))]
    while i < 24 + alen:
        if i + 6 > 24 + alen:
            lines.append("annotation header cut short: %s" % f[i:24 + alen].hex())
            break
        k, n = struct.unpack("!4sH", f[i:i + 6])
        anns[k.decode("ascii", "replace")] = f[i + 6:i + 6 + n]
        lines.append("annotation %s (%d bytes): %s" % (k.decode("ascii", "replace"), n, f[i + 6:i + 6 + n].hex()))
        i += 6 + n
    data = f[24 + alen:]
    if "HMAC" in anns and key is not None:
        import hashlib
        import hmac
        mac = hmac.new(key, data, digestmod=hashlib.sha1)
        for k, v in sorted(anns.items()):
            if k != "HMAC":
                mac.update(v)
        ok = "matches" if mac.digest() == anns["HMAC"] else "DOES NOT match"
        lines.append("HMAC-SHA1(key=%r, data + other annotation values sorted by id) %s" % (key, ok))
    return lines + payload_lines(data, flags & 2)


def payload_lines(data, compressed):
    lines = []
    if compressed:
        try:
            plain = zlib.decompress(data)
            lines.append("data is zlib-compressed (%d bytes), decompressed %d bytes:" % (len(data), len(plain)))
            data = plain
        except zlib.error as x:
            lines.append("data flagged COMPRESSED but not zlib: %s" % x)
    lines.append("data: %r" % bytes(data[:300]) + (" ..." if len(data) > 300 else ""))
    return lines


def write_frames(path, header, scenarios, split, describe):
    """scenarios: list of (name, description, connections, describe-kwargs)."""
    count = 0
    with open(path, "w") as out:
        out.write(header)
        for name, desc, conns, kw in scenarios:
            out.write("\n# ==== %s: %s\n" % (name, desc))
            for ci, rec in enumerate(conns, 1):
                # Both directions in the order their first bytes arrived.
                order = []
                for d in ("C2S", "S2C"):
                    off = 0
                    for fr in split(rec[d]):
                        order.append((rec[d].time_at(off), d, fr))
                        off += len(fr)
                order.sort(key=lambda e: e[0])
                for n, (_, d, fr) in enumerate(order, 1):
                    label = "%s/conn%d/%d-%s" % (name, ci, n, d)
                    for line in describe(fr, **kw):
                        out.write("# %s\n" % line)
                    out.write("%s %s\n" % (label, fr.hex()))
                    count += 1
    return count


# ---------------------------------------------------------------- Pyro 5

def run5():
    import Pyro5.api
    import Pyro5.errors
    from Pyro5 import config, protocol
    from Pyro5.callcontext import current_context

    @Pyro5.api.expose
    class Thing:
        def add(self, a, b):
            return a + b

        def echo(self, x):
            return x

        def fail(self, msg):
            raise ValueError(msg)

        @Pyro5.api.oneway
        def start(self, n):
            pass

        def gen(self, n):
            yield from range(n)

        @property
        def value(self):
            return 42

    class Refuser(Pyro5.api.Daemon):
        def validateHandshake(self, conn, data):
            raise ValueError("go away: %r" % (data,))

    daemon = Pyro5.api.Daemon(host="127.0.0.1", port=0)
    daemon.register(Thing(), "thing")
    threading.Thread(target=daemon.requestLoop, daemon=True).start()
    refuser = Refuser(host="127.0.0.1", port=0)
    threading.Thread(target=refuser.requestLoop, daemon=True).start()
    relay = Relay(("127.0.0.1", daemon.sock.getsockname()[1]))
    rrelay = Relay(("127.0.0.1", refuser.sock.getsockname()[1]))
    uri = "PYRO:thing@127.0.0.1:%d" % relay.port
    scen = []

    def record(name, desc, fn, rel=relay):
        fn()
        scen.append((name, desc, rel.take(), {}))

    for ser in ("serpent", "json", "marshal", "msgpack"):
        def calls(ser=ser):
            with Pyro5.api.Proxy(uri) as p:
                p._pyroSerializer = ser
                assert p.add(3, 4) == 7
                protocol.SendingMessage.ping(p._pyroConnection)
                p.start(5)
                try:
                    p.fail("boom")
                except ValueError:
                    pass
        record("call_" + ser, "serializer %s: connect, add(3, 4) -> 7, PING, oneway start(5), fail('boom') -> ValueError" % ser, calls)

    def compressed():
        config.COMPRESSION = True
        try:
            with Pyro5.api.Proxy(uri) as p:
                assert p.echo("A" * 300) == "A" * 300
                p.echo("short")
        finally:
            config.COMPRESSION = False
    record("compressed", "COMPRESSION on both sides (level 4, data > 100 bytes): echo('A'*300), echo('short')", compressed)

    def batch():
        with Pyro5.api.Proxy(uri) as p:
            b = Pyro5.api.BatchProxy(p)
            b.add(1, 2)
            b.echo("x")
            b.fail("in batch")
            try:
                list(b())
            except ValueError:
                pass
    record("batch", "batch of add(1, 2), echo('x'), fail('in batch')", batch)

    def stream():
        with Pyro5.api.Proxy(uri) as p:
            assert list(p.gen(3)) == [0, 1, 2]
    record("stream", "item stream: gen(3) -> STRM annotation, get_next_stream_item calls until StopIteration", stream)

    def corr_ann():
        current_context.correlation_id = uuid.UUID("0123456789abcdef0123456789abcdef")
        current_context.annotations = {"XTRA": b"extra annotation", "ZERO": b""}
        try:
            with Pyro5.api.Proxy(uri) as p:
                assert p.value == 42
        finally:
            current_context.correlation_id = None
            current_context.annotations = {}
    record("corr_annotations", "client correlation id 0123456789abcdef0123456789abcdef and annotations XTRA, ZERO (empty); attribute get 'value'", corr_ann)

    def refused():
        try:
            with Pyro5.api.Proxy("PYRO:thing@127.0.0.1:%d" % rrelay.port) as p:
                p._pyroBind()
        except Pyro5.errors.CommunicationError:
            pass
    record("connectfail", "daemon whose validateHandshake raises ValueError: CONNECTFAIL with the reason text", refused, rrelay)

    dport = daemon.sock.getsockname()[1]
    good = protocol.SendingMessage(protocol.MSG_CONNECT, 0, 0, 2, b"\xfb\x00", None).data  # marshal: empty dict
    errs = [
        ("wrong_version", "a Pyro4 (protocol 48) CONNECT header", b"PYRO\x00\x30" + b"\x00" * 34),
        ("bad_magic", "protocol 502 header with magic 0x0000", good[:38] + b"\x00\x00" + good[40:]),
        ("invoke_first", "INVOKE before CONNECT", protocol.SendingMessage(protocol.MSG_INVOKE, 0, 7, 2, b"\xfb\x00", None).data),
        ("too_large", "header announcing data and annotations of 2 GiB together (limit 1 GiB)",
         struct.pack("!4sHBBHHII16sHH", b"PYRO", 502, 1, 2, 0, 3, 0x40000000, 0x40000000, b"\0" * 16, 0, 0x4dc5)),
        ("bad_annotation", "annotation chunk longer than the annotations",
         struct.pack("!4sHBBHHII16sHH", b"PYRO", 502, 1, 2, 0, 4, 2, 8, b"\0" * 16, 0, 0x4dc5) + b"XTRA\x00\x00\x00\x09\xfb\x00"),
    ]
    for name, desc, data in errs:
        scen.append(("error_" + name, "raw frame to the daemon: %s; it answers CONNECTFAIL (marshal) with Pyro5's text" % desc,
                     [raw_exchange(dport, data, timeout=2)], {}))
    relay.close()
    rrelay.close()
    daemon.shutdown()
    refuser.shutdown()
    path = os.path.join(ROOT, "protocol5", "testdata", "frames.txt")
    n = write_frames(path, "# Pyro5 5.17 protocol 502 frames recorded by scripts/capture_pyro45.py through a TCP relay\n"
                     "# on 127.0.0.1 (real daemon, real proxy; error_* scenarios send raw frames to the daemon).\n"
                     "# One frame per line: <scenario>/<connection>/<n>-<C2S|S2C> <hex of header+annotations+data>,\n"
                     "# preceded by '#' lines decoding it. Python %s, Pyro5 %s.\n" % (sys.version.split()[0], Pyro5.__version__),
                     scen, split5, describe5)
    print("protocol5: %d frames in %d scenarios -> %s" % (n, len(scen), path))


# ---------------------------------------------------------------- Pyro 4

def run4():
    import Pyro4
    import Pyro4.errors
    import Pyro4.message as message
    import Pyro4.util
    from Pyro4.configuration import config
    from Pyro4.core import current_context

    config.SERIALIZERS_ACCEPTED = {"serpent", "json", "marshal", "pickle", "msgpack"}

    @Pyro4.expose
    class Thing:
        def add(self, a, b):
            return a + b

        def echo(self, x):
            return x

        def fail(self, msg):
            raise ValueError(msg)

        @Pyro4.oneway
        def start(self, n):
            pass

        def gen(self, n):
            yield from range(n)

        @property
        def value(self):
            return 42

    KEY = b"s3cr3t key"

    def serve(key=None):
        d = Pyro4.Daemon(host="127.0.0.1", port=0)
        d._pyroHmacKey = key
        d.register(Thing(), "thing")
        threading.Thread(target=d.requestLoop, daemon=True).start()
        return d

    daemon, hdaemon = serve(), serve(KEY)
    # A daemon with Pyro4's default SERIALIZERS_ACCEPTED plus msgpack: no pickle.
    config.SERIALIZERS_ACCEPTED = {"serpent", "json", "marshal", "msgpack"}
    sdaemon = serve()
    srelay = Relay(("127.0.0.1", sdaemon.sock.getsockname()[1]))
    relay = Relay(("127.0.0.1", daemon.sock.getsockname()[1]))
    hrelay = Relay(("127.0.0.1", hdaemon.sock.getsockname()[1]))
    uri = "PYRO:thing@127.0.0.1:%d" % relay.port
    huri = "PYRO:thing@127.0.0.1:%d" % hrelay.port
    scen = []

    def record(name, desc, fn, rel=relay, key=None):
        fn()
        scen.append((name, desc, rel.take(), {"key": key}))

    def calls(ser, u=uri, key=None):
        def run():
            with Pyro4.Proxy(u) as p:
                p._pyroSerializer = ser
                p._pyroHmacKey = key
                assert p.add(3, 4) == 7
                try:
                    message.Message.ping(p._pyroConnection, hmac_key=key)
                except Pyro4.errors.SecurityError:
                    # Pyro4's Message.ping signs the PING but reads the
                    # answer without the key, so a signed pong is refused.
                    assert key
                p.start(5)
                try:
                    p.fail("boom")
                except ValueError:
                    pass
        return run

    for ser in ("serpent", "json", "marshal", "msgpack", "pickle"):
        record("call_" + ser, "serializer %s: connect, add(3, 4) -> 7, PING, oneway start(5), fail('boom') -> ValueError" % ser,
               calls(ser))
    record("hmac_call", "HMAC key %r on both sides, serpent: the same calls" % KEY, calls("serpent", huri, KEY), hrelay, KEY)

    class AnnotatingProxy(Pyro4.Proxy):
        # Pyro4 clears current_context.annotations after every message; this
        # hook adds them to each one.
        def _pyroAnnotations(self):
            return {"XTRA": b"extra annotation", "AAAA": b"sorts first", "ZERO": b""}

    def hmac_ann():
        current_context.correlation_id = uuid.UUID("0123456789abcdef0123456789abcdef")
        try:
            with AnnotatingProxy(huri) as p:
                p._pyroHmacKey = KEY
                assert p.value == 42
                p.echo("A" * 300)
        finally:
            current_context.correlation_id = None
    record("hmac_annotations", "HMAC key %r, correlation id 0123456789abcdef0123456789abcdef, annotations XTRA, AAAA, ZERO "
           "(empty): attribute get 'value', echo('A'*300)" % KEY, hmac_ann, hrelay, KEY)

    def hmac_wrong():
        try:
            with Pyro4.Proxy(huri) as p:
                p._pyroHmacKey = b"wrong key"
                p._pyroBind()
        except Pyro4.errors.PyroError:
            pass
    record("hmac_wrong_key", "client key b'wrong key', daemon key %r: daemon answers CONNECTFAIL 'message hmac mismatch' "
           "(signed with its own key)" % KEY, hmac_wrong, hrelay, KEY)

    def hmac_missing():
        try:
            with Pyro4.Proxy(huri) as p:
                p._pyroBind()
        except Pyro4.errors.PyroError:
            pass
    record("hmac_client_without_key", "client without key, daemon key %r: CONNECTFAIL 'hmac key config not symmetric'" % KEY,
           hmac_missing, hrelay, KEY)

    def hmac_daemon_without():
        try:
            with Pyro4.Proxy(uri) as p:
                p._pyroHmacKey = KEY
                p._pyroBind()
        except Pyro4.errors.PyroError:
            pass
    record("hmac_daemon_without_key", "client key %r, daemon without key: CONNECTFAIL 'hmac key config not symmetric' "
           "(unsigned)" % KEY, hmac_daemon_without, relay, KEY)

    def compressed():
        config.COMPRESSION = True
        try:
            with Pyro4.Proxy(uri) as p:
                assert p.echo("A" * 300) == "A" * 300
                p.echo("short")
        finally:
            config.COMPRESSION = False
    record("compressed", "COMPRESSION on both sides (default level, data >= 200 bytes, only if smaller): echo('A'*300), "
           "echo('short')", compressed)

    def batch():
        with Pyro4.Proxy(uri) as p:
            b = Pyro4.batch(p)
            b.add(1, 2)
            b.echo("x")
            b.fail("in batch")
            try:
                list(b())
            except ValueError:
                pass
    record("batch", "batch of add(1, 2), echo('x'), fail('in batch')", batch)

    def stream():
        with Pyro4.Proxy(uri) as p:
            assert list(p.gen(3)) == [0, 1, 2]
    record("stream", "item stream: gen(3) -> STRM annotation, get_next_stream_item calls until StopIteration", stream)

    def ser_refused():
        try:
            with Pyro4.Proxy("PYRO:thing@127.0.0.1:%d" % srelay.port) as p:
                p._pyroSerializer = "pickle"
                p._pyroBind()
        except Pyro4.errors.PyroError:
            pass
    record("serializer_refused", "daemon accepting serpent,json,marshal,msgpack; client with pickle: CONNECTFAIL", ser_refused,
           srelay)

    dport = daemon.sock.getsockname()[1]
    good = message.Message(message.MSG_CONNECT, b"\xfb\x00", 3, 0, 0).to_bytes()
    bad_sum = bytearray(good)
    bad_sum[23] ^= 1
    errs = [
        ("wrong_version", "a Pyro5 (protocol 502) CONNECT header", b"PYRO\x01\xf6" + b"\x00" * 34),
        ("bad_checksum", "protocol 48 CONNECT with the checksum off by one bit", bytes(bad_sum)),
        ("invoke_first", "INVOKE before CONNECT", message.Message(message.MSG_INVOKE, b"\xfb\x00", 3, 0, 7).to_bytes()),
        ("unexpected_hmac", "CONNECT with an HMAC annotation to a daemon without key",
         message.Message(message.MSG_CONNECT, b"\xfb\x00", 3, 0, 0, hmac_key=b"k").to_bytes()),
    ]
    for name, desc, data in errs:
        scen.append(("error_" + name, "raw frame to the daemon: %s; it answers CONNECTFAIL (marshal) with Pyro4's text" % desc,
                     [raw_exchange(dport, data, timeout=2)], {"key": None}))
    hport = hdaemon.sock.getsockname()[1]
    scen.append(("error_missing_hmac", "raw unsigned CONNECT to the daemon with key %r: CONNECTFAIL signed with its key" % KEY,
                 [raw_exchange(hport, good, timeout=2)], {"key": KEY}))
    for r in (relay, hrelay, srelay):
        r.close()
    for d in (daemon, hdaemon, sdaemon):
        d.shutdown()
    path = os.path.join(ROOT, "protocol4", "testdata", "frames.txt")
    n = write_frames(path, "# Pyro4 4.82 protocol 48 frames recorded by scripts/capture_pyro45.py through a TCP relay\n"
                     "# on 127.0.0.1 (real daemon, real proxy; error_* scenarios send raw frames to the daemon).\n"
                     "# One frame per line: <scenario>/<connection>/<n>-<C2S|S2C> <hex of header+annotations+data>,\n"
                     "# preceded by '#' lines decoding it. Python %s, Pyro4 %s; HMAC key of the hmac_* scenarios: %r.\n"
                     % (sys.version.split()[0], Pyro4.__version__, KEY),
                     scen, split4, describe4)
    print("protocol4: %d frames in %d scenarios -> %s" % (n, len(scen), path))


def main():
    if len(sys.argv) == 2 and sys.argv[1] in ("4", "5"):
        {"4": run4, "5": run5}[sys.argv[1]]()
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYRO_")}
    for gen in ("5", "4"):
        subprocess.run([sys.executable, os.path.abspath(__file__), gen], env=env, check=True, timeout=120)


if __name__ == "__main__":
    main()
