package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/app"
)

// TestStoreSettings ensures the store's variables parse (retention in days or as a duration), default as documented, and a bad value is an error naming the variable.
func TestStoreSettings(t *testing.T) {
	env := map[string]string{"MESSAGES_TABLE": "gmailsend-messages", "MESSAGE_RETENTION": "7d", "IDEMPOTENCY_TTL": "36h",
		"DAILY_MESSAGE_LIMIT": "2000", "DAILY_RECIPIENT_LIMIT": "10000"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c, err := app.ParseEnv(lookup)
	if err != nil {
		t.Fatal(err)
	}
	if c.MessagesTable != "gmailsend-messages" || c.MessageRetention != 7*24*time.Hour || c.IdempotencyTTL != 36*time.Hour ||
		c.DailyMessageLimit != 2000 || c.DailyRecipientLimit != 10000 {
		t.Fatalf("config %+v", c)
	}
	d := app.Defaults()
	if d.MessagesTable != "" || d.MessageRetention != 30*24*time.Hour || d.IdempotencyTTL != 24*time.Hour || d.DailyMessageLimit != 400 || d.DailyRecipientLimit != 400 {
		t.Fatalf("defaults %+v", d)
	}
	for _, bad := range []string{"0d", "-1d", "thirty days", "0s"} {
		env = map[string]string{"MESSAGE_RETENTION": bad}
		if _, err := app.ParseEnv(lookup); err == nil || !strings.Contains(err.Error(), "MESSAGE_RETENTION") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
