package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
)

// templateRoutes are "METHOD /path" of every Api event in template.yaml.
func templateRoutes(t *testing.T) []string {
	t.Helper()
	tpl, err := samtemplate.Load(filepath.Join(fixture.ModuleRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range tpl["Resources"].(map[string]any) {
		props, _ := r.(map[string]any)["Properties"].(map[string]any)
		evs, _ := props["Events"].(map[string]any)
		for _, ev := range evs {
			e := ev.(map[string]any)
			if e["Type"] != "Api" {
				continue
			}
			p := e["Properties"].(map[string]any)
			out = append(out, strings.ToUpper(fmt.Sprint(p["Method"]))+" "+fmt.Sprint(p["Path"]))
		}
	}
	sort.Strings(out)
	return out
}

// do sends one request to the local API and returns status and body.
func do(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// Every answer is JSON but the unsubscribe page's, which a person
	// opens in a browser (HTML, also for an invalid token).
	want := "application/json"
	if strings.Contains(url, "/unsubscribe/") {
		want = "text/html"
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
		t.Errorf("%s %s answered %s, not %s: %s", method, url, ct, want, b)
	}
	return resp.StatusCode, string(b)
}

// TestServeRoutesAreTheTemplates ensures `make serve` registers exactly the routes template.yaml declares, each reaching the function, and answers any other method or path with the documented route_not_found JSON (never Go's plain-text 404 or 405).
func TestServeRoutesAreTheTemplates(t *testing.T) {
	want := templateRoutes(t)
	got := slices.Sorted(slices.Values(serveRoutes()))
	if !slices.Equal(got, want) {
		t.Fatalf("make serve offers %v\ntemplate.yaml declares %v", got, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir()}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := httptest.NewServer(apiHandler(l, 30*time.Second, io.Discard))
	defer srv.Close()
	for _, rt := range got {
		method, path, _ := strings.Cut(rt, " ")
		path = strings.NewReplacer("{id}", "7k3f0m9w2q8c1x5v6b4n0r2t8y", "{address}", "gone@example.net").Replace(path)
		status, body := do(t, method, srv.URL+path+"?credential=support-desk", "", `{}`)
		if strings.Contains(body, "route_not_found") || status == 502 {
			t.Errorf("%s did not reach its route: %d %s", rt, status, body)
		}
	}
	for _, rt := range []string{"GET /send", "PUT /suppressions/", "POST /nope", "PATCH /messages/7k3f0m9w2q8c1x5v6b4n0r2t8y"} {
		method, path, _ := strings.Cut(rt, " ")
		status, body := do(t, method, srv.URL+path, "", "")
		var e struct{ Error struct{ Code string } }
		if status != 404 || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "route_not_found" {
			t.Errorf("%s: %d %s", rt, status, body)
		}
	}
}

// TestServeScopesByAPIKey ensures local API keys behave as API Gateway's: a key's value becomes its id, records of key A are not found with key B or without a key, an unknown key is refused with 403, the sample team-desk credential (allowedCallers) works only with its key, and the suppression routes answer per docs/local.md.
func TestServeScopesByAPIKey(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir()}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.store == nil {
		t.Skip("dynalite is not available here")
	}
	srv := httptest.NewServer(apiHandler(l, 30*time.Second, io.Discard))
	defer srv.Close()
	a, b := devstack.APIKeys[0], devstack.APIKeys[1]
	send := func(key, cred string) (int, string) {
		return do(t, "POST", srv.URL+"/send", key, `{"credential":"`+cred+`","toEmail":"kim@example.com","subject":"열쇠","message":"<p>x</p>"}`)
	}
	status, body := send(a.Value, "support-desk")
	var sent struct{ ID string }
	if _ = json.Unmarshal([]byte(body), &sent); status != 200 || sent.ID == "" {
		t.Fatalf("send with key A: %d %s", status, body)
	}
	if status, body := do(t, "GET", srv.URL+"/messages/"+sent.ID, a.Value, ""); status != 200 || !strings.Contains(body, `"caller":"`+a.ID+`"`) || strings.Contains(body, `"reply"`) {
		t.Errorf("GET with key A: %d %s", status, body)
	}
	for _, key := range []string{b.Value, ""} {
		if status, body := do(t, "GET", srv.URL+"/messages/"+sent.ID, key, ""); status != 404 || !strings.Contains(body, "message_not_found") {
			t.Errorf("GET with key %q: %d %s", key, status, body)
		}
	}
	if status, body := do(t, "GET", srv.URL+"/messages/"+sent.ID, "not-a-local-key", ""); status != 403 || body != `{"message":"Forbidden"}` {
		t.Errorf("unknown key: %d %s", status, body)
	}
	if status, body := send(b.Value, devstack.TeamCredential); status != 403 || !strings.Contains(body, `"forbidden"`) {
		t.Errorf("team-desk with key B: %d %s", status, body)
	}
	if status, body := send(a.Value, devstack.TeamCredential); status != 200 {
		t.Errorf("team-desk with key A: %d %s", status, body)
	}
	// docs/local.md's two curl lines of the local tour answer as it says.
	local := fixture.Doc(t, "docs/local.md")
	for line, want := range map[string]int{
		regexp.MustCompile(`(?m)^curl -X POST http://127\.0\.0\.1:3000/send -H 'x-api-key: local-key-b'.*team-desk.*$`).FindString(local):                 403,
		regexp.MustCompile(`(?m)^curl -i -X PUT 'http://127\.0\.0\.1:3000/suppressions/gone@example\.net\?credential=support-desk'.*$`).FindString(local): 201,
	} {
		if line == "" {
			t.Fatal("docs/local.md lacks the local tour's curl lines (team-desk with local-key-b, PUT /suppressions)")
		}
		resp, err := http.DefaultClient.Do(curlRequest(t, strings.Replace(line, "curl -i ", "curl ", 1), srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s\n→ %d %s", line, resp.StatusCode, raw)
		}
		if req, _ := http.NewRequest("DELETE", srv.URL+"/suppressions/gone@example.net?credential=support-desk", nil); want == 201 {
			req.Header.Set("x-api-key", a.Value)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}
	sup := srv.URL + "/suppressions/gone@example.net?credential=support-desk"
	for _, step := range []struct {
		method string
		status int
	}{{"GET", 404}, {"PUT", 201}, {"GET", 200}, {"DELETE", 204}, {"GET", 404}} {
		req, _ := http.NewRequest(step.method, sup, nil)
		req.Header.Set("x-api-key", a.Value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != step.status {
			t.Errorf("%s %s: %d %s", step.method, sup, resp.StatusCode, raw)
		}
	}
}
