package webhooks_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/statusevents"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// TestFanoutNeverCrossesCallers ensures the stream's fan-out, asking the real Subscriptions over dynalite, queues each event only to its own caller's enabled endpoints subscribed to its type: caller B never receives A's events, an event without a caller goes nowhere, and a disabled endpoint gets nothing.
func TestFanoutNeverCrossesCallers(t *testing.T) {
	w := newWorld(t)
	a1, a2 := w.create(t, "key-a"), w.create(t, "key-a", "message.bounced")
	b1 := w.create(t, "key-b")
	gone := w.create(t, "key-a")
	w.receiver.answer(410)
	w.deliverer.Deliver(ctxT(t), job("key-a", gone.ID, "evt_gone"), 1)
	q := &queued{}
	f := &statusevents.Fanout{Endpoints: &webhooks.Subscriptions{Store: w.table, Now: w.clock.now}, Deliveries: q}
	sent := func(caller, id string) *gmailsend.Record {
		return &gmailsend.Record{ID: id, Caller: caller, Status: gmailsend.StatusSent, UpdatedAt: w.clock.now()}
	}
	changes := []statusevents.Change{
		{Seq: "1", New: sent("key-a", "m-a")},
		{Seq: "2", New: sent("key-b", "m-b")},
		{Seq: "3", New: sent("", "m-iam")},
	}
	if rep, err := f.Handle(ctxT(t), changes); rep.RetryFrom != "" || err != nil {
		t.Fatalf("fan-out: %+v %v", rep, err)
	}
	var got []string
	for _, d := range q.ds {
		got = append(got, d.Caller+" "+d.Endpoint+" "+d.Event.Data.MessageID)
		if d.Event.Data.APIKeyID != d.Caller {
			t.Errorf("event of %s queued for %s", d.Event.Data.APIKeyID, d.Caller)
		}
	}
	sort.Strings(got)
	want := []string{"key-a " + a1.ID + " m-a", "key-b " + b1.ID + " m-b"}
	sort.Strings(want)
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("queued %v, want %v (a2 %s takes bounces only)", got, want, a2.ID)
	}
}

// countingStore counts the listings the cache lets through.
type countingStore struct {
	webhooks.Store
	mu sync.Mutex
	n  int
}

func (c *countingStore) WebhookEndpoints(ctx context.Context, caller string) ([]webhooks.Stored, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.Store.WebhookEndpoints(ctx, caller)
}

// TestSubscriptionsCacheForTheTTL ensures a caller's endpoint list is read once per 30 s however many events ask, a new endpoint is seen once the TTL has passed, and callers are cached apart.
func TestSubscriptionsCacheForTheTTL(t *testing.T) {
	w := newWorld(t)
	first := w.create(t, "key-a")
	store := &countingStore{Store: w.table}
	s := &webhooks.Subscriptions{Store: store, Now: w.clock.now}
	for i := 0; i < 50; i++ {
		if ids, err := s.Subscribed(ctxT(t), "key-a", gmailsend.EventSent); err != nil || len(ids) != 1 || ids[0] != first.ID {
			t.Fatalf("subscribed %v %v", ids, err)
		}
	}
	w.create(t, "key-a")
	w.clock.add(webhooks.DefaultSubscriptionTTL - time.Second)
	if ids, _ := s.Subscribed(ctxT(t), "key-a", gmailsend.EventSent); len(ids) != 1 || store.n != 1 {
		t.Fatalf("within the TTL: %v, %d reads", ids, store.n)
	}
	w.clock.add(time.Second)
	if ids, _ := s.Subscribed(ctxT(t), "key-a", gmailsend.EventSent); len(ids) != 2 || store.n != 2 {
		t.Fatalf("after the TTL: %v, %d reads", ids, store.n)
	}
	if ids, _ := s.Subscribed(ctxT(t), "key-b", gmailsend.EventSent); len(ids) != 0 || store.n != 3 {
		t.Fatalf("another caller: %v, %d reads", ids, store.n)
	}
}
