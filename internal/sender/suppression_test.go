package sender

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// TestSuppressedRecipientIsRefused ensures a send naming a suppressed
// address anywhere (here in cc, in another case) is refused with 422
// recipient_suppressed naming the field and the address, nothing is
// delivered, and the same send goes out once the entry is removed.
func TestSuppressedRecipientIsRefused(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	table := dynamostore.NewWithAPI("messages", client)
	ctx := context.Background()
	if _, err := table.Suppress(ctx, bounce.Suppression{Account: bounce.AccountKey("Me@Gmail.com"), Address: "gone@example.net",
		Reason: bounce.ReasonBounce, Status: "5.1.1", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	d := &scriptedDeliverer{}
	s := &Sender{Limits: gmailsend.DefaultLimits(), Credentials: &countingResolver{login: credential.Login{User: "me@gmail.com", Password: "p"}},
		Deliver: d, Suppressions: table}
	req := `{"user":"me@gmail.com","password":"p","toEmail":["a@example.com"],"cc":["b@example.com","GONE@example.net"],"subject":"s","message":"m"}`
	_, _, err := s.Send(ctx, []byte(req))
	e := gmailsend.AsError(err)
	if e.Code != gmailsend.CodeRecipientSuppressed || e.Field != "cc[1]" || !strings.Contains(e.Message, "GONE@example.net") {
		t.Fatalf("err = %+v", e)
	}
	if len(d.calls) != 0 {
		t.Fatal("a suppressed send reached the SMTP server")
	}
	// Another mailbox's list is its own.
	other := strings.Replace(req, `"user":"me@gmail.com"`, `"user":"other@gmail.com"`, 1)
	s.Credentials = &countingResolver{login: credential.Login{User: "other@gmail.com", Password: "p"}}
	if _, _, err := s.Send(ctx, []byte(other)); err != nil || len(d.calls) != 1 {
		t.Fatalf("another account: %v, %d deliveries", err, len(d.calls))
	}
	if _, err := table.Unsuppress(ctx, bounce.AccountKey("me@gmail.com"), "gone@example.net"); err != nil {
		t.Fatal(err)
	}
	s.Credentials = &countingResolver{login: credential.Login{User: "me@gmail.com", Password: "p"}}
	if _, _, err := s.Send(ctx, []byte(req)); err != nil || len(d.calls) != 2 {
		t.Fatalf("after removal: %v, %d deliveries", err, len(d.calls))
	}
}

// TestQueuedSendToSuppressedIsRefused ensures POST /messages and
// /messages/batch refuse a suppressed recipient when the message is
// accepted (422, the field prefixed with the batch item), not later in the
// queue.
func TestQueuedSendToSuppressedIsRefused(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	table := dynamostore.NewWithAPI("messages", client)
	ctx := context.Background()
	if _, err := table.Suppress(ctx, bounce.Suppression{Account: bounce.AccountKey("me@gmail.com"), Address: "gone@example.net",
		Reason: bounce.ReasonManual, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s := &Sender{Limits: gmailsend.DefaultLimits(), Credentials: &countingResolver{login: credential.Login{User: "me@gmail.com", Password: "p", Stored: "desk"}},
		Suppressions: table, Durability: testDurability()}
	p, err := s.checkQueued(ctx, []byte(`{"credential":"desk","toEmail":"a@example.com","bcc":"gone@example.net","subject":"s","message":"m"}`), Origin{}, "messages[2].", true)
	if err != nil {
		t.Fatal(err)
	}
	err = prefixed(s.checkSendable(ctx, []*prepared{p})[0], "messages[2].")
	if e := gmailsend.AsError(err); e.Code != gmailsend.CodeRecipientSuppressed || e.Field != "messages[2].bcc[0]" {
		t.Fatalf("err = %+v", e)
	}
	if p, err = s.checkQueued(ctx, []byte(`{"credential":"desk","toEmail":"a@example.com","subject":"s","message":"m"}`), Origin{}, "", true); err != nil {
		t.Fatalf("an unsuppressed message: %v", err)
	}
	if err := s.checkSendable(ctx, []*prepared{p})[0]; err != nil {
		t.Fatalf("an unsuppressed message: %v", err)
	}
}

// TestSuppressedItemTakesNoHeadroom ensures the suppression and quota checks that run side by side at acceptance refuse a suppressed item as such, and that it does not count toward its account's headroom (with room for one message, the other item of the batch still fits).
func TestSuppressedItemTakesNoHeadroom(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	table := dynamostore.NewWithAPI("messages", client)
	ctx := context.Background()
	if _, err := table.Suppress(ctx, bounce.Suppression{Account: bounce.AccountKey("me@gmail.com"), Address: "gone@example.net",
		Reason: bounce.ReasonManual, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	d := testDurability()
	d.Quota = &gmailsend.Guard{Buckets: table, Now: time.Now}
	d.Limits = gmailsend.QuotaLimits{Messages: 1, Recipients: 10}
	s := &Sender{Limits: gmailsend.DefaultLimits(), Credentials: &countingResolver{login: credential.Login{User: "me@gmail.com", Password: "p", Stored: "desk"}},
		Suppressions: table, Durability: d}
	var ps []*prepared
	for _, to := range []string{"gone@example.net", "a@example.com"} {
		p, err := s.checkQueued(ctx, []byte(`{"credential":"desk","toEmail":"`+to+`","subject":"s","message":"m"}`), Origin{}, "", false)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	errs := s.checkSendable(ctx, ps)
	if e := gmailsend.AsError(errs[0]); e == nil || e.Code != gmailsend.CodeRecipientSuppressed {
		t.Fatalf("the suppressed item: %v", errs[0])
	}
	if errs[1] != nil {
		t.Fatalf("the other item must fit the one message of headroom: %v", errs[1])
	}
	ps[0] = ps[1]
	if e := gmailsend.AsError(s.checkSendable(ctx, ps)[1]); e == nil || e.Code != gmailsend.CodeQuotaExceeded {
		t.Fatalf("two unsuppressed messages against room for one: %v", e)
	}
}
