package lambdahandler

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

func failedItems(t *testing.T, out any) []string {
	t.Helper()
	resp, ok := out.(events.SQSEventResponse)
	if !ok {
		t.Fatalf("answered %T, want events.SQSEventResponse", out)
	}
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// TestSQSReportsEveryFailedRecordAndOnlyThose ensures a batch sends each record, reports exactly the failed ones (a permanent failure too, so SQS moves it to the dead-letter queue), and logs each with its message id.
func TestSQSReportsEveryFailedRecordAndOnlyThose(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	out, err := sh.invoke(t, fixture.SQSEvent(t,
		fixture.SendRequest(fixture.User, "a@example.com", "one"), badRequest(), fixture.SendRequest(fixture.User, "c@example.com", "three")))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedItems(t, out); len(ids) != 1 || ids[0] != "msg-1" {
		t.Fatalf("batchItemFailures %v, want [msg-1]", ids)
	}
	if n := len(sh.srv.Messages()); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
	lines := sh.logLines(t)
	if len(lines) != 3 || lines[1]["itemId"] != "msg-1" || lines[1]["outcome"] != "invalid_request" || lines[1]["retryable"] != false {
		t.Fatalf("log %v", lines)
	}
}

// TestSQSAllDeliveredReportsEmptyList ensures a fully delivered batch answers `"batchItemFailures": []`, the shape AWS documents for a batch with no failure.
func TestSQSAllDeliveredReportsEmptyList(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	out, err := sh.invoke(t, fixture.SQSEvent(t, fixture.SendRequest(fixture.User, "a@example.com", "one")))
	if err != nil {
		t.Fatal(err)
	}
	if resp := out.(events.SQSEventResponse); resp.BatchItemFailures == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v", resp)
	}
}

// TestSQSOutOfTimeReportsTheRestUnsent ensures a batch with less than BatchReserve left starts no send and reports every record, with a timeout log line each.
func TestSQSOutOfTimeReportsTheRestUnsent(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond) // under the 100 ms reserve
	defer cancel()
	out, err := sh.h.Invoke(ctx, fixture.SQSEvent(t,
		fixture.SendRequest(fixture.User, "a@example.com", "one"), fixture.SendRequest(fixture.User, "b@example.com", "two")))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedItems(t, out); len(ids) != 2 {
		t.Fatalf("batchItemFailures %v", ids)
	}
	if n := len(sh.srv.Messages()); n != 0 {
		t.Fatalf("%d messages sent with no time left", n)
	}
	for _, l := range sh.logLines(t) {
		if l["outcome"] != string(gmailsend.CodeTimeout) {
			t.Fatalf("log %v", l)
		}
	}
}

// TestSQSMalformedEventIsFunctionError ensures an event that is not an SQS batch fails the invocation with invalid_request rather than reporting nothing.
func TestSQSMalformedEventIsFunctionError(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	_, err := sh.h.handleSQS(context.Background(), []byte(`{"Records": "not a list"}`))
	wantFunctionError(t, err, gmailsend.CodeInvalidRequest)
}

// TestSQSPlainRequestNamingTheEnvelopeMarkerIsSent ensures a plain request on the queue whose subject and message text are the envelope's marker word is sent as the request it is, not taken for a queued envelope.
func TestSQSPlainRequestNamingTheEnvelopeMarkerIsSent(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	out, err := sh.invoke(t, fixture.SQSEvent(t, fixture.SendRequest(fixture.User, "a@example.com", "gmailsendQueued")))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedItems(t, out); len(ids) != 0 {
		t.Fatalf("batchItemFailures %v", ids)
	}
	if msgs := sh.srv.Messages(); len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "a@example.com" {
		t.Fatalf("sent %+v", msgs)
	}
}
