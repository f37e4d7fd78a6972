// Package etcdtest runs a real etcd cluster on 127.0.0.1 for the length of
// one test: the etcd binary of Debian's etcd-server package (installed by
// scripts/setup.sh), or the one GOPYRO_ETCD names. Without the binary a
// test is skipped, unless CI is set: then it fails, so that CI never
// passes without having run the etcd tests.
package etcdtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// StartTimeout bounds how long a cluster (or a restarted member) may take
// to answer.
const StartTimeout = 30 * time.Second

// Binary returns the etcd binary's path, skipping or failing tb without it.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("GOPYRO_ETCD"); p != "" {
		return p
	}
	p, err := exec.LookPath("etcd")
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("etcd not found and CI is set: scripts/setup.sh installs Debian's etcd-server (%v)", err)
	}
	tb.Skip("etcd not installed: apt-get install etcd-server (scripts/setup.sh does), or set GOPYRO_ETCD")
	return ""
}

// Member is one etcd process of a Cluster.
type Member struct {
	Name      string
	ClientURL string // http://127.0.0.1:port
	peerURL   string
	args      []string
	log       string
	cmd       *exec.Cmd
	exited    chan struct{}
}

// Cluster is a running etcd cluster.
type Cluster struct {
	tb      testing.TB
	bin     string
	Members []*Member
}

// Endpoints returns every member's client address (host:port).
func (c *Cluster) Endpoints() []string {
	var out []string
	for _, m := range c.Members {
		out = append(out, strings.TrimPrefix(m.ClientURL, "http://"))
	}
	return out
}

func freePort(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start starts an n-member cluster in a temporary directory and waits
// until it answers; every member is killed when the test ends.
func Start(tb testing.TB, n int) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, bin: Binary(tb)}
	dir := tb.TempDir()
	var initial []string
	for i := range n {
		m := &Member{Name: fmt.Sprintf("m%d", i),
			ClientURL: fmt.Sprintf("http://127.0.0.1:%d", freePort(tb)),
			peerURL:   fmt.Sprintf("http://127.0.0.1:%d", freePort(tb)),
			log:       filepath.Join(dir, fmt.Sprintf("m%d.log", i))}
		initial = append(initial, m.Name+"="+m.peerURL)
		c.Members = append(c.Members, m)
	}
	for _, m := range c.Members {
		m.args = []string{"--name", m.Name, "--data-dir", filepath.Join(dir, m.Name),
			"--listen-client-urls", m.ClientURL, "--advertise-client-urls", m.ClientURL,
			"--listen-peer-urls", m.peerURL, "--initial-advertise-peer-urls", m.peerURL,
			"--initial-cluster", strings.Join(initial, ","), "--initial-cluster-token", filepath.Base(dir),
			"--heartbeat-interval", "50", "--election-timeout", "500",
			"--logger", "zap", "--log-level", "warn"}
		c.start(m, "new")
	}
	tb.Cleanup(func() {
		for i := range c.Members {
			c.Kill(i)
		}
	})
	c.WaitReady(c.Endpoints())
	return c
}

func (c *Cluster) start(m *Member, state string) {
	c.tb.Helper()
	logf, err := os.OpenFile(m.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		c.tb.Fatal(err)
	}
	m.cmd = exec.Command(c.bin, append(m.args, "--initial-cluster-state", state)...)
	m.cmd.Stdout, m.cmd.Stderr = logf, logf
	if err := m.cmd.Start(); err != nil {
		logf.Close()
		c.tb.Fatalf("etcd %s: %v", m.Name, err)
	}
	m.exited = make(chan struct{})
	go func() {
		m.cmd.Wait()
		logf.Close()
		close(m.exited)
	}()
}

// WaitReady waits until a write through the given endpoints succeeds,
// failing the test after StartTimeout (with the members' logs).
func (c *Cluster) WaitReady(endpoints []string) {
	c.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: time.Second, Logger: zap.NewNop()})
	if err != nil {
		c.tb.Fatal(err)
	}
	defer cli.Close()
	for {
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		_, err := cli.Put(pctx, "/etcdtest/ready", "1")
		pcancel()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			c.tb.Fatalf("etcd cluster not ready after %v: %v\n%s", StartTimeout, err, c.logs())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *Cluster) logs() string {
	var b strings.Builder
	for _, m := range c.Members {
		data, _ := os.ReadFile(m.log)
		if len(data) > 2000 {
			data = data[len(data)-2000:]
		}
		fmt.Fprintf(&b, "--- %s:\n%s\n", m.Name, data)
	}
	return b.String()
}

// Kill kills member i with SIGKILL and waits for it to exit; a member
// not running is left alone.
func (c *Cluster) Kill(i int) {
	m := c.Members[i]
	if m.cmd == nil {
		return
	}
	m.cmd.Process.Kill()
	select {
	case <-m.exited:
	case <-time.After(10 * time.Second):
		c.tb.Errorf("etcd %s did not exit after SIGKILL", m.Name)
	}
	m.cmd = nil
}

// Restart starts the killed member i again on its data and waits until
// it answers.
func (c *Cluster) Restart(i int) {
	c.tb.Helper()
	m := c.Members[i]
	c.start(m, "existing")
	c.WaitReady([]string{strings.TrimPrefix(m.ClientURL, "http://")})
}

// Leader returns the index of the member that is the leader now.
func (c *Cluster) Leader() int {
	c.tb.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints(), DialTimeout: time.Second, Logger: zap.NewNop()})
	if err != nil {
		c.tb.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	for {
		for i, m := range c.Members {
			if m.cmd == nil {
				continue
			}
			sctx, scancel := context.WithTimeout(ctx, time.Second)
			st, err := cli.Status(sctx, strings.TrimPrefix(m.ClientURL, "http://"))
			scancel()
			if err == nil && st.Leader != 0 && st.Leader == st.Header.MemberId {
				return i
			}
		}
		select {
		case <-ctx.Done():
			c.tb.Fatalf("no etcd leader after %v\n%s", StartTimeout, c.logs())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
