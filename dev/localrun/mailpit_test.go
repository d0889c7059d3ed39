package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/mailpit"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/app"
)

// TestMailpitShowsWhatTheFunctionSent ensures `make run MAILPIT=1` works: the real bootstrap delivers into Mailpit over STARTTLS and AUTH, the report names the message with its decoded Hangul subject and the links to it, and Mailpit's API gives back the subject, sender name, HTML and attachment intact.
func TestMailpitShowsWhatTheFunctionSent(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := mailpit.Install(ctx, fixture.ModuleRoot(t), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := new(syncBuffer)
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir(), Mailpit: bin}, "", logs)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	payload, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", "direct-extended.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := invokeOnce(ctx, l, "events/direct-extended.json", payload, 30*time.Second, logs, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"== 1 message(s) delivered to Mailpit", "Subject:  [주문 #1024] 배송 안내", "From:     고객지원팀 <sender@gmail.com>", "/view/", "(영수증.txt, "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	mp := l.stack.Mailpit
	ids, err := mp.IDs(ctx)
	if err != nil || len(ids) != 1 {
		t.Fatalf("Mailpit holds %v (%v)", ids, err)
	}
	m, err := mp.Message(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "[주문 #1024] 배송 안내" || m.From.Name != "고객지원팀" || len(m.Attachments) != 1 || m.Attachments[0].FileName != "영수증.txt" ||
		!strings.Contains(m.HTML, "주문이 발송되었습니다") || !strings.Contains(m.Text, "운송장 번호: 1024") {
		t.Fatalf("Mailpit read back %+v", m)
	}
	resp, err := http.Get(mp.URL + "/view/" + m.ID + ".html")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "주문이 발송되었습니다") {
		t.Fatalf("the HTML link answered %d: %.200s", resp.StatusCode, page)
	}
}

// TestSamLocalFilesAgree ensures sam local invoke against `make mailpit` can work as docs/deploy.md says, without Docker here: every variable of events/sam-local/env.json is one the function reads and one the template declares on that function (SAM overrides only those), it points at the port, host name and CA location make mailpit provides, the sample event sends as a local account, and docs/deploy.md shows the commands.
func TestSamLocalFilesAgree(t *testing.T) {
	root := fixture.ModuleRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, "events", "sam-local", "env.json"))
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]map[string]string
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, n := range app.EnvNames() {
		known[n] = true
	}
	vars := env["GmailSendFunction"]
	if len(env) != 1 || len(vars) == 0 {
		t.Fatalf("env.json should set GmailSendFunction's variables only: %v", env)
	}
	declared := tpl["Resources"].(map[string]any)["GmailSendFunction"].(map[string]any)["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)
	for k := range vars {
		if !known[k] {
			t.Errorf("env.json sets %s, which the function does not read", k)
		}
		if _, ok := declared[k]; !ok {
			t.Errorf("env.json sets %s, which template.yaml does not declare on GmailSendFunction: SAM would ignore it", k)
		}
	}
	if vars["SMTP_HOST"] != "host.docker.internal" || vars["SMTP_PORT"] != "1025" || vars["MESSAGES_TABLE"] != "" {
		t.Errorf("env.json: %v", vars)
	}
	ca := vars["SMTP_CA_FILE"]
	copyLine := "cp .local/mailpit/ca.pem .aws-sam/build/GmailSendFunction/" + filepath.Base(ca)
	if !strings.HasPrefix(ca, "/var/task/") || !strings.Contains(strings.Join(samLocalLines, "\n"), copyLine) {
		t.Errorf("SMTP_CA_FILE %q is not where the commands copy make mailpit's CA", ca)
	}
	var req struct{ User, Password string }
	ev, err := os.ReadFile(filepath.Join(root, "events", "direct-sam-local.json"))
	if err != nil || json.Unmarshal(ev, &req) != nil || devstack.Accounts[req.User] != req.Password || !strings.Contains(strings.Join(samLocalLines, " "), "-e events/direct-sam-local.json") {
		t.Errorf("events/direct-sam-local.json must send as a local account Mailpit lets in (%v)", err)
	}
	deploy := fixture.Doc(t, "docs/deploy.md")
	for _, line := range samLocalLines {
		if !strings.Contains(deploy, "\n"+line+"\n") {
			t.Errorf("docs/deploy.md does not show %q", line)
		}
	}
}
