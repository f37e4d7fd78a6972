package ns

import (
	"net"
	"time"

	"github.com/gopyro/gopyro/compat"
)

// A Notice is something Start (and the running Instance) tells the
// operator: what it found, did, or could not do. Start only reports;
// what a program prints for each notice is its own (pyro-ns prints Pyro's
// words, see ns/cli).
type Notice struct {
	Kind NoticeKind
	// URI is the other Name Server (NoticeOtherRunning), the twin
	// (NoticeFoundTwin, NoticeResyncing) or the Name Server's own
	// (NoticeURI).
	URI compat.URI
	// Addr is where a listener listens (NoticeListening,
	// NoticeBroadcastListening).
	Addr net.Addr
	// Role is the Name Server's (NoticeStarted).
	Role Role
	// Host and Port: the address asked for (NoticePortTaken), the
	// broadcast address (NoticeLoopbackBroadcast).
	Host string
	Port int
	// Path is a file: the database (NoticePersistent, NoticeDatabaseOpened,
	// NoticeImported's new file), the URI file, the damaged file's new
	// name (NoticeMovedAside).
	Path string
	// From is the Pyro 3 database imported (NoticeImported).
	From string
	// Count is what was imported (NoticeImported).
	Count int
	// Took is how long opening the database took (NoticeDatabaseOpened).
	Took time.Duration
	// Err is what went wrong, for the kinds that report a failure.
	Err error
}

// NoticeKind says what a Notice reports.
type NoticeKind int

// The notices of Start, in about the order it gives them.
const (
	NoticeStorageError        NoticeKind = iota + 1 // PYRO_STORAGE unusable (Err)
	NoticeOtherRunning                              // another Name Server answers (URI)
	NoticeStartingAnother                           // ... and AllowMultiple starts one more
	NoticeAlreadyRunning                            // ... and Start stops (ErrAlreadyRunning)
	NoticeLocatingTwin                              // paired mode: looking for the twin
	NoticeLocatingTwinAgain                         // ... again, once started
	NoticeFoundTwin                                 // the twin answers (URI)
	NoticeTwinNotFound                              // it does not, yet (Err)
	NoticeMovedAside                                // a damaged database was moved (Path, Err)
	NoticeCannotMoveAside                           // ... or could not be (Err)
	NoticeCannotOpenDatabase                        // the database cannot be used (Err)
	NoticeImported                                  // a Pyro 3 database was imported (Count, From, Path)
	NoticeDatabaseOpened                            // the database is open (Path, Took)
	NoticePortTaken                                 // the daemon cannot listen (Host, Port)
	NoticeAuthentication                            // Identification is required of clients
	NoticeNoBroadcast                               // NoBroadcast: no broadcast listener
	NoticeLoopbackNoBroadcast                       // bound to loopback: no broadcast listener
	NoticeLoopbackBroadcast                         // bound to loopback, broadcast anyway (Host)
	NoticeBroadcastFailed                           // the broadcast listener failed (Err)
	NoticeIgnoreShutdown                            // KeepRunning
	NoticeAcceptShutdown                            // not KeepRunning
	NoticeListening                                 // the daemon listens (Addr)
	NoticeBroadcastListening                        // the broadcast listener listens (Addr)
	NoticeURI                                       // the Name Server's URI (URI)
	NoticeURIWritten                                // ... written to the URI file (Path)
	NoticeURIFileFailed                             // ... which could not be written (Path)
	NoticePersistent                                // Persistent: the database file (Path)
	NoticeStarted                                   // the Name Server serves (Role)
	NoticeResyncing                                 // paired: first resync with the twin (URI)
	NoticeResyncFailed                              // ... failed (Err)
	NoticeSynchronized                              // ... done
	NoticeURI5                                      // the URI of Pyro 5's name server object (URI)
	NoticeBroadcast5Listening                       // Pyro 5's discovery listener listens (Addr)
)

// notify hands n to StartOptions.Notify, if set.
func (in *Instance) notify(n Notice) {
	if in.opts.Notify != nil {
		in.opts.Notify(n)
	}
}
