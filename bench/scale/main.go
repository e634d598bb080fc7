// Command scale measures crawling with several newsmon processes that
// share one Redis frontier. It serves -hosts generated newsrooms
// (internal/testsite), each on a loopback address of its own (127.0.0.2,
// 127.0.0.3, ...: Linux routes all of 127/8 to the loopback interface),
// and crawls all of them, one source per host, in four modes:
//
//   - alone: one process without Redis, as newsmon crawls by default;
//   - shared-1, shared-2, shared-3: one, two or three processes, each a
//     child `crawl` with its own transport, sharing the frontier, the host
//     gate and the run locks through Redis, and one SQLite store.
//
// Each host asks for -delay between requests, so the ideal crawl time is
// set by the busiest host: (its requests - 1) x delay. The politeness
// efficiency is the measured time over that ideal (1.0 is perfect; the
// issue's goal is at most 1.15): it shows what coordinating processes
// costs in waiting beyond what politeness demands. The time is measured
// from the moment every child is ready (store and Redis open) to the
// moment the last one exits. The site's own request log gives the
// requests per host, the smallest gap between two requests to one host
// (which must not be below the delay) and the article pages fetched more
// than once (which must be none).
//
// It prints one JSON object: per mode, medians over -runs of pages per
// second (every request), articles per second, seconds, ideal seconds and
// efficiency; the worst smallest gap between two arrivals at one host (as
// a fraction of the delay), the most gaps below the delay minus 40 ms in a
// run, and articles fetched twice. Arrival times are stamped by the
// site's handlers, which share the machine with the crawlers: under load
// a handler that runs late makes the next gap look short. The alone mode,
// whose single transport spaces requests without Redis, is the control
// for that noise. It exits 1, after printing the figures, when a crawl
// stored fewer than 99% of the articles or fetched an article twice, and
// 2 on bad usage. Redis comes from -redis (default: NEWSMON_TEST_REDIS, else
// redis://127.0.0.1:6379/0); each run uses a key prefix of its own and
// deletes it after.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/crawler"
	"github.com/newsmon/newsmon/extract"
	"github.com/newsmon/newsmon/frontier"
	"github.com/newsmon/newsmon/internal/testsite"
	"github.com/newsmon/newsmon/store/sqlite"
)

// goalEfficiency is the bound on measured / ideal crawl time.
const goalEfficiency = 1.15

// gapSlack is how far below the delay a gap between two arrivals at one
// host may fall before it counts as broken: the server stamps arrivals,
// after a TCP handshake for new connections and scheduling noise.
const gapSlack = 40 * time.Millisecond

type options struct {
	hosts    int
	articles int
	delay    time.Duration
	runs     int
	procs    []int
	redis    string
	config   string
	out      string
	timeout  time.Duration
	child    string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "scale:", err)
		return 2
	}
	if o.child != "" {
		if err := runChild(o.child, os.Stdin, stdout); err != nil {
			fmt.Fprintln(stderr, "scale child:", err)
			return 1
		}
		return 0
	}
	rep, err := benchmark(o, stderr)
	if rep != nil {
		data, _ := json.MarshalIndent(rep, "", "  ")
		data = append(data, '\n')
		stdout.Write(data)
		if o.out != "" {
			if werr := os.WriteFile(o.out, data, 0o644); werr != nil {
				fmt.Fprintln(stderr, "scale:", werr)
				return 1
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "scale:", err)
		return 1
	}
	return 0
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.hosts, "hosts", 12, "generated sites, each on its own loopback address")
	fs.IntVar(&o.articles, "articles", 30, "articles per site")
	fs.DurationVar(&o.delay, "delay", 200*time.Millisecond, "crawler.delay: least time between two requests to one host")
	fs.IntVar(&o.runs, "runs", 3, "repetitions of each mode; the figures are medians")
	procs := fs.String("procs", "1,2,3", "numbers of shared processes to measure")
	def := os.Getenv("NEWSMON_TEST_REDIS")
	if def == "" {
		def = "redis://127.0.0.1:6379/0"
	}
	fs.StringVar(&o.redis, "redis", def, "Redis `URL` of the shared frontier")
	fs.StringVar(&o.config, "config", "", "configuration whose topics the crawl tags with (default: config.toml of the module)")
	fs.StringVar(&o.out, "out", "", "also write the JSON to `FILE`")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "limit for one crawl")
	fs.StringVar(&o.child, "child", "", "internal: run the job in `FILE`")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	for _, p := range strings.Split(*procs, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(p), &n); err != nil || n < 1 || n > 16 {
			return o, fmt.Errorf("-procs %q: want numbers from 1 to 16 separated by commas", *procs)
		}
		o.procs = append(o.procs, n)
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.hosts < 1 || o.hosts > 250:
		return o, fmt.Errorf("-hosts %d: want 1 to 250 (127.0.0.2 to 127.0.0.251)", o.hosts)
	case o.articles < 1 || o.articles > 100000:
		return o, fmt.Errorf("-articles %d: want 1 to 100000", o.articles)
	case o.delay <= 0:
		return o, fmt.Errorf("-delay %s: want a positive duration (the ideal time is set by it)", o.delay)
	case o.runs < 1 || o.runs > 100:
		return o, fmt.Errorf("-runs %d: want 1 to 100", o.runs)
	case o.timeout <= 0:
		return o, fmt.Errorf("-timeout %s: want a positive duration", o.timeout)
	}
	return o, nil
}

