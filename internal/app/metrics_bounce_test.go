package app_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/bounceapp"
)

// TestMetricsOfTheBounceReader ensures a run of the real bounce reader over a mailbox holding the notification of a real bounced send publishes BouncesFound and NotificationsSkipped under the reading credential and the skip's reason, in a valid metric line with no address.
func TestMetricsOfTheBounceReader(t *testing.T) {
	inbox, ca := devimap.StartTest(t, devimap.Options{Users: map[string]string{fixture.User: fixture.Password}})
	h := newHarness(t, setup{Store: true, SMTP: devsmtp.Options{Bounces: inbox}})

	// A real send to an address that bounces: the development server puts
	// Gmail's notification in the sender's INBOX, as Gmail would.
	if resp := h.postSend(t, storeRequest(fixture.User, "nobody@"+devsmtp.BounceDomain, nil), "key-a", ""); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	// And one from the mailer daemon that is no delivery report: skipped.
	if _, err := inbox.Append(fixture.User, []byte("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\nTo: "+fixture.User+
		"\r\nSubject: Your storage is almost full\r\nMessage-ID: <x@example.com>\r\nContent-Type: text/plain\r\n\r\nnot a report\r\n"), time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for n, _ := inbox.Count(fixture.User, "INBOX"); n < 2 && time.Now().Before(deadline); n, _ = inbox.Count(fixture.User, "INBOX") {
		time.Sleep(20 * time.Millisecond)
	}

	caFile := filepath.Join(t.TempDir(), "imap-ca.pem")
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	h.secrets.Put("gmailsend/bounce-desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, fixture.Password))
	cfg := app.Defaults()
	cfg.MessagesTable, cfg.SMTPCAFile = "messages", caFile
	cfg.Bounces.IMAPHost, cfg.Bounces.IMAPPort, cfg.Bounces.Credentials = inbox.Host, inbox.Port, []string{"bounce-desk"}
	var log strings.Builder
	b, err := bounceapp.Build(cfg, app.Parts{Secrets: awssecrets.NewWithAPI(h.secrets.Client()), DynamoDB: h.dynamo,
		Log: io.MultiWriter(&log, fixture.LogSink())})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := b.Invoke(ctx, nil); err != nil {
		t.Fatal(err)
	}
	series := seriesOf(t, log.String())
	for _, want := range []string{
		"BouncesFound 1 Count (no dimension)",
		"BouncesFound 1 Count {Account=bounce-desk}",
		"NotificationsSkipped 1 Count (no dimension)",
		"NotificationsSkipped 1 Count {Account=bounce-desk}",
		"NotificationsSkipped 1 Count {Reason=not_report}",
	} {
		if !contains(series, want) {
			t.Errorf("no %q in %q", want, series)
		}
	}
	checkNoContent(t, log.String())
}
