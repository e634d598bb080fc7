//go:build !unix

package main

import "time"

// cpuTime is unknown without getrusage: the benchmark reports 0.
func cpuTime() time.Duration { return 0 }

// peakRSSMB is unknown without getrusage: the benchmark reports 0.
func peakRSSMB() float64 { return 0 }
