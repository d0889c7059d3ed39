package app_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/samtemplate"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// TestWebhookRoutesAnswerAsDocumented ensures the seven /webhooks routes of the real send function (dynalite table, devsqs webhook queue) answer what api/openapi.yaml documents — 201 with the secret, the list without it, the detail with recentFailures, rotate, 202 test with its event on the webhook queue, enable answering the endpoint, 204, then 404 webhook_not_found — a private address is 400 webhook_url_refused on url naming its class and not the query, following a stored credential the key may use is 201 with credentials (never the account key) and one it may not 403 forbidden on credentials, no secret reaches the log, and every AWS call made is allowed by GmailSendFunction's policy in template.yaml.
func TestWebhookRoutesAnswerAsDocumented(t *testing.T) {
	made := &calls{}
	h := newHarness(t, setup{Store: true, Queue: true, Parts: func(p *app.Parts) {
		p.DynamoDB = recordingTable{API: p.DynamoDB, Calls: made}
		p.SQS = recordingQueues{p.SQS, made}
	}})
	resp := h.callAPI(t, "POST", "/webhooks", `{"url":"https://93.184.216.34/hooks?token=abc","events":["message.bounced"],"description":"CRM"}`)
	var created struct {
		ID, URL, Secret string
		Events          []string
		Enabled         bool
	}
	if resp.StatusCode != 201 || json.Unmarshal([]byte(resp.Body), &created) != nil || !strings.HasPrefix(created.Secret, "whsec_") ||
		!created.Enabled || len(created.Events) != 1 {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.callAPI(t, "GET", "/webhooks", ""); resp.StatusCode != 200 || !strings.Contains(resp.Body, created.ID) || strings.Contains(resp.Body, "whsec_") {
		t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.callAPI(t, "GET", "/webhooks/"+created.ID, ""); resp.StatusCode != 200 || !strings.Contains(resp.Body, `"recentFailures":[]`) || strings.Contains(resp.Body, "whsec_") {
		t.Fatalf("get: %d %s", resp.StatusCode, resp.Body)
	}
	resp = h.callAPI(t, "POST", "/webhooks/"+created.ID+"/rotate", "")
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"previousSecretExpiresAt"`) || strings.Contains(resp.Body, created.Secret) {
		t.Fatalf("rotate: %d %s", resp.StatusCode, resp.Body)
	}
	resp = h.callAPI(t, "POST", "/webhooks/"+created.ID+"/test", "")
	var accepted struct{ EventID string }
	if resp.StatusCode != 202 || json.Unmarshal([]byte(resp.Body), &accepted) != nil || accepted.EventID == "" {
		t.Fatalf("test: %d %s", resp.StatusCode, resp.Body)
	}
	queued := h.queue.sqs.Messages("webhooks")
	if len(queued) != 1 {
		t.Fatalf("%d messages on the webhook queue", len(queued))
	}
	job, err := sqsqueue.DecodeWebhookJob(queued[0].Body)
	if err != nil || job.Caller != "key-1" || job.Endpoint != created.ID || job.Event.ID != accepted.EventID || job.Event.Type != gmailsend.EventWebhookTest {
		t.Fatalf("queued %+v %v", job, err)
	}
	if resp := h.callAPI(t, "POST", "/webhooks/"+created.ID+"/enable", ""); resp.StatusCode != 200 || !strings.Contains(resp.Body, `"enabled":true`) || strings.Contains(resp.Body, "whsec_") {
		t.Fatalf("enable: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.callAPI(t, "DELETE", "/webhooks/"+created.ID, ""); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.callAPI(t, "GET", "/webhooks/"+created.ID, ""); resp.StatusCode != 404 || !strings.Contains(resp.Body, `"webhook_not_found"`) {
		t.Fatalf("get after delete: %d %s", resp.StatusCode, resp.Body)
	}
	resp = h.callAPI(t, "POST", "/webhooks", `{"url":"https://10.1.2.3/hooks?token=abc"}`)
	if resp.StatusCode != 400 || !strings.Contains(resp.Body, `"webhook_url_refused"`) || !strings.Contains(resp.Body, `"field":"url"`) ||
		!strings.Contains(resp.Body, "webhook_addr_private") || strings.Contains(resp.Body, "token=abc") {
		t.Fatalf("private address: %d %s", resp.StatusCode, resp.Body)
	}
	h.secrets.Put("gmailsend/desk", `{"user":"`+fixture.User+`","password":"`+fixture.Password+`","allowedCallers":["key-1"]}`)
	h.secrets.Put("gmailsend/other", `{"user":"other@gmail.com","password":"`+fixture.Password+`","allowedCallers":["key-9"]}`)
	resp = h.callAPI(t, "POST", "/webhooks", `{"url":"https://93.184.216.34/sup","events":["recipient.suppressed"],"credentials":["desk"]}`)
	if resp.StatusCode != 201 || !strings.Contains(resp.Body, `"credentials":["desk"]`) || strings.Contains(resp.Body, "addr:") {
		t.Fatalf("create following desk: %d %s", resp.StatusCode, resp.Body)
	}
	resp = h.callAPI(t, "POST", "/webhooks", `{"url":"https://93.184.216.34/sup","credentials":["other"]}`)
	if resp.StatusCode != 403 || !strings.Contains(resp.Body, `"forbidden"`) || !strings.Contains(resp.Body, `"field":"credentials"`) {
		t.Fatalf("create following another key's credential: %d %s", resp.StatusCode, resp.Body)
	}
	if strings.Contains(h.log.String(), "whsec_") || strings.Contains(h.log.String(), created.Secret[6:20]) {
		t.Error("a signing secret reached the log")
	}
	checkAllowed(t, "GmailSendFunction", nil, made.All(), "dynamodb:PutItem hook#", "dynamodb:Query hook#", "dynamodb:GetItem hook#",
		"dynamodb:UpdateItem hook#", "dynamodb:DeleteItem hook#", "dynamodb:UpdateItem hooksup#", "sqs:SendMessage")
}

// TestWebhookMaxReceivesIsTheTemplates ensures webhooks.MaxReceives, the receive on which the deliverer gives up, equals WebhookQueue's maxReceiveCount in template.yaml, and both functions queue on that queue.
func TestWebhookMaxReceivesIsTheTemplates(t *testing.T) {
	tpl, err := samtemplate.Load(filepath.Join(fixture.ModuleRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := tpl["Resources"].(map[string]any)
	props := func(name string) map[string]any {
		r, _ := res[name].(map[string]any)
		p, _ := r["Properties"].(map[string]any)
		return p
	}
	redrive, _ := props("WebhookQueue")["RedrivePolicy"].(map[string]any)
	if n, ok := redrive["maxReceiveCount"].(int64); !ok || n != int64(webhooks.MaxReceives) {
		t.Fatalf("WebhookQueue maxReceiveCount %v (%T), webhooks.MaxReceives %d", redrive["maxReceiveCount"], redrive["maxReceiveCount"], webhooks.MaxReceives)
	}
	for _, fn := range []string{"GmailSendFunction", "EventsFunction"} {
		env, _ := props(fn)["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		ref, _ := vars["WEBHOOK_QUEUE_URL"].(map[string]any)
		if ref["Ref"] != "WebhookQueue" {
			t.Errorf("%s WEBHOOK_QUEUE_URL is %v, want !Ref WebhookQueue", fn, vars["WEBHOOK_QUEUE_URL"])
		}
	}
}
