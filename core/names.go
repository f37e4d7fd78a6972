package core

import (
	"strings"
	"unicode"
)

// PythonName returns the Python-style name under which a Go method or field
// name is also reachable: GetBalance → get_balance, HTTPServer →
// http_server, GetID → get_id, Add → add.
func PythonName(goName string) string {
	r := []rune(goName)
	var b strings.Builder
	b.Grow(len(goName) + 4)
	for i, c := range r {
		if unicode.IsUpper(c) {
			if i > 0 {
				prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
				nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
				if prevLower || (nextLower && unicode.IsUpper(r[i-1])) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(c))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
