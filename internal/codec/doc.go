// Package codec holds what every codec of Pyro's value model (pickle,
// serpent, and the codecs of later Pyro generations) needs alike: the
// encoding error that names where in a value encoding failed, the sentinel
// errors with the same meaning in every codec, messages that unwrap to a
// sentinel, resource limits whose zero fields take defaults, and the
// one-character escapes of Python's string literals. Each codec
// re-exports what is part of its API under its own name (type aliases and
// variables), so one implementation serves them all.
package codec
