package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	gosmtp "github.com/emersion/go-smtp"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestRecordForEverySend ensures an accepted send answers its record id next to messageId, and GET /messages/{id} returns the record (sent, account, source, caller, recipients, expiry) only to its own caller.
func TestRecordForEverySend(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	resp := h.postSend(t, storeRequest(fixture.User, "kim@example.com, lee@example.com", nil), "key-a", "")
	sent := decodeBody[sentBody](t, resp)
	if resp.StatusCode != 200 || sent.ID == "" || sent.MessageID == "" || len(sent.Accepted) != 2 {
		t.Fatalf("send: %d %s", resp.StatusCode, resp.Body)
	}
	got := h.getMessage(t, sent.ID, "key-a")
	rec := decodeBody[recordBody](t, got)
	if got.StatusCode != 200 || rec.ID != sent.ID || rec.Status != "sent" || rec.MessageID != sent.MessageID ||
		rec.Source != "apigateway-rest" || rec.Caller != "key-a" || rec.Recipients != 2 || !strings.HasPrefix(rec.Account, "addr:") {
		t.Fatalf("record: %d %s", got.StatusCode, got.Body)
	}
	created, _ := time.Parse(time.RFC3339, rec.CreatedAt)
	expires, _ := time.Parse(time.RFC3339, rec.ExpiresAt)
	if d := expires.Sub(created); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Fatalf("expiry %s after creation, want MESSAGE_RETENTION (30 days)", d)
	}
	// Another API key sees the id exactly as an unknown one.
	for _, caller := range []string{"key-b", ""} {
		other := h.getMessage(t, sent.ID, caller)
		if other.StatusCode != 404 || decodeBody[errBody](t, other).Error.Code != "message_not_found" {
			t.Fatalf("caller %q: %d %s", caller, other.StatusCode, other.Body)
		}
	}
	unknown := h.getMessage(t, "0000000000000000000000000a", "key-a")
	if unknown.StatusCode != 404 || decodeBody[errBody](t, unknown).Error.Code != "message_not_found" {
		t.Fatalf("unknown id: %d %s", unknown.StatusCode, unknown.Body)
	}
}

// TestConcurrentSameKeySendsOnce ensures 20 concurrent requests with one Idempotency-Key make exactly one SMTP transaction; the others replay it or answer idempotency_in_progress with Retry-After.
func TestConcurrentSameKeySendsOnce(t *testing.T) {
	h := newHarness(t, setup{Store: true, SMTP: devsmtp.Options{RTT: 20 * time.Millisecond}})
	body := storeRequest(fixture.User, "kim@example.com", nil)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		codes = map[string]int{}
		ids   = map[string]bool{}
	)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := h.postSend(t, body, "key-a", "order-1024")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case resp.StatusCode == 200 && resp.Headers["Idempotent-Replayed"] == "true":
				codes["replayed"]++
				ids[decodeBody[sentBody](t, resp).ID] = true
			case resp.StatusCode == 200:
				codes["sent"]++
				ids[decodeBody[sentBody](t, resp).ID] = true
			case resp.StatusCode == 409 && decodeBody[errBody](t, resp).Error.Code == "idempotency_in_progress" && resp.Headers["Retry-After"] != "":
				codes["in_progress"]++
			default:
				codes[resp.Body]++
			}
		}()
	}
	wg.Wait()
	if n := len(h.srv.Messages()); n != 1 {
		t.Fatalf("%d SMTP transactions, want exactly 1 (%v)", n, codes)
	}
	if codes["sent"] != 1 || codes["sent"]+codes["replayed"]+codes["in_progress"] != 20 || len(ids) != 1 {
		t.Fatalf("answers %v ids %v", codes, ids)
	}
	t.Logf("20 concurrent requests, one key: %v", codes)
}

// TestReplayAndConflict ensures a finished key replays the same id and messageId with Idempotent-Replayed and sends nothing, and another request under the key is idempotency_conflict.
func TestReplayAndConflict(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	body := storeRequest(fixture.User, "kim@example.com", nil)
	first := h.postSend(t, body, "key-a", "k-1")
	again := h.postSend(t, body, "key-a", "k-1")
	a, b := decodeBody[sentBody](t, first), decodeBody[sentBody](t, again)
	if again.StatusCode != 200 || again.Headers["Idempotent-Replayed"] != "true" || a.ID != b.ID || a.MessageID != b.MessageID ||
		strings.Join(a.Accepted, ",") != strings.Join(b.Accepted, ",") {
		t.Fatalf("replay %d %v %s vs %s", again.StatusCode, again.Headers, again.Body, first.Body)
	}
	if first.Headers["Idempotent-Replayed"] != "" {
		t.Fatal("the first answer is marked replayed")
	}
	// The key in the body works the same way, and is the same key.
	viaField := h.postSend(t, storeRequest(fixture.User, "kim@example.com", map[string]any{"idempotencyKey": "k-1"}), "key-a", "")
	if viaField.StatusCode != 200 || decodeBody[sentBody](t, viaField).ID != a.ID {
		t.Fatalf("idempotencyKey field: %d %s", viaField.StatusCode, viaField.Body)
	}
	conflict := h.postSend(t, storeRequest(fixture.User, "park@example.com", nil), "key-a", "k-1")
	if conflict.StatusCode != 409 || decodeBody[errBody](t, conflict).Error.Code != "idempotency_conflict" {
		t.Fatalf("conflict: %d %s", conflict.StatusCode, conflict.Body)
	}
	// Keys are scoped per caller: another API key's k-1 is a new send.
	other := h.postSend(t, body, "key-b", "k-1")
	if other.StatusCode != 200 || decodeBody[sentBody](t, other).ID == a.ID {
		t.Fatalf("other caller: %d %s", other.StatusCode, other.Body)
	}
	if n := len(h.srv.Messages()); n != 2 {
		t.Fatalf("%d messages delivered, want 2", n)
	}
	bad := h.postSend(t, body, "key-a", "tab\tkey")
	if e := decodeBody[errBody](t, bad); bad.StatusCode != 400 || e.Error.Field != "Idempotency-Key" {
		t.Fatalf("bad key: %d %s", bad.StatusCode, bad.Body)
	}
}

