package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

// A whole call's failure is retried when it may pass (the network, a call
// timeout, throttling, a server fault) and not when it cannot (a
// validation error) or when the caller's context has ended.
func TestCallFailureClassification(t *testing.T) {
	live := context.Background()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	for name, tc := range map[string]struct {
		ctx       context.Context
		err       error
		code      string
		retryable bool
	}{
		"network":      {live, errors.New("connection reset"), codeRequestFailed, true},
		"call timeout": {live, fmt.Errorf("op: %w", context.DeadlineExceeded), codeCallTimeout, true},
		"throttled":    {live, &smithy.GenericAPIError{Code: "ThrottlingException"}, "ThrottlingException", true},
		"server fault": {live, &smithy.GenericAPIError{Code: "Whatever", Fault: smithy.FaultServer}, "Whatever", true},
		"validation":   {live, &smithy.GenericAPIError{Code: "ValidationException", Fault: smithy.FaultClient}, "ValidationException", false},
		"caller gone":  {ended, errors.New("request canceled"), codeCanceled, false},
	} {
		if f := callFailure(tc.ctx, tc.err); f.code != tc.code || f.retryable != tc.retryable {
			t.Errorf("%s: %+v, want %s retryable=%v", name, f, tc.code, tc.retryable)
		}
	}
}

// PutError's message counts the entries and their codes, sorted, and
// Unwrap reaches the cause.
func TestPutErrorMessage(t *testing.T) {
	e := newPutError([]failure{{index: 4, code: "InternalFailure"}, {index: 1, code: "ThrottlingException"}, {index: 2, code: "ThrottlingException"}},
		25, 4, context.DeadlineExceeded)
	want := "eventbridge: 3 of 25 entries not put after 4 attempts (InternalFailure ×1, ThrottlingException ×2): context deadline exceeded"
	if e.Error() != want || e.Failed[0].Index != 1 || !errors.Is(e, context.DeadlineExceeded) {
		t.Fatalf("%q %+v", e.Error(), e.Failed)
	}
}
