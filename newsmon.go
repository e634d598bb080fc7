// Package newsmon holds the domain of the news and statement monitor: the
// types every part shares (Article, Mention, Agreement, Source, Topic), the
// configuration, the error codes meant for users, and the small interfaces
// between the parts (Store, Extractor).
//
// The package does no I/O beyond reading the configuration file. The parts
// that wrap a dependency live in subpackages (crawler, extract, store/sqlite)
// and never import each other; cmd/newsmon wires them together.
package newsmon

import (
	"errors"
	"fmt"
)

// Error codes for errors meant for users. A web handler maps them to HTTP
// statuses, the command line to exit statuses.
const (
	EINVALID  = "invalid"  // bad input: a query, a flag, a configuration value
	ENOTFOUND = "notfound" // the thing asked for does not exist
	EINTERNAL = "internal" // anything else; the message is not shown to users
)

// Error is an error meant for a user: Code says what kind, Message what to do
// about it.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message that hides internal details.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
