package frontier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// renewScript extends a lock still held by the caller's token. A lock
// that is gone, with no other holder (it expired while Redis was out of
// reach, or a restarted Redis lost it), is taken back: the caller is still
// running the work, and a free lock would let another process start it
// too. Only a lock another process holds is lost (0).
var renewScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`)

// unlockScript deletes a lock still held by the caller's token, never one
// another process took after ours expired.
var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// minLockTTL keeps renewals (every third of the ttl) from flooding Redis.
const minLockTTL = 300 * time.Millisecond

// TryLock takes the lock name for ttl when no one holds it, and renews it
// every third of ttl until unlock is called (see newsmon.Locker). The
// token is host/pid/random, so that an operator can tell who holds a lock.
// A renewal that finds the lock free takes it back; one that finds
// another holder (this process stalled past ttl and another took it) is
// logged and renewing stops; unlock then leaves the other holder's lock
// alone.
func (r *Redis) TryLock(ctx context.Context, name string, ttl time.Duration) (func(), bool, error) {
	ttl = max(ttl, minLockTTL)
	key := r.key("lock", name)
	token := lockToken()
	ok, err := r.rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		return nil, false, nil
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(ttl / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			rctx, cancel := context.WithTimeout(context.Background(), ttl/3)
			n, err := renewScript.Run(rctx, r.rdb, []string{key}, token, ttl.Milliseconds()).Int()
			cancel()
			switch {
			case err != nil:
				// Try again next tick: the lock lives until ttl runs out.
				r.log.Warn("renew lock", "lock", name, "err", err)
			case n == 0:
				r.log.Error("lock lost: another process may now run the same work", "lock", name)
				return
			}
		}
	})
	var once sync.Once
	unlock := func() {
		once.Do(func() {
			close(stop)
			wg.Wait()
			uctx, cancel := context.WithTimeout(context.Background(), opTimeout)
			defer cancel()
			if err := unlockScript.Run(uctx, r.rdb, []string{key}, token).Err(); err != nil {
				r.log.Warn("release lock: it will expire by itself", "lock", name, "err", err)
			}
		})
	}
	return unlock, true, nil
}

// LockHolder returns the token of the holder of lock name ("" when free):
// host/pid/random.
func (r *Redis) LockHolder(ctx context.Context, name string) (string, error) {
	v, err := r.rdb.Get(ctx, r.key("lock", name)).Result()
	if isNil(err) {
		return "", nil
	}
	return v, err
}

func lockToken() string {
	host, _ := os.Hostname()
	var b [8]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
