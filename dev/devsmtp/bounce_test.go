package devsmtp_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/enmimedsn"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// TestBounceDomain ensures mail to addresses at the bounce domain puts one
// Gmail-style notification per such recipient in the sender's IMAP INBOX,
// naming the original's Message-ID, with the outcome the local part
// chooses, while the other recipient gets none.
func TestBounceDomain(t *testing.T) {
	inbox, ca := devimap.StartTest(t, devimap.Options{Users: map[string]string{fixture.User: fixture.Password}})
	tlsCfg, err := ca.ServerTLS()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := devsmtp.Start(devsmtp.Options{TLS: tlsCfg, Users: map[string]string{fixture.User: fixture.Password}, Bounces: inbox})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	m := gomail.NewMessage()
	m.SetHeader("From", fixture.User)
	m.SetHeader("To", "kim@example.com", "nobody@"+devsmtp.BounceDomain, "delayed-1@"+devsmtp.BounceDomain)
	m.SetHeader("Message-ID", "<orig.1@gmail.com>")
	m.SetHeader("Subject", "hello")
	m.SetBody("text/plain", "hi")
	c := smtp.New(smtp.Config{Host: "127.0.0.1", Port: srv.Port, RootCAs: ca.Pool()})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Send(ctx, smtp.Credentials{User: fixture.User, Password: fixture.Password}, m); err != nil {
		t.Fatal(err)
	}
	if n, _ := inbox.Count(fixture.User, "INBOX"); n != 2 {
		t.Fatalf("%d notifications in the sender's INBOX, want 2", n)
	}
	// Read them back the way the bounce reader does.
	dsn, err := devsmtp.GmailDSN(fixture.User, "nobody@"+devsmtp.BounceDomain, srv.Messages()[0].Data, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	n, err := enmimedsn.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	r := n.Recipients[0]
	if n.MessageID != "<orig.1@gmail.com>" || r.Address != "nobody@bounce.test" || r.Status != "5.1.1" || !r.Suppress() {
		t.Errorf("parsed %+v", n)
	}
	for local, want := range map[string]bounce.Outcome{"delay-x": bounce.Delayed, "full": bounce.Bounced, "disabled": bounce.Bounced} {
		dsn, _ := devsmtp.GmailDSN(fixture.User, local+"@"+devsmtp.BounceDomain, srv.Messages()[0].Data, time.Now())
		n, err := enmimedsn.Parse(dsn)
		if err != nil || n.Recipients[0].Outcome() != want || n.Recipients[0].Suppress() != (local == "disabled") {
			t.Errorf("%s: %+v %v", local, n, err)
		}
	}
}
