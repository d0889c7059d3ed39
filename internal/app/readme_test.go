package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/email"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestREADMEExamplesWork ensures the README's example requests are the sample files and produce the documented responses.
func TestREADMEExamplesWork(t *testing.T) {
	doc := readme(t)
	h := newHarness(t, setup{})
	for _, f := range []string{"direct.json", "direct-extended.json"} {
		raw, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(doc, strings.TrimSpace(string(raw))) {
			t.Fatalf("README does not show events/%s verbatim", f)
		}
		out, err := h.invoke(t, raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		b, _ := json.Marshal(out)
		var res okBody
		_ = json.Unmarshal(b, &res)
		if res.Status != "sent" || !strings.HasPrefix(res.MessageID, "<") {
			t.Fatalf("%s: %s", f, b)
		}
		if f == "direct-extended.json" {
			documented := regexp.MustCompile(`\{"status": "sent", "messageId": "[^"]*", "accepted": (\[[^\]]*\])`).FindStringSubmatch(doc)
			got, _ := json.Marshal(res.Accepted)
			var want []string
			_ = json.Unmarshal([]byte(documented[1]), &want)
			if wantJSON, _ := json.Marshal(want); string(wantJSON) != string(got) {
				t.Fatalf("README documents accepted %s, the function returns %s", wantJSON, got)
			}
		}
	}
}

// TestREADMEDocumentsEveryCode ensures each error code is in the README's table with its real HTTP status.
func TestREADMEDocumentsEveryCode(t *testing.T) {
	doc := readme(t)
	for _, c := range email.Codes() {
		row := fmt.Sprintf("| `%s` | %d |", c, lambdahandler.HTTPStatus(c))
		if !strings.Contains(doc, row) {
			t.Errorf("README lacks the row %q", row)
		}
	}
}

// TestREADMEDocumentsEveryVariable ensures the configuration table lists exactly the variables ParseEnv reads.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	read := map[string]bool{}
	for _, name := range app.EnvNames() {
		read[name] = true
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|").FindAllStringSubmatch(readme(t), -1) {
		documented[m[1]] = true
	}
	if a, b := keys(read), keys(documented); a != b {
		t.Fatalf("ParseEnv reads %s\nREADME documents %s", a, b)
	}
}

func keys(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
