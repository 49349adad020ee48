// Package exit defines eksguard's exit codes and the error type that carries one from a command to
// cli.Main, the one place errors become exit codes.
package exit

import "errors"

// Exit codes. Their meaning is part of the CLI contract documented in the README.
const (
	OK         = 0 // nothing failed
	Fail       = 1 // at least one FAIL (or a fix plan that refuses)
	Usage      = 2 // bad flags or bad input files
	Incomplete = 3 // the scan could not judge everything (ERROR, or UNKNOWN from the live API)
	Denied     = 4 // no credentials, or access denied (the message names the IAM action)
)

// Error is an error with an exit code. A nil Err with a code means "exit quietly with this code"
// (the report already said everything).
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// New wraps err with an exit code.
func New(code int, err error) *Error { return &Error{Code: code, Err: err} }

// Code is the exit code an error stands for: its own code when it carries one, else 1.
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Fail
}
