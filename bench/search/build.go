package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/sqlite"
)

// saveBatch is how many articles go to one SaveArticles call, as the
// crawler's writer batches them.
const saveBatch = 256

// cachedStore returns the path of a store holding the n generated
// articles, building it when the cache has none for this generator
// version. Building writes to a temporary name and renames the file when
// done, so an interrupted build is never taken for a finished one.
func cachedStore(dir string, n int, rebuild bool, logf func(string, ...any)) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("store-%s-%d.db", genVersion, n))
	if _, err := os.Stat(path); err == nil && !rebuild {
		return path, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp := path + ".building"
	for _, p := range []string{path, tmp, tmp + "-wal", tmp + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	start := time.Now()
	if err := build(tmp, n, logf); err != nil {
		return "", fmt.Errorf("build %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	logf("built %s: %d articles in %s", path, n, time.Since(start).Round(time.Second))
	return path, nil
}

// build fills a new store at path through SaveArticles, generating the
// next batch while the store writes the last one.
func build(path string, n int, logf func(string, ...any)) error {
	db, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	g := newGenerator(n)
	batches := make(chan []newsmon.ArticleWrite, 2)
	go func() {
		defer close(batches)
		for start := 0; start < n; start += saveBatch {
			ws := make([]newsmon.ArticleWrite, 0, saveBatch)
			for i := start; i < min(n, start+saveBatch); i++ {
				ws = append(ws, newsmon.ArticleWrite{Article: g.article(i)})
			}
			batches <- ws
		}
	}()
	ctx := context.Background()
	done, last := 0, time.Now()
	var saveErr error
	for ws := range batches {
		if saveErr != nil {
			continue // drain, so the generator ends
		}
		for j, r := range db.SaveArticles(ctx, ws) {
			if r.Err != nil {
				saveErr = fmt.Errorf("article %d: %w", done+j, r.Err)
				break
			}
		}
		done += len(ws)
		if time.Since(last) > 10*time.Second {
			logf("building: %d of %d articles", done, n)
			last = time.Now()
		}
	}
	return errors.Join(saveErr, db.Close())
}
