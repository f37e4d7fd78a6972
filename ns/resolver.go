package ns

import "github.com/gopyro/gopyro/core"

// Importing ns makes core.Proxy resolve PYRONAME URIs the way Pyro does:
// at the Name Server named in the URI, else at the one found with the
// configuration (PYRO_NS_HOSTNAME, or broadcast, with Pyro's fallbacks).
func init() {
	core.SetDefaultResolver(Resolver(LocateOptions{}))
}
