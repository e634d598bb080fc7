package postgres

import "context"

// LockConnSetting returns a run-time setting of the lock connection, for
// tests; the connection must be open (a TryLock made it).
func LockConnSetting(ctx context.Context, db *DB, name string) (string, error) {
	db.locks.mu.Lock()
	defer db.locks.mu.Unlock()
	var v string
	err := db.locks.conn.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v)
	return v, err
}
