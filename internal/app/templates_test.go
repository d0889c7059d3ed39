package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// bookingTemplate is the test template: a name in text, in an attribute
// and a URL in href; no address or domain (the table's scan refuses them).
const bookingTemplate = `{"subject": "예약 확인: {{.name}}님",
 "html": "<p id=\"greet\">{{.name}}님, {{.time}}에 뵙겠습니다.</p>\n<a id=\"link\" href=\"{{.url}}\" title=\"{{.title}}\">예약 보기</a>",
 "description": "예약 확인 (한국어)"}`

type templateSummary struct {
	Name        string `json:"name"`
	Version     int    `json:"version"`
	Description string `json:"description"`
}

type templateBody struct {
	templateSummary
	Subject string `json:"subject"`
	HTML    string `json:"html"`
}

// putTemplate is PUT /templates/{name} as caller.
func (h *harness) putTemplate(t *testing.T, name, body, caller string) (int, string) {
	t.Helper()
	resp := h.apiCall(t, "PUT", "/templates/{name}", "/templates/"+name, map[string]string{"name": name}, body, caller, nil)
	return resp.StatusCode, resp.Body
}

// TestTemplateRoutes ensures every PUT is a new version, GET returns the latest or ?version=, the list shows the latest, another API key sees nothing, DELETE removes it, and syntax errors, unknown fields and oversized templates are refused at PUT; every answer matches api/openapi.yaml.
func TestTemplateRoutes(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	for want := 1; want <= 2; want++ {
		resp := h.callAPI(t, "PUT", "/templates/booking", strings.Replace(bookingTemplate, "뵙겠습니다", "뵙겠습니다 v"+string(rune('0'+want)), 1))
		var s templateSummary
		decodeJSON(t, resp.Body, &s)
		if resp.StatusCode != 201 || s.Version != want || s.Name != "booking" {
			t.Fatalf("PUT #%d → %d %s", want, resp.StatusCode, resp.Body)
		}
	}
	var latest, first templateBody
	decodeJSON(t, h.callAPI(t, "GET", "/templates/booking", "").Body, &latest)
	decodeJSON(t, h.callAPI(t, "GET", "/templates/booking?version=1", "").Body, &first)
	if latest.Version != 2 || !strings.Contains(latest.HTML, "v2") || first.Version != 1 || !strings.Contains(first.HTML, "v1") {
		t.Fatalf("latest %+v, first %+v", latest, first)
	}
	var list struct{ Templates []templateSummary }
	decodeJSON(t, h.callAPI(t, "GET", "/templates", "").Body, &list)
	if len(list.Templates) != 1 || list.Templates[0].Version != 2 || list.Templates[0].Description != "예약 확인 (한국어)" {
		t.Fatalf("list %+v", list)
	}
	if resp := h.callAPI(t, "GET", "/templates/booking?version=9", ""); resp.StatusCode != 404 || !strings.Contains(resp.Body, "template_not_found") {
		t.Errorf("version 9 → %d %s", resp.StatusCode, resp.Body)
	}
	// Another API key: nothing of key-1's.
	other := h.apiCall(t, "GET", "/templates/{name}", "/templates/booking", map[string]string{"name": "booking"}, "", "key-2", nil)
	if other.StatusCode != 404 || decodeBody[errBody](t, other).Error.Code != "template_not_found" {
		t.Errorf("key-2 → %d %s", other.StatusCode, other.Body)
	}

	refused := []struct {
		body, field, in string
		status          int
	}{
		{`{"subject": "x", "html": "<p>ok</p>\n<p>안녕 {{.name}</p>"}`, "html", "line 2, column 7", 400},
		{`{"subject": "{{.a", "html": "<p></p>"}`, "subject", "line 1, column 1", 400},
		{`{"subject": "a\r\nBcc: x", "html": "<p></p>"}`, "subject", "line break", 400},
		{`{"subject": "x", "html": "<p></p>", "htmll": "x"}`, "", "htmll", 400},
		{`{"subject": "x"}`, "html", "missing", 400},
		{`{"subject": "x", "html": "` + strings.Repeat("가", 120_000) + `"}`, "html", "350000", 413},
	}
	for _, c := range refused {
		resp := h.callAPI(t, "PUT", "/templates/booking", c.body)
		e := decodeBody[errBody](t, resp).Error
		if resp.StatusCode != c.status || e.Field != c.field || !strings.Contains(e.Message, c.in) {
			t.Errorf("PUT %.60s → %d %s, want %d on %q with %q", c.body, resp.StatusCode, resp.Body, c.status, c.field, c.in)
		}
	}
	if resp := h.callAPI(t, "DELETE", "/templates/booking", ""); resp.StatusCode != 204 {
		t.Fatalf("DELETE → %d %s", resp.StatusCode, resp.Body)
	}
	for _, path := range []string{"/templates/booking", "/templates/booking?version=1"} {
		if resp := h.callAPI(t, "GET", path, ""); resp.StatusCode != 404 {
			t.Errorf("GET %s after DELETE → %d", path, resp.StatusCode)
		}
	}
	if resp := h.callAPI(t, "DELETE", "/templates/booking", ""); resp.StatusCode != 404 {
		t.Errorf("second DELETE → %d", resp.StatusCode)
	}
}

