package frontier

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	newsmon "github.com/newsmon/newsmon"
)

// Storage returns the visited set and cookie jar named ns (see
// newsmon.Frontier). It satisfies Colly's storage.Storage. Its keys expire
// a day after their last write: a run's collectors name their own ns, so
// front pages and feeds are fetched again by the next run.
func (r *Redis) Storage(ns string) newsmon.CollectorStorage {
	return &collectorStorage{r: r, visited: r.key("visited", ns), cookies: r.key("cookies", ns)}
}

type collectorStorage struct {
	r                *Redis
	visited, cookies string
}

// Init does nothing: the keys are made on first use.
func (s *collectorStorage) Init() error { return nil }

// Visited marks a request visited. It adds the id and learns in the same
// command whether it was there already, so that of two processes asking
// at once exactly one gets nil.
func (s *collectorStorage) Visited(requestID uint64) error {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	id := strconv.FormatUint(requestID, 10)
	pipe := s.r.rdb.TxPipeline()
	added := pipe.SAdd(ctx, s.visited, id)
	pipe.PExpire(ctx, s.visited, s.r.stateTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("mark request visited: %w", err)
	}
	if added.Val() == 0 {
		return fmt.Errorf("request %s: %w", id, newsmon.ErrAlreadyVisited)
	}
	return nil
}

// IsVisited reports whether a request was marked visited.
func (s *collectorStorage) IsVisited(requestID uint64) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	ok, err := s.r.rdb.SIsMember(ctx, s.visited, strconv.FormatUint(requestID, 10)).Result()
	if err != nil {
		return false, fmt.Errorf("check request visited: %w", err)
	}
	return ok, nil
}

// Cookies returns the cookies stored for u's host; "" when there are none
// or Redis cannot be read (a request without cookies is the safe default).
func (s *collectorStorage) Cookies(u *url.URL) string {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	v, err := s.r.rdb.HGet(ctx, s.cookies, u.Host).Result()
	if err != nil && !isNil(err) {
		s.r.log.Warn("read cookies from redis", "host", u.Host, "err", err)
	}
	return v
}

// SetCookies stores the cookies for u's host.
func (s *collectorStorage) SetCookies(u *url.URL, cookies string) {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	pipe := s.r.rdb.TxPipeline()
	pipe.HSet(ctx, s.cookies, u.Host, cookies)
	pipe.PExpire(ctx, s.cookies, s.r.stateTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		s.r.log.Warn("store cookies in redis", "host", u.Host, "err", err)
	}
}
