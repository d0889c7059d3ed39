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
	if d.IMAPHost != "imap.gmail.com" || d.IMAPPort != 993 || d.MaxMessages != 50 || d.RescanWindow != 7*24*time.Hour || !d.CheckSuppressions ||
		strings.Join(d.Senders, ",") != "mailer-daemon@googlemail.com" {
		t.Errorf("defaults %+v", d)
	}
	env := map[string]string{"IMAP_HOST": "127.0.0.1", "IMAP_PORT": "1993", "BOUNCE_CREDENTIALS": "desk, oauth-desk",
		"BOUNCE_ARCHIVE_FOLDER": "Bounces", "BOUNCE_MAX_MESSAGES": "5", "BOUNCE_RESCAN_WINDOW": "2d", "SUPPRESSION_CHECK": "false",
		"BOUNCE_SENDERS": "mailer-daemon@googlemail.com, MAILER-DAEMON@relay.example.org"}
	cfg, err := app.ParseEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Bounces
	if b.IMAPHost != "127.0.0.1" || b.IMAPPort != 1993 || strings.Join(b.Credentials, "|") != "desk|oauth-desk" ||
		b.ArchiveFolder != "Bounces" || b.MaxMessages != 5 || b.RescanWindow != 48*time.Hour || b.CheckSuppressions ||
		strings.Join(b.Senders, "|") != "mailer-daemon@googlemail.com|MAILER-DAEMON@relay.example.org" {
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
	for name, value := range map[string]string{
		"BOUNCE_SENDERS": `"Mail Delivery Subsystem" <mailer-daemon@googlemail.com>`, // a display name is no sender
		"MAX_RECIPIENTS": "1001",                                                     // more keys than a record keeps
	} {
		_, err := app.ParseEnv(func(k string) (string, bool) { return value, k == name })
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, value, err)
		}
	}
	if _, err := app.ParseEnv(func(k string) (string, bool) { return ",", k == "BOUNCE_SENDERS" }); err == nil {
		t.Error("BOUNCE_SENDERS naming no address was taken")
	}
}
