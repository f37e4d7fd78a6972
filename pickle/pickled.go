package pickle

import "fmt"

// Pickled is a value pickled once to be written into many pickles, as the
// event service writes one event into the call to each of its subscribers:
// the Encoder copies its opcodes where the value would go instead of
// encoding the value again. Make one with Encoder.Pickle.
//
// The opcodes keep what they share in the memo, so a value that holds the
// same part twice stays as short as it came. The memo indexes they store
// are those of a pickle of their own; the pickle they are written into
// gives up its memo entries below the Pickled's last index (it writes those
// values again instead of loading them) and numbers its next ones above.
// Protocols 4 and 5 number memo entries by their order (MEMOIZE), which
// does not survive the copy: a Pickled is made and written at protocols 0
// to 3 only.
type Pickled struct {
	ops     []byte // the opcodes, without PROTO and STOP
	proto   int
	memoEnd int // one past the last memo index ops store
}

// maxSpliceProtocol is the highest protocol a Pickled is made and written
// at: the last whose memo stores give their index.
const maxSpliceProtocol = 3

// Pickle pickles v to be written into other pickles of protocol
// e.Protocol or higher (up to 3), within e's MaxDepth and MaxOutput.
func (e *Encoder) Pickle(v any) (*Pickled, error) {
	if e.Protocol > maxSpliceProtocol {
		return nil, encodeError(fmt.Sprintf("%T", v), fmt.Errorf("%w: a Pickled is made at protocols 0 to %d, not %d", ErrUnsupportedValue, maxSpliceProtocol, e.Protocol))
	}
	data, memoEnd, err := e.append(nil, v)
	if err != nil {
		return nil, err
	}
	start := 0
	if e.Protocol >= 2 {
		start = 2 // PROTO n
	}
	return &Pickled{ops: data[start : len(data)-1], proto: e.Protocol, memoEnd: memoEnd}, nil
}

// Protocol returns the protocol p was pickled at.
func (p *Pickled) Protocol() int { return p.proto }

// Len returns the length of p's opcodes.
func (p *Pickled) Len() int { return len(p.ops) }

// splice copies p's opcodes into the pickle being written.
func (s *encState) splice(p *Pickled) error {
	switch {
	case p == nil:
		return encodeError("*pickle.Pickled", fmt.Errorf("%w: nil *Pickled", ErrUnsupportedValue))
	case s.proto > maxSpliceProtocol:
		return encodeError("*pickle.Pickled", fmt.Errorf("%w: a Pickled is written into pickles of protocols 0 to %d, not %d", ErrUnsupportedValue, maxSpliceProtocol, s.proto))
	case p.proto > s.proto:
		return encodeError("*pickle.Pickled", fmt.Errorf("%w: pickled at protocol %d, inside a pickle of protocol %d", ErrUnsupportedValue, p.proto, s.proto))
	}
	s.buf = append(s.buf, p.ops...)
	s.next = max(s.next, p.memoEnd)
	s.floor = max(s.floor, p.memoEnd)
	return nil
}
