package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTemplateBatchHundredRecipients ensures a per-recipient batch of 100 (one template, shared defaults, each message its own variables) makes 100 records and delivers to each recipient a message with its own values and nothing of another's; an item's own idempotency key replays its record when the batch is sent again.
func TestTemplateBatchHundredRecipients(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	if resp := h.callAPI(t, "PUT", "/templates/visit", `{"subject": "{{.shop}}: {{.name}}님 예약", "html": "<p id=\"who\">{{.name}}</p><p id=\"code\">{{.code}}</p>"}`); resp.StatusCode != 201 {
		t.Fatalf("PUT → %d %s", resp.StatusCode, resp.Body)
	}
	type item struct {
		ToEmail        string         `json:"toEmail"`
		Variables      map[string]any `json:"variables"`
		IdempotencyKey string         `json:"idempotencyKey,omitempty"`
	}
	batch := struct {
		Template string         `json:"template"`
		Defaults map[string]any `json:"defaults"`
		Messages []item         `json:"messages"`
	}{Template: "visit", Defaults: map[string]any{"credential": "desk", "fromUsername": "예약센터", "variables": map[string]any{"shop": "한빛식당", "name": "손님"}}}
	for i := range 100 {
		it := item{ToEmail: fmt.Sprintf("r%03d@example.com", i), Variables: map[string]any{"name": fmt.Sprintf("고객%03d", i), "code": fmt.Sprintf("C%03d", i)}}
		if i == 0 {
			it.IdempotencyKey = "visit-r000"
			delete(it.Variables, "name") // the default's "손님"
		}
		batch.Messages = append(batch.Messages, it)
	}
	body, _ := json.Marshal(batch)
	start := time.Now()
	resp := h.callAPI(t, "POST", "/messages/batch", string(body))
	took := time.Since(start)
	var b batchBody
	decodeJSON(t, resp.Body, &b)
	if resp.StatusCode != 202 || b.Accepted != 100 {
		t.Fatalf("→ %d %s", resp.StatusCode, resp.Body)
	}
	t.Logf("a per-recipient batch of 100 accepted in %s (dynalite, local SQS)", took.Round(time.Millisecond))
	h.drain(t)
	msgs := h.srv.Messages()
	if len(msgs) != 100 {
		t.Fatalf("%d delivered", len(msgs))
	}
	for _, m := range msgs {
		var i int
		if _, err := fmt.Sscanf(m.To[0], "r%03d@example.com", &i); err != nil || len(m.To) != 1 {
			t.Fatalf("recipient %v", m.To)
		}
		name := fmt.Sprintf("고객%03d", i)
		if i == 0 {
			name = "손님"
		}
		d := readDelivered(t, m)
		doc := parseHTML(t, d.html)
		ps := elements(doc, "p")
		if d.subject != "한빛식당: "+name+"님 예약" || len(ps) != 2 || textContent(ps[0]) != name || textContent(ps[1]) != fmt.Sprintf("C%03d", i) {
			t.Errorf("%s got subject %q, html %q", m.To[0], d.subject, d.html)
		}
		if n := strings.Count(d.html, "C0"); n != 1 {
			t.Errorf("%s's message holds %d codes", m.To[0], n)
		}
	}
	// The same batch again: item 0's own key replays its record.
	again := h.callAPI(t, "POST", "/messages/batch", string(body))
	var b2 batchBody
	decodeJSON(t, again.Body, &b2)
	if again.StatusCode != 202 || len(b2.Messages) != 100 || b2.Messages[0].ID != b.Messages[0].ID || b2.Messages[1].ID == b.Messages[1].ID {
		t.Errorf("again → %d: item 0 %s (was %s), item 1 %s (was %s)", again.StatusCode, b2.Messages[0].ID, b.Messages[0].ID, b2.Messages[1].ID, b.Messages[1].ID)
	}
}

// TestTemplateBatchRefusals ensures defaults that would override a message's own fields, an item naming its own template, and a missing variable in one item are refused and named (strict: nothing queued).
func TestTemplateBatchRefusals(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	h.callAPI(t, "PUT", "/templates/visit", `{"subject": "{{.name}}", "html": "<p>{{.name}}</p>"}`)
	cases := []struct{ body, field string }{
		{`{"template": "visit", "defaults": {"credential": "desk", "toEmail": "x@example.com"}, "messages": [{"toEmail": "a@example.com", "variables": {"name": "a"}}]}`, "defaults.toEmail"},
		{`{"template": "visit", "defaults": {"credential": "desk"}, "messages": [{"toEmail": "a@example.com", "template": "other"}]}`, "messages[0].template"},
		{`{"defaults": {"credential": "desk"}, "messages": [{"toEmail": "a@example.com"}]}`, "defaults"},
	}
	for _, c := range cases {
		resp := h.callAPI(t, "POST", "/messages/batch", c.body)
		if e := decodeBody[errBody](t, resp).Error; resp.StatusCode != 400 || e.Field != c.field {
			t.Errorf("%s → %d %s, want 400 on %s", c.body, resp.StatusCode, resp.Body, c.field)
		}
	}
	resp := h.callAPI(t, "POST", "/messages/batch", `{"template": "visit", "defaults": {"credential": "desk"}, "messages": [{"toEmail": "a@example.com", "variables": {"name": "a"}}, {"toEmail": "b@example.com"}]}`)
	var refused struct {
		Error struct {
			Items []struct {
				Index int
				Field string
			}
		}
	}
	decodeJSON(t, resp.Body, &refused)
	if items := refused.Error.Items; resp.StatusCode != 400 || len(items) != 1 || items[0].Index != 1 || items[0].Field != "messages[1].variables.name" {
		t.Errorf("missing variable → %d %s", resp.StatusCode, resp.Body)
	}
	if n := len(h.queue.sqs.Messages("send")); n != 0 {
		t.Errorf("%d queued after refusals", n)
	}
}
