package lambdahandler

import (
	"testing"

	"github.com/gmailsend/gmailsend/internal/email"
)

// TestCodeTableCoversEveryCode ensures every code email knows has a row, and the table has no row for a code email does not know.
func TestCodeTableCoversEveryCode(t *testing.T) {
	known := map[email.Code]bool{}
	for _, c := range email.Codes() {
		known[c] = true
		if _, ok := codeTable[c]; !ok {
			t.Errorf("%s has no row in codeTable", c)
		}
	}
	for c := range codeTable {
		if !known[c] {
			t.Errorf("codeTable has a row for %s, which email.Codes() lacks", c)
		}
	}
}

// TestCodeTable ensures codes have their documented status, and an unknown code answers as internal.
func TestCodeTable(t *testing.T) {
	for c, status := range map[email.Code]int{
		email.CodeInvalidRequest: 400, email.CodePayloadTooLarge: 413, email.CodeSMTPAuthFailed: 401,
		email.CodeTLSRequired: 502, email.CodeRateLimited: 429, email.CodeSMTPRejected: 502,
		email.CodeSMTPUnavailable: 503, email.CodeTimeout: 504, email.CodeInternal: 500, email.CodeForbidden: 403,
		email.CodeOAuthRefreshFailed: 401, email.CodeRecipientSuppressed: 422, "no_such_code": 500,
	} {
		if got := httpStatus(c); got != status {
			t.Errorf("%s: status %d, want %d", c, got, status)
		}
	}
}

// TestCodeTableQueueFollowsRetryable ensures a queue redelivers exactly the failures that may pass, waits for RetryAfter only on the quota guard's and an unwritten record's codes, and never reports delivery_unknown.
func TestCodeTableQueueFollowsRetryable(t *testing.T) {
	for _, c := range append(email.Codes(), "no_such_code") {
		if requeued(c) != c.Retryable() {
			t.Errorf("%s: requeued %v but Retryable %v", c, requeued(c), c.Retryable())
		}
		wantPostponed := c == email.CodeQuotaExceeded || c == email.CodeRateLimited || c == email.CodeIdempotencyInProgress
		if postponed(c) != wantPostponed {
			t.Errorf("%s: postponed %v, want %v", c, postponed(c), wantPostponed)
		}
		if got := reported(email.Errorf(c, "", "x")); got != (c != email.CodeDeliveryUnknown) {
			t.Errorf("%s: reported %v", c, got)
		}
	}
}
