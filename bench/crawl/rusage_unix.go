//go:build unix

package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTime returns the user plus system CPU time the process has used so far,
// every thread included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSMB returns the largest resident set the process has had, in MiB.
//
// On Linux getrusage's ru_maxrss is useless for a child process: it starts
// from the parent's peak at fork and survives execve, so every child would
// report at least its parent's size. The kernel's high-water mark of the
// process's own address space, VmHWM in /proc/self/status, starts afresh at
// execve; it is used there, getrusage elsewhere.
func peakRSSMB() float64 {
	if runtime.GOOS == "linux" {
		if kb, ok := procStatusKB("VmHWM"); ok {
			return float64(kb) / (1 << 10)
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return float64(ru.Maxrss) / (1 << 20) // bytes there
	}
	return float64(ru.Maxrss) / (1 << 10) // KiB on Linux and the BSDs
}

// procStatusKB reads the field key (a size in kB) of /proc/self/status.
func procStatusKB(key string) (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != key {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return v, err == nil
	}
	return 0, false
}
