package ledger

import (
	"context"
	"errors"
	"fmt"
)

// Code classifies an error by what the user can do about it; it maps one to one
// onto the CLI's exit codes (DESIGN.md, Conventions).
type Code int

const (
	CodeRuntime  Code = 1 // something failed that a retry or the operator may fix
	CodeInput    Code = 2 // bad usage or bad input: fix the command or the file
	CodeVerify   Code = 3 // verification failed: the history or a proof does not hold
	CodeConflict Code = 4 // another writer changed the ledger first
)

// Error is the one error type of the ledger. Msg says what went wrong in
// words a user can act on; Kind, when set, is one of the Err… kinds below,
// which a caller matches with errors.Is to add what only it can say (the
// CLI names its commands and flags; this package never does).
type Error struct {
	Code Code
	Msg  string
	Err  error
	Kind error
}

// Kinds of error a caller may add a hint to.
var (
	ErrNoLedger        = errors.New("no ledger there")
	ErrNoSigningKey    = errors.New("no signing key there")
	ErrAsOf            = errors.New("a point of the ledger that is not there")
	ErrStoreAddress    = errors.New("not a store address")
	ErrHistoryChanged  = errors.New("the stored history does not agree with itself")
	ErrStaleProjection = errors.New("the projection checkpoint differs from the ledger")
	ErrNoWitness       = errors.New("no witness there")
	ErrStaleProof      = errors.New("a consistency proof from another checkpoint")
)

// Is matches the error's Kind.
func (e *Error) Is(target error) bool { return e.Kind != nil && target == e.Kind }

// KindErrorf is Errorf with a Kind.
func KindErrorf(code Code, kind error, format string, args ...any) *Error {
	return &Error{Code: code, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg != "" {
		if s := e.Err.Error(); s != "" {
			return e.Msg + ": " + s
		}
		return e.Msg
	}
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap attaches a code and a message to an underlying error. An
// interruption is never a verdict: whatever was being checked was not
// finished, so a cancelled or timed-out context is CodeRuntime, whatever
// code the caller would give a failure there.
func Wrap(code Code, err error, format string, args ...any) *Error {
	if interruption(err) {
		code = CodeRuntime
	}
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: err}
}

// interruption says err is a context's end, cancelled or timed out.
func interruption(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Stopped says err is ctx's own end: the caller's work was interrupted, and
// says nothing of what it was reading or checking.
func Stopped(ctx context.Context, err error) bool {
	return ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// CodeOf returns the code of the first *Error in err's chain, CodeInput for
// a LineError, CodeRuntime otherwise.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var le LineError
	if errors.As(err, &le) {
		return CodeInput
	}
	return CodeRuntime
}

// ErrConflict is wrapped by every optimistic-concurrency failure, so callers can
// retry with errors.Is regardless of the store.
var ErrConflict = errors.New("the ledger changed since it was read")

// ConflictError reports that the ledger's next seq is not what the writer expected.
func ConflictError(expected, actual uint64) *Error {
	return &Error{Code: CodeConflict, Err: ErrConflict,
		Msg: fmt.Sprintf("expected the ledger to hold %d events, it holds %d", expected, actual)}
}

// ErrIDExists is wrapped when a store is asked to append an id it already holds.
var ErrIDExists = errors.New("event id already in the ledger")

// ErrDamaged is wrapped when a ledger file, or a file derived from one, cannot
// be read as written: bbolt found a page it cannot read, or the file is
// shorter than its pages. Derived files are made again; a ledger is salvaged.
var ErrDamaged = errors.New("damaged file")

// Damaged is the error of a file whose structure cannot be read (ErrDamaged),
// naming it, so that a caller can tell a ledger from a file derived from one.
func Damaged(path, what string) error {
	if len(what) > 200 {
		what = what[:200] + "…"
	}
	return &Error{Code: CodeRuntime, Err: &damaged{path: path, msg: fmt.Sprintf("the file %s is damaged (%s)", path, what)}}
}

// damaged is ErrDamaged, naming the file.
type damaged struct{ path, msg string }

func (d *damaged) Error() string        { return d.msg }
func (d *damaged) Is(target error) bool { return target == ErrDamaged }

// DamagedFile is the file a damage error names.
func DamagedFile(err error) (string, bool) {
	var d *damaged
	if errors.As(err, &d) {
		return d.path, true
	}
	return "", false
}
