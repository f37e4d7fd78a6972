package compat

import (
	"math/big"

	"github.com/google/go-cmp/cmp"
	"github.com/gopyro/gopyro/pickle"
)

// cmpOpts compares pickle values strictly: dicts by items with the same key
// types, longs by value.
var cmpOpts cmp.Options

func init() {
	cmpOpts = cmp.Options{
		cmp.Comparer(func(a, b *big.Int) bool { return a.Cmp(b) == 0 }),
		cmp.Comparer(dictEqual),
	}
}

func dictEqual(a, b pickle.Dict) bool {
	if a.Len() != b.Len() {
		return false
	}
	for k, va := range a.Iter() {
		found := false
		for kb, vb := range b.Iter() {
			if cmp.Equal(k, kb, cmpOpts) {
				found = cmp.Equal(va, vb, cmpOpts)
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
