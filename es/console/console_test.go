package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gopyro/gopyro/es"
	"github.com/gopyro/gopyro/pickle"
)

// stuck is a subscriber whose deliveries wait until the test ends, so
// that its queue fills.
type stuck struct {
	id   string
	gate chan struct{}
}

func (s stuck) ID() string { return s.id }
func (s stuck) Deliver(ctx context.Context, _ []*es.Delivery) error {
	select {
	case <-s.gate:
	case <-ctx.Done():
	}
	return nil
}
func (s stuck) Close() error { return nil }

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestConsole(t *testing.T) {
	b := es.NewBroker(es.BrokerOptions{})
	t.Cleanup(func() { b.Close() })
	reg := prometheus.NewRegistry()
	if err := b.UseMetrics(reg); err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	t.Cleanup(func() { close(gate) })
	alice, bob := stuck{"alice", gate}, stuck{"bob", gate}
	if err := b.Subscribe(pickle.ByteString("weather"), alice); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(pickle.ByteString("weather"), bob); err != nil {
		t.Fatal(err)
	}
	if err := b.SubscribeMatch(pickle.ByteString("stock\\..*"), bob); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := b.Publish(context.Background(), pickle.ByteString("weather"), int64(1)); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	Mount(mux, b, reg)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	var p Page
	getJSON(t, srv.URL+"/api/es/topics?limit=1&offset=1", &p)
	want := Page{Total: 2, Offset: 1, Topics: []Topic{{Name: "weather", Subscribers: []string{"alice", "bob"}}}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("topics (-want +got)\n%s", diff)
	}
	// Each subscriber's goroutine holds one batch; the rest stays queued.
	deadline := time.Now().Add(5 * time.Second)
	var st Stats
	for {
		getJSON(t, srv.URL+"/api/es/stats", &st)
		if len(st.Queues) == 2 && st.Queues[0].Depth == st.Queues[1].Depth || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if st.Subscribers != 2 || st.Subjects != 1 || st.Patterns != 1 || st.Published != 3 || len(st.Queues) != 2 {
		t.Errorf("stats %+v", st)
	}
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /: %d", resp.StatusCode)
	}
}
