package lambdahandler

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// failureRecord wraps an event in the record Lambda writes to an on-failure
// destination after the retries of an asynchronous invocation (the shape
// AWS documents: version, timestamp, requestContext, requestPayload,
// responseContext, responsePayload).
func failureRecord(t *testing.T, event []byte) []byte {
	t.Helper()
	rec := map[string]any{
		"version":   "1.0",
		"timestamp": "2026-11-23T09:12:44.512Z",
		"requestContext": map[string]any{
			"requestId":              "8ea123e4-1db7-4aca-ad10-d9ca1234c1fd",
			"functionArn":            "arn:aws:lambda:ap-northeast-2:123456789012:function:gmailsend-gmailsend:$LATEST",
			"condition":              "RetriesExhausted",
			"approximateInvokeCount": 3,
		},
		"requestPayload":  json.RawMessage(event),
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"responsePayload": map[string]any{"errorType": "smtp_unavailable", "errorMessage": "Gmail could not be reached"},
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUnwrapDestinationKeepsOriginalIdentity ensures a record holding an EventBridge or SNS event yields its send request with the event id or SNS MessageId, and is detected as a destination record.
func TestUnwrapDestinationKeepsOriginalIdentity(t *testing.T) {
	cases := []struct {
		file, id string
		src      source
	}{
		{"eventbridge.json", "cdc73f9d-aea9-11e3-9d5a-835b769c0d9c", sourceEventBridge},
		{"sns.json", "95df01b4-ee98-5cb9-9903-4c221d41eb5e", sourceSNS},
		{"direct.json", "8ea123e4-1db7-4aca-ad10-d9ca1234c1fd", sourceDirect},
	}
	for _, c := range cases {
		rec := failureRecord(t, sample(t, c.file))
		if detect(rec) != sourceDestination || !isDestinationRecord(rec) {
			t.Fatalf("%s: record detected as %s", c.file, detect(rec))
		}
		got, err := unwrapDestination(rec)
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %v %v", c.file, got, err)
		}
		if got[0].src != c.src || got[0].id != c.id {
			t.Errorf("%s: source %s id %q", c.file, got[0].src, got[0].id)
		}
		var req map[string]any
		if err := json.Unmarshal(got[0].body, &req); err != nil || req["toEmail"] == nil {
			t.Errorf("%s: body is not the send request: %s", c.file, got[0].body)
		}
	}
}

// TestUnwrapDestinationRefusesWhatCannotBeThere ensures records without an original event, or with a synchronous source's event, are invalid_request naming requestPayload.
func TestUnwrapDestinationRefusesWhatCannotBeThere(t *testing.T) {
	sqs := fixture.SQSEvent(t, `{"toEmail":"a@example.com"}`)
	for name, rec := range map[string][]byte{
		"SQS event inside":     failureRecord(t, sqs),
		"API event inside":     failureRecord(t, sample(t, "apigateway-rest.json")),
		"no original event":    failureRecord(t, []byte("null")),
		"record inside record": failureRecord(t, failureRecord(t, sample(t, "direct.json"))),
	} {
		_, err := unwrapDestination(rec)
		e := gmailsend.AsError(err)
		if err == nil || e.Code != gmailsend.CodeInvalidRequest || e.Field != "requestPayload" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSendRequestIsNotADestinationRecord ensures ordinary requests, even with a "version" field, are never taken for destination records.
func TestSendRequestIsNotADestinationRecord(t *testing.T) {
	for _, p := range []string{
		string(sample(t, "direct.json")),
		`{"version":"1.0","toEmail":"a@example.com"}`,
		`{"version":"1.0","requestContext":{},"requestPayload":{}}`,
		`not json`,
	} {
		if isDestinationRecord([]byte(p)) {
			t.Errorf("taken for a destination record: %s", strings.TrimSpace(p)[:min(40, len(p))])
		}
	}
}
