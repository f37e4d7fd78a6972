package pymsgpack

import (
	"testing"

	"github.com/gopyro/gopyro/internal/goldentest"
)

var codec = goldentest.Codec{Decode: Decode, Encode: Marshal, Append: (&Encoder{}).Append, Writes: map[string]string{
	"datetime aware": "a Go time is an instant: written as its timestamp, as Pyro writes a naive datetime",
}}

// TestGoldenEncode pins Marshal byte for byte against Pyro5's msgpack
// serializer and Decode against msgpack.unpackb with Pyro's ext hook on the
// same bytes.
func TestGoldenEncode(t *testing.T) { goldentest.Load(t).TestEncode(t, codec) }

// TestGoldenDecode reads forms Python reads and Pyro does not write.
func TestGoldenDecode(t *testing.T) { goldentest.Load(t).TestDecode(t, codec) }

// TestGoldenReject refuses what msgpack.unpackb refuses.
func TestGoldenReject(t *testing.T) { goldentest.Load(t).TestReject(t, codec) }

// TestGoldenRefuse refuses what Pyro5's msgpack serializer refuses.
func TestGoldenRefuse(t *testing.T) { goldentest.Load(t).TestRefuse(t, codec) }

// TestConcurrent runs Decode and Marshal from several goroutines at once.
func TestConcurrent(t *testing.T) { goldentest.Load(t).TestConcurrent(t, codec) }
