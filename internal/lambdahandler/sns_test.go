package lambdahandler

import (
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestSNSSendsTheNotificationMessage ensures the request in an SNS notification's Message is sent and logged under the notification's MessageId.
func TestSNSSendsTheNotificationMessage(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	out, err := sh.invoke(t, fixture.UpstreamEvent(t, "sns-event.json", fixture.SendRequest(fixture.User, "kim@example.com", "sns")))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := out.(map[string]int); !ok || got["sent"] != 1 {
		t.Fatalf("answered %v", out)
	}
	if msgs := sh.srv.Messages(); len(msgs) != 1 || msgs[0].To[0] != "kim@example.com" {
		t.Fatalf("delivered %+v", msgs)
	}
	lines := sh.logLines(t)
	if len(lines) != 1 || lines[0]["source"] != string(sourceSNS) || lines[0]["itemId"] == "" {
		t.Fatalf("log %v", lines)
	}
}

// TestSNSFailureIsFunctionError ensures a failed SNS send fails the invocation with the code as errorType, so Lambda retries it and then hands it to the failure destination.
func TestSNSFailureIsFunctionError(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	_, err := sh.invoke(t, fixture.UpstreamEvent(t, "sns-event.json", badRequest()))
	wantFunctionError(t, err, gmailsend.CodeInvalidRequest)
}

// TestSNSOverItsSizeLimit ensures a Message over SNS's 256 KiB is refused as payload_too_large naming SNS's limit, before it is parsed.
func TestSNSOverItsSizeLimit(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	big := make([]byte, 262_145)
	for i := range big {
		big[i] = 'x'
	}
	_, err := sh.invoke(t, fixture.UpstreamEvent(t, "sns-event.json", string(big)))
	wantFunctionError(t, err, gmailsend.CodePayloadTooLarge)
	if len(sh.srv.Messages()) != 0 {
		t.Fatal("sent")
	}
}
