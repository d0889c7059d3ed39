package setupcli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// runCLI runs the command with env as its environment and stdin as its
// input; the webhooks subcommands need none of the rig's stand-ins.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := setupcli.Run(ctx, args, setupcli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] }})
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// webhooksAPI is the deployment's /webhooks routes for one expected
// request: it fails the test unless the request has the method, path,
// API key and JSON body given (want nil: no body), and answers status and
// answer as the contract does.
type webhooksAPI struct {
	method, path string
	want         any
	status       int
	answer       string
	requests     int
}

func (api *webhooksAPI) start(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		api.requests++
		body, _ := io.ReadAll(req.Body)
		if req.Method != api.method || req.URL.Path != api.path || req.Header.Get("x-api-key") != apiKey {
			t.Errorf("request %s %s x-api-key %q; want %s %s with the key", req.Method, req.URL.Path, req.Header.Get("x-api-key"), api.method, api.path)
		}
		var got any
		if len(body) > 0 {
			if err := json.Unmarshal(body, &got); err != nil {
				t.Errorf("body is not JSON: %q", body)
			}
		}
		if want := roundTrip(t, api.want); !reflect.DeepEqual(got, want) {
			t.Errorf("body %s; want %v", body, want)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(api.status)
		_, _ = io.WriteString(w, api.answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// roundTrip is v as a JSON decoder sees it (nil stays nil).
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

const (
	endpointJSON = `"id":"wh_1","url":"https://hooks.example.com/in?token=tok-in-query","events":["message.sent","message.bounced"],"description":"CRM","enabled":true,"createdAt":"2026-05-01T09:00:00Z"`
	newSecret    = "whsec_c2VjcmV0LWtleS1vZi10aGUtdGVzdHMtMzItYnl0ZXM="
)

// TestWebhooksCommands ensures each webhooks subcommand makes the contract's request (method, path beside /send, x-api-key, body) and prints what matters of its answer, and each prints an error answer's code, message and field and exits 1 without "may pass if tried again".
func TestWebhooksCommands(t *testing.T) {
	refused := `{"error":{"code":"webhook_url_refused","message":"the URL resolves to a private address","field":"url"}}`
	notFound := `{"error":{"code":"webhook_not_found","message":"no webhook endpoint wh_9"}}`
	expires := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	cases := []struct {
		name       string
		args       []string
		api        webhooksAPI
		code       int
		stdout     []string
		stderr     []string
		notPrinted []string
	}{
		{"add", []string{"add", "--url", "https://hooks.example.com/in?token=tok-in-query", "--events", "message.sent", "--events", "message.bounced", "--description", "CRM"},
			webhooksAPI{method: "POST", path: "/prod/webhooks", want: map[string]any{"url": "https://hooks.example.com/in?token=tok-in-query", "events": []string{"message.sent", "message.bounced"}, "description": "CRM"},
				status: 201, answer: `{` + endpointJSON + `,"secret":"` + newSecret + `"}`},
			0, []string{"id:          wh_1\n", "secret:      " + newSecret + "\n", "events:      message.sent,message.bounced\n", "https://hooks.example.com/in?…"},
			[]string{"will not be shown again", "webhooks rotate wh_1"}, []string{"tok-in-query"}},
		{"add every event", []string{"add", "--url", "https://hooks.example.com/all"},
			webhooksAPI{method: "POST", path: "/prod/webhooks", want: map[string]any{"url": "https://hooks.example.com/all"},
				status: 201, answer: `{"id":"wh_2","url":"https://hooks.example.com/all","events":[],"enabled":true,"createdAt":"2026-05-01T09:00:00Z","secret":"` + newSecret + `"}`},
			0, []string{"id:          wh_2\n", "events:      all\n", newSecret}, nil, nil},
		{"add answered without a secret", []string{"add", "--url", "https://hooks.example.com/all"},
			webhooksAPI{method: "POST", path: "/prod/webhooks", want: map[string]any{"url": "https://hooks.example.com/all"},
				status: 201, answer: `{"id":"wh_3","url":"https://hooks.example.com/all","events":[],"enabled":true,"createdAt":"2026-05-01T09:00:00Z"}`},
			1, nil, []string{"answered without its secret", "webhooks rotate wh_3"}, []string{"secret:      "}},
		{"add refused", []string{"add", "--url", "https://10.0.0.1/in"},
			webhooksAPI{method: "POST", path: "/prod/webhooks", want: map[string]any{"url": "https://10.0.0.1/in"}, status: 400, answer: refused},
			1, nil, []string{"gmailsend: webhook_url_refused: the URL resolves to a private address (url)\n"}, []string{"tried again"}},
		{"list", []string{"list"},
			webhooksAPI{method: "GET", path: "/prod/webhooks", status: 200, answer: `{"webhooks":[{` + endpointJSON + `},` +
				`{"id":"wh_2","url":"https://old.example.com/x","events":[],"description":"","enabled":false,"createdAt":"2026-04-01T09:00:00Z","disabledReason":"gone"}]}`},
			0, []string{"ID    ENABLED    EVENTS", "wh_1  yes        message.sent,message.bounced  https://hooks.example.com/in?…  CRM", "wh_2  no (gone)  all"}, nil, []string{"tok-in-query"}},
		{"list none", []string{"list"}, webhooksAPI{method: "GET", path: "/prod/webhooks", status: 200, answer: `{"webhooks":[]}`},
			0, nil, []string{"no webhook endpoints"}, nil},
		{"list refused key", []string{"list"}, webhooksAPI{method: "GET", path: "/prod/webhooks", status: 403, answer: `{"message":"Forbidden"}`},
			1, nil, []string{"refused the API key", "--include-value"}, nil},
		{"list old deployment", []string{"list"}, webhooksAPI{method: "GET", path: "/prod/webhooks", status: 404, answer: `not found`},
			1, nil, []string{"has no webhooks routes (HTTP 404)"}, []string{"ending in /send"}},
		{"show", []string{"show", "wh_1"},
			webhooksAPI{method: "GET", path: "/prod/webhooks/wh_1", status: 200, answer: `{` + endpointJSON + `,"recentFailures":[` +
				`{"at":"2026-05-02T10:00:00Z","eventId":"evt_b","eventType":"message.bounced","attempt":3,"status":503,"code":"webhook_endpoint_status"},` +
				`{"at":"2026-05-02T09:00:00Z","eventId":"evt_a","eventType":"message.sent","attempt":1,"status":0,"code":"webhook_timeout"}]}`},
			0, []string{"url:         https://hooks.example.com/in?token=tok-in-query\n", "description: CRM\n", "recent failures (2, newest first):",
				"2026-05-02T10:00:00Z  evt_b  message.bounced  3        503     webhook_endpoint_status", "evt_a  message.sent     1        -       webhook_timeout"}, nil, nil},
		{"show without failures", []string{"show", "wh_1"},
			webhooksAPI{method: "GET", path: "/prod/webhooks/wh_1", status: 200, answer: `{` + endpointJSON + `,"recentFailures":[]}`},
			0, []string{"recent failures: none"}, nil, nil},
		{"show missing", []string{"show", "wh_9"}, webhooksAPI{method: "GET", path: "/prod/webhooks/wh_9", status: 404, answer: notFound},
			1, nil, []string{"gmailsend: webhook_not_found: no webhook endpoint wh_9\n"}, []string{"tried again", "has no webhooks routes"}},
		{"remove", []string{"remove", "wh_1"}, webhooksAPI{method: "DELETE", path: "/prod/webhooks/wh_1", status: 204},
			0, []string{"removed wh_1\n"}, nil, nil},
		{"remove missing", []string{"remove", "wh_9"}, webhooksAPI{method: "DELETE", path: "/prod/webhooks/wh_9", status: 404, answer: notFound},
			1, nil, []string{"webhook_not_found"}, []string{"removed"}},
		{"rotate", []string{"rotate", "wh_1"},
			webhooksAPI{method: "POST", path: "/prod/webhooks/wh_1/rotate", status: 200,
				answer: `{"id":"wh_1","secret":"` + newSecret + `","previousSecretExpiresAt":"` + expires.Format(time.RFC3339) + `"}`},
			0, []string{"secret:      " + newSecret + "\n", "the previous secret keeps signing until " + expires.Format(time.RFC3339) + " (24h0m0s from now)"},
			[]string{"will not be shown again"}, nil},
		{"rotate missing", []string{"rotate", "wh_9"}, webhooksAPI{method: "POST", path: "/prod/webhooks/wh_9/rotate", status: 404, answer: notFound},
			1, nil, []string{"webhook_not_found"}, nil},
		{"test", []string{"test", "wh_1"}, webhooksAPI{method: "POST", path: "/prod/webhooks/wh_1/test", status: 202, answer: `{"eventId":"evt_0123456789abcdef0123456789abcdef"}`},
			0, []string{"evt_0123456789abcdef0123456789abcdef\n"}, []string{"webhook-id evt_0123456789abcdef0123456789abcdef"}, nil},
		{"test disabled", []string{"test", "wh_2"}, webhooksAPI{method: "POST", path: "/prod/webhooks/wh_2/test", status: 409,
			answer: `{"error":{"code":"webhook_disabled","message":"the endpoint is disabled (gone)"}}`},
			1, nil, []string{"gmailsend: webhook_disabled: the endpoint is disabled (gone)"}, nil},
		{"enable", []string{"enable", "wh_2"}, webhooksAPI{method: "POST", path: "/prod/webhooks/wh_2/enable", status: 200,
			answer: `{"id":"wh_2","url":"https://old.example.com/x","events":[],"description":"","credentials":[],"enabled":true,"createdAt":"2026-04-01T09:00:00Z"}`},
			0, []string{"id:          wh_2\n", "enabled:     yes\n"}, nil, []string{"credentials:", "secret"}},
		{"enable missing", []string{"enable", "wh_9"}, webhooksAPI{method: "POST", path: "/prod/webhooks/wh_9/enable", status: 404, answer: notFound},
			1, nil, []string{"webhook_not_found"}, nil},
		{"add following credentials", []string{"add", "--url", "https://hooks.example.com/sup", "--events", "recipient.suppressed", "--credentials", "desk,sales"},
			webhooksAPI{method: "POST", path: "/prod/webhooks", want: map[string]any{"url": "https://hooks.example.com/sup", "events": []string{"recipient.suppressed"}, "credentials": []string{"desk", "sales"}},
				status: 201, answer: `{"id":"wh_4","url":"https://hooks.example.com/sup","events":["recipient.suppressed"],"credentials":["desk","sales"],"enabled":true,"createdAt":"2026-05-01T09:00:00Z","secret":"` + newSecret + `"}`},
			0, []string{"credentials: desk,sales\n", newSecret}, nil, nil},
		{"add following a forbidden credential", []string{"add", "--url", "https://hooks.example.com/sup", "--credentials", "other"},
			webhooksAPI{method: "POST", path: "/prod/webhooks", want: map[string]any{"url": "https://hooks.example.com/sup", "credentials": []string{"other"}}, status: 403,
				answer: `{"error":{"code":"forbidden","message":"this API key may not use credential \"other\", or no credential has that name","field":"credentials"}}`},
			1, nil, []string{"forbidden", "credentials"}, nil},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := c.api.start(t)
			// Half the cases give the SendEndpoint output, half the stage URL
			// from the environment: both reach the routes beside /send.
			args := append([]string{"webhooks"}, c.args...)
			env := map[string]string{"GMAILSEND_API_KEY": apiKey, "GMAILSEND_ENDPOINT": base + "/prod"}
			if i%2 == 0 {
				args = append(args, "--endpoint", base+"/prod/send", "--api-key", apiKey)
				env = nil
			}
			res := runCLI(t, env, "", args...)
			if res.code != c.code || c.api.requests != 1 {
				t.Fatalf("exit %d after %d requests; want %d after 1:\n%s", res.code, c.api.requests, c.code, res.output())
			}
			for _, want := range c.stdout {
				if !strings.Contains(res.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
				}
			}
			for _, want := range c.stderr {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
			noSecretIn(t, res, append(c.notPrinted, apiKey)...)
		})
	}
}

// TestWebhooksCommandLine ensures a wrong webhooks command line exits 2 with what is missing and makes no request, and an API that does not answer within --timeout is a timeout.
func TestWebhooksCommandLine(t *testing.T) {
	api := &webhooksAPI{}
	base := api.start(t)
	common := []string{"--endpoint", base + "/prod", "--api-key", apiKey}
	for want, args := range map[string][]string{
		"takes one endpoint ID":      append([]string{"webhooks", "show"}, common...),
		"takes one endpoint ID ":     append([]string{"webhooks", "remove", "wh_1", "wh_2"}, common...),
		"--url URL is required":      append([]string{"webhooks", "add", "--events", "message.sent"}, common...),
		"list takes no arguments":    append([]string{"webhooks", "list", "wh_1"}, common...),
		"--endpoint URL is required": {"webhooks", "list", "--api-key", apiKey},
		"--api-key KEY is required":  {"webhooks", "test", "wh_1", "--endpoint", base},
		"must be https":              {"webhooks", "list", "--endpoint", "http://abc.execute-api.us-east-1.amazonaws.com/prod", "--api-key", apiKey},
		"flag provided but not def":  append([]string{"webhooks", "list", "--url", "https://x.example"}, common...),
	} {
		res := runCLI(t, nil, "", args...)
		if res.code != setupcli.ExitUsage || !strings.Contains(res.stderr, strings.TrimSpace(want)) {
			t.Errorf("%v: exit %d, want 2 with %q:\n%s", args, res.code, want, res.output())
		}
	}
	if api.requests != 0 {
		t.Fatalf("%d requests from wrong command lines", api.requests)
	}

	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hung.Close()
	start := time.Now()
	res := runCLI(t, nil, "", "webhooks", "list", "--endpoint", hung.URL, "--api-key", apiKey, "--timeout", "200ms")
	if res.code != setupcli.ExitFailed || !strings.Contains(res.stderr, "timeout") || time.Since(start) > 5*time.Second {
		t.Fatalf("hung API: exit %d after %v:\n%s", res.code, time.Since(start), res.output())
	}
}

// TestWebhooksHelp ensures "webhooks" alone lists the subcommands (exit 2), and -h and help show each subcommand's synopsis and only its own flags.
func TestWebhooksHelp(t *testing.T) {
	res := runCLI(t, nil, "", "webhooks")
	if res.code != setupcli.ExitUsage || !strings.Contains(res.stderr, "gmailsend webhooks rotate ID") || !strings.Contains(res.stderr, "webhooks needs a subcommand") {
		t.Errorf("webhooks alone: exit %d\n%s", res.code, res.output())
	}
	if res := runCLI(t, nil, "", "help"); !strings.Contains(res.stdout, "gmailsend webhooks verify --secret") {
		t.Errorf("help lacks webhooks verify:\n%s", res.stdout)
	}
	for verb, flags := range map[string][]string{
		"add": {"-url", "-events", "-description", "-credentials", "-endpoint"}, "list": {"-endpoint", "-api-key", "-timeout"},
		"show": {"-endpoint"}, "remove": {"-endpoint"}, "rotate": {"-endpoint"}, "test": {"-endpoint"}, "enable": {"-endpoint"},
		"verify": {"-secret", "-id", "-timestamp", "-signature", "-header-file"},
	} {
		for _, args := range [][]string{{"webhooks", verb, "-h"}, {"help", "webhooks", verb}} {
			res := runCLI(t, nil, "", args...)
			if res.code != setupcli.ExitOK || !strings.Contains(res.stderr, "Usage of gmailsend webhooks "+verb+":\n  gmailsend webhooks "+verb) {
				t.Errorf("%v: exit %d\n%s", args, res.code, res.output())
			}
			for _, f := range flags {
				if !strings.Contains(res.stderr, "  "+f+" ") {
					t.Errorf("%v lacks %s:\n%s", args, f, res.stderr)
				}
			}
			if (verb == "verify") == strings.Contains(res.stderr, "-endpoint") || (verb != "add") == strings.Contains(res.stderr, "-url ") {
				t.Errorf("%v lists another subcommand's flags:\n%s", args, res.stderr)
			}
		}
	}
}
