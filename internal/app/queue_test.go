package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/sender"
)

type acceptedBody struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	ScheduledAt string `json:"scheduledAt"`
}

type batchBody struct {
	Messages []struct {
		Index  int    `json:"index"`
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  *struct {
			Code, Field string
		} `json:"error"`
	} `json:"messages"`
	Accepted, Rejected int
}

func batchOf(items []string, extra string) string {
	return `{"messages": [` + strings.Join(items, ",") + `]` + extra + `}`
}

// TestQueuedHundredMessageBatch ensures a 100-message batch makes 100 queued records with 10 SendMessageBatch calls, and the consumer delivers all of them on at most 2 SMTP sessions per account, each record ending sent.
func TestQueuedHundredMessageBatch(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	var items []string
	for i := range 100 {
		cred := []string{"desk", "desk2"}[i%2]
		items = append(items, queuedRequest(cred, fmt.Sprintf("r%d@example.com", i), fmt.Sprintf("batch-%d", i), nil))
	}
	resp := h.callAPI(t, "POST", "/messages/batch", batchOf(items, ""))
	if resp.StatusCode != 202 {
		t.Fatalf("→ %d %s", resp.StatusCode, resp.Body)
	}
	var b batchBody
	decodeJSON(t, resp.Body, &b)
	if b.Accepted != 100 || b.Rejected != 0 || len(b.Messages) != 100 {
		t.Fatalf("accepted %d rejected %d items %d", b.Accepted, b.Rejected, len(b.Messages))
	}
	if n := h.queue.sqs.Calls("SendMessageBatch"); n != 10 {
		t.Fatalf("%d SendMessageBatch calls, want 10", n)
	}
	if st, _ := h.recordStatus(t, b.Messages[42].ID); st != "queued" {
		t.Fatalf("record before delivery: %s", st)
	}
	if h.srv.Stats().Messages != 0 {
		t.Fatal("delivered before the consumer ran")
	}
	invocations := h.drain(t)
	st := h.srv.Stats()
	if st.Messages != 100 || len(subjects(h.srv)) != 100 {
		t.Fatalf("delivered %d (%d distinct subjects), want 100", st.Messages, len(subjects(h.srv)))
	}
	if st.Connections > 4 {
		t.Fatalf("%d SMTP connections for 2 accounts, want at most 2 per account", st.Connections)
	}
	for _, m := range b.Messages {
		if s, _ := h.recordStatus(t, m.ID); s != "sent" {
			t.Fatalf("record %d is %s after delivery", m.Index, s)
		}
	}
	t.Logf("100 messages: %d invocations, %d SMTP connections", invocations, st.Connections)
}

// TestBatchStrictAndPermissive ensures a strict batch with invalid items queues nothing and names every failing item's field, while a permissive one queues the valid items and reports the rest.
func TestBatchStrictAndPermissive(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	items := []string{
		queuedRequest("desk", "a@example.com", "ok-0", nil),
		queuedRequest("desk", "not-an-address", "bad-1", nil),
		queuedRequest("desk", "c@example.com", "ok-2", nil),
		queuedRequest("nobody", "d@example.com", "bad-3", nil),
	}
	resp := h.callAPI(t, "POST", "/messages/batch", batchOf(items, ""))
	var e struct {
		Error struct {
			Code  string
			Items []struct {
				Index       int
				Code, Field string
			}
		}
	}
	decodeJSON(t, resp.Body, &e)
	if resp.StatusCode != 400 || e.Error.Code != "invalid_request" || len(e.Error.Items) != 2 ||
		e.Error.Items[0].Field != "messages[1].toEmail" || e.Error.Items[1].Index != 3 || e.Error.Items[1].Code != "forbidden" {
		t.Fatalf("strict → %d %s", resp.StatusCode, resp.Body)
	}
	if n := len(h.queue.sqs.Messages("send")); n != 0 || h.queue.sqs.Calls("SendMessageBatch") != 0 {
		t.Fatalf("strict batch queued %d messages", n)
	}
	if n := countItems(t, h.dynamo); n != 0 {
		t.Fatalf("strict batch wrote %d items", n)
	}
	if !strings.Contains(resp.Body, "2 of the batch's messages are invalid") {
		t.Errorf("strict → %s", resp.Body)
	}
	if one := h.callAPI(t, "POST", "/messages/batch", batchOf(items[:2], "")); !strings.Contains(one.Body, "1 of the batch's messages is invalid,") {
		t.Errorf("one invalid → %s", one.Body)
	}

	resp = h.callAPI(t, "POST", "/messages/batch", batchOf(items, `, "validation": "permissive"`))
	var b batchBody
	decodeJSON(t, resp.Body, &b)
	if resp.StatusCode != 202 || b.Accepted != 2 || b.Rejected != 2 || b.Messages[1].Error == nil ||
		b.Messages[1].Error.Field != "messages[1].toEmail" || b.Messages[0].Status != "queued" || b.Messages[2].ID == "" {
		t.Fatalf("permissive → %d %s", resp.StatusCode, resp.Body)
	}
	if n := len(h.queue.sqs.Messages("send")); n != 2 {
		t.Fatalf("permissive batch queued %d, want 2", n)
	}
}

