package serpent

import "time"

// The other Pyro 5 codecs (pyjson, pymarshal, pymsgpack) share serpent's
// limits, sentinel errors and Python text forms; these expose what they
// call, so that each form has one implementation.

// WithDefaults returns l with its zero fields set from DefaultLimits, the
// limits a Decoder applies.
func (l Limits) WithDefaults() Limits { return l.withDefaults() }

// AppendISOFormat appends what Python's datetime.isoformat() gives for t:
// microseconds when they are not zero, and the UTC offset (a Go time
// always has one), with seconds when the offset has them.
func AppendISOFormat(dst []byte, t time.Time) []byte {
	if t.Nanosecond()/1000 != 0 {
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05.000000")
	} else {
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05")
	}
	if _, off := t.Zone(); off%60 != 0 {
		return t.AppendFormat(dst, "-07:00:00")
	}
	return t.AppendFormat(dst, "-07:00")
}
