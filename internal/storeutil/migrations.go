package storeutil

import (
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/newsmon/newsmon"
)

// Migration is one .sql file of a store's schema, embedded in its package.
type Migration struct {
	Name string // the file name, e.g. 0001_init.sql
	SQL  string
}

// Migrations returns the .sql files of directory dir of fsys (a store's
// embedded migrations) in the order they run, that of their names.
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Name: e.Name(), SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return strings.Compare(a.Name, b.Name) })
	return ms, nil
}

// PendingMigrations returns the migrations of ms whose names are not in
// applied, in order. A name in applied that ms does not know means that a
// newer newsmon wrote the store: that is EINVALID, and nothing is to run.
func PendingMigrations(ms []Migration, applied map[string]bool) ([]Migration, error) {
	known := make(map[string]bool, len(ms))
	for _, m := range ms {
		known[m.Name] = true
	}
	for name := range applied {
		if !known[name] {
			return nil, newsmon.Errorf(newsmon.EINVALID, "the store was written by a newer newsmon (migration %s is unknown to this one): upgrade newsmon", name)
		}
	}
	var pending []Migration
	for _, m := range ms {
		if !applied[m.Name] {
			pending = append(pending, m)
		}
	}
	return pending, nil
}