// TestPartialEnqueueFailureLeavesNoOrphan ensures an entry SendMessageBatch keeps refusing is reported with queue_unavailable and gets no record (records are written after queueing), so no record is queued without a queue message.
func TestPartialEnqueueFailureLeavesNoOrphan(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	h.queue.sqs.FailBatchEntries(func(_, body string) bool { return strings.Contains(body, "unlucky-7") })
	var items []string
	for i := range 12 {
		items = append(items, queuedRequest("desk", "a@example.com", fmt.Sprintf("unlucky-%d", i), nil))
	}
	resp := h.callAPI(t, "POST", "/messages/batch", batchOf(items, ""))
	var b batchBody
	decodeJSON(t, resp.Body, &b)
	if resp.StatusCode != 202 || b.Accepted != 11 || b.Rejected != 1 || b.Messages[7].Error == nil || b.Messages[7].Error.Code != "queue_unavailable" {
		t.Fatalf("→ %d %s", resp.StatusCode, resp.Body)
	}
	if b.Messages[7].ID != "" {
		t.Fatalf("the unqueued message names record %s; none was written", b.Messages[7].ID)
	}
	if n := countItems(t, h.dynamo); n != 11 {
		t.Fatalf("%d items written, want a record for each of the 11 queued", n)
	}
	onQueue := map[string]bool{}
	for _, m := range h.queue.sqs.Messages("send") {
		env, ok := sender.DecodeEnvelope([]byte(m.Body))
		if !ok {
			t.Fatalf("queue holds a non-envelope %q", m.Body[:40])
		}
		onQueue[env.Queued.ID] = true
	}
	for _, m := range b.Messages {
		if m.ID == "" {
			continue
		}
		st, _ := h.recordStatus(t, m.ID)
		if st == "queued" && !onQueue[m.ID] {
			t.Fatalf("record %s is queued with no queue message", m.ID)
		}
	}
}

