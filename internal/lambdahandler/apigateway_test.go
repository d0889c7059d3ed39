package lambdahandler

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestRESTAPISendAnswersProxyResponse ensures a REST API (payload 1.0) POST /send in API Gateway's own envelope delivers the message and answers a proxy response: 200, JSON headers, the documented body.
func TestRESTAPISendAnswersProxyResponse(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	out, err := sh.invoke(t, fixture.UpstreamEvent(t, "apigw-request.json", fixture.SendRequest(fixture.User, "kim@example.com", "rest")))
	if err != nil {
		t.Fatal(err)
	}
	resp, ok := out.(events.APIGatewayProxyResponse)
	if !ok {
		t.Fatalf("answered %T, want events.APIGatewayProxyResponse", out)
	}
	var body struct {
		Status   string   `json:"status"`
		Accepted []string `json:"accepted"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || resp.StatusCode != 200 || body.Status != "sent" ||
		len(body.Accepted) != 1 || body.Accepted[0] != "kim@example.com" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	if resp.Headers["Content-Type"] != "application/json; charset=utf-8" || resp.Headers["Cache-Control"] != "no-store" {
		t.Fatalf("headers %v", resp.Headers)
	}
	if msgs := sh.srv.Messages(); len(msgs) != 1 || msgs[0].To[0] != "kim@example.com" {
		t.Fatalf("delivered %+v", msgs)
	}
	if lines := sh.logLines(t); len(lines) != 1 || lines[0]["source"] != string(sourceAPIGatewayV1) {
		t.Fatalf("log %v", lines)
	}
}

// TestRESTAPIErrorIsStatusNotFunctionError ensures a refused request answers its HTTP status and error body (never a Lambda function error, which API Gateway would turn into a bare 502) and sends nothing.
func TestRESTAPIErrorIsStatusNotFunctionError(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	out, err := sh.invoke(t, fixture.UpstreamEvent(t, "apigw-request.json", badRequest()))
	if err != nil {
		t.Fatalf("a function error reached API Gateway: %v", err)
	}
	resp := out.(events.APIGatewayProxyResponse)
	if resp.StatusCode != 400 || errorCode(t, resp.Body) != "invalid_request" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	if n := len(sh.srv.Messages()); n != 0 {
		t.Fatalf("%d messages sent", n)
	}
}

// TestHTTPAPIBase64BodyAndV2Response ensures an HTTP API (payload 2.0) request whose body API Gateway base64-encoded is decoded and answered in the 2.0 response shape, and a body marked base64 that is not is refused.
func TestHTTPAPIBase64BodyAndV2Response(t *testing.T) {
	sh := newSourceHarness(t, devsmtp.Options{})
	var ev map[string]any
	if err := json.Unmarshal(fixture.UpstreamEvent(t, "apigw-v2-request-no-authorizer.json", ""), &ev); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		body   string
		status int
	}{
		{base64.StdEncoding.EncodeToString([]byte(fixture.SendRequest(fixture.User, "kim@example.com", "한글 제목"))), 200},
		{"!!! not base64 !!!", 400},
	} {
		ev["body"], ev["isBase64Encoded"] = c.body, true
		payload, _ := json.Marshal(ev)
		out, err := sh.invoke(t, payload)
		if err != nil {
			t.Fatal(err)
		}
		resp, ok := out.(events.APIGatewayV2HTTPResponse)
		if !ok || resp.StatusCode != c.status {
			t.Fatalf("answered %T %+v, want status %d", out, out, c.status)
		}
	}
	if n := len(sh.srv.Messages()); n != 1 {
		t.Fatalf("%d messages sent, want 1", n)
	}
}
