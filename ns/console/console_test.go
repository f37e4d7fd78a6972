package console

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gopyro/gopyro/core"
	"github.com/gopyro/gopyro/internal/servetest"
	"github.com/gopyro/gopyro/internal/webconsole"
	"github.com/gopyro/gopyro/ns"
)

const testURI = "PYRO://127.0.0.1:7766/0123456789abcdef0123456789abcdef"

// newConsole serves the console of a fresh name space with the given
// names registered.
func newConsole(t testing.TB, opts Options, names ...string) (*httptest.Server, *ns.Namespace) {
	t.Helper()
	n, err := ns.NewNamespace(ns.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if err := n.Register(name, testURI); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	Mount(mux, ns.NewServer(n, ns.ServerOptions{}), opts)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, n
}

// do makes a request and decodes the JSON answer into v.
func do(t testing.TB, method, u string, form url.Values, pass string, v any) int {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if pass != "" {
		req.Header.Set(PassphraseHeader, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %v in %q", method, u, err, b)
		}
	}
	return resp.StatusCode
}

// TestPaging100k: with 100,000 names the listing and the filter answer a
// page at a time, quickly, and the pages add up to the whole.
func TestPaging100k(t *testing.T) {
	const total = 100_000
	names := make([]string, total)
	for i := range names {
		names[i] = fmt.Sprintf(":Default.n%06d", i)
	}
	srv, _ := newConsole(t, Options{}, names...)
	start := time.Now()
	var p Page
	if st := do(t, "GET", srv.URL+"/api/ns/list?group=:Default&offset=99990&limit=50", nil, "", &p); st != 200 {
		t.Fatalf("list: status %d", st)
	}
	if p.Total != total || len(p.Entries) != 10 || p.Entries[0].Name != ":Default.n099990" || p.Entries[0].URI != testURI {
		t.Errorf("last page: total %d, %d entries, first %+v", p.Total, len(p.Entries), p.Entries[0])
	}
	if st := do(t, "GET", srv.URL+"/api/ns/list?group=:Default&limit=100000", nil, "", &p); st != 200 || len(p.Entries) != webconsole.MaxLimit {
		t.Errorf("a page of %d entries (status %d), want at most %d", len(p.Entries), st, webconsole.MaxLimit)
	}
	if st := do(t, "GET", srv.URL+"/api/ns/search?q=N0999&limit=20&offset=90", nil, "", &p); st != 200 {
		t.Fatalf("search: status %d", st)
	}
	if p.Total != 100 || len(p.Entries) != 10 || p.Entries[9].Name != ":Default.n099999" {
		t.Errorf("search: total %d, %d entries %+v", p.Total, len(p.Entries), p.Entries)
	}
	t.Logf("three requests over 100,000 names: %v", time.Since(start))
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("three requests took %v", d)
	}
	var st Stats
	do(t, "GET", srv.URL+"/api/ns/stats", nil, "", &st)
	if st.Names != total || st.Groups != 2 || st.DefaultGroup != ":Default" || st.Admin {
		t.Errorf("stats %+v", st)
	}
}

func TestInfo(t *testing.T) {
	srv, n := newConsole(t, Options{}, ":Default.printer", ":Default.scanner")
	if err := n.SetMeta(":Default.scanner", ns.MetadataSet([]string{"office", "colour"})); err != nil {
		t.Fatal(err)
	}
	var in Info
	if st := do(t, "GET", srv.URL+"/api/ns/info?name=printer", nil, "", &in); st != 200 {
		t.Fatalf("info: status %d", st)
	}
	if in.Name != ":Default.printer" || in.URI != testURI || in.System == nil || in.System.Type != "name" || in.User != "None" ||
		in.Pyro5Name != "printer" || len(in.Tags) != 0 {
		t.Fatalf("info %+v", in)
	}
	if _, err := time.Parse(time.RFC3339, in.System.Time); err != nil || time.Since(mustParse(t, in.System.Time)) > time.Minute {
		t.Errorf("registration time %q: %v", in.System.Time, err)
	}
	var tagged Info
	if st := do(t, "GET", srv.URL+"/api/ns/info?name=scanner", nil, "", &tagged); st != 200 || !cmp.Equal(tagged.Tags, []string{"colour", "office"}) {
		t.Errorf("info of a name with Pyro 5 metadata: %d %+v", st, tagged)
	}
	var e errorBody
	if st := do(t, "GET", srv.URL+"/api/ns/info?name=nothere", nil, "", &e); st != 422 || !strings.Contains(e.Error, "name not found") {
		t.Errorf("info of a missing name: %d %q", st, e.Error)
	}
	in = Info{}
	if st := do(t, "GET", srv.URL+"/api/ns/info?name=:Default", nil, "", &in); st != 200 || in.System.Type != "group" || in.URI != "" {
		t.Errorf("info of a group: %d %+v", st, in)
	}
}

