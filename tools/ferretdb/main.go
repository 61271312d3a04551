// Command tether-ferretdb runs FerretDB 1.x as an embedded MongoDB-wire server, on SQLite files in
// a directory (the default) or on a PostgreSQL database (-postgresql-url).
//
// FerretDB's own cmd/ferretdb cannot be built with `go install` (it panics at start because a
// generated version file is not part of the module), so we embed its public package instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "", "directory for SQLite files (required without -postgresql-url)")
	postgresqlURL := flag.String("postgresql-url", "", "run on this PostgreSQL database instead of SQLite, e.g. postgres://user@127.0.0.1:5432/db")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	busyTimeout := flag.Duration("busy-timeout", time.Minute, "how long a SQLite write waits for the database lock before failing")
	indexEvery := flag.Duration("id-index-interval", 2*time.Second, "how often new collections get their _id path index (see idindex.go); 0 turns it off")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *postgresqlURL != "" {
		// FerretDB's PostgreSQL backend indexes _id on the expression it queries with, and its
		// writers wait on row locks instead of one database lock: neither SQLite fix below applies.
		run(ctx, &ferretdb.Config{
			Listener:      ferretdb.ListenerConfig{TCP: *listen},
			Logger:        logger,
			Handler:       "postgresql",
			PostgreSQLURL: *postgresqlURL,
		})
		return
	}

	// SQLite's in-memory mode is not offered: FerretDB deadlocks on findAndModify there.
	if *dataDir == "" {
		fail("-data is required")
	}
	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("bad -data: %v", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail("cannot create data directory: %v", err)
	}
	// FerretDB adds busy_timeout(10000) and WAL itself unless the URL sets them, and opens up to 100
	// SQLite connections. SQLite's busy handler is not a queue: a waiting writer polls with growing
	// sleeps (up to 100 ms), so fresh writers keep overtaking it, and with ~100 writers contending
	// (1,000 concurrent reconnects) some waited out the whole 10 s and failed with "database is
	// locked (5) (SQLITE_BUSY)". Every such failure took 12-15 s: starvation, not an immediate
	// busy error from a deferred transaction upgrading to write (those statements are the first
	// write of their transaction, so _txlock=immediate changed nothing when measured). A longer
	// wait lets them through at the same throughput; FerretDB still appends journal_mode(wal)
	// after it, as its busy handler must come first.
	sqliteURL := fmt.Sprintf("file:%s/?_pragma=busy_timeout(%d)", abs, busyTimeout.Milliseconds())

	if *indexEvery > 0 {
		go indexIDPaths(ctx, abs, *busyTimeout, *indexEvery, logger)
	}
	run(ctx, &ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
}

// run serves until ctx ends.
func run(ctx context.Context, config *ferretdb.Config) {
	db, err := ferretdb.New(config)
	if err != nil {
		fail("cannot start: %v", err)
	}
	// Printed once the listener is bound; MongoDBURI blocks until then.
	go func() { fmt.Println("ready", db.MongoDBURI()) }()
	if err := db.Run(ctx); err != nil {
		fail("stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tether-ferretdb: "+format+"\n", args...)
	os.Exit(1)
}
