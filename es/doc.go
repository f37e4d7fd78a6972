// Package es is a drop-in replacement for Pyro 3's Event Service
// (Pyro.EventService): the remote object that Python publishers and
// subscribers use unchanged, and Go Publisher and Subscriber helpers.
//
// Subjects are case-insensitive strings; subscribeMatch patterns are Python
// re expressions, matched case-insensitively at the start of the subject and
// translated to Go's RE2 (see CompilePattern). Every subscriber has its own
// bounded queue and delivery goroutine that calls its event() method oneway
// over one kept connection, so a slow or dead subscriber never delays the
// others; PYRO_ES_QUEUESIZE and PYRO_ES_BLOCKQUEUE keep Pyro's meaning.
package es