// templateSend is a POST /send body from fixture.User naming template.
func templateSend(to, template string, vars map[string]any, extra map[string]any) string {
	m := map[string]any{"user": fixture.User, "password": fixture.Password, "toEmail": to, "template": template, "variables": vars}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestTemplateSendEscapesByContext ensures hostile variables arrive, as an HTML parser reads the delivered message, as the values they were in the place the template put them (no script element, no attribute of their own, no javascript: URL), the subject keeps Hangul and emoji, a text part is derived, and the record names the template and version.
func TestTemplateSendEscapesByContext(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	if code, body := h.putTemplate(t, "booking", bookingTemplate, "key-a"); code != 201 {
		t.Fatalf("PUT → %d %s", code, body)
	}
	name := `<script>alert("x")</script>홍길동 😀`
	title := `" onclick="alert(1)`
	resp := h.postSend(t, templateSend("kim@example.com", "booking",
		map[string]any{"name": name, "time": "10:00 <b>굵게</b>", "url": "javascript:alert(1)", "title": title}, nil), "key-a", "")
	if resp.StatusCode != 200 {
		t.Fatalf("send → %d %s", resp.StatusCode, resp.Body)
	}
	msgs := h.srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages delivered", len(msgs))
	}
	d := readDelivered(t, msgs[0])
	if want := "예약 확인: " + name + "님"; d.subject != want {
		t.Errorf("subject %q, want %q", d.subject, want)
	}
	doc := parseHTML(t, d.html)
	if n := len(elements(doc, "script")) + len(elements(doc, "b")); n != 0 {
		t.Errorf("variables became %d element(s):\n%s", n, d.html)
	}
	ps := elements(doc, "p")
	if len(ps) != 1 || textContent(ps[0]) != name+"님, 10:00 <b>굵게</b>에 뵙겠습니다." {
		t.Errorf("paragraph text %q", textContent(ps[0]))
	}
	as := elements(doc, "a")
	if len(as) != 1 {
		t.Fatalf("%d links", len(as))
	}
	if got, _ := attrOf(as[0], "title"); got != title {
		t.Errorf("title attribute %q, want the value %q", got, title)
	}
	if _, ok := attrOf(as[0], "onclick"); ok || len(as[0].Attr) != 3 {
		t.Errorf("a variable added attributes: %v", as[0].Attr)
	}
	if href, _ := attrOf(as[0], "href"); strings.HasPrefix(strings.ToLower(strings.TrimSpace(href)), "javascript:") {
		t.Errorf("href %q: a javascript: URL survived", href)
	}
	if !strings.Contains(d.text, "홍길동 😀") {
		t.Errorf("derived text part %q", d.text)
	}
	var rec struct {
		Template        string `json:"template"`
		TemplateVersion int    `json:"templateVersion"`
	}
	decodeJSON(t, h.getMessage(t, decodeBody[sentBody](t, resp).ID, "key-a").Body, &rec)
	if rec.Template != "booking" || rec.TemplateVersion != 1 {
		t.Errorf("record names template %q version %d", rec.Template, rec.TemplateVersion)
	}

	refused := []struct {
		body, field string
	}{
		{templateSend("kim@example.com", "booking", map[string]any{"name": "a", "url": "u", "title": "t"}, nil), "variables.time"},
		{templateSend("kim@example.com", "booking", map[string]any{"name": "a\r\nBcc: evil@example.net", "time": "t", "url": "u", "title": "t"}, nil), "variables.name"},
		{templateSend("kim@example.com", "booking", map[string]any{"name": "a", "time": "t", "url": "u", "title": "t"}, map[string]any{"subject": "own"}), "subject"},
		{templateSend("kim@example.com", "nosuch", map[string]any{}, nil), "template"},
	}
	for _, c := range refused {
		resp := h.postSend(t, c.body, "key-a", "")
		if e := decodeBody[errBody](t, resp).Error; resp.StatusCode/100 != 4 || e.Field != c.field {
			t.Errorf("%s → %d %s, want a 4xx on %q", c.body, resp.StatusCode, resp.Body, c.field)
		}
	}
	// Another API key cannot send key-a's template.
	if resp := h.postSend(t, templateSend("kim@example.com", "booking", map[string]any{"name": "a", "time": "t", "url": "u", "title": "t"}, nil), "key-b", ""); resp.StatusCode != 404 {
		t.Errorf("key-b → %d %s", resp.StatusCode, resp.Body)
	}
	if n := len(h.srv.Messages()); n != 1 {
		t.Errorf("%d messages delivered, want only the first", n)
	}
}

