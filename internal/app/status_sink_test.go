package app_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/bounceapp"
)

// recordingSink is a status sink that keeps every change it is told of.
type recordingSink struct {
	mu      sync.Mutex
	changes []gmailsend.StatusChange
}

func (r *recordingSink) StatusChanged(_ context.Context, c gmailsend.StatusChange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
}

// paths is each message's changes in order, as "new→queued queued→sending …"
// ("new" for a record written without reading it first).
func (r *recordingSink) paths() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]string{}
	for _, c := range r.changes {
		from := string(c.From)
		if from == "" {
			from = "new"
		}
		out[c.ID] = strings.TrimSpace(out[c.ID] + " " + from + "→" + string(c.To))
	}
	return out
}

// last is the last change the sink saw that moved a record to status to.
func (r *recordingSink) last(to gmailsend.Status) gmailsend.StatusChange {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.changes) - 1; i >= 0; i-- {
		if r.changes[i].To == to {
			return r.changes[i]
		}
	}
	return gmailsend.StatusChange{}
}

// TestStatusSinkSeesEveryTransition ensures the status sink wired through app.Parts sees, once each and in order, every status change of a POST /send that bounces, a POST /send the server refuses, a queued send retried after a 451, and a scheduled send cancelled — from both functions — and nothing else.
func TestStatusSinkSeesEveryTransition(t *testing.T) {
	sink := &recordingSink{}
	var refuseNextMail atomic.Bool
	inbox, ca := devimap.StartTest(t, devimap.Options{Users: map[string]string{fixture.User: fixture.Password}})
	h := newHarness(t, setup{Store: true, Queue: true, SMTP: devsmtp.Options{Bounces: inbox, Reject: func(stage, arg string) error {
		if stage == "MAIL" && refuseNextMail.CompareAndSwap(true, false) {
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Temporary System Problem. Try again later"}
		}
		if stage == "RCPT" && strings.Contains(arg, "gone@") {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}}, Parts: func(p *app.Parts) { p.StatusSink = sink }})
	h.storeDesk()

	bounced := h.postSend(t, storeRequest(fixture.User, "nobody@"+devsmtp.BounceDomain, nil), "key-a", "")
	if bounced.StatusCode != 200 {
		t.Fatalf("send: %d %s", bounced.StatusCode, bounced.Body)
	}
	if resp := h.postSend(t, storeRequest(fixture.User, "gone@example.com", nil), "key-a", ""); resp.StatusCode == 200 {
		t.Fatalf("a refused recipient was sent: %s", resp.Body)
	}
	var queued, scheduled acceptedBody
	decodeJSON(t, h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "retried", nil)).Body, &queued)
	refuseNextMail.Store(true)
	waitFor(t, 15*time.Second, func() bool { // the retry comes after the visibility timeout
		_, _ = h.queue.sqs.Poll(context.Background(), mapping, h.invoker(t), 100*time.Millisecond)
		return h.srv.Stats().Messages == 2
	})
	at := time.Now().Add(time.Hour).Format(time.RFC3339)
	decodeJSON(t, h.callAPI(t, "POST", "/messages", queuedRequest("desk", "lee@example.com", "cancelled", map[string]any{"scheduledAt": at})).Body, &scheduled)
	if resp := h.callAPI(t, "DELETE", "/messages/"+scheduled.ID, ""); resp.StatusCode != 200 {
		t.Fatalf("cancel: %d %s", resp.StatusCode, resp.Body)
	}
	readBounces(t, h, inbox, ca.PEM, sink)

	sentID := decodeBody[sentBody](t, bounced).ID
	failedID := sink.last(gmailsend.StatusFailed).ID
	want := map[string]string{
		sentID:       "new→sending sending→sent sent→bounced",
		failedID:     "new→sending sending→failed",
		queued.ID:    "new→queued queued→sending sending→queued queued→sending sending→sent",
		scheduled.ID: "new→scheduled scheduled→cancelled",
	}
	got := sink.paths()
	for id, path := range want {
		if got[id] != path {
			t.Errorf("message %s: the sink saw %q, want %q", id, got[id], path)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the sink saw %d messages, want %d: %v", len(got), len(want), got)
	}
	checkChangeFields(t, sink)
}

// checkChangeFields checks what the changes say beyond their statuses.
func checkChangeFields(t *testing.T, sink *recordingSink) {
	t.Helper()
	sent, b, failed := sink.last(gmailsend.StatusSent), sink.last(gmailsend.StatusBounced), sink.last(gmailsend.StatusFailed)
	if sent.Account == "" || sent.MessageID == "" || sent.Source != "apigateway-rest" {
		t.Errorf("sent: %+v", sent)
	}
	if failed.Code != "smtp_rejected" || failed.Source != "apigateway-rest" {
		t.Errorf("failed: %+v", failed)
	}
	if b.Source != "bounce" || b.Recipient == "" || !strings.HasPrefix(b.Code, "5.") {
		t.Errorf("bounced: %+v", b)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if i := slices.IndexFunc(sink.changes, func(c gmailsend.StatusChange) bool { return c.At.IsZero() }); i >= 0 {
		t.Errorf("a change without its time: %+v", sink.changes[i])
	}
}

// readBounces runs the real bounce reader, with sink, over the sender's
// inbox once the development server's notification is in it.
func readBounces(t *testing.T, h *harness, inbox *devimap.Server, caPEM []byte, sink gmailsend.StatusSink) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := inbox.Count(fixture.User, "INBOX"); n < 1 && time.Now().Before(deadline); n, _ = inbox.Count(fixture.User, "INBOX") {
		time.Sleep(20 * time.Millisecond)
	}
	caFile := filepath.Join(t.TempDir(), "imap-ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	h.secrets.Put("gmailsend/bounce-desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, fixture.Password))
	cfg := app.Defaults()
	cfg.MessagesTable, cfg.SMTPCAFile = "messages", caFile
	cfg.Bounces.IMAPHost, cfg.Bounces.IMAPPort, cfg.Bounces.Credentials = inbox.Host, inbox.Port, []string{"bounce-desk"}
	b, err := bounceapp.Build(cfg, app.Parts{Secrets: awssecrets.NewWithAPI(h.secrets.Client()), DynamoDB: h.dynamo,
		Log: io.Discard, StatusSink: sink})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if sum, err := b.Invoke(ctx, nil); err != nil || len(sum.Accounts) != 1 || sum.Accounts[0].Bounced != 1 {
		t.Fatalf("bounce run: %+v %v", sum, err)
	}
}
