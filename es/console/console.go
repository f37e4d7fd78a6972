// Package console is pyro-es's web console: a page on the event service's
// HTTP listener (metrics.HTTP) that shows the subscribed topics with their
// subscribers, each subscriber's queue depth, and the rates of events
// published, delivered and dropped. It is read only.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary,
// polling the JSON endpoints /api/es/stats and /api/es/topics (paged with
// offset and limit).
package console

import (
	"embed"
	"net/http"
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gopyro/gopyro/es"
	"github.com/gopyro/gopyro/internal/webconsole"
)

//go:embed static
var static embed.FS

type console struct {
	b   *es.Broker
	reg prometheus.Gatherer
}

// Mount adds the console of b to mux: the page at / and the JSON
// endpoints under /api/es/. reg, if not nil, is the registry the broker's
// metrics are in: the totals of events published, delivered and dropped
// are read from it.
func Mount(mux *http.ServeMux, b *es.Broker, reg prometheus.Gatherer) {
	c := &console{b: b, reg: reg}
	webconsole.MountPage(mux, static)
	mux.HandleFunc("GET /api/es/stats", c.stats)
	mux.HandleFunc("GET /api/es/topics", c.topics)
}

// Stats is the answer of /api/es/stats.
type Stats struct {
	Subscribers int `json:"subscribers"`
	Subjects    int `json:"subjects"`
	Patterns    int `json:"patterns"`
	// Published, Delivered and Dropped are totals since the start (from
	// the metrics; 0 without them, but Dropped).
	Published float64 `json:"published"`
	Delivered float64 `json:"delivered"`
	Dropped   float64 `json:"dropped"`
	// Queues are the subscribers' queue depths, deepest first.
	Queues []Queue `json:"queues"`
}

// Queue is one subscriber's queue.
type Queue struct {
	Subscriber string `json:"subscriber"`
	Depth      int    `json:"depth"`
}

// Topic is one subscribed subject or pattern.
type Topic struct {
	Name        string   `json:"name"`
	Pattern     bool     `json:"pattern"`
	Subscribers []string `json:"subscribers"`
}

// Page is the answer of /api/es/topics.
type Page struct {
	Total  int     `json:"total"`
	Offset int     `json:"offset"`
	Topics []Topic `json:"topics"`
}

func (c *console) stats(w http.ResponseWriter, _ *http.Request) {
	st := c.b.Stats()
	out := Stats{Subscribers: st.Subscribers, Subjects: st.Subjects, Patterns: st.Patterns, Dropped: float64(st.Dropped), Queues: []Queue{}}
	if c.reg != nil {
		fams, err := c.reg.Gather()
		if err != nil {
			webconsole.WriteJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		for _, f := range fams {
			var sum float64
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
			switch f.GetName() {
			case "pyro_es_published_total":
				out.Published = sum
			case "pyro_es_delivered_total":
				out.Delivered = sum
			}
		}
	}
	for id, n := range c.b.Queues() {
		out.Queues = append(out.Queues, Queue{Subscriber: id, Depth: n})
	}
	sort.Slice(out.Queues, func(i, j int) bool {
		if out.Queues[i].Depth != out.Queues[j].Depth {
			return out.Queues[i].Depth > out.Queues[j].Depth
		}
		return out.Queues[i].Subscriber < out.Queues[j].Subscriber
	})
	webconsole.WriteJSON(w, http.StatusOK, out)
}

func (c *console) topics(w http.ResponseWriter, r *http.Request) {
	offset, limit, err := webconsole.Paging(r)
	if err != nil {
		webconsole.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	all := c.b.Topics()
	p := Page{Total: len(all), Offset: offset, Topics: []Topic{}}
	from, to := webconsole.Window(len(all), offset, limit)
	for _, t := range all[from:to] {
		p.Topics = append(p.Topics, Topic{Name: t.Name, Pattern: t.Pattern, Subscribers: t.Subscribers})
	}
	webconsole.WriteJSON(w, http.StatusOK, p)
}
