package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/unsubscribe"
)

// unsubscribeKey is the test deployment's UNSUBSCRIBE_KEY.
var unsubscribeKey = bytes.Repeat([]byte{0x5a}, 32)

func withUnsubscribe(c *app.Config) {
	c.UnsubscribeBaseURL, c.UnsubscribeKey = "https://gmailsend.test/prod", unsubscribeKey
}

// unsubscribeCall is GET or POST /unsubscribe/{token} without an API key.
func (h *harness) unsubscribeCall(t *testing.T, method, token, lang string) events.APIGatewayProxyResponse {
	t.Helper()
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if lang != "" {
		hdr["Accept-Language"] = lang
	}
	body := ""
	if method == "POST" {
		body = "List-Unsubscribe=One-Click"
	}
	return h.apiCall(t, method, "/unsubscribe/{token}", "/unsubscribe/"+token, map[string]string{"token": token}, body, "", hdr)
}

// listUnsubscribe matches the header RFC 8058 requires: one https URI in
// angle brackets, our route and a token.
var listUnsubscribe = regexp.MustCompile(`^<https://gmailsend\.test/prod/unsubscribe/([A-Za-z0-9_-]+)>$`)

// TestOneClickUnsubscribe ensures a message asking for it carries exactly RFC 8058's two headers with a token that names no address; a GET shows a page and changes nothing; a forged, altered or other deployment's token is 404 and changes nothing; the POST suppresses the recipient (reason unsubscribed, the message as source) so the next send is refused; a replayed POST is harmless; and more than one recipient is refused.
func TestOneClickUnsubscribe(t *testing.T) {
	h := newHarness(t, setup{Store: true, Config: withUnsubscribe})
	send := func() (int, string) {
		resp := h.postSend(t, storeRequest(fixture.User, "kim@example.com", map[string]any{"unsubscribe": true}), "key-a", "")
		return resp.StatusCode, resp.Body
	}
	code, body := send()
	if code != 200 {
		t.Fatalf("send → %d %s", code, body)
	}
	var sent sentBody
	decodeJSON(t, body, &sent)
	d := readDelivered(t, h.srv.Messages()[0])
	if got := d.header["List-Unsubscribe-Post"]; len(got) != 1 || got[0] != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	lu := d.header["List-Unsubscribe"]
	if len(lu) != 1 || !listUnsubscribe.MatchString(lu[0]) {
		t.Fatalf("List-Unsubscribe %q", lu)
	}
	token := listUnsubscribe.FindStringSubmatch(lu[0])[1]
	if strings.Contains(strings.ToLower(lu[0]), "kim") || strings.Contains(lu[0], "example") {
		t.Errorf("the link shows the address: %s", lu[0])
	}
	table := dynamostore.NewWithAPI("messages", h.dynamo)
	suppressed := func() bool {
		_, err := table.Suppression(context.Background(), bounce.AccountKey(fixture.User), "kim@example.com")
		return err == nil
	}

	// The page, in both languages; nothing changes.
	for lang, want := range map[string]string{"ko-KR,ko;q=0.9,en;q=0.8": "수신 거부", "en-US,en;q=0.9": "Unsubscribe", "fr, en;q=0.5, ko;q=0.7": "수신 거부"} {
		page := h.unsubscribeCall(t, "GET", token, lang)
		doc := parseHTML(t, page.Body)
		forms := elements(doc, "form")
		if page.StatusCode != 200 || !strings.HasPrefix(page.Headers["Content-Type"], "text/html") || len(forms) != 1 {
			t.Fatalf("GET (%s) → %d %v %s", lang, page.StatusCode, page.Headers, page.Body)
		}
		if m, _ := attrOf(forms[0], "method"); m != "post" || !strings.Contains(textContent(forms[0]), want) {
			t.Errorf("GET (%s): form method %q, button %q, want %q", lang, m, textContent(forms[0]), want)
		}
		if page.Headers["Referrer-Policy"] != "no-referrer" {
			t.Errorf("the page may leak its token in Referer: %v", page.Headers)
		}
	}
	if suppressed() {
		t.Fatal("a GET unsubscribed")
	}

	// Forged and altered tokens: 404, nothing changes.
	other, _ := unsubscribe.Sign(bytes.Repeat([]byte{1}, 32), unsubscribe.Token{Account: bounce.AccountKey(fixture.User), AddressHash: bounce.AddressHash("kim@example.com"), Message: sent.ID})
	flip := "A"
	if token[10] == 'A' {
		flip = "B"
	}
	for _, bad := range []string{token[:10] + flip + token[11:], token[:len(token)-2], other, "x"} {
		for _, method := range []string{"POST", "GET"} {
			if resp := h.unsubscribeCall(t, method, bad, ""); resp.StatusCode != 404 {
				t.Errorf("%s with a bad token → %d", method, resp.StatusCode)
			}
		}
	}
	if suppressed() {
		t.Fatal("a bad token unsubscribed")
	}
	if code, body := send(); code != 200 {
		t.Fatalf("send before the POST → %d %s", code, body)
	}

	// The POST, then its replay.
	for i := 0; i < 2; i++ {
		resp := h.unsubscribeCall(t, "POST", token, "ko")
		if resp.StatusCode != 200 || !strings.Contains(resp.Body, "수신이 거부되었습니다") {
			t.Fatalf("POST #%d → %d %s", i+1, resp.StatusCode, resp.Body)
		}
	}
	sup, err := table.Suppression(context.Background(), bounce.AccountKey(fixture.User), "kim@example.com")
	if err != nil || sup.Reason != bounce.ReasonUnsubscribed || sup.SourceID != sent.ID {
		t.Fatalf("suppression %+v %v", sup, err)
	}
	code, body = send()
	if code != 422 || !strings.Contains(body, "recipient_suppressed") || !strings.Contains(body, `reason \"unsubscribed\"`) {
		t.Errorf("send after unsubscribing → %d %s, want the refusal to give the reason", code, body)
	}

	// One recipient only.
	before := len(h.srv.Messages())
	resp := h.postSend(t, storeRequest(fixture.User, "kim@example.com, lee@example.com", map[string]any{"unsubscribe": true}), "key-a", "")
	if e := decodeBody[errBody](t, resp).Error; resp.StatusCode != 400 || e.Field != "unsubscribe" {
		t.Errorf("two recipients → %d %s", resp.StatusCode, resp.Body)
	}
	if len(h.srv.Messages()) != before {
		t.Error("a refused message was delivered")
	}
}

