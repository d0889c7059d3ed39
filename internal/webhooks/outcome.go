package webhooks

import "github.com/gmailsend/gmailsend/internal/standardwebhooks"

// Outcomes of a delivery attempt, as the events function's metrics count
// them (emf's Outcome dimension). The set is fixed and small on purpose:
// a dimension's values are series, and every series is paid for.
const (
	// OutcomeDelivered: the receiver answered 2xx.
	OutcomeDelivered = "delivered"
	// OutcomeRetry: the receiver failed (an answer other than 2xx or
	// 410, a timeout, TLS, no connection); the schedule tries again.
	OutcomeRetry = "retry"
	// OutcomeRefused: the address guard refused the receiver's address
	// at connect time (a name that now resolves inside): a rebinding
	// attempt or a receiver moved behind a private address. Counted on
	// every attempt, the last included, so none hides among retries.
	OutcomeRefused = "refused"
	// OutcomeGivenUp: the receiver failed the last attempt of the
	// schedule; the queue's redrive moves the delivery to the dead-letter
	// queue.
	OutcomeGivenUp = "given_up"
	// OutcomeDisabled: the receiver answered 410 Gone and the endpoint
	// is disabled.
	OutcomeDisabled = "disabled"
	// OutcomeDropped: the endpoint was deleted or disabled before the
	// attempt; nothing was sent.
	OutcomeDropped = "dropped"
	// OutcomeUnavailable: our side failed (the table, the key, a body
	// that is no delivery); the queue hands it back after the visibility
	// timeout.
	OutcomeUnavailable = "unavailable"
)

// Outcomes lists every value Outcome returns.
func Outcomes() []string {
	return []string{OutcomeDelivered, OutcomeRetry, OutcomeRefused, OutcomeGivenUp, OutcomeDisabled, OutcomeDropped, OutcomeUnavailable}
}

// Outcome is what the attempt came to, one of Outcomes: Reason and
// Action say what to do next, Outcome what an operator counts.
func (r Result) Outcome() string {
	switch r.Reason {
	case "delivered":
		return OutcomeDelivered
	case ReasonGone:
		return OutcomeDisabled
	case "endpoint_deleted", "endpoint_disabled":
		return OutcomeDropped
	case "failed":
		switch {
		case standardwebhooks.Code(r.Code).AddressRefused():
			return OutcomeRefused
		case r.Action == RetryAfter:
			return OutcomeRetry
		}
		return OutcomeGivenUp
	}
	return OutcomeUnavailable
}
