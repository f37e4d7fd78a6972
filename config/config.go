package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gopyro/gopyro/internal/pyfloat"
)

// Config holds every item of Pyro 3.16's configuration, and gopyro's own
// (see the package documentation), typed. Field names
// are the item names without the PYRO_ (or PYROSSL_ → SSL) prefix in Go
// CamelCase; each field's comment names its item.
//
// Strings whose Pyro default is None use "" for None. Items Pyro keeps as
// integers but only tests for truth are bools (non-zero = true). Code that
// wants to override a value sets the field (Pyro's "code beats everything").
// A Config must not be changed while other goroutines use it.
type Config struct {
	Storage           string  // PYRO_STORAGE: base directory for logs, NS URI file, NS database, certificates (absolute)
	Host              string  // PYRO_HOST: daemon bind host; "" = all interfaces
	PublishHost       string  // PYRO_PUBLISHHOST: host put in URIs; "" = None
	Port              int     // PYRO_PORT: daemon base port
	PortRange         int     // PYRO_PORT_RANGE: ports tried from Port on
	NSHostname        string  // PYRO_NS_HOSTNAME: name server host for direct lookup; "" = None (broadcast)
	NSPort            int     // PYRO_NS_PORT: name server TCP port
	NSBCAddr          string  // PYRO_NS_BC_ADDR: broadcast address; "" = None (<broadcast>)
	NSBCPort          int     // PYRO_NS_BC_PORT: name server UDP broadcast port
	NS2Hostname       string  // PYRO_NS2_HOSTNAME: secondary name server of a pair; "" = None
	NS2Port           int     // PYRO_NS2_PORT
	NS2BCAddr         string  // PYRO_NS2_BC_ADDR; "" = None
	NS2BCPort         int     // PYRO_NS2_BC_PORT
	NSURIFile         string  // PYRO_NS_URIFILE: file the name server writes its URI to (absolute)
	NSDefaultGroup    string  // PYRO_NS_DEFAULTGROUP: group of relative names
	BCRetries         int     // PYRO_BC_RETRIES: extra broadcast attempts; <0 = forever
	BCTimeout         float64 // PYRO_BC_TIMEOUT: seconds to wait per broadcast attempt; <0 = forever
	PickleFormat      int     // PYRO_PICKLE_FORMAT: pickle protocol of what this process sends
	XMLPickle         string  // PYRO_XML_PICKLE: "" = None; no effect in gopyro
	GnosisParanoia    int     // PYRO_GNOSIS_PARANOIA: no effect in gopyro
	TraceLevel        int     // PYRO_TRACELEVEL: system log level, 0 none, 1 errors, 2 +warnings, 3 +notes
	UserTraceLevel    int     // PYRO_USER_TRACELEVEL: user log level, as TraceLevel
	LogFile           string  // PYRO_LOGFILE: system log file (absolute)
	UserLogFile       string  // PYRO_USER_LOGFILE: user log file (absolute)
	StdLogging        bool    // PYRO_STDLOGGING: no effect in gopyro
	StdLoggingCfgFile string  // PYRO_STDLOGGING_CFGFILE: no effect in gopyro
	MaxConnections    int     // PYRO_MAXCONNECTIONS: connection limit of a daemon
	TCPListenBacklog  int     // PYRO_TCP_LISTEN_BACKLOG: no effect in gopyro
	BrokenMsgWaitAll  bool    // PYRO_BROKEN_MSGWAITALL: no effect in gopyro
	Multithreaded     bool    // PYRO_MULTITHREADED: serve connections concurrently
	Compression       bool    // PYRO_COMPRESSION: zlib-compress outgoing message bodies
	MobileCode        bool    // PYRO_MOBILE_CODE: mobile code in both directions
	DNSURI            bool    // PYRO_DNS_URI: keep host names in URIs instead of IP addresses
	Checksum          bool    // PYRO_CHECKSUM: Adler-32 checksum on outgoing bodies
	SockKeepalive     bool    // PYRO_SOCK_KEEPALIVE: SO_KEEPALIVE on connections
	ESQueueSize       int     // PYRO_ES_QUEUESIZE: event queue per subscriber; 0 = unbounded
	ESBlockQueue      bool    // PYRO_ES_BLOCKQUEUE: publishers block on a full queue (else events are dropped)
	DetailedTraceback bool    // PYRO_DETAILED_TRACEBACK: detailed remote tracebacks
	OnewayThreaded    bool    // PYRO_ONEWAY_THREADED: oneway calls run concurrently with the connection
	SSLCertDir        string  // PYROSSL_CERTDIR: directory of the SSL files
	SSLCACert         string  // PYROSSL_CA_CERT: CA certificate file (in SSLCertDir)
	SSLCert           string  // PYROSSL_CERT: own certificate file (in SSLCertDir)
	SSLKey            string  // PYROSSL_KEY: own key file; "" = None (key in SSLCert)
	SSLPostConnCheck  bool    // PYROSSL_POSTCONNCHECK: check the peer's host name after connecting
	ConfigFile        string  // PYRO_CONFIG_FILE: absolute path of the file read, "" if none

	// gopyro's own items, unknown to Pyro 3.
	HandshakeTimeout      float64 // PYRO_HANDSHAKE_TIMEOUT: seconds a new connection has to complete the handshake; <=0 = no limit but the idle timeout
	MaxConnectionsPerHost int     // PYRO_MAXCONNECTIONS_PER_HOST: connections a daemon accepts from one client IP address; 0 = no limit
	DetectWait            float64 // PYRO_DETECT_WAIT: seconds a daemon of Pyro 3 and 5 waits for a client's first bytes before it speaks Pyro 3
	NS5BCPort             int     // PYRO_NS_BCPORT: UDP port of the name server's Pyro 5 discovery (GET_NSURI), Pyro5's NS_BCPORT
	NS5BCHost             string  // PYRO_NS_BCHOST: address the Pyro 5 discovery listener binds to ("" = None: all interfaces), Pyro5's NS_BCHOST
	HTTP                  string  // GOPYRO_HTTP: host:port of pyro-ns's and pyro-es's HTTP listener (metrics, health, console); "" = None, off
	NSStore               string  // GOPYRO_NS_STORE: pyro-ns's store: memory, bolt:PATH or etcd://host:port[,host:port...]/prefix; "" = None, as -d says
	EtcdUser              string  // GOPYRO_ETCD_USER: user name pyro-ns authenticates to etcd with; "" = None, no authentication
	EtcdPassword          string  // GOPYRO_ETCD_PASSWORD: its password

	// What Load produced, to tell code changes and sources apart.
	loaded  map[string]string // item → formatted value after Load
	origins map[string]origin // item → where the value came from (absent = default)
}