// TestUnsubscribeNeedsConfiguration ensures a deployment without UNSUBSCRIBE_BASE_URL and UNSUBSCRIBE_KEY refuses "unsubscribe": true (nothing sent) and answers every token 404.
func TestUnsubscribeNeedsConfiguration(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	resp := h.postSend(t, storeRequest(fixture.User, "kim@example.com", map[string]any{"unsubscribe": true}), "key-a", "")
	if resp.StatusCode != 501 || decodeBody[errBody](t, resp).Error.Code != "store_not_configured" || len(h.srv.Messages()) != 0 {
		t.Errorf("→ %d %s", resp.StatusCode, resp.Body)
	}
	tok, _ := unsubscribe.Sign(unsubscribeKey, unsubscribe.Token{Account: bounce.AccountKey(fixture.User), AddressHash: bounce.AddressHash("kim@example.com"), Message: "0123456789abcdefghjkmnpqrs"})
	if resp := h.unsubscribeCall(t, "POST", tok, ""); resp.StatusCode != 404 {
		t.Errorf("POST → %d", resp.StatusCode)
	}
}

// htmlBody lets the document's checks read a text/html answer (the
// unsubscribe pages) as the string it is; kin-openapi knows no decoder
// for it. Registered before any test runs: the decoders are a global map.
func init() { openapi3filter.RegisterBodyDecoder("text/html", htmlBody) }

func htmlBody(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	b, err := io.ReadAll(body)
	return string(b), err
}

// TestOpenAPIUnsubscribeResponses ensures the unsubscribe routes' real answers (page, done, invalid) match api/openapi.yaml.
func TestOpenAPIUnsubscribeResponses(t *testing.T) {
	h := newHarness(t, setup{Store: true, Config: withUnsubscribe})
	tok, _ := unsubscribe.Sign(unsubscribeKey, unsubscribe.Token{Account: bounce.AccountKey(fixture.User), AddressHash: bounce.AddressHash("kim@example.com"), Message: "0123456789abcdefghjkmnpqrs"})
	for _, c := range []struct {
		method, token string
		status        int
	}{{"GET", tok, 200}, {"POST", tok, 200}, {"GET", "nope", 404}, {"POST", "nope", 404}} {
		if resp := h.callAPI(t, c.method, "/unsubscribe/"+c.token, ""); resp.StatusCode != c.status {
			t.Errorf("%s → %d, want %d", c.method, resp.StatusCode, c.status)
		}
	}
}

// TestQueuedUnsubscribeLink ensures a message accepted by POST /messages with "unsubscribe": true gets its link when the queue sends it, naming its own record.
func TestQueuedUnsubscribeLink(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true, Config: withUnsubscribe})
	h.storeDesk()
	resp := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com", "queued", map[string]any{"unsubscribe": true}))
	if resp.StatusCode != 202 {
		t.Fatalf("→ %d %s", resp.StatusCode, resp.Body)
	}
	var acc acceptedBody
	decodeJSON(t, resp.Body, &acc)
	if bad := h.callAPI(t, "POST", "/messages", queuedRequest("desk", "kim@example.com, lee@example.com", "two", map[string]any{"unsubscribe": true})); bad.StatusCode != 400 {
		t.Errorf("two recipients queued: %d %s", bad.StatusCode, bad.Body)
	}
	h.drain(t)
	msgs := h.srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d delivered", len(msgs))
	}
	lu := readDelivered(t, msgs[0]).header.Get("List-Unsubscribe")
	m := listUnsubscribe.FindStringSubmatch(lu)
	if m == nil {
		t.Fatalf("List-Unsubscribe %q", lu)
	}
	tok, err := unsubscribe.Verify(unsubscribeKey, m[1])
	if err != nil || tok.Message != acc.ID {
		t.Errorf("token %+v %v, want message %s", tok, err, acc.ID)
	}
}
