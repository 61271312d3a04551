// Command tether-ferretdb runs FerretDB 1.x on SQLite as an embedded MongoDB-wire server.
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

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "", "directory for SQLite files (required)")
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

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
	sqliteURL := "file:" + abs + "/"

	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		fail("cannot start: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

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