// job is what a child process crawls; the parent writes it as JSON.
type job struct {
	Config   string           `json:"config"`
	Sources  []newsmon.Source `json:"sources"`
	Delay    time.Duration    `json:"delay"`
	MaxPages int              `json:"max_pages"`
	Redis    string           `json:"redis"`
	Prefix   string           `json:"prefix"`
	DB       string           `json:"db"`
}

// report is the JSON the benchmark prints.
type report struct {
	Hosts    int                     `json:"hosts"`
	Articles int                     `json:"articles_per_host"`
	DelayMs  float64                 `json:"delay_ms"`
	Runs     int                     `json:"runs"`
	Modes    map[string]modeFigures  `json:"modes"`
	Order    []string                `json:"mode_order"`
	Goal     float64                 `json:"goal_efficiency"`
	GoalMet  bool                    `json:"goal_met"`
	Go       string                  `json:"go"`
	CPUs     int                     `json:"cpus"`
	Each     map[string][]runFigures `json:"each_run"`
}

// modeFigures are the medians of one mode over the runs, and the worst
// politeness figures of any run.
type modeFigures struct {
	Processes   int     `json:"processes"`
	PagesPerS   float64 `json:"pages_per_s"`
	ArticlesPS  float64 `json:"articles_per_s"`
	Seconds     float64 `json:"seconds"`
	IdealS      float64 `json:"ideal_seconds"`
	Efficiency  float64 `json:"efficiency"`
	MinGapRatio float64 `json:"min_gap_over_delay"`          // worst over the runs
	BrokenGaps  int     `json:"gaps_below_delay_minus_40ms"` // most in one run
	Duplicates  int     `json:"article_fetched_twice"`
}

// runFigures is what one crawl measured.
type runFigures struct {
	Seconds     float64 `json:"seconds"`
	IdealS      float64 `json:"ideal_seconds"`
	Efficiency  float64 `json:"efficiency"`
	Requests    int     `json:"requests"`
	Stored      int     `json:"stored"`
	MinGapRatio float64 `json:"min_gap_over_delay"`
	BrokenGaps  int     `json:"gaps_below_delay_minus_40ms"`
	Duplicates  int     `json:"article_fetched_twice"`
}

