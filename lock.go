package newsmon

import (
	"context"
	"time"
)

// Locker hands out named locks that hold across processes and machines, so
// that with several `newsmon serve` processes each scheduled run of a
// source happens once. A lock held by a process that dies is freed when
// its ttl runs out.
type Locker interface {
	// TryLock takes the lock name when no one holds it and keeps it until
	// unlock is called (renewing it before ttl runs out). ok is false, with
	// a nil error, when another holder has it.
	TryLock(ctx context.Context, name string, ttl time.Duration) (unlock func(), ok bool, err error)
}
