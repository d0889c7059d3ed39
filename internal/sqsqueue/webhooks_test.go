package sqsqueue

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/internal/statusevents"
)

// TestWebhookQueueRoundTrip ensures 23 deliveries go through the real SDK to the queue ten per SendMessageBatch call, each body is the documented envelope {"gmailsendWebhook":{caller, endpoint, event}}, and DecodeWebhookJob reads back exactly what was queued; a body of another kind is refused.
func TestWebhookQueueRoundTrip(t *testing.T) {
	s := devsqs.Start()
	t.Cleanup(s.Close)
	url := s.CreateQueue("webhooks", devsqs.QueueOptions{})
	q := NewWebhookQueueWithAPI(url, s.Client())
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	var ds []statusevents.Delivery
	for i := 0; i < 23; i++ {
		ds = append(ds, statusevents.Delivery{Caller: "key-a", Endpoint: fmt.Sprintf("wh_%d", i),
			Event: gmailsend.Event{ID: fmt.Sprintf("evt_%d", i), Type: gmailsend.EventSent, Timestamp: at, Data: gmailsend.EventData{MessageID: "m1", APIKeyID: "key-a"}}})
	}
	if err := q.Enqueue(ctxT(t), ds); err != nil {
		t.Fatal(err)
	}
	if n := s.Calls("SendMessageBatch"); n != 3 {
		t.Fatalf("%d SendMessageBatch calls, want 3", n)
	}
	msgs := s.Messages("webhooks")
	if len(msgs) != 23 {
		t.Fatalf("queue holds %d", len(msgs))
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		if !strings.HasPrefix(m.Body, `{"gmailsendWebhook":{"caller":"key-a","endpoint":"wh_`) {
			t.Fatalf("body %s", m.Body)
		}
		d, err := DecodeWebhookJob(m.Body)
		if err != nil {
			t.Fatal(err)
		}
		want := ds[0]
		for _, x := range ds {
			if x.Endpoint == d.Endpoint {
				want = x
			}
		}
		if d.Caller != want.Caller || d.Event.ID != want.Event.ID || !d.Event.Timestamp.Equal(at) || d.Event.Data != want.Event.Data {
			t.Fatalf("read back %+v, queued %+v", d, want)
		}
		seen[d.Endpoint] = true
	}
	if len(seen) != 23 {
		t.Fatalf("%d distinct deliveries", len(seen))
	}
	for _, body := range []string{`{"id":"x"}`, `not json`, `{"gmailsendWebhook":{"caller":"a"}}`} {
		if _, err := DecodeWebhookJob(body); err == nil {
			t.Errorf("%s decoded", body)
		}
	}
}

// TestWebhookQueueFailureIsReported ensures entries SQS keeps refusing make Enqueue fail as queue_unavailable (the stream batch is offered again), naming counts, not contents.
func TestWebhookQueueFailureIsReported(t *testing.T) {
	s := devsqs.Start()
	t.Cleanup(s.Close)
	q := NewWebhookQueueWithAPI(s.QueueURL("missing"), s.Client())
	err := q.Enqueue(ctxT(t), []statusevents.Delivery{{Caller: "key-a", Endpoint: "wh_1", Event: gmailsend.Event{ID: "evt_secretish", Type: gmailsend.EventSent}}})
	e := gmailsend.AsError(err)
	if e == nil || e.Code != gmailsend.CodeQueueUnavailable || strings.Contains(e.Message, "evt_secretish") {
		t.Fatalf("err %v", err)
	}
}
