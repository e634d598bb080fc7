package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	newsmon "github.com/newsmon/newsmon"
)

// runsCounted bounds the runs read per source to count them; the store
// keeps fewer than that.
const runsCounted = 1000

// sourceStatus is one line of `newsmon sources`.
type sourceStatus struct {
	Name    string               `json:"name"`
	Title   string               `json:"title,omitempty"`
	Kind    string               `json:"kind"`
	Enabled bool                 `json:"enabled"`
	Runs    int                  `json:"runs"` // runs recorded
	LastRun *newsmon.Run         `json:"last_run"`
	Health  newsmon.SourceHealth `json:"health"`
}

func cmdSources(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sources", "sources [--format table|json]", stderr)
	var cf commonFlags
	cf.register(fs)
	format := fs.String("format", "table", "output `format`: table or json")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if err := checkFormat(*format, "table", "json"); err != nil {
		return err
	}
	cfg, st, err := cf.openExisting(fs)
	if err != nil {
		return err
	}
	defer st.Close()
	statuses := make([]sourceStatus, 0, len(cfg.Sources))
	for _, src := range cfg.Sources {
		runs, err := st.FindRuns(ctx, newsmon.RunFilter{Source: src.Name, Limit: runsCounted})
		if err != nil {
			return err
		}
		s := sourceStatus{Name: src.Name, Title: src.Title, Kind: src.Kind, Enabled: !src.Disabled, Runs: len(runs)}
		if len(runs) > 0 {
			s.LastRun = &runs[0]
		}
		s.Health = newsmon.JudgeHealth(runs[:min(len(runs), newsmon.HealthRuns)])
		statuses = append(statuses, s)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(statuses)
	}
	return writeSourcesTable(stdout, statuses)
}

func writeSourcesTable(w io.Writer, statuses []sourceStatus) error {
	if len(statuses) == 0 {
		fmt.Fprintln(w, "No sources configured.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tENABLED\tLAST RUN (UTC)\tSTATUS\tFOUND\tFETCHED\tNEW\tUPDATED\tERRORS\tRUNS\tHEALTH")
	for _, s := range statuses {
		enabled := "yes"
		if !s.Enabled {
			enabled = "no"
		}
		health := "ok"
		switch {
		case !s.Health.OK:
			health = s.Health.Problem
		case s.Runs == 0:
			health = "no runs yet"
		}
		if s.LastRun == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\tnever\t-\t-\t-\t-\t-\t-\t0\t%s\n", s.Name, s.Kind, enabled, health)
			continue
		}
		r := s.LastRun
		status := r.Status
		if r.Status == newsmon.RunCut && r.Cut != "" {
			status += ": " + oneLine(r.Cut, 60)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%d\t%s\n", s.Name, s.Kind, enabled,
			r.Started.UTC().Format("2006-01-02 15:04"), status, r.Discovered, r.Requests, r.New, r.Updated,
			errorsByKind(r), s.Runs, oneLine(health, 240))
	}
	return tw.Flush()
}

// errorsByKind is "4 (network 2, redirect 1, too_large 1)": the count of
// errors, then the kinds, most frequent first.
func errorsByKind(r *newsmon.Run) string {
	if r.Errors == 0 && len(r.ErrorKinds) == 0 {
		return "0"
	}
	kinds := make([]string, 0, len(r.ErrorKinds))
	for k := range r.ErrorKinds {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool {
		ni, nj := r.ErrorKinds[kinds[i]], r.ErrorKinds[kinds[j]]
		if ni != nj {
			return ni > nj
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, r.ErrorKinds[k])
	}
	return fmt.Sprintf("%d (%s)", r.Errors, strings.Join(parts, ", "))
}

// oneLine keeps a stored message to one table cell: no tabs or newlines
// (they would break the columns), at most n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}
