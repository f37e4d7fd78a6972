package core

import (
	"context"
	"errors"
	"net"

	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/protocol4"
	"github.com/gopyro/gopyro/protocol5"
)

// Pyro 4 on the proxy's side: a Go proxy made WithGeneration(Pyro4) calls
// a Pyro4 daemon as Pyro 5's proxy does (pyro5Client), in Pyro 4's framing
// (protocol 48, HMAC included) with Pyro 4's serializer ids and class
// names. Its CONNECT asks for the object's metadata, as Pyro4's proxies do
// with METADATA set.

// pyro4Dialer is the Protocol a Go proxy dials Pyro 4 daemons with.
var pyro4Dialer Protocol = &pyro4{}

// client4 is Pyro 4's proxy: its serializers by Pyro 4's ids (pickle is
// Python 3's at the highest protocol), its errors and its batch's
// exception wrapper.
var client4 = &clientGeneration{
	name:        "Pyro 4",
	ids:         map[string]uint8{},
	serializers: map[uint8]*pyro5Serializer{},
	errors:      "Pyro4.errors",
	wrapper:     "Pyro4.futures._ExceptionWrapper",
	json:        uint8(protocol4.SerializerJSON),
	marshal:     uint8(protocol4.SerializerMarshal),
}

// init fills client4's serializers from the daemon's: those of
// pyro4Names that gopyro speaks (not dill nor cloudpickle).
func init() {
	for name, id := range pyro4Names {
		if ser := pyro4Serializers[id]; ser != nil {
			client4.ids[name], client4.serializers[uint8(id)] = uint8(id), ser
		}
	}
}

// Dial connects to the Pyro 4 daemon of a PYRO:id@host:port URI and shakes
// hands: CONNECT with the object id, asking for its metadata; CONNECTOK
// with it, or the daemon's reason for CONNECTFAIL (a
// ConnectionDeniedError).
// A handshake refused for its HMAC (a key on one side only, or another
// key) fails with Pyro4's SecurityError.
func (*pyro4) Dial(ctx context.Context, uri compat.URI, s DialSettings) (ClientCodec, compat.URI, error) {
	codec, u, err := dialClient(ctx, uri, s, client4, func(nc net.Conn) clientConn {
		return &pyro4Frames{protocol4.NewConn(buffered(nc, clientReadBuffer), protocol4.Options{
			MaxMessageSize: s.Options.MaxMessageSize, IOTimeout: s.Options.IOTimeout, HMACKey: s.HMACKey})}
	})
	var ce *CommError
	var fe *protocol4.FrameError
	if errors.As(err, &ce) && errors.Is(err, protocol4.ErrSecurity) && errors.As(err, &fe) {
		ce.Exc = compat.NewException("Pyro4.errors", "SecurityError", fe.Error())
	}
	return codec, u, err
}

// pyro4Frames carries Pyro 5's messages in Pyro 4's framing: the types
// are the same, the flags after BATCH one bit higher (Pyro 4 has
// META_ON_CONNECT there), the serializer ids Pyro 4's.
type pyro4Frames struct{ c *protocol4.Conn }

// flagPairs are the flags of both, Pyro 5's and Pyro 4's.
var flagPairs = []struct {
	f5 protocol5.Flags
	f4 protocol4.Flags
}{
	{protocol5.FlagException, protocol4.FlagException},
	{protocol5.FlagCompressed, protocol4.FlagCompressed},
	{protocol5.FlagOneway, protocol4.FlagOneway},
	{protocol5.FlagBatch, protocol4.FlagBatch},
	{protocol5.FlagItemStreamResult, protocol4.FlagItemStreamResult},
	{protocol5.FlagKeepSerialized, protocol4.FlagKeepSerialized},
}

func (f *pyro4Frames) WriteMessage(ctx context.Context, m *protocol5.Message) error {
	var flags protocol4.Flags
	for _, p := range flagPairs {
		if m.Flags&p.f5 != 0 {
			flags |= p.f4
		}
	}
	if m.Type == protocol5.TypeConnect {
		flags |= protocol4.FlagMetaOnConnect
	}
	return f.c.WriteMessage(ctx, &protocol4.Message{Type: protocol4.Type(m.Type), Flags: flags, Seq: m.Seq,
		Serializer: uint16(m.Serializer), Annotations: m.Annotations, Data: m.Data})
}

// ReadMessage reads a message; one in a serializer id beyond Pyro 5's
// byte has the id 0, which no serializer has.
func (f *pyro4Frames) ReadMessage(ctx context.Context) (*protocol5.Message, error) {
	m, err := f.c.ReadMessage(ctx)
	if err != nil {
		return nil, err
	}
	var flags protocol5.Flags
	for _, p := range flagPairs {
		if m.Flags&p.f4 != 0 {
			flags |= p.f5
		}
	}
	var ser uint8
	if m.Serializer <= 0xff {
		ser = uint8(m.Serializer)
	}
	return &protocol5.Message{Type: protocol5.Type(m.Type), Serializer: ser, Flags: flags, Seq: m.Seq,
		Annotations: m.Annotations, Data: m.Data}, nil
}

func (f *pyro4Frames) Close() error { return f.c.Close() }