// origin is where an item's value came from.
type origin struct {
	source string // SourceFile or SourceEnv
	file   string
	line   int
}

func (o origin) String() string {
	if o.source == SourceFile {
		return fmt.Sprintf("%s:%d", o.file, o.line)
	}
	return "environment"
}

// Sources of an item's value, as reported in Item.Source.
const (
	SourceDefault = "default" // Pyro's default
	SourceFile    = "file"    // the config file
	SourceEnv     = "env"     // the environment variable of the same name
	SourceCode    = "code"    // set by the program after loading
)

// Item is one configuration item as Pyro would show it.
type Item struct {
	Name   string // e.g. "PYRO_PORT"
	Value  string // formatted as `python -m Pyro.configuration` prints it ("None" for unset optional strings)
	Source string // SourceDefault, SourceFile, SourceEnv or SourceCode
	Where  string // for SourceFile "file:line", for SourceEnv "environment", else ""
	// NoEffect, when not empty, says why the item has no effect in gopyro.
	NoEffect string
	// GoOnly marks gopyro's own items, which Pyro 3 does not have.
	GoOnly bool
}

// Load builds a configuration the way Pyro 3.16 does at import time: Pyro's
// defaults, overridden by the config file, overridden by the environment.
// getenv looks up environment variables (nil = os.Getenv); an empty value
// counts as unset. The config file is the one named by PYRO_CONFIG_FILE, else
// ./Pyro.conf if that is a regular file, else none. $CURDIR (the current
// directory) and $STORAGE/... (relative to PYRO_STORAGE) are expanded, and
// PYRO_STORAGE, PYRO_LOGFILE, PYRO_USER_LOGFILE and PYRO_NS_URIFILE are made
// absolute. Errors are *Error values naming the item and where its value came
// from.
func Load(getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("config: current directory: %w", err)
	}
	raw := make(map[string]string, len(items))
	origins := make(map[string]origin)
	for _, it := range items {
		raw[it.name] = it.def
	}

	file := getenv(configFileItem)
	if file != "" {
		origins[configFileItem] = origin{source: SourceEnv}
	} else if st, err := os.Stat("Pyro.conf"); err == nil && st.Mode().IsRegular() {
		file = "Pyro.conf"
	}
	if file != "" {
		file = pyAbs(cwd, file)
		if err := parseFile(file, raw, origins); err != nil {
			return nil, err
		}
	}
	for _, it := range items {
		if v := getenv(it.name); v != "" {
			raw[it.name] = v
			origins[it.name] = origin{source: SourceEnv}
		}
	}

	c, err := build(cwd, raw, origins)
	if err != nil {
		return nil, err
	}
	c.ConfigFile = file
	c.loaded = c.values()
	return c, nil
}

