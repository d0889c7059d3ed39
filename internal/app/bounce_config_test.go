package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/internal/app"
)

// TestBounceConfig ensures the bounce reader's variables parse into the
// configuration with their documented defaults, and a bad value is an
// error naming the variable.
func TestBounceConfig(t *testing.T) {
	d := app.Defaults().Bounces
	if d.IMAPHost != "imap.gmail.com" || d.IMAPPort != 993 || d.MaxMessages != 50 || d.RescanWindow != 7*24*time.Hour || !d.CheckSuppressions {
		t.Errorf("defaults %+v", d)
	}
	env := map[string]string{"IMAP_HOST": "127.0.0.1", "IMAP_PORT": "1993", "BOUNCE_CREDENTIALS": "desk, oauth-desk",
		"BOUNCE_ARCHIVE_FOLDER": "Bounces", "BOUNCE_MAX_MESSAGES": "5", "BOUNCE_RESCAN_WINDOW": "2d", "SUPPRESSION_CHECK": "false"}
	cfg, err := app.ParseEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Bounces
	if b.IMAPHost != "127.0.0.1" || b.IMAPPort != 1993 || strings.Join(b.Credentials, "|") != "desk|oauth-desk" ||
		b.ArchiveFolder != "Bounces" || b.MaxMessages != 5 || b.RescanWindow != 48*time.Hour || b.CheckSuppressions {
		t.Errorf("parsed %+v", b)
	}
	_, err = app.ParseEnv(func(k string) (string, bool) {
		if k == "BOUNCE_MAX_MESSAGES" {
			return "many", true
		}
		return "", false
	})
	if err == nil || !strings.Contains(err.Error(), "BOUNCE_MAX_MESSAGES") {
		t.Errorf("bad value: %v", err)
	}
}
