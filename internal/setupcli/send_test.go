package setupcli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

const apiKey = "k3y-value-0123456789"

// deployed stands in for the deployed stack: an HTTPS-less API Gateway on
// loopback that refuses requests without the API key as API Gateway does
// ({"message":"Forbidden"}), wraps the rest in the upstream REST API proxy
// envelope, and hands it to the real function (app.Build) whose stored
// credentials live in the rig's Secrets Manager endpoint.
func (r *rig) deployed(t *testing.T) string {
	t.Helper()
	cfg := app.Defaults()
	cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPCAFile = "localhost", r.smtp.Port, r.caFile
	fn, err := app.Build(cfg, app.Parts{Secrets: awssecrets.NewWithAPI(r.secrets.Client())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fn.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if req.Method != http.MethodPost || req.URL.Path != "/prod/send" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"message":"Missing Authentication Token"}`)
			return
		}
		if req.Header.Get("x-api-key") != apiKey {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"message":"Forbidden"}`)
			return
		}
		body, _ := io.ReadAll(req.Body)
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(fixture.UpstreamEvent(t, "apigw-request.json", string(body)), &ev); err != nil {
			t.Error(err)
			return
		}
		ev.Resource, ev.Path, ev.HTTPMethod = "/send", "/send", http.MethodPost
		ev.PathParameters, ev.QueryStringParameters, ev.MultiValueQueryStringParameters = nil, nil, nil
		ev.Headers = map[string]string{"Content-Type": req.Header.Get("Content-Type"), "x-api-key": apiKey}
		ev.MultiValueHeaders = nil
		ev.RequestContext.ResourcePath, ev.RequestContext.HTTPMethod, ev.RequestContext.Identity.APIKeyID = "/send", http.MethodPost, "key-id-1"
		payload, _ := json.Marshal(ev)
		out, err := fn.Handler.Invoke(context.Background(), payload)
		resp, ok := out.(events.APIGatewayProxyResponse)
		if err != nil || !ok {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, `{"message":"Internal server error"}`)
			return
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.WriteString(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/prod/send"
}

// TestSendThroughEndpoint ensures send (flags from the environment) makes one API request that delivers the message, and prints the function's answer readably.
func TestSendThroughEndpoint(t *testing.T) {
	r := newRig(t)
	r.secrets.Put("gmailsend/desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, fixture.Password))
	r.env["GMAILSEND_ENDPOINT"], r.env["GMAILSEND_API_KEY"], r.env["GMAILSEND_CREDENTIAL"] = r.deployed(t), apiKey, "desk"
	res := r.run(t, "", "send", "--to", "kim@example.com", "--to", "lee@example.com", "--subject", "회의 안내", "--html", "<p>안녕하세요</p>", "--from-name", "홍길동")
	if res.code != setupcli.ExitOK || !strings.HasPrefix(res.stdout, "HTTP 200\n") || !strings.Contains(res.stdout, `"status": "sent"`) ||
		!strings.Contains(res.stdout, `"messageId": "<`) {
		t.Fatalf("exit %d:\n%s", res.code, res.output())
	}
	msgs := r.smtp.Messages()
	if len(msgs) != 1 || msgs[0].From != fixture.User || strings.Join(msgs[0].To, ",") != "kim@example.com,lee@example.com" ||
		!strings.Contains(string(msgs[0].Data), "=?UTF-8?") {
		t.Fatalf("delivered %+v", msgs)
	}
	noSecretIn(t, res, fixture.Password, apiKey)
}

// TestSendFailureGuidance ensures a refused login prints the function's error with the server's reply and the documented advice (docs/credentials.md, Troubleshooting), and an API Gateway refusal says how to get the key.
func TestSendFailureGuidance(t *testing.T) {
	r := newRig(t)
	r.secrets.Put("gmailsend/stale", fmt.Sprintf(`{"user":%q,"password":"oldoldoldoldoldo"}`, fixture.User))
	endpoint := r.deployed(t)
	res := r.run(t, "", "send", "--endpoint", endpoint, "--api-key", apiKey, "--credential", "stale", "--to", "kim@example.com", "--subject", "s", "--html", "<p>x</p>")
	for _, want := range []string{"HTTP 401", `"code": "smtp_auth_failed"`} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	for _, want := range []string{"gmailsend: smtp_auth_failed:", "server said: 535 5.7.8", "what to do:  use an app password (2-Step Verification on), not the account password; check user"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if res.code != setupcli.ExitFailed {
		t.Fatalf("exit %d", res.code)
	}
	noSecretIn(t, res, "oldoldoldoldoldo")

	res = r.run(t, "", "send", "--endpoint", endpoint, "--api-key", "the-key-id", "--credential", "stale", "--to", "kim@example.com", "--html", "<p>x</p>")
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "refused the API key") || !strings.Contains(res.stderr, "--include-value") {
		t.Fatalf("wrong key: exit %d:\n%s", res.code, res.output())
	}
	res = r.run(t, "", "send", "--endpoint", strings.TrimSuffix(endpoint, "/send"), "--api-key", apiKey, "--to", "kim@example.com", "--html", "<p>x</p>")
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "ending in /send") {
		t.Fatalf("stage URL: exit %d:\n%s", res.code, res.output())
	}
	if n := len(r.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages delivered", n)
	}
}

