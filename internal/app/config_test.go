package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/app"
)

func lookupFrom(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// TestParseEnvDefaultsAndOverrides ensures an empty environment gives the documented defaults and every kind of value parses.
func TestParseEnvDefaultsAndOverrides(t *testing.T) {
	c, err := app.ParseEnv(lookupFrom(nil))
	if err != nil || c.SMTPHost != "smtp.gmail.com" || c.SMTPPort != 587 || c.MaxMessageBytes != 25<<20 || !c.AllowInlinePassword {
		t.Fatalf("defaults %+v %v", c, err)
	}
	c, err = app.ParseEnv(lookupFrom(map[string]string{
		"SMTP_PORT": "465", "MAX_MESSAGE_BYTES": "1048576", "SMTP_IDLE_TIMEOUT": "0", "ALLOW_INLINE_PASSWORD": "false",
		"ALLOWED_RECIPIENT_DOMAINS": " example.com, ,example.org ",
	}))
	if err != nil || c.SMTPPort != 465 || c.MaxMessageBytes != 1<<20 || c.SMTPIdleTimeout != 0 || c.AllowInlinePassword ||
		strings.Join(c.AllowedRecipientDomains, "|") != "example.com|example.org" {
		t.Fatalf("overrides %+v %v", c, err)
	}
	if c.CredentialCacheTTL != 5*time.Minute {
		t.Fatal("unset values must keep their defaults")
	}
}

// TestParseEnvRefusesBadValues ensures a bad value names its variable instead of falling back silently.
func TestParseEnvRefusesBadValues(t *testing.T) {
	for name, value := range map[string]string{
		"SMTP_PORT": "70000", "MAX_MESSAGE_BYTES": "-1", "SMTP_IDLE_TIMEOUT": "soon", "ALLOW_INLINE_PASSWORD": "maybe",
		"DEFAULT_CREDENTIAL": "../x", "MAX_RECIPIENTS": "ten",
	} {
		if _, err := app.ParseEnv(lookupFrom(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: %v", name, value, err)
		}
	}
}
