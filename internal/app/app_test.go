package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

const originalRequest = `{"user":"sender@gmail.com","password":"abcd efgh ijkl mnop","fromUsername":"홍길동",` +
	`"toEmail":"kim@example.com","subject":"회의 안내","message":"<p>내일 <b>10시</b>에 뵙겠습니다.</p>"}`

// appConfig is the default configuration pointed at a local server.
func appConfig(srv *devsmtp.Server, caFile string) app.Config {
	c := app.Defaults()
	c.SMTPHost, c.SMTPPort, c.SMTPCAFile = "127.0.0.1", srv.Port, caFile
	c.SafetyMargin = 200 * time.Millisecond
	c.BatchReserve = 500 * time.Millisecond
	return c
}

func invokeCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-" + t.Name()})
}

func (h *harness) invoke(t *testing.T, payload []byte) (any, error) {
	t.Helper()
	return h.app.Handler.Invoke(invokeCtx(t), payload)
}

type okBody struct {
	Status    string   `json:"status"`
	MessageID string   `json:"messageId"`
	Accepted  []string `json:"accepted"`
}

type errBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		SMTP    *struct {
			Code         int    `json:"code"`
			EnhancedCode string `json:"enhancedCode"`
		} `json:"smtp"`
	} `json:"error"`
}

// TestRESTAPIOriginalRequest ensures the platform's six-field request, in API Gateway's real REST envelope, is delivered intact.
func TestRESTAPIOriginalRequest(t *testing.T) {
	h := newHarness(t, setup{})
	out, err := h.invoke(t, fixture.UpstreamEvent(t, "apigw-request.json", originalRequest))
	if err != nil {
		t.Fatal(err)
	}
	resp, ok := out.(events.APIGatewayProxyResponse)
	if !ok || resp.StatusCode != 200 || !strings.HasPrefix(resp.Headers["Content-Type"], "application/json") {
		t.Fatalf("response %#v", out)
	}
	var body okBody
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || body.Status != "sent" || len(body.Accepted) != 1 {
		t.Fatalf("body %s", resp.Body)
	}
	msgs := h.srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	from, _ := m.Header.AddressList("From")
	if subject != "회의 안내" || from[0].Name != "홍길동" || from[0].Address != "sender@gmail.com" {
		t.Fatalf("subject %q from %v", subject, from)
	}
	if m.Header.Get("Message-Id") != body.MessageID {
		t.Fatalf("messageId %s vs header %s", body.MessageID, m.Header.Get("Message-Id"))
	}
	if msgs[0].User != fixture.User {
		t.Fatal("app password with spaces was not accepted")
	}
}

// TestHTTPAPIBase64Body ensures an HTTP API (v2) event with a base64 body is decoded and answered in v2 shape.
func TestHTTPAPIBase64Body(t *testing.T) {
	h := newHarness(t, setup{})
	var ev map[string]any
	_ = json.Unmarshal(fixture.UpstreamEvent(t, "apigw-v2-request-no-authorizer.json", ""), &ev)
	ev["body"] = base64.StdEncoding.EncodeToString([]byte(originalRequest))
	ev["isBase64Encoded"] = true
	payload, _ := json.Marshal(ev)
	out, err := h.invoke(t, payload)
	if err != nil {
		t.Fatal(err)
	}
	resp, ok := out.(events.APIGatewayV2HTTPResponse)
	if !ok || resp.StatusCode != 200 {
		t.Fatalf("response %#v", out)
	}
	if len(h.srv.Messages()) != 1 {
		t.Fatal("not delivered")
	}
}

// TestDirectInvocation ensures a direct payload returns the result object, and a bad one a function error typed by code.
func TestDirectInvocation(t *testing.T) {
	h := newHarness(t, setup{})
	out, err := h.invoke(t, []byte(originalRequest))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	var body okBody
	if json.Unmarshal(b, &body); body.Status != "sent" || !strings.HasSuffix(body.MessageID, "@gmail.com>") {
		t.Fatalf("result %s", b)
	}
	_, err = h.invoke(t, []byte(`{"user":"sender@gmail.com","password":"x","toEmails":"a@example.com"}`))
	var fe messages.InvokeResponse_Error
	if !errors.As(err, &fe) || fe.Type != "invalid_request" || !strings.Contains(fe.Message, "toEmails") {
		t.Fatalf("function error %#v", err)
	}
}

