package bounce_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/bounce"
)

// dsn is a notification as anyone can write one: its From and
// Return-Path fields, a top-level multipart/report of delivery status
// (wrapped in multipart/mixed when nested), one block per recipient with
// the action, status and diagnostic, and the returned headers naming
// messageID.
type dsn struct {
	from, returnPath, messageID string
	recipients                  []string
	action, status, diagnostic  string
	nested                      bool
}

func (d dsn) bytes() []byte {
	var status strings.Builder
	fmt.Fprintf(&status, "Reporting-MTA: dns; googlemail.com\r\nX-Original-Message-ID: %s\r\n", d.messageID)
	for _, r := range d.recipients {
		fmt.Fprintf(&status, "\r\nFinal-Recipient: rfc822; %s\r\nAction: %s\r\nStatus: %s\r\n", r, d.action, d.status)
		if d.diagnostic != "" {
			fmt.Fprintf(&status, "Diagnostic-Code: smtp; %s\r\n", d.diagnostic)
		}
	}
	report := "Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n" +
		"--r\r\nContent-Type: text/plain\r\n\r\nYour message wasn't delivered.\r\n" +
		"--r\r\nContent-Type: message/delivery-status\r\n\r\n" + status.String() +
		"--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: " + d.messageID + "\r\nSubject: hi\r\n" +
		"--r--\r\n"
	if d.nested {
		report = "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nSee the report.\r\n--m\r\n" + report + "--m--\r\n"
	}
	head := "From: " + d.from + "\r\nTo: " + fixture.User + "\r\nSubject: Delivery Status Notification (Failure)\r\nMIME-Version: 1.0\r\n"
	if d.returnPath != "" {
		head = "Return-Path: " + d.returnPath + "\r\n" + head
	}
	return []byte(head + report)
}

// daemon is a notification shaped exactly like Gmail's: the worst a
// forger who copies every visible trait can send.
func daemon(messageID string, recipients ...string) dsn {
	return dsn{from: "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", returnPath: "<>", messageID: messageID,
		recipients: recipients, action: "failed", status: "5.1.1", diagnostic: "550 5.1.1 The email account that you tried to reach does not exist"}
}

// TestRunForgedNotificationChangesNothing ensures each forgery of the
// issue, on its own, changes no record and suppresses no one, and is
// counted with its reason: the issue's own mail (a display name posing as
// the daemon, multipart/mixed, a stranger as Final-Recipient), a perfect
// imitation naming a stranger (only the recipient keys stop it), and
// imitations that name the real recipient but come from the wrong
// address, with a non-empty envelope sender, or with the report nested.
func TestRunForgedNotificationChangesNothing(t *testing.T) {
	const ceo = "ceo@bigcustomer.example"
	issue := []byte("Return-Path: <prankster@evil.example>\r\nFrom: \"mailer-daemon fan club\" <prankster@evil.example>\r\n" +
		"To: " + fixture.User + "\r\nSubject: Delivery Status Notification (Failure)\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=f\r\n\r\n--f\r\nContent-Type: text/plain\r\n\r\nYour message bounced.\r\n" +
		"--f\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; evil.example\r\nX-Original-Message-ID: " + gmailID + "\r\n\r\n" +
		"Final-Recipient: rfc822; " + ceo + "\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"--f\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: " + gmailID + "\r\n--f--\r\n")
	wrongFrom := daemon(gmailID, gmailTo)
	wrongFrom.from = `"mailer-daemon@googlemail.com" <prankster@evil.example>`
	withSender := daemon(gmailID, gmailTo)
	withSender.returnPath = "<prankster@evil.example>"
	nested := daemon(gmailID, gmailTo)
	nested.nested = true
	tests := []struct {
		name   string
		raw    []byte
		found  int
		reason bounce.SkipReason
	}{
		{"the issue's mail", issue, 0, ""}, // its From names no daemon: not even fetched
		{"a perfect imitation naming a stranger", daemon(gmailID, ceo).bytes(), 1, bounce.SkipNotRecipient},
		{"the daemon's address as a display name", wrongFrom.bytes(), 1, bounce.SkipUntrusted},
		{"an envelope sender", withSender.bytes(), 1, bounce.SkipUntrusted},
		{"a report nested in multipart/mixed", nested.bytes(), 1, bounce.SkipNotReport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, bounce.DefaultOptions())
			id := r.sent(t, "credential:desk", gmailID, gmailTo, "lee@example.com")
			r.deliver(t, tt.raw)
			rep := r.run(t)
			if rep.Found != tt.found || rep.Bounced != 0 || rep.Suppressed != 0 || (tt.reason != "" && rep.Skipped[tt.reason] != 1) {
				t.Errorf("report %+v", rep)
			}
			if rec, _ := r.table.Get(context.Background(), id); rec.Status != gmailsend.StatusSent || len(rec.Bounces) != 0 {
				t.Errorf("the record is %s with %v", rec.Status, rec.Bounces)
			}
			for _, a := range []string{ceo, gmailTo} {
				if suppressed(t, r, a) {
					t.Errorf("%s was suppressed", a)
				}
			}
		})
	}
}

