package es

import (
	"sort"

	"github.com/gopyro/gopyro/metrics"
)

// Topic is one subscribed subject or pattern and who subscribed to it.
type Topic struct {
	// Name is the subject (lower-cased, as subjects match) or the
	// pattern's source.
	Name    string
	Pattern bool
	// Subscribers are the subscriber IDs, sorted.
	Subscribers []string
}

// Topics returns the subscribed subjects and patterns, sorted by name.
func (s *Broker) Topics() []Topic {
	s.mu.Lock()
	out := make([]Topic, 0, len(s.exact)+len(s.patterns))
	for key, m := range s.exact {
		out = append(out, Topic{Name: key, Subscribers: ids(m)})
	}
	for src, ps := range s.patterns {
		out = append(out, Topic{Name: src, Pattern: true, Subscribers: ids(ps.subs)})
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func ids(m map[string]*worker) []string {
	out := make([]string, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Queues returns the events queued for each subscriber, by subscriber ID.
func (s *Broker) Queues() map[string]int {
	s.mu.Lock()
	workers := make(map[string]*worker, len(s.workers))
	for id, w := range s.workers {
		workers[id] = w
	}
	s.mu.Unlock()
	out := make(map[string]int, len(workers))
	for id, w := range workers {
		w.q.mu.Lock()
		out[id] = w.q.lenLocked()
		w.q.mu.Unlock()
	}
	return out
}

// eventStats is what the broker's metrics report when scraped.
func (s *Broker) eventStats() metrics.EventStats {
	st := s.Stats()
	return metrics.EventStats{Subscribers: st.Subscribers, Topics: st.Subjects + st.Patterns, Queues: s.Queues()}
}

// UseMetrics registers the broker's figures (subscribers, topics, queue
// depths, events published, delivered and dropped) with reg. Call it
// before the broker is used.
func (s *Broker) UseMetrics(reg metrics.Registry) error {
	m, err := metrics.NewEventService(reg, s.eventStats)
	if err != nil {
		return err
	}
	s.metrics = m
	return nil
}
