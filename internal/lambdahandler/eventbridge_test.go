package lambdahandler

import (
	"encoding/json"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// eventBridgeEvent is an EventBridge event as the rule in template.yaml delivers it, the send request in detail.
func eventBridgeEvent(detail string) []byte {
	b, _ := json.Marshal(map[string]any{
		"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "gmailsend.SendRequested",
		"source": "com.example.orders", "account": "111122223333", "time": "2026-11-23T19:00:00Z",
		"region": "us-east-1", "resources": []string{}, "detail": json.RawMessage(detail),
	})
	return b
}

// TestEventBridgeSendsTheDetail ensures the send request in an EventBridge event's detail is sent, answered with the send result, and logged under the event id.
func TestEventBridgeSendsTheDetail(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	out, err := sh.invoke(t, eventBridgeEvent(fixture.SendRequest(fixture.User, "kim@example.com", "eb")))
	if err != nil {
		t.Fatal(err)
	}
	if res, ok := out.(*sender.Result); !ok || res.Status != "sent" {
		t.Fatalf("answered %#v", out)
	}
	if n := len(sh.srv.Messages()); n != 1 {
		t.Fatalf("%d messages", n)
	}
	lines := sh.logLines(t)
	if len(lines) != 1 || lines[0]["source"] != string(sourceEventBridge) || lines[0]["itemId"] != "6a7e8feb-b491-4cf7-a9f1-bf3703467718" {
		t.Fatalf("log %v", lines)
	}
}

// TestEventBridgeFailureIsFunctionError ensures a failed EventBridge send fails the invocation with the code as errorType, so Lambda's asynchronous retries and failure destination apply.
func TestEventBridgeFailureIsFunctionError(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	_, err := sh.invoke(t, eventBridgeEvent(badRequest()))
	wantFunctionError(t, err, gmailsend.CodeInvalidRequest)
}
