package lambdahandler

import (
	"testing"

	"github.com/gmailsend/gmailsend"
)

// TestCodeTableCoversEveryCode ensures every code email knows has a row, and the table has no row for a code email does not know.
func TestCodeTableCoversEveryCode(t *testing.T) {
	known := map[gmailsend.Code]bool{}
	for _, c := range gmailsend.Codes() {
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
	for c, status := range map[gmailsend.Code]int{
		gmailsend.CodeInvalidRequest: 400, gmailsend.CodePayloadTooLarge: 413, gmailsend.CodeSMTPAuthFailed: 401,
		gmailsend.CodeTLSRequired: 502, gmailsend.CodeRateLimited: 429, gmailsend.CodeSMTPRejected: 502,
		gmailsend.CodeSMTPUnavailable: 503, gmailsend.CodeTimeout: 504, gmailsend.CodeInternal: 500, gmailsend.CodeForbidden: 403,
		gmailsend.CodeOAuthRefreshFailed: 401, gmailsend.CodeRecipientSuppressed: 422, "no_such_code": 500,
	} {
		if got := httpStatus(c); got != status {
			t.Errorf("%s: status %d, want %d", c, got, status)
		}
	}
}

// TestCodeTableQueueFollowsRetryable ensures a queue redelivers exactly the failures that may pass, waits for RetryAfter only on the quota guard's and an unwritten record's codes, and never reports delivery_unknown.
func TestCodeTableQueueFollowsRetryable(t *testing.T) {
	for _, c := range append(gmailsend.Codes(), "no_such_code") {
		if requeued(c) != c.Retryable() {
			t.Errorf("%s: requeued %v but Retryable %v", c, requeued(c), c.Retryable())
		}
		wantPostponed := c == gmailsend.CodeQuotaExceeded || c == gmailsend.CodeRateLimited || c == gmailsend.CodeIdempotencyInProgress
		if postponed(c) != wantPostponed {
			t.Errorf("%s: postponed %v, want %v", c, postponed(c), wantPostponed)
		}
		if got := reported(gmailsend.Errorf(c, "", "x")); got != (c != gmailsend.CodeDeliveryUnknown) {
			t.Errorf("%s: reported %v", c, got)
		}
	}
}
