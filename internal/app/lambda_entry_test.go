package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestLambdaHandlerAnswersAsTheReflectionHandlerWould ensures the raw entry answers compact JSON with unescaped angle brackets and no trailing newline, passes a function error through with its type, and does not keep the payload (the caller's buffer is overwritten right after).
func TestLambdaHandlerAnswersAsTheReflectionHandlerWould(t *testing.T) {
	h := newHarness(t, setup{})
	entry := h.app.LambdaHandler()
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "raw"})
	payload := []byte(fixture.SendRequest(fixture.User, "kim@example.com", "raw"))
	out, err := entry.Invoke(ctx, payload)
	for i := range payload {
		payload[i] = 'x' // the runtime client reuses its buffer
	}
	if err != nil {
		t.Fatal(err)
	}
	var res okBody
	if err := json.Unmarshal(out, &res); err != nil || res.Status != "sent" ||
		!strings.Contains(string(out), `"messageId":"<`) || strings.HasSuffix(string(out), "\n") {
		t.Fatalf("answered %q", out)
	}
	if msgs := h.srv.Messages(); len(msgs) != 1 || msgs[0].To[0] != "kim@example.com" {
		t.Fatalf("delivered %+v", msgs)
	}
	_, err = entry.Invoke(ctx, []byte(`{"user":"sender@gmail.com","toEmails":"kim@example.com"}`))
	var fe messages.InvokeResponse_Error
	if !errors.As(err, &fe) || fe.Type != "invalid_request" {
		t.Fatalf("want a function error of type invalid_request, got %v", err)
	}
}
