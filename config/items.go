package config

// kind is how an item's text is converted, following the type of Pyro's
// default value: int and float defaults are converted with Python's int() and
// float(), everything else stays a string.
type kind int

const (
	kindString     kind = iota // str default
	kindNoneString             // default None; "" in Go means None
	kindInt                    // int default
	kindBool                   // int default used as a flag (non-zero = on)
	kindFloat                  // float default
)

// itemDef describes one configuration item.
type itemDef struct {
	name string
	kind kind
	// def is the default as it would be written in a config file; it goes
	// through the same $CURDIR/$STORAGE expansion as file values.
	def string
	// abs marks the items Pyro turns into absolute paths.
	abs bool
	// noEffect, when not empty, says why setting the item changes nothing in
	// gopyro.
	noEffect string
	// goOnly marks items of gopyro's own that Pyro 3 does not have: they
	// are printed apart from Pyro's (see Config.Print).
	goOnly bool
	field  func(c *Config) any // pointer to the Go field
}

// configFileItem is PYRO_CONFIG_FILE: reported like the others but not
// settable in a config file (as in Pyro).
const configFileItem = "PYRO_CONFIG_FILE"

// items lists every item of Pyro 3.16's configuration (Pyro/configuration.py),
// with Pyro's defaults (the code's, where the manual differs: BC_RETRIES 1,
// BC_TIMEOUT 0.75), then gopyro's own items. PYRO_CONFIG_FILE is handled
// separately.
var items = []itemDef{
	{name: "PYRO_STORAGE", kind: kindString, def: "$CURDIR", abs: true, field: func(c *Config) any { return &c.Storage }},
	{name: "PYRO_HOST", kind: kindString, def: "", field: func(c *Config) any { return &c.Host }},
	{name: "PYRO_PUBLISHHOST", kind: kindNoneString, field: func(c *Config) any { return &c.PublishHost }},
	{name: "PYRO_PORT", kind: kindInt, def: "7766", field: func(c *Config) any { return &c.Port }},
	{name: "PYRO_PORT_RANGE", kind: kindInt, def: "100", field: func(c *Config) any { return &c.PortRange }},
	{name: "PYRO_NS_HOSTNAME", kind: kindNoneString, field: func(c *Config) any { return &c.NSHostname }},
	{name: "PYRO_NS_PORT", kind: kindInt, def: "9090", field: func(c *Config) any { return &c.NSPort }},
	{name: "PYRO_NS_BC_ADDR", kind: kindNoneString, field: func(c *Config) any { return &c.NSBCAddr }},
	{name: "PYRO_NS_BC_PORT", kind: kindInt, def: "9090", field: func(c *Config) any { return &c.NSBCPort }},
	{name: "PYRO_NS2_HOSTNAME", kind: kindNoneString, field: func(c *Config) any { return &c.NS2Hostname }},
	{name: "PYRO_NS2_PORT", kind: kindInt, def: "9091", field: func(c *Config) any { return &c.NS2Port }},
	{name: "PYRO_NS2_BC_ADDR", kind: kindNoneString, field: func(c *Config) any { return &c.NS2BCAddr }},
	{name: "PYRO_NS2_BC_PORT", kind: kindInt, def: "9091", field: func(c *Config) any { return &c.NS2BCPort }},
	{name: "PYRO_NS_URIFILE", kind: kindString, def: "$STORAGE/Pyro_NS_URI", abs: true, field: func(c *Config) any { return &c.NSURIFile }},
	{name: "PYRO_NS_DEFAULTGROUP", kind: kindString, def: ":Default", field: func(c *Config) any { return &c.NSDefaultGroup }},
	{name: "PYRO_BC_RETRIES", kind: kindInt, def: "1", field: func(c *Config) any { return &c.BCRetries }},
	{name: "PYRO_BC_TIMEOUT", kind: kindFloat, def: "0.75", field: func(c *Config) any { return &c.BCTimeout }},
	{name: "PYRO_PICKLE_FORMAT", kind: kindInt, def: "2", field: func(c *Config) any { return &c.PickleFormat }},
	{name: "PYRO_XML_PICKLE", kind: kindNoneString, noEffect: "XML pickling (gnosis) is not supported; gopyro always sends pickles",
		field: func(c *Config) any { return &c.XMLPickle }},
	{name: "PYRO_GNOSIS_PARANOIA", kind: kindInt, def: "0", noEffect: "XML pickling (gnosis) is not supported",
		field: func(c *Config) any { return &c.GnosisParanoia }},
	{name: "PYRO_TRACELEVEL", kind: kindInt, def: "0", field: func(c *Config) any { return &c.TraceLevel }},
	{name: "PYRO_USER_TRACELEVEL", kind: kindInt, def: "0", field: func(c *Config) any { return &c.UserTraceLevel }},
	{name: "PYRO_LOGFILE", kind: kindString, def: "$STORAGE/Pyro_log", abs: true, field: func(c *Config) any { return &c.LogFile }},
	{name: "PYRO_USER_LOGFILE", kind: kindString, def: "$STORAGE/Pyro_userlog", abs: true, field: func(c *Config) any { return &c.UserLogFile }},
	{name: "PYRO_STDLOGGING", kind: kindBool, def: "0", noEffect: "Python's logging module does not exist in Go; gopyro logs with log/slog to PYRO_LOGFILE/PYRO_USER_LOGFILE",
		field: func(c *Config) any { return &c.StdLogging }},
	{name: "PYRO_STDLOGGING_CFGFILE", kind: kindString, def: "logging.cfg", noEffect: "Python logging configuration files are not read by gopyro",
		field: func(c *Config) any { return &c.StdLoggingCfgFile }},
	{name: "PYRO_MAXCONNECTIONS", kind: kindInt, def: "200", field: func(c *Config) any { return &c.MaxConnections }},
	{name: "PYRO_TCP_LISTEN_BACKLOG", kind: kindInt, def: "200", noEffect: "Go's net package sets the listen backlog itself (the system's somaxconn)",
		field: func(c *Config) any { return &c.TCPListenBacklog }},
	{name: "PYRO_BROKEN_MSGWAITALL", kind: kindBool, def: "0", noEffect: "gopyro reads messages with io.ReadFull, never with MSG_WAITALL",
		field: func(c *Config) any { return &c.BrokenMsgWaitAll }},
	{name: "PYRO_MULTITHREADED", kind: kindBool, def: "1", noEffect: "gopyro daemons always serve connections concurrently (one goroutine per connection)", field: func(c *Config) any { return &c.Multithreaded }},
	{name: "PYRO_COMPRESSION", kind: kindBool, def: "0", field: func(c *Config) any { return &c.Compression }},
	{name: "PYRO_MOBILE_CODE", kind: kindBool, def: "0", field: func(c *Config) any { return &c.MobileCode }},
	{name: "PYRO_DNS_URI", kind: kindBool, def: "0", field: func(c *Config) any { return &c.DNSURI }},
	{name: "PYRO_CHECKSUM", kind: kindBool, def: "0", field: func(c *Config) any { return &c.Checksum }},
	{name: "PYRO_SOCK_KEEPALIVE", kind: kindBool, def: "1", field: func(c *Config) any { return &c.SockKeepalive }},
	{name: "PYRO_ES_QUEUESIZE", kind: kindInt, def: "1000", field: func(c *Config) any { return &c.ESQueueSize }},
	{name: "PYRO_ES_BLOCKQUEUE", kind: kindBool, def: "1", field: func(c *Config) any { return &c.ESBlockQueue }},
	{name: "PYRO_DETAILED_TRACEBACK", kind: kindBool, def: "0", noEffect: "remote tracebacks are Go stacks; Go has no local-variable dump to add", field: func(c *Config) any { return &c.DetailedTraceback }},
	{name: "PYRO_ONEWAY_THREADED", kind: kindBool, def: "1", field: func(c *Config) any { return &c.OnewayThreaded }},
	{name: "PYROSSL_CERTDIR", kind: kindString, def: "$STORAGE/certs", field: func(c *Config) any { return &c.SSLCertDir }},
	{name: "PYROSSL_CA_CERT", kind: kindString, def: "ca.pem", field: func(c *Config) any { return &c.SSLCACert }},
	{name: "PYROSSL_CERT", kind: kindString, def: "host.pem", field: func(c *Config) any { return &c.SSLCert }},
	{name: "PYROSSL_KEY", kind: kindNoneString, field: func(c *Config) any { return &c.SSLKey }},
	{name: "PYROSSL_POSTCONNCHECK", kind: kindBool, def: "1", field: func(c *Config) any { return &c.SSLPostConnCheck }},
	// gopyro's own items.
	{name: "PYRO_HANDSHAKE_TIMEOUT", kind: kindFloat, def: "10.0", goOnly: true, field: func(c *Config) any { return &c.HandshakeTimeout }},
	{name: "PYRO_MAXCONNECTIONS_PER_HOST", kind: kindInt, def: "0", goOnly: true, field: func(c *Config) any { return &c.MaxConnectionsPerHost }},
	{name: "PYRO_DETECT_WAIT", kind: kindFloat, def: "0.1", goOnly: true, field: func(c *Config) any { return &c.DetectWait }},
	// Pyro5's items of the same name, for the name server's Pyro 5 discovery.
	{name: "PYRO_NS_BCPORT", kind: kindInt, def: "9091", goOnly: true, field: func(c *Config) any { return &c.NS5BCPort }},
	{name: "PYRO_NS_BCHOST", kind: kindNoneString, goOnly: true, field: func(c *Config) any { return &c.NS5BCHost }},
	// Named GOPYRO_, not PYRO_: Pyro 5 refuses to start when the
	// environment has a PYRO_ variable it does not know, and Pyro 5
	// programs may share the environment of gopyro's servers.
	{name: "GOPYRO_HTTP", kind: kindNoneString, goOnly: true, field: func(c *Config) any { return &c.HTTP }},
	{name: "GOPYRO_NS_STORE", kind: kindNoneString, goOnly: true, field: func(c *Config) any { return &c.NSStore }},
	{name: "GOPYRO_ETCD_USER", kind: kindNoneString, goOnly: true, field: func(c *Config) any { return &c.EtcdUser }},
	{name: "GOPYRO_ETCD_PASSWORD", kind: kindNoneString, goOnly: true, field: func(c *Config) any { return &c.EtcdPassword }},
}

// itemIndex maps item names to their position in items.
var itemIndex = func() map[string]int {
	m := make(map[string]int, len(items))
	for i, it := range items {
		m[it.name] = i
	}
	return m
}()
