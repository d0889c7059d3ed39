package dynamostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// TestWebhookWritesAreConditional ensures an endpoint reads back as written, a rotation conditional on a stale secrets version loses (ErrStatusChanged) while the current one wins, after a delete neither a rotation, a disable, a re-enable nor a recorded failure brings the endpoint back (ErrNotFound, no item), and a new endpoint in the freed slot is never touched by a change naming the old id, while a third one cannot take its slot (ErrSlotTaken).
func TestWebhookWritesAreConditional(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	tbl := dynamostore.NewWithAPI("messages", client)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	const id = "wh_0123456789abcdef0123456789abcd03" // slot 3
	e := &webhooks.Endpoint{ID: id, URL: "https://example.com/h", Events: []gmailsend.EventType{gmailsend.EventSent}, Enabled: true, CreatedAt: at}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Created, Caller: "key-a", ID: id, Endpoint: e, SealedSecrets: []byte{1, 2}, SecretsVersion: 1}); err != nil {
		t.Fatal(err)
	}
	got, err := tbl.WebhookEndpoint(ctx, "key-a", id)
	if err != nil || got.URL != e.URL || !got.CreatedAt.Equal(at) || got.Caller != "key-a" || len(got.Events) != 1 || got.SecretsVersion != 1 || !got.Enabled {
		t.Fatalf("read back %+v %v", got, err)
	}
	if _, err := tbl.WebhookEndpoint(ctx, "key-b", id); !errors.Is(err, gmailsend.ErrNotFound) {
		t.Fatalf("another caller: %v", err)
	}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Rotated, Caller: "key-a", ID: id, SealedSecrets: []byte{3}, SecretsVersion: 2}); err != nil {
		t.Fatal(err)
	}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Rotated, Caller: "key-a", ID: id, SealedSecrets: []byte{4}, SecretsVersion: 2}); !errors.Is(err, gmailsend.ErrStatusChanged) {
		t.Fatalf("stale rotation: %v", err)
	}
	if got, _ := tbl.WebhookEndpoint(ctx, "key-a", id); string(got.SealedSecrets) != "\x03" || got.SecretsVersion != 2 {
		t.Fatalf("after the race: %+v", got)
	}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Deleted, Caller: "key-a", ID: id}); err != nil {
		t.Fatal(err)
	}
	for _, c := range everyChangeOf("key-a", id, at) {
		if err := tbl.ApplyWebhookChange(ctx, c); !errors.Is(err, gmailsend.ErrNotFound) {
			t.Errorf("change %d after delete: %v", c.Kind, err)
		}
	}
	if list, err := tbl.WebhookEndpoints(ctx, "key-a"); err != nil || len(list) != 0 {
		t.Fatalf("after delete: %+v %v", list, err)
	}
	// The slot is free again: a new endpoint takes it, and the old id
	// reaches neither it nor anything else.
	const next = "wh_fedcba9876543210fedcba9876543203" // slot 3 too
	e2 := &webhooks.Endpoint{ID: next, URL: "https://example.com/two", Events: []gmailsend.EventType{}, Enabled: true, CreatedAt: at}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Created, Caller: "key-a", ID: next, Endpoint: e2, SealedSecrets: []byte{9}, SecretsVersion: 1}); err != nil {
		t.Fatal(err)
	}
	for _, c := range everyChangeOf("key-a", id, at) {
		if err := tbl.ApplyWebhookChange(ctx, c); !errors.Is(err, gmailsend.ErrNotFound) {
			t.Errorf("change %d naming the old id: %v", c.Kind, err)
		}
	}
	if _, err := tbl.WebhookEndpoint(ctx, "key-a", id); !errors.Is(err, gmailsend.ErrNotFound) {
		t.Fatalf("the old id reads %v", err)
	}
	if got, err := tbl.WebhookEndpoint(ctx, "key-a", next); err != nil || got.URL != e2.URL || !got.Enabled || string(got.SealedSecrets) != "\x09" || len(got.Failures) != 0 {
		t.Fatalf("the slot's new endpoint: %+v %v", got, err)
	}
	third := &webhooks.Endpoint{ID: "wh_00000000000000000000000000000003", URL: "https://example.com/3", Enabled: true, CreatedAt: at}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Created, Caller: "key-a", ID: third.ID, Endpoint: third, SealedSecrets: []byte{1}, SecretsVersion: 1}); !errors.Is(err, webhooks.ErrSlotTaken) {
		t.Fatalf("a taken slot: %v", err)
	}
}

// everyChangeOf is one of each change an existing endpoint can take, all
// naming caller's endpoint id.
func everyChangeOf(caller, id string, at time.Time) []webhooks.Change {
	cs := []webhooks.Change{
		{Kind: webhooks.Rotated, SealedSecrets: []byte{5}, SecretsVersion: 3},
		{Kind: webhooks.Disabled, Reason: webhooks.ReasonGone},
		{Kind: webhooks.Reenabled},
		{Kind: webhooks.FailureRecorded, Failures: []webhooks.Failure{{At: at, EventID: "evt", Attempt: 1, Status: 500}}},
		{Kind: webhooks.Deleted},
	}
	for i := range cs {
		cs[i].Caller, cs[i].ID = caller, id
	}
	return cs
}
