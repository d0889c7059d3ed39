package standardwebhooks

import (
	"testing"
	"time"
)

// TestNextAttemptFollowsTheStandardWebhooksSchedule ensures the delays after
// each failure, the give-up point, and that no delay exceeds what SQS
// ChangeMessageVisibility accepts.
func TestNextAttemptFollowsTheStandardWebhooksSchedule(t *testing.T) {
	want := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	var total time.Duration
	for i, w := range want {
		got, ok := NextAttempt(i + 1)
		if !ok || got != w {
			t.Fatalf("NextAttempt(%d) = %v, %v; want %v, true", i+1, got, ok, w)
		}
		total += got
	}
	if total != 27*time.Hour+35*time.Minute+5*time.Second {
		t.Fatalf("schedule spans %v", total)
	}
	for _, attempt := range []int{len(want) + 1, len(want) + 100, 0, -1} {
		if d, ok := NextAttempt(attempt); ok {
			t.Fatalf("NextAttempt(%d) = %v, true; want give up", attempt, d)
		}
	}
}

// TestNoRetryDelayExceedsTheSQSVisibilityLimit ensures every delay the
// schedule can produce fits ChangeMessageVisibility's 12 hours.
func TestNoRetryDelayExceedsTheSQSVisibilityLimit(t *testing.T) {
	if MaxRetryDelay != 12*time.Hour {
		t.Fatalf("MaxRetryDelay = %v, want SQS's 12h", MaxRetryDelay)
	}
	for attempt := -5; attempt < 1000; attempt++ {
		if d, ok := NextAttempt(attempt); ok && (d <= 0 || d > MaxRetryDelay) {
			t.Fatalf("NextAttempt(%d) = %v, outside (0, %v]", attempt, d, MaxRetryDelay)
		}
	}
}
