package app_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/emf"
)

// TestOperationsDocumentsEveryMetric ensures docs/operations.md's metrics table has a row per published metric with its real unit and dimension sets.
func TestOperationsDocumentsEveryMetric(t *testing.T) {
	doc := readDoc(t, "docs/operations.md")
	for _, p := range emf.Catalog() {
		var sets []string
		for _, set := range p.Dimensions {
			if len(set) == 0 {
				sets = append(sets, "(none)")
				continue
			}
			sets = append(sets, "`"+strings.Join(set, "`, `")+"`")
		}
		row := fmt.Sprintf("| `%s` | %s | %s |", p.Name, p.Unit, strings.Join(sets, "; "))
		if !strings.Contains(doc, row) {
			t.Errorf("docs/operations.md lacks the row %q", row)
		}
	}
}

// TestOperationsDocumentsEveryAlarm ensures every alarm of template.yaml has a docs/operations.md row naming its threshold parameter and that parameter's default, and a runbook entry.
func TestOperationsDocumentsEveryAlarm(t *testing.T) {
	doc := readDoc(t, "docs/operations.md")
	tpl, err := samtemplate.Load(filepath.Join(fixture.ModuleRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	params := tpl["Parameters"].(map[string]any)
	n := 0
	for id, r := range tpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] != "AWS::CloudWatch::Alarm" {
			continue
		}
		n++
		props := res["Properties"].(map[string]any)
		sub, _ := props["AlarmName"].(map[string]any)["Fn::Sub"].(string)
		name := strings.Replace(sub, "${AWS::StackName}", "<stack>", 1)
		param := props["Threshold"].(map[string]any)["Ref"].(string)
		def := fmt.Sprint(params[param].(map[string]any)["Default"])
		row := regexp.MustCompile(`(?m)^\| ` + "`" + regexp.QuoteMeta(name) + "`" + ` \|.*\| [≥>] ` + regexp.QuoteMeta(def) + "( message)? \\| `" + param + "`")
		if !row.MatchString(doc) {
			t.Errorf("%s: docs/operations.md has no alarm row for `%s` with the default %s of `%s`", id, name, def, param)
		}
		if !strings.Contains(doc, "**`"+name+"`") {
			t.Errorf("%s: the runbook says nothing about `%s`", id, name)
		}
	}
	if n == 0 {
		t.Fatal("no alarms found in template.yaml")
	}
}

// loggedFields sends through the real function (success, a refused login, a bad request, a stored credential, an SQS record) and returns every field its log lines carry.
func loggedFields(t *testing.T) map[string]bool {
	t.Helper()
	h := newHarness(t, setup{})
	h.secrets.Put("gmailsend/support-desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, fixture.Password))
	for _, p := range []string{
		originalRequest,
		strings.Replace(originalRequest, "abcd efgh ijkl mnop", "wrong password 123", 1),
		strings.Replace(originalRequest, "kim@example.com", "not an address", 1),
		`{"credential":"support-desk","toEmail":"kim@example.com","subject":"s","message":"m"}`,
	} {
		_, _ = h.invoke(t, []byte(p))
	}
	if _, err := h.invoke(t, fixture.SQSEvent(t, fixture.SendRequest(fixture.User, "a@example.com", "q"))); err != nil {
		t.Fatal(err)
	}
	fields := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(h.log.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		for k := range m {
			fields[k] = true
		}
	}
	return fields
}

// insightsWords are the Logs Insights keywords and functions the runbook's queries may use.
var insightsWords = map[string]bool{
	"fields": true, "filter": true, "stats": true, "sort": true, "limit": true, "by": true, "as": true,
	"and": true, "or": true, "not": true, "desc": true, "asc": true, "like": true, "in": true, "display": true,
}

// TestRunbookQueriesUseLoggedFields ensures every field docs/operations.md's Logs Insights queries use is a field the function really writes, and every outcome they compare with is a real code.
func TestRunbookQueriesUseLoggedFields(t *testing.T) {
	blocks := regexp.MustCompile("(?s)```logs-insights\n(.*?)```").FindAllStringSubmatch(readDoc(t, "docs/operations.md"), -1)
	if len(blocks) < 3 {
		t.Fatalf("docs/operations.md has %d Logs Insights queries; the runbook needs them by code, account and SQS message id", len(blocks))
	}
	fields := loggedFields(t)
	codes := map[string]bool{"sent": true}
	for _, c := range gmailsend.Codes() {
		codes[string(c)] = true
	}
	literal := regexp.MustCompile(`"[^"]*"`)
	for _, b := range blocks {
		q := b[1]
		for _, m := range regexp.MustCompile(`outcome\s*!?=\s*"([^"]*)"`).FindAllStringSubmatch(q, -1) {
			if !codes[m[1]] {
				t.Errorf("query compares outcome with %q, which is no code:\n%s", m[1], q)
			}
		}
		aliases := map[string]bool{}
		for _, m := range regexp.MustCompile(`\bas\s+(\w+)`).FindAllStringSubmatch(q, -1) {
			aliases[m[1]] = true
		}
		bare := literal.ReplaceAllString(q, `""`)
		bare = regexp.MustCompile(`@\w+`).ReplaceAllString(bare, "")     // Logs Insights' own fields
		bare = regexp.MustCompile(`\b\w+\(`).ReplaceAllString(bare, "(") // functions
		for _, word := range regexp.MustCompile(`\b[A-Za-z_]\w*\b`).FindAllString(bare, -1) {
			if insightsWords[strings.ToLower(word)] || aliases[word] {
				continue
			}
			if !fields[word] {
				t.Errorf("query uses %q, which no log line carries (fields: %v):\n%s", word, fieldNames(fields), q)
			}
		}
	}
}

func fieldNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