// TestAPIErrors ensures API callers get the documented status and error body for each kind of failure.
func TestAPIErrors(t *testing.T) {
	h := newHarness(t, setup{})
	cases := []struct {
		name, body, code, field string
		status                  int
	}{
		{"typo", `{"user":"sender@gmail.com","password":"x","toEmails":"a@example.com"}`, "invalid_request", "toEmails", 400},
		{"missing to", `{"user":"sender@gmail.com","password":"x","subject":"s","message":"m"}`, "invalid_request", "toEmail", 400},
		{"injection", `{"user":"sender@gmail.com","password":"x","toEmail":"a@example.com","subject":"hi\r\nBcc: evil@example.com","message":"m"}`, "invalid_request", "subject", 400},
		{"wrong password", `{"user":"sender@gmail.com","password":"wrong","toEmail":"a@example.com","subject":"s","message":"m"}`, "smtp_auth_failed", "", 401},
		{"not json", `hello`, "invalid_request", "", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := h.invoke(t, fixture.UpstreamEvent(t, "apigw-request.json", c.body))
			if err != nil {
				t.Fatal(err)
			}
			resp := out.(events.APIGatewayProxyResponse)
			var body errBody
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.status || body.Error.Code != c.code || body.Error.Field != c.field || body.Error.Message == "" {
				t.Fatalf("status %d body %s", resp.StatusCode, resp.Body)
			}
			if c.code == "smtp_auth_failed" && (body.Error.SMTP == nil || body.Error.SMTP.Code != 535) {
				t.Fatalf("SMTP reply missing: %s", resp.Body)
			}
		})
	}
	if len(h.srv.Messages()) != 0 {
		t.Fatal("a refused request was delivered")
	}
}

// TestRateLimitedHasRetryAfter ensures Gmail's daily limit reaches API callers as 429 with Retry-After.
func TestRateLimitedHasRetryAfter(t *testing.T) {
	h := newHarness(t, setup{SMTP: devsmtp.Options{Reject: func(stage, _ string) error {
		if stage == "MAIL" {
			return &gosmtpError550545
		}
		return nil
	}}})
	out, _ := h.invoke(t, fixture.UpstreamEvent(t, "apigw-request.json", originalRequest))
	resp := out.(events.APIGatewayProxyResponse)
	if resp.StatusCode != 429 || resp.Headers["Retry-After"] == "" || !strings.Contains(resp.Body, `"enhancedCode":"5.4.5"`) {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
}

// TestLogLineHasNoSecrets ensures the one log line per send carries metadata but never the password, subject or body.
func TestLogLineHasNoSecrets(t *testing.T) {
	h := newHarness(t, setup{})
	_, _ = h.invoke(t, []byte(originalRequest))
	_, _ = h.invoke(t, []byte(strings.Replace(originalRequest, "abcd efgh ijkl mnop", "wrong password 123", 1)))
	var lines []string // the send lines; metrics_test.go checks the metric lines
	for _, l := range strings.Split(strings.TrimSpace(h.log.String()), "\n") {
		if strings.Contains(l, `"msg":"send"`) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("want one line per send, got %d:\n%s", len(lines), h.log.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["outcome"] != "sent" || first["requestId"] == nil || first["recipients"] != float64(1) || first["durationMs"] == nil {
		t.Fatalf("log line lacks fields: %s", lines[0])
	}
	if !strings.Contains(lines[1], `"outcome":"smtp_auth_failed"`) || !strings.Contains(lines[1], `"smtpCode":535`) {
		t.Fatalf("failure line: %s", lines[1])
	}
	for _, secret := range []string{"abcd efgh", "abcdefghijklmnop", "wrong password 123", "회의 안내", "10시", "뵙겠습니다"} {
		if strings.Contains(h.log.String(), secret) {
			t.Fatalf("log contains %q:\n%s", secret, h.log.String())
		}
	}
}