func benchmark(o options, stderr io.Writer) (*report, error) {
	cfgPath, err := findConfig(o.config)
	if err != nil {
		return nil, err
	}
	probe, err := frontier.Open(context.Background(), o.redis, "newsmon-bench-probe:", nil)
	if err != nil {
		return nil, err
	}
	probe.Close()
	var sites []*testsite.Site
	defer func() {
		for _, s := range sites {
			s.Close()
		}
	}()
	var sources []newsmon.Source
	articleURLs := map[string]bool{}
	for i := range o.hosts {
		s, err := testsite.GeneratedAt(o.articles, fmt.Sprintf("127.0.0.%d:0", i+2))
		if err != nil {
			return nil, fmt.Errorf("%w (is 127.0.0.%d routed to the loopback interface?)", err, i+2)
		}
		sites = append(sites, s)
		src := s.Sources()[0]
		src.Name = fmt.Sprintf("host-%02d", i+1)
		sources = append(sources, src)
		for _, a := range s.Expected() {
			articleURLs[a.URL] = true
		}
	}
	dir, err := os.MkdirTemp("", "newsmon-scale-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	modes := []struct {
		name  string
		procs int
		redis bool
	}{{"alone", 1, false}}
	for _, p := range o.procs {
		modes = append(modes, struct {
			name  string
			procs int
			redis bool
		}{fmt.Sprintf("shared-%d", p), p, true})
	}
	rep := &report{
		Hosts: o.hosts, Articles: o.articles, DelayMs: float64(o.delay) / float64(time.Millisecond), Runs: o.runs,
		Modes: map[string]modeFigures{}, Each: map[string][]runFigures{}, Goal: goalEfficiency, GoalMet: true,
		Go: runtime.Version(), CPUs: runtime.NumCPU(),
	}
	var failures []string
	for r := range o.runs {
		for _, m := range modes {
			for _, s := range sites {
				s.ResetLog()
			}
			fmt.Fprintf(stderr, "run %d: %s ...\n", r+1, m.name)
			j := job{Config: cfgPath, Sources: sources, DB: filepath.Join(dir, fmt.Sprintf("%s-%d.db", m.name, r))}
			j.Delay = o.delay
			j.MaxPages = 2*o.articles + 1000
			if m.redis {
				j.Redis = o.redis
				j.Prefix = fmt.Sprintf("newsmon-bench-%x:", rand.Uint64())
			}
			secs, err := crawlOnce(o, j, m.procs, dir)
			if m.redis {
				cleanPrefix(o.redis, j.Prefix)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.name, err)
			}
			f := measure(sites, articleURLs, j.DB, secs, o.delay)
			fmt.Fprintf(stderr, "  %.2fs (ideal %.2fs, efficiency %.3f), %d requests, %d stored, smallest gap %.2f x delay, %d gaps short\n",
				f.Seconds, f.IdealS, f.Efficiency, f.Requests, f.Stored, f.MinGapRatio, f.BrokenGaps)
			rep.Each[m.name] = append(rep.Each[m.name], f)
			if f.Stored < len(articleURLs)*99/100 {
				failures = append(failures, fmt.Sprintf("%s run %d stored %d of %d articles", m.name, r+1, f.Stored, len(articleURLs)))
			}
			if f.Duplicates > 0 {
				failures = append(failures, fmt.Sprintf("%s run %d fetched %d articles twice", m.name, r+1, f.Duplicates))
			}
		}
	}
	for _, m := range modes {
		rs := rep.Each[m.name]
		mf := modeFigures{
			Processes:   m.procs,
			Seconds:     median(rs, func(f runFigures) float64 { return f.Seconds }),
			IdealS:      median(rs, func(f runFigures) float64 { return f.IdealS }),
			Efficiency:  median(rs, func(f runFigures) float64 { return f.Efficiency }),
			PagesPerS:   median(rs, func(f runFigures) float64 { return float64(f.Requests) / f.Seconds }),
			ArticlesPS:  median(rs, func(f runFigures) float64 { return float64(f.Stored) / f.Seconds }),
			MinGapRatio: 1e9,
		}
		for _, f := range rs {
			mf.MinGapRatio = min(mf.MinGapRatio, f.MinGapRatio)
			mf.BrokenGaps = max(mf.BrokenGaps, f.BrokenGaps)
			mf.Duplicates = max(mf.Duplicates, f.Duplicates)
		}
		if mf.Efficiency > goalEfficiency {
			rep.GoalMet = false
		}
		rep.Modes[m.name] = mf
		rep.Order = append(rep.Order, m.name)
	}
	if len(failures) > 0 {
		rep.GoalMet = false
		return rep, errors.New(strings.Join(failures, "; "))
	}
	return rep, nil
}

// crawlOnce starts procs children on j, tells them to go once all are
// ready, and returns the seconds until the last one exited.
func crawlOnce(o options, j job, procs int, dir string) (float64, error) {
	// The schema first, so that the children do not race to create it.
	st, err := sqlite.Open(j.DB)
	if err != nil {
		return 0, err
	}
	st.Close()
	path := filepath.Join(dir, "job.json")
	data, err := json.Marshal(j)
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return 0, err
	}
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	type child struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bufio.Reader
		errb  strings.Builder
	}
	var cs []*child
	defer func() {
		for _, c := range cs {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	}()
	for range procs {
		c := &child{cmd: exec.CommandContext(ctx, self, "-child", path)}
		c.cmd.Stderr = &c.errb
		if c.stdin, err = c.cmd.StdinPipe(); err != nil {
			return 0, err
		}
		stdout, err := c.cmd.StdoutPipe()
		if err != nil {
			return 0, err
		}
		c.out = bufio.NewReader(stdout)
		if err := c.cmd.Start(); err != nil {
			return 0, err
		}
		cs = append(cs, c)
	}
	for _, c := range cs {
		line, err := c.out.ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "ready" {
			c.cmd.Wait()
			return 0, fmt.Errorf("child not ready (%q, %v): %s", line, err, c.errb.String())
		}
	}
	start := time.Now()
	for _, c := range cs {
		io.WriteString(c.stdin, "go\n")
	}
	for _, c := range cs {
		io.Copy(io.Discard, c.out)
		if err := c.cmd.Wait(); err != nil {
			return 0, fmt.Errorf("child: %v: %s", err, c.errb.String())
		}
	}
	secs := time.Since(start).Seconds()
	cs = nil
	return secs, nil
}

