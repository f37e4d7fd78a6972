// Package ns is a Pyro 3.16 Name Server and its clients, wire-compatible
// with Python Pyro: Python servers register with it and Python clients
// resolve through it unchanged, and Go programs use it (or Python's) the
// same way. What crosses the wire is in spec.md §14 and §15.
//
// The pieces:
//
//   - Namespace: Pyro's hierarchical name space (groups, names bound to
//     URIs, user and system meta data) with the exact results and errors of
//     Pyro's NameServer object, checked operation by operation against real
//     Pyro (testdata/oracle.jsonl). It keeps everything in memory; a change
//     is validated, applied to the Store, and made in memory only once the
//     Store confirmed it. A store that is unavailable refuses just that
//     change (ErrStoreUnavailable); a WatchStore shared with other front
//     ends pushes the changes they make.
//   - Store: MemStore (no persistence) and BoltStore (an fsync'd bbolt file
//     with group commit: an acknowledged change survives kill -9; a damaged
//     file or record is refused with a *DamagedStoreError, never served), plus
//     ReadPyro3DB / OpenPersistentStore to import a Pyro 3 persistent
//     database directory.
//   - Server: the remote Name Server object (every method of Pyro's,
//     including _resync/_synccall for paired mode), served through a
//     core.Daemon; Start runs a complete Name Server like pyro-ns (URI file,
//     self-registration as :Pyro.NameServer with a GUID kept across
//     restarts, idle timeout, broadcast listener, twin).
//   - BroadcastServer / SendBroadcast: Pyro's UDP discovery ("location",
//     "shutdown").
//   - Client, Locate: the Go client (Pyro's NameServerProxy with
//     client-side default-group expansion) and locator (host/port,
//     PYRO_NS_HOSTNAME, broadcast, secondary, host name fallback). Importing
//     ns makes core.Proxy resolve PYRONAME URIs through it, and a
//     Client is a core.Registrar, so Daemon.Connect(obj, name) registers.
//
// Commands pyro-ns and pyro-nsc are in package ns/cli.
package ns