// TestKeyReleasedAfterAuthFailure ensures a failure before any content reached the server (AUTH refused) releases the key, so the corrected retry under the same key is sent, and the record reads failed in between.
func TestKeyReleasedAfterAuthFailure(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	wrong := storeRequest(fixture.User, "kim@example.com", map[string]any{"password": "wrongwrongwrongw"})
	first := h.postSend(t, wrong, "key-a", "k-auth")
	if first.StatusCode != 401 {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	rec := h.getMessage(t, gmailsend.KeyedID("key-a", "k-auth"), "key-a")
	if r := decodeBody[recordBody](t, rec); r.Status != "failed" || r.ErrorCode != "smtp_auth_failed" {
		t.Fatalf("record after the AUTH failure: %s", rec.Body)
	}
	right := h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", "k-auth")
	if right.StatusCode != 200 || right.Headers["Idempotent-Replayed"] != "" {
		t.Fatalf("retry: %d %s", right.StatusCode, right.Body)
	}
	if n := len(h.srv.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

// TestRefusedAfterContentIsKeptAndReplayed ensures a refusal after the content (554 at the final dot) is recorded failed with the redacted reply and replayed, never sent again.
func TestRefusedAfterContentIsKeptAndReplayed(t *testing.T) {
	h := newHarness(t, setup{Store: true, SMTP: devsmtp.Options{Reject: func(stage, arg string) error {
		if stage == "DATA" {
			return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Message to <kim@example.com> rejected"}
		}
		return nil
	}}})
	body := storeRequest(fixture.User, "kim@example.com", nil)
	first := h.postSend(t, body, "key-a", "k-554")
	again := h.postSend(t, body, "key-a", "k-554")
	if first.StatusCode != 502 || again.StatusCode != 502 || again.Headers["Idempotent-Replayed"] != "true" ||
		decodeBody[errBody](t, again).Error.Code != string(gmailsend.CodeSMTPRejected) {
		t.Fatalf("first %d %s, again %d %v %s", first.StatusCode, first.Body, again.StatusCode, again.Headers, again.Body)
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Fatalf("%d messages accepted, want 0", n)
	}
	if strings.Contains(again.Body, "kim@") {
		t.Fatalf("replayed reply holds the address: %s", again.Body)
	}
}

// TestWithoutTableEverythingWorksAsToday ensures no MESSAGES_TABLE sends as before, and what needs the table answers store_not_configured naming MESSAGES_TABLE.
func TestWithoutTableEverythingWorksAsToday(t *testing.T) {
	h := newHarness(t, setup{})
	plain := h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", "")
	if plain.StatusCode != 200 || decodeBody[sentBody](t, plain).ID != "" {
		t.Fatalf("plain send: %d %s", plain.StatusCode, plain.Body)
	}
	for _, resp := range []events.APIGatewayProxyResponse{
		h.postSend(t, storeRequest(fixture.User, "kim@example.com", nil), "key-a", "k"),
		h.getMessage(t, "0000000000000000000000000a", "key-a"),
	} {
		e := decodeBody[errBody](t, resp)
		if resp.StatusCode != 501 || e.Error.Code != "store_not_configured" || !strings.Contains(e.Error.Message, "MESSAGES_TABLE") {
			t.Fatalf("without the table: %d %s", resp.StatusCode, resp.Body)
		}
	}
	if n := len(h.srv.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

// TestAsyncDirectRetryReplays ensures a direct invocation retried by Lambda (an Event invoke keeps its request id) replays the first outcome instead of sending again, while a new invocation (a new request id) sends.
func TestAsyncDirectRetryReplays(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	body := []byte(storeRequest(fixture.User, "kim@example.com", nil))
	ctx := func(id string) context.Context {
		c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		return lambdacontext.NewContext(c, &lambdacontext.LambdaContext{AwsRequestID: id})
	}
	for i, id := range []string{"async-1", "async-1", "async-2"} {
		if _, err := h.app.Handler.Invoke(ctx(id), body); err != nil {
			t.Fatalf("invoke %d (%s): %v", i, id, err)
		}
	}
	if n := h.srv.Stats().Messages; n != 2 {
		t.Fatalf("%d messages delivered, want 2 (the retry of async-1 replays)", n)
	}
}
