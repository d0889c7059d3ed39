package lambdahandler

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// handleSQS sends the records of a batch one after another, so records of
// one account share a kept SMTP session, and reports failures item by item
// (ReportBatchItemFailures): delivered records are deleted and never sent
// twice.
//
// Which failed records are reported is the code table's queue column
// (codes.go): a plain request's failure is reported, permanent ones too,
// so SQS receives it again until maxReceiveCount and moves it to the
// dead-letter queue and nothing is lost unseen; the log line says whether
// a retry can help. Not reported (so SQS deletes them): delivery_unknown
// (the message may have been delivered); a queued message's (POST
// /messages) final failure or drop, which its message record keeps
// (sendQueued); and a record that holds a secret, parked on its last receive
// (park.go). A
// batch running out of time stops starting sends and reports the rest.
func (h *Handler) handleSQS(ctx context.Context, payload []byte) (any, error) {
	batch, err := decodeSQSBatch(payload)
	if err != nil {
		return nil, functionError(gmailsend.Invalid("", "malformed SQS event"))
	}
	var resp events.SQSEventResponse
	for i, r := range batch.records {
		if tooLate(ctx, h.opts.BatchReserve) {
			for j := i; j < len(batch.records); j++ {
				rest := batch.records[j]
				err := gmailsend.Errorf(gmailsend.CodeTimeout, "", "not attempted: too little time left in this invocation")
				h.logSend(ctx, sourceSQS, rest.MessageId, sender.Outcome{}, err, time.Now())
				if h.lastReceive(rest) && h.parkSQS(ctx, rest, batch.body(j), err) {
					continue
				}
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rest.MessageId})
			}
			break
		}
		// A failure whose code's queue rule is queueNever (delivery_unknown:
		// the message may have been delivered, and a redelivery would only
		// replay the same answer) is not reported (codes.go; docs/api.md).
		body := batch.body(i)
		if err := h.sendRecord(ctx, r, body); err != nil && reported(err) {
			if h.parkSQS(ctx, r, body, err) { // park.go: never to the dead-letter queue with a secret
				continue
			}
			h.postpone(ctx, r, err) // sqs_postpone.go
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
	}
	if resp.BatchItemFailures == nil {
		resp.BatchItemFailures = []events.SQSBatchItemFailure{}
	}
	return resp, nil
}

// sendRecord sends one record's body (r.Body is empty: the body comes
// alone, see sqsBatch); a body that is a Lambda destination record (a
// failed EventBridge or SNS event redriven from the dead-letter queue)
// resends the original event instead.
func (h *Handler) sendRecord(ctx context.Context, r events.SQSMessage, body []byte) error {
	if isDestinationRecord(body) {
		_, err := h.redrive(ctx, body)
		return err
	}
	if env, ok := sender.DecodeEnvelope(body); ok { // POST /messages: sqs_consume.go
		return h.sendQueued(ctx, r, env)
	}
	_, err := h.sendOne(ctx, sourceSQS, r.MessageId, body)
	return err
}

func tooLate(ctx context.Context, reserve time.Duration) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < reserve
}
