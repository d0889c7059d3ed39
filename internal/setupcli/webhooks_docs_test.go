package setupcli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// sessionAPI is the webhooks API as docs/credentials.md's session meets
// it: one endpoint with the session's id, secret and dates, whose test
// event the receiver answered with 410 Gone, which disabled it until
// enable.
type sessionAPI struct {
	mu       sync.Mutex
	endpoint map[string]any // nil: none registered
	tested   bool
}

const (
	sessionID        = "wh_7Kq2"
	sessionEventID   = "evt_4f1c0d8e9a7b6c5d4e3f2a1b0c9d8e7f"
	sessionSecret    = "whsec_Z21haWxzZW5kLWRvY3MtZXhhbXBsZS1zZWNyZXQtMzI="
	sessionNewSecret = "whsec_Z21haWxzZW5kLWRvY3Mtcm90YXRlZC1zZWNyZXQtMzI="
)

func (s *sessionAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	answer := func(status int, v any) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.Header.Get("x-api-key") != apiKey {
		answer(http.StatusForbidden, map[string]string{"message": "Forbidden"})
		return
	}
	route := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/prod")
	switch {
	case route == "POST /webhooks":
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		req["id"], req["enabled"], req["createdAt"] = sessionID, true, "2026-12-01T09:00:00Z"
		s.endpoint = req
		answer(http.StatusCreated, merged(req, map[string]any{"secret": sessionSecret}))
	case route == "GET /webhooks":
		list := []any{}
		if s.endpoint != nil {
			list = append(list, s.endpoint)
		}
		answer(http.StatusOK, map[string]any{"webhooks": list})
	case s.endpoint == nil || !strings.Contains(route, " /webhooks/"+sessionID):
		answer(http.StatusNotFound, map[string]any{"error": map[string]string{"code": "webhook_not_found", "message": "no webhook endpoint " + sessionID}})
	case route == "POST /webhooks/"+sessionID+"/test":
		s.tested = true
		s.endpoint["enabled"], s.endpoint["disabledReason"] = false, "gone"
		answer(http.StatusAccepted, map[string]string{"eventId": sessionEventID})
	case route == "POST /webhooks/"+sessionID+"/enable":
		s.endpoint["enabled"] = true
		delete(s.endpoint, "disabledReason")
		answer(http.StatusOK, s.endpoint)
	case route == "GET /webhooks/"+sessionID:
		failures := []any{}
		if s.tested {
			failures = append(failures, map[string]any{"at": "2026-12-01T09:05:00Z", "eventId": sessionEventID, "eventType": "webhook.test",
				"attempt": 1, "status": 410, "code": "webhook_endpoint_gone"})
		}
		answer(http.StatusOK, merged(s.endpoint, map[string]any{"recentFailures": failures}))
	case route == "POST /webhooks/"+sessionID+"/rotate":
		answer(http.StatusOK, map[string]any{"id": sessionID, "secret": sessionNewSecret, "previousSecretExpiresAt": time.Now().Add(24 * time.Hour)})
	case route == "DELETE /webhooks/"+sessionID:
		s.endpoint = nil
		w.WriteHeader(http.StatusNoContent)
	default:
		answer(http.StatusNotFound, map[string]any{"error": map[string]string{"code": "route_not_found", "message": route}})
	}
}

func merged(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range []map[string]any{a, b} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// sessionStep is one typed line of the session and what it printed.
type sessionStep struct {
	line    string
	printed []string
}

// webhooksSession is the ```text block of docs/credentials.md's "The
// gmailsend command" that holds "$ gmailsend webhooks" lines.
func webhooksSession(t *testing.T) []sessionStep {
	t.Helper()
	var blocks [][]string
	inBlock := false
	for _, line := range section(t, "docs/credentials.md", "The gmailsend command") {
		switch {
		case strings.HasPrefix(line, "```"):
			if inBlock = !inBlock; inBlock {
				blocks = append(blocks, nil)
			}
		case inBlock:
			blocks[len(blocks)-1] = append(blocks[len(blocks)-1], line)
		}
	}
	for _, b := range blocks {
		if !strings.Contains(strings.Join(b, "\n"), "$ gmailsend webhooks ") {
			continue
		}
		var steps []sessionStep
		for _, line := range b {
			if typed, ok := strings.CutPrefix(line, "$ "); ok {
				steps = append(steps, sessionStep{line: typed})
			} else if len(steps) > 0 {
				steps[len(steps)-1].printed = append(steps[len(steps)-1].printed, line)
			}
		}
		return steps
	}
	t.Fatal("docs/credentials.md shows no webhooks session")
	return nil
}

// TestWebhooksSessionInDocs ensures docs/credentials.md's webhooks session runs as shown against a stand-in of the API: every command exits as its printed lines say (1 after a "gmailsend: code" line), and prints every line shown, tables included (the rotation's expiry date aside, which depends on the day).
func TestWebhooksSessionInDocs(t *testing.T) {
	steps := webhooksSession(t)
	srv := httptest.NewServer(&sessionAPI{})
	defer srv.Close()
	env := map[string]string{"GMAILSEND_ENDPOINT": srv.URL + "/prod/send", "GMAILSEND_API_KEY": apiKey}
	dir := t.TempDir()
	body := `{"id":"` + sessionEventID + `","type":"webhook.test","timestamp":"2026-12-01T09:05:00Z","data":{}}`
	files := map[string]string{"body.json": body}
	ran := map[string]bool{}
	for _, step := range steps {
		typed := words(step.line, nil)
		if typed[0] == "export" {
			for _, assignment := range typed[1:] {
				if name, value, _ := strings.Cut(assignment, "="); name == "GMAILSEND_WEBHOOK_SECRET" {
					env[name] = value
					ts, sig := signed(t, value, sessionEventID, time.Now(), body)
					files["headers.txt"] = "POST /hooks/gmailsend HTTP/1.1\nHost: crm.example.com\nContent-Type: application/json\n" +
						"webhook-id: " + sessionEventID + "\nwebhook-timestamp: " + ts + "\nwebhook-signature: " + sig + "\n"
				}
			}
			continue
		}
		args, stdin := typed[1:], ""
		for i := range args {
			if content, ok := files[args[i]]; ok {
				path := filepath.Join(dir, args[i])
				if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
				args[i] = path
			}
		}
		if n := len(args); n > 2 && args[n-2] == "<" {
			raw, err := os.ReadFile(args[n-1])
			if err != nil {
				t.Fatal(err)
			}
			args, stdin = args[:n-2], string(raw)
		}
		res := runCLI(t, env, stdin, args...)
		wantCode := setupcli.ExitOK
		for _, want := range step.printed {
			if strings.HasPrefix(want, "gmailsend: ") {
				wantCode = setupcli.ExitFailed
			}
			if i := strings.Index(want, " until "); i > 0 && strings.Contains(want, " from now") {
				want = want[:i+len(" until ")]
			}
			if !strings.Contains(res.output(), want) {
				t.Errorf("%q does not print %q; it printed:\n%s", step.line, want, res.output())
			}
		}
		if res.code != wantCode {
			t.Errorf("%q: exit %d, want %d:\n%s", step.line, res.code, wantCode, res.output())
		}
		ran[strings.Join(args[:2], " ")] = true
	}
	for _, verb := range []string{"add", "list", "show", "remove", "rotate", "test", "enable", "verify"} {
		if !ran["webhooks "+verb] {
			t.Errorf("the session never runs webhooks %s", verb)
		}
	}
}
