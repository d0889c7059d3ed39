package webhooks_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gmailsend/gmailsend/internal/webhooks"
)

// TestOutcomeIsOneOfAFixedSet ensures every kind of result maps to its documented outcome, an address refusal wins over retry and give-up alike, and nothing maps outside Outcomes (the metric's dimension stays bounded).
func TestOutcomeIsOneOfAFixedSet(t *testing.T) {
	cases := []struct {
		res  webhooks.Result
		want string
	}{
		{webhooks.Result{Action: webhooks.Done, Reason: "delivered", Status: 204}, webhooks.OutcomeDelivered},
		{webhooks.Result{Action: webhooks.RetryAfter, Reason: "failed", Status: 503, Code: "webhook_endpoint_status"}, webhooks.OutcomeRetry},
		{webhooks.Result{Action: webhooks.RetryAfter, Reason: "failed", Code: "webhook_timeout"}, webhooks.OutcomeRetry},
		{webhooks.Result{Action: webhooks.GiveUp, Reason: "failed", Status: 500, Code: "webhook_endpoint_status"}, webhooks.OutcomeGivenUp},
		{webhooks.Result{Action: webhooks.RetryAfter, Reason: "failed", Code: "webhook_addr_link_local"}, webhooks.OutcomeRefused},
		{webhooks.Result{Action: webhooks.GiveUp, Reason: "failed", Code: "webhook_addr_private"}, webhooks.OutcomeRefused},
		{webhooks.Result{Action: webhooks.Done, Reason: webhooks.ReasonGone, Status: 410}, webhooks.OutcomeDisabled},
		{webhooks.Result{Action: webhooks.Done, Reason: "endpoint_deleted"}, webhooks.OutcomeDropped},
		{webhooks.Result{Action: webhooks.Done, Reason: "endpoint_disabled"}, webhooks.OutcomeDropped},
		{webhooks.Result{Action: webhooks.GiveUp, Reason: "unavailable", Err: errors.New("table")}, webhooks.OutcomeUnavailable},
		{webhooks.Result{Reason: "something new"}, webhooks.OutcomeUnavailable},
	}
	for _, c := range cases {
		got := c.res.Outcome()
		if got != c.want {
			t.Errorf("%+v: outcome %q, want %q", c.res, got, c.want)
		}
		if !slices.Contains(webhooks.Outcomes(), got) {
			t.Errorf("%q is not in Outcomes", got)
		}
	}
}