// TestRunFloodNeverWedges ensures the issue's flood — 8 notifications of
// 100 recipients with 500-byte diagnostics, all naming one message (sent
// to 100 recipients), shaped as Gmail's — leaves that record small, the
// reader running and its checkpoint past them, and a real 5.1.1 bounce of
// another message arriving after them applied.
func TestRunFloodNeverWedges(t *testing.T) {
	r := newRig(t, bounce.DefaultOptions())
	const flooded = "<flooded.1@gmail.com>"
	var real []string
	for i := 0; i < 100; i++ {
		real = append(real, fmt.Sprintf("member-%03d@example.com", i))
	}
	target := r.sent(t, "credential:desk", flooded, real...)
	victim := r.sent(t, "credential:desk", gmailID, gmailTo)
	for n := 0; n < 8; n++ {
		d := daemon(flooded)
		d.status, d.diagnostic = "5.2.2", strings.Repeat("x", bounce.MaxDiagnostic)
		for i := 0; i < 100; i++ {
			if n == 0 {
				d.recipients = append(d.recipients, real[i]) // the message's own recipients
			} else {
				d.recipients = append(d.recipients, fmt.Sprintf("stranger-%d-%03d@example.org", n, i))
			}
		}
		r.deliver(t, d.bytes())
	}
	r.deliver(t, sample(t, "gmail-failure.eml"))

	// Runs until the checkpoint is past them all, each without an error
	// and making progress: a slow machine may need more than one run for
	// the 800 blocks, and a notification cut by a run's reserve is read
	// again whole (what it had applied is then a duplicate).
	bounced, suppressedN, strangers := 0, 0, 0
	for last := uint32(0); last < 9; {
		rep := r.run(t)
		if rep.LastUID <= last {
			t.Fatalf("a run made no progress: %+v", rep)
		}
		last = rep.LastUID
		bounced, suppressedN, strangers = bounced+rep.Bounced, suppressedN+rep.Suppressed, strangers+rep.Skipped[bounce.SkipNotRecipient]
	}
	if bounced != 101 || suppressedN != 1 || strangers != 7 {
		t.Fatalf("runs bounced %d, suppressed %d, skipped %d as not_recipient", bounced, suppressedN, strangers)
	}
	if r.status(t, victim) != gmailsend.StatusBounced || !suppressed(t, r, gmailTo) {
		t.Error("the real bounce after the flood was not applied")
	}
	rec, _ := r.table.Get(context.Background(), target)
	if len(rec.Bounces) != 100 {
		t.Errorf("the flooded record holds %d entries, want its 100 recipients", len(rec.Bounces))
	}
	if rep := r.run(t); rep.Found != 0 {
		t.Errorf("the next run found %d", rep.Found)
	}
}

// TestRunPassesOverARefusedNotification ensures a notification the table
// keeps refusing (a record dynalite will not let grow) stops the run and
// is read again for MaxApplyAttempts runs, then is counted, logged and
// passed over, and the good notification after it is applied in that run.
func TestRunPassesOverARefusedNotification(t *testing.T) {
	r := newRig(t, bounce.DefaultOptions())
	stuck := r.sent(t, "credential:desk", postfixID, postfixTo)
	good := r.sent(t, "credential:desk", gmailID, gmailTo)
	fillRecord(t, r.dynamo, stuck)
	r.deliver(t, sample(t, "postfix-failed.eml"))
	r.deliver(t, sample(t, "gmail-failure.eml"))

	ctx := context.Background()
	for attempt := 1; attempt < bounce.MaxApplyAttempts; attempt++ {
		rep, err := r.reader.Run(ctx, r.acct)
		if err == nil || rep.LastUID != 0 {
			t.Fatalf("run %d: %+v %v, want a failure before the first notification", attempt, rep, err)
		}
		cp, _ := r.table.Checkpoint(ctx, bounce.AccountKey(fixture.User))
		if cp.FailingUID != 1 || cp.Failures != attempt {
			t.Fatalf("run %d: checkpoint %+v", attempt, cp)
		}
	}
	rep := r.run(t)
	if rep.Skipped[bounce.SkipFailing] != 1 || rep.Bounced != 1 || rep.LastUID != 2 {
		t.Fatalf("run %d: %+v", bounce.MaxApplyAttempts, rep)
	}
	if r.status(t, good) != gmailsend.StatusBounced || r.status(t, stuck) != gmailsend.StatusSent {
		t.Errorf("records: good %s, stuck %s", r.status(t, good), r.status(t, stuck))
	}
	if cp, _ := r.table.Checkpoint(ctx, bounce.AccountKey(fixture.User)); cp.FailingUID != 0 || cp.LastUID != 2 {
		t.Errorf("checkpoint %+v", cp)
	}
	if rep := r.run(t); rep.Found != 0 {
		t.Errorf("the next run found %d", rep.Found)
	}
}

// fillRecord pads a record to just under DynamoDB's item limit, so the
// table refuses any update that would grow it by a bounce entry.
func fillRecord(t *testing.T, client *dynamodb.Client, id string) {
	t.Helper()
	ctx := context.Background()
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "msg#" + id}, "sk": &types.AttributeValueMemberS{Value: "msg"}}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("messages"), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	// The largest padding the table accepts, to 32 bytes.
	for pad := 400 * 1024; pad > 399*1024; pad -= 32 {
		got.Item["padding"] = &types.AttributeValueMemberS{Value: strings.Repeat("p", pad)}
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("messages"), Item: got.Item}); err == nil {
			return
		}
	}
	t.Fatal("the table took no padded record")
}
