package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// readmeLine is README's curl line against make serve for path that
// holds with.
func readmeLine(t *testing.T, readme, path, with string) string {
	t.Helper()
	for _, line := range regexp.MustCompile(`(?m)^curl -X POST http://127\.0\.0\.1:3000`+regexp.QuoteMeta(path)+` .*$`).FindAllString(readme, -1) {
		if strings.Contains(line, with) {
			return line
		}
	}
	t.Fatalf("README shows no curl line for POST %s against make serve with %q", path, with)
	return ""
}

// TestREADMEWebhookLinesAreTheGuides ensures README's webhook loop is, line for line, what make serve prints (with the default ports).
func TestREADMEWebhookLinesAreTheGuides(t *testing.T) {
	readme := fixture.Doc(t, "README.md")
	l := &local{receiver: &receiver{URL: "http://127.0.0.1:3001"}, bounceReader: &runtimeapi.Function{}}
	for _, line := range webhookLines(l, "http://127.0.0.1:3000")[1:] {
		if !strings.Contains(readme, "\n"+strings.TrimSpace(line)+"\n") {
			t.Errorf("README does not show make serve's line\n%s", line)
		}
	}
}

// TestMakeServeWebhookLoop runs README's webhook loop against make serve's parts: the real send, events and bounce reader bootstraps, the table's stream, the webhook queue and serve's receiver. README's POST /webhooks registers the receiver, README's send to nobody@bounce.test is delivered and bounced, and message.sent and message.bounced both arrive for that message, signed with the secret the registration returned; the bus carries the bounce under README's example rule's pattern.
func TestMakeServeWebhookLoop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	offerQueuedRoutes = true
	defer func() { offerQueuedRoutes = false }()
	inbox, err := devstack.StartBounceInbox()
	if err != nil {
		t.Fatal(err)
	}
	defer inbox.Close()
	dir := t.TempDir()
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: dir, Mail: inbox.Mail}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.events == nil {
		t.Skip("dynalite is not available here: no table, no stream, no events")
	}
	report := new(syncBuffer)
	if err := l.startWebhookLoop(ctx, options{dir: dir, receiver: "127.0.0.1:0"}, inbox, 30*time.Second, report); err != nil {
		t.Fatal(err)
	}
	if l.receiver == nil || l.bounceReader == nil {
		t.Fatalf("the loop did not start:\n%s", report)
	}
	go l.consumeQueue(ctx, 30*time.Second, report)
	go l.events.Run(ctx)
	srv := httptest.NewServer(apiHandler(l, 30*time.Second, report))
	defer srv.Close()

	readme := fixture.Doc(t, "README.md")
	hookLine := strings.ReplaceAll(readmeLine(t, readme, "/webhooks", "127.0.0.1:3001"), "http://127.0.0.1:3001", l.receiver.URL)
	var hook struct{ ID, Secret string }
	if status := doLine(t, hookLine, srv.URL, &hook); status != http.StatusCreated || hook.Secret == "" {
		t.Fatalf("POST /webhooks → %d %+v", status, hook)
	}
	var sent struct{ ID, Status string }
	if status := doLine(t, readmeLine(t, readme, "/send", "nobody@bounce.test"), srv.URL, &sent); status != http.StatusOK || sent.Status != "sent" {
		t.Fatalf("POST /send → %d %+v", status, sent)
	}

	want := map[string]bool{"message.sent": false, "message.bounced": false}
	for deadline := time.Now().Add(60 * time.Second); ; {
		for _, r := range l.receiver.received() {
			if _, ok := want[r.Type]; ok && r.Endpoint == hook.ID {
				want[r.Type] = true
			}
		}
		if want["message.sent"] && want["message.bounced"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got %+v, want message.sent and message.bounced signed by %s\n%s", l.receiver.received(), hook.ID, report)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out := report.String()
	for _, s := range []string{"bounce reader: recorded 1 bounce(s)", "message.bounced evt_", "signed: verified with the secret of " + hook.ID} {
		if !strings.Contains(out, s) {
			t.Errorf("make serve did not print %q:\n%s", s, out)
		}
	}
	// Whatever serve printed of the deliveries holds no subject, body or
	// address: they are the events as received.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "   {") && (strings.Contains(line, "회의") || strings.Contains(line, "nobody@")) {
			t.Errorf("a delivery printed the subject or the address: %s", line)
		}
	}
	checkReadmeRule(t, readme, l, sent.ID)
}

// doLine sends a docs curl line to base and decodes the JSON answer.
func doLine(t *testing.T, line, base string, into any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(curlRequest(t, line, base))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, into); err != nil {
		t.Fatalf("%s → %d %s", line, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// checkReadmeRule reads README's example rule and checks its event
// pattern (EventBridge matches each listed field against a list of
// values) against what the local bus holds: the bounce of message id
// matches, its message.sent does not. The rule's bus is the template's.
func checkReadmeRule(t *testing.T, readme string, l *local, id string) {
	t.Helper()
	m := regexp.MustCompile("(?s)```yaml\n(  BounceAlertTopic:.*?)```").FindStringSubmatch(readme)
	if m == nil {
		t.Fatal("README shows no example rule (BounceAlertTopic … BouncedRule)")
	}
	var resources map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			EventBusName yaml.Node           `yaml:"EventBusName"`
			EventPattern map[string][]string `yaml:"EventPattern"`
		} `yaml:"Properties"`
	}
	if err := yaml.Unmarshal([]byte(m[1]), &resources); err != nil {
		t.Fatalf("README's example rule is not YAML: %v", err)
	}
	rule := resources["BouncedRule"]
	if rule.Type != "AWS::Events::Rule" || rule.Properties.EventBusName.Tag != "!Ref" || rule.Properties.EventBusName.Value != "EventBus" {
		t.Fatalf("README's rule is not a rule on the template's EventBus: %+v", rule)
	}
	if !strings.Contains(fixture.Doc(t, "template.yaml"), "\n  EventBus:\n    Type: AWS::Events::EventBus\n") {
		t.Fatal("template.yaml has no EventBus resource for README's rule to use")
	}
	matched := map[string]bool{}
	for _, e := range l.events.Bus.Events() {
		var detail struct {
			Data struct{ MessageID string } `json:"data"`
		}
		_ = json.Unmarshal([]byte(e.Detail), &detail)
		if detail.Data.MessageID != id {
			continue
		}
		fields := map[string]string{"source": e.Source, "detail-type": e.DetailType}
		ok := true
		for field, values := range rule.Properties.EventPattern {
			v, known := fields[field]
			ok = ok && known && contains(values, v)
		}
		matched[e.DetailType] = ok
	}
	if _, onBus := matched["message.sent"]; !onBus || !matched["message.bounced"] || matched["message.sent"] {
		t.Fatalf("README's rule pattern %v matched %v of the message's events on the bus", rule.Properties.EventPattern, matched)
	}
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
