package app_test

import (
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestBatchKeysStrict ensures POST /messages/batch refuses a duplicated, case-variant or unknown top-level key with invalid_request naming it, queues nothing and writes nothing, as a single request refuses its fields.
func TestBatchKeysStrict(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	a := queuedRequest("desk", "a@example.com", "batch-a", nil)
	b := queuedRequest("desk", "b@example.com", "batch-b", nil)
	for body, field := range map[string]string{
		`{"messages":[` + a + `],"messages":[` + b + `]}`:                          "messages",
		`{"MESSAGES":[` + a + `]}`:                                                 "MESSAGES",
		`{"Messages":[` + a + `],"messages":[` + b + `]}`:                          "Messages",
		`{"messages":[` + a + `],"validation":"strict","validation":"permissive"}`: "validation",
		`{"messages":[` + a + `],"idempotencyKey":"k1","idempotencyKey":"k2"}`:     "idempotencyKey",
	} {
		resp := h.apiCall(t, "POST", "/messages/batch", "/messages/batch", nil, body, "key-a", nil)
		e := decodeBody[errBody](t, resp)
		if resp.StatusCode != 400 || e.Error.Code != "invalid_request" || e.Error.Field != field {
			t.Errorf("%s → %d %s, want 400 invalid_request naming %s", body, resp.StatusCode, resp.Body, field)
		}
	}
	if n := len(h.queue.sqs.Messages("send")); n != 0 {
		t.Errorf("%d messages queued", n)
	}
	if n := countItems(t, h.dynamo); n != 0 {
		t.Errorf("%d items written", n)
	}
}

// TestBlankIdempotencyKeyHeaderRefused ensures an empty or blank Idempotency-Key header is refused with invalid_request naming the header on every route that takes one, and nothing is sent, queued or written.
func TestBlankIdempotencyKeyHeaderRefused(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	send := storeRequest(fixture.User, "kim@example.com", nil)
	queued := queuedRequest("desk", "kim@example.com", "keyed", nil)
	for _, key := range []string{"", " ", "\t  "} {
		for _, c := range []struct{ path, body string }{
			{"/send", send},
			{"/messages", queued},
			{"/messages/batch", `{"messages":[` + queued + `]}`},
		} {
			resp := h.apiCall(t, "POST", c.path, c.path, nil, c.body, "key-a", map[string]string{"Idempotency-Key": key})
			e := decodeBody[errBody](t, resp)
			if resp.StatusCode != 400 || e.Error.Code != "invalid_request" || e.Error.Field != "Idempotency-Key" {
				t.Errorf("POST %s with Idempotency-Key %q → %d %s", c.path, key, resp.StatusCode, resp.Body)
			}
		}
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
	if n := len(h.queue.sqs.Messages("send")); n != 0 {
		t.Errorf("%d messages queued", n)
	}
	if n := countItems(t, h.dynamo); n != 0 {
		t.Errorf("%d items written", n)
	}
}
