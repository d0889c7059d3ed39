package app_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
)

// deploySection is docs/deploy.md's "## Deploy" section, up to the next "## ".
func deploySection(t *testing.T) string {
	t.Helper()
	doc := readDoc(t, "docs/deploy.md")
	start := strings.Index(doc, "\n## Deploy\n")
	if start < 0 {
		t.Fatal("docs/deploy.md has no Deploy section")
	}
	rest := doc[start+1:]
	if end := strings.Index(rest[3:], "\n## "); end >= 0 {
		rest = rest[:end+3]
	}
	return rest
}

func oneMatch(t *testing.T, doc, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(doc)
	if m == nil {
		t.Fatalf("docs/deploy.md's Deploy section has nothing matching %s", pattern)
	}
	return m[1]
}

// TestDeployBodiesAreAccepted ensures the JSON shown for curl, aws sqs send-message, aws events put-events (entries.json) and aws sns publish is valid and sent when wrapped in each source's real envelope.
func TestDeployBodiesAreAccepted(t *testing.T) {
	doc := deploySection(t)
	h := newHarness(t, setup{})
	// The walkthrough stores support-desk first; here it is a local account.
	h.secrets.Put("gmailsend/support-desk", fmt.Sprintf(`{"user":%q,"password":%q}`, fixture.User, fixture.Password))

	apiBody := oneMatch(t, doc, `(?m)^  -d '(\{.*\})'$`)
	out, err := h.invoke(t, fixture.UpstreamEvent(t, "apigw-request.json", apiBody))
	if resp, ok := out.(events.APIGatewayProxyResponse); err != nil || !ok || resp.StatusCode != 200 || !strings.Contains(resp.Body, `"status":"sent"`) {
		t.Fatalf("curl body: %v %v", out, err)
	}

	sqsBody := oneMatch(t, doc, `--message-body '(\{.*\})'`)
	out, err = h.invoke(t, fixture.SQSEvent(t, sqsBody))
	if err != nil || len(failedIDs(t, out)) != 0 {
		t.Fatalf("sqs send-message body: %v %v", out, err)
	}

	snsMessage := oneMatch(t, doc, `--message '(\{.*\})'`)
	out, err = h.invoke(t, fixture.UpstreamEvent(t, "sns-event.json", snsMessage))
	if b, _ := json.Marshal(out); err != nil || string(b) != `{"sent":1}` {
		t.Fatalf("sns publish message: %s %v", b, err)
	}

	var entries []struct{ Source, DetailType, Detail string }
	if err := json.Unmarshal([]byte(oneMatch(t, doc, "(?s)with `entries.json`.*?```json\n(\\[.*?\\])\n```")), &entries); err != nil || len(entries) != 1 {
		t.Fatalf("entries.json: %v %v", entries, err)
	}
	if pattern := templateRulePattern(t); !strings.Contains(pattern, `"`+entries[0].DetailType+`"`) {
		t.Fatalf("DetailType %q does not match the rule's pattern %s", entries[0].DetailType, pattern)
	}
	ev, _ := json.Marshal(map[string]any{
		"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": entries[0].DetailType,
		"source": entries[0].Source, "account": "123456789012", "time": "2026-11-23T09:00:00Z",
		"region": "ap-northeast-2", "resources": []string{}, "detail": json.RawMessage(entries[0].Detail),
	})
	out, err = h.invoke(t, ev)
	if b, _ := json.Marshal(out); err != nil || !strings.Contains(string(b), `"status":"sent"`) {
		t.Fatalf("put-events entry: %s %v", b, err)
	}
	if got := h.srv.Stats().Messages; got != 4 {
		t.Fatalf("%d messages delivered, want 4", got)
	}
}

