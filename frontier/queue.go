package frontier

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	newsmon "github.com/newsmon/newsmon"
	"github.com/redis/go-redis/v9"
)

// pushScript queues the jobs whose key does not exist yet. KEYS[1] is the
// queue; ARGV: job key prefix, job TTL (ms), then id and JSON per job.
var pushScript = redis.NewScript(`
local n = 0
for i = 3, #ARGV, 2 do
  local jk = ARGV[1] .. ARGV[i]
  if redis.call('EXISTS', jk) == 0 then
    redis.call('HSET', jk, 'data', ARGV[i+1], 'attempt', 0)
    redis.call('PEXPIRE', jk, ARGV[2])
    redis.call('RPUSH', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n
`)

// popScript requeues expired leases, then leases one job. KEYS are pairs
// of queue and leased set; ARGV: job key prefix, lease (ms), the index of
// the pair to try first (so that workers do not all drain one source
// first). It returns {id, data, attempt} or false.
var popScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS / 2
for i = 1, n do
  local q, l = KEYS[2*i-1], KEYS[2*i]
  local expired = redis.call('ZRANGEBYSCORE', l, '-inf', now, 'LIMIT', 0, 100)
  for _, id in ipairs(expired) do
    redis.call('ZREM', l, id)
    redis.call('LPUSH', q, id)
  end
end
local start = tonumber(ARGV[3])
for k = 0, n - 1 do
  local i = (start + k) % n + 1
  local q, l = KEYS[2*i-1], KEYS[2*i]
  while true do
    local id = redis.call('LPOP', q)
    if not id then break end
    local jk = ARGV[1] .. id
    local data = redis.call('HGET', jk, 'data')
    -- An id whose job is gone (done, expired) or that is leased already
    -- (a stale second copy) is dropped.
    if data and not redis.call('ZSCORE', l, id) then
      local attempt = redis.call('HINCRBY', jk, 'attempt', 1)
      redis.call('ZADD', l, now + tonumber(ARGV[2]), id)
      return {id, data, attempt, i}
    end
  end
end
return false
`)

// extendScript: KEYS job, leased; ARGV id, attempt, lease (ms).
var extendScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[2] or not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[3]), ARGV[1])
return 1
`)

// doneScript: KEYS job, leased, tally; ARGV id, attempt, tally TTL (ms),
// then field and count pairs.
var doneScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for i = 4, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i+1])
end
if #ARGV >= 4 then
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
return 1
`)

// releaseScript: KEYS job, leased, queue; ARGV id, attempt.
var releaseScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[2] then
  return 0
end
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('LPUSH', KEYS[3], ARGV[1])
end
return 1
`)

// pushChunk bounds the jobs of one script call, so that one call does not
// hold Redis for long.
const pushChunk = 200

// jobID names a job by its URL: one URL, one job on the frontier.
func jobID(u string) string {
	h := sha1.Sum([]byte(u))
	return hex.EncodeToString(h[:])
}

// Push queues the jobs whose URL is not on the frontier yet (see
// newsmon.Frontier).
func (r *Redis) Push(ctx context.Context, jobs []newsmon.CrawlJob) (int, error) {
	bySource := map[string][]newsmon.CrawlJob{}
	var order []string
	for _, j := range jobs {
		if _, ok := bySource[j.Source]; !ok {
			order = append(order, j.Source)
		}
		bySource[j.Source] = append(bySource[j.Source], j)
	}
	queued := 0
	for _, src := range order {
		js := bySource[src]
		for start := 0; start < len(js); start += pushChunk {
			chunk := js[start:min(start+pushChunk, len(js))]
			args := []any{r.key("job") + ":", r.jobTTL.Milliseconds()}
			for _, j := range chunk {
				data, err := json.Marshal(j)
				if err != nil {
					return queued, fmt.Errorf("push %s: %w", j.URL, err)
				}
				args = append(args, jobID(j.URL), data)
			}
			n, err := pushScript.Run(ctx, r.rdb, []string{r.key("queue", src)}, args...).Int()
			if err != nil {
				return queued, fmt.Errorf("push jobs of %s: %w", src, err)
			}
			queued += n
		}
	}
	return queued, nil
}

