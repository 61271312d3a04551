package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// FerretDB 1.24 answers a filter of exactly {_id: <value>} with
//
//	SELECT ... WHERE _ferretdb_sjson->'$._id' = ?
//
// (internal/backends/sqlite/collection.go, Query, UpdateAll and DeleteAll), but creates the unique
// _id index on the expression _ferretdb_sjson->"_id" (metadata/registry.go). SQLite matches index
// expressions by their text, so it never uses that index: every _id lookup, update and delete
// scans its table, and costs grow with the collection (measured: 4.4 ms at 1,000 documents,
// 197 ms at 40,000; 1.6 ms at 40,000 with the index below). We add an index on the very
// expression FerretDB queries with, to every collection table, and keep adding it to tables
// created later. It is not unique (FerretDB's own index enforces that) and FerretDB does not know
// it: dropping a collection drops it with the table.

const idPathIndexSuffix = "__id_path"

// indexIDPaths adds the missing _id path indexes in every database file under dir, now and then
// every interval until ctx ends.
func indexIDPaths(ctx context.Context, dir string, busyTimeout, interval time.Duration, logger *slog.Logger) {
	for {
		files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		if err != nil {
			logger.Warn("cannot list database files", slog.String("error", err.Error()))
		}
		for _, file := range files {
			if err := indexFile(ctx, file, busyTimeout); err != nil {
				logger.Debug("cannot add _id path indexes", slog.String("file", file), slog.String("error", err.Error()))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func indexFile(ctx context.Context, file string, busyTimeout time.Duration) error {
	// mode=rw: a database FerretDB just dropped must not be created again here.
	db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?mode=rw&_pragma=busy_timeout(%d)", file, busyTimeout.Milliseconds()))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, `
		SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || ?)`, idPathIndexSuffix)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, table)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+idPathIndexSuffix, table)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
