// Package config is gopyro's Pyro 3.16 configuration: every PYRO_* and
// PYROSSL_* item, typed, with Pyro's defaults and precedence.
//
// Precedence, lowest first: Pyro's defaults, the config file, the environment
// variable of the same name, and finally whatever the program assigns to a
// field. The config file is the one named by the environment variable
// PYRO_CONFIG_FILE, else ./Pyro.conf if it exists. Its syntax is Pyro's:
//
//	# comment
//	PYRO_PORT=7000
//	PYRO_LOGFILE=$STORAGE/server.log
//	PYRO_NS_HOSTNAME=          (empty value: keep the default)
//
// $CURDIR (the current directory) and $STORAGE/... (inside PYRO_STORAGE) are
// expanded in every value, and PYRO_STORAGE, PYRO_LOGFILE, PYRO_USER_LOGFILE
// and PYRO_NS_URIFILE are made absolute, as Pyro does. Items whose Pyro
// default is a number are parsed like Python's int() and float(), so "True"
// for PYRO_COMPRESSION is an error; errors (*Error) name the item and the
// file and line or the environment it came from. An unknown item in the file
// is an error too.
//
// Where gopyro differs from Pyro: an empty environment variable counts as
// unset (Pyro takes the empty string, which for numeric items is an error);
// items Pyro tests only for truth are bools, so `PYRO_COMPRESSION=2` prints as
// 1; integers must fit in a Go int. Items that mean nothing to a Go program
// (PYRO_XML_PICKLE, PYRO_GNOSIS_PARANOIA, PYRO_STDLOGGING,
// PYRO_STDLOGGING_CFGFILE, PYRO_BROKEN_MSGWAITALL, PYRO_TCP_LISTEN_BACKLOG)
// are kept and printed, and Config.Warnings lists those that were set.
//
// # gopyro's own items
//
// A few items exist only in gopyro. They are read like Pyro's (config file,
// then environment), but Config.Print lists them apart, after Pyro's, so
// that the first section stays exactly what Pyro 3 prints:
//
//	PYRO_HANDSHAKE_TIMEOUT=10.0        seconds a new connection has to shake hands
//	PYRO_MAXCONNECTIONS_PER_HOST=0     connections a daemon accepts per client IP (0: no limit)
//	PYRO_DETECT_WAIT=0.1               seconds a daemon of Pyro 3 and 5 waits for a client to speak first
//	PYRO_NS_BCPORT=9091                UDP port of the name server's Pyro 5 discovery (Pyro5's NS_BCPORT)
//	PYRO_NS_BCHOST=None                address it binds to, None: all interfaces (Pyro5's NS_BCHOST)
//	GOPYRO_HTTP=None                   host:port of pyro-ns's and pyro-es's HTTP listener (metrics, console)
//	GOPYRO_NS_STORE=None               pyro-ns's store: memory, bolt:PATH, etcd://host:port[,...]/prefix
//	GOPYRO_ETCD_USER=None              user pyro-ns authenticates to etcd as (None: no authentication)
//	GOPYRO_ETCD_PASSWORD=None          its password
//
// Pyro 3 ignores environment variables it does not know but refuses unknown
// items in a config file, so set these in the environment when Python
// programs read the same Pyro.conf. (Pyro 5 refuses every PYRO_* variable it
// does not know, so do not export them where Pyro 5 programs run; newer
// items are named GOPYRO_ for that reason.) The package core documents
// what they do.
//
// Current is the process configuration, loaded once from the environment;
// programs check CurrentErr at startup and print the configuration with
// Config.Print when asked to (like `python -m Pyro.configuration`).
package config
