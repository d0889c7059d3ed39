package sqsqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/statusevents"
)

// WebhookQueue is the queue of webhook deliveries (WEBHOOK_QUEUE_URL): one
// message per event and endpoint, sent with the send queue's batching
// (ten a call, 256 KiB a call, failed entries offered again). Safe for
// concurrent use. A delivery's retry delay is Visibility.Postpone on
// the record it came in (the webhook queue's ARN).
type WebhookQueue struct {
	q *Queue
}

var _ statusevents.Deliveries = (*WebhookQueue)(nil)

// NewWebhookQueue returns the queue at url reached through the
// environment's (awsenv) configuration, loaded on first use.
func NewWebhookQueue(url string) *WebhookQueue { return &WebhookQueue{q: New(url)} }

// NewWebhookQueueWithAPI returns the queue over a ready client.
func NewWebhookQueueWithAPI(url string, api BatchAPI) *WebhookQueue {
	return &WebhookQueue{q: NewWithAPI(url, api)}
}

// webhookBody is a delivery's message: a named envelope, so a message of
// another kind (or another version) is told apart instead of misread.
type webhookBody struct {
	Job *webhookJob `json:"gmailsendWebhook"`
}

type webhookJob struct {
	Caller   string          `json:"caller"`
	Endpoint string          `json:"endpoint"`
	Event    gmailsend.Event `json:"event"`
}

// Enqueue puts ds on the queue. It fails when any is not queued: the
// caller (the stream's fan-out) then offers the whole batch again, and
// the event ids let receivers drop what they got twice.
func (w *WebhookQueue) Enqueue(ctx context.Context, ds []statusevents.Delivery) error {
	msgs := make([]gmailsend.QueueMessage, len(ds))
	for i, d := range ds {
		body, err := json.Marshal(webhookBody{Job: &webhookJob{Caller: d.Caller, Endpoint: d.Endpoint, Event: d.Event}})
		if err != nil {
			return fmt.Errorf("sqsqueue: %w", err)
		}
		msgs[i] = gmailsend.QueueMessage{ID: strconv.Itoa(i), Body: string(body)}
	}
	fails := w.q.Enqueue(ctx, msgs)
	if len(fails) == 0 {
		return nil
	}
	return &gmailsend.Error{Code: gmailsend.CodeQueueUnavailable,
		Message: fmt.Sprintf("the webhook queue did not accept %d of %d deliveries", len(fails), len(ds)), Err: fails[0].Err}
}

// DecodeWebhookJob reads a delivery's message body.
func DecodeWebhookJob(body string) (statusevents.Delivery, error) {
	var b webhookBody
	if err := json.Unmarshal([]byte(body), &b); err != nil || b.Job == nil || b.Job.Caller == "" || b.Job.Endpoint == "" || b.Job.Event.ID == "" {
		return statusevents.Delivery{}, fmt.Errorf("sqsqueue: not a webhook delivery")
	}
	return statusevents.Delivery{Caller: b.Job.Caller, Endpoint: b.Job.Endpoint, Event: b.Job.Event}, nil
}
