// Command search measures the latency of the store's search, what the web
// API's /api/search runs (store/sqlite's SearchArticles with its total,
// facets and snippets), over a store of 200,000 generated news articles,
// and prints the figures as JSON.
//
// The articles (gen.go) are 400 to 900 words of prose drawn with a Zipf
// distribution from an English, Russian or Turkish vocabulary of function
// words and made-up words, with country, port and topic names planted at
// set shares of the documents: Kazakhstan in 60%, pipeline in 10%, the
// phrase "Middle Corridor" in 3%, rare names in about 40 documents each;
// topic mentions and agreement events; twelve sources; dates over two
// years, stored in date order but for 5% stored up to a year late. They
// are written through the store's own SaveArticles, and the store file is
// kept in -dir (bench/out/search, ignored by git) under a name that holds
// the generator's version, since building takes about five minutes. The
// store is opened with sqlite.Open, so a cached file gets the store's new
// migrations in place. With -optimize (the default) the full-text index
// is merged into one segment first (DB.OptimizeIndex), as nightly
// maintenance would leave it; -optimize=false measures the index as
// written (its segment count is in the output).
//
// Each query class runs -iterations times after one warm-up round, the
// classes interleaved, and reports p50 and p95 in milliseconds of:
//
//   - api: SearchArticles, as /api/search calls it (limit 20);
//   - same_plan: the SQL statements SearchArticles runs for the class,
//     bare, on a connection of its own (plan.go): what the store's way of
//     searching costs in SQLite, so api/same_plan is the overhead of the
//     store's Go side (the store and its plan take turns going first,
//     each after a garbage collection);
//   - bm25: a plain FTS5 bm25() top 20 of the same match expression (and
//     filters), ranking every match, as the issue measured; these run
//     after the others, since they read far more of the file.
//
// meets_goal is p95 ≤ 50 ms and api/same_plan ≤ 1.5 (p50s).
//
// Usage: go run ./bench/search [-n 200000] [-dir bench/out/search] [-iterations 25] [-optimize=true] [-rebuild] [-class a,b] [-cpuprofile f]
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/store/sqlite"
	_ "modernc.org/sqlite"
)

