package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gopyro/gopyro/ns"
)

// The test binary runs as pyro-ns when GOPYRO_RUN_NS is set, so that a
// damaged database is opened by a process of its own, as the real program
// does, and a crash shows as an exit status and a stack trace.
func TestMain(m *testing.M) {
	if os.Getenv("GOPYRO_RUN_NS") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// nsRun is what one run of pyro-ns did.
type nsRun struct {
	out     string // stdout and stderr
	status  int
	started bool // it printed "Name Server started."
}

// runNS runs pyro-ns -d with PYRO_STORAGE=storage and the extra args; if
// the Name Server starts, it is stopped with SIGTERM.
func runNS(t *testing.T, storage string, args ...string) nsRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args = append([]string{"-r", "-x", "-n", "127.0.0.1", "-p", "0", "-d"}, args...)
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Dir = storage
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYRO") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GOPYRO_RUN_NS=1", "PYRO_STORAGE="+storage)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var run nsRun
	var out strings.Builder
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if sc.Text() == "Name Server started." {
				run.started = true
				cmd.Process.Signal(syscall.SIGTERM)
			}
		}
		io.Copy(io.Discard, pr)
	}()
	err := cmd.Wait()
	pw.Close()
	<-scanned
	run.out = out.String()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		run.status = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return run
}

const testNames = 3000

func testURI(i int) string { return fmt.Sprintf("PYRO://127.0.0.1:7766/%032x", i) }