// Pop leases the oldest queued job of one of sources (see
// newsmon.Frontier).
func (r *Redis) Pop(ctx context.Context, sources []string, lease time.Duration) (*newsmon.CrawlLease, error) {
	if len(sources) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, 2*len(sources))
	for _, s := range sources {
		keys = append(keys, r.key("queue", s), r.key("leased", s))
	}
	res, err := popScript.Run(ctx, r.rdb, keys, r.key("job")+":", max(lease.Milliseconds(), 1), rand.IntN(len(sources))).Slice()
	if isNil(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pop a job: %w", err)
	}
	if len(res) != 4 {
		return nil, fmt.Errorf("pop a job: unexpected reply %v", res)
	}
	id, _ := res[0].(string)
	data, _ := res[1].(string)
	attempt, _ := res[2].(int64)
	pair, _ := res[3].(int64)
	if pair < 1 || int(pair) > len(sources) {
		return nil, fmt.Errorf("pop a job: unexpected reply %v", res)
	}
	l := &newsmon.CrawlLease{ID: id, Attempt: int(attempt)}
	err = json.Unmarshal([]byte(data), &l.CrawlJob)
	// The queue it came from says the source, whatever the job says.
	l.Source = sources[pair-1]
	if err != nil {
		// A job this version cannot read is taken off, not retried forever.
		r.log.Error("frontier job unreadable: dropped", "id", id, "err", err)
		r.Done(ctx, l, nil)
		return nil, fmt.Errorf("pop a job: job %s unreadable: %w", id, err)
	}
	return l, nil
}

// Extend moves the lease's deadline to lease from now (see
// newsmon.Frontier).
func (r *Redis) Extend(ctx context.Context, l *newsmon.CrawlLease, lease time.Duration) (bool, error) {
	n, err := extendScript.Run(ctx, r.rdb, []string{r.key("job", l.ID), r.key("leased", l.Source)},
		l.ID, strconv.Itoa(l.Attempt), max(lease.Milliseconds(), 1)).Int()
	if err != nil {
		return false, fmt.Errorf("extend lease of %s: %w", l.URL, err)
	}
	return n == 1, nil
}

// Done takes the job off the frontier and counts it in its run's tally
// (see newsmon.Frontier).
func (r *Redis) Done(ctx context.Context, l *newsmon.CrawlLease, counts map[string]int) (bool, error) {
	args := []any{l.ID, strconv.Itoa(l.Attempt), r.stateTTL.Milliseconds()}
	for k, n := range counts {
		if n != 0 {
			args = append(args, k, n)
		}
	}
	n, err := doneScript.Run(ctx, r.rdb, []string{r.key("job", l.ID), r.key("leased", l.Source), r.key("tally", l.Run)}, args...).Int()
	if err != nil {
		return false, fmt.Errorf("finish job %s: %w", l.URL, err)
	}
	return n == 1, nil
}

// Release puts a leased job back at the head of its queue (see
// newsmon.Frontier).
func (r *Redis) Release(ctx context.Context, l *newsmon.CrawlLease) error {
	err := releaseScript.Run(ctx, r.rdb, []string{r.key("job", l.ID), r.key("leased", l.Source), r.key("queue", l.Source)},
		l.ID, strconv.Itoa(l.Attempt)).Err()
	if err != nil {
		return fmt.Errorf("release job %s: %w", l.URL, err)
	}
	return nil
}

// Pending counts the jobs of source queued or leased.
func (r *Redis) Pending(ctx context.Context, source string) (int, error) {
	var queued *redis.IntCmd
	var leased *redis.IntCmd
	// MULTI/EXEC: a plain pipeline lets a script that moves the last job
	// from the leased set back to the queue run between the two reads,
	// which then count it in neither (0: the run would stop waiting).
	_, err := r.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		queued = p.LLen(ctx, r.key("queue", source))
		leased = p.ZCard(ctx, r.key("leased", source))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("pending jobs of %s: %w", source, err)
	}
	return int(queued.Val() + leased.Val()), nil
}

// Tally returns the counts the run's jobs added when done.
func (r *Redis) Tally(ctx context.Context, run string) (map[string]int, error) {
	m, err := r.rdb.HGetAll(ctx, r.key("tally", run)).Result()
	if err != nil {
		return nil, fmt.Errorf("tally of run %s: %w", run, err)
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("tally of run %s: %s = %q", run, k, v)
		}
		out[k] = n
	}
	return out, nil
}
