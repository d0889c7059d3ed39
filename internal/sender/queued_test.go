package sender

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/credential"
)

// noSchedules is a Schedules that must not be called by these tests.
type noSchedules struct{}

func (noSchedules) Create(context.Context, string, string, time.Time, string) error {
	panic("not called")
}
func (noSchedules) Delete(context.Context, string, string) error { panic("not called") }

// testDurability is the default with a fixed fingerprint key.
func testDurability() Durability {
	d := DefaultDurability()
	d.Fingerprints = gmailsend.StaticKey("a test fingerprint key of 32 bytes")
	return d
}

func queueingSender() *Sender {
	q := DefaultQueueing()
	q.Schedules = noSchedules{}
	return &Sender{
		Limits:      gmailsend.DefaultLimits(),
		Credentials: &countingResolver{login: credential.Login{User: "me@gmail.com", Password: "p", Stored: "desk"}},
		Queueing:    q, Durability: testDurability(),
		Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
	}
}

// TestScheduledAtWindow ensures scheduledAt must be RFC 3339 with an offset, between MinAhead and MaxAhead from now (a past time is called past), comes back in UTC, and is refused without a scheduler.
func TestScheduledAtWindow(t *testing.T) {
	s := queueingSender()
	now := s.Now()
	for _, c := range []struct {
		in   string
		code gmailsend.Code
	}{
		{"2026-11-24T09:00:00+09:00", ""},
		{"2026-11-24T09:00:00", gmailsend.CodeInvalidRequest},
		{"tomorrow", gmailsend.CodeInvalidRequest},
		{now.Add(30 * time.Second).Format(time.RFC3339), gmailsend.CodeInvalidRequest},
		{now.Add(31 * 24 * time.Hour).Format(time.RFC3339), gmailsend.CodeInvalidRequest},
		{now.Add(30 * 24 * time.Hour).Format(time.RFC3339), ""},
	} {
		at, err := s.scheduledAt(c.in, now, "messages[2].")
		if gmailsend.CodeOf(err) != c.code {
			t.Errorf("%s: %v, want code %q", c.in, err, c.code)
			continue
		}
		if err != nil && gmailsend.AsError(err).Field != "messages[2].scheduledAt" {
			t.Errorf("%s: field %q", c.in, gmailsend.AsError(err).Field)
		}
		if err == nil && at.Location() != time.UTC {
			t.Errorf("%s: not UTC: %v", c.in, at)
		}
	}
	if _, err := s.scheduledAt(now.Add(-time.Hour).Format(time.RFC3339), now, ""); !strings.Contains(gmailsend.AsError(err).Message, "is in the past") {
		t.Errorf("a past time: %v", err)
	}
	if _, err := s.scheduledAt(now.Add(30*time.Second).Format(time.RFC3339), now, ""); !strings.Contains(gmailsend.AsError(err).Message, "at least 1m0s ahead") {
		t.Errorf("too soon: %v", err)
	}
	s.Queueing.Schedules = nil
	if _, err := s.scheduledAt("2026-11-24T09:00:00+09:00", now, ""); gmailsend.CodeOf(err) != gmailsend.CodeStoreNotConfigured {
		t.Fatalf("without a scheduler: %v", err)
	}
}

// TestDecodeEnvelope ensures an envelope round-trips and a plain request, even one quoting the marker in its subject, is not taken for one.
func TestDecodeEnvelope(t *testing.T) {
	env, ok := DecodeEnvelope([]byte(`{"gmailsendQueued":{"id":"abc"},"request":{"toEmail":"a@example.com"}}`))
	if !ok || env.Queued.ID != "abc" || !strings.Contains(string(env.Request), "a@example.com") {
		t.Fatalf("%+v %v", env, ok)
	}
	for _, plain := range []string{body, `{"toEmail":"a@example.com","subject":"\"gmailsendQueued\"","message":"m"}`, `not json "gmailsendQueued"`} {
		if _, ok := DecodeEnvelope([]byte(plain)); ok {
			t.Errorf("%s taken for an envelope", plain)
		}
	}
}

