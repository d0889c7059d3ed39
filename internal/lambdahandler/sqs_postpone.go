package lambdahandler

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
)

// RecordPostponer makes a received SQS record visible again after d;
// *sqsqueue.Visibility is one.
type RecordPostponer interface {
	Postpone(ctx context.Context, queueARN, receiptHandle string, d time.Duration) error
}

var _ RecordPostponer = (*sqsqueue.Visibility)(nil)

// postpone holds a record whose code's queue rule is queueLater (codes.go:
// the quota guard refused it, quota_exceeded or rate_limited while Gmail
// blocks the account, or its message record's accept may still write it,
// idempotency_in_progress) until the error's retry time instead of the
// queue's visibility timeout, so it is neither sent early nor received
// again and again toward the dead-letter queue. It is still reported as
// failed, so SQS keeps it. A postponement that fails is logged: the record
// then returns after the visibility timeout.
func (h *Handler) postpone(ctx context.Context, r events.SQSMessage, err error) {
	e := gmailsend.AsError(err)
	if h.opts.Postpone == nil || e.RetryAfter <= 0 || !postponed(e.Code) {
		return
	}
	if perr := h.opts.Postpone.Postpone(ctx, r.EventSourceARN, r.ReceiptHandle, e.RetryAfter); perr != nil {
		h.log.WarnContext(ctx, "postpone", "itemId", r.MessageId, "error", perr.Error())
	}
}
