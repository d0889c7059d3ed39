package app_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// destinationRecord wraps event in the record Lambda sends to an on-failure
// destination once an asynchronous invocation's retries are used up.
func destinationRecord(t *testing.T, event []byte) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"version":   "1.0",
		"timestamp": "2026-11-23T09:12:44.512Z",
		"requestContext": map[string]any{"requestId": "0a4c5e5f-2b1e-4f0e-9d43-2f5c7f1d9a10",
			"functionArn": "arn:aws:lambda:ap-northeast-2:123456789012:function:gmailsend-gmailsend:$LATEST",
			"condition":   "RetriesExhausted", "approximateInvokeCount": 3},
		"requestPayload":  json.RawMessage(event),
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"responsePayload": map[string]any{"errorType": "smtp_unavailable", "errorMessage": "Gmail could not be reached"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func eventFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logged reports whether one log line carries every key:value pair.
func logged(log string, pairs ...string) bool {
	for _, line := range strings.Split(log, "\n") {
		all := true
		for _, p := range pairs {
			all = all && strings.Contains(line, p)
		}
		if all && len(pairs) > 0 {
			return true
		}
	}
	return false
}

// TestRedrivenEventBridgeFailureIsSent ensures events/sqs-redrive.json (a destination record moved from the dead-letter queue to the send queue) is sent once and logged under the original EventBridge event id.
func TestRedrivenEventBridgeFailureIsSent(t *testing.T) {
	h := newHarness(t, setup{})
	out, err := h.invoke(t, eventFile(t, "sqs-redrive.json"))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedIDs(t, out); len(ids) != 0 {
		t.Fatalf("failures %v", ids)
	}
	if got := subjects(h.srv); len(got) != 1 || h.srv.Stats().Messages != 1 {
		t.Fatalf("delivered %v", got)
	}
	if !logged(h.log.String(), `"source":"eventbridge"`, `"itemId":"7bf73129-1428-4cd3-a780-95db273d1602"`, `"outcome":"sent"`) {
		t.Fatalf("no send logged under the EventBridge id:\n%s", h.log)
	}
}

// TestRedrivenSNSFailureIsSent ensures a destination record holding an SNS event, arriving in an SQS record, is sent and logged under the SNS MessageId.
func TestRedrivenSNSFailureIsSent(t *testing.T) {
	h := newHarness(t, setup{})
	out, err := h.invoke(t, fixture.SQSEvent(t, destinationRecord(t, eventFile(t, "sns.json"))))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedIDs(t, out); len(ids) != 0 || h.srv.Stats().Messages != 1 {
		t.Fatalf("failures %v, %d delivered", ids, h.srv.Stats().Messages)
	}
	if !logged(h.log.String(), `"source":"sns"`, `"itemId":"95df01b4-ee98-5cb9-9903-4c221d41eb5e"`, `"outcome":"sent"`) {
		t.Fatalf("no send logged under the SNS MessageId:\n%s", h.log)
	}
}

// TestRedriveThatStillFailsIsReported ensures a redriven record whose send fails again is a batch item failure (so SQS returns it to the dead-letter queue), never dropped.
func TestRedriveThatStillFailsIsReported(t *testing.T) {
	h := newHarness(t, setup{})
	var ev map[string]any
	if err := json.Unmarshal(eventFile(t, "eventbridge.json"), &ev); err != nil {
		t.Fatal(err)
	}
	ev["detail"].(map[string]any)["password"] = "wrongwrongwrongw"
	wrong, _ := json.Marshal(ev)
	out, err := h.invoke(t, fixture.SQSEvent(t, destinationRecord(t, wrong), fixture.SendRequest(fixture.User, "a@example.com", "plain")))
	if err != nil {
		t.Fatal(err)
	}
	if ids := failedIDs(t, out); strings.Join(ids, ",") != "msg-0" {
		t.Fatalf("failures %v, want [msg-0]", ids)
	}
	if !logged(h.log.String(), `"outcome":"smtp_auth_failed"`, `"itemId":"cdc73f9d-aea9-11e3-9d5a-835b769c0d9c"`) {
		t.Fatalf("the failed redrive is not logged under its event id:\n%s", h.log)
	}
	// A record that cannot be a redrive (an SQS event inside) is refused
	// with the field at fault and logged.
	out, err = h.invoke(t, fixture.SQSEvent(t, destinationRecord(t, fixture.SQSEvent(t, "{}"))))
	if err != nil || len(failedIDs(t, out)) != 1 || !logged(h.log.String(), "destination record refused", `"field":"requestPayload"`) {
		t.Fatalf("%v %v\n%s", out, err, h.log)
	}
}

// TestDestinationRecordInvokedDirectly ensures a destination record sent straight to the function (a Lambda destination, aws lambda invoke) resends its event.
func TestDestinationRecordInvokedDirectly(t *testing.T) {
	h := newHarness(t, setup{})
	out, err := h.invoke(t, []byte(destinationRecord(t, eventFile(t, "eventbridge.json"))))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(out); string(b) != `{"sent":1}` || h.srv.Stats().Messages != 1 {
		t.Fatalf("%s, %d delivered", b, h.srv.Stats().Messages)
	}
}

// TestSourceLimitsEndToEnd ensures requests over SNS's, SQS's and the API's real limits are payload_too_large naming the limit, and nothing is sent.
func TestSourceLimitsEndToEnd(t *testing.T) {
	h := newHarness(t, setup{})
	big := func(n int) string {
		return `{"user":"sender@gmail.com","password":"abcdefghijklmnop","toEmail":"a@example.com","message":"` +
			strings.Repeat("x", n) + `"}`
	}
	_, err := h.invoke(t, fixture.UpstreamEvent(t, "sns-event.json", big(262_144)))
	if functionErrorType(err) != "payload_too_large" || !strings.Contains(err.Error(), "SNS's 256 KiB") {
		t.Fatalf("SNS: %v", err)
	}
	out, err := h.invoke(t, fixture.SQSEvent(t, big(1_048_576)))
	if err != nil || len(failedIDs(t, out)) != 1 || !logged(h.log.String(), `"source":"sqs"`, `"outcome":"payload_too_large"`) {
		t.Fatalf("SQS: %v %v", out, err)
	}
	out, err = h.invoke(t, fixture.UpstreamEvent(t, "apigw-request.json", big(6_291_456)))
	resp, ok := out.(events.APIGatewayProxyResponse)
	if err != nil || !ok || resp.StatusCode != 413 || !strings.Contains(resp.Body, "6 MB synchronous") {
		t.Fatalf("API: %v %v", out, err)
	}
	if n := h.srv.Stats().Messages; n != 0 {
		t.Fatalf("%d messages sent over the limits", n)
	}
}
