package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsmon/newsmon/internal/testsite"
)

// childEnv makes the test binary act as the benchmark's child process, so
// that the end-to-end test can re-exec "itself" as the program does.
const childEnv = "NEWSMON_BENCH_CRAWL_AS_PROGRAM"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{7}, 7},
		{"odd count, unsorted", []float64{9, 1, 5}, 5},
		{"even count takes the mean of the middle two", []float64{4, 1, 3, 2}, 2.5},
		{"repeated values", []float64{2, 2, 8}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float64(nil), tc.in...)
			if got := median(tc.in); got != tc.want {
				t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
			}
			for i := range in {
				if in[i] != tc.in[i] {
					t.Fatalf("median changed its input: %v, was %v", tc.in, in)
				}
			}
		})
	}
}

func TestResultCheck(t *testing.T) {
	tests := []struct {
		name    string
		mode    string
		res     result
		wantErr bool
	}{
		{"full, every article stored", modeFull, result{Pages: 200, Stored: 200, StoredExpected: 200}, false},
		{"full, 99% stored", modeFull, result{Pages: 200, Stored: 198, StoredExpected: 198}, false},
		{"full, 98.5% stored", modeFull, result{Pages: 200, Stored: 197, StoredExpected: 197}, true},
		{"full, rows at other URLs do not count", modeFull, result{Pages: 200, Stored: 200, StoredExpected: 150}, true},
		{"full, nothing stored", modeFull, result{Pages: 200}, true},
		{"bare, all fetched", modeBare, result{Pages: 200, Fetched: 200}, false},
		{"parse, 97% fetched", modeParse, result{Pages: 200, Fetched: 194, Errors: 6}, true},
		{"one page, not fetched", modeBare, result{Pages: 1}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.res.check(tc.mode)
			if (err != nil) != tc.wantErr {
				t.Errorf("check = %v, want error: %v", err, tc.wantErr)
			}
		})
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"all flags", []string{"-n", "100", "-workers", "4", "-runs", "3", "-out", "x.json", "-baseline-transport", "polite", "-ignore-robots"}, ""},
		{"zero articles", []string{"-n", "0"}, "-n 0"},
		{"zero workers", []string{"-workers", "0"}, "-workers 0"},
		{"too many runs", []string{"-runs", "1000"}, "-runs 1000"},
		{"unknown transport", []string{"-baseline-transport", "fast"}, "plain or polite"},
		{"stray argument", []string{"now"}, "unexpected argument"},
		{"unknown flag", []string{"-quick"}, "not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := parseOptions(tc.args, &stderr)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("parseOptions(%q) = %v", tc.args, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("parseOptions(%q) = %v, want an error with %q", tc.args, err, tc.wantErr)
			}
		})
	}
}

// TestModes runs each mode in this process against a small generated site
// and checks that each handled every page.
func TestModes(t *testing.T) {
	const n = 40
	site := testsite.Generated(n)
	defer site.Close()
	var urls []string
	for _, a := range site.Expected() {
		urls = append(urls, a.URL)
	}
	config, err := findConfig("")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		mode     string
		baseline string
	}{
		{"bare, plain transport", modeBare, "plain"},
		{"parse, plain transport", modeParse, "plain"},
		{"bare, polite transport", modeBare, "polite"},
		{"parse, polite transport", modeParse, "polite"},
		{"full", modeFull, "plain"},
		{"full, robots.txt ignored", modeFull, "plain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			j := job{
				Mode:     tc.mode,
				Workers:  2,
				URLs:     urls,
				Source:   site.Sources()[0],
				Config:   config,
				Dir:      dir,
				Baseline: tc.baseline,

				IgnoreRobots: strings.Contains(tc.name, "robots.txt ignored"),
			}
			if tc.mode == modeFull {
				j.CPUProfile = filepath.Join(dir, "cpu.pprof")
			}
			res, err := runMode(context.Background(), j)
			if err != nil {
				t.Fatal(err)
			}
			if err := res.check(tc.mode); err != nil {
				t.Fatal(err)
			}
			if res.Pages != n || res.Fetched != n || res.Errors != 0 {
				t.Errorf("pages %d, fetched %d, errors %d (last %q); want %d, %d, 0",
					res.Pages, res.Fetched, res.Errors, res.LastError, n, n)
			}
			if res.Seconds <= 0 || res.PeakRSSMB <= 0 {
				t.Errorf("seconds %v, peak RSS %v MB: want both positive", res.Seconds, res.PeakRSSMB)
			}
			if tc.mode == modeFull {
				if res.StoredExpected != n {
					t.Errorf("stored %d articles at the site's URLs (%d rows), want %d", res.StoredExpected, res.Stored, n)
				}
				if res.Requests < n {
					t.Errorf("requests %d, want at least %d", res.Requests, n)
				}
				if fi, err := os.Stat(j.CPUProfile); err != nil || fi.Size() == 0 {
					t.Errorf("cpu profile: %v", err)
				}
			}
		})
	}
}

