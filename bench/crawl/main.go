// Command crawl is the crawl benchmark: it serves a generated newsroom of
// n articles of realistic size (internal/testsite) on loopback and crawls it
// three ways, each in a fresh child process so that CPU time and peak RSS
// belong to one mode alone:
//
//   - bare: a Colly collector that fetches every page and does nothing
//     with it;
//   - parse: the same, plus one goquery parse of each page, the floor
//     under any extractor;
//   - full: the whole pipeline, crawler.Crawler (discovery, the polite
//     transport, extraction, tagging) into a fresh SQLite store.
//
// All three use the same article URLs (the site's ground truth, which its
// sitemaps announce), the same number of workers and a transport that keeps
// enough idle connections; politeness is off (no delay, parallelism equal to
// the workers). The full mode keeps robots.txt on, since the generated
// site's robots.txt allows everything and a real crawl pays for the check;
// -ignore-robots turns it off.
//
// It prints one JSON object: pages per second, CPU milliseconds per page
// (user+sys from getrusage) and peak RSS (VmHWM on Linux) per mode, medians
// over -runs, the ratio full / parse-only of pages per second, and the same
// ratio as CPU alone would set it. The site is served by the parent, so its
// rendering is not charged to any mode; its CPU per page is reported beside
// them, since on a small machine it takes cores the crawl could have used,
// which narrows the gap between modes in pages per second.
//
// It exits 1 when a crawl failed (the full mode stored fewer than 99% of the
// articles, or a baseline mode fetched fewer than 99% of the pages), after
// printing the figures, and 2 on bad usage.
//
// Colly fetches, goquery parses, the crawler, extractor and store are
// newsmon's own; what is hand-written here is only the orchestration: the
// child processes, the getrusage accounting and the medians.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/newsmon/newsmon/internal/testsite"
)

// Goals the issue sets for the full pipeline.
const (
	goalRatio     = 0.6
	goalPeakRSSMB = 200
)

// Modes, in the order they run.
var modeNames = []string{modeBare, modeParse, modeFull}

// options are the command-line flags.
type options struct {
	n            int
	workers      int
	runs         int
	out          string
	config       string
	cpuProfile   string
	baseline     string
	ignoreRobots bool
	warmup       bool
	timeout      time.Duration
	child        string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its exit status returned: 0 success, 1 a failed crawl
// or benchmark, 2 bad usage.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "crawl:", err)
		return 2
	}
	if o.child != "" {
		if err := runChild(o.child, stdout); err != nil {
			fmt.Fprintln(stderr, "crawl child:", err)
			return 1
		}
		return 0
	}
	rep, err := benchmark(o, stderr)
	if rep != nil {
		data, merr := json.MarshalIndent(rep, "", "  ")
		if merr != nil {
			fmt.Fprintln(stderr, "crawl:", merr)
			return 1
		}
		data = append(data, '\n')
		stdout.Write(data)
		if o.out != "" {
			if werr := os.WriteFile(o.out, data, 0o644); werr != nil {
				fmt.Fprintln(stderr, "crawl:", werr)
				return 1
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "crawl:", err)
		return 1
	}
	return 0
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 5000, "articles in the generated site")
	fs.IntVar(&o.workers, "workers", 2, "pages in flight at once, in every mode")
	fs.IntVar(&o.runs, "runs", 1, "repetitions; the figures are medians")
	fs.StringVar(&o.out, "out", "", "also write the JSON to `FILE`")
	fs.StringVar(&o.config, "config", "", "configuration whose topics the full mode tags with (default: config.toml of the module)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the full mode (the last run) to `FILE`")
	fs.StringVar(&o.baseline, "baseline-transport", "plain", "transport of the bare and parse modes: plain (net/http, 32 idle conns per host) or polite (crawler.Transport, politeness off)")
	fs.BoolVar(&o.ignoreRobots, "ignore-robots", false, "full mode: skip robots.txt (the generated site allows everything)")
	fs.BoolVar(&o.warmup, "warmup", true, "fetch every page once before measuring")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "limit for one mode of one run")
	fs.StringVar(&o.child, "child", "", "internal: run the job in `FILE` and print its figures")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case o.n < 1 || o.n > 1_000_000:
		return o, fmt.Errorf("-n %d: want 1 to 1000000", o.n)
	case o.workers < 1 || o.workers > 1024:
		return o, fmt.Errorf("-workers %d: want 1 to 1024", o.workers)
	case o.runs < 1 || o.runs > 100:
		return o, fmt.Errorf("-runs %d: want 1 to 100", o.runs)
	case o.baseline != "plain" && o.baseline != "polite":
		return o, fmt.Errorf("-baseline-transport %q: want plain or polite", o.baseline)
	case o.timeout <= 0:
		return o, fmt.Errorf("-timeout %s: want a positive duration", o.timeout)
	}
	if o.cpuProfile != "" {
		// The child writes it, perhaps from another directory one day.
		abs, err := filepath.Abs(o.cpuProfile)
		if err != nil {
			return o, fmt.Errorf("-cpuprofile: %w", err)
		}
		o.cpuProfile = abs
	}
	return o, nil
}

