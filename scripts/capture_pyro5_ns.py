"""Records the answers of Pyro5 5.17's own name server, per call and per
serializer, as the oracle that ns/pyro5_oracle_test.go replays against ours.

Run with the Python 3 of scripts/env.sh ($GOPYRO_PY3, with Pyro5 and msgpack):

    $GOPYRO_PY3 scripts/capture_pyro5_ns.py

For each of serpent, marshal, json and msgpack it starts a fresh Pyro5 name
server (Pyro5.nameserver.start_ns, in memory, on 127.0.0.1 and an ephemeral
port, no broadcast), connects to Pyro.NameServer with a raw socket, sends the
CONNECT and then every call of CALLS as the messages a Pyro5 proxy sends
(serializer.dumpsCall), and records the request data and the reply data
(with its EXCEPTION flag) in ns/testdata/pyro5_oracle.json. The Go test sends
the same request bytes to our pyro-ns and compares the decoded replies; the
name server's port is recorded so that the URIs can be compared.
"""
import base64
import json
import os
import socket
import sys
import threading
import warnings

for k in [k for k in os.environ if k.startswith("PYRO")]:
    del os.environ[k]  # Pyro5 refuses the PYRO_* variables it does not know

from Pyro5 import core, errors, nameserver, protocol, serializers, socketutil  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "ns", "testdata", "pyro5_oracle.json")

NS = core.NAMESERVER_NAME
U1 = "PYRO:obj_1@127.0.0.1:5001"
U2 = "PYRO:obj_2@127.0.0.1:5002"

# (label, method, vargs, kwargs), run in this order on one name server.
CALLS = [
    ("ping", "ping", (), {}),
    ("count", "count", (), {}),
    ("lookup_self", "lookup", (NS,), {}),
    ("lookup_self_meta", "lookup", (NS,), {"return_metadata": True}),
    ("list_empty", "list", (), {}),
    ("register", "register", ("example.one", U1), {}),
    ("register_meta", "register", ("example.two", U2), {"metadata": {"blue", "red"}}),
    ("register_uri_object", "register", ("example.three", core.URI(U1)), {"metadata": ["green"]}),
    ("register_replace", "register", ("example.one", U2, False, ["x"]), {}),
    ("register_safe", "register", ("example.one", U1), {"safe": True}),
    ("register_name_int", "register", (42, U1), {}),
    ("register_uri_int", "register", ("a", 42), {}),
    ("register_uri_invalid", "register", ("a", "nonsense"), {}),
    ("register_uri_noloc", "register", ("a", "PYRO:obj"), {}),
    ("register_uri_protocol", "register", ("a", "PYROX:obj@127.0.0.1:1"), {}),
    ("register_uri_port", "register", ("a", "PYRO:obj@127.0.0.1:xx"), {}),
    ("register_meta_str", "register", ("a", U1), {"metadata": "tag"}),
    ("register_meta_int", "register", ("a", U1), {"metadata": 5}),
    ("register_missing", "register", ("a",), {}),
    ("register_too_many", "register", ("a", U1, False, None, 1), {}),
    ("register_kwarg", "register", ("a", U1), {"colour": 1}),
    ("count_after", "count", (), {}),
    ("lookup", "lookup", ("example.one",), {}),
    ("lookup_meta", "lookup", ("example.two",), {"return_metadata": True}),
    ("lookup_meta_none", "lookup", ("example.one",), {"return_metadata": False}),
    ("lookup_unknown", "lookup", ("nothing",), {}),
    ("lookup_missing", "lookup", (), {}),
    ("list", "list", (), {}),
    ("list_meta", "list", (), {"return_metadata": True}),
    ("list_prefix", "list", ("example.t",), {}),
    ("list_prefix_meta", "list", (), {"prefix": "example.", "return_metadata": True}),
    ("list_regex", "list", (), {"regex": r".*\.t"}),
    ("list_regex_nomatch", "list", (), {"regex": "zzz"}),
    ("list_both", "list", ("a", "b"), {}),
    ("yplookup_all", "yplookup", (), {"meta_all": ["red"]}),
    ("yplookup_all_two", "yplookup", (["red", "blue"],), {}),
    ("yplookup_any", "yplookup", (), {"meta_any": {"green", "x"}}),
    ("yplookup_any_nometa", "yplookup", (), {"meta_any": ["green"], "return_metadata": False}),
    ("yplookup_none", "yplookup", (), {}),
    ("yplookup_both", "yplookup", (["a"], ["b"]), {}),
    ("yplookup_str", "yplookup", ("red",), {}),
    ("yplookup_class", "yplookup", (["class:Pyro5.nameserver.NameServer"],), {}),
    ("set_metadata", "set_metadata", ("example.three", ["green", "yellow"]), {}),
    ("set_metadata_none", "set_metadata", ("example.two", None), {}),
    ("set_metadata_unknown", "set_metadata", ("nothing", ["a"]), {}),
    ("set_metadata_str", "set_metadata", ("example.two", "a"), {}),
    ("lookup_after_set", "lookup", ("example.three",), {"return_metadata": True}),
    ("lookup_after_clear", "lookup", ("example.two",), {"return_metadata": True}),
    ("remove_self", "remove", (NS,), {}),
    ("remove_nothing", "remove", (), {}),
    ("remove_name", "remove", ("example.one",), {}),
    ("remove_name_again", "remove", ("example.one",), {}),
    ("remove_prefix_self", "remove", (), {"prefix": "Pyro."}),
    ("remove_prefix", "remove", (None, "example.t"), {}),
    ("register_again", "register", ("other.x", U1), {}),
    ("list_meta_plain", "list", (), {"prefix": "other", "return_metadata": True}),
    ("yplookup_plain", "yplookup", (), {"meta_any": ["nope"]}),
    ("remove_regex", "remove", (), {"regex": "oth.*"}),
    ("count_end", "count", (), {}),
    ("list_end", "list", (), {"return_metadata": True}),
    ("unknown_method", "nothing", (), {}),
    ("private_method", "_private", (), {}),
]


