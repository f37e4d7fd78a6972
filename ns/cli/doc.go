// Package cli implements the pyro-ns and pyro-nsc commands (cmd/pyro-ns,
// cmd/pyro-nsc): Pyro 3.16's Name Server and its control tool, with the
// same options and output, on package ns.
package cli
