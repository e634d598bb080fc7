package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
)

// maxExtractInput bounds one input document, as the crawler's max_body does.
const maxExtractInput = 64 << 20

func cmdExtract(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("extract", "extract [--url URL] [--source NAME] FILE...|-", stderr)
	var cf commonFlags
	cf.register(fs)
	pageURL := fs.String("url", "", "the `URL` the document was fetched from (one document only)")
	sourceName := fs.String("source", "", "apply the extraction rules, language and time zone of source `NAME`")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: no input: give files, or - for standard input", errUsage)
	}
	if *pageURL != "" && len(files) > 1 {
		return newsmon.Errorf(newsmon.EINVALID, "--url: given with %d documents; it names one", len(files))
	}
	cfg, err := cf.loadConfig(fs)
	if err != nil {
		return err
	}
	var src *newsmon.Source
	if *sourceName != "" {
		if src = cfg.FindSource(*sourceName); src == nil {
			return newsmon.Errorf(newsmon.EINVALID, "--source %q: no such source", *sourceName)
		}
	}
	ex, err := extract.New(cfg.Topics, cfg.Parties...)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	failed := 0
	for _, name := range files {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		a, err := extractFile(ex, name, *pageURL, src)
		if err != nil {
			fmt.Fprintf(stderr, "newsmon extract: %s: %v\n", name, err)
			failed++
			continue
		}
		if err := enc.Encode(a); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d documents could not be read", failed, len(files))
	}
	return nil
}

func extractFile(ex newsmon.Extractor, name, pageURL string, src *newsmon.Source) (*newsmon.Article, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b || strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	} else {
		r = br
	}
	body, err := io.ReadAll(io.LimitReader(r, maxExtractInput+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxExtractInput {
		return nil, fmt.Errorf("larger than %d MB", maxExtractInput>>20)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("empty document")
	}
	if pageURL == "" && name != "-" {
		if abs, err := filepath.Abs(name); err == nil {
			pageURL = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
		}
	}
	return ex.Extract(&newsmon.Page{URL: pageURL, Body: crawler.DecodeHTML(body), Source: src})
}