func main() {
	n := flag.Int("n", 200000, "articles in the store")
	dir := flag.String("dir", filepath.Join("bench", "out", "search"), "where the built store is cached")
	iterations := flag.Int("iterations", 25, "runs of each query class")
	rebuild := flag.Bool("rebuild", false, "build the store even when the cache has it")
	only := flag.String("class", "", "run only these query classes (comma-separated)")
	optimize := flag.Bool("optimize", true, "merge the full-text index into one segment first (DB.OptimizeIndex), as nightly maintenance would")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measurements to this file")
	flag.Parse()
	logf := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench/search: "+format+"\n", args...) }

	path, err := cachedStore(*dir, *n, *rebuild, logf)
	if err != nil {
		fatal(err)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		fatal(err)
	}
	defer db.Close()
	raw, err := openRaw(path)
	if err != nil {
		fatal(err)
	}
	defer raw.Close()
	if *optimize {
		t0 := time.Now()
		if err := db.OptimizeIndex(context.Background()); err != nil {
			fatal(err)
		}
		logf("optimized the index in %s", time.Since(t0).Round(time.Millisecond))
	}
	var segments int
	if err := raw.QueryRow(`SELECT count(DISTINCT segid) FROM articles_fts_idx`).Scan(&segments); err != nil {
		fatal(err)
	}

	classes := queryClasses()
	if *only != "" {
		names := strings.Split(*only, ",")
		classes = slices.DeleteFunc(classes, func(c queryClass) bool { return !slices.Contains(names, c.name) })
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	report, err := measure(context.Background(), db, raw, classes, *iterations)
	if err != nil {
		fatal(err)
	}
	report.Articles = *n
	report.Segments = segments
	report.Generator = genVersion
	report.GoMaxProcs = runtime.GOMAXPROCS(0)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(report); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench/search:", err)
	os.Exit(1)
}

// openRaw opens the file read-only through the same driver the store
// uses, for the bare SQL baselines.
func openRaw(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	u := (&url.URL{Scheme: "file", Path: abs, OmitHost: true}).String()
	db, err := sql.Open("sqlite", u+"?_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// queryClass is one kind of search the analysts run.
type queryClass struct {
	name   string
	note   string
	filter newsmon.SearchFilter
}

func day(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func queryClasses() []queryClass {
	return []queryClass{
		{"rare", "a name in ~40 documents", newsmon.SearchFilter{Query: "Zhanaozen"}},
		{"term_10pct", "a word in 10% of documents", newsmon.SearchFilter{Query: "pipeline"}},
		{"term_60pct", "a word in 60% of documents", newsmon.SearchFilter{Query: "Kazakhstan"}},
		{"phrase", "a phrase of two common words, in 3%", newsmon.SearchFilter{Query: `"Middle Corridor"`}},
		{"and", "two words, 10% and 12%", newsmon.SearchFilter{Query: "pipeline AND Aktau"}},
		{"or", "either of two words, 60% or 10%", newsmon.SearchFilter{Query: "Kazakhstan OR pipeline"}},
		{"prefix3", "a prefix of 3 letters", newsmon.SearchFilter{Query: "Kaz*"}},
		{"filter_topic", "60% word, topic corridor", newsmon.SearchFilter{Query: "Kazakhstan", Topic: "corridor"}},
		{"filter_source", "60% word, one source", newsmon.SearchFilter{Query: "Kazakhstan", Source: "akorda"}},
		{"filter_sources", "60% word, two sources", newsmon.SearchFilter{Query: "Kazakhstan", Sources: []string{"trend", "apa"}}},
		{"filter_dates", "60% word, one month", newsmon.SearchFilter{Query: "Kazakhstan", Since: day("2025-03-01"), Until: day("2025-03-31")}},
		{"filter_party", "10% word, party", newsmon.SearchFilter{Query: "pipeline", Party: "Azerbaijan"}},
		{"facets_topic", "no query, topic port (facets over 12%)", newsmon.SearchFilter{Topic: "port"}},
		{"newest", "no query, newest first", newsmon.SearchFilter{}},
		{"deep_offset", "60% word, offset 1,000", newsmon.SearchFilter{Query: "Kazakhstan", Offset: 1000}},
		{"deep_offset_newest", "no query, offset 10,000", newsmon.SearchFilter{Offset: 10000}},
	}
}

// figures are the latencies of one way of running a class, in ms.
type figures struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
}

type classReport struct {
	Name     string   `json:"class"`
	Note     string   `json:"note"`
	Query    string   `json:"query"`
	Total    int      `json:"total"`
	API      figures  `json:"api"`
	SamePlan figures  `json:"same_plan"`
	BM25     *figures `json:"bm25,omitempty"`
	// Ratios of p50s: the store against its own plan's bare SQL, and
	// against ranking every match.
	OverSamePlan float64 `json:"api_over_same_plan"`
	OverBM25     float64 `json:"api_over_bm25,omitempty"`
	MeetsGoal    bool    `json:"meets_goal"` // p95 ≤ 50 ms and p50 ≤ 1.5 × same plan
}

type report struct {
	Articles   int    `json:"articles"`
	Generator  string `json:"generator"`
	GoMaxProcs int    `json:"gomaxprocs"`
	Iterations int    `json:"iterations"`
	// Segments is how many segments the full-text index has.
	Segments int           `json:"fts_segments"`
	Classes  []classReport `json:"classes"`
	AllMeet  bool          `json:"all_meet_goal"`
}

// measure runs every class iterations times, interleaving the classes and
// the store with its bare plan, so that a slow moment of the machine falls
// on all of them alike; then the plain bm25 baselines.
func measure(ctx context.Context, db *sqlite.DB, raw *sql.DB, classes []queryClass, iterations int) (*report, error) {
	type samples struct{ api, same, bm25 []time.Duration }
	all := make([]samples, len(classes))
	rep := &report{Iterations: iterations, AllMeet: true}
	totals := make([]int, len(classes))
	plans := make([]plan, len(classes))
	for i, c := range classes {
		p, err := samePlan(c.filter)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		plans[i] = p
	}
	// One warm-up round brings the file into the page cache.
	for round := -1; round < iterations; round++ {
		for i, c := range classes {
			// The store and its bare plan take turns going first, and each
			// starts after a garbage collection, so that neither pays for
			// the garbage of the other or of another class.
			var (
				d, ds time.Duration
				res   *newsmon.SearchResults
				err   error
			)
			runAPI := func() {
				runtime.GC()
				t0 := time.Now()
				res, err = db.SearchArticles(ctx, c.filter)
				d = time.Since(t0)
			}
			runPlan := func() error {
				runtime.GC()
				t1 := time.Now()
				if err := plans[i](ctx, raw); err != nil {
					return fmt.Errorf("%s same plan: %w", c.name, err)
				}
				ds = time.Since(t1)
				return nil
			}
			if round%2 == 0 {
				runAPI()
			}
			if perr := runPlan(); perr != nil {
				return nil, perr
			}
			if round%2 != 0 {
				runAPI()
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			totals[i] = res.Total

			if round >= 0 {
				all[i].api = append(all[i].api, d)
				all[i].same = append(all[i].same, ds)
			}
		}
	}
	// The plain bm25 baselines run apart: they read far more of the file
	// than the others, and would evict what the others keep cached.
	for round := -1; round < iterations; round++ {
		for i, c := range classes {
			q, args, ok := bm25Baseline(c.filter)
			if !ok {
				continue
			}
			t0 := time.Now()
			if err := runSQL(ctx, raw, q, args); err != nil {
				return nil, fmt.Errorf("%s bm25: %w", c.name, err)
			}
			if round >= 0 {
				all[i].bm25 = append(all[i].bm25, time.Since(t0))
			}
		}
	}
	for i, c := range classes {
		cr := classReport{Name: c.name, Note: c.note, Query: c.filter.Query, Total: totals[i],
			API: percentiles(all[i].api), SamePlan: percentiles(all[i].same)}
		cr.OverSamePlan = ratio(cr.API.P50, cr.SamePlan.P50)
		if len(all[i].bm25) > 0 {
			f := percentiles(all[i].bm25)
			cr.BM25 = &f
			cr.OverBM25 = ratio(cr.API.P50, f.P50)
		}
		cr.MeetsGoal = cr.API.P95 <= 50 && cr.OverSamePlan <= 1.5
		rep.AllMeet = rep.AllMeet && cr.MeetsGoal
		rep.Classes = append(rep.Classes, cr)
	}
	return rep, nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return float64(int(a/b*100+0.5)) / 100
}

func percentiles(ds []time.Duration) figures {
	if len(ds) == 0 {
		return figures{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) float64 {
		i := int(p*float64(len(s)-1) + 0.5)
		return float64(s[i].Microseconds()) / 1000
	}
	return figures{P50: at(0.50), P95: at(0.95)}
}

// runSQL runs a query and reads every row it returns.
func runSQL(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args []any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
	}
	return rows.Err()
}