// TestScheduledSendDeliveredAfterItsTime ensures a message scheduled 2 s ahead is scheduled (record and schedule), never delivered before its time, and delivered after it.
func TestScheduledSendDeliveredAfterItsTime(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: func(c *app.Config) { c.MinScheduleAhead = 500 * time.Millisecond }})
	h.storeDesk()
	h.consume(t)
	at := time.Now().Add(2 * time.Second).Truncate(time.Millisecond)
	resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "later", map[string]any{"scheduledAt": at.Format(time.RFC3339Nano)}))
	var acc acceptedBody
	decodeJSON(t, resp.Body, &acc)
	if resp.StatusCode != 202 || acc.Status != "scheduled" {
		t.Fatalf("→ %d %s", resp.StatusCode, resp.Body)
	}
	if st, sa := h.recordStatus(t, acc.ID); st != "scheduled" || sa == "" {
		t.Fatalf("record %s scheduledAt %q", st, sa)
	}
	if n := len(h.queue.sched.Schedules()); n != 1 {
		t.Fatalf("%d schedules", n)
	}
	for time.Now().Before(at) {
		if h.srv.Stats().Messages != 0 {
			t.Fatal("delivered before scheduledAt")
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitFor(t, 8*time.Second, func() bool { return h.srv.Stats().Messages == 1 })
	// The outcome is written just after the server's 250.
	waitFor(t, 2*time.Second, func() bool { st, _ := h.recordStatus(t, acc.ID); return st == "sent" })
	if fired := h.queue.sched.Fired(); len(fired) != 1 || fired[0].Fired.Before(at) {
		t.Fatalf("fired %+v", fired)
	}
}

// TestStaleScheduleNeverFires ensures the lost answer of an applied CreateSchedule cannot make a corrected retry deliver the old content: the first POST /messages is 503 with no record, the retry under the same Idempotency-Key with other content and time is 202, and only the corrected message is delivered, at its time; the old schedule fires into a payload the consumer refuses (its fingerprint is not the record's), and nothing reaches the dead-letter queue.
func TestStaleScheduleNeverFires(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: func(c *app.Config) { c.MinScheduleAhead = 500 * time.Millisecond }})
	h.storeDesk()
	h.consume(t)
	key := map[string]any{"idempotencyKey": "price-update-7"}
	oldAt := time.Now().Add(1500 * time.Millisecond)
	old := queuedRequest("desk", "kim@example.com", "price 12,000 won", map[string]any{"scheduledAt": oldAt.Format(time.RFC3339Nano), "idempotencyKey": key["idempotencyKey"]})
	h.queue.sched.LoseAnswers(func(string) bool { return true })
	if resp := h.callAPI(t, "POST", "/messages", old); resp.StatusCode != 503 {
		t.Fatalf("lost CreateSchedule answer → %d %s, want 503", resp.StatusCode, resp.Body)
	}
	h.queue.sched.LoseAnswers(nil)
	if n := countItems(t, h.dynamo); n != 0 {
		t.Fatalf("%d items after a failed accept, want none (records follow the schedule)", n)
	}
	newAt := time.Now().Add(3 * time.Second).Truncate(time.Millisecond)
	corrected := queuedRequest("desk", "kim@example.com", "price 10,000 won", map[string]any{"scheduledAt": newAt.Format(time.RFC3339Nano), "idempotencyKey": key["idempotencyKey"]})
	resp := h.callAPI(t, "POST", "/messages", corrected)
	var acc acceptedBody
	decodeJSON(t, resp.Body, &acc)
	if resp.StatusCode != 202 || acc.Status != "scheduled" {
		t.Fatalf("corrected retry → %d %s", resp.StatusCode, resp.Body)
	}
	for time.Now().Before(newAt) {
		if h.srv.Stats().Messages != 0 {
			t.Fatalf("delivered %v before the corrected time", subjects(h.srv))
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitFor(t, 8*time.Second, func() bool { return len(h.queue.sched.Fired()) == 2 && h.srv.Stats().Messages >= 1 })
	waitFor(t, 2*time.Second, func() bool { st, _ := h.recordStatus(t, acc.ID); return st == "sent" })
	time.Sleep(500 * time.Millisecond) // a second delivery would have come by now
	if got := subjects(h.srv); len(got) != 1 || got["price 10,000 won"] != 1 {
		t.Fatalf("delivered %v, want only the corrected message", got)
	}
	if n := len(h.queue.sqs.Messages("dlq")) + len(h.queue.sqs.Messages("send")); n != 0 {
		t.Fatalf("%d messages left on the queues, want the stale one dropped", n)
	}
}

// TestCancelledBeforeItsTimeIsNeverDelivered ensures DELETE /messages/{id} on a scheduled message cancels it, deletes its schedule, and nothing is ever delivered.
func TestCancelledBeforeItsTimeIsNeverDelivered(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: func(c *app.Config) { c.MinScheduleAhead = 500 * time.Millisecond }})
	h.storeDesk()
	h.consume(t)
	at := time.Now().Add(3 * time.Second)
	resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "never", map[string]any{"scheduledAt": at.Format(time.RFC3339Nano)}))
	var acc acceptedBody
	decodeJSON(t, resp.Body, &acc)
	resp = h.callAPI(t, "DELETE", "/messages/"+acc.ID, "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"cancelled"`) {
		t.Fatalf("cancel → %d %s", resp.StatusCode, resp.Body)
	}
	if n := len(h.queue.sched.Schedules()); n != 0 {
		t.Fatalf("%d schedules left", n)
	}
	time.Sleep(time.Until(at) + 1500*time.Millisecond)
	if h.srv.Stats().Messages != 0 {
		t.Fatal("a cancelled message was delivered")
	}
	if st, _ := h.recordStatus(t, acc.ID); st != "cancelled" {
		t.Fatalf("record is %s", st)
	}
}