func mustParse(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestChanges: changes need the passphrase and are refused as a Pyro
// client's are.
func TestChanges(t *testing.T) {
	srv, n := newConsole(t, Options{Passphrase: "sesame"}, ":Default.a")
	reg := url.Values{"name": {"b"}, "uri": {testURI}}
	tests := []struct {
		path   string
		form   url.Values
		pass   string
		status int
		err    string
	}{
		{"/api/ns/register", reg, "", 403, "wrong admin passphrase"},
		{"/api/ns/register", reg, "open", 403, "wrong admin passphrase"},
		{"/api/ns/register", reg, "sesame", 200, ""},
		{"/api/ns/register", reg, "sesame", 422, "NamingError: ('name already exists', 'b')"},
		{"/api/ns/register", url.Values{"name": {"c"}, "uri": {"nonsense"}}, "sesame", 422, "invalid URI"},
		{"/api/ns/setmeta", url.Values{"name": {"a"}, "meta": {"colour"}}, "sesame", 200, ""},
		{"/api/ns/remove", url.Values{"name": {"a"}}, "sesame", 200, ""},
		{"/api/ns/remove", url.Values{"name": {"a"}}, "sesame", 422, "name not found"},
	}
	for _, tt := range tests {
		var e errorBody
		st := do(t, "POST", srv.URL+tt.path, tt.form, tt.pass, &e)
		if st != tt.status || !strings.Contains(e.Error, tt.err) {
			t.Errorf("%s %v: %d %q, want %d %q", tt.path, tt.form, st, e.Error, tt.status, tt.err)
		}
	}
	var names []string
	for _, b := range n.Flatlist() {
		names = append(names, b.Name)
	}
	if !cmp.Equal(names, []string{":Default.b"}) {
		t.Errorf("names %v", names)
	}
	ro, _ := newConsole(t, Options{}, ":Default.a")
	var e errorBody
	if st := do(t, "POST", ro.URL+"/api/ns/remove", url.Values{"name": {"a"}}, "x", &e); st != 403 || !strings.Contains(e.Error, "read only") {
		t.Errorf("read-only remove: %d %q", st, e.Error)
	}
}

type pingee struct{}

func (pingee) Hello() string { return "hi" }

func TestPing(t *testing.T) {
	d, err := core.NewDaemon(core.DaemonOptions{Host: "127.0.0.1", NoRange: true})
	if err != nil {
		t.Fatal(err)
	}
	servetest.Run(t, d)
	uri, err := d.Connect(pingee{}, "pingee")
	if err != nil {
		t.Fatal(err)
	}
	srv, n := newConsole(t, Options{PingTimeout: 2 * time.Second})
	if err := n.Register("alive", uri.String()); err != nil {
		t.Fatal(err)
	}
	if err := n.Register("dead", "PYRO://127.0.0.1:1/0123456789abcdef0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	var r PingResult
	if st := do(t, "POST", srv.URL+"/api/ns/ping", url.Values{"name": {"alive"}}, "", &r); st != 200 || r.URI != uri.String() {
		t.Errorf("ping alive: %d %+v", st, r)
	}
	var e errorBody
	if st := do(t, "POST", srv.URL+"/api/ns/ping", url.Values{"name": {"dead"}}, "", &e); st != 502 || e.Error == "" {
		t.Errorf("ping dead: %d %+v", st, e)
	}
}

func TestPage(t *testing.T) {
	srv, _ := newConsole(t, Options{})
	for _, path := range []string{"/", "/console/app.js", "/console/style.css"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
}
