package pickle

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gopyro/gopyro/internal/codec"
)

// Sentinel errors. Every error returned by a Decoder is an *Error whose Err
// wraps one of these, so callers can branch with errors.Is.
var (
	// ErrTruncated: the data ended inside an opcode or before STOP.
	ErrTruncated = errors.New("truncated pickle")
	// ErrUnknownOpcode: a byte that is no pickle opcode of protocols 0 to 5.
	ErrUnknownOpcode = errors.New("unknown opcode")
	// ErrStackUnderflow: an opcode needs more stack items than there are, or
	// a MARK that was not pushed.
	ErrStackUnderflow = errors.New("stack underflow")
	// ErrMemoMissing: GET of a memo index that no PUT defined.
	ErrMemoMissing = errors.New("memo index not defined")
	// ErrLimit: the pickle exceeds one of the decoder's Limits. It is the
	// ErrLimit of every codec (serpent.ErrLimit too).
	ErrLimit = codec.ErrLimit
	// ErrPersistentID: PERSID or BINPERSID; Pyro never uses persistent ids,
	// so the decoder has no way to resolve them.
	ErrPersistentID = errors.New("persistent ids are not supported")
	// ErrUnsupported: opcodes that need state the decoder does not have:
	// EXT1/EXT2/EXT4 (copyreg extension registry) and NEXT_BUFFER
	// (protocol 5 out-of-band buffers).
	ErrUnsupported = errors.New("unsupported opcode")
	// ErrBadValue: an opcode argument or stack item that Python would refuse
	// (malformed text, wrong type, unhashable dict key, protocol above 5, ...),
	// or an error returned by a registered DecodeFunc.
	ErrBadValue = errors.New("bad value")
)

// BudgetError is the cause (in Error.Err) of the failure of a pickle that
// builds more than its budget allows (see Limits.BuildPerByte). It unwraps
// to ErrLimit.
type BudgetError struct {
	// Size is the length of the pickle in bytes.
	Size int
	// Budget is Limits.Budget(Size), the bytes it may build.
	Budget int
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("decoding builds over the budget of %d bytes for a pickle of %d bytes (Limits.BuildPerByte, MinBuild, MaxBuild)", e.Budget, e.Size)
}

// Unwrap returns ErrLimit.
func (e *BudgetError) Unwrap() error { return ErrLimit }

// Error is a decoding error: where it happened and why.
type Error struct {
	// Offset is the position in the data of the opcode that failed.
	Offset int
	// Op is that opcode; 0 when the data ended before a STOP opcode.
	Op byte
	// Err says what went wrong; it wraps one of the sentinel errors.
	Err error
}

func (e *Error) Error() string {
	if e.Op == 0 { // no opcode: the data ended before STOP
		return "pickle: offset " + strconv.Itoa(e.Offset) + ": " + e.Err.Error()
	}
	return "pickle: offset " + strconv.Itoa(e.Offset) + ", opcode " + opDescribe(e.Op) + ": " + e.Err.Error()
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// opDescribe renders an opcode as 'c' (NAME) or 0x95 (NAME).
func opDescribe(op byte) string {
	var s string
	if op > ' ' && op < 0x7f {
		s = "'" + string(rune(op)) + "'"
	} else {
		s = fmt.Sprintf("0x%02x", op)
	}
	if name := opNames[op]; name != "" {
		s += " (" + name + ")"
	}
	return s
}

var opNames = [256]string{
	opMark: "MARK", opStop: "STOP", opPop: "POP", opPopMark: "POP_MARK", opDup: "DUP",
	opFloat: "FLOAT", opInt: "INT", opBinint: "BININT", opBinint1: "BININT1", opLong: "LONG",
	opBinint2: "BININT2", opNone: "NONE", opPersid: "PERSID", opBinpersid: "BINPERSID",
	opReduce: "REDUCE", opString: "STRING", opBinstring: "BINSTRING",
	opShortBinstring: "SHORT_BINSTRING", opUnicode: "UNICODE", opBinunicode: "BINUNICODE",
	opAppend: "APPEND", opBuild: "BUILD", opGlobal: "GLOBAL", opDict: "DICT",
	opEmptyDict: "EMPTY_DICT", opAppends: "APPENDS", opGet: "GET", opBinget: "BINGET",
	opInst: "INST", opLongBinget: "LONG_BINGET", opList: "LIST", opEmptyList: "EMPTY_LIST",
	opObj: "OBJ", opPut: "PUT", opBinput: "BINPUT", opLongBinput: "LONG_BINPUT",
	opSetitem: "SETITEM", opTuple: "TUPLE", opEmptyTuple: "EMPTY_TUPLE", opSetitems: "SETITEMS",
	opBinfloat: "BINFLOAT", opProto: "PROTO", opNewobj: "NEWOBJ", opExt1: "EXT1", opExt2: "EXT2",
	opExt4: "EXT4", opTuple1: "TUPLE1", opTuple2: "TUPLE2", opTuple3: "TUPLE3",
	opNewtrue: "NEWTRUE", opNewfalse: "NEWFALSE", opLong1: "LONG1", opLong4: "LONG4",
	opBinbytes: "BINBYTES", opShortBinbytes: "SHORT_BINBYTES",
	opShortBinunicode: "SHORT_BINUNICODE", opBinunicode8: "BINUNICODE8", opBinbytes8: "BINBYTES8",
	opEmptySet: "EMPTY_SET", opAdditems: "ADDITEMS", opFrozenset: "FROZENSET",
	opNewobjEx: "NEWOBJ_EX", opStackGlobal: "STACK_GLOBAL", opMemoize: "MEMOIZE", opFrame: "FRAME",
	opBytearray8: "BYTEARRAY8", opNextBuffer: "NEXT_BUFFER", opReadonlyBuffer: "READONLY_BUFFER",
}