// TestDecodeEnvelopeReadsTheMarkerKey ensures only a top-level key that is exactly the marker makes an envelope: a plain request whose message text holds "gmailsendQueued" (even as a whole envelope), a marker in a nested object, or a key that matches it only case-insensitively (as encoding/json would) is not one.
func TestDecodeEnvelopeReadsTheMarkerKey(t *testing.T) {
	for _, plain := range []string{
		`{"credential":"desk","toEmail":"a@example.com","subject":"s","message":"{\"gmailsendQueued\":{\"id\":\"abc\"},\"request\":{}}"}`,
		`{"credential":"desk","toEmail":"a@example.com","message":"m","templateData":{"gmailsendQueued":{"id":"abc"},"request":{}}}`,
		`{"credential":"desk","toEmail":"a@example.com","message":"gmailsendQueued"}`,
		`{"toEmail":"a@example.com","message":"gmailsendQueued","GMAILSENDQUEUED":{"id":"abc"},"request":{"toEmail":"a@example.com"}}`,
		`["gmailsendQueued",{"id":"abc"}]`,
	} {
		if env, ok := DecodeEnvelope([]byte(plain)); ok {
			t.Errorf("%s taken for an envelope: %+v", plain, env.Queued)
		}
	}
	env, ok := DecodeEnvelope([]byte(`{"request":{"toEmail":"a@example.com"}, "gmailsendQueued" : {"id":"abc","until":5}}`))
	if !ok || env.Queued.ID != "abc" || env.Queued.Until != 5 {
		t.Fatalf("an envelope with its marker last: %+v %v", env, ok)
	}
}

// TestCheckQueuedRefusals ensures an inline password or token, an item's own idempotency key, and a request over the queue's size are refused with the field (prefixed for a batch item), before anything is written.
func TestCheckQueuedRefusals(t *testing.T) {
	s := queueingSender()
	ctx := context.Background()
	for _, c := range []struct {
		body, prefix, field string
		allowKey            bool
		code                gmailsend.Code
	}{
		{body, "", "password", true, gmailsend.CodeInvalidRequest},
		{`{"accessToken":"ya29.x","toEmail":"a@example.com","message":"m"}`, "messages[4].", "messages[4].accessToken", false, gmailsend.CodeInvalidRequest},
		{`{"credential":"desk","toEmail":"a@example.com","message":"m","idempotencyKey":"k"}`, "messages[0].", "messages[0].idempotencyKey", false, gmailsend.CodeInvalidRequest},
		{`{"credential":"desk","toEmail":"not-an-address","message":"m"}`, "messages[1].", "messages[1].toEmail", false, gmailsend.CodeInvalidRequest},
		{`{"credential":"desk","toEmail":"a@example.com","message":"` + strings.Repeat("x", 300<<10) + `"}`, "", "", true, gmailsend.CodePayloadTooLarge},
	} {
		_, err := s.checkQueued(ctx, []byte(c.body), Origin{}, c.prefix, c.allowKey)
		e := gmailsend.AsError(err)
		if e == nil || e.Code != c.code || e.Field != c.field {
			t.Errorf("%.60s: %v, want %s on %q", c.body, err, c.code, c.field)
		}
		if c.code == gmailsend.CodePayloadTooLarge && !strings.Contains(e.Message, "POST /send") {
			t.Errorf("413 does not point at POST /send: %s", e.Message)
		}
	}
}

// TestCheckQueuedPrepares ensures a valid request becomes a queued (or scheduled) record naming the stored credential's account, and an envelope carrying the record's id.
func TestCheckQueuedPrepares(t *testing.T) {
	s := queueingSender()
	p, err := s.checkQueued(context.Background(), []byte(`{"credential":"desk","toEmail":"a@example.com, b@example.com","message":"m","scheduledAt":"2026-11-24T09:00:00+09:00"}`), Origin{}, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if p.rec.Status != gmailsend.StatusScheduled || p.rec.Account != "credential:desk" || p.rec.Recipients != 2 || p.rec.ScheduledAt == nil {
		t.Fatalf("record %+v", p.rec)
	}
	p.withID("fixed-id")
	env, ok := DecodeEnvelope([]byte(p.env))
	if !ok || env.Queued.ID != "fixed-id" || p.rec.ID != "fixed-id" {
		t.Fatalf("envelope %s", p.env)
	}
}

// TestDecodeBatch ensures the batch body is read strictly: unknown keys, no messages, too many and an unknown validation mode are refused naming the field.
func TestDecodeBatch(t *testing.T) {
	for _, c := range []struct{ in, field string }{
		{`{"messages":[{}],"mode":"x"}`, "mode"},
		{`{"messages":[{}],"messages":[{}]}`, "messages"},
		{`{"messages":[]}`, "messages"},
		{`{"messages":[{},{},{}]}`, "messages"},
		{`{"messages":[{}],"validation":"lenient"}`, "validation"},
		{`{"messages":[{}]} {}`, ""},
	} {
		_, err := decodeBatch([]byte(c.in), 2)
		if e := gmailsend.AsError(err); e == nil || e.Code != gmailsend.CodeInvalidRequest || e.Field != c.field {
			t.Errorf("%s: %v, want invalid_request on %q", c.in, err, c.field)
		}
	}
	if b, err := decodeBatch([]byte(`{"messages":[{"a":1},{"b":2}],"validation":"permissive","idempotencyKey":"k"}`), 2); err != nil || len(b.Messages) != 2 {
		t.Fatalf("%v %v", b, err)
	}
}
