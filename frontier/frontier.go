// Package frontier keeps the crawl state that several newsmon processes,
// on one machine or many, share through Redis: the queue of article jobs
// with leases, the visited set and cookies of Colly collectors, the
// per-host gate that spaces requests, and the locks that give each
// scheduled run of a source to one process. One *Redis implements
// newsmon.Frontier, newsmon.HostGate and newsmon.Locker.
//
// It uses go-redis (github.com/redis/go-redis/v9) because it is the
// maintained, widely used client: a connection pool with timeouts on every
// call (no hang when Redis goes away), redis:// URLs, and EVALSHA with a
// fallback to EVAL for Lua scripts. Everything that must be atomic across
// processes is one Lua script, which Redis runs without interleaving any
// other command, with Redis' own clock (TIME), so that machines whose
// clocks disagree still agree on deadlines.
//
// Keys, all under the configured prefix P (default "newsmon:"):
//
//	P job:<id>        hash {data: job JSON, attempt: leases so far}; present
//	                  while the job is queued or leased; id = sha1 of the URL
//	P queue:<source>  list of job ids waiting, oldest first
//	P leased:<source> sorted set of job ids by lease deadline (ms)
//	P tally:<run>     hash of counts the run's jobs added when done
//	P visited:<ns>    set of Colly request ids visited in a run
//	P cookies:<ns>    hash host -> cookies, for a run's collectors
//	P host:<host>     hash {last: latest start (µs), delay: largest delay
//	                  asked (µs), until: end of a Retry-After (µs)}
//	P lock:<name>     the token of the lock's holder
//
// Scripts, each atomic because Redis runs a script to its end before any
// other command:
//
//   - push: for each job, checks and sets the job key (the atomic
//     "visited" check, SET NX with an expiry: never two copies of a URL on
//     the frontier) and appends its id to the source's queue;
//   - pop: puts expired leases back at the head of their queues, then
//     moves one id from a queue to the leased set with a deadline, adding
//     one to the job's attempt;
//   - extend, done and release act only when the caller's attempt number
//     is still the job's, so a worker whose lease was taken over can
//     neither remove, count nor requeue the new holder's job; done also
//     adds the job's counts to its run's tally;
//   - gate: reads a host's latest start and claims the host in one step,
//     spacing starts by the largest delay any process asked for (one that
//     has read a Crawl-delay raises it for the others) and keeping off
//     until a Retry-After ends;
//   - lock: SET NX PX with a random token, renewed and released by
//     compare-and-set scripts that touch only the caller's own token.
//
// The Colly storage's Visited is one SADD (atomic by itself): of two
// processes marking one request, exactly one learns it was new. Scripts
// build job keys from the prefix, so the keys of one frontier must live on
// one Redis server (a primary with replicas is fine; Redis Cluster is not).
package frontier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the key prefix when none is configured.
const DefaultPrefix = "newsmon:"

// Redis is a frontier, host gate and locker on one Redis server. It is
// safe for concurrent use; Close closes its connections.
type Redis struct {
	rdb    *redis.Client
	prefix string
	log    *slog.Logger
	// jobTTL bounds how long a job no worker finishes stays on the
	// frontier (a queue nobody works); stateTTL how long a run's tally,
	// visited set and cookies outlive their last write.
	jobTTL, stateTTL time.Duration
}

// opTimeout bounds each call the Colly storage makes, which has no context.
const opTimeout = 10 * time.Second

// Open connects to the Redis server at rawURL (redis:// or rediss://) and
// checks that it answers. prefix ("" for DefaultPrefix) starts every key,
// so that several deployments, or tests, can share a server. Errors name
// the configuration key and never show a password.
func Open(ctx context.Context, rawURL, prefix string, log *slog.Logger) (*Redis, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("crawler.redis: %s: %v", redactURL(rawURL), err)
	}
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Calls end when their context does, not only at the socket timeouts.
	opt.ContextTimeoutEnabled = true
	quietOnce.Do(func() { redis.SetLogger(debugLogger{log}) })
	rdb := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("crawler.redis: cannot reach %s: %v", redactURL(rawURL), err)
	}
	return &Redis{rdb: rdb, prefix: prefix, log: log, jobTTL: 24 * time.Hour, stateTTL: 24 * time.Hour}, nil
}

// Close closes the connections.
func (r *Redis) Close() error { return r.rdb.Close() }

func (r *Redis) key(parts ...string) string { return r.prefix + strings.Join(parts, ":") }

// redactURL hides the password of a redis:// URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the configured URL"
	}
	return u.Redacted()
}

// quietOnce routes go-redis' own log lines, which it prints to standard
// error by default and which repeat the errors our calls return, to the
// debug level of the first Open's logger (go-redis has one logger per
// program).
var quietOnce sync.Once

type debugLogger struct{ log *slog.Logger }

func (d debugLogger) Printf(ctx context.Context, format string, v ...any) {
	d.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// isNil reports Redis' "no such value" reply, which is not a failure.
func isNil(err error) bool { return errors.Is(err, redis.Nil) }

// DeleteAll deletes every key under the prefix: the whole shared state of
// one deployment. Tests and benchmarks use it to clean up after
// themselves.
func (r *Redis) DeleteAll(ctx context.Context) error {
	iter := r.rdb.Scan(ctx, 0, r.prefix+"*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 500 {
			if err := r.rdb.Del(ctx, keys...).Err(); err != nil {
				return err
			}
			keys = keys[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(keys) > 0 {
		return r.rdb.Del(ctx, keys...).Err()
	}
	return nil
}