// TestScheduleFiringAfterCancelIsDropped ensures the race: a schedule that already put the message on the queue when the cancel came is dropped by the consumer, never delivered, and leaves the queue empty.
func TestScheduleFiringAfterCancelIsDropped(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: func(c *app.Config) { c.MinScheduleAhead = 500 * time.Millisecond }})
	h.storeDesk()
	at := time.Now().Add(1500 * time.Millisecond)
	resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "raced", map[string]any{"scheduledAt": at.Format(time.RFC3339Nano)}))
	var acc acceptedBody
	decodeJSON(t, resp.Body, &acc)
	waitFor(t, 5*time.Second, func() bool { return len(h.queue.sqs.Messages("send")) == 1 })
	if resp := h.callAPI(t, "DELETE", "/messages/"+acc.ID, ""); resp.StatusCode != 200 {
		t.Fatalf("cancel after firing → %d %s", resp.StatusCode, resp.Body)
	}
	h.drain(t)
	if h.srv.Stats().Messages != 0 {
		t.Fatal("a cancelled message was delivered")
	}
	if st, _ := h.recordStatus(t, acc.ID); st != "cancelled" {
		t.Fatalf("record is %s", st)
	}
	if !strings.Contains(h.log.String(), `"msg":"dropped"`) {
		t.Fatal("the drop was not logged")
	}
}

// TestCancelOnlyScheduled ensures DELETE /messages/{id} is 409 not_cancellable on a queued and on a sent message, and 404 on an unknown id.
func TestCancelOnlyScheduled(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "now", nil))
	var acc acceptedBody
	decodeJSON(t, resp.Body, &acc)
	if resp.StatusCode != 202 || acc.Status != "queued" {
		t.Fatalf("→ %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.callAPI(t, "DELETE", "/messages/"+acc.ID, ""); resp.StatusCode != 409 || !strings.Contains(resp.Body, "not_cancellable") {
		t.Fatalf("cancel queued → %d %s", resp.StatusCode, resp.Body)
	}
	h.drain(t)
	if resp := h.callAPI(t, "DELETE", "/messages/"+acc.ID, ""); resp.StatusCode != 409 || !strings.Contains(resp.Body, "is sent") {
		t.Fatalf("cancel sent → %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.callAPI(t, "DELETE", "/messages/0123456789abcdefghjkmnpqrs", ""); resp.StatusCode != 404 {
		t.Fatalf("cancel unknown → %d %s", resp.StatusCode, resp.Body)
	}
}

// TestQueuedInlinePasswordRefused ensures an inline password or access token on /messages is 400 naming the field, and nothing is written to the table, the queue or the scheduler.
func TestQueuedInlinePasswordRefused(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	for field, body := range map[string]string{
		"password":    storeRequest(fixture.User, "kim@example.com", nil),
		"accessToken": `{"user":"sender@gmail.com","accessToken":"ya29.secret","toEmail":"kim@example.com","message":"m"}`,
	} {
		resp := h.callAPI(t, "POST", "/messages", body)
		var e struct {
			Error struct{ Code, Field, Message string }
		}
		decodeJSON(t, resp.Body, &e)
		if resp.StatusCode != 400 || e.Error.Field != field || !strings.Contains(e.Error.Message, "credential") {
			t.Fatalf("%s → %d %s", field, resp.StatusCode, resp.Body)
		}
	}
	if n := countItems(t, h.dynamo); n != 0 {
		t.Fatalf("%d items written", n)
	}
	if h.queue.sqs.Calls("SendMessageBatch")+h.queue.sqs.Calls("SendMessage") != 0 || h.queue.sched.Calls("CreateSchedule") != 0 {
		t.Fatal("the queue or the scheduler was called")
	}
}

// TestQueuedOversizeIs413 ensures a queued request over MAX_QUEUED_MESSAGE_BYTES is 413 payload_too_large pointing at POST /send, with nothing written.
func TestQueuedOversizeIs413(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: func(c *app.Config) { c.MaxQueuedMessageBytes = 4096 }})
	h.storeDesk()
	resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "big", map[string]any{"text": strings.Repeat("가", 2000)}))
	if resp.StatusCode != 413 || !strings.Contains(resp.Body, "POST /send") {
		t.Fatalf("→ %d %s", resp.StatusCode, resp.Body)
	}
	if n := countItems(t, h.dynamo); n != 0 {
		t.Fatalf("%d items written", n)
	}
}

