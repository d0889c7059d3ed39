package lambdahandler

import (
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// TestDirectPayloadIsTheRequest ensures a payload that is the send request itself (Lambda Invoke API, sam local invoke) is sent and answered with the send result.
func TestDirectPayloadIsTheRequest(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	out, err := sh.invoke(t, []byte(fixture.SendRequest(fixture.User, "kim@example.com", "direct")))
	if err != nil {
		t.Fatal(err)
	}
	res, ok := out.(*sender.Result)
	if !ok || res.Status != "sent" || len(res.Accepted) != 1 {
		t.Fatalf("answered %#v", out)
	}
	if lines := sh.logLines(t); len(lines) != 1 || lines[0]["source"] != string(sourceDirect) {
		t.Fatalf("log %v", lines)
	}
}

// TestDirectFailureTypes ensures a direct invocation's failure is a function error whose errorType is the stable code: a typo'd field, a refused password.
func TestDirectFailureTypes(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	_, err := sh.invoke(t, []byte(`{"user":"sender@gmail.com","password":"abcdefghijklmnop","toEmails":"kim@example.com","message":"m"}`))
	wantFunctionError(t, err, gmailsend.CodeInvalidRequest)
	_, err = sh.invoke(t, []byte(`{"user":"sender@gmail.com","password":"wrongpasswordxyz","toEmail":"kim@example.com","message":"m"}`))
	wantFunctionError(t, err, gmailsend.CodeSMTPAuthFailed)
	if n := len(sh.srv.Messages()); n != 0 {
		t.Fatalf("%d messages", n)
	}
}
