package app_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/faultsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

// faultServer starts a scripted server with STARTTLS on a fresh CA and
// returns it with the CA file.
func faultServer(t *testing.T, faults map[faultsmtp.Stage]faultsmtp.Fault) (*faultsmtp.Server, string) {
	t.Helper()
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile := t.TempDir() + "/ca.pem"
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf(devsmtp.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := faultsmtp.Start(faultsmtp.Options{TLS: tlsConfig(cert), Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, caFile
}

// TestDroppedAfterFinalDotIsUnknown ensures a connection reset after the message's final dot records unknown, answers delivery_unknown, and a retry with the same key (API) or the same SQS message id sends nothing and is not reported as a failed record.
func TestDroppedAfterFinalDotIsUnknown(t *testing.T) {
	srv, caFile := faultServer(t, map[faultsmtp.Stage]faultsmtp.Fault{faultsmtp.EndData: {Reset: true}})
	h := newHarness(t, setup{Store: true, Config: func(c *app.Config) {
		c.SMTPHost, c.SMTPPort, c.SMTPCAFile = "127.0.0.1", srv.Port, caFile
	}})
	body := storeRequest(fixture.User, "kim@example.com", nil)
	first := h.postSend(t, body, "key-a", "k-drop")
	if e := decodeBody[errBody](t, first); first.StatusCode != 502 || e.Error.Code != "delivery_unknown" {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	again := h.postSend(t, body, "key-a", "k-drop")
	if e := decodeBody[errBody](t, again); again.StatusCode != 502 || e.Error.Code != "delivery_unknown" || again.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("retry: %d %v %s", again.StatusCode, again.Headers, again.Body)
	}
	if n := srv.Mails(); n != 1 {
		t.Fatalf("%d MAIL transactions, want 1: the retry must send nothing", n)
	}
	rec := h.getMessage(t, gmailsend.KeyedID("key-a", "k-drop"), "key-a")
	if r := decodeBody[recordBody](t, rec); rec.StatusCode != 200 || r.Status != "unknown" || r.ErrorCode != "delivery_unknown" {
		t.Fatalf("record: %d %s", rec.StatusCode, rec.Body)
	}

	// The queue: not reported (no redelivery), and a redelivery anyway
	// (visibility timeout) replays without sending.
	batch := fixture.SQSEvent(t, body)
	for round := 1; round <= 2; round++ {
		out, err := h.invoke(t, batch)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		if string(b) != `{"batchItemFailures":[]}` {
			t.Fatalf("round %d: %s", round, b)
		}
	}
	if n := srv.Mails(); n != 2 {
		t.Fatalf("%d MAIL transactions, want 2 (one per distinct key)", n)
	}
}
