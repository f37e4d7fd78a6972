package compat

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/pickle"
)

// Bodies of messages captured from real Pyro 3.16 (../shared/pyro3/traces),
// decoded into the Go types and encoded back.

var tb04 = []string{
	"Traceback (most recent call last):\n",
	"  File \"/opt/pyro3/Pyro/protocol.py\", line 759, in _handleInvocation2\n    res = obj.Pyro_dyncall(req[1],flags,req[3])\t# (method,flags,args)\n",
	"  File \"/opt/pyro3/Pyro/core.py\", line 108, in Pyro_dyncall\n    return getattr(self.delegate or self,method) (*args,**keywords)\n",
	"  File \"/opt/capture/capobjs.py\", line 25, in fail\n    raise ValueError('bad value: %r' % (x,))\n",
	"ValueError: bad value: 'x'\n",
}

var tb06 = []string{
	"Traceback (most recent call last):\n",
	"  File \"/opt/pyro3/Pyro/protocol.py\", line 759, in _handleInvocation2\n    res = obj.Pyro_dyncall(req[1],flags,req[3])\t# (method,flags,args)\n",
	"  File \"/opt/pyro3/Pyro/core.py\", line 108, in Pyro_dyncall\n    return getattr(self.delegate or self,method) (*args,**keywords)\n",
	"  File \"/opt/pyro3/Pyro/naming.py\", line 394, in resolve\n    raise Pyro.errors.NamingError('name not found',name)\n",
	"NamingError: ('name not found', ':Default.nonexisting')\n",
}

func traceBody(t *testing.T, name string) []byte {
	t.Helper()
	h, err := os.ReadFile("testdata/" + name + ".hex")
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(h)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTraceValues(t *testing.T) {
	localURI := func(port int, id string) URI {
		return URI{Protocol: "PYRO", Address: "127.0.0.1", Port: port, ObjectID: id}
	}
	nsURI := localURI(19791, "7f000001539929cefd6355ba1de7432ab8")
	tests := []struct {
		trace string
		want  any
		// exact: our protocol 2 encoding equals cPickle's once memo stores
		// (which cPickle emits by reference count) are removed from both.
		exact bool
	}{
		{"trace04_valueerror_capsule", &Capsule{Exc: ValueError("bad value: 'x'"), Traceback: tb04}, true},
		{"trace15_protocolerror_capsule", &Capsule{Exc: NewProtocolError("unknown object ID")}, true},
		{"trace06_namingerror_capsule", &Capsule{Exc: NewNamingError("name not found", ":Default.nonexisting"), Traceback: tb06}, true},
		{"trace06_uri", localURI(17766, "7f00000146c929cefcdb0cb175b39735c4"), true},
		{"trace17_systemmeta", &NameSpaceSystemMeta{Type: NodeLeaf, Timestamp: 1795663408.698593}, true},
		{"trace18_event_request", pickle.Tuple{pickle.ByteString("7f000001309629cefd21e87e878bf2d744"), pickle.ByteString("event"), int64(7),
			pickle.Tuple{pickle.Tuple{&Event{Subject: pickle.ByteString("StockQuotes"), Msg: pickle.Tuple{pickle.ByteString("SUN"), 22.44}, Time: 1795663549.209596}}, pickle.NewDict()}}, true},
		{"trace09_proxy", NewDynamicProxy(localURI(7766, "0123456789abcdef0123456789abcdef")), false},
		{"trace20_resync_request", pickle.Tuple{pickle.ByteString("7f00000152f229cefd6109cabc7f83d260"), pickle.ByteString("_resync"), int64(0),
			pickle.Tuple{NewNameServerProxy(nsURI)}}, false},
		{"trace20_namedtree", &NamedTree{Name: "<root>", SystemMeta: &NameSpaceSystemMeta{Timestamp: 1795663710.790663}, Branches: map[string]any{
			"Pyro": &NamedTree{Name: "Pyro", SystemMeta: &NameSpaceSystemMeta{Timestamp: 1795663710.790689}, Branches: map[string]any{
				"NameServer": &NameValue{Name: "NameServer", Value: localURI(19790, "7f00000152f229cefd6109cabc7f83d260"),
					SystemMeta: &NameSpaceSystemMeta{Type: NodeLeaf, Timestamp: 1795663710.790761}}}},
			"Default": &NamedTree{Name: "Default", SystemMeta: &NameSpaceSystemMeta{Timestamp: 1795663710.790697}, Branches: map[string]any{}},
		}}, false},
		{"trace21_nomodule_capsule", &Capsule{Exc: NewInternalNoModuleError("agentmod", []string{"__doc__"})}, false},
	}
	for _, tt := range tests {
		t.Run(tt.trace, func(t *testing.T) {
			body := traceBody(t, tt.trace)
			got, err := pickle.Decode(body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Fatalf("decoded (-want +got):\n%s", diff)
			}
			enc, err := pickle.Marshal(tt.want)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			back, err := pickle.Decode(enc)
			if err != nil {
				t.Fatalf("decode of our encoding: %v", err)
			}
			if diff := cmp.Diff(tt.want, back, cmpOpts); diff != "" {
				t.Errorf("re-decoded (-want +got):\n%s", diff)
			}
			if !tt.exact {
				return
			}
			ours, err1 := withoutMemoStores(enc)
			theirs, err2 := withoutMemoStores(body)
			if err1 != nil || err2 != nil {
				t.Fatalf("strip memo: %v %v", err1, err2)
			}
			if !bytes.Equal(ours, theirs) {
				t.Errorf("encoding differs from Pyro's beyond memo stores:\nours   %x\npyro's %x", ours, theirs)
			}
		})
	}
}

// withoutMemoStores removes PUT opcodes from a pickle that has no memo
// loads, leaving the opcodes whose bytes are fully determined by the value.
func withoutMemoStores(p []byte) ([]byte, error) {
	var out []byte
	fixed := map[byte]int{0x80: 2, 'K': 2, 'M': 3, 'J': 5, 'G': 9, 'q': 2, 'r': 5}
	for i := 0; i < len(p); {
		op := p[i]
		n := 1
		switch {
		case strings.IndexByte("()}]N\x88\x89\x85\x86\x87Rbosuaet\x81.", op) >= 0:
		case fixed[op] > 0:
			n = fixed[op]
		case op == 'U' && i+1 < len(p):
			n = 2 + int(p[i+1])
		case (op == 'T' || op == 'X') && i+4 < len(p):
			n = 5 + int(p[i+1]) | int(p[i+2])<<8 | int(p[i+3])<<16 | int(p[i+4])<<24
		case op == 0x8a && i+1 < len(p):
			n = 2 + int(p[i+1])
		case op == 'c':
			nl := bytes.IndexByte(p[i+1:], '\n')
			nl2 := bytes.IndexByte(p[i+2+nl:], '\n')
			if nl < 0 || nl2 < 0 {
				return nil, fmt.Errorf("bad GLOBAL at %d", i)
			}
			n = nl + nl2 + 3
		case op == 'I' || op == 'L' || op == 'F' || op == 'S' || op == 'V' || op == 'p':
			nl := bytes.IndexByte(p[i:], '\n')
			if nl < 0 {
				return nil, fmt.Errorf("bad line opcode at %d", i)
			}
			n = nl + 1
		default:
			return nil, fmt.Errorf("opcode %q at %d not handled", op, i)
		}
		if i+n > len(p) {
			return nil, fmt.Errorf("truncated at %d", i)
		}
		if op != 'q' && op != 'r' && op != 'p' {
			out = append(out, p[i:i+n]...)
		}
		i += n
	}
	return out, nil
}