// TestQueuedIdempotencyKey ensures the same POST /messages with the same Idempotency-Key is one record, and a different request with that key is 409. The retry queues again before it finds the record (queueing comes first, so a crash never leaves a record without a message); its message names the same record and request, so the consumer sends one of the two and drops the other.
func TestQueuedIdempotencyKey(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	body := queuedRequest("desk", "kim@example.com", "once", map[string]any{"idempotencyKey": "order-1024"})
	var first, second acceptedBody
	decodeJSON(t, h.callAPI(t, "POST", "/messages", body).Body, &first)
	decodeJSON(t, h.callAPI(t, "POST", "/messages", body).Body, &second)
	if first.ID == "" || first.ID != second.ID {
		t.Fatalf("ids %q %q", first.ID, second.ID)
	}
	if n := countItems(t, h.dynamo); n != 1 {
		t.Fatalf("%d items written, want one record", n)
	}
	fingerprints := map[string]bool{}
	for _, m := range h.queue.sqs.Messages("send") {
		env, ok := sender.DecodeEnvelope([]byte(m.Body))
		if !ok || env.Queued.ID != first.ID || env.Queued.Fingerprint == "" {
			t.Fatalf("queue message %.80q does not name record %s and its request", m.Body, first.ID)
		}
		fingerprints[env.Queued.Fingerprint] = true
	}
	if len(fingerprints) != 1 {
		t.Fatalf("queue messages carry %d fingerprints, want the one request's", len(fingerprints))
	}
	other := queuedRequest("desk", "lee@example.com", "once", map[string]any{"idempotencyKey": "order-1024"})
	if resp := h.callAPI(t, "POST", "/messages", other); resp.StatusCode != 409 {
		t.Fatalf("different request, same key → %d %s", resp.StatusCode, resp.Body)
	}
}

// TestScheduledAtChecked ensures scheduledAt without an offset, too soon or too far is invalid_request naming scheduledAt, and POST /send refuses it.
func TestScheduledAtChecked(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	for _, at := range []string{
		time.Now().Add(time.Hour).Format("2006-01-02T15:04:05"),
		time.Now().Add(10 * time.Second).Format(time.RFC3339),
		time.Now().Add(31 * 24 * time.Hour).Format(time.RFC3339),
	} {
		resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "s", map[string]any{"scheduledAt": at}))
		if resp.StatusCode != 400 || !strings.Contains(resp.Body, `"field":"scheduledAt"`) {
			t.Fatalf("%s → %d %s", at, resp.StatusCode, resp.Body)
		}
	}
	resp := h.callAPI(t, "POST", "/send", queuedRequest("desk", "kim@example.com", "s", map[string]any{"scheduledAt": time.Now().Add(time.Hour).Format(time.RFC3339)}))
	if resp.StatusCode != 400 || !strings.Contains(resp.Body, "POST /messages") {
		t.Fatalf("POST /send with scheduledAt → %d %s", resp.StatusCode, resp.Body)
	}
}