// TestSendRefusesClearTextEndpoint ensures the API key is never sent over plain http to a non-loopback host, nor without the required flags.
func TestSendRefusesClearTextEndpoint(t *testing.T) {
	r := newRig(t)
	for want, args := range map[string][]string{
		"must be https":       {"send", "--endpoint", "http://abc.execute-api.us-east-1.amazonaws.com/prod/send", "--api-key", apiKey, "--to", "a@example.com", "--html", "x"},
		"--api-key KEY":       {"send", "--endpoint", "https://x.example/prod/send", "--to", "a@example.com", "--html", "x"},
		"--to ADDRESS":        {"send", "--endpoint", "https://x.example/prod/send", "--api-key", apiKey, "--html", "x"},
		"--endpoint URL":      {"send", "--api-key", apiKey, "--to", "a@example.com", "--html", "x"},
		"send takes no argum": {"send", "--endpoint", "https://x.example/prod/send", "--api-key", apiKey, "--to", "a@example.com", "--html", "x", "stray"},
	} {
		res := r.run(t, "", args...)
		if res.code != setupcli.ExitUsage || !strings.Contains(res.stderr, want) {
			t.Errorf("%q: exit %d:\n%s", want, res.code, res.stderr)
		}
	}
}

// TestSendFailuresNameTheirCause ensures an endpoint that cannot be reached is an HTTP failure (not smtp_unavailable), a path the endpoint lacks says to use the SendEndpoint output rather than "may pass if tried again later", and a loopback endpoint (make serve) needs no API key.
func TestSendFailuresNameTheirCause(t *testing.T) {
	r := newRig(t)
	ln := httptest.NewServer(http.NotFoundHandler())
	closed := ln.URL
	ln.Close()
	res := r.run(t, "", "send", "--endpoint", closed+"/send", "--to", "kim@example.com", "--html", "<p>x</p>")
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "could not be reached over HTTP") || strings.Contains(res.stderr, "smtp_unavailable") {
		t.Errorf("unreachable: exit %d\n%s", res.code, res.output())
	}
	plain404 := httptest.NewServer(http.NotFoundHandler())
	defer plain404.Close()
	res = r.run(t, "", "send", "--endpoint", plain404.URL+"/sned", "--to", "kim@example.com", "--html", "<p>x</p>")
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "ending in /send") || strings.Contains(res.stderr, "tried again later") || strings.Contains(res.stderr, "internal") {
		t.Errorf("wrong path: exit %d\n%s", res.code, res.output())
	}
	var gotKey []string
	noKey := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		gotKey = req.Header.Values("x-api-key")
		_, _ = io.WriteString(w, `{"status":"sent","messageId":"<a@b>","accepted":["kim@example.com"]}`)
	}))
	defer noKey.Close()
	res = r.run(t, "", "send", "--endpoint", noKey.URL+"/send", "--to", "kim@example.com", "--html", "<p>x</p>")
	if res.code != setupcli.ExitOK || len(gotKey) != 0 {
		t.Errorf("loopback without a key: exit %d, header %v\n%s", res.code, gotKey, res.output())
	}
}
