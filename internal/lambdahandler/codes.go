package lambdahandler

import (
	"net/http"

	"github.com/gmailsend/gmailsend"
)

// codeRule is what the function does with a failure of one code, for each
// way a request reaches it: the HTTP status an API caller receives, and
// what becomes of a queue record that failed with it. (Whether a retry
// can help at all is the failure's own fact, gmailsend.Code.Retryable; the
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
// TestCodeTableCoversEveryCode holds it to gmailsend.Codes(), and
// TestCodeTableQueueFollowsRetryable holds its queue column to
// gmailsend.Code.Retryable.
var codeTable = map[gmailsend.Code]codeRule{
	gmailsend.CodeInvalidRequest:     {http.StatusBadRequest, queueFinal},
	gmailsend.CodePayloadTooLarge:    {http.StatusRequestEntityTooLarge, queueFinal},
	gmailsend.CodeForbidden:          {http.StatusForbidden, queueFinal},
	gmailsend.CodeCredentialNotFound: {http.StatusNotFound, queueFinal},
	gmailsend.CodeCredentialInvalid:  {http.StatusInternalServerError, queueFinal},
	gmailsend.CodeSecretsUnavailable: {http.StatusServiceUnavailable, queueAgain},
	gmailsend.CodeOAuthRefreshFailed: {http.StatusUnauthorized, queueFinal},
	gmailsend.CodeOAuthUnavailable:   {http.StatusServiceUnavailable, queueAgain},
	gmailsend.CodeSMTPAuthFailed:     {http.StatusUnauthorized, queueFinal},
	gmailsend.CodeTLSRequired:        {http.StatusBadGateway, queueFinal},
	// Gmail blocks the account for a while: wait for it.
	gmailsend.CodeRateLimited:     {http.StatusTooManyRequests, queueLater},
	gmailsend.CodeSMTPRejected:    {http.StatusBadGateway, queueFinal},
	gmailsend.CodeSMTPUnavailable: {http.StatusServiceUnavailable, queueAgain},
	gmailsend.CodeTimeout:         {http.StatusGatewayTimeout, queueAgain},
	// An unexplained failure may be a passing one: let queues try again,
	// and the dead-letter queue catch it if it is not.
	gmailsend.CodeInternal: {http.StatusInternalServerError, queueAgain},

	gmailsend.CodeRouteNotFound:   {http.StatusNotFound, queueFinal},
	gmailsend.CodeMessageNotFound: {http.StatusNotFound, queueFinal},
	// Another invocation holds the record, or its accept may still write
	// it (then RetryAfter says until when).
	gmailsend.CodeIdempotencyInProgress: {http.StatusConflict, queueLater},
	gmailsend.CodeIdempotencyConflict:   {http.StatusConflict, queueFinal},
	gmailsend.CodeDeliveryUnknown:       {http.StatusBadGateway, queueNever},
	gmailsend.CodeQuotaExceeded:         {http.StatusTooManyRequests, queueLater},
	gmailsend.CodeStoreNotConfigured:    {http.StatusNotImplemented, queueFinal},
	gmailsend.CodeStoreUnavailable:      {http.StatusServiceUnavailable, queueAgain},

	gmailsend.CodeQueueUnavailable: {http.StatusServiceUnavailable, queueAgain},
	// Already queued, sending or sent: nothing is left to cancel.
	gmailsend.CodeNotCancellable: {http.StatusConflict, queueFinal},

	// A hard bounce said the address is dead: sending again cannot help
	// until it is removed from the list.
	gmailsend.CodeRecipientSuppressed: {http.StatusUnprocessableEntity, queueFinal},
	gmailsend.CodeSuppressionNotFound: {http.StatusNotFound, queueFinal},

	gmailsend.CodeTemplateNotFound:    {http.StatusNotFound, queueFinal},
	gmailsend.CodeUnsubscribeNotFound: {http.StatusNotFound, queueFinal},

	gmailsend.CodeWebhookNotFound:   {http.StatusNotFound, queueFinal},
	gmailsend.CodeWebhookURLRefused: {http.StatusBadRequest, queueFinal},
	// Ten endpoints already: delete one first.
	gmailsend.CodeWebhookLimit: {http.StatusConflict, queueFinal},
	// The receiver answered 410 Gone: POST /webhooks/{id}/enable first.
	gmailsend.CodeWebhookDisabled: {http.StatusConflict, queueFinal},
}

// ruleOf is code's row; a code without one is treated as internal.
func ruleOf(c gmailsend.Code) codeRule {
	if r, ok := codeTable[c]; ok {
		return r
	}
	return codeTable[gmailsend.CodeInternal]
}

// httpStatus is the status an API Gateway caller receives for the code.
func httpStatus(c gmailsend.Code) int { return ruleOf(c).status }

// HTTPStatus is the status an API Gateway caller receives for the code,
// for tests and documentation checks outside this package.
func HTTPStatus(c gmailsend.Code) int { return httpStatus(c) }

// reported says whether a queue record that failed with err is reported as
// a batch item failure (so SQS delivers it again), rather than deleted.
func reported(err error) bool { return ruleOf(gmailsend.CodeOf(err)).queue != queueNever }

// requeued says whether a queued message whose send failed with the code
// goes back to queued to be delivered again (sender.SendQueued asks).
func requeued(c gmailsend.Code) bool {
	q := ruleOf(c).queue
	return q == queueAgain || q == queueLater
}

// postponed says whether a record that failed with the code waits for the
// error's RetryAfter rather than the queue's visibility timeout.
func postponed(c gmailsend.Code) bool { return ruleOf(c).queue == queueLater }
