package ns

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// ErrStoreConflict, wrapped in the error of an Apply, says another writer
// of a shared store changed what the batch was validated against; nothing
// of the batch was applied, and the Namespace, whose copy has caught up
// with that change by then, validates the change again.
var ErrStoreConflict = errors.New("store changed by another writer")

// EtcdOptions configure an EtcdStore.
type EtcdOptions struct {
	// Endpoints are the etcd members' host:port addresses.
	Endpoints []string
	// Prefix is the key prefix the name space lives under (every front
	// end of one name space uses the same); "" means "/pyro-ns".
	Prefix string
	// Username and Password authenticate to etcd when Username is set.
	Username, Password string
	// TLS, if set, is used to connect to the members.
	TLS *tls.Config
	// Timeout bounds each request to etcd; 0 means 5 seconds.
	Timeout time.Duration
}

// EtcdStore is a WatchStore in an etcd cluster, shared by any number of
// Namespaces (front ends) on the same prefix. Each batch is one etcd
// transaction whose conditions are what the Namespace validated it
// against: a created name or group must not exist and its group must, a
// replaced or removed record must still have the revision the Namespace
// saw, a deleted group must exist; so concurrent front ends can never
// create a name twice or leave a name without its group. A batch is
// reported done once the watch has brought it into the Namespace's copy.
// When etcd cannot be reached (no quorum, no member), Apply fails with
// ErrStoreUnavailable and the watch resumes by itself when etcd is back.
type EtcdStore struct {
	cli     *clientv3.Client
	names   string // key prefix of the records: Prefix + "/n/"
	sets    string // key prefix of the settings: Prefix + "/s/"
	timeout time.Duration

	mu       sync.Mutex
	loadRev  int64         // the revision Load read
	applied  int64         // revision up to which the watch has delivered
	advanced chan struct{} // closed (and replaced) when applied grows
}

// ParseEtcdURL parses the -store form etcd://host:port[,host:port...]/prefix
// into endpoints and prefix ("/pyro-ns" when the URL has none).
func ParseEtcdURL(s string) (endpoints []string, prefix string, err error) {
	rest, ok := strings.CutPrefix(s, "etcd://")
	if !ok {
		return nil, "", fmt.Errorf("ns: etcd store %q: not an etcd:// URL", s)
	}
	hosts, path, _ := strings.Cut(rest, "/")
	for h := range strings.SplitSeq(hosts, ",") {
		if i := strings.LastIndexByte(h, ':'); i <= 0 || i == len(h)-1 {
			return nil, "", fmt.Errorf("ns: etcd store %q: endpoint %q is not host:port", s, h)
		}
		endpoints = append(endpoints, h)
	}
	prefix = "/" + strings.Trim(path, "/")
	if prefix == "/" {
		prefix = "/pyro-ns"
	}
	return endpoints, prefix, nil
}

// OpenEtcdStore connects to etcd; it fails if no member answers within
// the timeout.
func OpenEtcdStore(ctx context.Context, opts EtcdOptions) (*EtcdStore, error) {
	if len(opts.Endpoints) == 0 {
		return nil, errors.New("ns: etcd store: no endpoints")
	}
	prefix := "/" + strings.Trim(opts.Prefix, "/")
	if prefix == "/" {
		prefix = "/pyro-ns"
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   opts.Endpoints,
		DialTimeout: timeout,
		Username:    opts.Username,
		Password:    opts.Password,
		TLS:         opts.TLS,
		Logger:      zap.NewNop(),
		Context:     context.WithoutCancel(ctx),
	})
	if err != nil {
		return nil, fmt.Errorf("ns: etcd store %v: %w", opts.Endpoints, err)
	}
	s := &EtcdStore{cli: cli, names: prefix + "/n/", sets: prefix + "/s/", timeout: timeout,
		advanced: make(chan struct{})}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := cli.Get(sctx, s.sets, clientv3.WithCountOnly()); err != nil {
		cli.Close()
		return nil, fmt.Errorf("ns: etcd store %v: %w", opts.Endpoints, err)
	}
	return s, nil
}

func (s *EtcdStore) key(name string) string { return s.names + name }

// unavailable wraps a failed etcd request.
func unavailable(err error) error { return fmt.Errorf("etcd: %w: %v", ErrStoreUnavailable, err) }

// Apply runs ops as one etcd transaction (see EtcdStore).
func (s *EtcdStore) Apply(ops []Op) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.apply(ops) }()
	return done
}

func (s *EtcdStore) apply(ops []Op) error {
	var cmps []clientv3.Cmp
	var then []clientv3.Op
	put := make(map[string]bool)
	for _, op := range ops {
		name := op.Record.Name
		key := s.key(name)
		switch op.Kind {
		case OpPut:
			if op.Expect == 0 {
				cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(key), "=", 0))
			} else {
				cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(key), "=", op.Expect))
			}
			if parent, _, inRoot := splitLast(name); !inRoot && name != ":" && !put[parent] {
				cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(s.key(parent)), ">", 0))
			}
			put[name] = true
			then = append(then, clientv3.OpPut(key, string(encodeRecord(op.Record))))
		case OpDelete:
			cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(key), "=", op.Expect))
			then = append(then, clientv3.OpDelete(key))
		case OpDeleteTree:
			if name == ":" {
				then = append(then, clientv3.OpDelete(s.names, clientv3.WithPrefix()))
				continue
			}
			cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(key), ">", 0))
			then = append(then, clientv3.OpDelete(key), clientv3.OpDelete(key+".", clientv3.WithPrefix()))
		default:
			return fmt.Errorf("ns: unknown store op %d", op.Kind)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	resp, err := s.cli.Txn(clientv3.WithRequireLeader(ctx)).If(cmps...).Then(then...).Commit()
	if err != nil {
		return unavailable(err)
	}
	// Either way the Namespace's copy must hold what etcd holds at this
	// revision before it answers or validates again.
	s.waitApplied(ctx, resp.Header.Revision)
	if !resp.Succeeded {
		return ErrStoreConflict
	}
	return nil
}

