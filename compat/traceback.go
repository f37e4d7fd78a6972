package compat

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

// PyroTraceback returns what Pyro.util.getPyroTraceback gives a Python
// client for err, as lines that each end in "\n" (so strings.Join(lines, "")
// is the text Python's "".join(...) prints):
//
//   - the local part, as Python's traceback.format_exception: the header
//     "Traceback (most recent call last):", one frame naming the Go function
//     that called PyroTraceback, and the exception line "Class: message"
//     (Python 2 shows the class name without its module, and the name alone
//     when str(exc) is empty);
//   - when err holds a remote traceback (an *Exception from an error reply),
//     that traceback in Pyro's box: " +--- This exception occured remotely
//     (Pyro) - Remote traceback:", every remote line prefixed with " | ",
//     and " +--- End of remote traceback".
//
// An err that is not a Python exception gives its Error() text as the
// exception line.
func PyroTraceback(err error) []string {
	lines := []string{"Traceback (most recent call last):\n"}
	if pc, file, line, ok := runtime.Caller(1); ok {
		fn := "?"
		if f := runtime.FuncForPC(pc); f != nil {
			fn = f.Name()
		}
		lines = append(lines, fmt.Sprintf("  File %q, line %d, in %s\n", file, line, fn))
	}
	var ex *Exception
	if !errors.As(err, &ex) {
		return append(lines, err.Error()+"\n")
	}
	head := ex.Class.Name
	if msg := ex.Message(); msg != "" {
		head += ": " + msg
	}
	lines = append(lines, head+"\n")
	if len(ex.Traceback) == 0 {
		return lines
	}
	lines = append(lines, " +--- This exception occured remotely (Pyro) - Remote traceback:\n")
	for _, entry := range ex.Traceback {
		for l := range strings.SplitSeq(strings.TrimSuffix(entry, "\n"), "\n") {
			lines = append(lines, " | "+l+"\n")
		}
	}
	return append(lines, " +--- End of remote traceback\n")
}