func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestQueuedQuotaHeadroom ensures POST /messages is refused with 429 quota_exceeded (and Retry-After) once the account's daily limit is used up, and a batch counts its messages of one account together, before anything is written or queued.
func TestQueuedQuotaHeadroom(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: func(c *app.Config) { c.DailyMessageLimit = 2 }})
	h.storeDesk()
	batch := batchOf([]string{
		queuedRequest("desk", "a@example.com", "q-0", nil),
		queuedRequest("desk", "b@example.com", "q-1", nil),
		queuedRequest("desk", "c@example.com", "q-2", nil),
	}, `, "validation": "permissive"`)
	var b batchBody
	resp := h.callAPI(t, "POST", "/messages/batch", batch)
	decodeJSON(t, resp.Body, &b)
	if resp.StatusCode != 202 || b.Rejected != 3 || b.Messages[0].Error == nil || b.Messages[0].Error.Code != "quota_exceeded" {
		t.Fatalf("3 messages against a limit of 2 → %d %s", resp.StatusCode, resp.Body)
	}
	if n := len(h.queue.sqs.Messages("send")); n != 0 {
		t.Fatalf("%d queued", n)
	}
	for i := range 2 {
		if resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "a@example.com", fmt.Sprintf("ok-%d", i), nil)); resp.StatusCode != 202 {
			t.Fatalf("→ %d %s", resp.StatusCode, resp.Body)
		}
	}
	h.drain(t)
	resp = h.callAPI(t, "POST", "/messages", queuedRequest("desk", "a@example.com", "third", nil))
	if resp.StatusCode != 429 || !strings.Contains(resp.Body, "quota_exceeded") || resp.Headers["Retry-After"] == "" {
		t.Fatalf("third → %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	if h.srv.Stats().Messages != 2 {
		t.Fatalf("delivered %d", h.srv.Stats().Messages)
	}
}

// TestQueuedTemporaryFailureIsRetried ensures a queued message Gmail refuses for now (451 at MAIL) goes back to queued and is delivered on the queue's next delivery, once, while a permanent refusal (550 at RCPT) ends failed and is not delivered again.
func TestQueuedTemporaryFailureIsRetried(t *testing.T) {
	var refusals atomic.Int32
	h := newHarness(t, setup{Store: true, Queue: true, SMTP: devsmtp.Options{Reject: func(stage, arg string) error {
		if stage == "MAIL" && refusals.Add(1) == 1 {
			return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "Temporary System Problem. Try again later"}
		}
		if stage == "RCPT" && strings.Contains(arg, "gone@") {
			return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}
		return nil
	}}})
	h.storeDesk()
	var first, gone acceptedBody
	decodeJSON(t, h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "retry-me", nil)).Body, &first)
	h.queue.sqs.Poll(context.Background(), mapping, h.invoker(t), 0)
	if st, _ := h.recordStatus(t, first.ID); st != "queued" {
		t.Fatalf("after a 451 the record is %s, want queued", st)
	}
	if n := len(h.queue.sqs.Messages("send")); n != 1 {
		t.Fatalf("%d messages kept for retry, want 1", n)
	}
	// The retry comes after the visibility timeout (2 s here).
	waitFor(t, 10*time.Second, func() bool {
		_, _ = h.queue.sqs.Poll(context.Background(), mapping, h.invoker(t), 100*time.Millisecond)
		return h.srv.Stats().Messages == 1
	})
	decodeJSON(t, h.callAPI(t, "POST", "/messages", queuedRequest("desk", "gone@example.com", "bounce-me", nil)).Body, &gone)
	h.drain(t)
	if st, _ := h.recordStatus(t, first.ID); st != "sent" {
		t.Fatalf("retried record is %s", st)
	}
	resp := h.callAPI(t, "GET", "/messages/"+gone.ID, "")
	if !strings.Contains(resp.Body, `"status":"failed"`) || !strings.Contains(resp.Body, `"errorCode":"smtp_rejected"`) {
		t.Fatalf("refused record: %s", resp.Body)
	}
	if h.srv.Stats().Messages != 1 || len(h.queue.sqs.Messages("dlq")) != 0 {
		t.Fatalf("delivered %d, dead letters %d", h.srv.Stats().Messages, len(h.queue.sqs.Messages("dlq")))
	}
}

// TestQueuedKeyReleasedWhenNeverQueued ensures a POST /messages that could
// not be queued (queue_unavailable, a retryable 503) does not hold its
// Idempotency-Key: the client's retry with the same key is queued and
// sent, not answered with the failed record for the key's 24 hours.
func TestQueuedKeyReleasedWhenNeverQueued(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	body := queuedRequest("desk", "kim@example.com", "retry-me", map[string]any{"idempotencyKey": "order-2048"})
	h.queue.sqs.FailBatchEntries(func(_, _ string) bool { return true })
	if resp := h.callAPI(t, "POST", "/messages", body); resp.StatusCode != 503 {
		t.Fatalf("queue refusing → %d %s, want 503", resp.StatusCode, resp.Body)
	}
	h.queue.sqs.FailBatchEntries(nil)
	resp := h.callAPI(t, "POST", "/messages", body)
	var again acceptedBody
	decodeJSON(t, resp.Body, &again)
	if resp.StatusCode != 202 || again.Status != "queued" {
		t.Fatalf("retry with the same key → %d %s, want 202 queued", resp.StatusCode, resp.Body)
	}
	if n := len(h.queue.sqs.Messages("send")); n != 1 {
		t.Fatalf("%d queue messages, want 1", n)
	}
}