// waitApplied waits until the watch has delivered every change up to rev
// (or ctx is done): asking etcd for a progress notification covers
// revisions that changed nothing under the prefix.
func (s *EtcdStore) waitApplied(ctx context.Context, rev int64) {
	asked := false
	for {
		s.mu.Lock()
		applied, ch := s.applied, s.advanced
		s.mu.Unlock()
		if applied >= rev {
			return
		}
		if !asked {
			s.cli.RequestProgress(ctx)
			asked = true
		}
		select {
		case <-ch:
		case <-time.After(100 * time.Millisecond):
			asked = false
		case <-ctx.Done():
			return
		}
	}
}

// advance records that the watch has delivered every change up to rev.
func (s *EtcdStore) advance(rev int64) {
	s.mu.Lock()
	if rev > s.applied {
		s.applied = rev
		close(s.advanced)
		s.advanced = make(chan struct{})
	}
	s.mu.Unlock()
}

// snapshot reads every record and the revision it was read at.
func (s *EtcdStore) snapshot(ctx context.Context) ([]Record, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	resp, err := s.cli.Get(ctx, s.names, clientv3.WithPrefix(), clientv3.WithSort(clientv3.SortByKey, clientv3.SortAscend))
	if err != nil {
		return nil, 0, unavailable(err)
	}
	recs := make([]Record, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		name := strings.TrimPrefix(string(kv.Key), s.names)
		r, err := decodeRecord([]byte(name), kv.Value)
		if err != nil {
			return nil, 0, fmt.Errorf("ns: etcd store: %w", err)
		}
		r.Rev = kv.ModRevision
		recs = append(recs, r)
	}
	return recs, resp.Header.Revision, nil
}

// Load calls fn for every record in name order, which puts parents first.
func (s *EtcdStore) Load(fn func(Record) error) error {
	recs, rev, err := s.snapshot(context.Background())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.loadRev = rev
	s.mu.Unlock()
	s.advance(rev)
	for _, r := range recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Watch calls fn with every batch committed after Load's revision, one
// transaction at a time, until ctx is done. A broken watch is resumed
// where it stopped; one whose revisions etcd has compacted away is
// replaced by a batch that reloads everything.
func (s *EtcdStore) Watch(ctx context.Context, fn func([]Op)) error {
	s.mu.Lock()
	rev := s.loadRev
	s.mu.Unlock()
	for ctx.Err() == nil {
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		for resp := range s.cli.Watch(wctx, s.names, clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
			if resp.CompactRevision != 0 {
				recs, at, err := s.snapshot(ctx)
				if err != nil {
					break
				}
				ops := []Op{{Kind: OpDeleteTree, Record: Record{Name: ":"}}}
				for _, r := range recs {
					ops = append(ops, Op{Kind: OpPut, Record: r})
				}
				fn(ops)
				rev = at
				s.advance(at)
				break
			}
			if resp.Err() != nil {
				break
			}
			if resp.IsProgressNotify() {
				s.advance(resp.Header.Revision)
				continue
			}
			rev = s.deliver(resp.Events, rev, fn)
		}
		cancel()
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	return ctx.Err()
}

// deliver passes the events of a watch response to fn, one batch per
// revision (puts in name order, so parents come first), and returns the
// last revision delivered.
func (s *EtcdStore) deliver(events []*clientv3.Event, rev int64, fn func([]Op)) int64 {
	for len(events) > 0 {
		r := events[0].Kv.ModRevision
		i := 1
		for i < len(events) && events[i].Kv.ModRevision == r {
			i++
		}
		var ops []Op
		for _, ev := range events[:i] {
			name := strings.TrimPrefix(string(ev.Kv.Key), s.names)
			if ev.Type == clientv3.EventTypeDelete {
				ops = append(ops, Op{Kind: OpDelete, Record: Record{Name: name}})
				continue
			}
			rec, err := decodeRecord([]byte(name), ev.Kv.Value)
			if err != nil {
				continue // not a record of ours: nothing to apply
			}
			rec.Rev = ev.Kv.ModRevision
			ops = append(ops, Op{Kind: OpPut, Record: rec})
		}
		sort.SliceStable(ops, func(a, b int) bool {
			if ops[a].Kind != ops[b].Kind {
				return ops[a].Kind == OpDelete
			}
			return ops[a].Kind == OpPut && ops[a].Record.Name < ops[b].Record.Name
		})
		fn(ops)
		rev = r
		s.advance(r)
		events = events[i:]
	}
	return rev
}

// Setting returns the value stored under key.
func (s *EtcdStore) Setting(key string) (string, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	resp, err := s.cli.Get(ctx, s.sets+key)
	if err != nil {
		return "", false, unavailable(err)
	}
	if len(resp.Kvs) == 0 {
		return "", false, nil
	}
	return string(resp.Kvs[0].Value), true, nil
}

// SetSetting stores value under key.
func (s *EtcdStore) SetSetting(key, value string) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	if _, err := s.cli.Put(ctx, s.sets+key, value); err != nil {
		return unavailable(err)
	}
	return nil
}

// Close closes the connection to etcd.
func (s *EtcdStore) Close() error { return s.cli.Close() }
