package es

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gopyro/gopyro/internal/metricstest"
)

func TestBrokerMetrics(t *testing.T) {
	b := NewBroker(BrokerOptions{QueueSize: 1})
	defer b.Close()
	reg := prometheus.NewRegistry()
	if err := b.UseMetrics(reg); err != nil {
		t.Fatal(err)
	}
	fast, slow := newFake("fast"), newFake("slow")
	slow.gate = make(chan struct{})
	slow.entered = make(chan struct{}, 1)
	if err := b.Subscribe(bs("weather"), fast); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(bs("weather"), slow); err != nil {
		t.Fatal(err)
	}
	if err := b.SubscribeMatch(bs("news.*"), fast); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// slow takes the first event and blocks in Deliver, the second waits
	// in its queue of one, the third is dropped.
	if err := b.Publish(ctx, bs("weather"), int64(1)); err != nil {
		t.Fatal(err)
	}
	recv(t, fast, 1)
	<-slow.entered
	for i := int64(2); i <= 3; i++ {
		if err := b.Publish(ctx, bs("weather"), i); err != nil {
			t.Fatal(err)
		}
		recv(t, fast, 1)
	}
	if err := b.Publish(ctx, bs("news.today"), int64(4)); err != nil {
		t.Fatal(err)
	}
	recv(t, fast, 1)
	if err := b.Publish(ctx, bs("nobody.listens"), int64(5)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"pyro_es_published_total", map[string]string{"subject": "weather"}, 3},
		// news.today has a pattern subscriber only, nobody.listens none: a
		// publisher cannot make series.
		{"pyro_es_published_total", map[string]string{"subject": "(other)"}, 2},
		{"pyro_es_published_total", map[string]string{"subject": "news.today"}, 0},
		{"pyro_es_published_total", map[string]string{"subject": "nobody.listens"}, 0},
		{"pyro_es_dropped_total", map[string]string{"subscriber": "slow"}, 1},
		{"pyro_es_queue_depth", map[string]string{"subscriber": "slow"}, 1},
		{"pyro_es_subscribers", nil, 2},
		{"pyro_es_topics", nil, 2},
	}
	for _, tt := range tests {
		if got := metricstest.Value(t, reg, tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	close(slow.gate)
	recv(t, slow, 2)
	b.Close()
	for sub, want := range map[string]float64{"fast": 4, "slow": 2} {
		if got := metricstest.Value(t, reg, "pyro_es_delivered_total", map[string]string{"subscriber": sub}); got != want {
			t.Errorf("delivered to %s = %v, want %v", sub, got, want)
		}
	}
}
