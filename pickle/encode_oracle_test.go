package pickle

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// python2 returns the Python 2.7 interpreter with Pyro 3.16 that the oracle
// tests run, skipping the test when there is none.
func python2(t testing.TB) string {
	t.Helper()
	py := os.Getenv("GOPYRO_PY2")
	if py == "" {
		home, _ := os.UserHomeDir()
		py = filepath.Join(home, ".pyenv", "versions", "2.7.18", "bin", "python")
	}
	if _, err := os.Stat(py); err != nil {
		t.Skipf("no Python 2.7 at %s (set GOPYRO_PY2)", py)
	}
	return py
}

// oracleScript checks each case line "name proto hex expr exact" in Python
// 2: pickle.loads of our bytes must equal eval(expr) with the same types all
// the way down, and when exact is 1 our bytes must be cPickle's.
const oracleScript = `
import sys, cPickle, pickle, binascii, math, types
import Pyro.core, Pyro.errors
def same(a, b, seen):
    if id(a) in seen: return seen[id(a)] is b
    seen[id(a)] = b
    if type(a) is not type(b): return False
    if isinstance(a, types.InstanceType):
        return a.__class__ is b.__class__ and same(a.__dict__, b.__dict__, seen)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, seen) for x, y in zip(a, b))
    if isinstance(a, dict):
        if len(a) != len(b): return False
        for k, v in a.items():
            kb = [x for x in b if x == k and type(x) is type(k)]
            if len(kb) != 1 or not same(v, b[kb[0]], seen): return False
        return True
    if isinstance(a, (set, frozenset)):
        return sorted(map(repr, a)) == sorted(map(repr, b))
    if isinstance(a, float) and math.isnan(a): return math.isnan(b)
    if isinstance(a, BaseException):
        return a.__class__ is b.__class__ and same(a.args, b.args, seen) and same(a.__dict__, b.__dict__, seen)
    if hasattr(a, '__dict__') and not isinstance(a, type):
        return same(a.__dict__, b.__dict__, seen)
    return a == b
bad = 0
for line in sys.stdin:
    name, proto, data, expr, exact = line.rstrip('\n').split('\t')
    data = binascii.unhexlify(data)
    try:
        got = pickle.loads(data)
        got2 = cPickle.loads(data)
    except Exception as e:
        print '%s: loads failed: %r' % (name, e); bad += 1; continue
    if expr == 'SELFLIST':
        want = got
        ok = type(got) is list and got[0] is got and got2[0] is got2
    else:
        want = eval(expr.decode('string_escape'))
        ok = same(got, want, {}) and same(got2, want, {})
    if not ok:
        print '%s: got %r, want %r' % (name, got, want); bad += 1; continue
    if exact == '1':
        ref = cPickle.dumps(want, int(proto))
        if ref != data:
            print '%s: bytes differ from cPickle:\n  ours %r\n  cpkl %r' % (name, data, ref); bad += 1
print 'checked, %d bad' % bad
`

// oracleCase is one value checked against Python 2.
type oracleCase struct {
	name  string
	proto int
	data  []byte
	expr  string // Python 2 expression for the expected value
	exact bool   // must be byte-identical to cPickle.dumps(expr, proto)
}

// runOracle runs the cases through Python 2 and fails t for each mismatch.
func runOracle(t *testing.T, cases []oracleCase) {
	t.Helper()
	runScript(t, python2(t), oracleScript, cases)
}

// runScript feeds the cases to an oracle script run by the interpreter py.
func runScript(t *testing.T, py, script string, cases []oracleCase) {
	t.Helper()
	var in strings.Builder
	for _, c := range cases {
		exact := "0"
		if c.exact {
			exact = "1"
		}
		expr := strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`).Replace(c.expr)
		fmt.Fprintf(&in, "%s\t%d\t%s\t%s\t%s\n", c.name, c.proto, hex.EncodeToString(c.data), expr, exact)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", script)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s oracle: %v\n%s", filepath.Base(py), err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if last := lines[len(lines)-1]; last != "checked, 0 bad" {
		t.Errorf("%s oracle:\n%s", filepath.Base(py), out)
	}
}

// oracle3Script is oracleScript for Python 3: loads must give eval(expr)
// with equal types, and exact cases must be pickle.dumps's bytes.
const oracle3Script = `
import sys, pickle, binascii, math, collections
def same(a, b, seen):
    if id(a) in seen: return seen[id(a)] is b
    seen[id(a)] = b
    if type(a) is not type(b): return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, seen) for x, y in zip(a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(k in b and same(v, b[k], seen) for k, v in a.items())
    if isinstance(a, float) and math.isnan(a): return math.isnan(b)
    if hasattr(a, '__dict__') and not isinstance(a, type):
        return same(a.__dict__, b.__dict__, seen)
    return a == b
bad = 0
for line in sys.stdin:
    name, proto, data, expr, exact = line.rstrip('\n').split('\t')
    data = binascii.unhexlify(data)
    try:
        got = pickle.loads(data)
    except Exception as e:
        print('%s: loads failed: %r' % (name, e)); bad += 1; continue
    want = eval(expr.encode().decode('unicode_escape'))
    if not same(got, want, {}):
        print('%s: got %r, want %r' % (name, got, want)); bad += 1; continue
    if exact == '1' and pickle.dumps(want, int(proto)) != data:
        print('%s: bytes differ from pickle.dumps:\n  ours %r\n  py3  %r' % (name, data, pickle.dumps(want, int(proto)))); bad += 1
print('checked, %d bad' % bad)
`

// runOracle3 runs the cases through Python 3's pickle.
func runOracle3(t *testing.T, cases []oracleCase) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	runScript(t, py, oracle3Script, cases)
}