// report is the JSON the benchmark prints.
type report struct {
	Pages   int                    `json:"pages"`
	Workers int                    `json:"workers"`
	Runs    int                    `json:"runs"`
	Modes   map[string]modeFigures `json:"modes"`
	Ratio   float64                `json:"ratio_full_over_parse"`
	// CPURatio is the ratio full / parse-only that pages per second would
	// have if CPU alone bounded both: parse-only's CPU per page over the
	// full pipeline's. It does not depend on what the site costs to serve.
	CPURatio float64 `json:"cpu_bound_ratio_full_over_parse"`
	Goal     float64 `json:"goal_ratio"`
	GoalRSS  float64 `json:"goal_peak_rss_mb"`
	GoalMet  bool    `json:"goal_met"`
	// Baseline is the transport of the bare and parse modes; Robots says
	// whether the full mode obeyed robots.txt.
	Baseline string `json:"baseline_transport"`
	Robots   bool   `json:"full_robots"`
	Go       string `json:"go"`
	CPUs     int    `json:"cpus"`
}

// modeFigures are the medians of one mode over the runs.
type modeFigures struct {
	PagesPerS    float64 `json:"pages_per_s"`
	CPUMsPerPage float64 `json:"cpu_ms_per_page"`
	PeakRSSMB    float64 `json:"peak_rss_mb"`
	Errors       int     `json:"errors"`
	Seconds      float64 `json:"seconds"`
	Fetched      int     `json:"fetched"`
	// SiteCPUMsPerPage is what serving the generated site cost the parent
	// process per page meanwhile: CPU the crawl could not use.
	SiteCPUMsPerPage float64 `json:"site_cpu_ms_per_page"`
	// CoresBusy is CPU time over wall time: how many cores the mode kept
	// busy. Below the workers, it waited (on the site, on the store).
	CoresBusy float64 `json:"cores_busy"`
	Stored    *int    `json:"stored,omitempty"`   // full mode: articles in the store
	Requests  *int    `json:"requests,omitempty"` // full mode: requests, discovery included
}

// benchmark serves the site, runs every mode -runs times in child
// processes and returns the report. A non-nil error with a report means a
// crawl failed; the report says how.
func benchmark(o options, stderr io.Writer) (*report, error) {
	configPath, err := findConfig(o.config)
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	dir, err := os.MkdirTemp("", "newsmon-bench-crawl-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	started := time.Now()
	site := testsite.Generated(o.n)
	defer site.Close()
	srcs := site.Sources()
	if len(srcs) != 1 {
		return nil, fmt.Errorf("generated site has %d sources, want 1", len(srcs))
	}
	var urls []string
	for _, a := range site.Expected() {
		urls = append(urls, a.URL)
	}
	if len(urls) != o.n {
		return nil, fmt.Errorf("generated site lists %d articles, want %d", len(urls), o.n)
	}
	fmt.Fprintf(stderr, "site of %d articles at %s ready in %s\n", len(urls), srcs[0].URL, time.Since(started).Round(time.Millisecond))
	if o.warmup {
		t0 := time.Now()
		if err := warmUp(urls, o.workers, o.timeout); err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "warm-up fetch of every page: %s\n", time.Since(t0).Round(time.Millisecond))
	}

	results := map[string][]result{}
	var failures []error
	for r := 1; r <= o.runs; r++ {
		for _, mode := range modeNames {
			j := job{
				Mode:         mode,
				Workers:      o.workers,
				URLs:         urls,
				Source:       srcs[0],
				Config:       configPath,
				Dir:          filepath.Join(dir, fmt.Sprintf("run%d-%s", r, mode)),
				Baseline:     o.baseline,
				IgnoreRobots: o.ignoreRobots,
			}
			if mode == modeFull {
				j.CPUProfile = o.cpuProfile
			}
			siteCPU := cpuTime()
			res, err := runInChild(exe, j, o.timeout, stderr)
			res.SiteCPUMs = float64(cpuTime()-siteCPU) / float64(time.Millisecond)
			site.ResetLog() // the site logs every request; keep it from growing
			if err != nil {
				return nil, fmt.Errorf("run %d, mode %s: %w", r, mode, err)
			}
			fmt.Fprintf(stderr, "run %d/%d %-5s %7.0f pages/s  %6.3f cpu ms/page (site %.3f)  peak RSS %5.1f MB  errors %d%s\n",
				r, o.runs, mode, res.pagesPerS(), res.cpuMsPerPage(), safeDiv(res.SiteCPUMs, float64(res.Pages)),
				res.PeakRSSMB, res.Errors, storedNote(res))
			if err := res.check(mode); err != nil {
				failures = append(failures, fmt.Errorf("run %d: %w", r, err))
			}
			results[mode] = append(results[mode], res)
		}
	}

	rep := &report{
		Pages:    o.n,
		Workers:  o.workers,
		Runs:     o.runs,
		Modes:    map[string]modeFigures{},
		Goal:     goalRatio,
		GoalRSS:  goalPeakRSSMB,
		Baseline: o.baseline,
		Robots:   !o.ignoreRobots,
		Go:       runtime.Version(),
		CPUs:     runtime.NumCPU(),
	}
	for _, mode := range modeNames {
		rep.Modes[mode] = figures(mode, results[mode])
	}
	full, parse := rep.Modes[modeFull], rep.Modes[modeParse]
	rep.Ratio = round(safeDiv(full.PagesPerS, parse.PagesPerS), 3)
	rep.CPURatio = round(safeDiv(parse.CPUMsPerPage, full.CPUMsPerPage), 3)
	rep.GoalMet = rep.Ratio >= goalRatio && full.PeakRSSMB < goalPeakRSSMB
	return rep, errors.Join(failures...)
}

