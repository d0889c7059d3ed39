package emf

import (
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
)

func allSeries(t *testing.T, ls []string) string {
	t.Helper()
	var all []string
	for _, l := range ls {
		all = append(all, series(t, l)...)
	}
	return strings.Join(all, "\n")
}

// TestEventsBatchCountsByType ensures a stream batch is one line for the batch (retried 0 or 1, deliveries queued) and one line per event type that occurred, in total and by type, with a type outside the domain's set published as "other".
func TestEventsBatchCountsByType(t *testing.T) {
	w, buf := newWriter(t)
	if err := w.EventsBatch(StreamBatch{Queued: 3, Published: map[gmailsend.EventType]int{
		gmailsend.EventSent: 2, gmailsend.EventBounced: 1, gmailsend.EventFailed: 0, "message.invented-by-a-bug": 4,
	}}); err != nil {
		t.Fatal(err)
	}
	if err := w.EventsBatch(StreamBatch{Retried: true}); err != nil {
		t.Fatal(err)
	}
	ls := lines(t, buf)
	if len(ls) != 5 {
		t.Fatalf("%d lines: %q", len(ls), ls)
	}
	want := strings.Join([]string{
		"EventBatchesRetried 0 Count (no dimension)",
		"WebhookDeliveriesQueued 3 Count (no dimension)",
		"EventsPublished 1 Count (no dimension)",
		"EventsPublished 1 Count {EventType=message.bounced}",
		"EventsPublished 2 Count (no dimension)",
		"EventsPublished 2 Count {EventType=message.sent}",
		"EventsPublished 4 Count (no dimension)",
		"EventsPublished 4 Count {EventType=other}",
		"EventBatchesRetried 1 Count (no dimension)",
		"WebhookDeliveriesQueued 0 Count (no dimension)",
	}, "\n")
	if got := allSeries(t, ls); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// TestWebhookDeliveryLines ensures an attempt is counted by outcome and by outcome and attempt, its response time published only when an attempt was made, its latency only when delivered (a negative one as 0), and the attempt clamped to 1..MaxWebhookAttempt so the dimension keeps its eight values.
func TestWebhookDeliveryLines(t *testing.T) {
	w, buf := newWriter(t)
	for _, d := range []WebhookDelivery{
		{Outcome: "delivered", Attempt: 1, ResponseTime: 42500 * time.Microsecond, Delivered: true, Latency: 1250 * time.Millisecond},
		{Outcome: "retry", Attempt: 3, ResponseTime: 10 * time.Second},
		{Outcome: "dropped", Attempt: 0},
		{Outcome: "given_up", Attempt: 57, ResponseTime: time.Millisecond},
		{Outcome: "delivered", Attempt: 2, ResponseTime: time.Millisecond, Delivered: true, Latency: -time.Second},
	} {
		if err := w.WebhookDelivery(d); err != nil {
			t.Fatal(err)
		}
	}
	want := strings.Join([]string{
		"WebhookDeliveries 1 Count {Outcome=delivered}",
		"WebhookDeliveries 1 Count {Outcome=delivered, Attempt=1}",
		"WebhookDeliveryLatency 1250 Milliseconds (no dimension)",
		"WebhookDeliveryLatency 1250 Milliseconds {Attempt=1}",
		"WebhookResponseTime 42.5 Milliseconds {Outcome=delivered}",
		"WebhookDeliveries 1 Count {Outcome=retry}",
		"WebhookDeliveries 1 Count {Outcome=retry, Attempt=3}",
		"WebhookResponseTime 10000 Milliseconds {Outcome=retry}",
		"WebhookDeliveries 1 Count {Outcome=dropped}",
		"WebhookDeliveries 1 Count {Outcome=dropped, Attempt=1}",
		"WebhookDeliveries 1 Count {Outcome=given_up}",
		"WebhookDeliveries 1 Count {Outcome=given_up, Attempt=8}",
		"WebhookResponseTime 1 Milliseconds {Outcome=given_up}",
		"WebhookDeliveries 1 Count {Outcome=delivered}",
		"WebhookDeliveries 1 Count {Outcome=delivered, Attempt=2}",
		"WebhookDeliveryLatency 0 Milliseconds (no dimension)",
		"WebhookDeliveryLatency 0 Milliseconds {Attempt=2}",
		"WebhookResponseTime 1 Milliseconds {Outcome=delivered}",
	}, "\n")
	if got := allSeries(t, lines(t, buf)); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
