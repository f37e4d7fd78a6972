// Package pyrolog is gopyro's logging: two log/slog loggers, the system log
// (Pyro's Pyro.util.Log) and the user log (Pyro.util.UserLogger), configured
// by PYRO_TRACELEVEL / PYRO_LOGFILE and PYRO_USER_TRACELEVEL /
// PYRO_USER_LOGFILE.
//
// Trace levels map to slog levels as in Pyro: 0 logs nothing, 1 errors
// (slog.LevelError), 2 also warnings (slog.LevelWarn), 3 also notes
// (slog.LevelInfo); gopyro adds 4 for slog.LevelDebug. Log files are opened
// for appending, and only when their level is above 0, so that a default
// configuration creates no file; a relative name is taken inside
// PYRO_STORAGE, as Pyro does.
//
// Lines look like Pyro's:
//
//	2026-11-26 04:34:29 [4711:main] ** NOTE ** NameServer ** started port=9090
//
// local time, process id and goroutine ("main" for the main goroutine, else
// g<number>), the level (ERR!, WARN, NOTE, or DEBUG), the source (the
// attribute made by Source, "N/A" without one), the message, and any other
// attributes as key=value after the message, values quoted when needed.
// Finding the goroutine costs a few microseconds per written line; lines that
// are not written cost nothing.
//
// At level 0 (the default) a logger's Enabled reports false after one atomic
// load and logging a constant message allocates nothing, so log calls may
// stay on hot paths. Arguments that must be computed or boxed should be
// guarded with Enabled.
//
// System and User configure themselves from config.Current on first use;
// Setup reconfigures both, for instance after a program changed its
// configuration from flags. Loggers obtained earlier follow the new setup.
package pyrolog
