package app_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// TestBouncesDocumentsSkipReasons ensures docs/bounces.md's Bounces section names
// every reason a notification is skipped for (the NotificationsSkipped
// metric's Reason values), and the limits it states are the code's.
func TestBouncesDocumentsSkipReasons(t *testing.T) {
	doc := readDoc(t, "docs/bounces.md")
	start := strings.Index(doc, "\n## Bounces\n")
	if start < 0 {
		t.Fatal("docs/bounces.md has no Bounces section")
	}
	section := doc[start:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:1+end]
	}
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
		t.Error("a limit changed: update docs/bounces.md and this test")
	}
}
