package ns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopyro/gopyro/compat"
)

// gateStore is a MemStore shared with other writers whose answers the test
// decides: each Apply waits for a value on answers (nil confirms, anything
// else refuses the batch), and Watch delivers the confirmed batches and
// those sent on remote (made by others).
type gateStore struct {
	*MemStore
	answers chan error
	applied chan []Op // each batch given to Apply, as it is given
	remote  chan watched
}

// watched is a batch for Watch to deliver; done, if set, is closed once
// it was.
type watched struct {
	ops  []Op
	done chan struct{}
}

func newGateStore() *gateStore {
	return &gateStore{MemStore: NewMemStore(), answers: make(chan error), applied: make(chan []Op, 16),
		remote: make(chan watched)}
}

func (s *gateStore) Apply(ops []Op) <-chan error {
	done := make(chan error, 1)
	s.applied <- ops
	go func() {
		err := <-s.answers
		if err == nil {
			<-s.MemStore.Apply(ops)
			w := watched{ops, make(chan struct{})}
			s.remote <- w
			<-w.done
		}
		done <- err
	}()
	return done
}

func (s *gateStore) Watch(ctx context.Context, fn func([]Op)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case w := <-s.remote:
			fn(w.ops)
			if w.done != nil {
				close(w.done)
			}
		}
	}
}

// newGated returns a Namespace on a gateStore, past the creation of its
// system groups.
func newGated(t *testing.T) (*Namespace, *gateStore) {
	t.Helper()
	st := newGateStore()
	go func() {
		for range 2 { // :Pyro and :Default
			<-st.applied
			st.answers <- nil
		}
	}()
	n, err := NewNamespace(Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n, st
}

const seamURI = "PYRO://127.0.0.1:7766/0a0a0a0a"

// TestChangeWaitsForStore: a change is in memory only once the store
// confirmed it, and a change to the same name waits for it and is then
// validated against the result.
func TestChangeWaitsForStore(t *testing.T) {
	n, st := newGated(t)
	first := make(chan error, 1)
	go func() { first <- n.Register("x", seamURI) }()
	<-st.applied
	if _, err := n.Resolve("x"); err == nil {
		t.Fatal("name resolvable before the store confirmed it")
	}
	second := make(chan error, 1)
	go func() { second <- n.Register("x", seamURI) }()
	select {
	case ops := <-st.applied:
		t.Fatalf("second register of x went to the store while the first was pending: %v", ops)
	case err := <-second:
		t.Fatalf("second register answered %v while the first was pending", err)
	case <-time.After(50 * time.Millisecond):
	}
	st.answers <- nil
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; !isNamingError(err) || !strings.Contains(err.Error(), "name already exists") {
		t.Fatalf("second register: %v, want NamingError name already exists", err)
	}
	if _, err := n.Resolve("x"); err != nil {
		t.Fatal(err)
	}
}

// TestStoreRefusals: a store that is unavailable, fails or finds the
// change invalid refuses that one change with a NamingError, leaves memory
// as it was, and the next change goes through.
func TestStoreRefusals(t *testing.T) {
	tests := []struct {
		name    string
		refusal error
		want    string
	}{
		{"unavailable", fmt.Errorf("etcd: %w: context deadline exceeded", ErrStoreUnavailable),
			"store unavailable, change refused (try again later)"},
		{"failed", errors.New("disk full"), "storage failure"},
		{"conflict", fmt.Errorf("txn: %w", compat.NewNamingError("name already exists", "x")), "name already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, st := newGated(t)
			done := make(chan error, 1)
			go func() { done <- n.Register("x", seamURI) }()
			<-st.applied
			st.answers <- tt.refusal
			err := <-done
			var ne *compat.NamingError
			if !errors.As(err, &ne) || compat.Str(ne.Args[0]) != tt.want {
				t.Fatalf("Register = %v, want NamingError %q", err, tt.want)
			}
			if _, err := n.Resolve("x"); err == nil {
				t.Fatal("refused name is resolvable")
			}
			if n.Healthy() == nil {
				t.Error("Healthy = nil after a refused change")
			}
			go func() { done <- n.Register("x", seamURI) }()
			<-st.applied
			st.answers <- nil
			if err := <-done; err != nil {
				t.Fatalf("Register after the refusal: %v", err)
			}
			if err := n.Healthy(); err != nil {
				t.Errorf("Healthy = %v after a confirmed change", err)
			}
			if _, err := n.Resolve("x"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestWatchAppliesRemoteChanges: batches other writers made, pushed by a
// WatchStore, change the name space.
func TestWatchAppliesRemoteChanges(t *testing.T) {
	n, st := newGated(t)
	put := func(name string, group bool) Op {
		r := Record{Name: name, Group: group, Created: 2}
		if !group {
			r.URI = seamURI
		}
		return Op{Kind: OpPut, Record: r}
	}
	batches := [][]Op{
		{put(":G", true), put(":G.a", false), put(":G.b", false)},
		{{Kind: OpDelete, Record: Record{Name: ":G.a"}}},
		{put(":H", true), put(":H.c", false)},
		{{Kind: OpDeleteTree, Record: Record{Name: ":H"}}},
	}
	for _, b := range batches {
		st.remote <- watched{ops: b}
	}
	last := watched{done: make(chan struct{})}
	st.remote <- last
	<-last.done
	got := n.Flatlist()
	if len(got) != 1 || got[0].Name != ":G.b" || got[0].URI.String() != seamURI {
		t.Fatalf("Flatlist = %v, want [:G.b %s]", got, seamURI)
	}
	if _, err := n.List(":H"); err == nil {
		t.Error(":H still listed after its remote deleteGroup")
	}
}

// TestConcurrentApartChangesShareCommits: changes to unrelated names are
// all given to the store before any is confirmed.
func TestConcurrentApartChangesShareCommits(t *testing.T) {
	n, st := newGated(t)
	const writers = 4
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := n.Register(fmt.Sprintf("w%d", i), seamURI); err != nil {
				t.Error(err)
			}
		}()
	}
	for range writers {
		<-st.applied
	}
	for range writers {
		st.answers <- nil
	}
	wg.Wait()
	if names, _ := n.Len(); names != writers {
		t.Fatalf("%d names, want %d", names, writers)
	}
}
