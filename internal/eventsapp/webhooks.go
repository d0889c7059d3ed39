package eventsapp

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// Postponer makes a received delivery visible again after d;
// *sqsqueue.Visibility is one.
type Postponer interface {
	Postpone(ctx context.Context, queueARN, receiptHandle string, d time.Duration) error
}

// postponeTimeout bounds one ChangeMessageVisibility call.
const postponeTimeout = 3 * time.Second

// wireWebhooks gives the fan-out the caller's endpoints and the delivery
// queue, and the function its deliverer, when the table and the queue
// are both configured.
func (e *Events) wireWebhooks(cfg app.Config, parts Parts) error {
	if cfg.WebhookQueueURL == "" || cfg.MessagesTable == "" {
		return nil
	}
	keys := app.FingerprintKeys(cfg, parts.App)
	if keys == nil {
		return errors.New("eventsapp: configuration: FINGERPRINT_KEY_SECRET is required for webhooks (it seals their secrets)")
	}
	table := dynamostore.New(cfg.MessagesTable)
	if parts.App.DynamoDB != nil {
		table = dynamostore.NewWithAPI(cfg.MessagesTable, parts.App.DynamoDB)
	}
	e.fanout.Endpoints = &webhooks.Subscriptions{Store: table, TTL: webhooks.DefaultSubscriptionTTL}
	e.fanout.Deliveries = app.WebhookQueue(cfg, parts.App)
	e.deliver = &webhooks.Deliverer{Store: table, Seal: &webhooks.KeySealer{Keys: keys},
		Client: standardwebhooks.NewClient(standardwebhooks.ClientConfig{AllowLoopback: cfg.WebhookAllowLoopback, RootCAs: parts.WebhookRoots})}
	e.postpone = sqsqueue.NewVisibility()
	if parts.App.SQSVisibility != nil {
		e.postpone = sqsqueue.NewVisibilityWithAPI(parts.App.SQSVisibility)
	}
	return nil
}

// handleDeliveries makes one attempt per record, side by side (each is
// bounded by the client's 10 s, the batch by the invocation), and reports
// every record to try again as a batch item failure: after its delay
// when the schedule has one, else after the visibility timeout, until the
// redrive policy moves it to the dead-letter queue.
func (e *Events) handleDeliveries(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	if e.deliver == nil {
		return events.SQSEventResponse{}, errors.New("eventsapp: webhook deliveries arrived, but WEBHOOK_QUEUE_URL or MESSAGES_TABLE is not set")
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		resp events.SQSEventResponse
	)
	for _, r := range ev.Records {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !e.deliverRecord(ctx, r) {
				mu.Lock()
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return resp, nil
}

// deliverRecord delivers one record and reports whether it is done. The
// log names ids, codes and statuses: never the URL, body or secret.
func (e *Events) deliverRecord(ctx context.Context, r events.SQSMessage) bool {
	receives, _ := strconv.Atoi(r.Attributes["ApproximateReceiveCount"])
	if receives < 1 {
		receives = 1
	}
	job, err := sqsqueue.DecodeWebhookJob(r.Body)
	if err != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "not a webhook delivery", slog.String("messageId", r.MessageId))
		e.recordUnreadable(ctx, receives)
		return false // to the dead-letter queue, where it can be read
	}
	res := e.deliver.Deliver(ctx, job, receives)
	e.recordDelivery(ctx, res, receives, job) // metrics.go
	attrs := []slog.Attr{slog.String("eventId", job.Event.ID), slog.String("endpoint", job.Endpoint),
		slog.String("caller", job.Caller), slog.Int("attempt", receives), slog.String("reason", res.Reason)}
	if res.Status != 0 {
		attrs = append(attrs, slog.Int("status", res.Status))
	}
	if res.Code != "" {
		attrs = append(attrs, slog.String("code", res.Code))
	}
	if res.Err != nil {
		attrs = append(attrs, slog.String("error", res.Err.Error()))
	}
	switch res.Action {
	case webhooks.Done:
		e.log.LogAttrs(ctx, slog.LevelInfo, "webhook", attrs...)
		return true
	case webhooks.RetryAfter:
		pctx, cancel := context.WithTimeout(ctx, postponeTimeout)
		defer cancel()
		if err := e.postpone.Postpone(pctx, r.EventSourceARN, r.ReceiptHandle, res.Delay); err != nil {
			// It comes back after the visibility timeout instead.
			attrs = append(attrs, slog.String("postponeError", err.Error()))
		}
		attrs = append(attrs, slog.Duration("retryIn", res.Delay))
		e.log.LogAttrs(ctx, slog.LevelWarn, "webhook", attrs...)
	default:
		e.log.LogAttrs(ctx, slog.LevelWarn, "webhook given up", attrs...)
	}
	return false
}
