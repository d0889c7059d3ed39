package app_test

import (
	"encoding/json"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

// TestSendWithStoredCredential ensures a request naming a credential sends with the stored password, fetched once.
func TestSendWithStoredCredential(t *testing.T) {
	h := newHarness(t, setup{})
	ep := h.secrets
	ep.Put("gmailsend/support-desk", `{"user":"sender@gmail.com","password":"abcd efgh ijkl mnop"}`)
	req := []byte(`{"credential":"support-desk","toEmail":"kim@example.com","subject":"안녕","message":"<p>hi</p>"}`)
	for i := 0; i < 3; i++ {
		if _, err := h.invoke(t, req); err != nil {
			t.Fatal(err)
		}
	}
	msgs := h.srv.Messages()
	if len(msgs) != 3 || msgs[0].User != fixture.User || ep.Calls("gmailsend/support-desk") != 1 {
		t.Fatalf("%d messages, %d fetches", len(msgs), ep.Calls("gmailsend/support-desk"))
	}
}

// TestRotatedPasswordPickedUp ensures an auth failure evicts the cached secret so the next send uses the new one.
func TestRotatedPasswordPickedUp(t *testing.T) {
	h := newHarness(t, setup{})
	ep := h.secrets
	ep.Put("gmailsend/desk", `{"user":"sender@gmail.com","password":"old-password-xx"}`)
	req := []byte(`{"credential":"desk","toEmail":"kim@example.com","subject":"s","message":"m"}`)
	_, err := h.invoke(t, req)
	if code := functionErrorType(err); code != "smtp_auth_failed" {
		t.Fatalf("got %v", err)
	}
	ep.Put("gmailsend/desk", `{"user":"sender@gmail.com","password":"abcdefghijklmnop"}`)
	if _, err := h.invoke(t, req); err != nil {
		t.Fatalf("rotated password not picked up: %v", err)
	}
	if ep.Calls("gmailsend/desk") != 2 || len(h.srv.Messages()) != 1 {
		t.Fatalf("fetches %d", ep.Calls("gmailsend/desk"))
	}
}

// TestInlinePasswordsForbidden ensures ALLOW_INLINE_PASSWORD=false refuses request passwords with 403.
func TestInlinePasswordsForbidden(t *testing.T) {
	h := newHarness(t, setup{Config: func(c *app.Config) { c.AllowInlinePassword = false }})
	out, err := h.invoke(t, fixture.UpstreamEvent(t, "apigw-request.json", originalRequest))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	_ = json.Unmarshal(b, &resp)
	var body errBody
	_ = json.Unmarshal([]byte(resp.Body), &body)
	if resp.StatusCode != 403 || body.Error.Code != "forbidden" || body.Error.Field != "password" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	if len(h.srv.Messages()) != 0 {
		t.Fatal("delivered")
	}
}
