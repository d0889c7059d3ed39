package lambdahandler

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/sender"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// sourceHarness is a Handler over a real sender that delivers to a real
// development SMTP server, with inline passwords only: what each event
// source's tests need to see a send happen or fail, and its log line.
type sourceHarness struct {
	h   *Handler
	srv *devsmtp.Server
	log *fixture.SyncBuffer
}

func newSourceHarness(t *testing.T, o devsmtp.Options) *sourceHarness {
	t.Helper()
	srv, caFile := fixture.StartSMTP(t, o)
	roots, err := smtp.LoadRootCAs(caFile)
	if err != nil {
		t.Fatal(err)
	}
	sc := smtp.DefaultConfig()
	sc.Host, sc.Port, sc.RootCAs = srv.Host, srv.Port, roots
	client := smtp.New(sc)
	t.Cleanup(client.Close)
	s := &sender.Sender{
		Limits:      gmailsend.DefaultLimits(),
		Credentials: credential.NewResolver(credential.DefaultPolicy(), nil, nil),
		Deliver:     client,
	}
	buf := &fixture.SyncBuffer{}
	opts := DefaultOptions()
	opts.BatchReserve = 100 * time.Millisecond
	return &sourceHarness{h: New(s, opts, slog.New(slog.NewJSONHandler(buf, nil))), srv: srv, log: buf}
}

func (sh *sourceHarness) invoke(t *testing.T, payload []byte) (any, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return sh.h.Invoke(ctx, payload)
}

// logLines are the send log lines written so far, decoded.
func (sh *sourceHarness) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(sh.log.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "send" {
			out = append(out, m)
		}
	}
	return out
}

// wantFunctionError checks err is a Lambda function error whose type is code.
func wantFunctionError(t *testing.T, err error, code gmailsend.Code) {
	t.Helper()
	var fe messages.InvokeResponse_Error
	if !errors.As(err, &fe) || fe.Type != string(code) {
		t.Fatalf("want a function error of type %s, got %v", code, err)
	}
}

// badRequest is refused by validation: the recipient is not an address.
func badRequest() string {
	return strings.Replace(fixture.SendRequest(fixture.User, "kim@example.com", "s"), "kim@example.com", "not an address", 1)
}
