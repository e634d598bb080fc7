package testsite

import (
	"fmt"
	"sort"
	"time"
)

// Spacing slack. The outlets stamp a request when their handler starts,
// which comes after a TCP handshake for a new connection and after the
// scheduler of a busy machine gets round to it: a request the crawler sent
// on time may be stamped late. If sends are at least d apart and each
// stamp is late by at most J, then any two requests i < j are stamped at
// least (j-i)·d - J apart: jitter does not add up, a crawler that breaks
// the delay does — two processes that do not share a host's turn at once,
// one that is a little early every time after a few requests.
const (
	// minJitter is the stamping delay always allowed; jitterShare of the
	// delay is allowed when that is more (a loaded 2-core machine has
	// shown 75 ms).
	minJitter   = 40 * time.Millisecond
	jitterShare = 0.5
)

// SpacingViolations checks the request log of each host against the
// delay the crawler owed it (see minJitter): for every two requests i < j
// of a host, stamped at a_i and a_j, a_j - a_i must be at least
// (j-i)·delay(host) - J. It returns one line per violation (the first per
// host) and one summary line per host.
func SpacingViolations(reqs []Request, delay func(host string) time.Duration) (violations, summary []string) {
	byHost := map[string][]Request{}
	for _, r := range reqs {
		byHost[r.Host] = append(byHost[r.Host], r)
	}
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, host := range hosts {
		rs := byHost[host]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Time.Before(rs[j].Time) })
		d := delay(host)
		jitter := max(minJitter, time.Duration(float64(d)*jitterShare))
		minGap := time.Duration(-1)
	check:
		for j := 1; j < len(rs); j++ {
			if gap := rs[j].Time.Sub(rs[j-1].Time); minGap < 0 || gap < minGap {
				minGap = gap
			}
			for i := j - 1; i >= 0; i-- {
				if got, want := rs[j].Time.Sub(rs[i].Time), time.Duration(j-i)*d-jitter; got < want {
					violations = append(violations, fmt.Sprintf("%s: %d requests from %s (%s) to %s (%s) within %v, delay %v",
						host, j-i+1, rs[i].Path, rs[i].UserAgent, rs[j].Path, rs[j].UserAgent, got, d))
					break check
				}
			}
		}
		summary = append(summary, fmt.Sprintf("%s: %d requests, delay %v, smallest gap %v", host, len(rs), d, minGap))
	}
	return violations, summary
}
