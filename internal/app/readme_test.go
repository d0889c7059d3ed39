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

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

// readDoc is one of the project's Markdown pages (fixture.Doc).
func readDoc(t *testing.T, path string) string {
	t.Helper()
	return fixture.Doc(t, path)
}

// TestAPIDocExamplesWork ensures docs/api.md's example requests are the sample files and produce the documented responses.
func TestAPIDocExamplesWork(t *testing.T) {
	doc := readDoc(t, "docs/api.md")
	h := newHarness(t, setup{})
	for _, f := range []string{"direct.json", "direct-extended.json"} {
		raw, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(doc, strings.TrimSpace(string(raw))) {
			t.Fatalf("docs/api.md does not show events/%s verbatim", f)
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
				t.Fatalf("docs/api.md documents accepted %s, the function returns %s", wantJSON, got)
			}
		}
	}
}

// TestAPIDocDocumentsEveryCode ensures each error code is in docs/api.md's table with its real HTTP status.
func TestAPIDocDocumentsEveryCode(t *testing.T) {
	doc := readDoc(t, "docs/api.md")
	for _, c := range gmailsend.Codes() {
		row := fmt.Sprintf("| `%s` | %d |", c, lambdahandler.HTTPStatus(c))
		if !strings.Contains(doc, row) {
			t.Errorf("docs/api.md lacks the row %q", row)
		}
	}
}

// TestConfigurationDocumentsEveryVariable ensures docs/configuration.md's table lists exactly the variables ParseEnv reads.
func TestConfigurationDocumentsEveryVariable(t *testing.T) {
	read := map[string]bool{}
	for _, name := range app.EnvNames() {
		read[name] = true
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z_]+)` \\|").FindAllStringSubmatch(readDoc(t, "docs/configuration.md"), -1) {
		documented[m[1]] = true
	}
	if a, b := keys(read), keys(documented); a != b {
		t.Fatalf("ParseEnv reads %s\ndocs/configuration.md documents %s", a, b)
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
