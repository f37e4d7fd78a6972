package pymarshal

import (
	"testing"

	"github.com/gopyro/gopyro/internal/goldentest"
)

var codec = goldentest.Codec{Decode: Decode, Encode: Marshal, Append: (&Encoder{}).Append, Plain: true}

// TestGoldenEncode pins Marshal byte for byte against Pyro5's marshal
// serializer (references resolved: see the package doc) and Decode against
// marshal.loads on the bytes Python wrote, references and all.
func TestGoldenEncode(t *testing.T) { goldentest.Load(t).TestEncode(t, codec) }

// TestGoldenDecode reads forms Python reads and Pyro does not write.
func TestGoldenDecode(t *testing.T) { goldentest.Load(t).TestDecode(t, codec) }

// TestGoldenReject refuses what marshal.loads refuses.
func TestGoldenReject(t *testing.T) { goldentest.Load(t).TestReject(t, codec) }

// TestGoldenRefuse refuses what Pyro5's marshal serializer refuses.
func TestGoldenRefuse(t *testing.T) { goldentest.Load(t).TestRefuse(t, codec) }

// TestConcurrent runs Decode and Marshal from several goroutines at once.
func TestConcurrent(t *testing.T) { goldentest.Load(t).TestConcurrent(t, codec) }
