package storeutil

import (
	"sync"
	"time"
)

// RuleSet holds the alert rules a store applies, each as the store
// prepared it (R), and the lease of its deliveries. A save takes the
// current list once, so that it never sees half of a change.
type RuleSet[R any] struct {
	mu    sync.RWMutex
	list  []R
	lease time.Duration
}

// Get returns the current rules; the caller must not change the slice.
func (s *RuleSet[R]) Get() []R {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.list
}

// Set replaces the rules.
func (s *RuleSet[R]) Set(list []R) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = list
}

// Find returns the first rule for which name returns want.
func (s *RuleSet[R]) Find(want string, name func(R) string) (R, bool) {
	for _, r := range s.Get() {
		if name(r) == want {
			return r, true
		}
	}
	var zero R
	return zero, false
}

// Lease returns the lease set by SetLease, or def when none is.
func (s *RuleSet[R]) Lease(def time.Duration) time.Duration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.lease > 0 {
		return s.lease
	}
	return def
}

// SetLease sets the delivery lease; zero or less restores the default.
func (s *RuleSet[R]) SetLease(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lease = d
}
