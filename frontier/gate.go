package frontier

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// gateScript claims a host when its turn has come. The host's hash keeps
// the start of the latest claim ("last"), the largest delay any process
// asked for ("delay": a process that has read the host's Crawl-delay
// raises it for those still fetching robots.txt) and the end of a
// Retry-After ("until"). KEYS[1] is the host's key; ARGV[1] the caller's
// delay in µs, ARGV[2] how long (ms) the hash outlives the end of its
// delay: a hash that expired before the delay ran out (a Crawl-delay of
// hours) would let another process claim the host early. It returns 0
// when claimed, else the µs to wait. Times are Redis' clock;
// string.format keeps the µs exact (tostring would print 1.7e+15).
var gateScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local h = redis.call('HMGET', KEYS[1], 'last', 'delay', 'until')
local last = tonumber(h[1] or '0')
local d = math.max(tonumber(ARGV[1]), tonumber(h[2] or '0'))
local nxt = math.max(last + d, tonumber(h[3] or '0'))
if now >= nxt then
  redis.call('HSET', KEYS[1], 'last', string.format('%.0f', now), 'delay', string.format('%.0f', d))
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.ceil(d / 1000) + tonumber(ARGV[2])))
  return 0
end
if d > tonumber(h[2] or '0') then
  -- Learnt before it is used: processes asking meanwhile keep it too,
  -- and the hash lives until it has run out.
  redis.call('HSET', KEYS[1], 'delay', string.format('%.0f', d))
  local keep = math.ceil((last + d - now) / 1000) + tonumber(ARGV[2])
  if redis.call('PTTL', KEYS[1]) < keep then
    redis.call('PEXPIRE', KEYS[1], string.format('%.0f', keep))
  end
end
return nxt - now
`)

// deferScript keeps the host's turn away until ARGV[1] µs from now.
var deferScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local want = now + tonumber(ARGV[1])
if want > tonumber(redis.call('HGET', KEYS[1], 'until') or '0') then
  redis.call('HSET', KEYS[1], 'until', string.format('%.0f', want))
  if redis.call('PTTL', KEYS[1]) < math.floor(tonumber(ARGV[1]) / 1000) + 60000 then
    redis.call('PEXPIRE', KEYS[1], math.floor(tonumber(ARGV[1]) / 1000) + 60000)
  end
end
return 0
`)

// gateMemory is how long a host's gate state outlives the end of the
// delay of its last claim: the largest delay learned (a Crawl-delay) is
// forgotten an hour after the host could have been crawled again.
const gateMemory = time.Hour

// Acquire claims host when delay, or a larger delay another process asked
// for, has passed since the previous claim by any process (see
// newsmon.HostGate).
func (r *Redis) Acquire(ctx context.Context, host string, delay time.Duration) (time.Duration, error) {
	us, err := gateScript.Run(ctx, r.rdb, []string{r.key("host", host)}, max(delay.Microseconds(), 0), gateMemory.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("host gate %s: %w", host, err)
	}
	return time.Duration(us) * time.Microsecond, nil
}

// maxDefer bounds a Retry-After the gate keeps (the transport caps one
// given in seconds at a day too): one given as a date centuries ahead
// would keep every process, restarted or not, off the host for good, as
// its hash would never expire.
const maxDefer = 24 * time.Hour

// Defer keeps every process off host for d, at most maxDefer (see
// newsmon.HostGate).
func (r *Redis) Defer(ctx context.Context, host string, d time.Duration) error {
	d = min(max(d, 0), maxDefer)
	if err := deferScript.Run(ctx, r.rdb, []string{r.key("host", host)}, d.Microseconds()).Err(); err != nil {
		return fmt.Errorf("host gate %s: %w", host, err)
	}
	return nil
}
