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

// TestWebhookWritesAreConditional ensures an endpoint reads back as written, a rotation conditional on a stale secrets version loses (ErrStatusChanged) while the current one wins, and after a delete neither a rotation, a disable nor a recorded failure brings the endpoint back (ErrNotFound, no item).
func TestWebhookWritesAreConditional(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	tbl := dynamostore.NewWithAPI("messages", client)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	e := &webhooks.Endpoint{ID: "wh_1", URL: "https://example.com/h", Events: []gmailsend.EventType{gmailsend.EventSent}, Enabled: true, CreatedAt: at}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Created, Caller: "key-a", ID: "wh_1", Endpoint: e, SealedSecrets: []byte{1, 2}, SecretsVersion: 1}); err != nil {
		t.Fatal(err)
	}
	got, err := tbl.WebhookEndpoint(ctx, "key-a", "wh_1")
	if err != nil || got.URL != e.URL || !got.CreatedAt.Equal(at) || got.Caller != "key-a" || len(got.Events) != 1 || got.SecretsVersion != 1 || !got.Enabled {
		t.Fatalf("read back %+v %v", got, err)
	}
	if _, err := tbl.WebhookEndpoint(ctx, "key-b", "wh_1"); !errors.Is(err, gmailsend.ErrNotFound) {
		t.Fatalf("another caller: %v", err)
	}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Rotated, Caller: "key-a", ID: "wh_1", SealedSecrets: []byte{3}, SecretsVersion: 2}); err != nil {
		t.Fatal(err)
	}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Rotated, Caller: "key-a", ID: "wh_1", SealedSecrets: []byte{4}, SecretsVersion: 2}); !errors.Is(err, gmailsend.ErrStatusChanged) {
		t.Fatalf("stale rotation: %v", err)
	}
	if got, _ := tbl.WebhookEndpoint(ctx, "key-a", "wh_1"); string(got.SealedSecrets) != "\x03" || got.SecretsVersion != 2 {
		t.Fatalf("after the race: %+v", got)
	}
	if err := tbl.ApplyWebhookChange(ctx, webhooks.Change{Kind: webhooks.Deleted, Caller: "key-a", ID: "wh_1"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []webhooks.Change{
		{Kind: webhooks.Rotated, SealedSecrets: []byte{5}, SecretsVersion: 3},
		{Kind: webhooks.Disabled, Reason: webhooks.ReasonGone},
		{Kind: webhooks.FailureRecorded, Failures: []webhooks.Failure{{At: at, EventID: "evt", Attempt: 1, Status: 500}}},
		{Kind: webhooks.Deleted},
	} {
		c.Caller, c.ID = "key-a", "wh_1"
		if err := tbl.ApplyWebhookChange(ctx, c); !errors.Is(err, gmailsend.ErrNotFound) {
			t.Errorf("change %d after delete: %v", c.Kind, err)
		}
	}
	if list, err := tbl.WebhookEndpoints(ctx, "key-a"); err != nil || len(list) != 0 {
		t.Fatalf("after delete: %+v %v", list, err)
	}
}
