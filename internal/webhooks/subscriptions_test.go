package webhooks_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/sender"
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

// storedSecrets is Secrets Manager as the credential resolver sees it.
type storedSecrets map[string]string

func (s storedSecrets) FetchSecret(_ context.Context, id string) ([]byte, error) {
	v, ok := s[id]
	if !ok {
		return nil, gmailsend.Errorf(gmailsend.CodeCredentialNotFound, "credential", "no secret %s", id)
	}
	return []byte(v), nil
}

// TestSuppressionEventsReachOnlyAllowedCallers ensures an endpoint follows a stored credential's suppression list only when its API key may use that credential (checked by the real resolver, as /suppressions checks it): the allowed key's endpoint receives the list's recipient.suppressed event, signed and naming the recipient by hash only; another key is refused at registration with forbidden on field credentials (the same answer as for a credential that does not exist) and never receives it, nor does an endpoint that follows no credential; recipient.* events without credentials are refused.
func TestSuppressionEventsReachOnlyAllowedCallers(t *testing.T) {
	w := newWorld(t)
	ctx := ctxT(t)
	resolver := credential.NewResolver(credential.Policy{Prefix: "gmailsend/"}, storedSecrets{
		"gmailsend/desk":  `{"user":"desk@gmail.com","password":"abcdefghijklmnop","allowedCallers":["key-a"]}`,
		"gmailsend/sales": `{"user":"sales@gmail.com","password":"abcdefghijklmnop","allowedCallers":["key-b"]}`,
	}, nil)
	w.registry.Accounts = &sender.Suppressions{Credentials: resolver}
	url := w.receiver.srv.URL + "/hook"

	follower, err := w.registry.Create(ctx, "key-a", webhooks.CreateInput{URL: url, Events: []string{"recipient.suppressed"}, Credentials: []string{"desk", "desk"}})
	if err != nil || len(follower.Credentials) != 1 || follower.Credentials[0] != "desk" {
		t.Fatalf("allowed key: %+v %v", follower, err)
	}
	w.create(t, "key-a") // every type, but follows no list
	for _, name := range []string{"desk", "nosuch"} {
		_, err := w.registry.Create(ctx, "key-b", webhooks.CreateInput{URL: url, Credentials: []string{"sales", name}})
		if e := gmailsend.AsError(err); e == nil || e.Code != gmailsend.CodeForbidden || e.Field != "credentials" {
			t.Fatalf("key-b following %s: %v, want forbidden on credentials", name, err)
		}
	}
	_, err = w.registry.Create(ctx, "key-b", webhooks.CreateInput{URL: url, Events: []string{"recipient.unsuppressed"}})
	if e := gmailsend.AsError(err); e == nil || e.Code != gmailsend.CodeInvalidRequest || e.Field != "credentials" {
		t.Fatalf("recipient events without credentials: %v", err)
	}
	sales, err := w.registry.Create(ctx, "key-b", webhooks.CreateInput{URL: url, Credentials: []string{"sales"}})
	if err != nil {
		t.Fatal(err)
	}

	q := &queued{}
	f := &statusevents.Fanout{Endpoints: &webhooks.Subscriptions{Store: w.table, Now: w.clock.now}, Deliveries: q, Now: w.clock.now}
	desk, hash := bounce.AccountKey("desk@gmail.com"), bounce.AddressHash("gone@example.net")
	changes := []statusevents.Change{
		{Seq: "1", Suppression: &gmailsend.SuppressionChange{Added: true, Account: desk, RecipientHash: hash, Reason: "bounced", CreatedAt: w.clock.now()}},
		{Seq: "2", Suppression: &gmailsend.SuppressionChange{Account: desk, RecipientHash: hash, CreatedAt: w.clock.now()}}, // follower takes suppressed only
		{Seq: "3", Suppression: &gmailsend.SuppressionChange{Added: true, Account: bounce.AccountKey("other@gmail.com"), RecipientHash: hash, CreatedAt: w.clock.now()}},
	}
	if rep, err := f.Handle(ctx, changes); rep.RetryFrom != "" || err != nil {
		t.Fatalf("fan-out: %q %v", rep.RetryFrom, err)
	}
	if len(q.ds) != 1 || q.ds[0].Caller != "key-a" || q.ds[0].Endpoint != follower.ID || q.ds[0].Event.Type != gmailsend.EventSuppressed {
		t.Fatalf("queued %+v, want one recipient.suppressed to %s only", q.ds, follower.ID)
	}
	if res := w.deliverer.Deliver(ctx, q.ds[0], 1); res.Reason != "delivered" {
		t.Fatalf("delivery: %+v", res)
	}
	got := w.receiver.arrivals()
	if len(got) != 1 || !got[0].signedBy(t, follower.Secret) || !strings.Contains(string(got[0].Body), hash) || strings.Contains(string(got[0].Body), "gone@") {
		t.Fatalf("arrived %+v", got)
	}

	// sales' own list reaches key-b's endpoint, and only it.
	q.ds = nil
	sold := []statusevents.Change{{Seq: "4", Suppression: &gmailsend.SuppressionChange{Added: true, Account: bounce.AccountKey("sales@gmail.com"), RecipientHash: hash, CreatedAt: w.clock.now()}}}
	if _, err := f.Handle(ctx, sold); err != nil || len(q.ds) != 1 || q.ds[0].Caller != "key-b" || q.ds[0].Endpoint != sales.ID {
		t.Fatalf("sales' list: %+v %v", q.ds, err)
	}
}
