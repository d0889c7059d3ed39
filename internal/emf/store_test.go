package emf

import (
	"strings"
	"testing"
)

// TestStoreAndBounceMetrics ensures replays, quota use and bounce counts are valid lines with the documented series (skipped notifications one line per reason that occurred), and quota use is a percentage of the limit.
func TestStoreAndBounceMetrics(t *testing.T) {
	w, buf := newWriter(t)
	if err := w.IdempotentReplay("apigateway-rest"); err != nil {
		t.Fatal(err)
	}
	if err := w.QuotaUsed("support-desk", 420, 500); err != nil {
		t.Fatal(err)
	}
	if err := w.QuotaUsed("unlimited", 3, 0); err != nil { // no quota: nothing to report
		t.Fatal(err)
	}
	if err := w.Bounces("kim@example.com", 2, map[string]int{"untrusted_sender": 3, "not_report": 2, "apply_failed": 0}); err != nil {
		t.Fatal(err)
	}
	ls := lines(t, buf)
	if len(ls) != 5 {
		t.Fatalf("%d lines: %q", len(ls), ls)
	}
	var all []string
	for _, l := range ls {
		all = append(all, series(t, l)...)
	}
	got := strings.Join(all, "\n")
	want := strings.Join([]string{
		"IdempotentReplays 1 Count (no dimension)",
		"IdempotentReplays 1 Count {Source=apigateway-rest}",
		"QuotaUsedPercent 84 Percent (no dimension)",
		"QuotaUsedPercent 84 Percent {Account=support-desk}",
		"BouncesFound 2 Count (no dimension)",
		"BouncesFound 2 Count {Account=acct-5d9a0087d4cc}",
		"NotificationsSkipped 2 Count (no dimension)",
		"NotificationsSkipped 2 Count {Account=acct-5d9a0087d4cc}",
		"NotificationsSkipped 2 Count {Reason=not_report}",
		"NotificationsSkipped 3 Count (no dimension)",
		"NotificationsSkipped 3 Count {Account=acct-5d9a0087d4cc}",
		"NotificationsSkipped 3 Count {Reason=untrusted_sender}",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(buf.String(), "example.com") {
		t.Fatalf("an address reached a metric line: %s", buf)
	}
}
