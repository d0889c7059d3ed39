package eventsapp

import (
	"context"
	"log/slog"

	"github.com/gmailsend/gmailsend/internal/emf"
	"github.com/gmailsend/gmailsend/internal/statusevents"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// recordBatch publishes what a stream batch came to: the events by type,
// the deliveries queued, and whether it goes again. A metric that cannot
// be written is logged and never fails the batch.
func (e *Events) recordBatch(ctx context.Context, rep statusevents.Report) {
	e.written(ctx, e.metrics.EventsBatch(emf.StreamBatch{Published: rep.Published, Queued: rep.Queued, Retried: rep.RetryFrom != ""}))
}

// recordDelivery publishes one attempt of the webhook queue: its outcome
// and attempt, the receiver's answer time, and for a delivered event the
// time from its status change to the 2xx. Ids, URLs and secrets stay in
// the log line; none becomes a dimension.
func (e *Events) recordDelivery(ctx context.Context, res webhooks.Result, attempt int, event statusevents.Delivery) {
	d := emf.WebhookDelivery{Outcome: res.Outcome(), Attempt: attempt, ResponseTime: res.Elapsed}
	if d.Outcome == webhooks.OutcomeDelivered {
		d.Delivered, d.Latency = true, e.now().Sub(event.Event.Timestamp)
	}
	e.written(ctx, e.metrics.WebhookDelivery(d))
}

// recordUnreadable counts a queue message that is no delivery (it goes
// to the dead-letter queue) as unavailable.
func (e *Events) recordUnreadable(ctx context.Context, attempt int) {
	e.written(ctx, e.metrics.WebhookDelivery(emf.WebhookDelivery{Outcome: webhooks.OutcomeUnavailable, Attempt: attempt}))
}

func (e *Events) written(ctx context.Context, err error) {
	if err != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "metrics", slog.String("error", err.Error()))
	}
}