func loadTemplate(t *testing.T) map[string]any {
	t.Helper()
	tpl, err := samtemplate.Load(filepath.Join(fixture.ModuleRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func templateRulePattern(t *testing.T) string {
	t.Helper()
	fn := loadTemplate(t)["Resources"].(map[string]any)["GmailSendFunction"].(map[string]any)
	for _, ev := range fn["Properties"].(map[string]any)["Events"].(map[string]any) {
		e := ev.(map[string]any)
		if e["Type"] == "EventBridgeRule" {
			b, _ := json.Marshal(e["Properties"].(map[string]any)["Pattern"])
			return string(b)
		}
	}
	t.Fatal("no EventBridge rule")
	return ""
}

// TestDeployNamesRealOutputs ensures every <Output> the walkthrough uses is a template output and every template output is documented in docs/deploy.md.
func TestDeployNamesRealOutputs(t *testing.T) {
	doc := deploySection(t)
	outputs := loadTemplate(t)["Outputs"].(map[string]any)
	for _, m := range regexp.MustCompile(`<([A-Z][A-Za-z]+)>`).FindAllStringSubmatch(doc, -1) {
		if _, ok := outputs[m[1]]; !ok {
			t.Errorf("docs/deploy.md uses <%s>, which the stack does not output", m[1])
		}
	}
	whole := readDoc(t, "docs/deploy.md")
	for name := range outputs {
		if !strings.Contains(whole, "`"+name+"`") {
			t.Errorf("output %s is not documented in docs/deploy.md", name)
		}
	}
}

// TestApiKeyCommandIsTheOutput ensures the command docs/deploy.md gives for the API key's value is the template's ApiKeyValueCommand output.
func TestApiKeyCommandIsTheOutput(t *testing.T) {
	out := loadTemplate(t)["Outputs"].(map[string]any)["ApiKeyValueCommand"].(map[string]any)["Value"].(map[string]any)["Fn::Sub"].(string)
	want := strings.TrimSuffix(strings.ReplaceAll(out, "${GmailSendApiKey}", "<ApiKeyId>"), " --region ${AWS::Region}")
	if !strings.Contains(deploySection(t), "KEY=$("+want+")") {
		t.Fatalf("docs/deploy.md's Deploy section lacks KEY=$(%s)", want)
	}
}

// TestLimitsAreEnforced ensures each limit in docs/deploy.md's limits table is the one the function enforces: the stated size passes the size check, one byte more is payload_too_large naming the limit.
func TestLimitsAreEnforced(t *testing.T) {
	doc := deploySection(t)
	h := newHarness(t, setup{})
	envelope := map[string]func(body string) []byte{
		"API (REST API)":    func(b string) []byte { return fixture.UpstreamEvent(t, "apigw-request.json", b) },
		"direct invocation": func(b string) []byte { return []byte(b) },
		"SQS":               func(b string) []byte { return fixture.SQSEvent(t, b) },
		"SNS":               func(b string) []byte { return fixture.UpstreamEvent(t, "sns-event.json", b) },
		"EventBridge": func(b string) []byte {
			ev, _ := json.Marshal(map[string]any{"id": "e-1", "detail-type": "gmailsend.SendRequested", "source": "com.example", "detail": json.RawMessage(b)})
			return ev
		},
	}
	rows := regexp.MustCompile(`(?m)^\| ([A-Za-z ()]+) \| ([0-9,]+) bytes[:;]? ([^|]*)\|`).FindAllStringSubmatch(doc, -1)
	if len(rows) != len(envelope) {
		t.Fatalf("docs/deploy.md's limits table has %d rows, want one per source (%d)", len(rows), len(envelope))
	}
	for _, row := range rows {
		wrap, ok := envelope[row[1]]
		if !ok {
			t.Fatalf("docs/deploy.md's limits table names an unknown source %q", row[1])
		}
		limit, _ := strconv.Atoi(strings.ReplaceAll(row[2], ",", ""))
		for _, size := range []int{limit, limit + 1} {
			// A JSON object of exactly size bytes (not a valid request:
			// only the size check matters).
			body := `{"message":"` + strings.Repeat("x", size-14) + `"}`
			out, err := h.invoke(t, wrap(body))
			over := strings.Contains(fmt.Sprint(out, err)+h.log.String(), "payload_too_large")
			h.log.Reset()
			if over != (size > limit) {
				t.Errorf("%s: %d bytes: payload_too_large %v (limit %d): %v %v", row[1], size, over, limit, out, err)
			}
		}
	}
}

// TestGuidedPromptsAreParameters ensures every parameter the --guided table explains is a parameter of template.yaml, with the default the table states when it states one.
func TestGuidedPromptsAreParameters(t *testing.T) {
	params := loadTemplate(t)["Parameters"].(map[string]any)
	rows := regexp.MustCompile(`(?m)^\| Parameter (.*?) \| (.*) \|$`).FindAllStringSubmatch(deploySection(t), -1)
	if len(rows) < 5 {
		t.Fatalf("the --guided table explains only %d parameters", len(rows))
	}
	for _, row := range rows {
		names := regexp.MustCompile("`([A-Za-z]+)`").FindAllStringSubmatch(row[1], -1)
		for _, n := range names {
			if _, ok := params[n[1]]; !ok {
				t.Errorf("docs/deploy.md explains the prompt %s, which template.yaml does not have", n[1])
			}
		}
		// "`0` (unset)", "`true` (the default)": a single name with a
		// leading `value` states that parameter's default.
		if len(names) == 1 {
			if v := regexp.MustCompile("^`([^`]*)`").FindStringSubmatch(row[2]); v != nil {
				def := fmt.Sprint(params[names[0][1]].(map[string]any)["Default"])
				if def != v[1] {
					t.Errorf("docs/deploy.md gives %s's default as %q, template.yaml has %q", names[0][1], v[1], def)
				}
			}
		}
	}
}

// TestDeploySaysWhatStays ensures the walkthrough says the table outlives the stack (DeletionPolicy Retain, as the template has it) and how to remove it and the secrets, and explains AlarmEmail and when to set BounceCredentials.
func TestDeploySaysWhatStays(t *testing.T) {
	doc := deploySection(t)
	table := loadTemplate(t)["Resources"].(map[string]any)["MessagesTable"].(map[string]any)
	if table["DeletionPolicy"] != "Retain" {
		t.Fatalf("MessagesTable's DeletionPolicy is %v", table["DeletionPolicy"])
	}
	for _, want := range []string{"`DeletionPolicy: Retain`", "aws dynamodb delete-table --table-name <MessagesTableName>",
		"aws secretsmanager delete-secret", "| Parameter `AlarmEmail` |", "| Parameter `BounceCredentials` |", "step 4"} {
		if !strings.Contains(doc, want) {
			t.Errorf("docs/deploy.md's Deploy section lacks %q", want)
		}
	}
}
