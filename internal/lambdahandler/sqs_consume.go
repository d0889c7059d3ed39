package lambdahandler

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/sender"
)

// sendQueued handles a queue record POST /messages (or a schedule) put on
// the queue. It returns an error only when the queue should deliver the
// record again; a dropped (cancelled) record and a final failure, which
// its message record keeps, are not redelivered.
func (h *Handler) sendQueued(ctx context.Context, r events.SQSMessage, env *sender.Envelope) error {
	start := time.Now()
	res, out, err := h.send.SendQueued(ctx, env, requeued) // codes.go decides what goes back to queued
	h.logSend(ctx, sourceSQS, r.MessageId, out, err, start)
	if res != nil && res.Dropped {
		h.log.LogAttrs(ctx, slog.LevelInfo, "dropped", slog.String("itemId", r.MessageId),
			slog.String("id", env.Queued.ID), slog.String("status", string(res.Status)), slog.String("reason", string(res.Reason)))
	}
	if err != nil && (res == nil || res.Retry) {
		return err
	}
	return nil
}