// expand replaces Pyro's special values: exactly "$CURDIR" becomes "." and
// "$STORAGE/rest" becomes rest joined to storage (os.path.join semantics).
func expand(v, storage string) string {
	switch {
	case v == "$CURDIR":
		return "."
	case strings.HasPrefix(v, "$STORAGE/"):
		return pyJoin(storage, v[len("$STORAGE/"):])
	}
	return v
}

// pyJoin is Python's posixpath.join for two parts.
func pyJoin(a, b string) string {
	switch {
	case strings.HasPrefix(b, "/"):
		return b
	case a == "" || strings.HasSuffix(a, "/"):
		return a + b
	}
	return a + "/" + b
}

// pyAbs is Python's os.path.abspath relative to cwd: join and normalise,
// keeping a leading "//" as POSIX (and Python) do.
func pyAbs(cwd, p string) string {
	if !strings.HasPrefix(p, "/") {
		p = pyJoin(cwd, p)
	}
	clean := filepath.Clean(p)
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		clean = "/" + clean
		if clean == "//" {
			return clean
		}
	}
	return clean
}

// set converts the expanded text v for item it and stores it in c.
func set(c *Config, it itemDef, v string) error {
	switch p := it.field(c).(type) {
	case *string:
		*p = v
	case *int:
		n, err := parseInt(v)
		if err != nil {
			return err
		}
		*p = n
	case *bool:
		n, err := parseInt(v)
		if err != nil {
			return err
		}
		*p = n != 0
	case *float64:
		f, err := parseFloat(v)
		if err != nil {
			return err
		}
		*p = f
	}
	return nil
}

// format renders the value of item it the way Python's str() shows Pyro's.
func format(c *Config, it itemDef) string {
	switch p := it.field(c).(type) {
	case *string:
		if *p == "" && it.kind == kindNoneString {
			return "None"
		}
		return *p
	case *int:
		return strconv.Itoa(*p)
	case *bool:
		if *p {
			return "1"
		}
		return "0"
	case *float64:
		return pyfloat.Str(*p)
	}
	return ""
}

func (c *Config) values() map[string]string {
	m := make(map[string]string, len(items)+1)
	for _, it := range items {
		m[it.name] = format(c, it)
	}
	m[configFileItem] = c.ConfigFile
	return m
}

