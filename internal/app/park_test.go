package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// onReceive is an SQS event of one record with body, received n times.
func onReceive(t *testing.T, body, n string) []byte {
	t.Helper()
	var ev events.SQSEvent
	if err := json.Unmarshal(fixture.SQSEvent(t, body), &ev); err != nil {
		t.Fatal(err)
	}
	ev.Records[0].Attributes = map[string]string{"ApproximateReceiveCount": n}
	b, _ := json.Marshal(ev)
	return b
}

// TestInlinePasswordNeverReachesTheDeadLetterQueue ensures a queue record or an EventBridge event with an inline password that fails for good is put on the dead-letter queue by the function without the password (marked gmailsendStripped) instead of SQS or Lambda moving it there as it is, while earlier receives still fail for a retry and records without a secret go as before.
func TestInlinePasswordNeverReachesTheDeadLetterQueue(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	failing := strings.Replace(storeRequest(fixture.User, "kim@example.com", nil), "kim@example.com", "not an address", 1)
	withoutSecret := `{"credential":"missing","toEmail":"kim@example.com","subject":"s","message":"m"}`
	cases := []struct {
		name, body, receives string
		reported, parked     bool
	}{
		{"a retry still to come", failing, "4", true, false},
		{"the last receive", failing, "5", false, true},
		{"no secret in it", withoutSecret, "5", true, false},
	}
	for _, c := range cases {
		before := len(h.queue.sqs.Messages("dlq"))
		out, err := h.invoke(t, onReceive(t, c.body, c.receives))
		b, _ := json.Marshal(out)
		if err != nil || strings.Contains(string(b), "msg-0") != c.reported {
			t.Errorf("%s: %s %v, want reported %v", c.name, b, err, c.reported)
		}
		if parked := len(h.queue.sqs.Messages("dlq")) - before; parked != map[bool]int{true: 1}[c.parked] {
			t.Errorf("%s: %d put on the dead-letter queue", c.name, parked)
		}
	}

	ev := strings.Replace(string(eventFile(t, "eventbridge.json")), "kim@example.com", "not an address", 1)
	out, err := h.invoke(t, []byte(ev))
	if b, _ := json.Marshal(out); err != nil || !strings.Contains(string(b), `"parked":1`) {
		t.Errorf("EventBridge: %s %v, want parked and no function error (no retry, no destination record with the password)", b, err)
	}

	dlq := h.queue.sqs.Messages("dlq")
	if len(dlq) != 2 {
		t.Fatalf("%d dead letters, want 2", len(dlq))
	}
	for _, m := range dlq {
		if strings.Contains(m.Body, fixture.Password) || strings.Contains(m.Body, "abcdefghijklmnop") || strings.Contains(m.Body, `"password":`) {
			t.Errorf("a dead letter holds the password: %s", m.Body)
		}
		if !strings.Contains(m.Body, `"gmailsendStripped":["password"]`) {
			t.Errorf("a dead letter does not say what was removed: %s", m.Body)
		}
	}
	if !strings.Contains(dlq[1].Body, `"requestPayload"`) || !strings.Contains(dlq[1].Body, `"errorType":"invalid_request"`) {
		t.Errorf("the parked event is not a destination record a redrive recognises: %s", dlq[1].Body)
	}
	if len(h.srv.Messages()) != 0 {
		t.Error("something was delivered")
	}
}
