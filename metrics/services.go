package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// NameServer holds the collectors of a name server. A nil *NameServer
// counts nothing.
type NameServer struct {
	ops    *prometheus.CounterVec
	commit prometheus.Histogram
}

// NewNameServer registers the name server collectors with reg; size
// reports the names and groups of the name space when scraped. A nil reg
// returns a nil *NameServer.
func NewNameServer(reg prometheus.Registerer, size func() (names, groups int)) (*NameServer, error) {
	if reg == nil {
		return nil, nil
	}
	m := &NameServer{}
	var err error
	if _, err = register(reg, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pyro_ns_names", Help: "Names registered in the name space.",
	}, func() float64 { n, _ := size(); return float64(n) })); err != nil {
		return nil, err
	}
	if _, err = register(reg, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "pyro_ns_groups", Help: "Groups of the name space (the root not counted).",
	}, func() float64 { _, g := size(); return float64(g) })); err != nil {
		return nil, err
	}
	if m.ops, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_ns_operations_total", Help: "Name server methods called (register, resolve, list, ...), by method.",
	}, []string{"op"})); err != nil {
		return nil, err
	}
	if m.commit, err = register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "pyro_ns_store_commit_seconds", Help: "How long a change waited for the store to make it durable.",
		Buckets: latencyBuckets,
	})); err != nil {
		return nil, err
	}
	return m, nil
}

// Operation counts a call of the name server method op.
func (m *NameServer) Operation(op string) {
	if m == nil {
		return
	}
	m.ops.WithLabelValues(op).Inc()
}

// Committed counts a store commit that started at start.
func (m *NameServer) Committed(start time.Time) {
	if m == nil {
		return
	}
	m.commit.Observe(time.Since(start).Seconds())
}

// EventStats is what an event service reports when scraped.
type EventStats struct {
	Subscribers, Topics int
	// Queues maps a subscriber to the events queued for it.
	Queues map[string]int
}

// EventService holds the collectors of an event service. A nil
// *EventService counts nothing.
type EventService struct {
	published *prometheus.CounterVec
	delivered *prometheus.CounterVec
	drops     *prometheus.CounterVec
}

// NewEventService registers the event service collectors with reg; stats
// reports subscribers, topics and queue depths when scraped. A nil reg
// returns a nil *EventService.
func NewEventService(reg prometheus.Registerer, stats func() EventStats) (*EventService, error) {
	if reg == nil {
		return nil, nil
	}
	m := &EventService{}
	var err error
	if _, err = register(reg, &eventCollector{stats: stats}); err != nil {
		return nil, err
	}
	if m.published, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_es_published_total", Help: "Events published, by subject (\"(other)\": subjects without exact subscribers).",
	}, []string{"subject"})); err != nil {
		return nil, err
	}
	if m.delivered, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_es_delivered_total", Help: "Events delivered to subscribers, by subscriber.",
	}, []string{"subscriber"})); err != nil {
		return nil, err
	}
	if m.drops, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pyro_es_dropped_total", Help: "Events dropped on a full subscriber queue, by subscriber.",
	}, []string{"subscriber"})); err != nil {
		return nil, err
	}
	return m, nil
}

// OtherSubject is the subject label of the events published on subjects
// that no subscriber subscribed to exactly (pattern subscribers included):
// a publisher can name any subject, and each would be a series.
const OtherSubject = "(other)"

// Published counts an event published on subject (OtherSubject for one
// without exact subscribers).
func (m *EventService) Published(subject string) {
	if m == nil {
		return
	}
	m.published.WithLabelValues(subject).Inc()
}

// Delivered counts n events delivered to subscriber.
func (m *EventService) Delivered(subscriber string, n int) {
	if m == nil {
		return
	}
	m.delivered.WithLabelValues(subscriber).Add(float64(n))
}

// Dropped counts an event dropped for subscriber.
func (m *EventService) Dropped(subscriber string) {
	if m == nil {
		return
	}
	m.drops.WithLabelValues(subscriber).Inc()
}

var (
	subscribersDesc = prometheus.NewDesc("pyro_es_subscribers", "Subscribers with a live delivery queue.", nil, nil)
	topicsDesc      = prometheus.NewDesc("pyro_es_topics", "Subjects and patterns subscribed to.", nil, nil)
	queueDesc       = prometheus.NewDesc("pyro_es_queue_depth", "Events queued for a subscriber, not yet delivered.", []string{"subscriber"}, nil)
)

// eventCollector reports the gauges of an event service at scrape time.
type eventCollector struct{ stats func() EventStats }

func (c *eventCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- subscribersDesc
	ch <- topicsDesc
	ch <- queueDesc
}

func (c *eventCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(subscribersDesc, prometheus.GaugeValue, float64(st.Subscribers))
	ch <- prometheus.MustNewConstMetric(topicsDesc, prometheus.GaugeValue, float64(st.Topics))
	for sub, n := range st.Queues {
		ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(n), sub)
	}
}
