package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// locker holds the named locks of TryLock as session-level advisory locks
// on one connection of its own, outside the pool: a lock lives as long as
// the session, so it is freed when the process (or its connection) dies,
// and a pool that recycles connections would free it at random.
type locker struct {
	mu   sync.Mutex
	conn *pgx.Conn
	gen  int             // counts connections, so an unlock of a lost one is skipped
	held map[string]bool // names held by this process
}

// lockConnConfig is the configuration of the lock connection: the store's,
// with TCP keepalives the server applies to it. A lock lives as long as
// its session, and the server notices the session of a machine that lost
// power or its network only by keepalives, which by default start after
// two hours; these find it gone within a minute, so its locks go too.
// Settings given in the DSN win.
func lockConnConfig(c *pgx.ConnConfig) *pgx.ConnConfig {
	c = c.Copy()
	if c.RuntimeParams == nil {
		c.RuntimeParams = map[string]string{}
	}
	for k, v := range map[string]string{"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"} {
		if _, ok := c.RuntimeParams[k]; !ok {
			c.RuntimeParams[k] = v
		}
	}
	return c
}

// lockQueryTimeout bounds a lock or unlock query on the lock connection.
const lockQueryTimeout = 10 * time.Second

// lockKey is the advisory lock key of a lock name.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("newsmon lock\x1f" + name))
	return int64(h.Sum64())
}

// TryLock takes the lock name when no process holds it, as a PostgreSQL
// advisory lock, and keeps it until unlock is called or the store is
// closed. ok is false, with a nil error, when another process, or this one,
// holds it. ttl is not needed: the lock dies with the session of the
// process holding it, which the server notices within about a minute even
// when that process's machine vanishes (see lockConnConfig). When the lock
// connection breaks, every lock it held is lost, and its holders are not
// told; the next TryLock opens a new connection. A TryLock whose ctx ends
// fails alone and leaves the other locks held.
func (db *DB) TryLock(ctx context.Context, name string, ttl time.Duration) (unlock func(), ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	l := &db.locks
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[name] {
		return nil, false, nil // session locks nest: refuse a second holder here
	}
	if l.conn == nil || l.conn.IsClosed() {
		conn, err := pgx.ConnectConfig(ctx, db.config)
		if err != nil {
			return nil, false, fmt.Errorf("lock %s: %w", name, err)
		}
		l.conn, l.held = conn, make(map[string]bool)
		l.gen++
	}
	key := lockKey(name)
	// The query must not end with the caller's context: a query that is
	// cancelled (or cannot start) costs the connection, and with it every
	// other lock this process holds. pg_try_advisory_lock never waits, so
	// a timeout of its own bounds it.
	qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lockQueryTimeout)
	defer cancel()
	if err := l.conn.QueryRow(qctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		l.drop()
		return nil, false, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		return nil, false, nil
	}
	l.held[name] = true
	gen := l.gen
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.gen != gen || l.conn == nil {
				return // the connection is gone, and the lock with it
			}
			ctx, cancel := context.WithTimeout(context.Background(), lockQueryTimeout)
			defer cancel()
			if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, key); err != nil {
				l.drop() // closing the session frees the lock
				return
			}
			delete(l.held, name)
		})
	}, true, nil
}

// drop closes the lock connection, which frees its locks. It frees them
// first, when it can, because the server notices a closed session only a
// moment later. The caller holds l.mu.
func (l *locker) drop() {
	if l.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if !l.conn.IsClosed() {
			l.conn.Exec(ctx, `SELECT pg_advisory_unlock_all()`)
		}
		l.conn.Close(ctx)
	}
	l.conn, l.held = nil, nil
}

func (l *locker) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.drop()
	l.gen++
}
