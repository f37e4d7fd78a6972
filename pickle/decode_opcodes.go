package pickle

// Pickle opcodes of protocols 0 to 5, named as in Python's pickletools.
// Both the decoder and the encoder use these.
const (
	opMark           byte = '('
	opStop           byte = '.'
	opPop            byte = '0'
	opPopMark        byte = '1'
	opDup            byte = '2'
	opFloat          byte = 'F'
	opInt            byte = 'I'
	opBinint         byte = 'J'
	opBinint1        byte = 'K'
	opLong           byte = 'L'
	opBinint2        byte = 'M'
	opNone           byte = 'N'
	opPersid         byte = 'P'
	opBinpersid      byte = 'Q'
	opReduce         byte = 'R'
	opString         byte = 'S'
	opBinstring      byte = 'T'
	opShortBinstring byte = 'U'
	opUnicode        byte = 'V'
	opBinunicode     byte = 'X'
	opAppend         byte = 'a'
	opBuild          byte = 'b'
	opGlobal         byte = 'c'
	opDict           byte = 'd'
	opEmptyDict      byte = '}'
	opAppends        byte = 'e'
	opGet            byte = 'g'
	opBinget         byte = 'h'
	opInst           byte = 'i'
	opLongBinget     byte = 'j'
	opList           byte = 'l'
	opEmptyList      byte = ']'
	opObj            byte = 'o'
	opPut            byte = 'p'
	opBinput         byte = 'q'
	opLongBinput     byte = 'r'
	opSetitem        byte = 's'
	opTuple          byte = 't'
	opEmptyTuple     byte = ')'
	opSetitems       byte = 'u'
	opBinfloat       byte = 'G'

	// Protocol 2.
	opProto    byte = 0x80
	opNewobj   byte = 0x81
	opExt1     byte = 0x82
	opExt2     byte = 0x83
	opExt4     byte = 0x84
	opTuple1   byte = 0x85
	opTuple2   byte = 0x86
	opTuple3   byte = 0x87
	opNewtrue  byte = 0x88
	opNewfalse byte = 0x89
	opLong1    byte = 0x8a
	opLong4    byte = 0x8b

	// Protocol 3.
	opBinbytes      byte = 'B'
	opShortBinbytes byte = 'C'

	// Protocol 4.
	opShortBinunicode byte = 0x8c
	opBinunicode8     byte = 0x8d
	opBinbytes8       byte = 0x8e
	opEmptySet        byte = 0x8f
	opAdditems        byte = 0x90
	opFrozenset       byte = 0x91
	opNewobjEx        byte = 0x92
	opStackGlobal     byte = 0x93
	opMemoize         byte = 0x94
	opFrame           byte = 0x95

	// Protocol 5.
	opBytearray8     byte = 0x96
	opNextBuffer     byte = 0x97
	opReadonlyBuffer byte = 0x98
)