// measure reads the sites' request logs and the store after one crawl.
func measure(sites []*testsite.Site, articleURLs map[string]bool, db string, secs float64, delay time.Duration) runFigures {
	f := runFigures{Seconds: secs, MinGapRatio: 1e9}
	fetched := map[string]int{}
	for _, s := range sites {
		reqs := s.Requests()
		sort.Slice(reqs, func(i, j int) bool { return reqs[i].Time.Before(reqs[j].Time) })
		f.Requests += len(reqs)
		if ideal := float64(len(reqs)-1) * delay.Seconds(); ideal > f.IdealS {
			f.IdealS = ideal
		}
		for i, r := range reqs {
			if i > 0 {
				f.MinGapRatio = min(f.MinGapRatio, float64(r.Time.Sub(reqs[i-1].Time))/float64(delay))
				if gap := r.Time.Sub(reqs[i-1].Time); gap < delay-gapSlack {
					f.BrokenGaps++
					fmt.Fprintf(os.Stderr, "  %s: %s (%s) and %s (%s) arrived %v apart\n", r.Host, reqs[i-1].Path, reqs[i-1].UserAgent, r.Path, r.UserAgent, gap)
				}
			}
			u := "http://" + r.Host + r.Path
			if articleURLs[u] && r.Status > 0 && r.Status < 500 {
				fetched[u]++
			}
		}
	}
	for _, n := range fetched {
		if n > 1 {
			f.Duplicates++
		}
	}
	f.Efficiency = f.Seconds / f.IdealS
	if st, err := sqlite.Open(db); err == nil {
		st.ExportArticles(context.Background(), newsmon.ExportFilter{}, func(*newsmon.Article) error {
			f.Stored++
			return nil
		})
		st.Close()
	}
	return f
}

// runChild crawls the job's sources as `newsmon crawl` does: with the
// shared frontier when the job names Redis, else alone. It prints "ready"
// once set up and starts when the parent writes a line.
func runChild(path string, in io.Reader, out io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var j job
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	cfg, err := newsmon.Load(j.Config)
	if err != nil {
		return err
	}
	cfg.Sources = j.Sources
	cfg.Crawler.Delay = newsmon.Duration(j.Delay)
	cfg.Crawler.Timeout = newsmon.Duration(10 * time.Second)
	cfg.Crawler.Lease = newsmon.Duration(5 * time.Second)
	cfg.Crawler.MaxPagesPerRun = j.MaxPages
	cfg.Crawler.Redis, cfg.Crawler.RedisPrefix = j.Redis, j.Prefix
	if j.Prefix == "" {
		cfg.Crawler.RedisPrefix = frontier.DefaultPrefix
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	st, err := sqlite.Open(j.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	ex, err := extract.New(cfg.Topics, cfg.Parties...)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	var sh crawler.Shared
	if cfg.Crawler.Redis != "" {
		r, err := frontier.Open(context.Background(), cfg.Crawler.Redis, cfg.Crawler.RedisPrefix, log)
		if err != nil {
			return err
		}
		defer r.Close()
		sh = crawler.Shared{Frontier: r, Gate: r, Locker: r, Lease: time.Duration(cfg.Crawler.Lease)}
	}
	cr := crawler.NewShared(cfg.Crawler, st, ex, log, sh)
	sources := make([]*newsmon.Source, len(cfg.Sources))
	for i := range cfg.Sources {
		sources[i] = &cfg.Sources[i]
	}
	fmt.Fprintln(out, "ready")
	if _, err := bufio.NewReader(in).ReadString('\n'); err != nil {
		return fmt.Errorf("waiting for go: %w", err)
	}
	_, err = cr.RunAll(context.Background(), sources, len(sources))
	return err
}

// cleanPrefix deletes the keys a run left under prefix.
func cleanPrefix(redisURL, prefix string) {
	r, err := frontier.Open(context.Background(), redisURL, prefix, nil)
	if err != nil {
		return
	}
	defer r.Close()
	r.DeleteAll(context.Background())
}

func median(rs []runFigures, v func(runFigures) float64) float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = v(r)
	}
	sort.Float64s(xs)
	if len(xs) == 0 {
		return 0
	}
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

// findConfig returns path when given, else the config.toml beside the
// module's go.mod, in this directory or above.
func findConfig(path string) (string, error) {
	if path != "" {
		return path, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		_, errMod := os.Stat(filepath.Join(dir, "go.mod"))
		_, errCfg := os.Stat(filepath.Join(dir, "config.toml"))
		if errMod == nil && errCfg == nil {
			return filepath.Join(dir, "config.toml"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no config.toml beside a go.mod in this directory or above; give -config")
		}
		dir = parent
	}
}
