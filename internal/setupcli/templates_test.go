package setupcli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/awssecrets"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// deployedWithStore is deployed with the message table on dynalite and
// every route (not only /send) handed to the real function; it returns the
// stage URL.
func (r *rig) deployedWithStore(t *testing.T) string {
	t.Helper()
	client, _ := dynalite.StartTable(t, "messages")
	cfg := app.Defaults()
	cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPCAFile, cfg.MessagesTable = "localhost", r.smtp.Port, r.caFile, "messages"
	fn, err := app.Build(cfg, app.Parts{Secrets: awssecrets.NewWithAPI(r.secrets.Client()), DynamoDB: client,
		FingerprintKey: gmailsend.StaticKey("a fingerprint key of the setupcli tests")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fn.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("x-api-key") != apiKey {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"message":"Forbidden"}`)
			return
		}
		body, _ := io.ReadAll(req.Body)
		query := map[string]string{}
		for k := range req.URL.Query() {
			query[k] = req.URL.Query().Get(k)
		}
		ev := events.APIGatewayProxyRequest{HTTPMethod: req.Method, Path: strings.TrimPrefix(req.URL.Path, "/prod"), Body: string(body),
			QueryStringParameters: query, Headers: map[string]string{"Content-Type": req.Header.Get("Content-Type")},
			RequestContext: events.APIGatewayProxyRequestContext{RequestID: "cli", Identity: events.APIGatewayRequestIdentity{APIKeyID: "key-id-1"}}}
		payload, _ := json.Marshal(ev)
		out, err := fn.Handler.Invoke(context.Background(), payload)
		resp, ok := out.(events.APIGatewayProxyResponse)
		if err != nil || !ok {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.WriteString(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/prod"
}

// TestTemplatesCommand ensures gmailsend templates put (a file, then stdin), list, get (latest and --version) and render reach the real function's template routes, and a refused template exits 1 with the function's code and position.
func TestTemplatesCommand(t *testing.T) {
	r := newRig(t)
	base := r.deployedWithStore(t)
	file := filepath.Join(fixture.ModuleRoot(t), "docs", "booking.json")
	common := []string{"--endpoint", base + "/send", "--api-key", apiKey}
	steps := []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"templates", "put", "booking", "--file", file}, setupcli.ExitOK, `"version": 1`},
		{`{"subject": "v2 {{.name}}", "html": "<p>{{.name}}</p>"}`, []string{"templates", "put", "booking"}, setupcli.ExitOK, `"version": 2`},
		{"", []string{"templates", "list"}, setupcli.ExitOK, `"name": "booking"`},
		{"", []string{"templates", "get", "booking", "--version", "1"}, setupcli.ExitOK, `예약 확인`},
		{`{"variables": {"name": "<김>"}}`, []string{"templates", "render", "booking"}, setupcli.ExitOK, `"html": "<p>&lt;김&gt;</p>"`},
		{`{"subject": "x", "html": "<p>{{.a}</p>"}`, []string{"templates", "put", "bad"}, setupcli.ExitFailed, "line 1, column 4"},
		{"", []string{"templates", "get"}, setupcli.ExitUsage, "one template NAME"},
	}
	for _, s := range steps {
		res := r.run(t, s.stdin, append(s.args, common...)...)
		if res.code != s.code || !strings.Contains(res.output(), s.want) {
			t.Errorf("%v → exit %d:\n%s\nwant exit %d with %q", s.args, res.code, res.output(), s.code, s.want)
		}
	}
}