// TestRun runs the whole program, child processes included, on a small
// site and reads the JSON it prints and writes.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	t.Setenv(childEnv, "1")
	out := filepath.Join(t.TempDir(), "bench.json")
	var stdout, stderr bytes.Buffer
	const n = 30
	code := run([]string{"-n", "30", "-runs", "2", "-out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit status %d; stderr:\n%s", code, stderr.String())
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, stdout.Bytes()) {
		t.Errorf("-out file differs from standard output")
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("output is not the report: %v\n%s", err, stdout.String())
	}
	if rep.Pages != n || rep.Workers != 2 || rep.Runs != 2 || rep.Goal != goalRatio || rep.GoalRSS != goalPeakRSSMB {
		t.Errorf("header: %+v", rep)
	}
	for _, mode := range modeNames {
		fig, ok := rep.Modes[mode]
		if !ok {
			t.Errorf("no figures for mode %s", mode)
			continue
		}
		if fig.PagesPerS <= 0 || fig.CPUMsPerPage <= 0 || fig.PeakRSSMB <= 0 || fig.Fetched != n {
			t.Errorf("mode %s: %+v", mode, fig)
		}
	}
	full := rep.Modes[modeFull]
	if full.Stored == nil || *full.Stored != n {
		t.Errorf("full mode stored %v, want %d", full.Stored, n)
	}
	wantRatio := round(full.PagesPerS/rep.Modes[modeParse].PagesPerS, 3)
	if diff := rep.Ratio - wantRatio; diff > 0.01 || diff < -0.01 {
		t.Errorf("ratio %v, want about %v from the modes' figures", rep.Ratio, wantRatio)
	}
}

// TestFullModeNoticesFailedCrawl checks that a full crawl that stored too
// little fails the check rather than being measured.
func TestFullModeNoticesFailedCrawl(t *testing.T) {
	const n = 20
	site := testsite.Generated(n)
	defer site.Close()
	var urls []string
	for _, a := range site.Expected() {
		urls = append(urls, a.URL)
	}
	config, err := findConfig("")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		breakJob func(j *job)
	}{
		{"discovery finds nothing", func(j *job) { j.Source.Feeds, j.Source.Sitemaps, j.Source.Listings = nil, nil, nil }},
		{"the site is gone", func(j *job) { site.Close() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := job{Mode: modeFull, Workers: 2, URLs: urls, Source: site.Sources()[0], Config: config, Dir: t.TempDir()}
			tc.breakJob(&j)
			res, err := runMode(context.Background(), j)
			if err != nil {
				return // a run that cannot even start fails too
			}
			if err := res.check(modeFull); err == nil {
				t.Errorf("check passed a crawl that stored %d of %d articles", res.StoredExpected, n)
			}
		})
	}
}