def b64(data):
    return base64.b64encode(data).decode()


def capture(ser_name):
    _, daemon, _ = nameserver.start_ns(host="127.0.0.1", port=0, enableBroadcast=False)
    port = daemon.locationStr.rsplit(":", 1)[1]
    threading.Thread(target=daemon.requestLoop, daemon=True).start()
    ser = serializers.serializers[ser_name]
    records = []
    seq = 1
    data = ser.dumps({"handshake": "hello", "object": NS})

    def connect():
        conn = socketutil.SocketConnection(socket.create_connection(("127.0.0.1", int(port)), timeout=10))
        conn.send(protocol.SendingMessage(protocol.MSG_CONNECT, 0, seq, ser.serializer_id, data).data)
        return conn, protocol.recv_stub(conn, [protocol.MSG_CONNECTOK, protocol.MSG_CONNECTFAIL])

    conn, reply = connect()
    records.append({"label": "connect", "request": b64(data), "reply": b64(reply.data), "exception": False})
    for label, method, vargs, kwargs in CALLS:
        seq += 1
        call = ser.dumpsCall(NS, method, vargs, kwargs)
        conn.send(protocol.SendingMessage(protocol.MSG_INVOKE, 0, seq, ser.serializer_id, call).data)
        try:
            reply = protocol.recv_stub(conn, [protocol.MSG_RESULT])
        except errors.ConnectionClosedError:
            # Pyro5's name server could not serialize its answer (json
            # knows no frozenset) and dropped the connection.
            records.append({"label": label, "request": b64(call), "closed": True})
            conn.close()
            conn, _ = connect()
            continue
        records.append({"label": label, "request": b64(call), "reply": b64(reply.data),
                        "exception": bool(reply.flags & protocol.FLAGS_EXCEPTION)})
    conn.close()
    daemon.close()
    return {"port": int(port), "serializer_id": ser.serializer_id, "calls": records}


def main():
    warnings.simplefilter("ignore")  # the protocol error warnings of the dropped connections
    import Pyro5
    out = {"pyro5": Pyro5.__version__, "python": sys.version.split()[0], "serializers": {}}
    for name in ("serpent", "marshal", "json", "msgpack"):
        out["serializers"][name] = capture(name)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