// writeStore writes a store of testNames names under :g in one
// transaction, as pyro-ns -d would keep them.
func writeStore(t *testing.T, path string) {
	t.Helper()
	st, err := ns.OpenBoltStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ops := []ns.Op{{Kind: ns.OpPut, Record: ns.Record{Name: ":g", Group: true, Created: 1}}}
	for i := 0; i < testNames; i++ {
		ops = append(ops, ns.Op{Kind: ns.OpPut, Record: ns.Record{Name: fmt.Sprintf(":g.n%05d", i), Created: 1, URI: testURI(i)}})
	}
	if err := <-st.Apply(ops); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// boltLayout is what the damage cases need to know of a bbolt file: the
// page size, the page count of the newest meta page, which meta page that
// is, and the ids of leaf and branch pages.
type boltLayout struct {
	pageSize       int
	pages          int
	meta           int
	leaves, branch []int
}

func layout(t *testing.T, data []byte) boltLayout {
	t.Helper()
	const hdr = 16 // page header: id, flags, count, overflow
	l := boltLayout{pageSize: int(binary.LittleEndian.Uint32(data[hdr+8:]))}
	var txid [2]uint64
	for m := range txid {
		meta := data[m*l.pageSize+hdr:]
		txid[m] = binary.LittleEndian.Uint64(meta[48:])
	}
	if txid[1] > txid[0] {
		l.meta = 1
	}
	l.pages = int(binary.LittleEndian.Uint64(data[l.meta*l.pageSize+hdr+40:]))
	for id := 2; id < l.pages; id++ {
		switch binary.LittleEndian.Uint16(data[id*l.pageSize+8:]) {
		case 1:
			l.branch = append(l.branch, id)
		case 2:
			l.leaves = append(l.leaves, id)
		}
	}
	if len(l.leaves) < 3 || len(l.branch) < 1 {
		t.Fatalf("test store too small: %+v", l)
	}
	return l
}

// TestDamagedDatabase: pyro-ns -d refuses a damaged database with exit
// status 1 and one message naming the file and what is wrong, never with a
// Go stack trace, never by serving an empty or wrong name space; with
// --fresh-if-damaged it moves the file aside and starts afresh.
func TestDamagedDatabase(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, data []byte, r *rand.Rand) []byte
		want   string // in the message, after the file's path
	}{
		{"empty", func(t *testing.T, data []byte, r *rand.Rand) []byte { return nil }, "file is empty"},
		{"half", func(t *testing.T, data []byte, r *rand.Rand) []byte {
			l := layout(t, data)
			return data[:l.pages*l.pageSize/2]
		}, "file truncated"},
		{"random bytes in the middle", func(t *testing.T, data []byte, r *rand.Rand) []byte {
			// Into the keys and values of the middle page: the free space
			// of a page is never read, damage there harms nothing.
			l := layout(t, data)
			mid := l.pages/2*l.pageSize + 1024
			for i := mid; i < mid+512; i++ {
				data[i] = byte(r.Uint32())
			}
			return data
		}, `bucket "names": page `},
		{"leaf page count", func(t *testing.T, data []byte, r *rand.Rand) []byte {
			l := layout(t, data)
			p := l.leaves[len(l.leaves)/2] * l.pageSize
			binary.LittleEndian.PutUint16(data[p+10:], 0xfff0)
			return data
		}, `bucket "names": page `},
		{"branch page header", func(t *testing.T, data []byte, r *rand.Rand) []byte {
			l := layout(t, data)
			p := l.branch[0] * l.pageSize
			for i := p; i < p+16; i++ {
				data[i] = byte(r.Uint32())
			}
			return data
		}, `bucket "names": page `},
		{"newest meta page", func(t *testing.T, data []byte, r *rand.Rand) []byte {
			l := layout(t, data)
			data[l.meta*l.pageSize+16+40] ^= 0x40
			return data
		}, "meta page"},
		{"200 bit flips", func(t *testing.T, data []byte, r *rand.Rand) []byte {
			l := layout(t, data)
			for range 200 {
				i := r.IntN(l.pages * l.pageSize)
				data[i] ^= 1 << r.IntN(8)
			}
			return data
		}, ""},
		{"8 bytes of a record", func(t *testing.T, data []byte, r *rand.Rand) []byte {
			uri := []byte(testURI(1500))
			i := bytes.Index(data, uri)
			if i < 0 {
				t.Fatal("record not found in the file")
			}
			copy(data[i+len(uri)-8:], "deadbeef")
			return data
		}, "record \":g.n01500\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storage := t.TempDir()
			db := filepath.Join(storage, "Pyro_NS_database")
			writeStore(t, db)
			data, err := os.ReadFile(db)
			if err != nil {
				t.Fatal(err)
			}
			damaged := tt.damage(t, data, rand.New(rand.NewPCG(11, 4)))
			if err := os.WriteFile(db, damaged, 0o600); err != nil {
				t.Fatal(err)
			}

			run := runNS(t, storage)
			if run.started || run.status != 1 {
				t.Fatalf("started %v, exit status %d, want a refusal with status 1:\n%s", run.started, run.status, run.out)
			}
			if strings.Contains(run.out, "goroutine ") || strings.Contains(run.out, "panic") {
				t.Errorf("Go stack trace:\n%s", run.out)
			}
			msg := "Cannot open the name server database: ns: database " + db + " is damaged: " + tt.want
			if !strings.Contains(run.out, msg) || !strings.Contains(run.out, "--fresh-if-damaged") {
				t.Errorf("output does not say %q and how to start afresh:\n%s", msg, run.out)
			}
			if got, err := os.ReadFile(db); err != nil || !bytes.Equal(got, damaged) {
				t.Errorf("the damaged file was changed (err %v)", err)
			}

			run = runNS(t, storage, "--fresh-if-damaged")
			if !run.started {
				t.Fatalf("--fresh-if-damaged did not start (status %d):\n%s", run.status, run.out)
			}
			aside, _ := filepath.Glob(db + ".damaged-*")
			if len(aside) != 1 || !strings.Contains(run.out, "moved to "+aside[0]) {
				t.Fatalf("moved aside: %v; output:\n%s", aside, run.out)
			}
			if got, err := os.ReadFile(aside[0]); err != nil || !bytes.Equal(got, damaged) {
				t.Errorf("the file moved aside is not the damaged file (err %v)", err)
			}
			if run = runNS(t, storage); !run.started {
				t.Errorf("restart on the fresh database (status %d):\n%s", run.status, run.out)
			}
		})
	}
}

// TestHealthyDatabase: the same store undamaged starts, and
// --fresh-if-damaged leaves it alone.
func TestHealthyDatabase(t *testing.T) {
	storage := t.TempDir()
	db := filepath.Join(storage, "Pyro_NS_database")
	writeStore(t, db)
	for _, args := range [][]string{nil, {"--fresh-if-damaged"}} {
		if run := runNS(t, storage, args...); !run.started || run.status != 0 {
			t.Errorf("%v: started %v status %d:\n%s", args, run.started, run.status, run.out)
		}
	}
	if aside, _ := filepath.Glob(db + ".damaged-*"); len(aside) != 0 {
		t.Errorf("healthy database moved aside: %v", aside)
	}
}