// TestTemplateQueuedSendKeepsAcceptedVersion ensures POST /messages with a template sends the version current when it was accepted, even if a PUT comes before the queue is drained, and the record says which.
func TestTemplateQueuedSendKeepsAcceptedVersion(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.storeDesk()
	h.callAPI(t, "PUT", "/templates/notice", `{"subject": "공지 v1", "html": "<p>v1 {{.name}}</p>"}`)
	body, _ := json.Marshal(map[string]any{"credential": "desk", "toEmail": "kim@example.com", "template": "notice", "variables": map[string]any{"name": "홍길동"}})
	resp := h.callAPI(t, "POST", "/messages", string(body))
	if resp.StatusCode != 202 {
		t.Fatalf("POST /messages → %d %s", resp.StatusCode, resp.Body)
	}
	var acc acceptedBody
	decodeJSON(t, resp.Body, &acc)
	h.callAPI(t, "PUT", "/templates/notice", `{"subject": "공지 v2", "html": "<p>v2 {{.name}}</p>"}`)
	h.drain(t)
	msgs := h.srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d delivered", len(msgs))
	}
	if d := readDelivered(t, msgs[0]); d.subject != "공지 v1" || !strings.Contains(d.html, "v1 홍길동") {
		t.Errorf("delivered %q %q, want version 1", d.subject, d.html)
	}
	var rec struct {
		Status          string
		Template        string
		TemplateVersion int
	}
	decodeJSON(t, h.callAPI(t, "GET", "/messages/"+acc.ID, "").Body, &rec)
	if rec.Status != "sent" || rec.Template != "notice" || rec.TemplateVersion != 1 {
		t.Errorf("record %+v", rec)
	}
}

// TestTemplatePreview ensures POST /templates/{name}/render answers the rendered parts (text derived when absent) without sending, and names a missing variable like a send.
func TestTemplatePreview(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	h.callAPI(t, "PUT", "/templates/notice", `{"subject": "공지: {{.name}}", "html": "<p>{{.name}}님 <b>안녕</b></p>"}`)
	resp := h.callAPI(t, "POST", "/templates/notice/render", `{"variables": {"name": "<김>"}}`)
	var r struct{ Subject, HTML, Text string }
	decodeJSON(t, resp.Body, &r)
	if resp.StatusCode != 200 || r.Subject != "공지: <김>" || r.HTML != "<p>&lt;김&gt;님 <b>안녕</b></p>" || !strings.Contains(r.Text, "<김>님") {
		t.Errorf("→ %d %+v", resp.StatusCode, r)
	}
	if resp := h.callAPI(t, "POST", "/templates/notice/render", `{"variables": {}}`); resp.StatusCode != 400 || decodeBody[errBody](t, resp).Error.Field != "variables.name" {
		t.Errorf("missing → %d %s", resp.StatusCode, resp.Body)
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Errorf("a preview sent %d messages", n)
	}
}
