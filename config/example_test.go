package config_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/gopyro/gopyro/config"
)

// A program checks the process configuration once at startup, then reads
// the typed fields wherever it needs them.
func ExampleCurrent() {
	if err := config.CurrentErr(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := config.Current()
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	_ = cfg.NSPort // 9090 unless configured
}

// Load takes the environment as a function, so tests and tools can load a
// configuration without touching the process environment.
func ExampleLoad() {
	env := map[string]string{
		"PYRO_CONFIG_FILE": os.DevNull, // no config file
		"PYRO_NS_HOSTNAME": "nameserver.example",
		"PYRO_BC_TIMEOUT":  "2",
	}
	cfg, err := config.Load(func(name string) string { return env[name] })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.NSHostname, cfg.NSPort, cfg.BCTimeout, cfg.Compression)
	// Output: nameserver.example 9090 2 false
}

// Values are parsed as Pyro parses them; errors name the item and its origin.
func ExampleLoad_error() {
	env := map[string]string{"PYRO_CONFIG_FILE": os.DevNull, "PYRO_COMPRESSION": "True"}
	_, err := config.Load(func(name string) string { return env[name] })
	fmt.Println(err)
	// Output: config: environment variable PYRO_COMPRESSION: invalid integer value "True"
}

// Items reports every item with its value as Pyro prints it and its source.
func ExampleConfig_Items() {
	env := map[string]string{"PYRO_CONFIG_FILE": os.DevNull, "PYRO_PORT": "7000"}
	cfg, err := config.Load(func(name string) string { return env[name] })
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg.PublishHost = "gateway.example"
	for _, it := range cfg.Items() {
		if strings.HasPrefix(it.Name, "PYRO_P") {
			fmt.Printf("%s=%s (%s)\n", it.Name, it.Value, it.Source)
		}
	}
	// Output:
	// PYRO_PICKLE_FORMAT=2 (default)
	// PYRO_PORT=7000 (env)
	// PYRO_PORT_RANGE=100 (default)
	// PYRO_PUBLISHHOST=gateway.example (code)
}

// Print shows the active configuration like `python -m Pyro.configuration`,
// followed by gopyro's own items and where explicitly set items came from.
func ExampleConfig_Print() {
	env := map[string]string{"PYRO_CONFIG_FILE": os.DevNull, "PYRO_XML_PICKLE": "gnosis"}
	cfg, err := config.Load(func(name string) string { return env[name] })
	if err != nil {
		fmt.Println(err)
		return
	}
	var b strings.Builder
	if err := cfg.Print(&b); err != nil {
		fmt.Println(err)
		return
	}
	out := b.String()
	fmt.Print(out[strings.Index(out, "PYRO_XML_PICKLE="):])
	// Output:
	// PYRO_XML_PICKLE=gnosis
	// gopyro's own settings (unknown to Pyro 3):
	// GOPYRO_ETCD_PASSWORD=None
	// GOPYRO_ETCD_USER=None
	// GOPYRO_HTTP=None
	// GOPYRO_NS_STORE=None
	// PYRO_DETECT_WAIT=0.1
	// PYRO_HANDSHAKE_TIMEOUT=10.0
	// PYRO_MAXCONNECTIONS_PER_HOST=0
	// PYRO_NS_BCHOST=None
	// PYRO_NS_BCPORT=9091
	// Set explicitly:
	//   PYRO_CONFIG_FILE from environment
	//   PYRO_XML_PICKLE from environment
	// Without effect in gopyro:
	//   PYRO_XML_PICKLE=gnosis (from environment) has no effect: XML pickling (gnosis) is not supported; gopyro always sends pickles
}
