// Package wire holds what the framing packages of the Pyro generations
// (protocol for Pyro 3, protocol4 for Pyro 4, protocol5 for Pyro 5) share:
// the FrameError type and its kinds, per-step I/O deadlines tied to a
// context, body reads whose memory grows only with the bytes received, zlib
// compression, with inflation bounded by a size limit and Python's
// zlib.error texts, and the annotation chunks of protocols 48 and 502.
package wire
