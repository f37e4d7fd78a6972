package config

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// inTempDir makes a fresh temporary directory the current one, optionally
// with a Pyro.conf, and returns its path as os.Getwd reports it.
func inTempDir(t *testing.T, pyroConf string) string {
	t.Helper()
	t.Chdir(t.TempDir())
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if pyroConf != "" {
		writeFile(t, filepath.Join(dir, "Pyro.conf"), pyroConf)
	}
	return dir
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// values returns name → value of every item.
func itemValues(c *Config) map[string]string {
	m := make(map[string]string)
	for _, it := range c.Items() {
		m[it.Name] = it.Value
	}
	return m
}

func TestDefaults(t *testing.T) {
	dir := inTempDir(t, "")
	c, err := Load(envFunc(nil))
	if err != nil {
		t.Fatal(err)
	}
	// As printed by `python -m Pyro.configuration` of Pyro 3.16 in dir.
	want := map[string]string{
		"PYROSSL_CA_CERT": "ca.pem", "PYROSSL_CERT": "host.pem", "PYROSSL_CERTDIR": dir + "/certs",
		"PYROSSL_KEY": "None", "PYROSSL_POSTCONNCHECK": "1", "PYRO_BC_RETRIES": "1",
		"PYRO_BC_TIMEOUT": "0.75", "PYRO_BROKEN_MSGWAITALL": "0", "PYRO_CHECKSUM": "0",
		"PYRO_COMPRESSION": "0", "PYRO_CONFIG_FILE": "", "PYRO_DETAILED_TRACEBACK": "0",
		"PYRO_DNS_URI": "0", "PYRO_ES_BLOCKQUEUE": "1", "PYRO_ES_QUEUESIZE": "1000",
		"PYRO_GNOSIS_PARANOIA": "0", "PYRO_HOST": "", "PYRO_LOGFILE": dir + "/Pyro_log",
		"PYRO_MAXCONNECTIONS": "200", "PYRO_MOBILE_CODE": "0", "PYRO_MULTITHREADED": "1",
		"PYRO_NS2_BC_ADDR": "None", "PYRO_NS2_BC_PORT": "9091", "PYRO_NS2_HOSTNAME": "None",
		"PYRO_NS2_PORT": "9091", "PYRO_NS_BC_ADDR": "None", "PYRO_NS_BC_PORT": "9090",
		"PYRO_NS_DEFAULTGROUP": ":Default", "PYRO_NS_HOSTNAME": "None", "PYRO_NS_PORT": "9090",
		"PYRO_NS_URIFILE": dir + "/Pyro_NS_URI", "PYRO_ONEWAY_THREADED": "1", "PYRO_PICKLE_FORMAT": "2",
		"PYRO_PORT": "7766", "PYRO_PORT_RANGE": "100", "PYRO_PUBLISHHOST": "None",
		"PYRO_SOCK_KEEPALIVE": "1", "PYRO_STDLOGGING": "0", "PYRO_STDLOGGING_CFGFILE": "logging.cfg",
		"PYRO_STORAGE": dir, "PYRO_TCP_LISTEN_BACKLOG": "200", "PYRO_TRACELEVEL": "0",
		"PYRO_USER_LOGFILE": dir + "/Pyro_userlog", "PYRO_USER_TRACELEVEL": "0", "PYRO_XML_PICKLE": "None",
		// gopyro's own
		"PYRO_HANDSHAKE_TIMEOUT": "10.0", "PYRO_MAXCONNECTIONS_PER_HOST": "0", "PYRO_DETECT_WAIT": "0.1",
		"PYRO_NS_BCPORT": "9091", "PYRO_NS_BCHOST": "None", "GOPYRO_HTTP": "None",
		"GOPYRO_NS_STORE": "None", "GOPYRO_ETCD_USER": "None", "GOPYRO_ETCD_PASSWORD": "None",
	}
	if diff := cmp.Diff(want, itemValues(c)); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	for _, it := range c.Items() {
		if it.Source != SourceDefault {
			t.Errorf("%s: source %q, want default", it.Name, it.Source)
		}
	}
	if diff := cmp.Diff(c, Defaults(), cmp.AllowUnexported(Config{}), cmp.Comparer(func(a, b map[string]origin) bool {
		return len(a) == 0 && len(b) == 0
	})); diff != "" {
		t.Errorf("Defaults() differs from Load without settings (-load +defaults):\n%s", diff)
	}
	typed := Config{Port: c.Port, BCRetries: c.BCRetries, BCTimeout: c.BCTimeout, Multithreaded: c.Multithreaded,
		ESBlockQueue: c.ESBlockQueue, SockKeepalive: c.SockKeepalive, SSLPostConnCheck: c.SSLPostConnCheck}
	wantTyped := Config{Port: 7766, BCRetries: 1, BCTimeout: 0.75, Multithreaded: true, ESBlockQueue: true,
		SockKeepalive: true, SSLPostConnCheck: true}
	if diff := cmp.Diff(wantTyped, typed, cmp.AllowUnexported(Config{})); diff != "" {
		t.Errorf("typed defaults (-want +got):\n%s", diff)
	}
}

// errValue returns the *Error in err's chain as a value, so that go-cmp
// compares its fields.
func errValue(err error) any {
	var e *Error
	if errors.As(err, &e) {
		return *e
	}
	return err
}

// sameErr compares wrapped sentinel errors by identity.
var sameErr = cmp.Comparer(func(a, b error) bool { return a == b })

// want is an expected item: value, source and where.
type want struct{ Value, Source, Where string }

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name     string
		pyroConf string            // ./Pyro.conf
		other    string            // file named by PYRO_CONFIG_FILE=other.conf
		env      map[string]string // environment
		code     func(c *Config)   // assignments after Load
		want     map[string]want
	}{
		{
			name: "default",
			want: map[string]want{"PYRO_PORT": {"7766", SourceDefault, ""}},
		},
		{
			name:     "file beats default",
			pyroConf: "# comment\n\nPYRO_PORT=7000\nPYRO_NS_HOSTNAME = nshost trailing words\n",
			want: map[string]want{
				"PYRO_PORT":        {"7000", SourceFile, "Pyro.conf:3"},
				"PYRO_NS_HOSTNAME": {"nshost", SourceFile, "Pyro.conf:4"},
				"PYRO_CONFIG_FILE": {"Pyro.conf", SourceDefault, ""},
			},
		},
		{
			name:     "env beats file",
			pyroConf: "PYRO_PORT=7000\nPYRO_HOST=filehost\n",
			env:      map[string]string{"PYRO_PORT": "7100"},
			want: map[string]want{
				"PYRO_PORT": {"7100", SourceEnv, "environment"},
				"PYRO_HOST": {"filehost", SourceFile, "Pyro.conf:2"},
			},
		},
		{
			name:     "code beats env",
			pyroConf: "PYRO_PORT=7000\n",
			env:      map[string]string{"PYRO_PORT": "7100", "PYRO_COMPRESSION": "1"},
			code:     func(c *Config) { c.Port = 7200; c.Compression = false },
			want: map[string]want{
				"PYRO_PORT":        {"7200", SourceCode, ""},
				"PYRO_COMPRESSION": {"0", SourceCode, ""},
			},
		},
		{
			name:     "empty value keeps default, later line wins",
			pyroConf: "PYRO_PORT=\nPYRO_NS_PORT=1\nPYRO_NS_PORT=2\n",
			want: map[string]want{
				"PYRO_PORT":    {"7766", SourceDefault, ""},
				"PYRO_NS_PORT": {"2", SourceFile, "Pyro.conf:3"},
			},
		},
		{
			name:  "empty env value is unset",
			env:   map[string]string{"PYRO_PORT": "", "PYRO_HOST": ""},
			want:  map[string]want{"PYRO_PORT": {"7766", SourceDefault, ""}, "PYRO_HOST": {"", SourceDefault, ""}},
			other: "",
		},
		{
			name:     "PYRO_CONFIG_FILE beats ./Pyro.conf",
			pyroConf: "PYRO_PORT=7000\n",
			other:    "PYRO_PORT=7001\r\nPYRO_DNS_URI=5\n",
			want: map[string]want{
				"PYRO_PORT":        {"7001", SourceFile, "other.conf:1"},
				"PYRO_DNS_URI":     {"1", SourceFile, "other.conf:2"},
				"PYRO_CONFIG_FILE": {"other.conf", SourceEnv, "environment"},
			},
		},
		{
			name:     "comments and blanks",
			pyroConf: "#PYRO_PORT=1\n   \nPYRO_HOST=a#b\t# trailing\nPYRO_PORT\t=\t42   \n",
			want: map[string]want{
				"PYRO_HOST": {"a#b", SourceFile, "Pyro.conf:3"},
				"PYRO_PORT": {"42", SourceFile, "Pyro.conf:4"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := inTempDir(t, tt.pyroConf)
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			if tt.other != "" {
				writeFile(t, filepath.Join(dir, "other.conf"), tt.other)
				env["PYRO_CONFIG_FILE"] = "other.conf"
			}
			c, err := Load(envFunc(env))
			if err != nil {
				t.Fatal(err)
			}
			if tt.code != nil {
				tt.code(c)
			}
			got := map[string]want{}
			for _, it := range c.Items() {
				if _, ok := tt.want[it.Name]; ok {
					got[it.Name] = want{strings.TrimPrefix(it.Value, dir+"/"), it.Source, strings.TrimPrefix(it.Where, dir+"/")}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConversions checks every kind of conversion, from the environment and
// from a file, against what Python 2's int() and float() accept.
func TestConversions(t *testing.T) {
	tests := []struct {
		item, value string
		field       func(c *Config) any
		want        any   // field value on success
		err         error // sentinel on failure
	}{
		{"PYRO_PORT", "7000", func(c *Config) any { return c.Port }, 7000, nil},
		{"PYRO_PORT", "+12", func(c *Config) any { return c.Port }, 12, nil},
		{"PYRO_BC_RETRIES", "-1", func(c *Config) any { return c.BCRetries }, -1, nil},
		{"PYRO_PORT", "007", func(c *Config) any { return c.Port }, 7, nil},
		{"PYRO_PORT", "True", nil, nil, ErrInvalidInt},
		{"PYRO_PORT", "0x10", nil, nil, ErrInvalidInt},
		{"PYRO_PORT", "1e3", nil, nil, ErrInvalidInt},
		{"PYRO_PORT", "1_000", nil, nil, ErrInvalidInt},
		{"PYRO_PORT", "5L", nil, nil, ErrInvalidInt},
		{"PYRO_PORT", "--5", nil, nil, ErrInvalidInt},
		{"PYRO_PORT", "+", nil, nil, ErrInvalidInt},
		{"PYRO_PORT", "99999999999999999999", nil, nil, ErrInvalidInt},
		{"PYRO_COMPRESSION", "1", func(c *Config) any { return c.Compression }, true, nil},
		{"PYRO_COMPRESSION", "2", func(c *Config) any { return c.Compression }, true, nil},
		{"PYRO_SOCK_KEEPALIVE", "0", func(c *Config) any { return c.SockKeepalive }, false, nil},
		{"PYRO_COMPRESSION", "True", nil, nil, ErrInvalidInt},
		{"PYRO_COMPRESSION", "yes", nil, nil, ErrInvalidInt},
		{"PYRO_BC_TIMEOUT", "2", func(c *Config) any { return c.BCTimeout }, 2.0, nil},
		{"PYRO_BC_TIMEOUT", "1.5e+3", func(c *Config) any { return c.BCTimeout }, 1500.0, nil},
		{"PYRO_BC_TIMEOUT", ".5", func(c *Config) any { return c.BCTimeout }, 0.5, nil},
		{"PYRO_BC_TIMEOUT", "5.", func(c *Config) any { return c.BCTimeout }, 5.0, nil},
		{"PYRO_BC_TIMEOUT", "-1", func(c *Config) any { return c.BCTimeout }, -1.0, nil},
		{"PYRO_BC_TIMEOUT", "-Infinity", func(c *Config) any { return c.BCTimeout }, math.Inf(-1), nil},
		{"PYRO_BC_TIMEOUT", "inf", func(c *Config) any { return c.BCTimeout }, math.Inf(1), nil},
		{"PYRO_BC_TIMEOUT", "NaN", func(c *Config) any { return math.IsNaN(c.BCTimeout) }, true, nil},
		{"PYRO_BC_TIMEOUT", "0x1p3", nil, nil, ErrInvalidFloat},
		{"PYRO_BC_TIMEOUT", "1_0", nil, nil, ErrInvalidFloat},
		{"PYRO_BC_TIMEOUT", "1e", nil, nil, ErrInvalidFloat},
		{"PYRO_BC_TIMEOUT", ".", nil, nil, ErrInvalidFloat},
		{"PYRO_BC_TIMEOUT", "infinit", nil, nil, ErrInvalidFloat},
		{"PYRO_BC_TIMEOUT", "True", nil, nil, ErrInvalidFloat},
		{"PYRO_HOST", "True", func(c *Config) any { return c.Host }, "True", nil},
		{"PYROSSL_KEY", "key.pem", func(c *Config) any { return c.SSLKey }, "key.pem", nil},
		{"PYRO_NS_DEFAULTGROUP", ":Mine", func(c *Config) any { return c.NSDefaultGroup }, ":Mine", nil},
	}
	for _, tt := range tests {
		t.Run(tt.item+"="+tt.value, func(t *testing.T) {
			dir := inTempDir(t, "# line 1\n"+tt.item+"="+tt.value+"\n")
			for _, from := range []string{"env", "file"} {
				env := map[string]string{}
				wantErr := &Error{Item: tt.item, Value: tt.value, File: dir + "/Pyro.conf", Line: 2, Err: tt.err}
				if from == "env" {
					env["PYRO_CONFIG_FILE"] = os.DevNull
					env[tt.item] = " " + tt.value + "\t" // Python's int() and float() strip blanks
					wantErr.Value, wantErr.File, wantErr.Line = env[tt.item], "", 0
				}
				c, err := Load(envFunc(env))
				if tt.err != nil {
					if !errors.Is(err, tt.err) {
						t.Fatalf("%s: err = %v, want %v", from, err, tt.err)
					}
					if diff := cmp.Diff(*wantErr, errValue(err), sameErr); diff != "" {
						t.Errorf("%s: error (-want +got):\n%s", from, diff)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", from, err)
				}
				got := tt.field(c)
				if s, ok := got.(string); ok && from == "env" {
					got = strings.Trim(s, " \t") // strings keep their blanks
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s: value (-want +got):\n%s", from, diff)
				}
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, conf string
		want       *Error // File is filled in
		msg        string // Error() with {dir} for the directory
	}{
		{"syntax", "PYRO_PORT=1\n  PYRO_HOST=x\n", &Error{Line: 2, Value: "  PYRO_HOST=x", Err: ErrSyntax},
			`config: {dir}/Pyro.conf:2: syntax error "  PYRO_HOST=x"`},
		{"no equals", "PYRO_PORT 1\n", &Error{Line: 1, Value: "PYRO_PORT 1", Err: ErrSyntax},
			`config: {dir}/Pyro.conf:1: syntax error "PYRO_PORT 1"`},
		{"indented comment", "\n\t# x\n", &Error{Line: 2, Value: "\t# x", Err: ErrSyntax},
			`config: {dir}/Pyro.conf:2: syntax error "\t# x"`},
		{"unknown item", "PYRO_PORT=1\npyro_port=2\n", &Error{Line: 2, Item: "pyro_port", Err: ErrUnknownItem},
			`config: {dir}/Pyro.conf:2: pyro_port: unknown config item`},
		{"config file item", "PYRO_CONFIG_FILE=x\n", &Error{Line: 1, Item: "PYRO_CONFIG_FILE", Err: ErrUnknownItem},
			`config: {dir}/Pyro.conf:1: PYRO_CONFIG_FILE: unknown config item`},
		{"bad int", "PYRO_HOST=h\nPYRO_MAXCONNECTIONS=True\n", &Error{Line: 2, Item: "PYRO_MAXCONNECTIONS", Value: "True", Err: ErrInvalidInt},
			`config: {dir}/Pyro.conf:2: PYRO_MAXCONNECTIONS: invalid integer value "True"`},
		{"bad expanded int", "PYRO_PORT=$CURDIR\n", &Error{Line: 1, Item: "PYRO_PORT", Value: "$CURDIR", Err: ErrInvalidInt},
			`config: {dir}/Pyro.conf:1: PYRO_PORT: invalid integer value "$CURDIR"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := inTempDir(t, tt.conf)
			_, err := Load(envFunc(nil))
			tt.want.File = dir + "/Pyro.conf"
			if diff := cmp.Diff(*tt.want, errValue(err), sameErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if err != nil {
				if got, want := err.Error(), strings.ReplaceAll(tt.msg, "{dir}", dir); got != want {
					t.Errorf("message %q, want %q", got, want)
				}
			}
		})
	}
}

func TestBadValueOverriddenIsNoError(t *testing.T) {
	inTempDir(t, "PYRO_PORT=True\n")
	c, err := Load(envFunc(map[string]string{"PYRO_PORT": "8000"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8000 {
		t.Errorf("Port = %d, want 8000", c.Port)
	}
}

func TestEnvErrorMessage(t *testing.T) {
	inTempDir(t, "")
	_, err := Load(envFunc(map[string]string{"PYRO_BC_TIMEOUT": "soon"}))
	const want = `config: environment variable PYRO_BC_TIMEOUT: invalid floating point value "soon"`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestMissingConfigFile(t *testing.T) {
	dir := inTempDir(t, "")
	_, err := Load(envFunc(map[string]string{"PYRO_CONFIG_FILE": "nope.conf"}))
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, os.ErrNotExist) || e.File != dir+"/nope.conf" {
		t.Fatalf("err = %#v, want *Error for %s wrapping ErrNotExist", err, dir+"/nope.conf")
	}
	if !strings.HasPrefix(err.Error(), "config: config file "+dir+"/nope.conf: open ") {
		t.Errorf("message %q", err)
	}
}

func TestExpansion(t *testing.T) {
	tests := []struct {
		name     string
		pyroConf string
		env      map[string]string
		want     map[string]string // {dir} = current directory, {parent} its parent
	}{
		{
			name: "defaults follow storage",
			env:  map[string]string{"PYRO_STORAGE": "data/../store"},
			want: map[string]string{
				"PYRO_STORAGE": "{dir}/store", "PYRO_LOGFILE": "{dir}/store/Pyro_log",
				"PYRO_USER_LOGFILE": "{dir}/store/Pyro_userlog", "PYRO_NS_URIFILE": "{dir}/store/Pyro_NS_URI",
				"PYROSSL_CERTDIR": "{dir}/store/certs",
			},
		},
		{
			name:     "env storage applies to file values",
			pyroConf: "PYRO_LOGFILE=$STORAGE/logs/sys.log\nPYROSSL_CERTDIR=$STORAGE/a/../tls\n",
			env:      map[string]string{"PYRO_STORAGE": "/srv/pyro/"},
			want: map[string]string{
				"PYRO_STORAGE": "/srv/pyro", "PYRO_LOGFILE": "/srv/pyro/logs/sys.log",
				// Not made absolute, so not normalised either (as in Pyro).
				"PYROSSL_CERTDIR": "/srv/pyro/a/../tls",
			},
		},
		{
			name:     "curdir",
			pyroConf: "PYRO_STORAGE=$CURDIR\nPYRO_HOST=$CURDIR\nPYRO_NS_URIFILE=$CURDIR\nPYROSSL_CA_CERT=$CURDIR/x\n",
			want: map[string]string{
				"PYRO_STORAGE": "{dir}", "PYRO_HOST": ".", "PYRO_NS_URIFILE": "{dir}", "PYROSSL_CA_CERT": "$CURDIR/x",
			},
		},
		{
			name:     "relative paths made absolute",
			pyroConf: "PYRO_LOGFILE=log/a.log\nPYRO_USER_LOGFILE=./u.log\nPYRO_NS_URIFILE=../uri\nPYROSSL_CERT=rel.pem\n",
			want: map[string]string{
				"PYRO_LOGFILE": "{dir}/log/a.log", "PYRO_USER_LOGFILE": "{dir}/u.log",
				"PYRO_NS_URIFILE": "{parent}/uri", "PYROSSL_CERT": "rel.pem",
			},
		},
		{
			name:     "absolute rest and no slash",
			pyroConf: "PYRO_LOGFILE=$STORAGE//var/log/p\nPYRO_HOST=$STORAGE\nPYRO_NS_DEFAULTGROUP=x$STORAGE/y\n",
			want: map[string]string{
				"PYRO_LOGFILE": "/var/log/p", "PYRO_HOST": "$STORAGE", "PYRO_NS_DEFAULTGROUP": "x$STORAGE/y",
			},
		},
		{
			name: "double slash kept",
			env:  map[string]string{"PYRO_STORAGE": "//net/share/"},
			want: map[string]string{"PYRO_STORAGE": "//net/share", "PYRO_LOGFILE": "//net/share/Pyro_log"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := inTempDir(t, tt.pyroConf)
			c, err := Load(envFunc(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			all := itemValues(c)
			got := map[string]string{}
			want := map[string]string{}
			for k, v := range tt.want {
				got[k] = all[k]
				want[k] = strings.NewReplacer("{dir}", dir, "{parent}", filepath.Dir(dir)).Replace(v)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("expanded items (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	inTempDir(t, "PYRO_XML_PICKLE=gnosis\nPYRO_BROKEN_MSGWAITALL=1\nPYRO_GNOSIS_PARANOIA=0\n")
	c, err := Load(envFunc(map[string]string{"PYRO_STDLOGGING": "1", "PYRO_PORT": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	c.TCPListenBacklog = 5
	got := c.Warnings()
	var names []string
	for _, w := range got {
		names = append(names, strings.SplitN(w, "=", 2)[0])
	}
	want := []string{"PYRO_BROKEN_MSGWAITALL", "PYRO_STDLOGGING", "PYRO_TCP_LISTEN_BACKLOG", "PYRO_XML_PICKLE"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("warned items (-want +got):\n%s\n%q", diff, got)
	}
	if !strings.Contains(got[3], "(from "+c.ConfigFile+":1)") {
		t.Errorf("warning %q does not name file and line", got[3])
	}
}

func TestPrint(t *testing.T) {
	dir := inTempDir(t, "PYRO_PORT=7000\n")
	c, err := Load(envFunc(map[string]string{"PYRO_GNOSIS_PARANOIA": "-1", "PYRO_HANDSHAKE_TIMEOUT": "2.5"}))
	if err != nil {
		t.Fatal(err)
	}
	c.Host = "example"
	var b strings.Builder
	if err := c.Print(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Active configuration settings:\nPYROSSL_CA_CERT=ca.pem\n",
		"\nPYRO_CONFIG_FILE=" + dir + "/Pyro.conf\n",
		"\nPYRO_XML_PICKLE=None\ngopyro's own settings (unknown to Pyro 3):\nGOPYRO_ETCD_PASSWORD=None\nGOPYRO_ETCD_USER=None\nGOPYRO_HTTP=None\nGOPYRO_NS_STORE=None\nPYRO_DETECT_WAIT=0.1\nPYRO_HANDSHAKE_TIMEOUT=2.5\nPYRO_MAXCONNECTIONS_PER_HOST=0\nPYRO_NS_BCHOST=None\nPYRO_NS_BCPORT=9091\n" +
			"Set explicitly:\n  PYRO_GNOSIS_PARANOIA from environment\n  PYRO_HANDSHAKE_TIMEOUT from environment\n  PYRO_HOST from code\n  PYRO_PORT from " + dir + "/Pyro.conf:1\n",
		"Without effect in gopyro:\n  PYRO_GNOSIS_PARANOIA=-1 (from environment) has no effect: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestZeroConfigIsCode(t *testing.T) {
	var c Config
	for _, it := range c.Items() {
		if it.Source != SourceCode {
			t.Errorf("%s: source %q, want code", it.Name, it.Source)
		}
	}
}

func TestEnsureStorage(t *testing.T) {
	dir := inTempDir(t, "")
	c := Defaults()
	c.Storage = filepath.Join(dir, "new")
	if err := c.EnsureStorage(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(c.Storage); err != nil || !st.IsDir() {
		t.Fatalf("storage not created: %v", err)
	}
	entries, _ := os.ReadDir(c.Storage)
	if len(entries) != 0 {
		t.Errorf("test file left behind: %v", entries)
	}
	writeFile(t, filepath.Join(dir, "file"), "")
	c.Storage = filepath.Join(dir, "file")
	if err := c.EnsureStorage(); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("err = %v, want not a directory", err)
	}
	c.Storage = filepath.Join(dir, "missing", "deeper")
	if err := c.EnsureStorage(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
}

func TestCurrent(t *testing.T) {
	c := Current()
	if c == nil || c != Current() {
		t.Fatal("Current is not one shared configuration")
	}
	want, err := Load(os.Getenv)
	if (err != nil) != (CurrentErr() != nil) {
		t.Fatalf("CurrentErr = %v, Load error %v", CurrentErr(), err)
	}
	if err == nil && c.Port != want.Port {
		t.Errorf("Current().Port = %d, Load gives %d", c.Port, want.Port)
	}
}
