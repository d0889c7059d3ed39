package bounceapp_test

import (
	"testing"

	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/bounceapp"
	"github.com/gmailsend/gmailsend/internal/imapmail"
)

// TestBuildRefusesIncompleteConfiguration ensures the reader does not
// start without a table, without credentials, or with a bad name.
func TestBuildRefusesIncompleteConfiguration(t *testing.T) {
	for name, change := range map[string]func(*app.Config){
		"no table":       func(c *app.Config) { c.MessagesTable = "" },
		"no credentials": func(c *app.Config) { c.Bounces.Credentials = nil },
		"bad name":       func(c *app.Config) { c.Bounces.Credentials = []string{"../other"} },
	} {
		cfg := app.Defaults()
		cfg.MessagesTable, cfg.Bounces.Credentials = "messages", []string{"desk"}
		change(&cfg)
		if _, err := bounceapp.Build(cfg, app.Parts{}); err == nil {
			t.Errorf("%s: built", name)
		}
	}
	cfg := app.Defaults()
	cfg.MessagesTable, cfg.Bounces.Credentials = "messages", []string{"desk"}
	if _, err := bounceapp.Build(cfg, app.Parts{}); err != nil {
		t.Errorf("complete configuration: %v", err)
	}
}

// TestIMAPDefaultsMatch ensures the server package app spells out (so the
// send function need not link go-imap) is imapmail's default.
func TestIMAPDefaultsMatch(t *testing.T) {
	d, b := imapmail.DefaultConfig(), app.Defaults().Bounces
	if b.IMAPHost != d.Host || b.IMAPPort != d.Port {
		t.Errorf("app's default IMAP server %s:%d, imapmail's %s:%d", b.IMAPHost, b.IMAPPort, d.Host, d.Port)
	}
}
