package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/dynamostream"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// TestStreamReadsBackEveryChange ensures the table's own writes (a claim, its outcome, a bounce, a suppression added and removed), seen through the stream stand-in as NEW_AND_OLD_IMAGES records, read back into the changes the status events are made of, and the events are the ones a receiver expects, in order.
func TestStreamReadsBackEveryChange(t *testing.T) {
	_, endpoint := dynalite.StartTable(t, "messages")
	p, err := dynamostream.Start(endpoint, dynamostream.Options{Tables: []string{"messages"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	tbl := dynamostore.NewWithAPI("messages", dynalite.NewClient(p.URL))
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	rec := claim("m1", now, time.Minute)
	rec.Caller, rec.Account = "key1", "desk"
	rec.RecipientKeys = bounce.RecipientKeys([]string{"a@example.com", "b@example.com"})
	if _, err := tbl.Claim(ctx, rec); err != nil {
		t.Fatal(err)
	}
	sent := *rec
	sent.Status, sent.MessageID, sent.UpdatedAt = gmailsend.StatusSent, "<m1@gmail.com>", now.Add(time.Second)
	if err := tbl.Finish(ctx, &sent); err != nil {
		t.Fatal(err)
	}
	hash := bounce.AddressHash("b@example.com")
	ev := bounce.Event{Owners: []string{"desk"}, MessageID: "<m1@gmail.com>", RecipientHash: hash, Outcome: bounce.Bounced, Status: "5.1.1", At: now.Add(time.Hour)}
	if _, applied, err := bounce.Apply(ctx, tbl, nil, ev); err != nil || applied != bounce.Updated {
		t.Fatalf("bounce: %v %v", applied, err)
	}
	sup := bounce.Suppression{Account: "acct", Address: "b@example.com", Reason: bounce.ReasonManual, CreatedAt: now}
	if _, err := tbl.Suppress(ctx, sup); err != nil {
		t.Fatal(err)
	}
	if _, err := tbl.Unsuppress(ctx, "acct", "b@example.com"); err != nil {
		t.Fatal(err)
	}
	var got []gmailsend.Event
	for _, r := range p.Stream("messages").Records() {
		c, err := dynamostore.ReadStreamRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		if c.Seq != r.Change.SequenceNumber {
			t.Fatalf("seq %q, want %q", c.Seq, r.Change.SequenceNumber)
		}
		if c.Suppression != nil {
			got = append(got, c.Suppression.Event(now))
			continue
		}
		got = append(got, gmailsend.EventsOf(c.Old, c.New)...)
	}
	want := []gmailsend.EventType{gmailsend.EventSent, gmailsend.EventBounced, gmailsend.EventSuppressed, gmailsend.EventUnsuppressed}
	if len(got) != len(want) {
		t.Fatalf("events %+v, want types %v", got, want)
	}
	for i, e := range got {
		if e.Type != want[i] {
			t.Errorf("event %d is %s, want %s", i, e.Type, want[i])
		}
	}
	if d := got[0].Data; d.MessageID != "m1" || d.APIKeyID != "key1" || d.SMTPMessageID != "<m1@gmail.com>" || d.PreviousStatus != gmailsend.StatusSending {
		t.Errorf("sent: %+v", d)
	}
	if d := got[1].Data; d.RecipientHash != hash || d.Code != "5.1.1" || d.Status != gmailsend.StatusBounced {
		t.Errorf("bounced: %+v", d)
	}
	if d := got[2].Data; d.RecipientHash != hash || d.Account != "acct" || d.Reason != bounce.ReasonManual || got[2].ID == got[3].ID {
		t.Errorf("suppressed: %+v", d)
	}
}
