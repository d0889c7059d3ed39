package lambdahandler

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/emf"
)

// recordedSends keeps what the handler publishes, by hand.
type recordedSends struct {
	mu      sync.Mutex
	sends   []emf.Send
	replays []string
	fail    error
}

func (r *recordedSends) IdempotentReplay(source string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.replays = append(r.replays, source)
	return r.fail
}

func (r *recordedSends) Send(s emf.Send) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sends = append(r.sends, s)
	return r.fail
}

// TestEverySendIsRecorded ensures each record of a batch is published with its source, outcome, recipients, duration and the round trips it really cost (none for one refused before SMTP).
func TestEverySendIsRecorded(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	rec := &recordedSends{}
	sh.h.opts.Metrics = rec
	if _, err := sh.invoke(t, fixture.SQSEvent(t, fixture.SendRequest(fixture.User, "a@example.com", "one"), badRequest())); err != nil {
		t.Fatal(err)
	}
	if len(rec.sends) != 2 {
		t.Fatalf("recorded %+v", rec.sends)
	}
	sent, bad := rec.sends[0], rec.sends[1]
	if sent.Source != "sqs" || sent.Outcome != "sent" || sent.Recipients != 1 || sent.RoundTrips < 2 || sent.Duration <= 0 || sent.Credential != "" {
		t.Errorf("sent: %+v", sent)
	}
	if bad.Source != "sqs" || bad.Outcome != "invalid_request" || bad.RoundTrips != 0 {
		t.Errorf("refused: %+v", bad)
	}
}

// TestMetricsFailureNeverFailsTheSend ensures a metric that cannot be written is logged and the send still succeeds.
func TestMetricsFailureNeverFailsTheSend(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	sh.h.opts.Metrics = &recordedSends{fail: errors.New("metrics: broken")}
	if _, err := sh.invoke(t, []byte(fixture.SendRequest(fixture.User, "a@example.com", "one"))); err != nil {
		t.Fatal(err)
	}
	if len(sh.srv.Messages()) != 1 || !strings.Contains(sh.log.String(), `"msg":"metrics","error":"metrics: broken"`) {
		t.Fatalf("delivered %d, log:\n%s", len(sh.srv.Messages()), sh.log.String())
	}
}
