package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestMakeRunShowsTheMetrics ensures `make run` ends with the metrics the real bootstrap published for the send, read from its EMF line: outcome, source, the stored credential's account, and each metric's value and unit.
func TestMakeRunShowsTheMetrics(t *testing.T) {
	payload, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "events", "direct-stored-credential.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := runEvent(t, "events/direct-stored-credential.json", payload)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	section := strings.Index(out, "== metrics published to CloudWatch")
	if section < strings.Index(out, " message(s) delivered") {
		t.Fatalf("no metrics section after the deliveries:\n%s", out)
	}
	for _, want := range []string{
		"namespace gmailsend  Account=support-desk Outcome=sent Source=direct",
		"Sends                           1 Count",
		"Recipients                      1 Count",
		"StoredCredentialSends           1 Count",
		"by: Account+Outcome | Outcome | Source+Outcome",
	} {
		if !strings.Contains(out[section:], want) {
			t.Errorf("metrics section lacks %q:\n%s", want, out[section:])
		}
	}
	if strings.Contains(out[section:], "not valid EMF") {
		t.Fatalf("the function wrote an invalid metric line:\n%s", out)
	}
}