// TestSendWithKeyOfQueuedMessageWaits ensures POST /send carrying the idempotency key of a message POST /messages queued and not yet sent answers 409 idempotency_in_progress with Retry-After, not a retryable internal error, and sends nothing.
func TestSendWithKeyOfQueuedMessageWaits(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	body := queuedRequest("desk", "kim@example.com", "once", map[string]any{"idempotencyKey": "order-4096"})
	if resp := h.callAPI(t, "POST", "/messages", body); resp.StatusCode != 202 {
		t.Fatalf("POST /messages → %d %s", resp.StatusCode, resp.Body)
	}
	resp := h.callAPI(t, "POST", "/send", body)
	if resp.StatusCode != 409 || !strings.Contains(resp.Body, `"idempotency_in_progress"`) || resp.Headers["Retry-After"] == "" {
		t.Fatalf("POST /send with the queued message's key → %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	if n := h.srv.Stats().Messages; n != 0 {
		t.Fatalf("%d messages sent, want none before the queue delivers", n)
	}
}

// TestRetryOfAcceptedScheduleReplaysAfterItsTimeCame ensures a keyed retry of an accepted scheduled send (its 202 lost) is answered with the record, not refused because scheduledAt has since come too close — on POST /messages and on a batch item — while a corrected request under that key is still refused.
func TestRetryOfAcceptedScheduleReplaysAfterItsTimeCame(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: func(c *app.Config) { c.MinScheduleAhead = time.Second }})
	h.storeDesk()
	at := time.Now().Add(1500 * time.Millisecond).Format(time.RFC3339Nano)
	single := queuedRequest("desk", "kim@example.com", "예약 확인", map[string]any{"scheduledAt": at, "idempotencyKey": "booking-41"})
	batch := batchOf([]string{queuedRequest("desk", "lee@example.com", "예약 확인", map[string]any{"scheduledAt": at})}, `, "idempotencyKey": "bookings-9"`)
	var first acceptedBody
	resp := h.callAPI(t, "POST", "/messages", single)
	decodeJSON(t, resp.Body, &first)
	var firstBatch batchBody
	bresp := h.callAPI(t, "POST", "/messages/batch", batch)
	decodeJSON(t, bresp.Body, &firstBatch)
	if resp.StatusCode != 202 || first.Status != "scheduled" || bresp.StatusCode != 202 || firstBatch.Accepted != 1 {
		t.Fatalf("first attempts → %d %s; %d %s", resp.StatusCode, resp.Body, bresp.StatusCode, bresp.Body)
	}
	time.Sleep(700 * time.Millisecond) // scheduledAt is now less than MinScheduleAhead away
	var again acceptedBody
	resp = h.callAPI(t, "POST", "/messages", single)
	decodeJSON(t, resp.Body, &again)
	if resp.StatusCode != 202 || again.ID != first.ID || again.Status != "scheduled" {
		t.Fatalf("retry → %d %s, want 202 with record %s", resp.StatusCode, resp.Body, first.ID)
	}
	var batchAgain batchBody
	bresp = h.callAPI(t, "POST", "/messages/batch", batch)
	decodeJSON(t, bresp.Body, &batchAgain)
	if bresp.StatusCode != 202 || batchAgain.Accepted != 1 || batchAgain.Messages[0].ID != firstBatch.Messages[0].ID {
		t.Fatalf("batch retry → %d %s, want item %s replayed", bresp.StatusCode, bresp.Body, firstBatch.Messages[0].ID)
	}
	corrected := queuedRequest("desk", "kim@example.com", "예약 변경", map[string]any{"scheduledAt": at, "idempotencyKey": "booking-41"})
	resp = h.callAPI(t, "POST", "/messages", corrected)
	if resp.StatusCode != 400 || !strings.Contains(resp.Body, `"scheduledAt"`) {
		t.Fatalf("corrected retry → %d %s, want its own refusal", resp.StatusCode, resp.Body)
	}
}

