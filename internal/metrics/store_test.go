package metrics

import (
	"strings"
	"testing"
)

// TestStoreAndBounceMetrics ensures replays, quota use and bounce counts are valid lines with the documented series, and quota use is a percentage of the limit.
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
	if err := w.Bounces("kim@example.com", 2, 5); err != nil {
		t.Fatal(err)
	}
	ls := lines(t, buf)
	if len(ls) != 3 {
		t.Fatalf("%d lines: %q", len(ls), ls)
	}
	got := strings.Join(append(append(series(t, ls[0]), series(t, ls[1])...), series(t, ls[2])...), "\n")
	want := strings.Join([]string{
		"IdempotentReplays 1 Count (no dimension)",
		"IdempotentReplays 1 Count {Source=apigateway-rest}",
		"QuotaUsedPercent 84 Percent (no dimension)",
		"QuotaUsedPercent 84 Percent {Account=support-desk}",
		"BouncesFound 2 Count (no dimension)",
		"BouncesFound 2 Count {Account=acct-5d9a0087d4cc}",
		"NotificationsSkipped 5 Count (no dimension)",
		"NotificationsSkipped 5 Count {Account=acct-5d9a0087d4cc}",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(buf.String(), "example.com") {
		t.Fatalf("an address reached a metric line: %s", buf)
	}
}
