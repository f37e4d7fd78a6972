module github.com/gopyro/gopyro

go 1.24

require (
	github.com/aristanetworks/gomap v0.0.0-20230726210543-f4e41046dced
	github.com/google/go-cmp v0.7.0
	// og-rek is pinned: pickle reaches the *gomap.Map inside its Dict with
	// unsafe (pickle/decode_dict.go, encode.go) to presize and fill dicts and
	// to memoize them by identity; TestDictLayout fails if a new version
	// changes that layout. Review both files before moving this version.
	github.com/kisielk/og-rek v1.3.0
	github.com/nlpodyssey/gopickle v0.2.0
	// msgpack is the codec under pymsgpack (Pyro 4/5's msgpack serializer):
	// a well-kept msgpack implementation, used for its low-level encoder
	// and decoder calls; pymsgpack builds the pickle value model itself.
	github.com/vmihailenco/msgpack/v5 v5.4.1
	go.etcd.io/bbolt v1.4.3
)

require (
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	golang.org/x/exp v0.0.0-20230725093048-515e97ebf090 // indirect
	golang.org/x/sys v0.29.0 // indirect
)
