// Command newsmon crawls news outlets and official statement pages, tags
// what they say about corridors, pipelines and agreements, and lets
// analysts search it. See the README for the commands.
//
// This package only wires the parts together: flags, configuration, the
// store, the extractor and the crawler, and the output formats.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // source time zones work on machines without tzdata

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/postgres"
	"github.com/newsmon/newsmon/store/sqlite"
)

const usage = `newsmon watches news outlets and official statement pages for corridors,
pipelines and agreements.

Usage:
  newsmon serve [--addr HOST:PORT]        the daemon: scheduled crawls, alert delivery, HTTP
  newsmon crawl [--source NAME]...        one pass over the sources, deliver its alerts, exit
  newsmon search QUERY [flags]            search stored articles, best first
  newsmon extract [--url URL] [--source NAME] FILE...|-
                                          extract and tag HTML files offline
  newsmon export [--format jsonl|csv] [--since DATE]
                                          write every stored article
  newsmon agreements [--since DATE] [--party P] [--status S] [--format F]
                                          agreement events, each with every report
  newsmon sources [--format table|json]   every configured source: last run, runs, health
  newsmon alerts test RULE                send a sample alert through a rule's channels
  newsmon demo                            crawl built-in simulated outlets, no network needed
  newsmon migrate-store --from FILE --to postgres://USER@HOST/DB
                                          copy an SQLite store into PostgreSQL

Every command takes --config PATH (default ./config.toml; the built-in default
configuration when that file does not exist) and --db PATH (overrides [store] path).
Run "newsmon COMMAND --help" for a command's flags.
`

// exit statuses
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "crawl":
		err = cmdCrawl(ctx, rest, stdout, stderr)
	case "search":
		err = cmdSearch(ctx, rest, stdout, stderr)
	case "extract":
		err = cmdExtract(ctx, rest, stdout, stderr)
	case "export":
		err = cmdExport(ctx, rest, stdout, stderr)
	case "agreements":
		err = cmdAgreements(ctx, rest, stdout, stderr)
	case "serve":
		err = cmdServe(ctx, rest, stdout, stderr)
	case "alerts":
		err = cmdAlerts(ctx, rest, stdout, stderr)
	case "sources":
		err = cmdSources(ctx, rest, stdout, stderr)
	case "demo":
		err = cmdDemo(ctx, rest, stdout, stderr)
	case "migrate-store":
		err = cmdMigrateStore(ctx, rest, stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "newsmon: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		if err != errUsage {
			fmt.Fprintf(stderr, "newsmon %s: %v\n", cmd, err)
		}
		return exitUsage
	case newsmon.ErrorCode(err) == newsmon.EINVALID:
		fmt.Fprintf(stderr, "newsmon %s: %s\n", cmd, newsmon.ErrorMessage(err))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "newsmon %s: %v\n", cmd, err)
		return exitFail
	}
}

// errUsage marks an error whose message the flag package already printed.
var errUsage = errors.New("usage")

// commonFlags are the flags every command takes.
type commonFlags struct {
	config string
	db     string
	quiet  bool
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "config.toml", "configuration `file`")
	fs.StringVar(&c.db, "db", "", "SQLite store `file` (overrides [store] path)")
	fs.BoolVar(&c.quiet, "quiet", false, "log warnings and errors only")
}

// loadConfig reads the configuration file. When the default ./config.toml
// does not exist, the configuration built into the binary is used.
func (c *commonFlags) loadConfig(fs *flag.FlagSet) (*newsmon.Config, error) {
	explicit := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			explicit = true
		}
	})
	var cfg *newsmon.Config
	var err error
	if _, statErr := os.Stat(c.config); !explicit && errors.Is(statErr, os.ErrNotExist) {
		cfg, err = newsmon.Parse(newsmon.DefaultConfigTOML, "built-in config.toml")
	} else {
		cfg, err = newsmon.Load(c.config)
	}
	if err != nil {
		return nil, err
	}
	if c.db != "" {
		cfg.Store.Path, cfg.Store.DSN = c.db, ""
	}
	return cfg, nil
}

func openStore(cfg *newsmon.Config) (newsmon.Store, error) {
	if newsmon.IsPostgresDSN(cfg.Store.DSN) {
		return postgres.Open(context.Background(), cfg.Store.DSN)
	}
	if cfg.Store.DSN != "" {
		return nil, newsmon.Errorf(newsmon.EINVALID, "store.dsn: want a postgres:// or postgresql:// DSN")
	}
	return sqlite.Open(cfg.Store.Path)
}

// openExisting loads the configuration and opens the store for commands
// that only read it: a missing file is an error (a typo in --db), not a
// new empty store. The caller closes the store.
func (c *commonFlags) openExisting(fs *flag.FlagSet) (*newsmon.Config, newsmon.Store, error) {
	cfg, err := c.loadConfig(fs)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Store.DSN == "" {
		if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("no store at %s: run \"newsmon crawl\" first, or name the store with --db", cfg.Store.Path)
		}
	}
	st, err := openStore(cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

// parseFlags parses flags that may stand before, between or after the
// positional arguments ("search QUERY --topic corridor"), and returns the
// positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: newsmon %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func newLogger(stderr io.Writer, quiet bool) *slog.Logger {
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
}

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }
