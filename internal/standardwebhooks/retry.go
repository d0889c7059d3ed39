package standardwebhooks

import "time"

// retryDelays is the Standard Webhooks recommended schedule: the delay after
// the 1st, 2nd, … failed attempt. Eight attempts over about 27.6 hours ride
// out a receiver's deploy, an outage of an afternoon and most of a night.
var retryDelays = [...]time.Duration{
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// MaxRetryDelay is the longest delay NextAttempt may return: SQS
// ChangeMessageVisibility accepts at most 12 hours, and the attempts are
// scheduled that way.
const MaxRetryDelay = 12 * time.Hour

// NextAttempt returns how long to wait after failed attempt number attempt
// (1 for the first delivery) before trying again. ok is false when the
// schedule is spent and the delivery goes to the dead-letter queue, and for
// an attempt number below 1, which only a caller's bug produces.
func NextAttempt(attempt int) (delay time.Duration, ok bool) {
	if attempt < 1 || attempt > len(retryDelays) {
		return 0, false
	}
	return retryDelays[attempt-1], true
}
