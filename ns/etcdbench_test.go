package ns

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/gopyro/gopyro/ns/internal/etcdtest"
)

// BenchmarkStoreSideBySide puts the bbolt and the etcd store side by side
// in one run (item 7 of issue 16): resolve (from memory in both),
// register+unregister (one fsync'd bbolt commit vs one etcd transaction
// each), etcd's own put latency beside it, and propagation from one etcd
// front end to another, as p50 and p99.
func BenchmarkStoreSideBySide(b *testing.B) {
	c := etcdtest.Start(b, 3)
	bolt, err := OpenBoltStore(filepath.Join(b.TempDir(), "ns.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer bolt.Close()
	onBolt, err := NewNamespace(Options{Store: bolt})
	if err != nil {
		b.Fatal(err)
	}
	front, other := etcdFrontEnd(b, c, "/bench"), etcdFrontEnd(b, c, "/bench")
	for _, on := range []struct {
		name string
		n    *Namespace
	}{{"bolt", onBolt}, {"etcd", front}} {
		name, n := on.name, on.n
		if err := n.Register("target", seamURI); err != nil {
			b.Fatal(err)
		}
		b.Run("resolve/"+name, func(b *testing.B) {
			for b.Loop() {
				if _, err := n.Resolve("target"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("register+unregister/"+name, func(b *testing.B) {
			for b.Loop() {
				if err := n.Register("x", seamURI); err != nil {
					b.Fatal(err)
				}
				if err := n.Unregister("x"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("put/etcd-client", func(b *testing.B) {
		cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), Logger: zap.NewNop()})
		if err != nil {
			b.Fatal(err)
		}
		defer cli.Close()
		for b.Loop() {
			if _, err := cli.Put(context.Background(), "/bench-raw/k", "v"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("propagation/etcd", func(b *testing.B) {
		var took []time.Duration
		i := 0
		for b.Loop() {
			name := fmt.Sprintf("p%d", i)
			i++
			start := time.Now()
			if err := front.Register(name, seamURI); err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := other.Resolve(name); err == nil {
					break
				}
				if time.Since(start) > 5*time.Second {
					b.Fatalf("%s not resolvable on the other front end after 5 s", name)
				}
				time.Sleep(20 * time.Microsecond)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
	})
}
