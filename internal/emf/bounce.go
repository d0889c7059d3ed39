package emf

import "sort"

// Metrics of the bounce reader (functions/bounces).
const (
	MetricBouncesFound         = "BouncesFound"
	MetricNotificationsSkipped = "NotificationsSkipped"
	// DimensionReason is why a notification was skipped (bounce.SkipReason:
	// a handful of fixed values).
	DimensionReason = "Reason"
)

var bounceDirective = Directive{
	Dimensions: [][]string{{}, {DimensionAccount}},
	Metrics:    []Definition{{MetricBouncesFound, Count}},
}

// skippedDirective publishes each reason's count under the total and the
// account too: CloudWatch sums the per-reason lines of a run into those.
var skippedDirective = Directive{
	Dimensions: [][]string{{}, {DimensionAccount}, {DimensionReason}},
	Metrics:    []Definition{{MetricNotificationsSkipped, Count}},
}

// Bounces records one pass of the bounce reader over an account's mailbox:
// the delivery-status notifications it recognised as bounces (one line,
// zero included), and the messages it looked at and skipped, one line per
// reason that occurred, in total, by account and by reason. The
// bounce-rate alarm divides the total BouncesFound by the Sends that were
// sent.
func (w *Writer) Bounces(account string, found int, skipped map[string]int) error {
	err := w.Write(Document{
		Directives: []Directive{bounceDirective},
		Values:     map[string]float64{MetricBouncesFound: float64(found)},
		Dimensions: map[string]string{DimensionAccount: Account(account)},
	})
	reasons := make([]string, 0, len(skipped))
	for r, n := range skipped {
		if n > 0 {
			reasons = append(reasons, r)
		}
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		if err != nil {
			return err
		}
		err = w.Write(Document{
			Directives: []Directive{skippedDirective},
			Values:     map[string]float64{MetricNotificationsSkipped: float64(skipped[r])},
			Dimensions: map[string]string{DimensionAccount: Account(account), DimensionReason: r},
		})
	}
	return err
}
