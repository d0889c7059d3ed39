package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// sentRecord writes a finished "sent" record with a Message-ID, sent to
// the recipients (none: a record written before records kept them).
func sentRecord(t *testing.T, tbl *dynamostore.Table, account, messageID string, recipients ...string) string {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	r := claim(gmailsend.NewID(), now, time.Minute)
	r.Keyed, r.KeyUntil, r.Account = false, time.Time{}, account
	r.Recipients, r.RecipientKeys = len(recipients), bounce.RecipientKeys(recipients)
	if _, err := tbl.Claim(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	r.Status, r.MessageID = gmailsend.StatusSent, messageID
	if err := tbl.Finish(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// TestRecordBounce ensures a bounce finds its record through the
// Message-ID index, turns it bounced, is a duplicate the second time,
// keeps a later delay from downgrading it, and never touches a record of
// another account, an unknown Message-ID, an address that was not a
// recipient of the message, or a record that keeps no recipient keys.
func TestRecordBounce(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	id := sentRecord(t, tbl, "credential:desk", "<m1@gmail.com>", "a@example.com", "B@Example.com")
	other := sentRecord(t, tbl, "credential:other", "<m2@gmail.com>", "a@example.com")
	old := sentRecord(t, tbl, "credential:desk", "<m3@gmail.com>")
	ev := bounce.Event{Owners: []string{"credential:desk", "addr:1"}, MessageID: "<m1@gmail.com>",
		RecipientHash: bounce.AddressHash("a@example.com"), Outcome: bounce.Delayed, Status: "4.4.1", At: time.Now()}

	steps := []struct {
		name    string
		change  func(*bounce.Event)
		applied bounce.Applied
		status  gmailsend.Status
	}{
		{"delay", func(*bounce.Event) {}, bounce.Updated, gmailsend.StatusDelayed},
		{"same delay again", func(*bounce.Event) {}, bounce.Duplicate, gmailsend.StatusDelayed},
		{"then failed", func(e *bounce.Event) { e.Outcome, e.Status = bounce.Bounced, "5.1.1" }, bounce.Updated, gmailsend.StatusBounced},
		{"failure again", func(*bounce.Event) {}, bounce.Duplicate, gmailsend.StatusBounced},
		{"late delay", func(e *bounce.Event) { e.Outcome = bounce.Delayed }, bounce.Duplicate, gmailsend.StatusBounced},
		{"other recipient delayed", func(e *bounce.Event) { e.RecipientHash = bounce.AddressHash("b@example.com") }, bounce.Updated, gmailsend.StatusBounced},
		{"not a recipient", func(e *bounce.Event) {
			e.RecipientHash, e.Outcome = bounce.AddressHash("ceo@example.org"), bounce.Bounced
		}, bounce.NotRecipient, gmailsend.StatusBounced},
	}
	for _, s := range steps {
		s.change(&ev)
		gotID, applied, err := bounce.Apply(ctx, tbl, nil, ev)
		if err != nil || applied != s.applied || gotID != id {
			t.Fatalf("%s: %q %v %v, want %q %v", s.name, gotID, applied, err, id, s.applied)
		}
		if r, _ := tbl.Get(ctx, id); r.Status != s.status {
			t.Fatalf("%s: status %s, want %s", s.name, r.Status, s.status)
		}
	}
	for name, e := range map[string]bounce.Event{
		"another account's message": {Owners: ev.Owners, MessageID: "<m2@gmail.com>", RecipientHash: "x", Outcome: bounce.Bounced},
		"unknown Message-ID":        {Owners: ev.Owners, MessageID: "<nope@gmail.com>", RecipientHash: "x", Outcome: bounce.Bounced},
	} {
		if _, applied, err := bounce.Apply(ctx, tbl, nil, e); err != nil || applied != bounce.NotFound {
			t.Errorf("%s: %v %v", name, applied, err)
		}
	}
	e := bounce.Event{Owners: ev.Owners, MessageID: "<m3@gmail.com>", RecipientHash: bounce.AddressHash("a@example.com"), Outcome: bounce.Bounced}
	if _, applied, err := bounce.Apply(ctx, tbl, nil, e); err != nil || applied != bounce.NotRecipient {
		t.Errorf("a record without recipient keys: %v %v", applied, err)
	}
	if r, _ := tbl.Get(ctx, old); r.Status != gmailsend.StatusSent || len(r.Bounces) != 0 {
		t.Errorf("the record without keys is %s with %v", r.Status, r.Bounces)
	}
	rec, _ := tbl.Get(ctx, id)
	mark := rec.Bounces[bounce.AddressHash("a@example.com")]
	if len(rec.Bounces) != 2 || mark.Action != "bounced" || mark.Status != "5.1.1" || mark.At.IsZero() {
		t.Errorf("bounces read back: %+v", rec.Bounces)
	}
	if r, _ := tbl.Get(ctx, other); r.Status != gmailsend.StatusSent {
		t.Errorf("the other account's record is %s", r.Status)
	}
}

// TestCheckpoint ensures a checkpoint (with its failing notification)
// reads back per account, zero before the first save.
func TestCheckpoint(t *testing.T) {
	tbl := newTable(t)
	ctx := context.Background()
	if c, err := tbl.Checkpoint(ctx, "addr:1"); err != nil || c != (bounce.Checkpoint{}) {
		t.Fatalf("first: %+v %v", c, err)
	}
	want := bounce.Checkpoint{UIDValidity: 7, LastUID: 42, FailingUID: 43, Failures: 2}
	if err := tbl.SaveCheckpoint(ctx, "addr:1", want); err != nil {
		t.Fatal(err)
	}
	if c, err := tbl.Checkpoint(ctx, "addr:1"); err != nil || c != want {
		t.Errorf("read back %+v %v", c, err)
	}
	if c, _ := tbl.Checkpoint(ctx, "addr:2"); c != (bounce.Checkpoint{}) {
		t.Errorf("another account sees %+v", c)
	}
}
