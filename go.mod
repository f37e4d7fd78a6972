module github.com/gopyro/gopyro

go 1.26.0

require (
	github.com/aristanetworks/gomap v0.0.0-20230726210543-f4e41046dced
	github.com/google/go-cmp v0.7.0
	// og-rek is pinned: pickle reaches the *gomap.Map inside its Dict with
	// unsafe (pickle/decode_dict.go, encode.go) to presize and fill dicts and
	// to memoize them by identity; TestDictLayout fails if a new version
	// changes that layout. Review both files before moving this version.
	github.com/kisielk/og-rek v1.3.0
	github.com/nlpodyssey/gopickle v0.2.0
	// client_golang is the metrics package's Prometheus client; v1.25.0
	// requires go 1.26.0 (hence the go line), which our go1.26.8 meets.
	github.com/prometheus/client_golang v1.25.0
	github.com/prometheus/client_model v0.6.3
	// msgpack is the codec under pymsgpack (Pyro 4/5's msgpack serializer):
	// a well-kept msgpack implementation, used for its low-level encoder
	// and decoder calls; pymsgpack builds the pickle value model itself.
	github.com/vmihailenco/msgpack/v5 v5.4.1
	go.etcd.io/bbolt v1.4.3
	// the etcd client of ns.EtcdStore: the 3.6 line, which still speaks to
	// the etcd 3.4 servers Debian ships (etcd-server, which the tests run);
	// zap is its logger, given a no-op one.
	go.etcd.io/etcd/client/v3 v3.6.16
	go.uber.org/zap v1.27.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/coreos/go-semver v0.3.1 // indirect
	github.com/coreos/go-systemd/v22 v22.5.0 // indirect
	github.com/gogo/protobuf v1.3.2 // indirect
	github.com/golang/protobuf v1.5.4 // indirect
	github.com/grpc-ecosystem/grpc-gateway/v2 v2.29.0 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/prometheus/common v0.72.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	go.etcd.io/etcd/api/v3 v3.6.16 // indirect
	go.etcd.io/etcd/client/pkg/v3 v3.6.16 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/exp v0.0.0-20230725093048-515e97ebf090 // indirect
	golang.org/x/net v0.61.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20260803160001-6ac0973c030d // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260803160001-6ac0973c030d // indirect
	google.golang.org/grpc v1.83.2 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
