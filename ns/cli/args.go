package cli

import (
	"fmt"
	"io"
	"strings"
)

// Args is a command line parsed with Pyro's ArgParser rules: single-letter
// options, "x:" in the option list meaning -x takes a value (appended, as in
// -p9090, or the next word), unknown options ignored, a lone "-" ends the
// options. Unlike Pyro, an option value is never taken from a following
// word that starts with '-', so "-d -x" means -d without a value, then -x.
// Long options (--name=value) are Go additions and kept apart.
type Args struct {
	opts    map[byte]*string
	Long    map[string]string
	Args    []string
	Ignored []string
}

// ParseArgs parses args with the option list spec (e.g. "hkn:p:").
func ParseArgs(args []string, spec string) *Args {
	a := &Args{opts: map[byte]*string{}, Long: map[string]string{}}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case strings.HasPrefix(arg, "--") && len(arg) > 2:
			name, val, _ := strings.Cut(arg[2:], "=")
			a.Long[name] = val
		case arg == "-":
			a.Args = append(a.Args, args[i+1:]...)
			return a
		case len(arg) >= 2 && arg[0] == '-':
			idx := strings.IndexByte(spec, arg[1])
			if idx < 0 || arg[1] == ':' {
				a.Ignored = append(a.Ignored, arg[1:2])
				continue
			}
			var val *string
			if idx+1 < len(spec) && spec[idx+1] == ':' {
				switch {
				case len(arg) > 2:
					v := arg[2:]
					val = &v
				case i+1 < len(args) && !strings.HasPrefix(args[i+1], "-"):
					v := args[i+1]
					val = &v
					i++
				}
			}
			a.opts[arg[1]] = val
		default:
			a.Args = append(a.Args, arg)
		}
	}
	return a
}

// Has reports whether option o was given.
func (a *Args) Has(o byte) bool {
	_, ok := a.opts[o]
	return ok
}

// Get returns the value of option o ("" and false when it was not given or
// had no value).
func (a *Args) Get(o byte) (string, bool) {
	v := a.opts[o]
	if v == nil {
		return "", false
	}
	return *v, true
}

// PrintIgnored prints Pyro's notice about ignored options.
func (a *Args) PrintIgnored(w io.Writer) {
	if len(a.Ignored) == 0 {
		return
	}
	fmt.Fprint(w, "Ignored options:")
	for _, o := range a.Ignored {
		fmt.Fprint(w, " -"+o)
	}
	fmt.Fprintln(w)
}
