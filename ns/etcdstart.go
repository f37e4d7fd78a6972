package ns

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// openNamedStore opens the store StartOptions.Store (or GOPYRO_NS_STORE)
// names and loads the name space from it. It reports false, doing
// nothing, when none is named or it names bolt:PATH, which it turns into
// Persistent and DBPath for openStore.
func (in *Instance) openNamedStore(nsOpts Options) (bool, error) {
	spec := in.opts.Store
	if spec == "" {
		spec = in.cfg.NSStore
	}
	switch {
	case spec == "":
		return false, nil
	case spec == "memory":
		nsp, err := NewNamespace(nsOpts)
		in.ns, in.opts.Persistent = nsp, false
		return true, err
	case strings.HasPrefix(spec, "bolt:"):
		in.opts.Persistent, in.opts.DBPath = true, strings.TrimPrefix(spec, "bolt:")
		return false, nil
	case strings.HasPrefix(spec, "etcd://"):
		if in.opts.Role != RoleSingle {
			return true, fmt.Errorf("ns: store %q: no paired mode (-1/-2) on etcd, whose front ends share the name space already", spec)
		}
		endpoints, prefix, err := ParseEtcdURL(spec)
		if err != nil {
			return true, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		st, err := OpenEtcdStore(ctx, EtcdOptions{Endpoints: endpoints, Prefix: prefix,
			Username: in.cfg.EtcdUser, Password: in.cfg.EtcdPassword})
		if err != nil {
			return true, err
		}
		nsOpts.Store = st
		nsp, err := NewNamespace(nsOpts)
		if err != nil {
			st.Close()
			return true, err
		}
		in.store, in.ns, in.opts.Persistent = st, nsp, false
		return true, nil
	}
	return true, fmt.Errorf("ns: store %q: want memory, bolt:PATH or etcd://host:port[,host:port...]/prefix", spec)
}