func storedNote(res result) string {
	if res.Mode != modeFull {
		return ""
	}
	return fmt.Sprintf("  stored %d (%d of the site's URLs)", res.Stored, res.StoredExpected)
}

// figures takes the median of every measure of one mode over the runs.
func figures(mode string, rs []result) modeFigures {
	pick := func(f func(result) float64) float64 {
		vs := make([]float64, len(rs))
		for i, r := range rs {
			vs[i] = f(r)
		}
		return median(vs)
	}
	fig := modeFigures{
		PagesPerS:        round(pick(result.pagesPerS), 1),
		CPUMsPerPage:     round(pick(result.cpuMsPerPage), 3),
		PeakRSSMB:        round(pick(func(r result) float64 { return r.PeakRSSMB }), 1),
		Errors:           int(math.Round(pick(func(r result) float64 { return float64(r.Errors) }))),
		Seconds:          round(pick(func(r result) float64 { return r.Seconds }), 3),
		Fetched:          int(math.Round(pick(func(r result) float64 { return float64(r.Fetched) }))),
		SiteCPUMsPerPage: round(pick(func(r result) float64 { return safeDiv(r.SiteCPUMs, float64(r.Pages)) }), 3),
		CoresBusy:        round(pick(func(r result) float64 { return safeDiv(r.CPUMs, r.Seconds*1000) }), 2),
	}
	if mode == modeFull {
		stored := int(math.Round(pick(func(r result) float64 { return float64(r.Stored) })))
		requests := int(math.Round(pick(func(r result) float64 { return float64(r.Requests) })))
		fig.Stored, fig.Requests = &stored, &requests
	}
	return fig
}

// median returns the middle value of vs (the mean of the two middle ones
// for an even count), 0 for none. vs is not changed.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// findConfig returns path when given, else the config.toml of the module
// found from the working directory upwards.
func findConfig(path string) (string, error) {
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			return "", fmt.Errorf("-config: %w", err)
		}
		return filepath.Abs(path)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 64 {
		_, errMod := os.Stat(filepath.Join(dir, "go.mod"))
		_, errCfg := os.Stat(filepath.Join(dir, "config.toml"))
		if errMod == nil && errCfg == nil {
			return filepath.Join(dir, "config.toml"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("no config.toml beside a go.mod in this directory or above; give -config")
}

// runInChild runs one job in a child process (this program with -child)
// and returns its figures. The child is killed after timeout.
func runInChild(exe string, j job, timeout time.Duration, stderr io.Writer) (result, error) {
	var res result
	if err := os.MkdirAll(j.Dir, 0o755); err != nil {
		return res, err
	}
	jobFile := filepath.Join(j.Dir, "job.json")
	data, err := json.Marshal(j)
	if err != nil {
		return res, err
	}
	if err := os.WriteFile(jobFile, data, 0o644); err != nil {
		return res, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-child", jobFile)
	var out bytes.Buffer
	cmd.Stdout = &limitedWriter{w: &out, left: 1 << 20}
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return res, fmt.Errorf("child killed after %s", timeout)
		}
		return res, fmt.Errorf("child: %w", err)
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return res, fmt.Errorf("child output: %w", err)
	}
	return res, nil
}

// limitedWriter keeps at most left bytes and drops the rest.
type limitedWriter struct {
	w    io.Writer
	left int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	n := len(p)
	if l.left <= 0 {
		return n, nil
	}
	if len(p) > l.left {
		p = p[:l.left]
	}
	l.left -= len(p)
	_, err := l.w.Write(p)
	return n, err
}

// warmUp fetches every URL once with workers goroutines, so that no mode
// pays for the first touch of the site's pages.
func warmUp(urls []string, workers int, timeout time.Duration) error {
	client := &http.Client{Transport: plainTransport(), Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	ch := make(chan string)
	var mu sync.Mutex
	var failed int
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for u := range ch {
				if err := fetchDiscard(ctx, client, u); err != nil {
					mu.Lock()
					failed++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, u := range urls {
		if ctx.Err() != nil {
			break
		}
		ch <- u
	}
	close(ch)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	if failed > 0 {
		return fmt.Errorf("warm-up: %d of %d pages failed, first: %w", failed, len(urls), firstErr)
	}
	return nil
}

func fetchDiscard(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<20)); err != nil {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch %s: status %d", u, resp.StatusCode)
	}
	return nil
}

// plainTransport is net/http's default transport with as many idle
// connections per host as crawler.Transport keeps (Colly's default keeps 2,
// which reopens connections all through a crawl).
func plainTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 32
	return t
}
