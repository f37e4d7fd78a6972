// Package compat holds the Python classes of Pyro 3.16 that cross the wire,
// as Go types, and the Pyro conventions around them: URIs, GUIDs, exceptions
// and the exception capsule of error replies. spec.md §5 and §11 list the
// classes and their state as they cross the wire.
//
// Every type here implements pickle.Pickler, so pickle.Marshal writes it as an
// instance of its Python class that Python 2 with Pyro 3.16 loads as an equal
// object, and the package's init registers a decoder for each class in
// pickle.DefaultRegistry, so decoding a pickle that contains one yields the Go
// type. Importing the package (even as _) is enough to enable both ways.
//
//	Python class                              Go type
//	Pyro.core.PyroURI                         URI
//	Pyro.core.DynamicProxy                    *DynamicProxy
//	Pyro.core.DynamicProxyWithAttrs           *DynamicProxy with WithAttrs set
//	Pyro.protocol.PYROAdapter                 *Adapter (PYROSSLAdapter for PYROSSL URIs)
//	Pyro.protocol.DefaultConnValidator        *ConnValidator
//	Pyro.naming.NameServerProxy               *NameServerProxy
//	Pyro.naming.NameSpaceSystemMeta           *NameSpaceSystemMeta
//	Pyro.naming.NamedTree                     *NamedTree
//	Pyro.naming.NameValue                     *NameValue
//	Pyro.EventService.Event.Event             *Event
//	Pyro.errors.PyroExceptionCapsule          *Capsule
//	Pyro.errors.PyroError and subclasses      *PyroError, *NamingError, ... (each embeds Exception)
//	exceptions.* (Python 2 built-ins)         *Exception
//
// Decoding is lossless: an instance whose state does not have exactly the
// shape Pyro gives it (unexpected keys or value types) stays a
// *pickle.Object, which re-encodes to the same Python object. Exceptions of
// classes that are not registered (user exceptions) also stay *pickle.Object;
// AsException turns them into an *Exception.
//
// Python 2 str values that Pyro always uses for names (URI fields, object
// ids, adapter identification) are Go strings here; they are accepted as str
// or unicode on decode and always written as str.
//
// Errors: *Exception is any Python exception; the Pyro.errors classes have
// their own types embedding it (*PyroError, *URIError, *DaemonError,
// *ProtocolError, *ConnectionClosedError, *ConnectionDeniedError,
// *TimeoutError, *NamingError, *NoModuleError, *InternalNoModuleError), and
// errors.As follows Pyro's class hierarchy: a *TimeoutError is found as a
// *ConnectionClosedError, *ProtocolError, *PyroError and *Exception. The
// same types stand for the classes of Pyro4.errors and Pyro5.errors, with
// *CommunicationError, *MessageTooLargeError, *SecurityError and
// *SerializeError for those Pyro 3 lacks, and errors.As follows their
// hierarchy (a Pyro 5 *TimeoutError is a *CommunicationError, not a
// *ConnectionClosedError); Class.Module tells the generation. The
// ancestor views errors.As fills in are copies sharing Args and Attrs. A
// capsule's Err method gives the error a Pyro client would raise.
//
// Encoding writes instance states in the key order cPickle uses for them, so
// Pyro's own messages come out as cPickle writes them, except for memo
// stores (cPickle memoizes by reference count). compat.URI is a value type:
// two references to one PyroURI object become two equal objects, except
// that a proxy and its adapter share their URI again when encoded, as Pyro's
// do.
//
// Repr and Str give Python 2's repr() and str() of decoded values.
//
// URI parsing follows Pyro.core.PyroURI and processStringURI, except that host
// names are kept as given: ParseURI never consults DNS (Pyro does the same
// with PYRO_DNS_URI set), and PYRONAME URIs are parsed, not resolved.
package compat
