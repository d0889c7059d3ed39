package app_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestCostAgreesWithItsTable ensures docs/api.md's Cost section's count of DynamoDB requests per send is the one its measured table shows.
func TestCostAgreesWithItsTable(t *testing.T) {
	doc := readDoc(t, "docs/api.md")
	said := regexp.MustCompile(`The warm path makes (\d+) DynamoDB requests per send`).FindStringSubmatch(doc)
	measured := regexp.MustCompile(`(?m)^\| warm sequential, with the store \|.*\| (\d+)\.00 \(`).FindStringSubmatch(doc)
	if said == nil || measured == nil || said[1] != measured[1] {
		t.Fatalf("docs/api.md says %v DynamoDB requests per send, its table shows %v", said, measured)
	}
}

// TestScheduledAtIsAhead ensures docs/api.md's scheduled send computes its scheduledAt from the current date (a fixed date would fall into the past and be refused).
func TestScheduledAtIsAhead(t *testing.T) {
	for _, line := range strings.Split(readDoc(t, "docs/api.md"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "-d '") && strings.Contains(line, `"scheduledAt"`) {
			if regexp.MustCompile(`"scheduledAt": "20\d\d-`).MatchString(line) {
				t.Errorf("docs/api.md schedules for a fixed date: %s", line)
			}
			if !strings.Contains(line, `"'"$AT"'"`) {
				t.Errorf("docs/api.md's scheduled send does not use $AT: %s", line)
			}
		}
	}
	if !strings.Contains(readDoc(t, "docs/api.md"), "AT=$(date -u -d '+1 day'") {
		t.Error("docs/api.md does not compute AT")
	}
}

// TestRecordExampleHasNoReplyForSent ensures the sent record docs/api.md shows carries no reply, as the function stores none for sent messages (only failed ones have reply).
func TestRecordExampleHasNoReplyForSent(t *testing.T) {
	m := regexp.MustCompile(`(?s)\{"id": "7k3f0m9w2q8c1x5v6b4n0r2t8y", "status": "sent".*?\}\n`).FindString(readDoc(t, "docs/api.md"))
	if m == "" || strings.Contains(m, `"reply"`) {
		t.Fatalf("docs/api.md's sent record example: %q", m)
	}
}
