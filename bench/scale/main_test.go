package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// childEnv makes the test binary act as the benchmark's child process, so
// that the end-to-end test can re-exec "itself" as the program does.
const childEnv = "NEWSMON_BENCH_SCALE_AS_PROGRAM"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestBadUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"too many hosts", []string{"-hosts", "300"}, "-hosts"},
		{"no delay", []string{"-delay", "0s"}, "-delay"},
		{"bad procs", []string{"-procs", "1,x"}, "-procs"},
		{"zero procs", []string{"-procs", "0"}, "-procs"},
		{"stray argument", []string{"now"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tt.args, &out, &errOut); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("stderr %q does not name %q", errOut.String(), tt.want)
			}
		})
	}
}

func TestScaleSmallCrawl(t *testing.T) {
	redisURL := os.Getenv("NEWSMON_TEST_REDIS")
	if redisURL == "" {
		t.Skip("NEWSMON_TEST_REDIS not set (e.g. redis://127.0.0.1:6379/0): benchmark smoke test skipped")
	}
	t.Setenv(childEnv, "1")
	var out, errOut bytes.Buffer
	code := run([]string{"-hosts", "2", "-articles", "3", "-runs", "1", "-procs", "2", "-delay", "50ms", "-redis", redisURL}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not the report: %v\n%s", err, out.String())
	}
	for _, m := range []string{"alone", "shared-2"} {
		f, ok := rep.Modes[m]
		if !ok {
			t.Fatalf("no figures for mode %s: %s", m, out.String())
		}
		if f.PagesPerS <= 0 || f.IdealS <= 0 || f.Efficiency <= 0 || f.Duplicates != 0 {
			t.Errorf("%s: %+v", m, f)
		}
		if got := rep.Each[m][0].Stored; got != 6 {
			t.Errorf("%s stored %d articles, want 6", m, got)
		}
	}
}
