package app_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// TestREADMEDocumentsSkipReasons ensures README's Bounces section names
// every reason a notification is skipped for (the NotificationsSkipped
// metric's Reason values), and the limits it states are the code's.
func TestREADMEDocumentsSkipReasons(t *testing.T) {
	doc := readme(t)
	start := strings.Index(doc, "\n## Bounces\n")
	end := strings.Index(doc[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("README has no Bounces section")
	}
	section := doc[start : start+1+end]
	for _, r := range bounce.SkipReasons() {
		if !strings.Contains(section, "`"+string(r)+"`") {
			t.Errorf("the Bounces section does not name the skip reason `%s`", r)
		}
	}
	for _, fact := range []string{
		"keeps 64 KiB of diagnostics", // bounce.MaxRecordDiagnostics
		"1,000 recipients",            // bounce.MaxRecipientKeys
		"in 3 runs in a row",          // bounce.MaxApplyAttempts
	} {
		if !strings.Contains(section, fact) {
			t.Errorf("the Bounces section does not say %q", fact)
		}
	}
	if bounce.MaxRecordDiagnostics != 64<<10 || bounce.MaxRecipientKeys != 1000 || bounce.MaxApplyAttempts != 3 {
		t.Error("a limit changed: update README's Bounces section and this test")
	}
}
