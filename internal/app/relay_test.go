package app_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

// TestRelayAllowlists ensures sender and recipient-domain allowlists refuse with forbidden and a clear message, and are off by default.
func TestRelayAllowlists(t *testing.T) {
	open := newHarness(t, setup{})
	if _, err := open.invoke(t, []byte(fixture.SendRequest(fixture.User2, "x@anywhere.example", "open"))); err != nil {
		t.Fatalf("allowlists must be off by default: %v", err)
	}
	h := newHarness(t, setup{Config: func(c *app.Config) {
		c.AllowedSenders = []string{fixture.User}
		c.AllowedRecipientDomains = []string{"example.com"}
	}})
	cases := []struct{ body, field, says string }{
		{fixture.SendRequest(fixture.User2, "kim@example.com", "s"), "user", "not allowed to send"},
		{fixture.SendRequest(fixture.User, "kim@evil.example", "s"), "toEmail", "evil.example is not allowed"},
		{strings.Replace(fixture.SendRequest(fixture.User, "kim@example.com", "s"), `"toEmail"`, `"bcc":"x@evil.example","toEmail"`, 1), "bcc", "evil.example"},
	}
	for _, c := range cases {
		_, err := h.invoke(t, []byte(c.body))
		if functionErrorType(err) != "forbidden" || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "field "+c.field) {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	if _, err := h.invoke(t, []byte(fixture.SendRequest(fixture.User, "KIM@EXAMPLE.COM", "allowed"))); err != nil {
		t.Fatalf("allowed send refused: %v", err)
	}
	if n := len(h.srv.Messages()); n != 1 {
		t.Fatalf("%d messages", n)
	}
}
