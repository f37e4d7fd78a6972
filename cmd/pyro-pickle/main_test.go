package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/compat"
	"github.com/gopyro/gopyro/pickle"
)

const golden = "../../pickle/testdata/golden/"

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(golden + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runWith(args []string, in []byte) (status int, stdout, stderr string) {
	var out, errb bytes.Buffer
	status = run(args, bytes.NewReader(in), &out, &errb)
	return status, out.String(), errb.String()
}

func TestDis(t *testing.T) {
	tests := []struct {
		args []string
		file string
		want []string // lines that must appear
	}{
		{nil, "call_message.p2.pickle", []string{"('7f00000146c929cefcdb0cb175b39735c4', 'add', 3, ((3, 4), {}))"}},
		{nil, "call_kwargs.p2.pickle", []string{"tuple, 4 items", "[0] '7f00000146c929cefcdb0cb175b39735c4'", "[3] ((1,), {'b': 2, 'c': 'x'})"}},
		{[]string{"-dis"}, "list_mixed.p1.pickle", []string{"[None, 1, 2L, 3.0, 's', u'u', (), [], {}]"}},
		{nil, "capsule_valueerror.p0.pickle", []string{
			"instance of Pyro.errors.PyroExceptionCapsule (old-style) as Go *compat.Capsule",
			`'excObj': exception exceptions.ValueError("bad value: 'x'",)`, "'args': list, 3 items"}},
		{nil, "dynamicproxy.p2.pickle", []string{"'URI': Pyro.core.PyroURI PYRO://127.0.0.1:17766/7f00000146c929cefcdb0cb175b39735c4",
			"'newConnValidator': instance of Pyro.protocol.DefaultConnValidator (new-style, NEWOBJ)", "'allowedIDs': ['all']"}},
		{nil, "newstyle.p1.pickle", []string{"instance of pickle_golden_classes.NewStyle (new-style, copy_reg._reconstructor)",
			"base: __builtin__.object, base state: None"}},
		{nil, "self_dict.p2.pickle", []string{"'self': <recursive reference to an enclosing dict>"}},
		{nil, "unicode_surrogate.p2.pickle", []string{`u'lone \ud800 surrogate'`}},
		{[]string{"-frame"}, "frame_request_compressed_checksum.frame", []string{
			"header: magic=PYRO version=5 hdrsize=18 bodysize=249 flags=0x0003(COMPRESSED|CHECKSUM) crc=0x5b21751e",
			"decompressed body: 328 bytes", "body: tuple, 4 items", "'k9': 9"}},
		{[]string{"-frame"}, "frame_challenge.frame", []string{"body: auth challenge 49190c128b97591c713c1d7faca994df"}},
		{[]string{"-frame"}, "frame_connect.frame", []string{"body: CONNECT + token 31a170481ad009cb5b0850de9d34b265"}},
		{[]string{"-frame"}, "frame_reply_capsule.frame", []string{"flags=0x0000(none)", "body: instance of Pyro.errors.PyroExceptionCapsule"}},
	}
	for _, tt := range tests {
		status, out, errs := runWith(tt.args, readGolden(t, tt.file))
		if status != 0 || errs != "" {
			t.Errorf("%v < %s: status %d, stderr %q", tt.args, tt.file, status, errs)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v < %s: output lacks %q:\n%s", tt.args, tt.file, w, out)
			}
		}
	}
}

func TestRoundtrip(t *testing.T) {
	for _, file := range []string{"capsule_valueerror.p2.pickle", "namedtree.p0.pickle", "dict_keys.p1.pickle", "py3_bytes.py3p5.pickle"} {
		in := readGolden(t, file)
		want, err := pickle.Decode(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, proto := range []string{"", "0", "1", "2"} {
			args := []string{"-roundtrip"}
			if proto != "" {
				args = append(args, "-protocol", proto)
			}
			status, out, errs := runWith(args, in)
			if status != 0 {
				t.Errorf("%v < %s: status %d: %s", args, file, status, errs)
				continue
			}
			if hasProto := out[0] == 0x80; hasProto != (proto == "" || proto == "2") {
				t.Errorf("%v < %s: output starts with %#x", args, file, out[0])
			}
			got, err := pickle.Decode([]byte(out))
			if err != nil {
				t.Errorf("%v < %s: output does not decode: %v", args, file, err)
				continue
			}
			if compat.Repr(got) != compat.Repr(want) {
				t.Errorf("%v < %s: round trip changed the value:\n%s\n%s", args, file, compat.Repr(got), compat.Repr(want))
			}
		}
	}
}

func TestStream(t *testing.T) {
	var in bytes.Buffer
	reqs := [][]byte{readGolden(t, "pyrouri.p0.pickle"), []byte("bad pickle"), readGolden(t, "tuple_2.p2.pickle")}
	for _, r := range reqs {
		in.Write(binary.BigEndian.AppendUint32(nil, uint32(len(r))))
		in.Write(r)
	}
	status, out, errs := runWith([]string{"-stream", "-protocol", "1"}, in.Bytes())
	if status != 0 {
		t.Fatalf("status %d: %s", status, errs)
	}
	var got []string
	rest := []byte(out)
	for len(rest) >= 5 {
		n := binary.BigEndian.Uint32(rest[1:5])
		body := rest[5 : 5+n]
		if rest[0] == 0 {
			v, err := pickle.Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, "ok "+compat.Repr(v))
		} else {
			got = append(got, "error")
		}
		rest = rest[5+n:]
	}
	want := []string{"ok <PyroURI 'PYRO://127.0.0.1:17766/7f00000146c929cefcdb0cb175b39735c4'>", "error", "ok (1, 'b')"}
	if diff := cmp.Diff(want, got); diff != "" || len(rest) != 0 {
		t.Errorf("stream answers (-want +got):\n%s\n%d bytes left", diff, len(rest))
	}
}

func TestBadInput(t *testing.T) {
	frame := readGolden(t, "frame_reply_checksum.frame")
	badCRC := append([]byte(nil), frame...)
	badCRC[len(badCRC)-2] ^= 0xff
	tests := []struct {
		args []string
		in   []byte
		want string
	}{
		{nil, nil, "no input"},
		{nil, []byte("\x80\x02K"), "pickle"},
		{nil, []byte("\x80\x02U\x05ab"), "pickle"},
		{[]string{"-roundtrip"}, []byte("garbage"), "pickle"},
		{[]string{"-roundtrip", "-protocol", "3"}, readGolden(t, "none.p2.pickle"), "-protocol 3"},
		{[]string{"-frame"}, []byte("PYRO"), "shorter than"},
		{[]string{"-frame"}, frame[:20], "header says"},
		{[]string{"-frame"}, append([]byte("PYRX"), frame[4:]...), "invalid header"},
		{[]string{"-frame"}, badCRC, "checksum"},
		{[]string{"-dis", "-frame"}, frame, "choose one"},
		{[]string{"extra"}, frame, "unexpected argument"},
		{[]string{"-stream"}, []byte{0, 0, 0, 9, 1}, "stream"},
	}
	for _, tt := range tests {
		status, out, errs := runWith(tt.args, tt.in)
		if status != 1 || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "pyro-pickle: ") || !strings.Contains(errs, tt.want) {
			t.Errorf("%v < %q: status %d, stdout %q, stderr %q; want status 1 and one line with %q", tt.args, tt.in, status, out, errs, tt.want)
		}
	}
}
