package testsite

import (
	"testing"
	"time"
)

func TestSpacingViolations(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms ...int) []Request {
		var rs []Request
		for _, m := range ms {
			rs = append(rs, Request{Host: "h", Path: "/", Time: t0.Add(time.Duration(m) * time.Millisecond)})
		}
		return rs
	}
	delay := func(string) time.Duration { return 200 * time.Millisecond }
	for _, tt := range []struct {
		name string
		ms   []int
		bad  bool
	}{
		{"evenly spaced", []int{0, 200, 400, 600}, false},
		{"one stamp 75 ms late", []int{0, 200, 475, 600, 800}, false},
		{"two processes interleaved", []int{0, 100, 200, 300, 400}, true},
		{"a burst", []int{0, 200, 210, 400}, true},
		{"steadily 30 ms short", []int{0, 170, 340, 510, 680}, true},
		{"one gap 120 ms short", []int{0, 200, 280, 480}, true},
	} {
		v, _ := SpacingViolations(at(tt.ms...), delay)
		if (len(v) > 0) != tt.bad {
			t.Errorf("%s: violations %q, want bad=%v", tt.name, v, tt.bad)
		}
	}
}
