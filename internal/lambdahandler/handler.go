package lambdahandler

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// Options tune the handler.
type Options struct {
	// MaxRequestBytes bounds a request body before it is parsed.
	MaxRequestBytes int
	// BatchReserve is the time a batch keeps back: no new send starts when
	// less than this remains before the deadline, and the records left are
	// reported for retry.
	BatchReserve time.Duration
	// Metrics publishes each send's metrics (metrics.go); nil publishes none.
	Metrics SendRecorder
	// Postpone holds SQS records the quota guard refused until their retry
	// time (sqs_postpone.go); nil leaves them to the visibility timeout.
	Postpone RecordPostponer
	// Park is the dead-letter queue, where a failure carrying an inline
	// password or token is put without it (park.go); nil leaves such
	// failures to SQS and Lambda, secret and all.
	Park gmailsend.Queue
	// MaxReceives is the send queue's maxReceiveCount: a record received
	// that many times goes to the dead-letter queue if it fails again.
	MaxReceives int
	// Webhooks is the registry of /webhooks (route_webhooks.go); nil
	// answers those routes store_not_configured.
	Webhooks WebhookRegistry
}

// DefaultOptions suit a 30-second function.
func DefaultOptions() Options {
	// Lambda's synchronous payload limit is 6 MB; a larger body cannot
	// arrive, and refusing it here keeps memory bounded for queues too.
	return Options{MaxRequestBytes: 6 << 20, BatchReserve: 5 * time.Second, MaxReceives: 5}
}

// Handler answers every event source the function is wired to.
type Handler struct {
	// One use case each: sending (now, accepted for later, and from the
	// queue), the message records, the suppression list.
	send         *sender.Sender
	messages     *sender.Messages
	suppressions *sender.Suppressions
	opts         Options
	log          *slog.Logger
}

// New returns a Handler that logs with log, running the use cases over
// the ports s was wired with.
func New(s *sender.Sender, opts Options, log *slog.Logger) *Handler {
	return &Handler{send: s, messages: sender.MessagesOf(s), suppressions: sender.SuppressionsOf(s), opts: opts, log: log}
}

// Invoke is the Lambda entry point: it recognises the source and hands the
// payload to that source's handler (one file per source).
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	switch detect(payload) {
	case sourceAPIGatewayV1:
		return h.handleAPIGatewayV1(ctx, payload)
	case sourceAPIGatewayV2:
		return h.handleAPIGatewayV2(ctx, payload)
	case sourceSQS:
		return h.handleSQS(ctx, payload)
	case sourceSNS:
		return h.handleSNS(ctx, payload)
	case sourceEventBridge:
		return h.handleEventBridge(ctx, payload)
	case sourceDestination:
		return h.handleDestination(ctx, payload)
	default:
		return h.handleDirect(ctx, payload)
	}
}

// sendOne sends one request body and logs it.
func (h *Handler) sendOne(ctx context.Context, src source, itemID string, body []byte) (*sender.Result, error) {
	start := time.Now()
	var (
		res *sender.Result
		out sender.Outcome
		err error
	)
	if err = h.checkSize(src, body); err == nil { // per-source limits: limits.go
		res, out, err = h.send.SendFrom(ctx, body, originOf(ctx, src, itemID))
	}
	h.logSend(ctx, src, itemID, out, err, start)
	return res, err
}

// functionError is a Lambda function error whose type is the stable code,
// so a direct caller (or a failure destination) can branch on it.
func functionError(err error) error {
	e := gmailsend.AsError(err)
	return messages.InvokeResponse_Error{Type: string(e.Code), Message: e.Error()}
}
