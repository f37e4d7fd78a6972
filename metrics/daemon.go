package metrics

import (
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Refusal reasons, the values of pyro_daemon_connections_refused_total's
// reason label.
const (
	RefusedTooBusy     = "server_too_busy"  // DENIED1: MaxConnections or MaxConnectionsPerHost
	RefusedHostBlocked = "host_blocked"     // DENIED2: the validator refused the host
	RefusedSecurity    = "security"         // DENIED3: identification or certificate refused
	RefusedOther       = "unspecified"      // DENIED0 or a reason Pyro does not name
	RefusedTLS         = "tls"              // the TLS handshake failed
	RefusedHandshake   = "handshake_failed" // timed out, closed or garbled before the verdict
	RefusedEvicted     = "evicted"          // closed to make room for newer pending handshakes
)

// Transient is the object label of calls to objects connected without a
// name.
const Transient = "(transient)"

// OtherMethod is the method label of calls to a name the object does not
// expose (a mistyped or probing client): one series for all of them, so
// that clients cannot grow the number of series without bound.
const OtherMethod = "(other)"

// Daemon holds the collectors of a core.Daemon. A nil *Daemon counts
// nothing: every method returns at once.
type Daemon struct {
	open     *prometheus.GaugeVec
	accepted *prometheus.CounterVec
	refused  *prometheus.CounterVec
	calls    *prometheus.HistogramVec
	errs     *prometheus.CounterVec
	oneway   prometheus.Gauge
	in, out  *prometheus.CounterVec
}

// NewDaemon registers the daemon collectors with reg (sharing those
// registered there already by another daemon); a nil reg returns a nil
// *Daemon.
func NewDaemon(reg prometheus.Registerer) (*Daemon, error) {
	if reg == nil {
		return nil, nil
	}
	m := &Daemon{}
	var err error
	proto := []string{"protocol"}
	if m.open, err = register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "pyro_daemon_connections_open", Help: "Client connections being served (handshake completed).",
	}, proto)); err != nil {
		return nil, err
	}
	if m.accepted, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_daemon_connections_accepted_total", Help: "Client connections that completed the handshake.",
	}, proto)); err != nil {
		return nil, err
	}
	if m.refused, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_daemon_connections_refused_total", Help: "Client connections refused or dropped before being served, by reason.",
	}, []string{"reason"})); err != nil {
		return nil, err
	}
	if m.calls, err = register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "pyro_daemon_call_duration_seconds", Help: "Remote calls by object name and method, and how long they ran.",
		Buckets: latencyBuckets,
	}, []string{"protocol", "object", "method"})); err != nil {
		return nil, err
	}
	if m.errs, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_daemon_call_errors_total", Help: "Remote calls that raised an exception, by exception class.",
	}, []string{"protocol", "exception"})); err != nil {
		return nil, err
	}
	if m.oneway, err = register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "pyro_daemon_oneway_queue_depth", Help: "Oneway calls received and not yet run.",
	})); err != nil {
		return nil, err
	}
	if m.in, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_daemon_received_bytes_total", Help: "Bytes read from client connections.",
	}, proto)); err != nil {
		return nil, err
	}
	if m.out, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_daemon_sent_bytes_total", Help: "Bytes written to client connections.",
	}, proto)); err != nil {
		return nil, err
	}
	return m, nil
}

// Accepted counts a connection of protocol that completed its handshake
// and is now served; Closed must follow when it ends.
func (m *Daemon) Accepted(protocol string) {
	if m == nil {
		return
	}
	m.accepted.WithLabelValues(protocol).Inc()
	m.open.WithLabelValues(protocol).Inc()
}

// Closed counts the end of a connection counted by Accepted.
func (m *Daemon) Closed(protocol string) {
	if m == nil {
		return
	}
	m.open.WithLabelValues(protocol).Dec()
}

// Refused counts a connection refused for reason (one of the Refused*
// constants).
func (m *Daemon) Refused(reason string) {
	if m == nil {
		return
	}
	m.refused.WithLabelValues(reason).Inc()
}

// Call counts a call to method of the object called object that started
// at start; exception is the class name of the exception it raised, ""
// if it returned. The caller passes OtherMethod for a method the object
// does not expose.
func (m *Daemon) Call(protocol, object, method string, start time.Time, exception string) {
	if m == nil {
		return
	}
	m.calls.WithLabelValues(protocol, object, method).Observe(time.Since(start).Seconds())
	if exception != "" {
		m.errs.WithLabelValues(protocol, exception).Inc()
	}
}

// Oneway adds delta to the oneway calls waiting to run.
func (m *Daemon) Oneway(delta int) {
	if m == nil {
		return
	}
	m.oneway.Add(float64(delta))
}

// CountConn returns nc counting the bytes it reads and writes under
// protocol; a nil *Daemon returns nc itself. The wrapper exposes nc with
// NetConn, as *tls.Conn does.
func (m *Daemon) CountConn(protocol string, nc net.Conn) net.Conn {
	if m == nil {
		return nc
	}
	return &countConn{Conn: nc, in: m.in.WithLabelValues(protocol), out: m.out.WithLabelValues(protocol)}
}

type countConn struct {
	net.Conn
	in, out prometheus.Counter
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.in.Add(float64(n))
	}
	return n, err
}

func (c *countConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if n > 0 {
		c.out.Add(float64(n))
	}
	return n, err
}

// NetConn returns the wrapped connection.
func (c *countConn) NetConn() net.Conn { return c.Conn }