// TestRefusedRetryStopsTheFirstAttemptsSchedule ensures a keyed retry refused because its scheduledAt has come too close, finding no record (the first attempt made its schedule, and its record write is still on its way: a dead invocation's request applied late), deletes that attempt's schedule: the late record then fires nothing — the caller was told the message will not go, and it does not (chaos seed 2002).
func TestRefusedRetryStopsTheFirstAttemptsSchedule(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: func(c *app.Config) { c.MinScheduleAhead = time.Second }})
	h.storeDesk()
	h.consume(t)
	at := time.Now().Add(1500 * time.Millisecond)
	req := queuedRequest("desk", "kim@example.com", "예약 확인", map[string]any{"scheduledAt": at.Format(time.RFC3339Nano), "idempotencyKey": "booking-77"})
	var first acceptedBody
	resp := h.callAPI(t, "POST", "/messages", req)
	decodeJSON(t, resp.Body, &first)
	if resp.StatusCode != 202 {
		t.Fatalf("first attempt → %d %s", resp.StatusCode, resp.Body)
	}
	// The first attempt's record, as if its write had not landed yet.
	ctx := context.Background()
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "msg#" + first.ID}, "sk": &types.AttributeValueMemberS{Value: "msg"}}
	got, err := h.dynamo.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("messages"), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil || len(got.Item) == 0 {
		t.Fatalf("reading the record: %v", err)
	}
	if _, err := h.dynamo.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("messages"), Key: key}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond) // scheduledAt is now less than MinScheduleAhead away
	resp = h.callAPI(t, "POST", "/messages", req)
	if resp.StatusCode != 400 || !strings.Contains(resp.Body, `"scheduledAt"`) {
		t.Fatalf("retry without a record → %d %s, want the refusal", resp.StatusCode, resp.Body)
	}
	// The first attempt's write lands now.
	if _, err := h.dynamo.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("messages"), Item: got.Item}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(at) + 1500*time.Millisecond) // its time, and a delivery's
	if n, fired := h.srv.Stats().Messages, len(h.queue.sched.Fired()); n != 0 || fired != 0 {
		t.Fatalf("%d delivered, %d schedules fired after the caller was told 400", n, fired)
	}
}

// TestRefusalLeavesTheKeyFree ensures a keyed POST /messages refused for a reason that may pass (a suppressed recipient) writes nothing under its key: once the suppression is lifted, the retry with the same key is accepted and delivered, not answered with a stored refusal.
func TestRefusalLeavesTheKeyFree(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	h.consume(t)
	if resp := h.callAPI(t, "PUT", "/suppressions/kim@example.com?credential=desk", ""); resp.StatusCode != 201 {
		t.Fatalf("suppress → %d %s", resp.StatusCode, resp.Body)
	}
	req := queuedRequest("desk", "kim@example.com", "예약 확인", map[string]any{"idempotencyKey": "booking-78"})
	if resp := h.callAPI(t, "POST", "/messages", req); resp.StatusCode != 422 {
		t.Fatalf("to a suppressed address → %d %s", resp.StatusCode, resp.Body)
	}
	if n := countItems(t, h.dynamo); n != 1 { // the suppression entry only
		t.Fatalf("%d items after the refusal, want only the suppression", n)
	}
	if resp := h.callAPI(t, "DELETE", "/suppressions/kim@example.com?credential=desk", ""); resp.StatusCode != 204 {
		t.Fatalf("lift → %d %s", resp.StatusCode, resp.Body)
	}
	var acc acceptedBody
	resp := h.callAPI(t, "POST", "/messages", req)
	decodeJSON(t, resp.Body, &acc)
	if resp.StatusCode != 202 || acc.Status != "queued" {
		t.Fatalf("retry once lifted → %d %s", resp.StatusCode, resp.Body)
	}
	waitFor(t, 5*time.Second, func() bool { st, _ := h.recordStatus(t, acc.ID); return st == "sent" })
	if n := h.srv.Stats().Messages; n != 1 {
		t.Fatalf("%d delivered, want 1", n)
	}
}
