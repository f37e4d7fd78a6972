// Package es is a drop-in replacement for Pyro 3's Event Service
// (Pyro.EventService): the event server that unmodified Python publishers
// and subscribers use, and Go Publisher and Subscriber helpers that work
// with it and with Python's event server. spec.md §14.3 has its calls.
//
// The layers:
//
//   - Server runs the service: a core.Daemon serving an EventService,
//     registered in the name server as Name (":Pyro.EventService").
//     cmd/pyro-es is a command line around it.
//   - EventService is the remote object (Pyro's class of that name) with
//     Pyro's methods publish(subjects, message), subscribe(subjects,
//     subscriber), subscribeMatch(patterns, subscriber) and
//     unsubscribe(subjects, subscriber).
//   - Broker holds the subscriptions and delivers: every subscriber (keyed
//     by the object ID of its proxy, as Pyro does) has its own queue of
//     PYRO_ES_QUEUESIZE events (0 = unbounded) and its own goroutine that
//     calls the subscriber's event(event) oneway over one kept connection,
//     in order. With PYRO_ES_BLOCKQUEUE a publisher waits while a queue is
//     full, else the event is dropped for that subscriber. A subscriber
//     whose delivery fails is dropped at once with its queued events, and
//     publishers waiting for its queue go on; a slow or dead subscriber
//     never holds up the others' deliveries.
//   - Target is a delivery destination, so that Broker can be used and
//     tested without the network; NewTarget makes the Pyro one.
//   - Publisher publishes like Pyro's: Publish waits for each publish call
//     to return; PublishOneway sends it as a oneway call, so one publisher
//     streams events at the service's pace instead of a round trip's (this
//     service keeps their order; Pyro's runs each oneway call in a thread).
//
// Subjects are case-insensitive; a multi-subject publish gives all its
// events the same creation time. subscribeMatch patterns are Python re
// expressions, matched case-insensitively at the start of the subject; they
// are translated to Go's RE2 (CompilePattern), and a pattern RE2 cannot
// express (backreferences, lookaround, conditionals) or that Python would
// reject is refused with Pyro.errors.NamingError(message, pattern).
//
// Where this service differs from Pyro's, on purpose: a dropped subscriber
// may subscribe again (Pyro keeps its dead worker); a delivery that takes
// longer than EventService.DeliverTimeout counts as failed (Pyro waits
// forever); an event is pickled once for all its subscribers, and up to 64
// queued events are written to a subscriber at once, so at most that many
// are on their way besides the queue; Pyro raises sre_constants.error for
// an invalid pattern, this service NamingError.
package es
