package emf

import (
	"slices"
	"strconv"
	"time"

	"github.com/gmailsend/gmailsend"
)

// Metrics of the events function (functions/events): the table's stream
// into status events, and the webhook queue's deliveries.
const (
	MetricEventsPublished         = "EventsPublished"
	MetricEventBatchesRetried     = "EventBatchesRetried"
	MetricWebhookDeliveriesQueued = "WebhookDeliveriesQueued"
	MetricWebhookDeliveries       = "WebhookDeliveries"
	MetricWebhookDeliveryLatency  = "WebhookDeliveryLatency"
	MetricWebhookResponseTime     = "WebhookResponseTime"
	DimensionEventType            = "EventType"
	DimensionAttempt              = "Attempt"
	eventTypeOther                = "other"
)

// MaxWebhookAttempt is the largest Attempt dimension: the webhook queue's
// receive count before the dead-letter queue (webhooks.MaxReceives; a test
// of eventsapp holds them equal). A larger receive count (a queue whose
// redrive was changed by hand) is published as this one, so the
// dimension keeps its eight values whatever SQS says.
const MaxWebhookAttempt = 8

// batchDirective is published once per stream batch, so a batch that
// failed is a 1 among 0s (an alarm's average is the share retried).
var batchDirective = Directive{
	Dimensions: [][]string{{}},
	Metrics:    []Definition{{MetricEventBatchesRetried, Count}, {MetricWebhookDeliveriesQueued, Count}},
}

// publishedDirective is published once per event type a batch put out,
// with the count; CloudWatch sums the lines into the total.
var publishedDirective = Directive{
	Dimensions: [][]string{{}, {DimensionEventType}},
	Metrics:    []Definition{{MetricEventsPublished, Count}},
}

// StreamBatch is what one stream batch of the message table came to
// (statusevents.Report): counts only, never an event's data.
type StreamBatch struct {
	// Published counts the events that went out, by type.
	Published map[gmailsend.EventType]int
	// Queued is the number of webhook deliveries queued.
	Queued int
	// Retried is true when the batch was reported for retry (a record
	// could not be read, or the bus or the queue failed).
	Retried bool
}

// EventsBatch records one stream batch: a line for the batch
// (EventBatchesRetried 0 or 1, WebhookDeliveriesQueued), and one line
// of EventsPublished per event type that occurred, in total and by type.
// A type outside gmailsend.EventTypes is published as "other": the
// dimension keeps the domain's fixed set.
func (w *Writer) EventsBatch(b StreamBatch) error {
	retried := 0.0
	if b.Retried {
		retried = 1
	}
	if err := w.Write(Document{
		Directives: []Directive{batchDirective},
		Values:     map[string]float64{MetricEventBatchesRetried: retried, MetricWebhookDeliveriesQueued: float64(b.Queued)},
	}); err != nil {
		return err
	}
	byType := map[string]int{}
	for t, n := range b.Published {
		name := string(t)
		if !slices.Contains(gmailsend.EventTypes(), t) {
			name = eventTypeOther
		}
		byType[name] += n
	}
	for _, t := range sortedKeys(byType) {
		if byType[t] <= 0 {
			continue
		}
		if err := w.Write(Document{
			Directives: []Directive{publishedDirective},
			Values:     map[string]float64{MetricEventsPublished: float64(byType[t])},
			Dimensions: map[string]string{DimensionEventType: t},
		}); err != nil {
			return err
		}
	}
	return nil
}

// deliveryDirective counts every attempt by outcome, and by outcome and
// attempt (which step of the schedule receivers fail or recover at).
var deliveryDirective = Directive{
	Dimensions: [][]string{{DimensionOutcome}, {DimensionOutcome, DimensionAttempt}},
	Metrics:    []Definition{{MetricWebhookDeliveries, Count}},
}

// responseDirective is the receiver's answer time, by outcome (a slow
// 2xx and a timeout are different stories).
var responseDirective = Directive{
	Dimensions: [][]string{{DimensionOutcome}},
	Metrics:    []Definition{{MetricWebhookResponseTime, Milliseconds}},
}

// latencyDirective is the status change → webhook received latency of
// delivered events, in total and by the attempt that delivered them (the
// first attempt's is what a receiver usually waits; later ones include
// the schedule's delays).
var latencyDirective = Directive{
	Dimensions: [][]string{{}, {DimensionAttempt}},
	Metrics:    []Definition{{MetricWebhookDeliveryLatency, Milliseconds}},
}

// WebhookDelivery is what one attempt of the webhook queue contributes
// to the metrics. It holds no URL, endpoint, caller, secret or event
// body: endpoint and key ids are as many as callers make, too many for
// dimensions, and the log line of the attempt names them.
type WebhookDelivery struct {
	// Outcome is webhooks.Result.Outcome: one of a fixed set.
	Outcome string
	// Attempt is SQS's ApproximateReceiveCount, 1 on the first; clamped
	// to 1..MaxWebhookAttempt.
	Attempt int
	// ResponseTime is how long the attempt at the receiver took; 0 when
	// none was made (the endpoint was gone, our side failed), and then it
	// is not published.
	ResponseTime time.Duration
	// Delivered is true for a 2xx answer; only then is Latency published.
	Delivered bool
	// Latency is from the event's timestamp (the status change) to the
	// 2xx answer. A negative one (clocks apart) is published as 0.
	Latency time.Duration
}

// WebhookDelivery records one delivery attempt as one line.
func (w *Writer) WebhookDelivery(d WebhookDelivery) error {
	attempt := min(max(d.Attempt, 1), MaxWebhookAttempt)
	doc := Document{
		Directives: []Directive{deliveryDirective},
		Values:     map[string]float64{MetricWebhookDeliveries: 1},
		Dimensions: map[string]string{DimensionOutcome: d.Outcome, DimensionAttempt: strconv.Itoa(attempt)},
	}
	if d.ResponseTime > 0 {
		doc.Directives = append(doc.Directives, responseDirective)
		doc.Values[MetricWebhookResponseTime] = milliseconds(d.ResponseTime)
	}
	if d.Delivered {
		doc.Directives = append(doc.Directives, latencyDirective)
		doc.Values[MetricWebhookDeliveryLatency] = milliseconds(max(d.Latency, 0))
	}
	return w.Write(doc)
}

func milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
