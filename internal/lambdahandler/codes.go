package lambdahandler

import (
	"net/http"

	"github.com/gmailsend/gmailsend/internal/email"
)

// codeRule is what the function does with a failure of one code, for each
// way a request reaches it: the HTTP status an API caller receives, and
// what becomes of a queue record that failed with it. (Whether a retry
// can help at all is the failure's own fact, email.Code.Retryable; the
// Lambda error type of a direct invocation is the code itself.)
type codeRule struct {
	status int
	queue  queueRule
}

// queueRule is what an SQS consumer does with a record that failed.
type queueRule int

const (
	// queueFinal: the failure will not pass. A queued message (POST
	// /messages) keeps it in its record and is not delivered again; a
	// plain request on the queue, which no record keeps, is reported as a
	// batch item failure, so SQS delivers it again until maxReceiveCount
	// and moves it to the dead-letter queue: nothing is lost unseen.
	queueFinal queueRule = iota
	// queueAgain: the failure may pass. The record is reported as a batch
	// item failure and SQS delivers it again after the visibility timeout;
	// a queued message's record goes back to queued (when nothing of it
	// reached the server).
	queueAgain
	// queueLater is queueAgain at the error's RetryAfter (when it has one
	// and a postponer is configured) instead of the visibility timeout:
	// the quota guard's refusals, and a record its accept may still write.
	queueLater
	// queueNever: the record is never reported, so SQS deletes it. The
	// message may have been delivered: a redelivery would only replay the
	// same answer, or risk a second copy (at most once; docs/api.md,
	// "Message records").
	queueNever
)

// codeTable is the one table from code to status and queue decision.
// TestCodeTableCoversEveryCode holds it to email.Codes(), and
// TestCodeTableQueueFollowsRetryable holds its queue column to
// email.Code.Retryable.
var codeTable = map[email.Code]codeRule{
	email.CodeInvalidRequest:     {http.StatusBadRequest, queueFinal},
	email.CodePayloadTooLarge:    {http.StatusRequestEntityTooLarge, queueFinal},
	email.CodeForbidden:          {http.StatusForbidden, queueFinal},
	email.CodeCredentialNotFound: {http.StatusNotFound, queueFinal},
	email.CodeCredentialInvalid:  {http.StatusInternalServerError, queueFinal},
	email.CodeSecretsUnavailable: {http.StatusServiceUnavailable, queueAgain},
	email.CodeOAuthRefreshFailed: {http.StatusUnauthorized, queueFinal},
	email.CodeOAuthUnavailable:   {http.StatusServiceUnavailable, queueAgain},
	email.CodeSMTPAuthFailed:     {http.StatusUnauthorized, queueFinal},
	email.CodeTLSRequired:        {http.StatusBadGateway, queueFinal},
	// Gmail blocks the account for a while: wait for it.
	email.CodeRateLimited:     {http.StatusTooManyRequests, queueLater},
	email.CodeSMTPRejected:    {http.StatusBadGateway, queueFinal},
	email.CodeSMTPUnavailable: {http.StatusServiceUnavailable, queueAgain},
	email.CodeTimeout:         {http.StatusGatewayTimeout, queueAgain},
	// An unexplained failure may be a passing one: let queues try again,
	// and the dead-letter queue catch it if it is not.
	email.CodeInternal: {http.StatusInternalServerError, queueAgain},

	email.CodeRouteNotFound:   {http.StatusNotFound, queueFinal},
	email.CodeMessageNotFound: {http.StatusNotFound, queueFinal},
	// Another invocation holds the record, or its accept may still write
	// it (then RetryAfter says until when).
	email.CodeIdempotencyInProgress: {http.StatusConflict, queueLater},
	email.CodeIdempotencyConflict:   {http.StatusConflict, queueFinal},
	email.CodeDeliveryUnknown:       {http.StatusBadGateway, queueNever},
	email.CodeQuotaExceeded:         {http.StatusTooManyRequests, queueLater},
	email.CodeStoreNotConfigured:    {http.StatusNotImplemented, queueFinal},
	email.CodeStoreUnavailable:      {http.StatusServiceUnavailable, queueAgain},

	email.CodeQueueUnavailable: {http.StatusServiceUnavailable, queueAgain},
	// Already queued, sending or sent: nothing is left to cancel.
	email.CodeNotCancellable: {http.StatusConflict, queueFinal},

	// A hard bounce said the address is dead: sending again cannot help
	// until it is removed from the list.
	email.CodeRecipientSuppressed: {http.StatusUnprocessableEntity, queueFinal},
	email.CodeSuppressionNotFound: {http.StatusNotFound, queueFinal},

	email.CodeTemplateNotFound:    {http.StatusNotFound, queueFinal},
	email.CodeUnsubscribeNotFound: {http.StatusNotFound, queueFinal},
}

// ruleOf is code's row; a code without one is treated as internal.
func ruleOf(c email.Code) codeRule {
	if r, ok := codeTable[c]; ok {
		return r
	}
	return codeTable[email.CodeInternal]
}

// httpStatus is the status an API Gateway caller receives for the code.
func httpStatus(c email.Code) int { return ruleOf(c).status }

// HTTPStatus is the status an API Gateway caller receives for the code,
// for tests and documentation checks outside this package.
func HTTPStatus(c email.Code) int { return httpStatus(c) }

// reported says whether a queue record that failed with err is reported as
// a batch item failure (so SQS delivers it again), rather than deleted.
func reported(err error) bool { return ruleOf(email.CodeOf(err)).queue != queueNever }

// requeued says whether a queued message whose send failed with the code
// goes back to queued to be delivered again (sender.SendQueued asks).
func requeued(c email.Code) bool {
	q := ruleOf(c).queue
	return q == queueAgain || q == queueLater
}

// postponed says whether a record that failed with the code waits for the
// error's RetryAfter rather than the queue's visibility timeout.
func postponed(c email.Code) bool { return ruleOf(c).queue == queueLater }
