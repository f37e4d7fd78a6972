// Package allocs measures what a function allocates, for the fuzz targets
// of the decoders and framings that must fail when a short input makes
// them allocate far more than its size justifies (decoder amplification).
package allocs

import "runtime"

// Bytes returns the bytes the heap allocated while f ran (by every
// goroutine: call it where nothing else allocates much).
func Bytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
