package ns

import (
	"strings"

	"github.com/gopyro/gopyro/compat"
)

// Well-known names of Pyro's name space.
const (
	// NameServerName is the name under which the Name Server registers itself.
	NameServerName = ":Pyro.NameServer"
	// PyroGroup is the group holding Pyro's own objects.
	PyroGroup = ":Pyro"
	// DefaultGroup is PYRO_NS_DEFAULTGROUP's default: the group in which
	// relative names are resolved.
	DefaultGroup = ":Default"
)

// MaxNameLength is the longest absolute name the Name Server accepts for a
// new name or group (Pyro has no limit; stores do).
const MaxNameLength = 4096

// checkLength refuses over-long names with NamingError('name too long').
func checkLength(full string) error {
	if len(full) > MaxNameLength {
		return compat.NewNamingError("name too long", len(full))
	}
	return nil
}

// ExpandName makes name absolute the way Pyro's NameServerProxy does before
// sending it: an absolute name (starting with ':') is returned as is, a
// relative one is put in defaultGroup, and the empty name means defaultGroup
// itself. defaultGroup must be absolute, else the result is Pyro's
// NamingError('default group name is not absolute').
func ExpandName(name, defaultGroup string) (string, error) {
	if !strings.HasPrefix(defaultGroup, ":") {
		return "", compat.NewNamingError("default group name is not absolute")
	}
	switch {
	case name == "":
		return defaultGroup, nil
	case name[0] == ':':
		return name, nil
	default:
		return defaultGroup + "." + name, nil
	}
}

// ValidateName checks a name the way Pyro's Name Server does on every call.
// An absolute name must have no empty component ("invalid name") and only
// characters with codes 33..126 other than '\' ("invalid character(s) in
// name"). A relative name is expanded with defaultGroup and NOT checked,
// exactly as Pyro does. The empty name is Python's IndexError.
func ValidateName(name, defaultGroup string) (string, error) {
	if name == "" {
		return "", compat.IndexError("string index out of range")
	}
	if name[0] != ':' {
		return ExpandName(name, defaultGroup)
	}
	if hasEmptyComponent(name) {
		return "", compat.NewNamingError("invalid name", name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 || c == '\\' {
			return "", compat.NewNamingError("invalid character(s) in name", name)
		}
	}
	return name, nil
}

// hasEmptyComponent reports whether splitting name on '.' yields an empty
// string, as Python's test for an empty string in name.split('.') does.
func hasEmptyComponent(name string) bool {
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			if i == start {
				return true
			}
			start = i + 1
		}
	}
	return false
}

// splitLast splits an absolute name into its parent group and last
// component as Pyro's locateGrpAndName does: on the last '.', or for a name
// without one into the root ("") and the name without its leading ':'.
func splitLast(name string) (parent string, last string, inRoot bool) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i], name[i+1:], false
	}
	return "", name[1:], true
}
