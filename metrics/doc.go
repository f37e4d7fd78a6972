// Package metrics is gopyro's one seam to Prometheus
// (github.com/prometheus/client_golang): the figures of a core.Daemon, a
// name server and an event service, and the HTTP listener that serves them
// (/metrics, /healthz, /readyz).
//
// A program that embeds gopyro passes its own Registry (a
// *prometheus.Registry is one) in core.DaemonOptions.Metrics, or lets the
// daemon make one with NewRegistry when it asks for an HTTP listener.
// Without a registry nothing is counted: the daemon then holds nil
// collectors, whose methods return at once, and a call costs no allocation
// more than it did before (BenchmarkDaemonCallMetrics in core shows it).
//
// Every metric is named pyro_<part>_<what>, with the units Prometheus
// expects (seconds, bytes, _total for counters); README.md has the table.
package metrics
