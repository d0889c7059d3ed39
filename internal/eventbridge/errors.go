package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
)

// ErrEntryTooLarge is an entry over the 256 KiB EventBridge takes in one
// call: it fails the same way every time, so Put sends nothing and the
// caller fixes what it publishes (a reference to the data, not the data).
var ErrEntryTooLarge = errors.New("eventbridge: entry over 256 KiB")

// Codes Put gives failures that have no EventBridge error code.
const (
	codeMissingResult = "MissingResult"    // an answer without the entry's EventId or ErrorCode
	codeCallTimeout   = "CallTimeout"      // the call passed CallTimeout
	codeRequestFailed = "RequestFailed"    // the call failed without an AWS error (the network)
	codeDeadline      = "DeadlineExceeded" // the caller's deadline passed
	codeCanceled      = "Canceled"         // the caller gave up
)

// FailedEntry is an entry Put could not put.
type FailedEntry struct {
	Index int    // its position in the entries given to Put
	Code  string // EventBridge's ErrorCode (ThrottlingException, …) or one of Put's own
}

// PutError reports the entries Put did not put. Its message names how many
// and their codes, never what they carried: Detail may hold addresses.
type PutError struct {
	Failed   []FailedEntry // by Index
	Total    int           // entries given to Put
	Attempts int           // rounds of calls made
	Cause    error         // the last error of a call that failed whole, or the context's; may be nil
}

func (e *PutError) Error() string {
	counts := map[string]int{}
	for _, f := range e.Failed {
		counts[f.Code]++
	}
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for i, c := range codes {
		codes[i] = fmt.Sprintf("%s ×%d", c, counts[c])
	}
	msg := fmt.Sprintf("eventbridge: %d of %d entries not put after %d attempts (%s)", len(e.Failed), e.Total, e.Attempts, strings.Join(codes, ", "))
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

func (e *PutError) Unwrap() error { return e.Cause }

// failure is an entry a round of calls did not put.
type failure struct {
	index     int
	code      string
	retryable bool
}

func newPutError(failed []failure, total, attempts int, cause error) *PutError {
	out := make([]FailedEntry, len(failed))
	for i, f := range failed {
		out[i] = FailedEntry{Index: f.index, Code: f.code}
	}
	slices.SortFunc(out, func(a, b FailedEntry) int { return a.Index - b.Index })
	return &PutError{Failed: out, Total: total, Attempts: attempts, Cause: cause}
}

// retryableEntryCode tells the entry codes that may pass when sent again:
// the two EventBridge documents as retryable, its other faults, and an
// answer that said nothing. Every other code (MalformedDetail,
// AccessDeniedException, InvalidArgument, …) fails the same way again.
func retryableEntryCode(code string) bool {
	switch code {
	case "ThrottlingException", "InternalFailure", "InternalException", "ServiceUnavailable", codeMissingResult:
		return true
	}
	return false
}

// callFailure is what a call that failed whole means for each of its
// entries. ctx is the caller's: when it ended, nothing is retried.
func callFailure(ctx context.Context, err error) failure {
	var apiErr smithy.APIError
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return failure{code: codeCanceled}
	case ctx.Err() != nil:
		return failure{code: codeDeadline}
	case errors.Is(err, context.DeadlineExceeded):
		return failure{code: codeCallTimeout, retryable: true}
	case errors.As(err, &apiErr):
		code := apiErr.ErrorCode()
		return failure{code: code, retryable: retryableEntryCode(code) || apiErr.ErrorFault() == smithy.FaultServer}
	}
	return failure{code: codeRequestFailed, retryable: true}
}