// Items returns every item, gopyro's own ones (GoOnly) included, sorted by
// name as `python -m Pyro.configuration` lists them, with its current value
// and where that value came from. Values
// changed after Load (or every value of a Config not made by Load) have
// Source SourceCode.
func (c *Config) Items() []Item {
	cur := c.values()
	out := make([]Item, 0, len(cur))
	for name, v := range cur {
		item := Item{Name: name, Value: v, Source: SourceDefault}
		if i, ok := itemIndex[name]; ok {
			item.NoEffect, item.GoOnly = items[i].noEffect, items[i].goOnly
		}
		if o, ok := c.origins[name]; ok {
			item.Source, item.Where = o.source, o.String()
		}
		if lv, ok := c.loaded[name]; !ok || lv != v {
			item.Source, item.Where = SourceCode, ""
		}
		out = append(out, item)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Warnings returns one message for each item that was set (in the file, the
// environment or by code) to something other than its default but has no
// effect in gopyro, so that programs can tell their users.
func (c *Config) Warnings() []string {
	var w []string
	for _, it := range c.Items() {
		if it.NoEffect == "" || it.Source == SourceDefault || it.Value == defaultText(it.Name) {
			continue
		}
		from := it.Where
		if from == "" {
			from = it.Source
		}
		w = append(w, fmt.Sprintf("%s=%s (from %s) has no effect: %s", it.Name, it.Value, from, it.NoEffect))
	}
	return w
}

// Print writes the active configuration: first exactly the lines `python -m
// Pyro.configuration` prints after its header (NAME=VALUE, sorted), then
// gopyro's own items in the same form under a header of their own, then the
// items not at their default with where they were set, then the warnings of
// Warnings.
func (c *Config) Print(w io.Writer) error {
	all := c.Items()
	var b strings.Builder
	b.WriteString("Active configuration settings:\n")
	for _, it := range all {
		if !it.GoOnly {
			fmt.Fprintf(&b, "%s=%s\n", it.Name, it.Value)
		}
	}
	b.WriteString("gopyro's own settings (unknown to Pyro 3):\n")
	for _, it := range all {
		if it.GoOnly {
			fmt.Fprintf(&b, "%s=%s\n", it.Name, it.Value)
		}
	}
	first := true
	for _, it := range all {
		if it.Source == SourceDefault {
			continue
		}
		if first {
			b.WriteString("Set explicitly:\n")
			first = false
		}
		from := it.Where
		if from == "" {
			from = it.Source
		}
		fmt.Fprintf(&b, "  %s from %s\n", it.Name, from)
	}
	if warn := c.Warnings(); len(warn) > 0 {
		b.WriteString("Without effect in gopyro:\n")
		for _, s := range warn {
			fmt.Fprintf(&b, "  %s\n", s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// EnsureStorage does what Pyro's initServer does with PYRO_STORAGE: it
// creates the directory if it does not exist and checks that it is a
// writable directory.
func (c *Config) EnsureStorage() error {
	if err := os.Mkdir(c.Storage, 0o777); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("config: PYRO_STORAGE: %w", err)
	}
	st, err := os.Stat(c.Storage)
	if err != nil {
		return fmt.Errorf("config: PYRO_STORAGE: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("config: PYRO_STORAGE is not a directory [%s]", c.Storage)
	}
	f, err := os.CreateTemp(c.Storage, "_pyro_*.tmp")
	if err != nil {
		return fmt.Errorf("config: no write access to PYRO_STORAGE [%s]: %w", c.Storage, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

var current = sync.OnceValues(func() (*Config, error) {
	c, err := Load(os.Getenv)
	if err != nil {
		return Defaults(), err
	}
	return c, nil
})

// Current returns the process configuration, loaded by Load(os.Getenv) on
// first use. If loading failed it returns the defaults and CurrentErr reports
// why; programs should check CurrentErr at startup and stop, as Pyro does.
// The returned Config is shared: changes to it are seen by every package.
func Current() *Config {
	c, _ := current()
	return c
}

// CurrentErr returns the error of loading the process configuration, or nil.
func CurrentErr() error {
	_, err := current()
	return err
}

// build expands and converts the raw item texts into a Config.
func build(cwd string, raw map[string]string, origins map[string]origin) (*Config, error) {
	c := &Config{origins: origins}
	// PYRO_STORAGE first: the other items refer to it.
	raw["PYRO_STORAGE"] = pyAbs(cwd, expand(raw["PYRO_STORAGE"], raw["PYRO_STORAGE"]))
	for _, it := range items {
		v := expand(raw[it.name], raw["PYRO_STORAGE"])
		if it.abs {
			v = pyAbs(cwd, v)
		}
		if err := set(c, it, v); err != nil {
			o := origins[it.name]
			return nil, &Error{Item: it.name, Value: raw[it.name], File: o.file, Line: o.line, Err: err}
		}
	}
	return c, nil
}

// defaultText is the formatted default of a non-path item.
func defaultText(name string) string {
	it := items[itemIndex[name]]
	var c Config
	if err := set(&c, it, it.def); err != nil {
		return ""
	}
	return format(&c, it)
}

// Defaults returns Pyro's defaults, ignoring the environment and any config
// file, with paths relative to the current directory (or "/" if that is
// unknown). All items have Source SourceDefault.
func Defaults() *Config {
	cwd, err := os.Getwd()
	if err != nil {
		cwd = "/"
	}
	raw := make(map[string]string, len(items))
	for _, it := range items {
		raw[it.name] = it.def
	}
	c, err := build(cwd, raw, nil)
	if err != nil {
		panic("config: Pyro's defaults do not convert: " + err.Error())
	}
	c.loaded = c.values()
	return c
}
