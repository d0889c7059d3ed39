package app_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestREADMECostAgreesWithItsTable ensures the Cost section's count of DynamoDB requests per send is the one its measured table shows.
func TestREADMECostAgreesWithItsTable(t *testing.T) {
	doc := readme(t)
	said := regexp.MustCompile(`The warm path makes (\d+) DynamoDB requests per send`).FindStringSubmatch(doc)
	measured := regexp.MustCompile(`(?m)^\| warm sequential, with the store \|.*\| (\d+)\.00 \(`).FindStringSubmatch(doc)
	if said == nil || measured == nil || said[1] != measured[1] {
		t.Fatalf("README says %v DynamoDB requests per send, its table shows %v", said, measured)
	}
}

// TestREADMEScheduledAtIsAhead ensures README's scheduled send computes its scheduledAt from the current date (a fixed date would fall into the past and be refused).
func TestREADMEScheduledAtIsAhead(t *testing.T) {
	for _, line := range strings.Split(readme(t), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "-d '") && strings.Contains(line, `"scheduledAt"`) {
			if regexp.MustCompile(`"scheduledAt": "20\d\d-`).MatchString(line) {
				t.Errorf("README schedules for a fixed date: %s", line)
			}
			if !strings.Contains(line, `"'"$AT"'"`) {
				t.Errorf("README's scheduled send does not use $AT: %s", line)
			}
		}
	}
	if !strings.Contains(readme(t), "AT=$(date -u -d '+1 day'") {
		t.Error("README does not compute AT")
	}
}

// TestREADMERecordExampleHasNoReplyForSent ensures the sent record README shows carries no reply, as the function stores none for sent messages (only failed ones have reply).
func TestREADMERecordExampleHasNoReplyForSent(t *testing.T) {
	m := regexp.MustCompile(`(?s)\{"id": "7k3f0m9w2q8c1x5v6b4n0r2t8y", "status": "sent".*?\}\n`).FindString(readme(t))
	if m == "" || strings.Contains(m, `"reply"`) {
		t.Fatalf("README's sent record example: %q", m)
	}
}
